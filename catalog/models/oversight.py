"""Oversight of listings already made: quality inspections in sampling batches (CAT-6), re-checks of
listings on sale (CAT-10) and IP notices with their counter-notices (CAT-7).

Models hold fields, constraints and state transitions only; every write goes through ``catalog.services``.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from catalog.models.listings import Listing, ListingVersion
from platform_core import clock


class InspectionBatch(models.Model):
    """CAT-6: one round of random quality inspection (抽检), or (CMP-3) the inspection of one listing that
    complaints triggered (no staff member created it: ``created_by`` is empty)."""

    class Trigger(models.TextChoices):
        SAMPLING = "sampling", _("Random sampling")
        COMPLAINTS = "complaints", _("Complaints past the threshold")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=clock.now)
    size = models.PositiveIntegerField()
    note = models.CharField(max_length=500, blank=True)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.SAMPLING)

    class Meta:
        verbose_name_plural = _("inspection batches")

    def __str__(self) -> str:
        return gettext("Inspection batch #%(id)s (%(date)s)") % {
            "id": self.pk,
            "date": f"{self.created_at:%Y-%m-%d}",
        }


class Inspection(models.Model):
    """CAT-6: one sampled listing and, once inspected, the result with its evidence."""

    class Result(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")

    batch = models.ForeignKey(InspectionBatch, on_delete=models.PROTECT, related_name="inspections")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="inspections")
    risk_weight = models.DecimalField(max_digits=8, decimal_places=3, default=Decimal("1.000"))
    result = models.CharField(max_length=8, choices=Result.choices, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    inspected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "listing"], name="inspection_once_per_batch")]

    def __str__(self) -> str:
        return gettext("Inspection #%(id)s of listing #%(listing)s (%(result)s)") % {
            "id": self.pk,
            "listing": self.listing_id,
            "result": self.get_result_display() if self.result else gettext("pending"),
        }


class ListingRecheck(models.Model):
    """CAT-10: a listing on sale sampled back into review (商品上架后,平台应定期检查商品信息).

    open → ok (the reviewer found nothing) | error_found (note sent to the merchant; the
    ``catalog.recheck_correction`` clock runs) → corrected (the merchant submitted an edit in time; it is
    reviewed like any other edit, CAT-2) | delisted (the clock ran out: taken off sale).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for re-check")
        OK = "ok", _("Checked: no error")
        ERROR_FOUND = "error_found", _("Error found: waiting for the merchant's correction")
        CORRECTED = "corrected", _("Correction submitted")
        DELISTED = "delisted", _("Not corrected in time: taken off sale")

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="rechecks")
    # the live version that was re-checked (the text the reviewer read)
    version = models.ForeignKey(ListingVersion, on_delete=models.PROTECT, null=True, related_name="+")
    risk_weight = models.DecimalField(max_digits=8, decimal_places=3, default=Decimal("1.000"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened at"), default=clock.now)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    error_note = models.CharField(_("error found"), max_length=1000, blank=True)
    correction_due = models.DateTimeField(_("correction due"), null=True, blank=True)
    # the version the merchant submitted as the correction
    corrected_version = models.ForeignKey(
        ListingVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "pk"]
        verbose_name = _("listing re-check")
        verbose_name_plural = _("listing re-checks")
        indexes = [models.Index(fields=["status", "opened_at"], name="listing_recheck_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["listing"],
                condition=Q(status__in=["open", "error_found"]),
                name="listing_recheck_one_active",
            )
        ]

    def __str__(self) -> str:
        return gettext("Re-check #%(id)s of listing #%(listing)s (%(status)s)") % {
            "id": self.pk,
            "listing": self.listing_id,
            "status": self.get_status_display(),
        }


class IpNotice(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """CAT-7 (ECL Art. 42-45): notice-and-takedown with counter-notice.

    filed → taken_down (validated: listing delisted, notice forwarded to the merchant) | dismissed;
    taken_down → counter_noticed (merchant's 不侵权声明 forwarded to the rights holder; 15-day clock);
    counter_noticed → upheld (rights holder proved a complaint or lawsuit) | restored (clock ran out).
    """

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        DISMISSED = "dismissed", _("Dismissed")
        TAKEN_DOWN = "taken_down", _("Listing taken down, forwarded to the merchant")
        COUNTER_NOTICED = "counter_noticed", _("Counter-notice forwarded to the rights holder")
        UPHELD = "upheld", _("Upheld (complaint or lawsuit shown)")
        RESTORED = "restored", _("Listing restored")

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="ip_notices")
    rights_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ip_notices"
    )
    right_kind = models.CharField(_("right"), max_length=32)  # trademark / copyright / patent
    right_reference = models.CharField(_("registration or certificate number"), max_length=100)
    description = models.TextField(_("infringement described"))
    proof = models.JSONField(_("proof (file references)"), default=list)
    status = FSMField(max_length=16, choices=Status.choices, default=Status.FILED, protected=True)
    filed_at = models.DateTimeField(default=clock.now)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    staff_note = models.CharField(max_length=1000, blank=True)
    counter_statement = models.TextField(blank=True)
    counter_proof = models.JSONField(default=list, blank=True)
    counter_forwarded_at = models.DateTimeField(null=True, blank=True)
    action_proof = models.JSONField(default=list, blank=True)  # complaint / lawsuit filed by the holder
    resolved_at = models.DateTimeField(null=True, blank=True)
    is_false_notice = models.BooleanField(_("knowingly false notice"), default=False)

    class Meta:
        indexes = [models.Index(fields=["status", "filed_at"], name="ip_notice_status_idx")]

    def __str__(self) -> str:
        return gettext("IP notice #%(id)s on listing #%(listing)s (%(status)s)") % {
            "id": self.pk,
            "listing": self.listing_id,
            "status": self.get_status_display(),
        }

    @transition(field=status, source=Status.FILED, target=Status.TAKEN_DOWN)
    def validate(self, *, by: Any, note: str) -> None:
        self.validated_by, self.validated_at, self.staff_note = by, clock.now(), note

    @transition(field=status, source=Status.FILED, target=Status.DISMISSED)
    def dismiss(self, *, by: Any, note: str) -> None:
        self.validated_by, self.resolved_at, self.staff_note = by, clock.now(), note

    @transition(field=status, source=Status.TAKEN_DOWN, target=Status.COUNTER_NOTICED)
    def counter(self, *, statement: str, proof: list[Any]) -> None:
        self.counter_statement, self.counter_proof = statement, proof
        self.counter_forwarded_at = clock.now()

    @transition(field=status, source=Status.COUNTER_NOTICED, target=Status.UPHELD)
    def uphold(self, *, proof: list[Any]) -> None:
        self.action_proof, self.resolved_at = proof, clock.now()

    @transition(field=status, source=Status.COUNTER_NOTICED, target=Status.RESTORED)
    def restore(self) -> None:
        self.resolved_at = clock.now()
