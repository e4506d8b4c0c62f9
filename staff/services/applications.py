"""Permission applications (STF-2, USR-2, USR-3): submit, approve, reject, withdraw, escalate."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_cancel, deadline_meet, deadline_start
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.notifications.services import notify
from platform_core.org.permissions import Audience
from staff.clocks import REVIEW_RULE
from staff.models import IdentityVerification, PermissionApplication, PermissionGrant, StaffProfile
from staff.services._common import (
    _application_view,
    _check_attachment,
    _check_audience,
    _check_reviewer,
    _lock_application,
    _spec_or_refuse,
)
from staff.services.grants import permission_grant, permission_grant_change
from staff.services.identity import _identity_attach, _identity_clean


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
    if requested_expires_at is not None and requested_expires_at <= clock.now():
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
        submitted_at=clock.now(),
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
    now = clock.now()
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
    application.reject(reviewer_id=actor.pk, reason=reason, at=clock.now())
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
    application.withdraw(at=clock.now())
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
    application.escalate(to_id=head.pk if head else None, at=clock.now())
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
