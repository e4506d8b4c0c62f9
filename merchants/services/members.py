"""The shop's staff accounts (members) and their roles."""

from django.db import transaction
from django.utils.translation import gettext as _

from merchants.models import Merchant, MerchantMember
from merchants.services._common import _require_owner
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.accounts.services import user_grant_role
from platform_core.audit.services import audit_record
from platform_core.errors import Conflict, InvalidInput, NotFound
from platform_core.notifications.services import notify


@transaction.atomic
def merchant_member_invite(*, merchant: Merchant, login: str, role: str, actor: User) -> MerchantMember:
    """The owner adds a staff account (by phone or email) with a role that limits what it may do."""
    _require_owner(merchant=merchant, actor=actor)
    if role not in MerchantMember.Role.values or role == MerchantMember.Role.OWNER:
        raise InvalidInput(_("Choose operations, customer service or finance."), code="invalid_role")
    try:
        user = User.objects.get_by_login(login)
    except User.DoesNotExist:
        raise NotFound(_("No account with this phone number or email."), code="user_not_found") from None
    member, created = MerchantMember.objects.get_or_create(
        merchant=merchant, user=user, defaults={"role": role}
    )
    if not created:
        if member.role == MerchantMember.Role.OWNER:
            raise Conflict(_("The owner is already a member."), code="already_owner")
        member.role, member.is_active = role, True
        member.save(update_fields=["role", "is_active"])
    user_grant_role(user=user, role=Role.MERCHANT_STAFF)
    audit_record(
        actor=actor, action="merchant.member_invited", subject=merchant, after={"user": user.pk, "role": role}
    )
    notify(
        recipient=user,
        event="merchant_member_invited",
        title=_("You were added to %(shop)s") % {"shop": merchant.name},
        body=_("Role: %(role)s") % {"role": member.get_role_display()},
        subject=merchant,
    )
    return member


@transaction.atomic
def merchant_member_remove(*, member: MerchantMember, actor: User) -> MerchantMember:
    """The owner removes a staff account (kept, inactive, for the record)."""
    _require_owner(merchant=member.merchant, actor=actor)
    if member.role == MerchantMember.Role.OWNER:
        raise Conflict(_("The owner cannot be removed."), code="owner_not_removable")
    member.is_active = False
    member.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="merchant.member_removed", subject=member.merchant, after={"user": member.user_id}
    )
    return member
