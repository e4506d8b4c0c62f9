"""Violations, penalties and appeals (VIO-1..VIO-5)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from merchants.models.merchant import Merchant
from platform_core import clock

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
    created_at = models.DateTimeField(default=clock.now)
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
        return gettext("%(merchant)s: %(kind)s (%(points)s points, %(track)s)") % {
            "merchant": self.merchant,
            "kind": self.kind,
            "points": self.points,
            "track": self.get_track_display(),
        }

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
    created_at = models.DateTimeField(default=clock.now)

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
        return gettext("%(merchant)s: %(measure)s (%(track)s %(threshold)s)") % {
            "merchant": self.merchant,
            "measure": self.get_measure_display(),
            "track": self.get_track_display(),
            "threshold": self.threshold,
        }

    def is_in_force(self, at: Any = None) -> bool:
        now = at or clock.now()
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
    submitted_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["submitted_at", "pk"]
        permissions = [("decide_violationappeal", _("Can decide violation appeals"))]

    def __str__(self) -> str:
        return gettext("Appeal of %(violation)s (%(status)s)") % {
            "violation": self.violation,
            "status": self.get_status_display(),
        }

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.UPHELD,
        permission=APPEAL_DECIDE_PERMISSION,
        custom={"label": _("Uphold the violation")},
    )
    def uphold(self, *, decided_by: Any, reason: str) -> None:
        self.decided_by, self.reason, self.decided_at = decided_by, reason, clock.now()

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.OVERTURNED,
        permission=APPEAL_DECIDE_PERMISSION,
        custom={"label": _("Overturn the violation")},
    )
    def overturn(self, *, decided_by: Any, reason: str) -> None:
        self.decided_by, self.reason, self.decided_at = decided_by, reason, clock.now()
