"""Orders: the cart, the order and its lifecycle (ORD-1 … ORD-8), payments, refunds, logistics,
settlement statements and payouts (PAY-1 … PAY-8).

Models hold fields, constraints and transitions only; every write goes through ``orders.services``.
Money is never a field that is trusted: what an order's customer paid, what was refunded and what was
released are derived from the ledger (``orders.selectors``); ``Order.total`` is the price agreed at
checkout, the amount a payment must match.
"""

from decimal import Decimal
from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from catalog.models import Listing, Sku
from merchants.models import Merchant
from platform_core.timeline import StatusTimelineEvent

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}


class Cart(models.Model):
    """ORD-1: one cart per customer; prices are not stored here (they are re-read at checkout)."""

    customer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"cart of {self.customer_id}"


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="cart_item_sku_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_item_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku_id}"


# --- transition conditions (named, so the admin and 409 answers can say why) ------------------------


def is_product(order: Any) -> bool:
    return bool(order.kind == Order.Kind.PRODUCT)


def is_service(order: Any) -> bool:
    return bool(order.kind == Order.Kind.SERVICE)


class Order(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """ORD-1, ORD-2: one merchant's part of a checkout, with its lifecycle."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        SERVICE = "service", _("Service")

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Pending payment")
        PAID = "paid", _("Paid")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        SCHEDULED = "scheduled", _("Scheduled")
        IN_SERVICE = "in_service", _("In service")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        CLOSED = "closed", _("Closed")

    #: states in which the order still binds the merchant (MER-8 closure waits for them)
    OPEN_STATUSES = (
        Status.PENDING_PAYMENT,
        Status.PAID,
        Status.SHIPPED,
        Status.DELIVERED,
        Status.SCHEDULED,
        Status.IN_SERVICE,
    )

    number = models.CharField(_("order number"), max_length=32, unique=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PRODUCT)
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT, protected=True
    )
    # The agreed price; what the customer actually paid is in the ledger (escrow).
    total = models.DecimalField(_("total"), **MONEY)
    checkout_reference = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    # Denormalised from the "orders.ship_by" deadline for listing and sorting.
    ship_by = models.DateTimeField(_("ship by"), null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=32, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    confirmation_extended = models.BooleanField(_("confirmation extended"), default=False)
    # ORD-4: set when the ship-by deadline passed unshipped
    customer_may_cancel_with_refund = models.BooleanField(default=False)
    # PAY-4: the after-sales window closed; settlement happens as soon as no hold is open
    aftersales_closed_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    # ORD-1: the contract (交易合同) at purchase: agreement version, merchant, after-sales terms per line
    contract = models.JSONField(default=dict)
    # ORD-8: personal data, anonymised on account deletion (the trade record stays)
    shipping_name = models.CharField(_("recipient"), max_length=100, blank=True)
    shipping_phone = models.CharField(_("recipient phone"), max_length=20, blank=True)
    shipping_address = models.CharField(_("shipping address"), max_length=300, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="order_customer_created_idx"),
            models.Index(fields=["merchant", "status", "ship_by"], name="order_merchant_status_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(total__gt=0), name="order_total_positive")]

    def __str__(self) -> str:
        return f"Order {self.number}"

    # ORD-2 lifecycle: transitions change only this row --------------------------------------------------

    @transition(field=status, source=Status.PENDING_PAYMENT, target=Status.PAID)
    def pay(self, *, at: Any, ship_by: Any = None) -> None:
        self.paid_at = at
        self.ship_by = ship_by

    @transition(field=status, source=[Status.PENDING_PAYMENT, Status.PAID], target=Status.CANCELLED)
    def cancel(self) -> None:
        self.cancelled_at = timezone.now()
        self.ship_by = None

    @transition(field=status, source=Status.PAID, target=Status.SHIPPED, conditions=[is_product])
    def ship(self, *, carrier: str, tracking_number: str) -> None:
        self.carrier, self.tracking_number = carrier, tracking_number
        self.shipped_at = timezone.now()
        self.ship_by = None

    @transition(field=status, source=Status.SHIPPED, target=Status.DELIVERED)
    def deliver(self) -> None:
        self.delivered_at = timezone.now()

    @transition(field=status, source=Status.PAID, target=Status.SCHEDULED, conditions=[is_service])
    def schedule(self, *, scheduled_for: Any) -> None:
        self.scheduled_for = scheduled_for

    @transition(field=status, source=Status.SCHEDULED, target=Status.IN_SERVICE)
    def start_service(self) -> None:
        pass

    @transition(field=status, source=[Status.DELIVERED, Status.IN_SERVICE], target=Status.COMPLETED)
    def complete(self) -> None:
        self.completed_at = timezone.now()

    @transition(
        field=status,
        source=[
            Status.PAID,
            Status.SHIPPED,
            Status.DELIVERED,
            Status.SCHEDULED,
            Status.IN_SERVICE,
            Status.COMPLETED,
        ],
        target=Status.CLOSED,
    )
    def close(self) -> None:
        """After a full refund."""
        self.closed_at = timezone.now()
        self.ship_by = None


class OrderLine(models.Model):
    """ORD-1: what was bought, as it was shown and priced at checkout (the snapshot never changes)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="+")
    listing_version = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    sku_code = models.CharField(max_length=64)
    sku_attributes = models.JSONField(default=dict, blank=True)
    category_id_snapshot = models.PositiveBigIntegerField()
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total = models.DecimalField(_("line total"), **MONEY)

    class Meta:
        ordering = ["order_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} × {self.quantity}"


class OrderEvent(StatusTimelineEvent):
    """ORD-2: the order's timeline; every transition records actor, time and reason. Append-only."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order_id", "at", "pk"]
        triggers = [
            pgtrigger.Protect(name="order_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action} {self.from_status}→{self.to_status}"


class Payment(models.Model):
    """PAY-3: one attempt to pay through a provider: an order (into its escrow) or, MER-5, a merchant's
    deposit for a category (into its deposit account)."""

    class Purpose(models.TextChoices):
        ORDER = "order", _("Order")
        DEPOSIT = "deposit", _("Merchant deposit")

    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CLOSED = "closed", _("Closed")

    purpose = models.CharField(max_length=8, choices=Purpose.choices, default=Purpose.ORDER)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="payments")
    # MER-5: a deposit payment's payer and the category whose deposit it pays
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="deposit_payments"
    )
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider = models.CharField(max_length=20)
    amount = models.DecimalField(**MONEY)
    out_trade_no = models.CharField(_("our trade number"), max_length=64, unique=True)
    provider_trade_no = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # REP-2, DSP-6: who paid — the payer's account at the provider (Alipay buyer_id, WeChat Pay openid),
    # opaque and stored as the verified notification gives it; masked wherever it is shown
    payer_account = models.CharField(
        _("payer account at the provider"), max_length=64, blank=True, db_index=True
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CREATED)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(purpose="order", order__isnull=False, merchant__isnull=True)
                    | Q(purpose="deposit", order__isnull=True, merchant__isnull=False, category__isnull=False)
                ),
                name="payment_for_order_or_deposit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.out_trade_no} ({self.status})"


class PaymentCallbackLog(models.Model):
    """PAY-3: every provider callback as received, and what became of it (append-only evidence)."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted: money posted")
        DUPLICATE = "duplicate", _("Duplicate: nothing moved")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Payment failed at the provider")

    provider = models.CharField(max_length=20)
    received_at = models.DateTimeField(default=timezone.now)
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    error = models.CharField(max_length=500, blank=True)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-received_at", "-pk"]
        triggers = [
            pgtrigger.Protect(
                name="payment_callback_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} callback {self.outcome}"


class Refund(models.Model):
    """PAY-5: money returned to the customer; the ledger transaction is the truth of the amount."""

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        PENDING = "pending", _("Pending at the provider")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, related_name="refunds")
    amount = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=500)
    idempotency_key = models.CharField(max_length=200, unique=True)
    refund_no = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"refund {self.refund_no} {self.amount}"


class TrackingEvent(models.Model):
    """ORD-5: what the carrier (or staff) reported about the parcel."""

    class Kind(models.TextChoices):
        PICKED_UP = "picked_up", _("Picked up")
        IN_TRANSIT = "in_transit", _("In transit")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        DELIVERED = "delivered", _("Delivered")
        EXCEPTION = "exception", _("Exception")

    class Source(models.TextChoices):
        CARRIER = "carrier", _("Carrier webhook")
        STAFF = "staff", _("Staff entry")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="tracking_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    carrier = models.CharField(max_length=32, blank=True)
    # The carrier's event id: a webhook delivered twice records the event once.
    external_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 - NULL: no id given
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["order_id", "at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "external_id"],
                condition=Q(external_id__isnull=False),
                name="tracking_event_external_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class FollowUp(models.Model):
    """ORD-7: a customer-service follow-up (回访) queued when an order completes."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="follow_up")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.TextField(_("outcome"), blank=True)
    suggestion = models.TextField(_("customer's suggestion"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["status", "created_at"]

    def __str__(self) -> str:
        return f"follow-up of {self.order_id} ({self.status})"


class PayoutStatement(models.Model):
    """PAY-4: a merchant's statement for one period: every payable movement since the last statement."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="statements")
    period = models.DateField(_("period (day)"))
    lines = models.JSONField(default=list)
    gross = models.DecimalField(**MONEY, default=Decimal("0.00"))
    commission = models.DecimalField(**MONEY, default=Decimal("0.00"))
    refunds = models.DecimalField(**MONEY, default=Decimal("0.00"))
    net = models.DecimalField(**MONEY, default=Decimal("0.00"))
    last_entry_id = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "period"], name="statement_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.merchant} {self.period}"


class Payout(models.Model):
    """PAY-4: money paid out of the merchant's payable to its bank account."""

    class Status(models.TextChoices):
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="payouts")
    statement = models.OneToOneField(PayoutStatement, on_delete=models.PROTECT, related_name="payout")
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PAID)
    provider = models.CharField(max_length=20)
    provider_reference = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"payout {self.pk} {self.amount} to {self.merchant}"


class ProviderSettlementRecord(models.Model):
    """PAY-8: a line of a provider's settlement file (the sandbox writes its own as it works)."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund")
        PAYOUT = "payout", _("Payout")

    provider = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reference = models.CharField(max_length=64)
    amount = models.DecimalField(**MONEY)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "kind", "reference"], name="settlement_record_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.kind} {self.reference} {self.amount}"


class ReconciliationDifference(models.Model):
    """PAY-8: a difference between the ledger and a provider's settlement, for finance staff."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    day = models.DateField()
    provider = models.CharField(max_length=20)
    kind = models.CharField(max_length=10)
    reference = models.CharField(max_length=64)
    ledger_amount = models.DecimalField(**MONEY, null=True, blank=True)
    provider_amount = models.DecimalField(**MONEY, null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["status", "-day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "provider", "kind", "reference"], name="reconciliation_difference_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.provider} {self.kind} {self.reference}"


# --- REP-1, REP-2: reviews of order lines ------------------------------------------------------------


def _rating_check(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 1, f"{field}__lte": 5}), name=f"review_{field}_1_to_5"
    )


class Review(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """REP-1: the customer's review of one completed order line (one per line), with its one follow-up
    and the merchant's one reply. REP-2: never deleted (a trigger refuses DELETE); staff hide it only for
    a listed reason, and it is then shown as hidden with that reason."""

    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden")

    class HideReason(models.TextChoices):
        ABUSE = "abuse", _("Abuse")
        PRIVACY = "privacy", _("Privacy")
        ADVERTISING = "advertising", _("Advertising (广告)")
        PROVEN_FAKE = "proven_fake", _("Proven fake")

    order_line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="review")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="reviews")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="reviews")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    rating = models.PositiveSmallIntegerField(_("item rating"))
    description_rating = models.PositiveSmallIntegerField(_("description accuracy"))
    service_rating = models.PositiveSmallIntegerField(_("service"))
    logistics_rating = models.PositiveSmallIntegerField(_("logistics"))
    text = models.TextField(_("text"), blank=True)
    anonymous = models.BooleanField(_("shown anonymously"), default=False)
    # REP-2: SHA-256 of the client's X-Device-Fingerprint header (the raw value is never stored)
    device_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    follow_up_text = models.TextField(_("follow-up"), blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    reply_text = models.TextField(_("merchant's reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = FSMField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VISIBLE, protected=True
    )
    hidden_reason = models.CharField(
        _("hidden because"), max_length=16, choices=HideReason.choices, blank=True
    )
    hidden_note = models.CharField(_("moderation note"), max_length=500, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("moderate_review", "Hide reviews and resolve fake-review flags (REP-2)")]
        indexes = [
            models.Index(fields=["listing", "-created_at"], name="review_listing_created_idx"),
            models.Index(fields=["merchant", "created_at"], name="review_merchant_created_idx"),
            models.Index(fields=["customer", "created_at"], name="review_customer_created_idx"),
        ]
        constraints = [
            *(
                _rating_check(field)
                for field in ("rating", "description_rating", "service_rating", "logistics_rating")
            ),
            models.CheckConstraint(
                condition=Q(status="visible", hidden_reason="")
                | Q(status="hidden", hidden_reason__in=["abuse", "privacy", "advertising", "proven_fake"]),
                name="review_hidden_only_for_a_listed_reason",
            ),
        ]
        triggers = [pgtrigger.Protect(name="review_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"review {self.pk} of line {self.order_line_id} ({self.rating}★)"

    @transition(field=status, source=Status.VISIBLE, target=Status.HIDDEN)
    def hide(self, *, reason: str, note: str = "", by: Any = None) -> None:
        self.hidden_reason, self.hidden_note = reason, note
        self.hidden_at, self.hidden_by = timezone.now(), by


class ReviewPhoto(models.Model):
    """REP-1, SEC-4: a photo of a review (or of its follow-up), checked by content and size."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(upload_to="orders/reviews/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    follow_up = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review_id", "pk"]
        triggers = [pgtrigger.Protect(name="review_photo_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"photo {self.pk} of review {self.review_id}"


class ReviewFlag(models.Model):
    """REP-2: one fake-review signal raised on a review, with what was found, for moderation."""

    class Signal(models.TextChoices):
        SHARED_PHONE = "shared_phone", _("Reviewer shares a phone number with the merchant")
        SHARED_ADDRESS = "shared_address", _("Reviewer shares an address with the merchant")
        SHARED_PAYMENT_ACCOUNT = (
            "shared_payment_account",
            _("Reviewer shares a payment account with the merchant"),
        )
        SHARED_DEVICE = "shared_device", _("Reviewer's device was used by another reviewer or the merchant")
        FIVE_STAR_BURST = "five_star_burst", _("Burst of five-star reviews from new accounts")
        REFUNDED_IN_FULL = "refunded_in_full", _("Review of an order refunded in full")
        REVIEW_RING = "review_ring", _("Accounts reviewing the same merchants (ring)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DISMISSED = "dismissed", _("Dismissed")
        CONFIRMED = "confirmed", _("Confirmed (review hidden)")

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="flags")
    signal = models.CharField(_("signal"), max_length=32, choices=Signal.choices)
    details = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "signal"], name="review_flag_once_per_signal")
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="review_flag_status_idx")]
        triggers = [pgtrigger.Protect(name="review_flag_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.signal} on review {self.review_id} ({self.status})"


class ReviewLike(models.Model):
    """USR-1: a user likes a review, once."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="review_like_once")]

    def __str__(self) -> str:
        return f"{self.user_id} likes review {self.review_id}"
