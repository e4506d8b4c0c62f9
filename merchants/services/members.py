"""The shop's staff accounts (members) and their roles.

SEC (issue 20): nobody becomes a shop's staff without consent. The owner invites an account; it joins
when that user accepts the invitation (API ``/api/v1/account/merchant-invitations/``) before it expires
(``MERCHANT_STAFF_INVITATION_EXPIRES``). Every step is audited. An active member's role is changed by the
owner directly (they consented when they joined).
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Merchant, MerchantMember, StaffInvitation
from merchants.services._common import _notify_owner, _require_owner
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.accounts.services import user_grant_role
from platform_core.audit.services import audit_record
from platform_core.errors import Conflict, InvalidInput, NotFound
from platform_core.locking import lock
from platform_core.notifications.services import notify


@transaction.atomic
def merchant_member_invite(
    *, merchant: Merchant, login: str, role: str, actor: User
) -> StaffInvitation | MerchantMember:
    """The owner invites a staff account (by phone or email) with a role that limits what it may do.

    Returns the pending invitation; for an account that is already an active member, its role is changed
    and the membership returned. A pending invitation to the same account is replaced by the new one."""
    _require_owner(merchant=merchant, actor=actor)
    if role not in MerchantMember.Role.values or role == MerchantMember.Role.OWNER:
        raise InvalidInput(_("Choose operations, customer service or finance."), code="invalid_role")
    try:
        user = User.objects.get_by_login(login)
    except User.DoesNotExist:
        raise NotFound(_("No account with this phone number or email."), code="user_not_found") from None
    member = MerchantMember.objects.select_for_update().filter(merchant=merchant, user=user).first()
    if member is not None and member.role == MerchantMember.Role.OWNER:
        raise Conflict(_("The owner is already a member."), code="already_owner")
    if member is not None and member.is_active:
        before = member.role
        member.role = role
        member.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action="merchant.member_role_changed",
            subject=merchant,
            before={"user": user.pk, "role": before},
            after={"user": user.pk, "role": role},
        )
        return member
    now = clock.now()
    StaffInvitation.objects.filter(
        merchant=merchant, user=user, status=StaffInvitation.Status.PENDING
    ).update(status=StaffInvitation.Status.REVOKED, answered_at=now)
    invitation = StaffInvitation.objects.create(
        merchant=merchant,
        user=user,
        role=role,
        invited_by=actor,
        created_at=now,
        expires_at=now + settings.MERCHANT_STAFF_INVITATION_EXPIRES,
    )
    audit_record(
        actor=actor,
        action="merchant.member_invited",
        subject=merchant,
        after={
            "user": user.pk,
            "role": role,
            "invitation": invitation.pk,
            "expires_at": str(invitation.expires_at),
        },
    )
    notify(
        recipient=user,
        event="merchant_member_invited",
        title=_("%(shop)s invites you to join its staff") % {"shop": merchant.name},
        body=_("Role: %(role)s. Accept or decline the invitation before %(date)s.")
        % {
            "role": invitation.get_role_display(),
            "date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
        },
        subject=merchant,
    )
    return invitation


def _answerable(invitation: StaffInvitation, *, actor: User) -> StaffInvitation:
    """The invitation, locked, if ``actor`` is its invitee and it still waits for an answer."""
    invitation = lock(StaffInvitation, invitation.pk)
    if invitation.user_id != actor.pk:
        raise NotFound(_("No such invitation."))
    if invitation.status == StaffInvitation.Status.PENDING and invitation.expires_at <= clock.now():
        raise Conflict(
            _("This invitation is no longer open (%(status)s).")
            % {"status": StaffInvitation.Status.EXPIRED.label},
            code="invitation_expired",
        )
    if invitation.status != StaffInvitation.Status.PENDING:
        raise Conflict(
            _("This invitation is no longer open (%(status)s).")
            % {"status": invitation.get_status_display()},
            code="invitation_closed",
        )
    return invitation


@transaction.atomic
def merchant_invitation_accept(*, invitation: StaffInvitation, actor: User) -> MerchantMember:
    """SEC (issue 20): the invited user accepts and joins the shop's staff with the invitation's role."""
    invitation = _answerable(invitation, actor=actor)
    merchant = invitation.merchant
    member, created = MerchantMember.objects.get_or_create(
        merchant=merchant, user=actor, defaults={"role": invitation.role}
    )
    if not created:
        if member.role == MerchantMember.Role.OWNER:
            raise Conflict(_("The owner is already a member."), code="already_owner")
        member.role, member.is_active = invitation.role, True
        member.save(update_fields=["role", "is_active"])
    user_grant_role(user=actor, role=Role.MERCHANT_STAFF)
    invitation.status, invitation.answered_at = StaffInvitation.Status.ACCEPTED, clock.now()
    invitation.save(update_fields=["status", "answered_at"])
    audit_record(
        actor=actor,
        action="merchant.member_joined",
        subject=merchant,
        after={"user": actor.pk, "role": member.role, "invitation": invitation.pk},
    )
    _notify_owner(
        merchant,
        event="merchant_member_joined",
        title=_("%(name)s joined the shop's staff") % {"name": actor.name or actor.pk},
        body=_("Role: %(role)s") % {"role": member.get_role_display()},
    )
    return member


@transaction.atomic
def merchant_invitation_decline(*, invitation: StaffInvitation, actor: User) -> StaffInvitation:
    """SEC (issue 20): the invited user declines; nothing changes for them."""
    invitation = _answerable(invitation, actor=actor)
    invitation.status, invitation.answered_at = StaffInvitation.Status.DECLINED, clock.now()
    invitation.save(update_fields=["status", "answered_at"])
    audit_record(
        actor=actor,
        action="merchant.member_invitation_declined",
        subject=invitation.merchant,
        after={"user": actor.pk, "invitation": invitation.pk},
    )
    return invitation


@transaction.atomic
def merchant_invitation_revoke(*, invitation: StaffInvitation, actor: User) -> StaffInvitation:
    """The owner withdraws a pending invitation."""
    _require_owner(merchant=invitation.merchant, actor=actor)
    invitation = lock(StaffInvitation, invitation.pk)
    if invitation.status != StaffInvitation.Status.PENDING:
        raise Conflict(
            _("This invitation is no longer open (%(status)s).")
            % {"status": invitation.get_status_display()},
            code="invitation_closed",
        )
    invitation.status, invitation.answered_at = StaffInvitation.Status.REVOKED, clock.now()
    invitation.save(update_fields=["status", "answered_at"])
    audit_record(
        actor=actor,
        action="merchant.member_invitation_revoked",
        subject=invitation.merchant,
        after={"user": invitation.user_id, "invitation": invitation.pk},
    )
    return invitation


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
