"""After-sales requests (AFS-1 … AFS-6): the request, its evidence and its timeline.

Models hold fields, constraints and transitions only; every write goes through ``aftersales.services``.
Money never lives here: a request's ``amount`` is what the customer asks for; what was refunded is the
``orders.Refund`` (and its ledger transaction) the request points at.
"""

from decimal import Decimal
from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from merchants.models import Merchant
from orders.models import Order, OrderLine, Refund
from platform_core import clock
from platform_core.ledger.models import LedgerHold
from platform_core.timeline import StatusTimelineEvent

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}


class AfterSalesRequest(FSMModelMixin, models.Model):
    """AFS-1, AFS-6: a customer's request about one order line, and where it stands."""

    class Kind(models.TextChoices):
        REFUND_ONLY = "refund_only", _("Refund only")
        RETURN_REFUND = "return_refund", _("Return and refund")
        EXCHANGE = "exchange", _("Exchange")
        REPAIR = "repair", _("Repair")

    class ReasonKind(models.TextChoices):
        NO_REASON = "no_reason", _("No reason (seven-day return)")
        QUALITY = "quality", _("Quality problem")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        ESCALATED = "escalated", _("Escalated")
        AWAITING_RETURN = "awaiting_return", _("Awaiting the return")
        RETURN_SHIPPED = "return_shipped", _("Return shipped")
        RETURN_RECEIVED = "return_received", _("Return received")
        REFUNDED = "refunded", _("Refunded")
        RESHIPPED = "reshipped", _("Replacement shipped")
        REPAIRED = "repaired", _("Repaired and shipped back")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        LAPSED = "lapsed", _("Lapsed")
        CLOSED = "closed", _("Closed")

    class Payer(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        MERCHANT = "merchant", _("Merchant")

    class EscalatedTo(models.TextChoices):
        NONE = "", _("Not escalated")
        CUSTOMER_SERVICE = "customer_service", _("Platform customer service")
        DISPUTE = "dispute", _("Dispute")

    #: a request in these states is still being handled; it holds the order's escrow (PAY-6)
    OPEN_STATUSES = (
        Status.REQUESTED,
        Status.APPROVED,
        Status.REFUSED,
        Status.ESCALATED,
        Status.AWAITING_RETURN,
        Status.RETURN_SHIPPED,
        Status.RETURN_RECEIVED,
        Status.RESHIPPED,
        Status.REPAIRED,
    )
    #: requests in these states count against what may still be claimed for a line (AFS-1)
    CLAIMING_STATUSES = (
        Status.REQUESTED,
        Status.APPROVED,
        Status.ESCALATED,
        Status.AWAITING_RETURN,
        Status.RETURN_SHIPPED,
        Status.RETURN_RECEIVED,
        Status.REFUNDED,
    )
    RETURN_KINDS = (Kind.RETURN_REFUND, Kind.EXCHANGE, Kind.REPAIR)
    REFUND_KINDS = (Kind.REFUND_ONLY, Kind.RETURN_REFUND)

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="aftersales_requests")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="aftersales_requests")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="aftersales_requests"
    )
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="aftersales_requests")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason_kind = models.CharField(_("reason kind"), max_length=12, choices=ReasonKind.choices)
    reason = models.TextField(_("reason"))
    amount = models.DecimalField(_("amount"), **MONEY)
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED, protected=True
    )
    created_at = models.DateTimeField(default=clock.now)
    # AFS-3: the merchant's clock (denormalised from the deadline for sorting and display)
    response_hours = models.PositiveSmallIntegerField(default=24)
    respond_by = models.DateTimeField(_("respond by"), null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_in_time = models.BooleanField(null=True)
    auto_approved = models.BooleanField(default=False)
    refusal_reason = models.TextField(_("refusal reason"), blank=True)
    # AFS-4: the return parcel
    return_shipping_payer = models.CharField(
        _("return shipping paid by"), max_length=10, choices=Payer.choices
    )
    return_ship_by = models.DateTimeField(null=True, blank=True)
    return_carrier = models.CharField(max_length=32, blank=True)
    return_tracking_number = models.CharField(max_length=64, blank=True)
    return_shipped_at = models.DateTimeField(null=True, blank=True)
    # AFS-4: the postage the customer paid for the return (declared when shipping it, capped by
    # AFTERSALES_RETURN_SHIPPING_FEE_MAX); the shop pays it back through the ledger when it is the payer
    return_shipping_fee = models.DecimalField(
        _("return shipping fee"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    return_shipping_reimbursed_at = models.DateTimeField(null=True, blank=True)
    return_delivered_at = models.DateTimeField(null=True, blank=True)
    receipt_due_at = models.DateTimeField(null=True, blank=True)
    return_received_at = models.DateTimeField(null=True, blank=True)
    receipt_auto_confirmed = models.BooleanField(default=False)
    refund_due_at = models.DateTimeField(null=True, blank=True)
    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    refunded_at = models.DateTimeField(null=True, blank=True)
    # exchange and repair: the parcel back to the customer
    reship_carrier = models.CharField(max_length=32, blank=True)
    reship_tracking_number = models.CharField(max_length=64, blank=True)
    reshipped_at = models.DateTimeField(null=True, blank=True)
    # AFS-3, AFS-5: escalation to platform customer service or to a dispute
    escalated_to = models.CharField(max_length=20, choices=EscalatedTo.choices, blank=True, default="")
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_reason = models.TextField(blank=True)
    escalate_until = models.DateTimeField(null=True, blank=True)
    # PAY-6: the hold this request keeps on the order's escrow while it is open
    hold = models.ForeignKey(LedgerHold, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("after-sales request")
        verbose_name_plural = _("after-sales requests")
        indexes = [
            models.Index(fields=["merchant", "status", "respond_by"], name="afs_merchant_status_idx"),
            models.Index(fields=["customer", "-created_at"], name="afs_customer_created_idx"),
            models.Index(fields=["line", "status"], name="afs_line_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="afs_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return gettext("After-sales #%(id)s (%(kind)s, %(status)s)") % {
            "id": self.pk,
            "kind": self.get_kind_display(),
            "status": self.get_status_display(),
        }

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    # AFS-6 lifecycle: transitions change only this row ----------------------------------------------

    @transition(field=status, source=[Status.REQUESTED, Status.ESCALATED], target=Status.APPROVED)
    def approve(self, *, automatic: bool = False) -> None:
        self.auto_approved = automatic

    @transition(field=status, source=Status.REQUESTED, target=Status.REFUSED)
    def refuse(self, *, reason: str) -> None:
        self.refusal_reason = reason

    @transition(field=status, source=[Status.REQUESTED, Status.REFUSED], target=Status.ESCALATED)
    def escalate(self, *, to: str, reason: str) -> None:
        self.escalated_to, self.escalation_reason = to, reason
        self.escalated_at = clock.now()

    @transition(field=status, source=Status.APPROVED, target=Status.AWAITING_RETURN)
    def await_return(self, *, ship_by: Any) -> None:
        self.return_ship_by = ship_by

    @transition(field=status, source=Status.AWAITING_RETURN, target=Status.RETURN_SHIPPED)
    def ship_return(self, *, carrier: str, tracking_number: str) -> None:
        self.return_carrier, self.return_tracking_number = carrier, tracking_number
        self.return_shipped_at = clock.now()
        self.return_ship_by = None

    @transition(field=status, source=Status.RETURN_SHIPPED, target=Status.RETURN_RECEIVED)
    def receive_return(self, *, automatic: bool = False) -> None:
        self.return_received_at = clock.now()
        self.receipt_auto_confirmed = automatic
        self.receipt_due_at = None

    @transition(field=status, source=[Status.APPROVED, Status.RETURN_RECEIVED], target=Status.REFUNDED)
    def mark_refunded(self, *, refund: Refund) -> None:
        self.refund = refund
        self.refunded_at = clock.now()
        self.refund_due_at = None

    @transition(field=status, source=Status.RETURN_RECEIVED, target=Status.RESHIPPED)
    def reship(self, *, carrier: str, tracking_number: str) -> None:
        self.reship_carrier, self.reship_tracking_number = carrier, tracking_number
        self.reshipped_at = clock.now()

    @transition(field=status, source=Status.RETURN_RECEIVED, target=Status.REPAIRED)
    def repaired(self, *, carrier: str, tracking_number: str) -> None:
        self.reship_carrier, self.reship_tracking_number = carrier, tracking_number
        self.reshipped_at = clock.now()

    @transition(field=status, source=Status.AWAITING_RETURN, target=Status.LAPSED)
    def lapse(self) -> None:
        self.return_ship_by = None
        self.closed_at = clock.now()

    @transition(
        field=status,
        source=[Status.REQUESTED, Status.APPROVED, Status.AWAITING_RETURN, Status.REFUSED, Status.ESCALATED],
        target=Status.WITHDRAWN,
    )
    def withdraw(self) -> None:
        self.closed_at = clock.now()

    @transition(
        field=status,
        source=[Status.REFUNDED, Status.RESHIPPED, Status.REPAIRED, Status.REFUSED, Status.ESCALATED],
        target=Status.CLOSED,
    )
    def close(self) -> None:
        self.closed_at = clock.now()


class Evidence(models.Model):
    """SEC-4: a photo or document attached to a request or complaint, checked by content and size."""

    request = models.ForeignKey(
        AfterSalesRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    complaint = models.ForeignKey(
        "Complaint", on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(upload_to="aftersales/evidence/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=False, complaint__isnull=True)
                | Q(request__isnull=True, complaint__isnull=False),
                name="evidence_one_owner",
            )
        ]

    def __str__(self) -> str:
        return gettext("Evidence #%(id)s (%(type)s)") % {"id": self.pk, "type": self.content_type}


#: request: the timeline's actions as a person reads them (issue 22)
REQUEST_ACTION_LABELS = {
    "requested": pgettext_lazy("timeline", "Requested"),
    "approved": pgettext_lazy("timeline", "Approved"),
    "refused": pgettext_lazy("timeline", "Refused"),
    "withdrawn": pgettext_lazy("timeline", "Withdrawn"),
    "awaiting_return": pgettext_lazy("timeline", "Awaiting the return"),
    "return_shipped": pgettext_lazy("timeline", "Return shipped"),
    "return_delivered": pgettext_lazy("timeline", "Return delivered"),
    "return_received": pgettext_lazy("timeline", "Return received"),
    "return_shipping_reimbursed": pgettext_lazy("timeline", "Return shipping reimbursed"),
    "return_shipping_unpaid": pgettext_lazy("timeline", "Return shipping not paid"),
    "refunded": pgettext_lazy("timeline", "Refunded"),
    "refund_failed": pgettext_lazy("timeline", "Refund failed"),
    "escalated": pgettext_lazy("timeline", "Escalated to a dispute"),
    "lapsed": pgettext_lazy("timeline", "Lapsed"),
    "closed": pgettext_lazy("timeline", "Closed"),
}


class AfterSalesEvent(StatusTimelineEvent):
    """AFS-6: the request's timeline; every transition with actor, time and reason. Append-only."""

    action_labels = REQUEST_ACTION_LABELS
    status_labels = dict(AfterSalesRequest.Status.choices)

    request = models.ForeignKey(AfterSalesRequest, on_delete=models.PROTECT, related_name="events")
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["request_id", "at", "pk"]
        triggers = [
            pgtrigger.Protect(
                name="aftersales_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return gettext("After-sales #%(request)s: %(action)s %(from)s→%(to)s") % {
            "request": self.request_id,
            "action": self.action,
            "from": self.from_status,
            "to": self.to_status,
        }


class EscalatedRequest(AfterSalesRequest):
    """Customer service's queue of requests escalated to the platform (admin console)."""

    class Meta:
        proxy = True
        verbose_name = _("escalated after-sales request")
        verbose_name_plural = _("escalated after-sales requests (queue)")
