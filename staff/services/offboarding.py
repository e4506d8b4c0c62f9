"""Offboarding and department change (STF-5): access revoked the same day, shared credentials rotated."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.roles import STAFF_ROLES
from platform_core.accounts.services import user_access_end
from platform_core.audit.services import audit_record
from platform_core.errors import Conflict, InvalidInput
from platform_core.locking import lock
from platform_core.notifications.services import notify
from platform_core.org.permissions import permission_spec_for
from staff.models import CredentialRotationTask, Department, PermissionGrant, SharedCredential, StaffProfile
from staff.services._common import _forget_cached_permissions, _key
from staff.services.grants import permission_revoke
from staff.services.profiles import department_head_set


def _revoke_advanced(*, user: User, reason: str, actor: User | None) -> list[str]:
    """Revoke every active grant of an advanced permission, and any advanced permission held without one."""
    revoked: list[str] = []
    for grant in PermissionGrant.objects.filter(
        user=user, revoked_at__isnull=True, lapsed_at__isnull=True
    ).select_related("permission__content_type"):
        spec = permission_spec_for(grant.permission)
        if spec is None or spec.is_advanced:
            permission_revoke(grant=grant, reason=reason, actor=actor)
            revoked.append(_key(grant.permission))
    for permission in user.user_permissions.select_related("content_type"):
        spec = permission_spec_for(permission)
        if spec is None or spec.is_advanced:
            user.user_permissions.remove(permission)
            revoked.append(_key(permission))
    _forget_cached_permissions(user)
    return revoked


def _rotation_task_open(
    *, user: User, reason: str, credentials: list[SharedCredential]
) -> CredentialRotationTask | None:
    if not credentials:
        return None
    technology = Department.objects.get(code=Department.Code.TECHNOLOGY)
    task = CredentialRotationTask.objects.create(person=user, reason=reason, assigned_department=technology)
    task.credentials.set(credentials)
    audit_record(
        actor=None,
        action="staff.credential_rotation_opened",
        subject=task,
        after={"person": user.pk, "credentials": [c.name for c in credentials]},
        reason=reason,
    )
    if technology.head is not None:
        notify(
            recipient=technology.head,
            event="staff.credential_rotation_opened",
            title=_("Rotate shared credentials"),
            body=_("%(user)s no longer needs these credentials; rotate them: %(names)s")
            % {"user": user, "names": ", ".join(c.name for c in credentials)},
            subject=task,
        )
    return task


@transaction.atomic
def staff_offboard(*, user: User, reason: str, actor: User | None) -> CredentialRotationTask | None:
    """STF-5: a staff member leaves: all advanced grants revoked now, profile and staff roles removed,
    sessions and tokens ended, and a rotation task opened for every shared credential they knew.
    """
    if not reason.strip():
        raise InvalidInput(_("Give the reason."), errors={"reason": [_("Required.")]})
    profile = StaffProfile.objects.select_for_update().filter(user=user).first()
    revoked = _revoke_advanced(user=user, reason=reason, actor=actor)
    now = clock.now()
    if profile is not None:
        profile.is_active = False
        profile.left_at = now
        profile.save(update_fields=["is_active", "left_at"])
    user.groups.remove(*Group.objects.filter(name__in=[str(r) for r in STAFF_ROLES]))
    headed = list(Department.objects.filter(head=user))
    for department in headed:  # escalations must not go to someone who left (STF-2)
        department_head_set(department=department, head=None, actor=actor)
    user.is_staff = False
    user.save(update_fields=["is_staff"])
    _forget_cached_permissions(user)
    ended = user_access_end(user=user)
    credentials = list(SharedCredential.objects.filter(holders=user))
    task = _rotation_task_open(user=user, reason=reason, credentials=credentials)
    for credential in credentials:
        credential.holders.remove(user)
    audit_record(
        actor=actor,
        action="staff.member_offboarded",
        subject=profile or user,
        after={"revoked": revoked, **ended, "rotation_task": task.pk if task else None},
        reason=reason,
    )
    return task


@transaction.atomic
def staff_change_department(
    *, user: User, department: Department, reason: str, actor: User | None
) -> CredentialRotationTask | None:
    """STF-5: moving to another department revokes the old access the same day (advanced grants, the old
    department's role, sessions and tokens) and rotates the old department's shared credentials they knew.
    """
    if not reason.strip():
        raise InvalidInput(_("Give the reason."), errors={"reason": [_("Required.")]})
    profile = (
        StaffProfile.objects.select_for_update()
        .select_related("department")
        .filter(user=user, is_active=True)
        .first()
    )
    if profile is None:
        raise Conflict(_("%(user)s has no active staff profile.") % {"user": user}, code="no_profile")
    old = profile.department
    if old.pk == department.pk:
        raise Conflict(
            _("%(user)s is already in %(department)s.") % {"user": user, "department": department},
            code="same_department",
        )
    revoked = _revoke_advanced(user=user, reason=reason, actor=actor)
    profile.department = department
    profile.save(update_fields=["department"])
    user.groups.remove(*Group.objects.filter(name=old.role))
    user.groups.add(Group.objects.get(name=department.role))
    _forget_cached_permissions(user)
    ended = user_access_end(user=user)
    credentials = list(SharedCredential.objects.filter(holders=user, department=old))
    task = _rotation_task_open(user=user, reason=reason, credentials=credentials)
    for credential in credentials:
        credential.holders.remove(user)
    audit_record(
        actor=actor,
        action="staff.member_department_changed",
        subject=profile,
        before={"department": old.code},
        after={
            "department": department.code,
            "revoked": revoked,
            **ended,
            "rotation_task": task.pk if task else None,
        },
        reason=reason,
    )
    return task


@transaction.atomic
def credential_rotation_task_complete(*, task: CredentialRotationTask, actor: User) -> CredentialRotationTask:
    """STF-5: technology confirms every listed credential was rotated."""
    task = lock(CredentialRotationTask, task.pk)
    if task.completed_at is not None:
        raise Conflict(_("This task is already completed."), code="task_completed")
    now = clock.now()
    task.completed_at, task.completed_by = now, actor
    task.save(update_fields=["completed_at", "completed_by"])
    task.credentials.update(last_rotated_at=now)
    audit_record(actor=actor, action="staff.credential_rotation_completed", subject=task)
    return task
