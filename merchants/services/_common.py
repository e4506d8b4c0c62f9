"""What several merchant services share: the deadline rule names (handlers in ``merchants/deadlines.py``),
the status and cause shorthands, the permission checks and the notifications.
"""

from typing import Any

from django.contrib.auth.models import Group
from django.utils.translation import gettext as _

from merchants.models import APPEAL_DECIDE_PERMISSION, REVIEW_PERMISSION, Merchant, MerchantMember
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.errors import Forbidden
from platform_core.notifications.services import notify

# Deadline rule names (handlers in merchants/deadlines.py)

S = Merchant.Status
C = Merchant.Cause


def _require_reviewer(actor: User | None) -> None:
    if actor is None or not actor.is_staff or not actor.has_perm(REVIEW_PERMISSION):
        raise Forbidden(
            _("Only staff with the merchant-review permission may do this."), code="not_a_reviewer"
        )


def _require_appeal_reviewer(actor: User | None) -> None:
    """VIO-3, VIO-4: deciding appeals and lifting or publishing penalties by hand is compliance's."""
    if actor is None or not actor.is_staff or not actor.has_perm(APPEAL_DECIDE_PERMISSION):
        raise Forbidden(
            _("Only staff who decide violation appeals may do this."), code="not_an_appeal_reviewer"
        )


def _require_owner(*, merchant: Merchant, actor: User) -> None:
    if not MerchantMember.objects.filter(
        merchant=merchant, user=actor, role=MerchantMember.Role.OWNER, is_active=True
    ).exists():
        raise Forbidden(_("Only the shop owner may do this."), code="not_the_owner")


def _notify_owner(merchant: Merchant, *, event: str, title: str, body: str, subject: Any = None) -> None:
    notify(recipient=merchant.owner, event=event, title=title, body=body, subject=subject or merchant)


def _notify_staff(
    *, event: str, title: str, body: str, subject: Any, role: str = Role.STAFF_OPERATIONS
) -> set[int]:
    """OPS-3: tell a department's staff (operations unless ``role`` says otherwise); returns who was told."""
    group = Group.objects.filter(name=role).first()
    if group is None:
        return set()
    told = set()
    for user in User.objects.filter(groups=group, is_active=True).order_by("pk"):
        notify(recipient=user, event=event, title=title, body=body, subject=subject)
        told.add(user.pk)
    return told
