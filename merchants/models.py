"""The merchant: who sells, in what standing (MER-8); how it got there (MER-1..3), what it agreed to
(MER-4), what it must keep valid (MER-6, MER-6a, MER-7) and what it did wrong (VIO-1).

Transitions change only the row itself; services lock, transition, save, audit, schedule and notify.
"""

import uuid
from datetime import date
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from merchants.validators import validate_credit_code


class Merchant(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        RESTRICTED = "restricted", _("Restricted")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")
        BANNED = "banned", _("Banned")

    class Cause(models.TextChoices):
        """Why a merchant is restricted or suspended; a restriction lifts when its last cause is gone."""

        STAFF = "staff", _("Staff decision")
        AGREEMENT = "agreement", _("Platform agreement not accepted")
        DEPOSIT = "deposit", _("Deposit below the required amount")
        REVERIFICATION = "reverification", _("Re-verification overdue")
        VIOLATION = "violation", _("Violation penalty")
        TRADING_RESTRICTION = "trading_restriction", _("Trading restriction (no new orders)")
        APPLICATION = "application", _("Application approved")
        CLOSURE = "closure", _("Closure")

    name = models.CharField(_("shop name"), max_length=100)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        db_index=True,
        help_text=_(
            "Not unique: earlier accounts with the same code are the applicant's prior record (MER-3)."
        ),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_merchants"
    )
    is_self_operated = models.BooleanField(_("self-operated (自营)"), default=False)
    status = FSMField(choices=Status.choices, default=Status.ONBOARDING, protected=True)
    status_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    # MER-1: registered information (changes go through MerchantChange, MER-6a)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    registered_address = models.CharField(_("registered address"), max_length=300, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    categories = models.ManyToManyField("catalog.Category", related_name="merchants", blank=True)
    # MER-8: the causes currently in force; each cause is lifted separately
    restriction_causes = models.JSONField(default=list, blank=True)
    suspension_causes = models.JSONField(default=list, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # REP-3: the latest credit score and grade, copied from the newest MerchantCreditSnapshot so that
    # ranking (CAT-8) and inspection sampling (CAT-6) can use them in one query; null until computed.
    credit_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    credit_grade = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_trading(self) -> bool:
        """May take new orders: active or merely listing-restricted (MER-8)."""
        return self.status in {self.Status.ACTIVE, self.Status.RESTRICTED}

    @property
    def may_take_orders(self) -> bool:
        """MER-4, MER-8: trading, and not held back by an unaccepted agreement (which blocks new orders
        as well as new listings); orders' checkout should ask this rather than ``is_trading``."""
        return self.is_trading and not (
            {self.Cause.AGREEMENT, self.Cause.TRADING_RESTRICTION} & set(self.restriction_causes)
        )

    # --- MER-8 transitions -------------------------------------------------------------------------

    @transition(field=status, source=Status.ONBOARDING, target=Status.ACTIVE)
    def activate(self) -> None:
        self.activated_at = timezone.now()

    @transition(field=status, source=Status.ACTIVE, target=Status.RESTRICTED)
    def restrict(self) -> None:
        pass

    @transition(field=status, source=Status.RESTRICTED, target=Status.ACTIVE)
    def unrestrict(self) -> None:
        pass

    @transition(field=status, source=[Status.ACTIVE, Status.RESTRICTED], target=Status.SUSPENDED)
    def suspend(self) -> None:
        pass

    @transition(
        field=status,
        source=Status.SUSPENDED,
        target=RETURN_VALUE(Status.ACTIVE, Status.RESTRICTED),
    )
    def reinstate(self) -> str:
        # Restrictions still in force survive the suspension being lifted.
        return self.Status.RESTRICTED if self.restriction_causes else self.Status.ACTIVE

    @transition(
        field=status,
        source=[Status.ONBOARDING, Status.ACTIVE, Status.RESTRICTED, Status.SUSPENDED],
        target=Status.CLOSED,
    )
    def close(self) -> None:
        self.closed_at = timezone.now()

    @transition(
        field=status,
        source=[Status.ONBOARDING, Status.ACTIVE, Status.RESTRICTED, Status.SUSPENDED, Status.CLOSED],
        target=Status.BANNED,
    )
    def ban(self) -> None:
        pass


class MerchantMember(models.Model):
    """A person working for a merchant; the role limits what they may do (dashboard and merchant API)."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        OPERATIONS = "operations", _("Operations")
        CUSTOMER_SERVICE = "customer_service", _("Customer service")
        FINANCE = "finance", _("Finance")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "user"], name="merchant_member_once")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.merchant} ({self.role})"


class MerchantStatusChange(models.Model):
    """MER-8: who or what moved the merchant, from where to where, and why. Append-only."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Merchant.Status.choices)
    to_status = models.CharField(max_length=20, choices=Merchant.Status.choices)
    cause = models.CharField(max_length=20, choices=Merchant.Cause.choices)
    reason = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.merchant}: {self.from_status} → {self.to_status} ({self.cause})"


#: MER-2: only staff holding this permission review applications, re-verifications and changes.
REVIEW_PERMISSION = "merchants.review_merchantapplication"


# --- MER-1, MER-2: the application ---------------------------------------------------------------


class MerchantApplication(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        NEEDS_MORE_INFO = "needs_more_info", _("Needs more information")

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.NEEDS_MORE_INFO)

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="merchant_applications"
    )
    shop_name = models.CharField(_("shop name"), max_length=100)
    legal_name = models.CharField(_("legal name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, validators=[validate_credit_code], db_index=True
    )
    legal_representative = models.CharField(_("legal representative"), max_length=100)
    registered_address = models.CharField(_("registered address"), max_length=300)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    contact_email = models.EmailField(_("contact email"))
    categories = models.ManyToManyField("catalog.Category", related_name="merchant_applications")
    status = FSMField(choices=Status.choices, default=Status.DRAFT, protected=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    # MER-3: the prior record by credit code, as the reviewer saw it at submission
    prior_record = models.JSONField(default=dict, blank=True)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )

    class Meta:
        ordering = ["submitted_at", "pk"]
        permissions = [("review_merchantapplication", _("Can review merchant applications"))]

    def __str__(self) -> str:
        return f"{self.shop_name} ({self.credit_code})"

    @transition(field=status, source=[Status.DRAFT, Status.NEEDS_MORE_INFO], target=Status.SUBMITTED)
    def submit(self) -> None:
        self.submitted_at = timezone.now()

    @transition(
        field=status, source=Status.SUBMITTED, target=Status.UNDER_REVIEW, permission=REVIEW_PERMISSION
    )
    def start_review(self, *, reviewer: Any) -> None:
        self.reviewer = reviewer

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.UNDER_REVIEW],
        target=Status.APPROVED,
        permission=REVIEW_PERMISSION,
        custom={"label": _("Approve")},
    )
    def approve(self, *, reviewer: Any, reason: str) -> None:
        self._decide(reviewer=reviewer, reason=reason)

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.UNDER_REVIEW],
        target=Status.REJECTED,
        permission=REVIEW_PERMISSION,
        custom={"label": _("Reject")},
    )
    def reject(self, *, reviewer: Any, reason: str) -> None:
        self._decide(reviewer=reviewer, reason=reason)

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.UNDER_REVIEW],
        target=Status.NEEDS_MORE_INFO,
        permission=REVIEW_PERMISSION,
        custom={"label": _("Needs more information")},
    )
    def request_more_info(self, *, reviewer: Any, reason: str) -> None:
        self._decide(reviewer=reviewer, reason=reason)

    def _decide(self, *, reviewer: Any, reason: str) -> None:
        self.reviewer = reviewer  # None: the system decided (MER-3 auto-refusal)
        self.decision_reason = reason
        self.decided_at = timezone.now()


class DocumentKind(models.TextChoices):
    """Qualification documents (MER-1); categories name the industry licences they need."""

    BUSINESS_LICENCE = "business_licence", _("Business licence")
    TAX_REGISTRATION = "tax_registration", _("Tax registration certificate")
    ORGANISATION_CODE = "organisation_code", _("Organisation code certificate")
    FOOD_LICENCE = "food_licence", _("Food business licence")
    MEDICAL_DEVICE_LICENCE = "medical_device_licence", _("Medical device business licence")
    COSMETICS_LICENCE = "cosmetics_licence", _("Cosmetics production licence")
    PUBLICATION_LICENCE = "publication_licence", _("Publication business licence")


#: Every applicant needs these, whatever its categories (MER-1).
BASE_DOCUMENT_KINDS: tuple[str, ...] = (DocumentKind.BUSINESS_LICENCE, DocumentKind.TAX_REGISTRATION)


def document_upload_to(instance: "QualificationDocument", filename: str) -> str:
    """SEC-4: a random name; the extension follows the detected content, never the client's name."""
    suffix = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
        instance.content_type, PurePath(filename).suffix[:8]
    )
    return f"merchants/documents/{uuid.uuid4().hex}{suffix}"


class QualificationDocument(models.Model):
    """A licence or certificate with its number, issuer and validity (MER-1, MER-7)."""

    application = models.ForeignKey(
        MerchantApplication, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=100)
    issuer = models.CharField(_("issuer"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: long-term."))
    file = models.FileField(upload_to=document_upload_to)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    # A newer document of the same kind replaces this one (re-verification, renewal).
    superseded_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def clean(self) -> None:
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end of validity is before its start.")})

    def is_valid_on(self, day: date) -> bool:
        return (
            self.superseded_at is None
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )


# --- MER-4, MER-10: agreements ---------------------------------------------------------------------


class PlatformAgreement(models.Model):
    """A version of the platform service agreement. Kept forever (MER-10); never edited once published."""

    version = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    published_at = models.DateTimeField()
    effective_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-effective_at"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class AgreementAcceptance(models.Model):
    agreement = models.ForeignKey(PlatformAgreement, on_delete=models.PROTECT, related_name="acceptances")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="agreement_acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "merchant"], name="agreement_accepted_once")
        ]

    def __str__(self) -> str:
        return f"{self.merchant} accepted {self.agreement}"


# --- MER-6, MER-6a: re-verification and reported changes --------------------------------------------


class Reverification(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """MER-6: a periodic re-verification task; the merchant resubmits, staff pass or return it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted")
        PASSED = "passed", _("Passed")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="reverifications")
    status = FSMField(choices=Status.choices, default=Status.OPEN, protected=True)
    opened_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    passed_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Re-verification of {self.merchant} ({self.status})"

    @transition(field=status, source=Status.OPEN, target=Status.SUBMITTED)
    def submit(self) -> None:
        self.submitted_at = timezone.now()

    @transition(field=status, source=Status.SUBMITTED, target=Status.OPEN)
    def return_to_merchant(self, *, reviewer: Any, note: str) -> None:
        self.reviewer, self.note = reviewer, note

    @transition(field=status, source=[Status.OPEN, Status.SUBMITTED], target=Status.PASSED)
    def pass_(self, *, reviewer: Any, note: str) -> None:
        self.reviewer, self.note = reviewer, note
        self.passed_at = timezone.now()


class MerchantChange(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """MER-6a: a change of registered information reported by the merchant, verified by staff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    CHANGEABLE_FIELDS = (
        "legal_name",
        "legal_representative",
        "registered_address",
        "contact_phone",
        "contact_email",
    )

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="changes")
    changes = models.JSONField(help_text=_("field -> new value"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)
    status = FSMField(choices=Status.choices, default=Status.PENDING, protected=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Change of {self.merchant} ({self.status})"

    @transition(field=status, source=Status.PENDING, target=Status.VERIFIED)
    def verify(self, *, reviewer: Any, note: str = "") -> None:
        self.verified_by, self.verified_at, self.note = reviewer, timezone.now(), note

    @transition(field=status, source=Status.PENDING, target=Status.REJECTED)
    def reject(self, *, reviewer: Any, note: str) -> None:
        self.verified_by, self.verified_at, self.note = reviewer, timezone.now(), note


# --- VIO-1: violations --------------------------------------------------------------------------


class Violation(models.Model):
    """VIO-1: a recorded violation. Points and track come from ``merchants.policies.VIOLATION_POLICY``."""

    class Track(models.TextChoices):
        GENERAL = "general", _("General")
        SERIOUS = "serious", _("Serious")

    class Source(models.TextChoices):
        SYSTEM = "system", _("System rule")
        INSPECTION = "inspection", _("Inspection")
        DISPUTE = "dispute", _("Dispute ruling")
        STAFF = "staff", _("Staff")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="violations")
    kind = models.CharField(max_length=40)
    points = models.PositiveSmallIntegerField()
    track = models.CharField(max_length=10, choices=Track.choices)
    evidence = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # VIO-4: an overturned appeal voids the violation; its points no longer count (the row is kept).
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["merchant", "created_at"])]

    def __str__(self) -> str:
        return f"{self.merchant}: {self.kind} ({self.points} {self.track})"

    @property
    def year(self) -> int:
        """VIO-2: the calendar year (platform time zone) whose points this violation counts towards."""
        return timezone.localtime(self.created_at).year


class Penalty(models.Model):
    """VIO-2, VIO-3, VIO-5: a measure imposed when a track's yearly points cross a threshold.

    In force from ``starts_at`` until ``ends_at`` (none for a ban) unless lifted earlier; public once
    ``published_at`` is set. ``overturned`` marks a penalty lifted because an appeal took its points
    away: the threshold no longer counts as reached and may trigger again.
    """

    class Measure(models.TextChoices):
        WARNING = "warning", _("Warning")
        LISTING_RESTRICTION = "listing_restriction", _("Listing restriction")
        TRADING_RESTRICTION = "trading_restriction", _("Trading restriction (no new orders)")
        SUSPENSION = "suspension", _("Suspension")
        BAN = "ban", _("Ban")

    class LiftReason(models.TextChoices):
        EXPIRED = "expired", _("Period ended")
        APPEAL = "appeal", _("Appeal upheld the merchant")
        STAFF = "staff", _("Lifted by staff")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="penalties")
    measure = models.CharField(max_length=20, choices=Measure.choices)
    track = models.CharField(max_length=10, choices=Violation.Track.choices)
    year = models.PositiveSmallIntegerField()
    threshold = models.PositiveSmallIntegerField(help_text=_("Points in the track that triggered it."))
    trigger = models.ForeignKey(Violation, on_delete=models.PROTECT, related_name="triggered_penalties")
    violations = models.ManyToManyField(Violation, related_name="penalties", blank=True)
    reason = models.CharField(max_length=500)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True, help_text=_("Empty: permanent (ban)."))
    published_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_reason = models.CharField(max_length=10, choices=LiftReason.choices, blank=True)
    lifted_note = models.CharField(max_length=500, blank=True)
    overturned = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            # VIO-2: each threshold triggers once per year per track (unless an appeal undid it)
            models.UniqueConstraint(
                fields=["merchant", "year", "track", "threshold"],
                condition=models.Q(overturned=False),
                name="penalty_threshold_once_a_year",
            )
        ]
        indexes = [models.Index(fields=["merchant", "lifted_at"])]

    def __str__(self) -> str:
        return f"{self.merchant}: {self.get_measure_display()} ({self.track} {self.threshold})"

    def is_in_force(self, at: Any = None) -> bool:
        now = at or timezone.now()
        return (
            self.lifted_at is None
            and self.measure != self.Measure.WARNING
            and self.starts_at <= now
            and (self.ends_at is None or self.ends_at > now)
        )


#: VIO-4: only staff holding this permission decide appeals.
APPEAL_DECIDE_PERMISSION = "merchants.decide_violationappeal"


class ViolationAppeal(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """VIO-4: the merchant contests a violation within 7 days; staff decide within 5 working days."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        UPHELD = "upheld", _("Upheld (violation stands)")
        OVERTURNED = "overturned", _("Overturned (violation voided)")

    violation = models.OneToOneField(Violation, on_delete=models.PROTECT, related_name="appeal")
    statement = models.TextField()
    evidence = models.JSONField(default=dict, blank=True)
    status = FSMField(choices=Status.choices, default=Status.SUBMITTED, protected=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["submitted_at", "pk"]
        permissions = [("decide_violationappeal", _("Can decide violation appeals"))]

    def __str__(self) -> str:
        return f"Appeal of {self.violation} ({self.status})"

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.UPHELD,
        permission=APPEAL_DECIDE_PERMISSION,
        custom={"label": _("Uphold the violation")},
    )
    def uphold(self, *, decided_by: Any, reason: str) -> None:
        self.decided_by, self.reason, self.decided_at = decided_by, reason, timezone.now()

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.OVERTURNED,
        permission=APPEAL_DECIDE_PERMISSION,
        custom={"label": _("Overturn the violation")},
    )
    def overturn(self, *, decided_by: Any, reason: str) -> None:
        self.decided_by, self.reason, self.decided_at = decided_by, reason, timezone.now()


# --- REP-3, VIO-6: credit and KPIs ----------------------------------------------------------------


class MerchantCreditSnapshot(models.Model):
    """REP-3: the credit score and grade as computed at one time, with its components (docs/credit-formula.md).

    Kept 12 months (the published history); the newest is copied onto ``Merchant.credit_*``.
    """

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("Nightly")
        EVENT = "event", _("Significant event")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="credit_snapshots")
    computed_at = models.DateTimeField(default=timezone.now)
    score = models.DecimalField(max_digits=5, decimal_places=2)
    grade = models.PositiveSmallIntegerField()
    components = models.JSONField(default=dict)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.NIGHTLY)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        indexes = [models.Index(fields=["merchant", "computed_at"])]

    def __str__(self) -> str:
        return f"{self.merchant}: {self.score} (grade {self.grade})"


class MerchantKpi(models.Model):
    """VIO-6: one KPI of one merchant over the 30 days ending on ``date``, and how it stands."""

    class Level(models.TextChoices):
        OK = "ok", _("OK")
        WARNING = "warning", _("Warning")
        LIMIT = "limit", _("Limit exceeded")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="kpis")
    date = models.DateField()
    kpi = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    sample = models.PositiveIntegerField(default=0, help_text=_("The denominator (orders, requests, …)."))
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.OK)
    violation = models.ForeignKey(
        Violation, on_delete=models.PROTECT, null=True, blank=True, related_name="kpi_records"
    )
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "kpi"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "kpi", "date"], name="merchant_kpi_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.merchant} {self.kpi} {self.date}: {self.value} ({self.level})"
