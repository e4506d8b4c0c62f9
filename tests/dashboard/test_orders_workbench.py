"""Issue 22, the orders workbench: cancel with a reason where the rules allow (ORD-2), search by order
number, buyer or tracking number, a tab for every state, and shipping the ticked orders with one carrier
from the dropdown (ORD-4, ORD-5). Every action goes through the services the API uses."""

from collections.abc import Callable

import pytest
from django.test import Client

from orders.models import Order
from orders.services.fulfilment import order_ship
from platform_core.audit.models import AuditEntry
from tests.dashboard.conftest import client_as, member_of
from tests.factories.accounts import CustomerFactory

pytestmark = pytest.mark.django_db


def test_ord_2_the_shop_cancels_a_paid_order_with_its_reason(
    owner_client: Client, make_paid_order: Callable[..., Order]
) -> None:
    order = make_paid_order()
    page = owner_client.get(f"/merchant/orders/{order.pk}/").content.decode()
    assert f"/merchant/orders/{order.pk}/cancel/" in page and "data-confirm" in page
    refused = owner_client.post(f"/merchant/orders/{order.pk}/cancel/", {"reason": "  "})
    assert refused.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.PAID  # no reason, no cancellation
    owner_client.post(f"/merchant/orders/{order.pk}/cancel/", {"reason": "缺货，无法发货"})
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    event = order.events.get(action="cancelled")
    assert event.reason == "缺货，无法发货" and event.actor == order.merchant.owner
    assert AuditEntry.objects.filter(action="order.cancelled", subject_id=str(order.pk)).exists()


def test_ord_2_a_shipped_order_cannot_be_cancelled_and_finance_may_not_try(
    owner_client: Client, make_paid_order: Callable[..., Order]
) -> None:
    order = make_paid_order()
    finance = client_as(member_of(order.merchant, "finance"))
    assert finance.post(f"/merchant/orders/{order.pk}/cancel/", {"reason": "x"}).status_code == 403
    order_ship(order=order, carrier="SF", tracking_number="SF1", actor=order.merchant.owner)
    assert "/cancel/" not in owner_client.get(f"/merchant/orders/{order.pk}/").content.decode()
    owner_client.post(f"/merchant/orders/{order.pk}/cancel/", {"reason": "太晚了"})
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    assert not AuditEntry.objects.filter(action="order.cancelled", subject_id=str(order.pk)).exists()


def test_ord_2_search_by_number_buyer_and_tracking_and_a_tab_for_every_state(
    owner_client: Client, make_paid_order: Callable[..., Order]
) -> None:
    found, other = make_paid_order(), make_paid_order(CustomerFactory.create())
    Order.objects.filter(pk=found.pk).update(shipping_name="王小明")
    order_ship(order=found, carrier="SF", tracking_number="SF777888999", actor=found.merchant.owner)

    def listed(query: str) -> set[str]:
        html = owner_client.get(f"/merchant/orders/?filter=all&q={query}").content.decode()
        return {n for n in (found.number, other.number) if n in html}

    assert listed(found.number[-8:]) == {found.number}
    assert listed("王小明") == {found.number}
    assert listed("777888") == {found.number}
    assert listed("") == {found.number, other.number}
    tabs = owner_client.get("/merchant/orders/").content.decode()
    for status in Order.Status.values:
        assert f'href="?filter={status}"' in tabs
    shipped_tab = owner_client.get("/merchant/orders/?filter=shipped").content.decode()
    assert found.number in shipped_tab and other.number not in shipped_tab


def test_ord_5_ship_the_ticked_orders_with_one_carrier_from_the_dropdown(
    owner_client: Client, make_paid_order: Callable[..., Order]
) -> None:
    first, second, untouched = make_paid_order(), make_paid_order(), make_paid_order()
    page = owner_client.get("/merchant/orders/?filter=to_ship").content.decode()
    assert 'name="carrier"' in page and 'value="shunfeng"' in page and 'name="selected"' in page
    owner_client.post(
        "/merchant/orders/ship/",
        {
            "carrier": "shunfeng",
            "selected": [first.pk, second.pk],
            f"tracking-{first.pk}": "SF0001",
            f"tracking-{second.pk}": "SF0002",
            f"tracking-{untouched.pk}": "SF0003",
        },
    )
    for order, number in ((first, "SF0001"), (second, "SF0002")):
        order.refresh_from_db()
        assert (order.status, order.carrier, order.tracking_number) == (
            Order.Status.SHIPPED,
            "shunfeng",
            number,
        )
        assert AuditEntry.objects.filter(action="order.shipped", subject_id=str(order.pk)).exists()
    untouched.refresh_from_db()
    assert untouched.status == Order.Status.PAID
    # an unknown carrier ships nothing
    owner_client.post("/merchant/orders/ship/", {"carrier": "nobody", "selected": [untouched.pk]})
    untouched.refresh_from_db()
    assert untouched.status == Order.Status.PAID
