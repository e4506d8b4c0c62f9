"""ORD-1, ORD-2, ORD-3: cart, checkout, contract, and the unpaid-order timeout."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django_fsm import TransitionNotAllowed

from catalog.models import Sku
from orders.models import Order, OrderEvent
from platform_core.deadlines.services import deadlines_sweep
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory
from tests.factories.merchants import PlatformAgreementFactory
from tests.factories.orders import checkout, pending_order, shop, sku_for_sale

pytestmark = pytest.mark.django_db

SHIPPING = {"shipping_name": "李四", "shipping_phone": "13900000000", "shipping_address": "上海市浦东新区1号"}


def test_ord_1_checkout_through_the_api_makes_one_order_per_merchant_with_snapshots() -> None:
    cup = sku_for_sale(price="59.00", stock=5, title="保温杯")
    tea = sku_for_sale(merchant=shop(), price="30.50", stock=5, title="龙井茶")
    PlatformAgreementFactory(version="2.0")  # in force (merchants accept it within its notice period)
    customer = CustomerFactory()
    client = client_for(customer)
    assert client.post("/api/v1/cart/", {"sku": cup.pk, "quantity": 2}, format="json").status_code == 200
    assert client.post("/api/v1/cart/", {"sku": tea.pk, "quantity": 1}, format="json").status_code == 200
    cart = client.get("/api/v1/cart/").json()
    assert Decimal(cart["total"]) == Decimal("148.50")

    response = client.post(
        "/api/v1/checkout/",
        {**SHIPPING, "expected_total": "148.50"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="co-1",
    )
    assert response.status_code == 201, response.content
    orders = response.json()
    assert sorted(Decimal(o["total"]) for o in orders) == [Decimal("30.50"), Decimal("118.00")]
    assert {o["status"] for o in orders} == {"pending_payment"}
    cup_order = next(o for o in orders if o["merchant"] == cup.listing.merchant_id)
    assert cup_order["lines"][0]["title"] == "保温杯"
    assert Decimal(cup_order["lines"][0]["unit_price"]) == Decimal("59.00")
    # stock reserved, cart emptied
    cup.refresh_from_db()
    assert cup.stock == 3
    assert client.get("/api/v1/cart/").json()["items"] == []
    # same key: the same answer, no second set of orders
    again = client.post(
        "/api/v1/checkout/",
        {**SHIPPING, "expected_total": "148.50"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="co-1",
    )
    assert again.json() == orders
    assert Order.objects.filter(customer=customer).count() == 2

    # the contract is retrievable by both parties, and records the agreement and after-sales terms
    contract = client.get(f"/api/v1/orders/{cup_order['id']}/contract/").json()
    assert contract["agreement"]["version"] == "2.0"
    assert contract["terms"]["ship_within_hours"] == 72
    assert contract["lines"][0]["no_reason_return"] is True
    merchant_view = client_for(cup.listing.merchant.owner).get(f"/api/v1/orders/{cup_order['id']}/contract/")
    assert merchant_view.status_code == 200
    html = client.get(f"/api/v1/orders/{cup_order['id']}/contract/?render=html")
    assert "保温杯" in html.content.decode()
    # later price changes do not touch the snapshot
    Sku.objects.filter(pk=cup.pk).update(price=Decimal("99.00"))
    detail = client.get(f"/api/v1/orders/{cup_order['id']}/").json()
    assert Decimal(detail["lines"][0]["unit_price"]) == Decimal("59.00")
    assert detail["events"][0]["action"] == "placed"


def test_ord_1_checkout_requires_an_idempotency_key_and_sees_only_own_orders() -> None:
    sku = sku_for_sale()
    client = client_for(CustomerFactory())
    client.post("/api/v1/cart/", {"sku": sku.pk, "quantity": 1}, format="json")
    assert client.post("/api/v1/checkout/", SHIPPING, format="json").status_code == 400
    order = pending_order()
    assert client.get(f"/api/v1/orders/{order.pk}/").status_code == 404
    assert client.get("/api/v1/orders/").json()["count"] == 0


def test_ord_1_out_of_stock_reserves_nothing() -> None:
    plenty = sku_for_sale(stock=5)
    scarce = sku_for_sale(merchant=shop(), stock=1)
    client = client_for(CustomerFactory())
    client.post("/api/v1/cart/", {"sku": plenty.pk, "quantity": 2}, format="json")
    client.post("/api/v1/cart/", {"sku": scarce.pk, "quantity": 2}, format="json")
    response = client.post("/api/v1/checkout/", SHIPPING, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 409
    plenty.refresh_from_db()
    scarce.refresh_from_db()
    assert (plenty.stock, scarce.stock) == (5, 1)
    assert Order.objects.count() == 0


def test_ord_1_price_change_since_the_cart_was_shown_is_refused() -> None:
    sku = sku_for_sale(price="10.00")
    client = client_for(CustomerFactory())
    client.post("/api/v1/cart/", {"sku": sku.pk, "quantity": 1}, format="json")
    Sku.objects.filter(pk=sku.pk).update(price=Decimal("12.00"))
    response = client.post(
        "/api/v1/checkout/", {**SHIPPING, "expected_total": "10.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "price_changed"


def test_ord_1_cart_change_and_remove() -> None:
    sku = sku_for_sale()
    client = client_for(CustomerFactory())
    client.post("/api/v1/cart/", {"sku": sku.pk, "quantity": 1}, format="json")
    assert (
        client.patch(f"/api/v1/cart/items/{sku.pk}/", {"quantity": 3}, format="json").json()["items"][0][
            "quantity"
        ]
        == 3
    )
    assert client.delete(f"/api/v1/cart/items/{sku.pk}/").json()["items"] == []


def test_ord_3_unpaid_cancelled_after_30_minutes_stock_released(time_machine) -> None:
    sku = sku_for_sale(stock=4)
    order = pending_order(sku=sku, quantity=3)
    sku.refresh_from_db()
    assert sku.stock == 1
    time_machine.move_to(order.created_at + timedelta(minutes=29))
    deadlines_sweep()
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    time_machine.move_to(order.created_at + timedelta(minutes=30, seconds=1))
    deadlines_sweep()
    order.refresh_from_db()
    sku.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert sku.stock == 4
    event = OrderEvent.objects.get(order=order, action="cancelled")
    assert event.actor is None and event.from_status == "pending_payment" and event.reason
    deadlines_sweep()  # idempotent: the stock is released once
    sku.refresh_from_db()
    assert sku.stock == 4


def test_ord_2_invalid_transition_is_refused_with_a_clear_error() -> None:
    order = pending_order()
    with pytest.raises(TransitionNotAllowed):
        order.ship(carrier="sf", tracking_number="1")
    client = client_for(order.merchant.owner)
    response = client.post(
        f"/api/v1/merchant/orders/{order.pk}/ship/", {"carrier": "sf", "tracking_number": "1"}, format="json"
    )
    assert response.status_code == 409


def test_ord_1_checkout_of_several_skus_of_one_merchant_is_one_order() -> None:
    merchant = shop()
    a, b = sku_for_sale(merchant=merchant, price="1.00"), sku_for_sale(merchant=merchant, price="2.00")
    orders = checkout(items=[(a, 1), (b, 2)])
    assert len(orders) == 1
    assert orders[0].total == Decimal("5.00")
    assert orders[0].lines.count() == 2


def test_ord_1_order_lists_have_a_query_budget() -> None:
    from tests.conftest import assert_max_queries

    customer = CustomerFactory()
    merchant = shop()
    sku = sku_for_sale(merchant=merchant, stock=50)
    for _ in range(6):
        checkout(customer=customer, items=[(sku, 1)])
    customer_client, merchant_client = client_for(customer), client_for(merchant.owner)
    with assert_max_queries(8):
        assert customer_client.get("/api/v1/orders/").json()["count"] == 6
    with assert_max_queries(10):
        assert merchant_client.get("/api/v1/merchant/orders/").json()["count"] == 6
