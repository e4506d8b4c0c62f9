"""Reads of orders, each scoped to who is asking (SEC-1), and the money of an order derived from the
ledger (PAY-1, PAY-2): paid, refunded and released amounts are sums of ledger entries, never fields."""

from datetime import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from merchants.models import Merchant
from orders.models import (
    Cart,
    CartItem,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PayoutStatement,
    TrackingEvent,
)
from platform_core.accounts.models import User
from platform_core.deadlines.models import Deadline
from platform_core.errors import NotFound
from platform_core.ledger.models import AccountKind, LedgerAccount, LedgerEntry, LedgerHold, TransactionKind

ZERO = Decimal("0.00")


# --- customers --------------------------------------------------------------------------------------


def cart_items_for_customer(*, customer: User) -> QuerySet[CartItem]:
    return (
        CartItem.objects.filter(cart__customer=customer)
        .select_related("sku__listing__live_version", "sku__listing__merchant")
        .order_by("pk")
    )


def cart_for_customer(*, customer: User) -> Cart | None:
    return Cart.objects.filter(customer=customer).first()


def _with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.select_related("merchant").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
    )


def order_list_for_customer(*, customer: User, status: str | None = None) -> QuerySet[Order]:
    orders = Order.objects.filter(customer=customer)
    if status:
        orders = orders.filter(status=status)
    return _with_details(orders).order_by("-created_at", "-pk")


def order_get_for_customer(*, customer: User, order_id: int) -> Order:
    """SEC-1: ``NotFound`` for anybody else's order (never confirm it exists)."""
    order = _with_details(Order.objects.filter(customer=customer, pk=order_id)).first()
    if order is None:
        raise NotFound("No such order.")
    return order


def order_events(*, order: Order) -> QuerySet[OrderEvent]:
    return OrderEvent.objects.filter(order=order).order_by("at", "pk")


def order_tracking(*, order: Order) -> QuerySet[TrackingEvent]:
    """ORD-5: tracking events in the order they happened."""
    return TrackingEvent.objects.filter(order=order).order_by("at", "pk")


# --- merchants --------------------------------------------------------------------------------------


def order_list_for_merchant(
    *, merchant: Merchant, status: str | None = None, to_ship: bool = False
) -> QuerySet[Order]:
    """ORD-4: ``to_ship`` lists paid product orders, the most urgent (ship-by soonest) first."""
    orders = Order.objects.filter(merchant=merchant)
    if to_ship:
        return _with_details(orders.filter(status=Order.Status.PAID, kind=Order.Kind.PRODUCT)).order_by(
            "ship_by", "pk"
        )
    if status:
        orders = orders.filter(status=status)
    return _with_details(orders).order_by("-created_at", "-pk")


def order_get_for_merchant(*, merchant: Merchant, order_id: int) -> Order:
    order = _with_details(Order.objects.filter(merchant=merchant, pk=order_id)).first()
    if order is None:
        raise NotFound("No such order.")
    return order


def statement_list_for_merchant(*, merchant: Merchant) -> QuerySet[PayoutStatement]:
    return PayoutStatement.objects.filter(merchant=merchant).select_related("payout").order_by("-period")


def statement_get_for_merchant(*, merchant: Merchant, statement_id: int) -> PayoutStatement:
    statement = statement_list_for_merchant(merchant=merchant).filter(pk=statement_id).first()
    if statement is None:
        raise NotFound("No such statement.")
    return statement


def deposit_payment_get_for_merchant(*, merchant: Merchant, out_trade_no: str) -> Payment:
    """MER-5: one of the merchant's deposit payments (``NotFound`` for anyone else's)."""
    payment = (
        Payment.objects.filter(purpose=Payment.Purpose.DEPOSIT, merchant=merchant, out_trade_no=out_trade_no)
        .select_related("category")
        .first()
    )
    if payment is None:
        raise NotFound(_("No such payment."))
    return payment


# --- money of an order (from the ledger) -----------------------------------------------------------


def order_escrow_account(*, order: Order) -> LedgerAccount | None:
    return LedgerAccount.objects.filter(
        kind=AccountKind.ORDER_ESCROW,
        owner_type=ContentType.objects.get_for_model(Order),
        owner_id=order.pk,
    ).first()


def _order_entries(order: Order) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(
        transaction__subject_type=ContentType.objects.get_for_model(Order), transaction__subject_id=order.pk
    )


def _sum(entries: QuerySet[LedgerEntry]) -> Decimal:
    total = entries.aggregate(total=Sum("amount"))["total"]
    return Decimal(str(total or 0)).quantize(Decimal("0.01"))


def order_paid_amount(*, order: Order) -> Decimal:
    """PAY-2: what the customer paid into the order's escrow."""
    return _sum(
        _order_entries(order).filter(
            transaction__kind=TransactionKind.PAYMENT, account__kind=AccountKind.ORDER_ESCROW
        )
    )


def order_refunded_amount(*, order: Order) -> Decimal:
    """PAY-5: what went back to the customer for this order (refunds, not compensation)."""
    return _sum(
        _order_entries(order).filter(
            transaction__kind=TransactionKind.REFUND, account__kind=AccountKind.REFUNDS_CLEARING
        )
    )


def order_released_amount(*, order: Order) -> Decimal:
    """PAY-4: what left escrow at settlement (to the merchant and the commission)."""
    return -_sum(
        _order_entries(order).filter(
            transaction__kind=TransactionKind.RELEASE, account__kind=AccountKind.ORDER_ESCROW
        )
    )


def order_holds_open(*, order: Order) -> QuerySet[LedgerHold]:
    """PAY-6: the open holds on the order's escrow with their reasons (shown to the merchant)."""
    return LedgerHold.objects.filter(
        account__kind=AccountKind.ORDER_ESCROW,
        account__owner_type=ContentType.objects.get_for_model(Order),
        account__owner_id=order.pk,
        released_at__isnull=True,
    ).order_by("opened_at", "pk")


def order_holds_open_by_order(*, order_ids: list[int]) -> dict[int, list[LedgerHold]]:
    """PAY-6: the open escrow holds of many orders in one query (list pages)."""
    holds: dict[int, list[LedgerHold]] = {order_id: [] for order_id in order_ids}
    for hold in (
        LedgerHold.objects.filter(
            account__kind=AccountKind.ORDER_ESCROW,
            account__owner_type=ContentType.objects.get_for_model(Order),
            account__owner_id__in=order_ids,
            released_at__isnull=True,
        )
        .select_related("account")
        .order_by("opened_at", "pk")
    ):
        assert hold.account.owner_id is not None
        holds.setdefault(int(hold.account.owner_id), []).append(hold)
    return holds


def order_deadlines(*, order: Order) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Order), subject_id=str(order.pk)
    ).order_by("started_at", "pk")


#: ORD-4: the deadline rule of the 72-hour ship-by clock (its handler is in orders/deadlines.py)
RULE_SHIP_BY = "orders.ship_by"


def order_kpi_figures(merchant: Merchant, since: datetime, until: datetime) -> dict[str, int | Decimal]:
    """REP-3, VIO-6 (``merchants.selectors.KPI_SOURCES``): the merchant's orders paid in ``[since, until)``;
    orders shipped then; of those, shipped after their ship-by deadline (the ``orders.ship_by`` clock's
    due time, so an extension counts), and with tracking the carrier confirmed (a carrier event)."""
    ship_by_due = Deadline.objects.filter(
        rule=RULE_SHIP_BY,
        subject_type=ContentType.objects.get_for_model(Order),
        subject_id=Cast(OuterRef("pk"), CharField()),
    ).values("due_at")[:1]
    carrier_event = TrackingEvent.objects.filter(order=OuterRef("pk"), source=TrackingEvent.Source.CARRIER)
    mine = Order.objects.filter(merchant=merchant)
    counts = mine.filter(shipped_at__gte=since, shipped_at__lt=until).aggregate(
        shipments=Count("pk"),
        late=Count("pk", filter=Q(shipped_at__gt=Subquery(ship_by_due))),
        tracked=Count("pk", filter=Q(Exists(carrier_event))),
    )
    return {
        "orders": mine.filter(paid_at__gte=since, paid_at__lt=until).count(),
        "shipments": counts["shipments"],
        "shipments_late": counts["late"],
        "shipments_tracked": counts["tracked"],
    }


def merchant_open_order_count(*, merchant: Merchant) -> int:
    return Order.objects.filter(merchant=merchant, status__in=Order.OPEN_STATUSES).count()


def merchant_unsettled_order_count(*, merchant: Merchant) -> int:
    return Order.objects.filter(
        merchant=merchant, status=Order.Status.COMPLETED, settled_at__isnull=True
    ).count()


def customer_open_orders_reason(user: User) -> list[str]:
    """USR-4: open orders hold back account deletion (registered in ``ACCOUNT_DELETION_CHECKS``)."""
    numbers = list(
        Order.objects.filter(customer=user, status__in=Order.OPEN_STATUSES).values_list("number", flat=True)[
            :5
        ]
    )
    if not numbers:
        return []
    return [
        _("You have open orders (%(numbers)s); the account can be deleted once they are finished.")
        % {"numbers": ", ".join(numbers)}
    ]
