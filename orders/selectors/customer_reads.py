"""The customer's cheap reads (issue 26, decisions 049 and 052): an order with its lines, money and the
rows its detail shows, and the cart's lines, each statement compiled once per thread (``PreparedQuery``)
and run with the customer's and the order's ids. The rows and objects are those of the querysets in
``orders.selectors.orders``/``money``/``delivery`` (``order_get_for_customer``, ``order_events``,
``order_holds_open``, ``delivery_cases_for_order``, ``order_refunds``, ``cart_items_for_customer``): a
test compares the answers built from both."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from orders.models import CartItem, DeliveryCase, Order, OrderEvent, OrderLine, Refund
from orders.selectors.money import with_order_money
from orders.selectors.orders import cart_items_for_customer
from platform_core.accounts.models import User
from platform_core.errors import NotFound
from platform_core.ledger.models import AccountKind, LedgerHold
from platform_core.prepared import PreparedQuery, as_prefetched

_ORDER = PreparedQuery(
    lambda customer_id, order_id, order_type_id: with_order_money(
        Order.objects.filter(customer_id=customer_id, pk=order_id), order_type_id=order_type_id
    )
    .select_related("merchant")
    .order_by("pk")[:1],
    customer_id=int,
    order_id=int,
    order_type_id=int,
)
_LINES = PreparedQuery(
    lambda order_id: OrderLine.objects.filter(order_id=order_id).order_by("pk"), order_id=int
)
_EVENTS = PreparedQuery(
    lambda order_id: OrderEvent.objects.filter(order_id=order_id).order_by("at", "pk"), order_id=int
)
_HOLDS = PreparedQuery(
    lambda order_id, order_type_id: LedgerHold.objects.filter(
        account__kind=AccountKind.ORDER_ESCROW,
        account__owner_type_id=order_type_id,
        account__owner_id=order_id,
        released_at__isnull=True,
    ).order_by("opened_at", "pk"),
    order_id=int,
    order_type_id=int,
)
_CASES = PreparedQuery(
    lambda order_id: DeliveryCase.objects.filter(order_id=order_id)
    .select_related("refund")
    .order_by("-opened_at", "-pk"),
    order_id=int,
)
_REFUNDS = PreparedQuery(
    lambda order_id: Refund.objects.filter(order_id=order_id).order_by("created_at", "pk"), order_id=int
)
_CART = PreparedQuery(
    lambda customer_id: cart_items_for_customer(customer=User(pk=customer_id)), customer_id=int
)


def order_detail_for_customer(*, customer: User, order_id: int) -> dict[str, Any]:
    """SEC-1: the customer's order (``NotFound`` for anybody else's) with its lines and paid and refunded
    amounts (``order_get_for_customer(money=True)``), and what its detail shows beside: ``events``,
    ``holds`` (open), ``delivery_cases`` (with their refunds) and ``refunds``."""
    order_type_id = ContentType.objects.get_for_model(Order).pk
    order = _ORDER.first(customer_id=customer.pk, order_id=order_id, order_type_id=order_type_id)
    if order is None:
        raise NotFound(_("No such order."))
    as_prefetched(order, "lines", _LINES.all(order_id=order.pk))
    return {
        "order": order,
        "events": _EVENTS.all(order_id=order.pk),
        "holds": _HOLDS.all(order_id=order.pk, order_type_id=order_type_id),
        "delivery_cases": _CASES.all(order_id=order.pk),
        "refunds": _REFUNDS.all(order_id=order.pk),
    }


def cart_item_list_for_customer(*, customer: User) -> list[CartItem]:
    """ORD-1: ``cart_items_for_customer``'s lines, compiled once."""
    return _CART.all(customer_id=customer.pk)
