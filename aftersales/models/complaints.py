"""Complaints (CMP-1 … CMP-3), their steps, customer service's canned responses and the console queues."""

from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from catalog.models import Listing
from merchants.models import Merchant
from orders.models import Order
from platform_core import clock
from platform_core.ledger.models import LedgerHold
from platform_core.timeline import StatusTimelineEvent


class Complaint(FSMModelMixin, models.Model):
    """CMP-1, CMP-2: a complaint about a merchant, a listing, an order or the platform's own service."""

    class ComplainantKind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        MERCHANT = "merchant", _("Merchant")

    class TargetKind(models.TextChoices):
        MERCHANT = "merchant", _("Merchant")
        LISTING = "listing", _("Listing")
        ORDER = "order", _("Order")
        PLATFORM = "platform", _("Platform service")

    class Category(models.TextChoices):
        PRODUCT_QUALITY = "product_quality", _("Product quality")
        DELIVERY = "delivery", _("Delivery")
        AFTERSALES = "aftersales", _("After-sales service")
        MISLEADING = "misleading", _("Misleading description or advertising")
        FRAUD = "fraud", _("Fraud")
        SERVICE_ATTITUDE = "service_attitude", _("Service attitude")
        PLATFORM_SERVICE = "platform_service", _("Platform service")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ANSWERED = "answered", _("Answered")
        ESCALATED = "escalated", _("Escalated to the department head")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = (Status.FILED, Status.ACKNOWLEDGED, Status.ESCALATED, Status.ANSWERED)

    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints"
    )
    complainant_kind = models.CharField(max_length=10, choices=ComplainantKind.choices)
    complainant_merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints_filed"
    )
    target_kind = models.CharField(_("about"), max_length=10, choices=TargetKind.choices)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"))
    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.FILED, protected=True
    )
    created_at = models.DateTimeField(default=clock.now)
    acknowledge_by = models.DateTimeField(null=True, blank=True)
    answer_by = models.DateTimeField(null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pending_summary = models.TextField(_("what is pending"), blank=True)
    hold = models.ForeignKey(LedgerHold, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "answer_by"], name="complaint_status_due_idx"),
            models.Index(fields=["merchant", "created_at"], name="complaint_merchant_idx"),
        ]

    def __str__(self) -> str:
        return gettext("Complaint #%(id)s (%(target)s, %(status)s)") % {
            "id": self.pk,
            "target": self.get_target_kind_display(),
            "status": self.get_status_display(),
        }

    @transition(field=status, source=Status.FILED, target=Status.ACKNOWLEDGED)
    def acknowledge(self, *, handler: Any) -> None:
        self.handler = handler
        self.acknowledged_at = clock.now()
        self.acknowledge_by = None

    @transition(
        field=status, source=[Status.FILED, Status.ACKNOWLEDGED, Status.ESCALATED], target=Status.ANSWERED
    )
    def answer_with(self, *, answer: str, handler: Any) -> None:
        self.answer = answer
        self.handler = self.handler or handler
        self.answered_at = clock.now()
        self.acknowledged_at = self.acknowledged_at or self.answered_at
        self.acknowledge_by = self.answer_by = None

    @transition(field=status, source=[Status.FILED, Status.ACKNOWLEDGED], target=Status.ESCALATED)
    def escalate(self, *, to: Any, pending: str) -> None:
        self.escalated_to = to
        self.escalated_at = clock.now()
        self.pending_summary = pending

    @transition(
        field=status, source=[Status.ANSWERED, Status.ESCALATED, Status.ACKNOWLEDGED], target=Status.CLOSED
    )
    def close(self) -> None:
        self.closed_at = clock.now()


#: complaint: the timeline's actions as a person reads them (issue 22)
COMPLAINT_ACTION_LABELS = {
    "filed": pgettext_lazy("timeline", "Filed"),
    "acknowledged": pgettext_lazy("timeline", "Acknowledged"),
    "answered": pgettext_lazy("timeline", "Answered"),
    "escalated": pgettext_lazy("timeline", "Escalated"),
    "closed": pgettext_lazy("timeline", "Closed"),
}


class ComplaintStep(StatusTimelineEvent):
    """CMP-2: every step of a complaint and the final answer, recorded. Append-only."""

    action_labels = COMPLAINT_ACTION_LABELS
    status_labels = dict(Complaint.Status.choices)

    text_field = "note"

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="steps")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["complaint_id", "at", "pk"]
        triggers = [
            pgtrigger.Protect(
                name="complaint_step_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return gettext("Step %(action)s of complaint #%(complaint)s") % {
            "complaint": self.complaint_id,
            "action": self.action,
        }


class CannedResponse(models.Model):
    """Customer service's prepared answers for requests and complaints."""

    class AppliesTo(models.TextChoices):
        REQUEST = "request", _("After-sales requests")
        COMPLAINT = "complaint", _("Complaints")

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    applies_to = models.CharField(max_length=10, choices=AppliesTo.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["applies_to", "title"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self) -> str:
        return self.title


class ComplaintQueueItem(Complaint):
    """Customer service's queue of open complaints, sorted by time left (admin console)."""

    class Meta:
        proxy = True
        verbose_name = _("open complaint")
        verbose_name_plural = _("open complaints (queue)")


class EscalatedComplaint(Complaint):
    """CMP-2: the department head's queue of escalated complaints (admin console)."""

    class Meta:
        proxy = True
        verbose_name = _("escalated complaint")
        verbose_name_plural = _("escalated complaints (department head)")
