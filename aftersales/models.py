"""After-sales requests (AFS-1 … AFS-6) and complaints (CMP-1 … CMP-3).

Models hold fields, constraints and transitions only; every write goes through ``aftersales.services``.
Money never lives here: a request's ``amount`` is what the customer asks for; what was refunded is the
``orders.Refund`` (and its ledger transaction) the request points at.
"""

from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from catalog.models import Listing
from merchants.models import Merchant
from orders.models import Order, OrderLine, Refund
from platform_core.ledger.models import LedgerHold
from platform_core.timeline import StatusTimelineEvent

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}


class SpecialPeriod(models.Model):
    """AFS-3: a period staff declared special (holidays, promotions): merchants get 48 hours to respond."""

    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("special after-sales period")
        verbose_name_plural = _("special after-sales periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="special_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.starts_at:%Y-%m-%d} – {self.ends_at:%Y-%m-%d})"


class MerchantAfterSalesPolicy(models.Model):
    """AFS-4 (7DR Art. 18), AFS-1: what a merchant promises beyond the law."""

    merchant = models.OneToOneField(Merchant, on_delete=models.CASCADE, related_name="aftersales_policy")
    pays_no_reason_return_shipping = models.BooleanField(
        _("pays return shipping for no-reason returns"), default=False
    )
    warranty_days = models.PositiveIntegerField(_("warranty (days)"), null=True, blank=True)

    class Meta:
        verbose_name = _("merchant after-sales policy")
        verbose_name_plural = _("merchant after-sales policies")

    def __str__(self) -> str:
        return f"after-sales policy of {self.merchant_id}"


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
    created_at = models.DateTimeField(default=timezone.now)
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
        return f"After-sales #{self.pk} ({self.kind}, {self.status})"

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
        self.escalated_at = timezone.now()

    @transition(field=status, source=Status.APPROVED, target=Status.AWAITING_RETURN)
    def await_return(self, *, ship_by: Any) -> None:
        self.return_ship_by = ship_by

    @transition(field=status, source=Status.AWAITING_RETURN, target=Status.RETURN_SHIPPED)
    def ship_return(self, *, carrier: str, tracking_number: str) -> None:
        self.return_carrier, self.return_tracking_number = carrier, tracking_number
        self.return_shipped_at = timezone.now()
        self.return_ship_by = None

    @transition(field=status, source=Status.RETURN_SHIPPED, target=Status.RETURN_RECEIVED)
    def receive_return(self, *, automatic: bool = False) -> None:
        self.return_received_at = timezone.now()
        self.receipt_auto_confirmed = automatic
        self.receipt_due_at = None

    @transition(field=status, source=[Status.APPROVED, Status.RETURN_RECEIVED], target=Status.REFUNDED)
    def mark_refunded(self, *, refund: Refund) -> None:
        self.refund = refund
        self.refunded_at = timezone.now()
        self.refund_due_at = None

    @transition(field=status, source=Status.RETURN_RECEIVED, target=Status.RESHIPPED)
    def reship(self, *, carrier: str, tracking_number: str) -> None:
        self.reship_carrier, self.reship_tracking_number = carrier, tracking_number
        self.reshipped_at = timezone.now()

    @transition(field=status, source=Status.RETURN_RECEIVED, target=Status.REPAIRED)
    def repaired(self, *, carrier: str, tracking_number: str) -> None:
        self.reship_carrier, self.reship_tracking_number = carrier, tracking_number
        self.reshipped_at = timezone.now()

    @transition(field=status, source=Status.AWAITING_RETURN, target=Status.LAPSED)
    def lapse(self) -> None:
        self.return_ship_by = None
        self.closed_at = timezone.now()

    @transition(
        field=status,
        source=[Status.REQUESTED, Status.APPROVED, Status.AWAITING_RETURN, Status.REFUSED, Status.ESCALATED],
        target=Status.WITHDRAWN,
    )
    def withdraw(self) -> None:
        self.closed_at = timezone.now()

    @transition(
        field=status,
        source=[Status.REFUNDED, Status.RESHIPPED, Status.REPAIRED, Status.REFUSED, Status.ESCALATED],
        target=Status.CLOSED,
    )
    def close(self) -> None:
        self.closed_at = timezone.now()


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
    uploaded_at = models.DateTimeField(default=timezone.now)

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
        return f"evidence {self.pk} ({self.content_type})"


class AfterSalesEvent(StatusTimelineEvent):
    """AFS-6: the request's timeline; every transition with actor, time and reason. Append-only."""

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
        return f"{self.request_id} {self.action} {self.from_status}→{self.to_status}"


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
    created_at = models.DateTimeField(default=timezone.now)
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
        return f"Complaint #{self.pk} ({self.target_kind}, {self.status})"

    @transition(field=status, source=Status.FILED, target=Status.ACKNOWLEDGED)
    def acknowledge(self, *, handler: Any) -> None:
        self.handler = handler
        self.acknowledged_at = timezone.now()
        self.acknowledge_by = None

    @transition(
        field=status, source=[Status.FILED, Status.ACKNOWLEDGED, Status.ESCALATED], target=Status.ANSWERED
    )
    def answer_with(self, *, answer: str, handler: Any) -> None:
        self.answer = answer
        self.handler = self.handler or handler
        self.answered_at = timezone.now()
        self.acknowledged_at = self.acknowledged_at or self.answered_at
        self.acknowledge_by = self.answer_by = None

    @transition(field=status, source=[Status.FILED, Status.ACKNOWLEDGED], target=Status.ESCALATED)
    def escalate(self, *, to: Any, pending: str) -> None:
        self.escalated_to = to
        self.escalated_at = timezone.now()
        self.pending_summary = pending

    @transition(
        field=status, source=[Status.ANSWERED, Status.ESCALATED, Status.ACKNOWLEDGED], target=Status.CLOSED
    )
    def close(self) -> None:
        self.closed_at = timezone.now()


class ComplaintStep(StatusTimelineEvent):
    """CMP-2: every step of a complaint and the final answer, recorded. Append-only."""

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
        return f"{self.complaint_id} {self.action}"


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


class EscalatedRequest(AfterSalesRequest):
    """Customer service's queue of requests escalated to the platform (admin console)."""

    class Meta:
        proxy = True
        verbose_name = _("escalated after-sales request")
        verbose_name_plural = _("escalated after-sales requests (queue)")


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


# --- MSG-1, MSG-2: consultation messages and customer service ------------------------------------------


class Conversation(models.Model):
    """MSG-1: a customer's conversation with a shop (pre-sale about a listing, or about an order) or with
    platform customer service. MSG-2: while a customer message waits for an answer, ``awaiting_since``
    and ``reply_due_at`` mirror the running reply clock (for the queue's sort and the badge)."""

    class Kind(models.TextChoices):
        PRESALE = "presale", _("Pre-sale question about a listing")
        ORDER = "order", _("About an order")
        PLATFORM = "platform", _("Platform customer service")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversations"
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="conversations"
    )
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="conversations"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    awaiting_since = models.DateTimeField(_("waiting for an answer since"), null=True, blank=True)
    reply_due_at = models.DateTimeField(_("answer due at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [
            models.Index(fields=["customer", "-last_message_at"], name="conv_customer_idx"),
            models.Index(fields=["merchant", "-last_message_at"], name="conv_merchant_idx"),
            models.Index(fields=["kind", "status", "reply_due_at"], name="conv_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="platform", merchant__isnull=True)
                | Q(kind="presale", merchant__isnull=False, listing__isnull=False)
                | Q(kind="order", merchant__isnull=False, order__isnull=False),
                name="conversation_kind_parties",
            )
        ]

    def __str__(self) -> str:
        return f"Conversation #{self.pk} ({self.kind}, {self.status})"

    @property
    def is_platform(self) -> bool:
        return self.kind == self.Kind.PLATFORM


class Message(models.Model):
    """MSG-1: one message. ``text`` is stored as typed; the other party reads it with phone numbers and
    addresses masked (``aftersales.selectors.mask_contact_details``). ``read_at``: the read receipt."""

    class Side(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        MERCHANT = "merchant", _("Shop")
        PLATFORM = "platform", _("Platform customer service")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=10, choices=Side.choices)
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["conversation_id", "created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "side", "read_at"], name="msg_unread_idx")]

    def __str__(self) -> str:
        return f"message {self.pk} ({self.side})"


class MessageImage(models.Model):
    """MSG-1, SEC-4: an image (or PDF) attached to a message, checked by content and size."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to="aftersales/messages/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"message image {self.pk} ({self.content_type})"


class ReplyClock(models.Model):
    """MSG-2: one wait for an answer — from the customer's first unanswered message to the other side's
    reply. Kept after the clock's deadline resolves: the merchant's KPI figures are computed from it."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="reply_clocks")
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, null=True, blank=True, related_name="reply_clocks"
    )
    asked_at = models.DateTimeField()
    due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        indexes = [models.Index(fields=["merchant", "asked_at"], name="reply_clock_merchant_idx")]

    def __str__(self) -> str:
        return f"reply clock {self.pk} of conversation {self.conversation_id}"


class ShiftHandover(models.Model):
    """MSG-2: customer service's shift hand-over notes (what the next shift must pick up). Append-only."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("notes"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("shift hand-over note")
        verbose_name_plural = _("shift hand-over notes")

    def __str__(self) -> str:
        return f"hand-over {self.pk} by {self.author_id}"


class ServiceConversation(Conversation):
    """MSG-2: customer service's queue of open platform conversations, by time left (admin console)."""

    class Meta:
        proxy = True
        verbose_name = _("customer-service conversation")
        verbose_name_plural = _("customer-service conversations (queue)")


# --- MSG-3: suggestions ---------------------------------------------------------------------------------


class Suggestion(models.Model):
    """MSG-3: feedback and suggestions, recorded with tags and reported monthly to operations."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="suggestions")
    text = models.TextField(_("text"))
    tags = models.JSONField(_("tags"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")

    def __str__(self) -> str:
        return f"suggestion {self.pk}"
