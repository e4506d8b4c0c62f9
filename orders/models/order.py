"""The order, its lines (the checkout snapshot) and its timeline (ORD-1, ORD-2)."""

from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from catalog.models import Listing, Sku
from merchants.models import Merchant
from orders.models._common import MONEY
from platform_core import clock
from platform_core.timeline import StatusTimelineEvent

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
    created_at = models.DateTimeField(default=clock.now)
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
        # PAY-5, STF-1: staff cancel-and-refund of a paid order is finance's (migration 0005 grants it)
        permissions = [("refund_order", "Cancel and refund a paid order (finance)")]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="order_customer_created_idx"),
            models.Index(fields=["merchant", "status", "ship_by"], name="order_merchant_status_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(total__gt=0), name="order_total_positive")]

    def __str__(self) -> str:
        return gettext("Order %(number)s") % {"number": self.number}

    # ORD-2 lifecycle: transitions change only this row --------------------------------------------------

    @transition(field=status, source=Status.PENDING_PAYMENT, target=Status.PAID)
    def pay(self, *, at: Any, ship_by: Any = None) -> None:
        self.paid_at = at
        self.ship_by = ship_by

    @transition(field=status, source=[Status.PENDING_PAYMENT, Status.PAID], target=Status.CANCELLED)
    def cancel(self) -> None:
        self.cancelled_at = clock.now()
        self.ship_by = None

    @transition(field=status, source=Status.PAID, target=Status.SHIPPED, conditions=[is_product])
    def ship(self, *, carrier: str, tracking_number: str) -> None:
        self.carrier, self.tracking_number = carrier, tracking_number
        self.shipped_at = clock.now()
        self.ship_by = None

    @transition(field=status, source=Status.SHIPPED, target=Status.DELIVERED)
    def deliver(self) -> None:
        self.delivered_at = clock.now()

    @transition(field=status, source=Status.PAID, target=Status.SCHEDULED, conditions=[is_service])
    def schedule(self, *, scheduled_for: Any) -> None:
        self.scheduled_for = scheduled_for

    @transition(field=status, source=Status.SCHEDULED, target=Status.IN_SERVICE)
    def start_service(self) -> None:
        pass

    @transition(field=status, source=[Status.DELIVERED, Status.IN_SERVICE], target=Status.COMPLETED)
    def complete(self) -> None:
        self.completed_at = clock.now()

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
        self.closed_at = clock.now()
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


#: order: the timeline's actions as a person reads them (issue 22)
ORDER_ACTION_LABELS = {
    "placed": pgettext_lazy("timeline", "Order placed"),
    "paid": pgettext_lazy("timeline", "Paid"),
    "shipped": pgettext_lazy("timeline", "Shipped"),
    "delivered": pgettext_lazy("timeline", "Delivered"),
    "completed": pgettext_lazy("timeline", "Completed"),
    "cancelled": pgettext_lazy("timeline", "Cancelled"),
    "closed": pgettext_lazy("timeline", "Closed"),
    "refunded": pgettext_lazy("timeline", "Refunded"),
    "settled": pgettext_lazy("timeline", "Settled"),
    "settlement_held": pgettext_lazy("timeline", "Settlement held"),
    "escrow_held": pgettext_lazy("timeline", "Funds held"),
    "escrow_hold_released": pgettext_lazy("timeline", "Funds released"),
    "confirmation_extended": pgettext_lazy("timeline", "Confirmation extended"),
    "ship_by_missed": pgettext_lazy("timeline", "Ship-by time missed"),
    "scheduled": pgettext_lazy("timeline", "Service scheduled"),
    "service_started": pgettext_lazy("timeline", "Service started"),
    "delivery_case_opened": pgettext_lazy("timeline", "Delivery problem reported"),
    "delivery_case_lapsed": pgettext_lazy("timeline", "Delivery problem not resolved in time"),
    "delivery_case_reshipped": pgettext_lazy("timeline", "Reshipped"),
    "delivery_case_refund_agreed": pgettext_lazy("timeline", "Refund agreed (delivery problem)"),
    "delivery_case_delivered": pgettext_lazy("timeline", "Delivery problem resolved: delivered"),
    "delivery_case_refunded": pgettext_lazy("timeline", "Refunded (delivery problem)"),
    "delivery_case_closed": pgettext_lazy("timeline", "Delivery problem closed"),
    "tracking_subscribed": pgettext_lazy("timeline", "Tracking subscribed"),
    "tracking_refused": pgettext_lazy("timeline", "Tracking refused by the carrier"),
    "tracking_subscription_failed": pgettext_lazy("timeline", "Tracking subscription failed"),
}


class OrderEvent(StatusTimelineEvent):
    """ORD-2: the order's timeline; every transition records actor, time and reason. Append-only."""

    action_labels = ORDER_ACTION_LABELS
    status_labels = dict(Order.Status.choices)

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order_id", "at", "pk"]
        triggers = [
            pgtrigger.Protect(name="order_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return gettext("Order #%(order)s: %(action)s %(from)s→%(to)s") % {
            "order": self.order_id,
            "action": self.action,
            "from": self.from_status,
            "to": self.to_status,
        }
