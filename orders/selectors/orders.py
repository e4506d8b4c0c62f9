"""Reads of orders, each scoped to who is asking (SEC-1): a customer's cart and orders, a merchant's
orders and statements, an order's clocks, and the counts other chapters ask for (KPIs, closure,
account deletion)."""

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Merchant
from orders.clocks import RULE_SHIP_BY
from orders.models import Cart, CartItem, Order, OrderEvent, OrderLine, PayoutStatement, TrackingEvent
from orders.selectors.money import with_order_money
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.deadlines.models import Deadline
from platform_core.errors import NotFound
from platform_core.money import money_from

ZERO = Decimal("0.00")

#: PAY-5, STF-1: staff cancel a paid order with a full refund only with this (finance's) permission
REFUND_ORDER_PERMISSION = "orders.refund_order"


# --- customers --------------------------------------------------------------------------------------


def cart_items_for_customer(*, customer: User) -> QuerySet[CartItem]:
    """ORD-1: the cart's lines with what the cart shows of each: the SKU's price, its listing and the live
    title (issue 26: only those columns; the listing's FSM ``status`` stays, django-fsm reads it)."""
    return (
        CartItem.objects.filter(cart__customer=customer)
        .select_related("sku__listing__live_version")
        .only(
            "sku_id",
            "quantity",
            "sku__price",
            "sku__listing_id",
            "sku__listing__status",
            "sku__listing__live_version__title",
        )
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


def order_get_for_customer(
    *, customer: User, order_id: int, details: bool = True, money: bool = False
) -> Order:
    """SEC-1: ``NotFound`` for anybody else's order (never confirm it exists). ``details=False``: the row
    alone, for a view that hands it to a service (which re-reads it under its lock). ``money=True``: with
    the paid and refunded amounts read in the same statement (``with_order_money``)."""
    orders = Order.objects.filter(customer=customer, pk=order_id)
    if money:
        orders = with_order_money(orders)
    order = (_with_details(orders) if details else orders).first()
    if order is None:
        raise NotFound(_("No such order."))
    return order


def order_events(*, order: Order) -> QuerySet[OrderEvent]:
    return OrderEvent.objects.filter(order=order).order_by("at", "pk")


def order_tracking(*, order: Order) -> QuerySet[TrackingEvent]:
    """ORD-5: tracking events in the order they happened."""
    return TrackingEvent.objects.filter(order=order).order_by("at", "pk")


# --- merchants --------------------------------------------------------------------------------------


def order_list_for_merchant(
    *, merchant: Merchant, status: str | None = None, to_ship: bool = False, search: str = ""
) -> QuerySet[Order]:
    """ORD-4: ``to_ship`` lists paid product orders, the most urgent (ship-by soonest) first. ``search``
    finds an order by its number, its tracking number, or the buyer (the recipient's name or phone)."""
    orders = Order.objects.filter(merchant=merchant)
    if search.strip():
        term = search.strip()
        orders = orders.filter(
            Q(number__icontains=term)
            | Q(tracking_number__icontains=term)
            | Q(shipping_name__icontains=term)
            | Q(shipping_phone=term)
        )
    if to_ship:
        return _with_details(orders.filter(status=Order.Status.PAID, kind=Order.Kind.PRODUCT)).order_by(
            "ship_by", "pk"
        )
    if status:
        orders = orders.filter(status=status)
    return _with_details(orders).order_by("-created_at", "-pk")


def order_get_for_merchant(
    *, merchant: Merchant, order_id: int, annotations: Mapping[str, Any] | None = None
) -> Order:
    """SEC-1: the shop's order (``NotFound`` for another's), with its lines; ``annotations`` ride along
    (the dashboard's order actions, ``merchants.dashboard.base.order_action_queries``)."""
    orders = Order.objects.filter(merchant=merchant, pk=order_id).annotate(**(annotations or {}))
    order = _with_details(orders).first()
    if order is None:
        raise NotFound(_("No such order."))
    return order


def merchant_daily_sales(*, merchant: Merchant, days: int = 30) -> list[dict[str, Any]]:
    """The shop's paid (not cancelled) orders per local day over the last ``days`` days (today included), oldest first:
    ``{"day", "orders", "amount"}``, days without sales included (one query)."""
    today = clock.localdate()
    first = today - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    rows = (
        Order.objects.filter(merchant=merchant, paid_at__gte=since)
        .exclude(status=Order.Status.CANCELLED)
        .annotate(day=TruncDate("paid_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(orders=Count("pk"), amount=Sum("total"))
    )
    by_day = {row["day"]: row for row in rows}
    series = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = by_day.get(day, {})
        series.append({"day": day, "orders": row.get("orders", 0), "amount": money_from(row.get("amount"))})
    return series


def statement_list_for_merchant(*, merchant: Merchant) -> QuerySet[PayoutStatement]:
    return PayoutStatement.objects.filter(merchant=merchant).select_related("payout").order_by("-period")


def statement_get_for_merchant(*, merchant: Merchant, statement_id: int) -> PayoutStatement:
    statement = statement_list_for_merchant(merchant=merchant).filter(pk=statement_id).first()
    if statement is None:
        raise NotFound(_("No such statement."))
    return statement


# --- ORD-4, REP-3, VIO-6, USR-4: an order's clocks, KPIs and open orders ---------------------------


def order_deadlines(*, order: Order) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Order), subject_id=str(order.pk)
    ).order_by("started_at", "pk")


#: ORD-4: the deadline rule of the 72-hour ship-by clock (its handler is in orders/deadlines.py)


def order_kpi_figures(merchant: Merchant, since: datetime, until: datetime) -> dict[str, int | Decimal]:
    """REP-3, VIO-6 (``merchants.selectors.kpi_sources``): the merchant's orders paid in ``[since, until)``;
    orders shipped then; of those, shipped after their ship-by deadline (the ``orders.ship_by`` clock's
    due time, so an extension counts), and with tracking the carrier confirmed (a carrier event)."""
    ship_by_due = Deadline.objects.filter(
        rule=RULE_SHIP_BY,
        subject_type=ContentType.objects.get_for_model(Order),
        subject_id=Cast(OuterRef("pk"), CharField()),
    ).values("due_at")[:1]
    carrier_event = TrackingEvent.objects.filter(order=OuterRef("pk"), source=TrackingEvent.Source.CARRIER)
    paid, shipped = Q(paid_at__gte=since, paid_at__lt=until), Q(shipped_at__gte=since, shipped_at__lt=until)
    counts = Order.objects.filter(paid | shipped, merchant=merchant).aggregate(  # one query for all four
        orders=Count("pk", filter=paid),
        shipments=Count("pk", filter=shipped),
        late=Count("pk", filter=shipped & Q(shipped_at__gt=Subquery(ship_by_due))),
        tracked=Count("pk", filter=shipped & Q(Exists(carrier_event))),
    )
    return {
        "orders": counts["orders"],
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
    """USR-4: open orders hold back account deletion (``platform_core.accounts.deletion.account_deletion_checks``)."""
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


# --- MER-8: closure --------------------------------------------------------------------------------


def order_closure_pending(merchant: Merchant) -> list[str]:
    """MER-8: open or unsettled orders keep a merchant from closing (registered on ``merchants.services.closure_checks``)."""
    pending = []
    open_count = Order.objects.filter(merchant=merchant, status__in=Order.OPEN_STATUSES).count()
    if open_count:
        pending.append(_("%(n)d orders are still open.") % {"n": open_count})
    unsettled = Order.objects.filter(
        merchant=merchant, status=Order.Status.COMPLETED, settled_at__isnull=True
    ).count()
    if unsettled:
        pending.append(_("%(n)d completed orders are not settled yet.") % {"n": unsettled})
    return pending
