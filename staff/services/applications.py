"""Writes of the staff chapter: permission applications and grants, revocation, offboarding, announcements.

The application mechanism is one for staff (STF-2) and users (USR-2, USR-3): the registry's audience
decides who may apply for what; reviewing, granting, expiry, revocation and notification are shared.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from platform_core.accounts.masking import mask_id_number
from platform_core.accounts.models import User
from platform_core.accounts.roles import STAFF_ROLES
from platform_core.accounts.services import notice_until, user_access_end
from platform_core.accounts.validators import normalise_resident_id, validate_resident_id
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_cancel, deadline_meet, deadline_restart, deadline_start
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.locking import lock
from platform_core.notifications.services import notify
from platform_core.org.permissions import Audience, PermissionSpec, permission_spec_for, training_passed
from platform_core.uploads import upload_sniff
from staff.models import (
    Announcement,
    CredentialRotationTask,
    Department,
    IdentityVerification,
    PermissionApplication,
    PermissionGrant,
    SharedCredential,
    StaffProfile,
    TrainingAttendance,
    TrainingCourse,
    TrainingSession,
)
from staff.selectors import (
    GRANT_EXPIRY_RULE,
    REVIEW_RULE,
    administrator_list,
    staff_admin_cap,
    user_is_reviewer,
)

PUBLISH_PERMISSION = "staff.publish_announcement"
# Key of the PostgreSQL advisory lock that serialises administrator-cap checks ("staffcap" in ASCII).
ADMIN_CAP_LOCK_KEY = int.from_bytes(b"staffcap", "big")


# --- helpers --------------------------------------------------------------------------------------------


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


# --- real identity (USR-2, SEC-2) ------------------------------------------------------------------------


def _identity_clean(*, real_name: str, id_number: str) -> tuple[str, str]:
    """USR-2: a real name and a valid 18-digit resident ID (check digit, birth date); field errors otherwise."""
    errors: dict[str, list[str]] = {}
    real_name = (real_name or "").strip()
    number = normalise_resident_id(id_number)
    if not real_name:
        errors["real_name"] = [_("Give your real name as on your ID card.")]
    if not number:
        errors["id_number"] = [_("Give your 18-digit resident ID number.")]
    else:
        try:
            validate_resident_id(number)
        except ValidationError as exc:
            errors["id_number"] = [str(message) for message in exc.messages]
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, code="invalid_identity", errors=errors)
    return real_name, number


def _identity_attach(
    *, application: PermissionApplication, real_name: str, id_number: str, material: dict[str, Any] | None
) -> IdentityVerification:
    return IdentityVerification.objects.create(
        application=application,
        user=application.applicant,
        real_name=real_name,
        id_number=id_number,
        id_number_masked=mask_id_number(id_number),
        material=material or {},
    )


# --- profiles ---------------------------------------------------------------------------------------------


@transaction.atomic
def staff_profile_create(
    *, user: User, department: Department, title: str = "", actor: User | None
) -> StaffProfile:
    """STF-1: put a person on the staff of a department (and in its role group)."""
    if StaffProfile.objects.filter(user=user).exists():
        raise Conflict(_("%(user)s already has a staff profile.") % {"user": user}, code="profile_exists")
    profile = StaffProfile.objects.create(user=user, department=department, title=title)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=department.role))
    audit_record(
        actor=actor, action="staff.profile_created", subject=profile, after={"department": department.code}
    )
    return profile


@transaction.atomic
def department_head_set(*, department: Department, head: User | None, actor: User | None) -> Department:
    """STF-1, STF-2: appoint the head to whom overdue applications escalate."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    before = {"head": department.head_id}
    department.head = head
    department.save(update_fields=["head"])
    audit_record(
        actor=actor,
        action="staff.department_head_set",
        subject=department,
        before=before,
        after={"head": head.pk if head else None},
    )
    return department


# --- applications (STF-2, USR-2, USR-3) ------------------------------------------------------------------


@transaction.atomic
def permission_application_submit(
    *,
    applicant: User,
    permission: Permission,
    justification: str,
    material: dict[str, Any] | None = None,
    attachment: UploadedFile | None = None,
    requested_expires_at: datetime | None = None,
    change_of: PermissionGrant | None = None,
    real_name: str = "",
    id_number: str = "",
    identity_material: dict[str, Any] | None = None,
    actor: User,
) -> PermissionApplication:
    """STF-2, USR-2, USR-3, SEC-2: apply for one advanced permission with a justification and material.

    With ``change_of`` (one of the applicant's active grants), it asks to change that grant instead
    (STF-3, USR-3: e.g. a later or no end date, ``requested_expires_at``); approval changes the grant.
    Refused when the permission is basic, is not for the applicant's audience (staff/user), is already
    held (for a new grant), or already has an open application. Starts the 5-working-day review clock.
    A user's application for a user permission carries their real identity (USR-2: ``real_name`` and an
    18-digit resident ``id_number`` valid by its check digit; required for a new grant), stored encrypted.
    """
    if change_of is not None and (
        change_of.user_id != applicant.pk
        or change_of.permission_id != permission.pk
        or not change_of.is_active
    ):
        raise InvalidInput(
            _("You can ask to change only an active grant of your own."), code="not_your_grant"
        )
    if actor.pk != applicant.pk:
        raise Forbidden(_("People apply for permissions themselves."), code="not_applicant")
    spec = _spec_or_refuse(permission)
    if not spec.is_advanced:
        raise InvalidInput(
            _("%(key)s is a basic permission; it is not applied for.") % {"key": spec.key},
            code="basic_permission",
        )
    _check_audience(user=applicant, spec=spec)
    identity: tuple[str, str] | None = None
    if spec.audience == Audience.USER and (change_of is None or real_name or id_number):
        identity = _identity_clean(real_name=real_name, id_number=id_number)
    if not justification.strip():
        raise InvalidInput(_("Give a justification."), errors={"justification": [_("Give a justification.")]})
    if requested_expires_at is not None and requested_expires_at <= timezone.now():
        raise InvalidInput(
            _("The requested end date is in the past."), errors={"requested_expires_at": ["past"]}
        )
    if change_of is None and applicant.has_perm(spec.key):
        raise Conflict(_("You already hold %(key)s.") % {"key": spec.key}, code="already_held")
    if PermissionApplication.objects.filter(
        applicant=applicant, permission=permission, status=PermissionApplication.Status.SUBMITTED
    ).exists():
        raise Conflict(
            _("You already have an open application for %(key)s.") % {"key": spec.key}, code="already_applied"
        )
    application = PermissionApplication(
        applicant=applicant,
        permission=permission,
        justification=justification,
        material=material or {},
        requested_expires_at=requested_expires_at,
        submitted_at=timezone.now(),
        kind=PermissionApplication.Kind.CHANGE if change_of is not None else PermissionApplication.Kind.GRANT,
        target_grant=change_of,
    )
    if attachment is not None:
        _check_attachment(attachment)
        application.attachment = attachment
    application.save()
    if identity is not None:
        _identity_attach(
            application=application, real_name=identity[0], id_number=identity[1], material=identity_material
        )
    deadline_start(
        rule=REVIEW_RULE,
        subject=application,
        working_days=settings.STAFF_PERMISSION_REVIEW_WORKING_DAYS,
    )
    audit_record(
        actor=actor,
        action="staff.permission_application_submitted",
        subject=application,
        after=_application_view(application),
    )
    notify(
        recipient=applicant,
        event="staff.permission_application_submitted",
        title=_("Application received"),
        body=_("Your application for %(key)s was received; it is reviewed within %(days)s working days.")
        % {"key": spec.key, "days": settings.STAFF_PERMISSION_REVIEW_WORKING_DAYS},
        subject=application,
    )
    return application


@transaction.atomic
def permission_application_approve(
    *, application: PermissionApplication, reason: str, actor: User, expires_at: datetime | None = None
) -> PermissionGrant:
    """STF-2, USR-2: a reviewer (not the applicant) approves; the permission is granted at once.

    ``expires_at`` defaults to the applicant's requested end. Audience, training (STF-8) and the
    administrator cap (STF-4) are checked by the grant.
    """
    application = _lock_application(application)
    _check_reviewer(application=application, actor=actor)
    now = timezone.now()
    application.approve(reviewer_id=actor.pk, reason=reason, at=now)
    application.save()
    if application.kind == PermissionApplication.Kind.CHANGE:
        assert application.target_grant is not None  # a check constraint
        grant = permission_grant_change(
            grant=application.target_grant,
            expires_at=expires_at or application.requested_expires_at,
            reason=reason or application.justification,
            evidence=application.justification,
            actor=actor,
        )
    else:
        grant = permission_grant(
            user=application.applicant,
            permission=application.permission,
            reason=reason or application.justification,
            expires_at=expires_at or application.requested_expires_at,
            application=application,
            actor=actor,
        )
    IdentityVerification.objects.filter(application=application, verified_at__isnull=True).update(
        verified_at=now, verified_by=actor
    )
    deadline_meet(rule=REVIEW_RULE, subject=application)
    audit_record(
        actor=actor,
        action="staff.permission_application_approved",
        subject=application,
        after=_application_view(application),
        reason=reason,
    )
    return grant


@transaction.atomic
def permission_application_reject(
    *, application: PermissionApplication, reason: str, actor: User
) -> PermissionApplication:
    """STF-2, USR-2: a reviewer (not the applicant) rejects, with the reason the applicant is told."""
    application = _lock_application(application)
    _check_reviewer(application=application, actor=actor)
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the rejection."), errors={"reason": [_("Required.")]})
    application.reject(reviewer_id=actor.pk, reason=reason, at=timezone.now())
    application.save()
    deadline_meet(rule=REVIEW_RULE, subject=application)
    audit_record(
        actor=actor,
        action="staff.permission_application_rejected",
        subject=application,
        after=_application_view(application),
        reason=reason,
    )
    notify(
        recipient=application.applicant,
        event="staff.permission_application_rejected",
        title=_("Application rejected"),
        body=_("Your application for %(key)s was rejected. Reason: %(reason)s")
        % {"key": application.permission_key, "reason": reason},
        subject=application,
    )
    return application


@transaction.atomic
def permission_application_withdraw(
    *, application: PermissionApplication, actor: User
) -> PermissionApplication:
    """USR-3, STF-2: the applicant withdraws an open application; the review clock stops."""
    application = _lock_application(application)
    if actor.pk != application.applicant_id:
        raise Forbidden(_("Only the applicant can withdraw an application."), code="not_applicant")
    application.withdraw(at=timezone.now())
    application.save()
    deadline_cancel(rule=REVIEW_RULE, subject=application, note="withdrawn")
    audit_record(actor=actor, action="staff.permission_application_withdrawn", subject=application)
    return application


def _escalation_recipients(application: PermissionApplication) -> tuple[User | None, list[User]]:
    """The applicant's department head (staff); otherwise the configured staff group (users, or no head)."""
    applicant = application.applicant
    profile = (
        StaffProfile.objects.select_related("department__head").filter(user=applicant, is_active=True).first()
    )
    if (
        profile is not None
        and profile.department.head is not None
        and profile.department.head_id != applicant.pk
    ):
        head = profile.department.head
        if head.is_active:
            return head, [head]
    group = settings.STAFF_USER_APPLICATION_ESCALATION_GROUP
    members = list(
        User.objects.filter(groups__name=group, is_active=True).exclude(pk=applicant.pk).order_by("pk")
    )
    return None, members


@transaction.atomic
def permission_application_escalate(*, application: PermissionApplication) -> PermissionApplication:
    """STF-2, USR-2: 5 working days passed without a decision; put it before the department head.

    Called by the deadline handler (the system actor). The application stays open; the head may decide it.
    """
    application = _lock_application(application)
    if application.status != PermissionApplication.Status.SUBMITTED or application.escalated_at is not None:
        return application
    head, recipients = _escalation_recipients(application)
    application.escalate(to_id=head.pk if head else None, at=timezone.now())
    application.save(update_fields=["escalated_at", "escalated_to"])
    audit_record(
        actor=None,
        action="staff.permission_application_escalated",
        subject=application,
        after={"escalated_to": head.pk if head else None, "notified": [u.pk for u in recipients]},
    )
    for recipient in recipients:
        notify(
            recipient=recipient,
            event="staff.permission_application_escalated",
            title=_("Overdue permission application"),
            body=_("The application of %(applicant)s for %(key)s was not reviewed within the deadline.")
            % {"applicant": application.applicant, "key": application.permission_key},
            subject=application,
        )
    return application


# --- grants (STF-2, STF-3, STF-4, USR-3) ------------------------------------------------------------------


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
    if expires_at is not None and expires_at <= timezone.now():
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
        granted_at=timezone.now(),
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
    *, grant: PermissionGrant, expires_at: datetime | None, reason: str, evidence: str = "", actor: User
) -> PermissionGrant:
    """STF-3, USR-3: change a grant's end (extend, shorten, make permanent) with reason and evidence."""
    grant = _lock_grant(grant)
    if not grant.is_active:
        raise Conflict(_("This grant has ended."), code="grant_ended")
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the change."), errors={"reason": [_("Required.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput(_("The end of the grant is in the past."), errors={"expires_at": ["past"]})
    before = {"expires_at": grant.expires_at}
    grant.expires_at = expires_at
    grant.save(update_fields=["expires_at"])
    if expires_at is None:
        deadline_cancel(rule=GRANT_EXPIRY_RULE, subject=grant, note="made permanent")
    else:
        deadline_restart(rule=GRANT_EXPIRY_RULE, subject=grant, due_at=expires_at)
    audit_record(
        actor=actor,
        action="staff.permission_grant_changed",
        subject=grant,
        before=before,
        after={"expires_at": expires_at, "evidence": evidence},
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
    grant.revoke(by_id=actor.pk if actor else None, reason=reason, at=timezone.now())
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
    grant.revoke(by_id=actor.pk, reason=_("Given up by the holder."), at=timezone.now())
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
    grant.lapse(at=timezone.now())
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


# --- offboarding and department change (STF-5) --------------------------------------------------------


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
    now = timezone.now()
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
    task = CredentialRotationTask.objects.select_for_update().get(pk=task.pk)
    if task.completed_at is not None:
        raise Conflict(_("This task is already completed."), code="task_completed")
    now = timezone.now()
    task.completed_at, task.completed_by = now, actor
    task.save(update_fields=["completed_at", "completed_by"])
    task.credentials.update(last_rotated_at=now)
    audit_record(actor=actor, action="staff.credential_rotation_completed", subject=task)
    return task


# --- announcements (STF-6) --------------------------------------------------------------------------------


@transaction.atomic
def announcement_publish(*, title: str, body: str, actor: User) -> Announcement:
    """STF-6: only holders of the publishing permission publish announcements."""
    if not (actor.is_active and actor.has_perm(PUBLISH_PERMISSION)):
        raise Forbidden(_("You may not publish announcements."), code="not_a_publisher")
    if not title.strip() or not body.strip():
        raise InvalidInput(_("An announcement needs a title and a body."))
    announcement = Announcement.objects.create(
        title=title, body=body, published_by=actor, published_at=timezone.now()
    )
    audit_record(
        actor=actor, action="staff.announcement_published", subject=announcement, after={"title": title}
    )
    return announcement


# --- account deletion (USR-4): registered on account_anonymisers in staff/hooks.py ---------------------------


@transaction.atomic
def staff_anonymise_user(*, user: User, actor: User | None) -> dict[str, int]:
    """USR-4, SEC-2: a user deletes their account: their open applications are withdrawn, their grants
    given up, and the real identity they gave (name, encrypted ID number, material) is erased. The
    applications and grants stay as records without personal data.
    """
    holder = actor if actor is not None and actor.pk == user.pk else user
    withdrawn = 0
    for application in PermissionApplication.objects.filter(
        applicant=user, status=PermissionApplication.Status.SUBMITTED
    ).order_by("pk"):
        permission_application_withdraw(application=application, actor=holder)
        withdrawn += 1
    ended = 0
    for grant in PermissionGrant.objects.filter(
        user=user, revoked_at__isnull=True, lapsed_at__isnull=True
    ).order_by("pk"):
        permission_give_up(grant=grant, actor=holder)
        ended += 1
    erased = IdentityVerification.objects.filter(user=user, anonymised_at__isnull=True).update(
        real_name="", id_number="", id_number_masked="", material={}, anonymised_at=timezone.now()
    )
    PermissionApplication.objects.filter(applicant=user).update(material={})
    return {"applications_withdrawn": withdrawn, "grants_ended": ended, "identities_erased": erased}


# --- training (STF-8) --------------------------------------------------------------------------------------


@transaction.atomic
def training_session_schedule(
    *, course: TrainingCourse, starts_at: datetime, trainer: User, location: str, actor: User | None
) -> TrainingSession:
    """STF-8: operations staff schedule a session of a course."""
    if not location.strip():
        raise InvalidInput(_("Give the location."), errors={"location": [_("Required.")]})
    session = TrainingSession.objects.create(
        course=course, starts_at=starts_at, trainer=trainer, location=location
    )
    audit_record(
        actor=actor,
        action="staff.training_session_scheduled",
        subject=session,
        after={"course": course.code, "trainer": trainer.pk, "starts_at": starts_at},
    )
    return session


@transaction.atomic
def training_attendance_record(
    *, session: TrainingSession, person: User, attended: bool, score: int | None, actor: User
) -> TrainingAttendance:
    """STF-8: record (or correct) one person's attendance and assessment score; ``passed`` follows from the
    course's pass score. The entry becomes part of the person's learning record (学习档案).
    """
    if score is not None and not 0 <= score <= 100:
        raise InvalidInput(_("A score is between 0 and 100."), errors={"score": [_("Between 0 and 100.")]})
    if not attended and score is not None:
        raise InvalidInput(
            _("Someone who did not attend has no score."), errors={"score": [_("Leave empty if absent.")]}
        )
    session = TrainingSession.objects.select_related("course").get(pk=session.pk)
    attendance = TrainingAttendance.objects.select_for_update().filter(session=session, person=person).first()
    before = (
        {"attended": attendance.attended, "score": attendance.score, "passed": attendance.passed}
        if attendance
        else None
    )
    if attendance is None:
        attendance = TrainingAttendance(session=session, person=person)
    attendance.attended, attendance.score = attended, score
    attendance.recorded_by, attendance.recorded_at = actor, timezone.now()
    attendance.assess(pass_score=session.course.pass_score)
    attendance.save()
    audit_record(
        actor=actor,
        action="staff.training_attendance_recorded",
        subject=attendance,
        before=before,
        after={
            "person": person.pk,
            "course": session.course.code,
            "attended": attended,
            "score": score,
            "passed": attendance.passed,
        },
    )
    return attendance
