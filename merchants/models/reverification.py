"""Re-verification and reported changes (MER-6, MER-6a)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from merchants.models.merchant import Merchant
from platform_core import clock

# --- MER-6, MER-6a: re-verification and reported changes --------------------------------------------


class Reverification(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """MER-6: a periodic re-verification task; the merchant resubmits, staff pass or return it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted")
        PASSED = "passed", _("Passed")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="reverifications")
    status = FSMField(choices=Status.choices, default=Status.OPEN, protected=True)
    opened_at = models.DateTimeField(default=clock.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    passed_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return gettext("Re-verification of %(merchant)s (%(status)s)") % {
            "merchant": self.merchant,
            "status": self.get_status_display(),
        }

    @transition(field=status, source=Status.OPEN, target=Status.SUBMITTED)
    def submit(self) -> None:
        self.submitted_at = clock.now()

    @transition(field=status, source=Status.SUBMITTED, target=Status.OPEN)
    def return_to_merchant(self, *, reviewer: Any, note: str) -> None:
        self.reviewer, self.note = reviewer, note

    @transition(field=status, source=[Status.OPEN, Status.SUBMITTED], target=Status.PASSED)
    def pass_(self, *, reviewer: Any, note: str) -> None:
        self.reviewer, self.note = reviewer, note
        self.passed_at = clock.now()


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
    reported_at = models.DateTimeField(default=clock.now)
    status = FSMField(choices=Status.choices, default=Status.PENDING, protected=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return gettext("Change of %(merchant)s (%(status)s)") % {
            "merchant": self.merchant,
            "status": self.get_status_display(),
        }

    @transition(field=status, source=Status.PENDING, target=Status.VERIFIED)
    def verify(self, *, reviewer: Any, note: str = "") -> None:
        self.verified_by, self.verified_at, self.note = reviewer, clock.now(), note

    @transition(field=status, source=Status.PENDING, target=Status.REJECTED)
    def reject(self, *, reviewer: Any, note: str) -> None:
        self.verified_by, self.verified_at, self.note = reviewer, clock.now(), note
