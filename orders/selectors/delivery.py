"""ORD-10: reads of delivery cases, scoped to who is asking (SEC-1), and their KPI figures (VIO-6)."""

from datetime import datetime

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from merchants.models import Merchant
from orders.models import DeliveryCase, DeliveryCaseEvent, Order
from platform_core.accounts.models import User
from platform_core.errors import NotFound


def delivery_cases_for_order(*, order: Order) -> QuerySet[DeliveryCase]:
    """The order's cases, newest first (the caller already may see the order)."""
    return DeliveryCase.objects.filter(order=order).order_by("-opened_at", "-pk")


def delivery_case_events(*, case: DeliveryCase) -> QuerySet[DeliveryCaseEvent]:
    return DeliveryCaseEvent.objects.filter(case=case).order_by("at", "pk")


def delivery_case_current_for_customer(*, customer: User, order_id: int) -> DeliveryCase:
    """The latest case of the customer's order; ``NotFound`` for anybody else's order or none."""
    case = (
        DeliveryCase.objects.filter(order_id=order_id, order__customer=customer)
        .select_related("order")
        .order_by("-opened_at", "-pk")
        .first()
    )
    if case is None:
        raise NotFound(_("This order has no delivery case."))
    return case


def delivery_case_get_for_merchant(*, merchant: Merchant, case_id: int) -> DeliveryCase:
    case = DeliveryCase.objects.filter(pk=case_id, order__merchant=merchant).select_related("order").first()
    if case is None:
        raise NotFound(_("No such case."))
    return case


def orders_needing_action_for_merchant(
    *, merchant: Merchant, limit: int = 20
) -> list[tuple[Order, datetime | None]]:
    """ORD-4, ORD-10: the shop's paid product orders to ship and its orders with an open delivery case,
    the most urgent first, in one query, each with its open case's due time (None: to ship)."""
    open_case = DeliveryCase.objects.filter(order=OuterRef("pk"), status=DeliveryCase.Status.OPEN)
    orders = (
        Order.objects.filter(merchant=merchant)
        .annotate(delivery_case_due=Subquery(open_case.values("respond_by")[:1]))
        .filter(Q(status=Order.Status.PAID, kind=Order.Kind.PRODUCT) | Q(delivery_case_due__isnull=False))
        .annotate(due=Coalesce("delivery_case_due", "ship_by"))
        .order_by(F("due").asc(nulls_last=True), "pk")
    )
    return [(order, order.delivery_case_due) for order in orders[:limit]]


def delivery_case_kpi_figures(merchant: Merchant, since: datetime, until: datetime) -> dict[str, int]:
    """VIO-6, ORD-10 (``merchants.selectors.figures.kpi_sources``): the merchant's delivery cases opened
    in ``[since, until)``, and of those the ones that lapsed (not resolved within 48 hours)."""
    counts = DeliveryCase.objects.filter(
        order__merchant=merchant, opened_at__gte=since, opened_at__lt=until
    ).aggregate(opened=Count("pk"), lapsed=Count("pk", filter=Q(counts_against_merchant=True)))
    return {"delivery_cases": counts["opened"], "delivery_cases_lapsed": counts["lapsed"]}
