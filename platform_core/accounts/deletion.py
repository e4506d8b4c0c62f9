"""Account deletion with anonymisation (USR-4, ORD-8): by the account holder (API, password confirmed) or by
staff at the holder's request (the user admin's "注销账户" page, with a reason; decision 047). Both end the
same way: the apps anonymise their own records, the account row loses its personal data and stays for the
trade records, and one audit-chain row says who did it. Nothing deletes the row itself.

The kernel imports no chapter app, so deletion asks the apps through two hooks they register on from their
``hooks.py`` (``platform_core.hooks``): ``account_deletion_checks`` and ``account_anonymisers``.
"""

from collections.abc import Callable
from typing import Protocol

from django.db import transaction
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.accounts.models import PrivacySettings, User
from platform_core.accounts.services import user_access_end
from platform_core.audit.services import audit_record
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.hooks import Hook
from platform_core.locking import lock

account_deletion_checks = Hook[Callable[[User], list[str]]](
    "accounts.account_deletion_checks",
    doc=(
        "USR-4: the reasons (shown to the user) why the account cannot be deleted now, e.g. an open "
        "order, after-sales request or complaint; empty when none. Deletion is refused while any is given."
    ),
)


class AccountAnonymiser(Protocol):
    def __call__(self, *, user: User, actor: User) -> object: ...


account_anonymisers = Hook[AccountAnonymiser](
    "accounts.account_anonymisers",
    doc=(
        "USR-4, ORD-8: the user deletes their account: remove their personal data from the app's own "
        "records and keep the trade record; called in the deletion's transaction, before the account "
        "itself is anonymised."
    ),
)

#: USR-4: staff delete an account at its holder's request (the user admin); an administrator right
DELETE_PERMISSION = "accounts.delete_user"


def account_deletion_blockers(*, user: User) -> list[str]:
    """USR-4: why the account cannot be deleted now (open orders, after-sales requests, disputes)."""
    reasons: list[str] = []
    for check in account_deletion_checks:
        reasons.extend(str(reason) for reason in check(user))
    return reasons


def _account_anonymise(*, user: User, actor: User, reason: str = "") -> User:
    """USR-4, ORD-8: ``user`` (locked, not yet deleted) is anonymised unless an app reports a blocker."""
    reasons = account_deletion_blockers(user=user)
    if reasons:
        raise Conflict(
            _("The account cannot be deleted yet: %(reasons)s") % {"reasons": "; ".join(reasons)},
            code="account_deletion_blocked",
            errors={"reasons": reasons},
        )
    for anonymise in account_anonymisers:
        anonymise(user=user, actor=actor)
    PrivacySettings.objects.filter(user=user).delete()
    user.name, user.email, user.phone = "", None, None
    user.anonymised_at = clock.now()
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    ended = user_access_end(user=user)
    audit_record(
        actor=actor,
        action="account.deleted",
        subject=user,
        after={"anonymisers": len(account_anonymisers), **ended},
        reason=reason,
    )
    return user


def _locked_undeleted(user: User) -> User:
    user = lock(User, user.pk)
    if user.anonymised_at is not None:
        raise Conflict(_("This account is already deleted."), code="already_deleted")
    return user


@transaction.atomic
def user_account_delete(*, user: User, password: str, actor: User) -> User:
    """USR-4, ORD-8: the user deletes their own account, confirming with their password.

    Refused only while an app reports a blocker (``account_deletion_checks``: open order, after-sales
    request or dispute), with the reasons. Otherwise the apps anonymise their records
    (``account_anonymisers``), then the account loses its name, phone, email, password, roles and
    privacy settings, is deactivated and marked ``anonymised_at``; its sessions and tokens end. The row
    stays so trade records keep their foreign keys (ORD-8: kept at least 3 years).
    """
    if actor.pk != user.pk:
        raise Forbidden(_("Only the account holder can delete the account."), code="not_owner")
    user = _locked_undeleted(user)
    if not user.has_usable_password() or not user.check_password(password):
        raise InvalidInput(
            _("The password is wrong."),
            code="wrong_password",
            errors={"password": [_("The password is wrong.")]},
        )
    return _account_anonymise(user=user, actor=actor)


@transaction.atomic
def user_account_delete_by_staff(*, user: User, reason: str, actor: User) -> User:
    """USR-4, issue 21 (decision 047): staff holding ``accounts.delete_user`` delete an account at its holder's
    request (e.g. by telephone to customer service), with the reason on record. Exactly the anonymisation of
    ``user_account_delete`` (the same blockers, anonymisers and audit action, with the staff member as actor
    and the reason). A staff account is offboarded first (STF-5), and nobody deletes their own here."""
    if not (actor.is_active and actor.has_perm(DELETE_PERMISSION)):
        raise Forbidden(_("You may not delete user accounts."), code="not_allowed")
    if not reason.strip():
        raise InvalidInput(_("Give the reason."), code="reason_required", errors={"reason": [_("Required.")]})
    user = _locked_undeleted(user)
    if user.pk == actor.pk or user.is_staff or user.is_superuser:
        raise Conflict(
            _(
                "A staff account is offboarded first (STF-5: staff profiles); your own account is deleted by you."
            ),
            code="staff_account",
        )
    return _account_anonymise(user=user, actor=actor, reason=reason.strip())
