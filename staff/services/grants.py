"""Permission grants (STF-2, STF-3, STF-4, USR-3): grant, change, revoke, give up, lapse."""

from datetime import datetime

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.services import notice_until, user_access_end
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_cancel, deadline_restart, deadline_start
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.notifications.services import notify
from staff.clocks import GRANT_EXPIRY_RULE
from staff.models import PermissionApplication, PermissionGrant
from staff.services._common import (
    _check_admin_cap,
    _check_audience,
    _check_training,
    _forget_cached_permissions,
    _key,
    _lock_grant,
    _spec_or_refuse,
)


@transaction.atomic
def permission_grant(
    *,
    user: User,
    permission: Permission,
    reason: str,
    actor: User | None,
    expires_at: datetime | None = None,
    application: PermissionApplication | None = None,
) -> PermissionGrant:
    """STF-2, STF-4, STF-8, USR-2: give ``user`` the permission directly, recorded in a ``PermissionGrant``.

    Checks the audience, the training the registry requires and the administrator cap; an expiry starts
    the lapse clock. The person is notified.
    """
    spec = _spec_or_refuse(permission)
    _check_audience(user=user, spec=spec)
    _check_training(user=user, spec=spec)
    _check_admin_cap(user=user, spec=spec)
    if expires_at is not None and expires_at <= clock.now():
        raise InvalidInput(_("The end of the grant is in the past."), errors={"expires_at": ["past"]})
    if PermissionGrant.objects.filter(
        user=user, permission=permission, revoked_at__isnull=True, lapsed_at__isnull=True
    ).exists():
        raise Conflict(
            _("%(user)s already holds %(key)s.") % {"user": user, "key": spec.key}, code="already_granted"
        )
    grant = PermissionGrant.objects.create(
        user=user,
        permission=permission,
        application=application,
        granted_by=actor,
        granted_at=clock.now(),
        expires_at=expires_at,
        reason=reason,
    )
    user.user_permissions.add(permission)
    _forget_cached_permissions(user)
    if expires_at is not None:
        deadline_start(rule=GRANT_EXPIRY_RULE, subject=grant, due_at=expires_at)
    audit_record(
        actor=actor,
        action="staff.permission_granted",
        subject=grant,
        after={"user": user.pk, "permission": spec.key, "expires_at": expires_at},
        reason=reason,
    )
    until = notice_until(expires_at)
    notify(
        recipient=user,
        event="staff.permission_granted",
        title=_("Permission granted"),
        body=_("You were granted %(key)s%(until)s. Reason: %(reason)s")
        % {"key": spec.key, "until": until, "reason": reason},
        subject=grant,
    )
    return grant


@transaction.atomic
def permission_grant_change(
    *,
    grant: PermissionGrant,
    expires_at: datetime | None,
    reason: str,
    evidence: str = "",
    actor: User,
    permission: Permission | None = None,
) -> PermissionGrant:
    """STF-3, USR-3: change a grant's end (extend, shorten, make permanent) and, with ``permission``, its
    scope (the permission held), with reason and evidence.

    A new scope passes the checks a grant passes (audience, training, administrator cap) and must not be
    held already. The old permission is taken away at once, like a revocation: the person's sessions and
    API tokens end (STF-3), so no request keeps the old right.
    """
    grant = _lock_grant(grant)
    if not grant.is_active:
        raise Conflict(_("This grant has ended."), code="grant_ended")
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the change."), errors={"reason": [_("Required.")]})
    if expires_at is not None and expires_at <= clock.now():
        raise InvalidInput(_("The end of the grant is in the past."), errors={"expires_at": ["past"]})
    rescoped = permission is not None and permission.pk != grant.permission_id
    before = {"expires_at": grant.expires_at, "permission": _key(grant.permission)}
    ended: dict[str, int] = {}
    if rescoped:
        assert permission is not None
        _rescope(grant=grant, permission=permission)
        ended = user_access_end(user=grant.user)
    grant.expires_at = expires_at
    grant.save(update_fields=["expires_at", "permission"])
    if expires_at is None:
        deadline_cancel(rule=GRANT_EXPIRY_RULE, subject=grant, note="made permanent")
    else:
        deadline_restart(rule=GRANT_EXPIRY_RULE, subject=grant, due_at=expires_at)
    audit_record(
        actor=actor,
        action="staff.permission_grant_changed",
        subject=grant,
        before=before,
        after={
            "expires_at": expires_at,
            "permission": _key(grant.permission),
            "evidence": evidence,
            **ended,
        },
        reason=reason,
    )
    notify(
        recipient=grant.user,
        event="staff.permission_grant_changed",
        title=_("Permission changed"),
        body=_("Your permission %(key)s was changed. Reason: %(reason)s")
        % {"key": _key(grant.permission), "reason": reason},
        subject=grant,
    )
    return grant


def _rescope(*, grant: PermissionGrant, permission: Permission) -> None:
    """STF-3: the (locked) grant now holds ``permission`` instead of its old one, checked as a grant is."""
    spec = _spec_or_refuse(permission)
    _check_audience(user=grant.user, spec=spec)
    _check_training(user=grant.user, spec=spec)
    _check_admin_cap(user=grant.user, spec=spec)
    if PermissionGrant.objects.filter(
        user=grant.user, permission=permission, revoked_at__isnull=True, lapsed_at__isnull=True
    ).exists():
        raise Conflict(
            _("%(user)s already holds %(key)s.") % {"user": grant.user, "key": spec.key},
            code="already_granted",
        )
    grant.user.user_permissions.remove(grant.permission)
    grant.user.user_permissions.add(permission)
    grant.permission = permission
    _forget_cached_permissions(grant.user)


def _grant_end(*, grant: PermissionGrant) -> None:
    grant.user.user_permissions.remove(grant.permission)
    _forget_cached_permissions(grant.user)


@transaction.atomic
def permission_revoke(*, grant: PermissionGrant, reason: str, actor: User | None) -> PermissionGrant:
    """STF-3, USR-3: revoke at once, with a reason; the person's sessions and API tokens end now.

    Ending every session and token makes the person sign in again, so no request still in flight with
    old credentials outlives the revocation.
    """
    grant = _lock_grant(grant)
    if not grant.is_active:
        raise Conflict(_("This grant has already ended."), code="grant_ended")
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the revocation."), errors={"reason": [_("Required.")]})
    grant.revoke(by_id=actor.pk if actor else None, reason=reason, at=clock.now())
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    _grant_end(grant=grant)
    deadline_cancel(rule=GRANT_EXPIRY_RULE, subject=grant, note="revoked")
    ended = user_access_end(user=grant.user)
    audit_record(
        actor=actor,
        action="staff.permission_revoked",
        subject=grant,
        after={"user": grant.user_id, "permission": _key(grant.permission), **ended},
        reason=reason,
    )
    notify(
        recipient=grant.user,
        event="staff.permission_revoked",
        title=_("Permission revoked"),
        body=_("Your permission %(key)s was revoked. Reason: %(reason)s")
        % {"key": _key(grant.permission), "reason": reason},
        subject=grant,
    )
    return grant


@transaction.atomic
def permission_give_up(*, grant: PermissionGrant, actor: User) -> PermissionGrant:
    """USR-3: the holder gives a permission up; it ends at once (their own choice, so sessions stay)."""
    grant = _lock_grant(grant)
    if actor.pk != grant.user_id:
        raise Forbidden(_("Only the holder can give a permission up."), code="not_holder")
    if not grant.is_active:
        raise Conflict(_("This grant has already ended."), code="grant_ended")
    grant.revoke(by_id=actor.pk, reason=_("Given up by the holder."), at=clock.now())
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    _grant_end(grant=grant)
    deadline_cancel(rule=GRANT_EXPIRY_RULE, subject=grant, note="given up")
    audit_record(
        actor=actor,
        action="staff.permission_given_up",
        subject=grant,
        after={"user": grant.user_id, "permission": _key(grant.permission)},
    )
    return grant


@transaction.atomic
def permission_grant_lapse(*, grant: PermissionGrant) -> PermissionGrant:
    """STF-2: a grant with an end lapses automatically at that time (called by the deadline handler)."""
    grant = _lock_grant(grant)
    if not grant.is_active:
        return grant
    grant.lapse(at=clock.now())
    grant.save(update_fields=["lapsed_at"])
    _grant_end(grant=grant)
    audit_record(
        actor=None,
        action="staff.permission_lapsed",
        subject=grant,
        after={"user": grant.user_id, "permission": _key(grant.permission)},
    )
    notify(
        recipient=grant.user,
        event="staff.permission_lapsed",
        title=_("Permission ended"),
        body=_("Your permission %(key)s has reached its end date and lapsed.")
        % {"key": _key(grant.permission)},
        subject=grant,
    )
    return grant
