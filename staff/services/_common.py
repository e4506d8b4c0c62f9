"""Helpers shared by the staff services: permission lookup, the registry's checks, locks, attachments.

The application mechanism is one for staff (STF-2) and users (USR-2, USR-3): the registry's audience
decides who may apply for what; reviewing, granting, expiry, revocation and notification are shared.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.utils.translation import gettext as _

from platform_core.accounts.models import User
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.locking import lock
from platform_core.org.permissions import PermissionSpec, permission_spec_for, training_passed
from platform_core.uploads import upload_sniff
from staff.models import PermissionApplication, PermissionGrant
from staff.selectors import administrator_list, staff_admin_cap, user_is_reviewer

# Key of the PostgreSQL advisory lock that serialises administrator-cap checks ("staffcap" in ASCII).
ADMIN_CAP_LOCK_KEY = int.from_bytes(b"staffcap", "big")


def _key(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def _forget_cached_permissions(user: User) -> None:
    """Django caches permissions on the user instance; a grant or revocation must be seen at once."""
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)


def permission_resolve(key: str) -> Permission:
    """``"<app_label>.<codename>"`` → Permission; InvalidInput for an unknown one."""
    app_label, _dot, codename = key.partition(".")
    permission = (
        Permission.objects.select_related("content_type")
        .filter(content_type__app_label=app_label, codename=codename)
        .first()
    )
    if permission is None:
        raise InvalidInput(_("Unknown permission %(key)s.") % {"key": key}, errors={"permission": [key]})
    return permission


def _spec_or_refuse(permission: Permission) -> PermissionSpec:
    spec = permission_spec_for(permission)
    if spec is None:  # the registry test keeps this from happening; refuse rather than guess
        raise InvalidInput(
            _("Permission %(key)s is not classified.") % {"key": _key(permission)},
            code="unclassified_permission",
        )
    return spec


def _check_audience(*, user: User, spec: PermissionSpec) -> None:
    """STF-1, USR-2: staff hold staff permissions, users hold user permissions."""
    if not spec.open_to(is_staff=user.is_staff):
        if user.is_staff:
            message = _("%(key)s is a permission for users, not for staff.") % {"key": spec.key}
        else:
            message = _("%(key)s is a permission for staff, not for users.") % {"key": spec.key}
        raise Forbidden(message, code="wrong_audience")


def _check_training(*, user: User, spec: PermissionSpec) -> None:
    """STF-8: a permission that requires a training is granted only to people who passed it."""
    if not spec.requires_training:
        return
    passed = training_passed(user, spec.requires_training)
    if passed is None:
        raise Conflict(
            _(
                "%(key)s requires the training %(training)s, and training records cannot be checked yet: "
                "it cannot be granted."
            )
            % {"key": spec.key, "training": spec.requires_training},
            code="training_required",
        )
    if not passed:
        raise Conflict(
            _("%(key)s requires the training %(training)s, which %(user)s has not passed.")
            % {"key": spec.key, "training": spec.requires_training, "user": user},
            code="training_required",
        )


def _check_admin_cap(*, user: User, spec: PermissionSpec) -> None:
    """STF-4: at most ``STAFF_ADMIN_CAP`` people hold administrator rights; the check is serialised."""
    if not spec.is_admin_right:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADMIN_CAP_LOCK_KEY])
    holders = administrator_list()
    if holders.filter(pk=user.pk).exists():
        return
    cap = staff_admin_cap()
    if holders.count() >= cap:
        raise Conflict(
            _(
                "The platform already has %(count)d administrators, the cap is %(cap)d (STF-4): revoke an "
                "administrator right before granting %(key)s to another person."
            )
            % {"count": holders.count(), "cap": cap, "key": spec.key},
            code="admin_cap_reached",
        )


def _lock_application(application: PermissionApplication) -> PermissionApplication:
    return lock(
        PermissionApplication.objects.select_related("permission__content_type", "applicant"), application.pk
    )


def _lock_grant(grant: PermissionGrant) -> PermissionGrant:
    return lock(PermissionGrant.objects.select_related("permission__content_type", "user"), grant.pk)


def _check_attachment(attachment: UploadedFile) -> None:
    """SEC-4: PDF, PNG or JPEG by content, at most ``STAFF_ATTACHMENT_MAX_BYTES`` (default 10 MB)."""
    upload_sniff(attachment, max_bytes=settings.STAFF_ATTACHMENT_MAX_BYTES, field="attachment")


def _check_reviewer(*, application: PermissionApplication, actor: User) -> None:
    """STF-2: a holder of the staff-administration permission (or the head it escalated to), not the applicant."""
    if actor.pk == application.applicant_id:
        raise Forbidden(_("You cannot review your own permission application."), code="own_application")
    if not (user_is_reviewer(actor) or (actor.is_active and actor.pk == application.escalated_to_id)):
        raise Forbidden(_("You may not review permission applications."), code="not_a_reviewer")


def _application_view(application: PermissionApplication) -> dict[str, Any]:
    return {
        "applicant": application.applicant_id,
        "permission": application.permission_key,
        "status": application.status,
    }
