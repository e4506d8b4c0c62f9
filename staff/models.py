"""Staff chapter: departments, staff profiles, permission applications and grants, offboarding (STF-1 … STF-6).

One application mechanism serves staff (STF-2) and users (USR-2, USR-3): ``PermissionApplication`` is
generic over the applicant, and the permission registry (``platform_core.org.permissions``) says which
audience may apply for which permission. A ``PermissionGrant`` row backs every advanced permission a
person holds directly, so it can expire, be changed and be revoked with a reason.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from platform_core import clock
from platform_core.accounts.crypto import EncryptedTextField
from platform_core.org.departments import DepartmentCode


class Department(models.Model):
    """STF-1: the platform's departments; seeded by a data migration, heads set by staff administration."""

    Code = DepartmentCode  # the kernel's codes: chapters below staff name departments by them

    code = models.CharField(_("code"), max_length=32, choices=Code.choices, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.name} / {self.name_en}"

    @property
    def role(self) -> str:
        """The staff role (group) of this department's members: ``staff_<code>`` (accounts.roles.Role)."""
        return f"staff_{self.code}"


class StaffProfile(models.Model):
    """STF-1: a staff member's place in a department; deactivated on offboarding (STF-5)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="members", verbose_name=_("department")
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(_("joined at"), default=clock.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        permissions = [
            ("platform_administrator", "Platform administrator (capped, STF-4)"),
            ("view_personal_data", "See personal data unmasked (SEC-2)"),
        ]

    def __str__(self) -> str:
        return gettext("%(user)s (%(department)s)") % {"user": self.user, "department": self.department.code}


class PermissionApplication(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """STF-2, USR-2, USR-3: a request for one advanced permission, reviewed within 5 working days.

    Generic over the applicant: staff and customers apply through the same model and services; the
    permission registry decides which audience may apply for which permission. Issue 14 attaches the
    real-identity details of a user application in its own model (one-to-one to this row).
    """

    class Kind(models.TextChoices):
        GRANT = "grant", _("New permission")
        CHANGE = "change", _("Change of a held permission")  # USR-3, STF-3: e.g. a later end date

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="permission_applications",
        verbose_name=_("applicant"),
    )
    permission = models.ForeignKey(
        Permission, on_delete=models.PROTECT, related_name="+", verbose_name=_("permission")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.GRANT)
    target_grant = models.ForeignKey(
        "PermissionGrant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="change_applications",
        verbose_name=_("grant to change"),
    )
    justification = models.TextField(_("justification"))
    material = models.JSONField(_("supporting material"), default=dict, blank=True)
    attachment = models.FileField(_("attachment"), upload_to="staff/applications/%Y/%m/", blank=True)
    requested_expires_at = models.DateTimeField(_("requested until"), null=True, blank=True)
    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED, protected=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=clock.now)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_permission_applications",
        verbose_name=_("reviewer"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalated_permission_applications",
        verbose_name=_("escalated to"),
    )

    class Meta:
        verbose_name = _("permission application")
        verbose_name_plural = _("permission applications")
        ordering = ("submitted_at", "id")
        permissions = [
            ("review_permission_application", "Review permission applications (staff administration)"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "permission"],
                condition=Q(status="submitted"),
                name="staff_one_open_application_per_permission",
            ),
            models.CheckConstraint(
                condition=Q(kind="grant", target_grant__isnull=True)
                | Q(kind="change", target_grant__isnull=False),
                name="staff_change_application_names_its_grant",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Application of %(user)s for %(permission)s") % {
            "user": self.applicant,
            "permission": f"{self.permission.content_type.app_label}.{self.permission.codename}",
        }

    @property
    def permission_key(self) -> str:
        return f"{self.permission.content_type.app_label}.{self.permission.codename}"

    @transition(field=status, source=Status.SUBMITTED, target=Status.APPROVED)
    def approve(self, *, reviewer_id: int, reason: str, at: datetime) -> None:
        self.reviewer_id = reviewer_id
        self.decision_reason = reason
        self.decided_at = at

    @transition(field=status, source=Status.SUBMITTED, target=Status.REJECTED)
    def reject(self, *, reviewer_id: int, reason: str, at: datetime) -> None:
        self.reviewer_id = reviewer_id
        self.decision_reason = reason
        self.decided_at = at

    @transition(field=status, source=Status.SUBMITTED, target=Status.WITHDRAWN)
    def withdraw(self, *, at: datetime) -> None:
        self.decided_at = at

    def escalate(self, *, to_id: int | None, at: datetime) -> None:
        """Overdue: the application stays open and is put before the department head (STF-2)."""
        self.escalated_at = at
        self.escalated_to_id = to_id


class PermissionGrant(models.Model):
    """STF-2, STF-3, USR-3: one person holds one permission directly, from a grant until it lapses or is revoked.

    The permission itself sits in ``user.user_permissions`` (Django checks that); this row says why, by
    whom, until when, and how it ended.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="permission_grants",
        verbose_name=_("user"),
    )
    permission = models.ForeignKey(
        Permission, on_delete=models.PROTECT, related_name="+", verbose_name=_("permission")
    )
    application = models.ForeignKey(
        PermissionApplication,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
        verbose_name=_("application"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=clock.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("revocation reason"), blank=True)
    lapsed_at = models.DateTimeField(_("lapsed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("permission grant")
        verbose_name_plural = _("permission grants")
        ordering = ("-granted_at", "-id")
        permissions = [
            # USR-2: the users' advanced permissions, applied for with real identity (issue 14)
            ("user_jury", "Take part in the public jury (DSP-6)"),
            ("user_change_identity", "Change verified identity details"),
            ("user_delete_own_content", "Delete own content"),
            ("user_privacy_beyond_defaults", "Set privacy options beyond the defaults"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "permission"],
                condition=Q(revoked_at__isnull=True, lapsed_at__isnull=True),
                name="staff_one_active_grant_per_permission",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Grant of %(permission)s to %(user)s") % {
            "user": self.user,
            "permission": f"{self.permission.content_type.app_label}.{self.permission.codename}",
        }

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.lapsed_at is None

    def revoke(self, *, by_id: int | None, reason: str, at: datetime) -> None:
        self.revoked_at, self.revoked_by_id, self.revoke_reason = at, by_id, reason

    def lapse(self, *, at: datetime) -> None:
        self.lapsed_at = at


class SharedCredential(models.Model):
    """STF-5: a password or key several people know (a vendor console, a shared mailbox); rotated when one leaves."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="shared_credentials", verbose_name=_("department")
    )
    holders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="known_credentials", verbose_name=_("holders")
    )
    last_rotated_at = models.DateTimeField(_("last rotated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("shared credential")
        verbose_name_plural = _("shared credentials")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class CredentialRotationTask(models.Model):
    """STF-5: the shared credentials a departing (or moving) person knew, to be rotated by technology."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    reason = models.TextField(_("reason"))
    credentials = models.ManyToManyField(
        SharedCredential, related_name="rotation_tasks", verbose_name=_("credentials")
    )
    assigned_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="rotation_tasks", verbose_name=_("assigned to")
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("completed by"),
    )

    class Meta:
        verbose_name = _("credential rotation task")
        verbose_name_plural = _("credential rotation tasks")
        ordering = ("completed_at", "created_at")

    def __str__(self) -> str:
        return gettext("Rotate the credentials known to %(person)s") % {"person": self.person}


class Announcement(models.Model):
    """STF-6: a platform announcement, published only by holders of ``staff.publish_announcement``."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    published_at = models.DateTimeField(_("published at"), default=clock.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by")
    )

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ("-published_at",)
        permissions = [("publish_announcement", "Publish platform announcements and rules (STF-6)")]

    def __str__(self) -> str:
        return self.title


class IdentityVerification(models.Model):
    """USR-2, SEC-2: the real identity a user gave with an application for an advanced user permission.

    The ID number is validated by its check digit, stored encrypted (``EncryptedTextField``) and shown only
    masked (first 3 and last 4 characters) in lists and the admin; ``verified_at`` is set when a reviewer
    approves the application.
    """

    application = models.OneToOneField(
        PermissionApplication,
        on_delete=models.PROTECT,
        related_name="identity",
        verbose_name=_("application"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="identity_verifications",
        verbose_name=_("user"),
    )
    real_name = models.CharField(_("real name"), max_length=100)
    id_number = EncryptedTextField(_("ID number (encrypted)"))
    id_number_masked = models.CharField(_("ID number (masked)"), max_length=18)
    material = models.JSONField(_("identity material"), default=dict, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("verified by"),
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("identity verification")
        verbose_name_plural = _("identity verifications")
        ordering = ("-id",)

    def __str__(self) -> str:
        return gettext("%(number)s (application #%(application)s)") % {
            "number": self.id_number_masked,
            "application": self.application_id,
        }

    @property
    def id_number_last4(self) -> str:
        return self.id_number_masked[-4:]


class TrainingCourse(models.Model):
    """STF-8: a training course for staff or partner institutions; passed with ``pass_score`` or more."""

    class Audience(models.TextChoices):
        STAFF = "staff", _("Staff")
        PARTNER = "partner", _("Partner institutions")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    description = models.TextField(_("description"), blank=True)
    pass_score = models.PositiveSmallIntegerField(_("pass score"), default=60)

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ("code",)
        constraints = [
            models.CheckConstraint(condition=Q(pass_score__lte=100), name="staff_training_pass_score_max_100")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"


class TrainingSession(models.Model):
    """STF-8: one run of a course, given by a trainer (usually operations staff) at a place and time."""

    course = models.ForeignKey(
        TrainingCourse, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course")
    )
    starts_at = models.DateTimeField(_("starts at"))
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("trainer")
    )
    location = models.CharField(_("location"), max_length=200)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ("-starts_at", "-id")

    def __str__(self) -> str:
        return gettext("%(course)s at %(at)s") % {
            "course": self.course.code,
            "at": f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}",
        }


class TrainingAttendance(models.Model):
    """STF-8: one person's attendance and assessment at a session, an entry of their learning record."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("session")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="training_attendances",
        verbose_name=_("person"),
    )
    attended = models.BooleanField(_("attended"), default=True)
    score = models.PositiveSmallIntegerField(_("assessment score"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), default=False, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendances")
        ordering = ("-recorded_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="staff_one_attendance_per_session"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="staff_training_score_max_100"
            ),
            models.CheckConstraint(
                condition=Q(passed=False) | Q(attended=True, score__isnull=False),
                name="staff_training_passed_needs_attendance_and_score",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(person)s at %(session)s") % {"person": self.person, "session": self.session}

    def assess(self, *, pass_score: int) -> None:
        """Passed: attended and scored at least the course's pass score."""
        self.passed = bool(self.attended and self.score is not None and self.score >= pass_score)


class StaffMisconduct(models.Model):
    """STF-9: misconduct of a staff member (违规行为), recorded with evidence by the head of their
    department or by compliance; the permissions involved are revoked at once when it is recorded.
    """

    class Kind(models.TextChoices):
        ABUSE_OF_AUTHORITY = "abuse_of_authority", _("Abuse of authority")
        LEAK_OF_SECRETS = "leak_of_secrets", _("Leaking business secrets")
        FALSE_PUBLICITY = "false_publicity", _("False publicity")
        OTHER = "other", _("Other misconduct")

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="misconduct_records",
        verbose_name=_("staff member"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    description = models.TextField(_("description"))
    evidence = models.FileField(_("evidence"), upload_to="staff/misconduct/%Y/%m/")
    permissions = models.ManyToManyField(
        Permission, blank=True, related_name="+", verbose_name=_("permissions involved")
    )
    revoked = models.JSONField(_("permissions revoked"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        verbose_name = _("staff misconduct")
        verbose_name_plural = _("staff misconduct")
        ordering = ("-recorded_at", "-id")

    def __str__(self) -> str:
        return gettext("%(staff)s: %(kind)s (%(date)s)") % {
            "staff": self.staff,
            "kind": self.get_kind_display(),
            "date": f"{timezone.localtime(self.recorded_at):%Y-%m-%d}",
        }


class StaffRewardSanction(models.Model):
    """STF-9: a reward or sanction (奖惩) decided from a month's performance results (STF-7).

    ``figures`` keeps the person's STF-7 figures of that month as they were when the decision was recorded.
    """

    class Kind(models.TextChoices):
        REWARD = "reward", _("Reward")
        SANCTION = "sanction", _("Sanction")

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rewards_and_sanctions",
        verbose_name=_("staff member"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    period = models.DateField(_("month"), help_text=_("The first day of the month the results are from."))
    decision = models.TextField(_("decision"))
    figures = models.JSONField(_("the month's results"), default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        verbose_name = _("reward or sanction")
        verbose_name_plural = _("rewards and sanctions")
        ordering = ("-period", "-recorded_at", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(period__day=1), name="staff_reward_sanction_period_is_month")
        ]

    def __str__(self) -> str:
        return gettext("%(staff)s: %(kind)s %(period)s") % {
            "staff": self.staff,
            "kind": self.get_kind_display(),
            "period": f"{self.period:%Y-%m}",
        }
