"""ORD-4: the 72-hour shipping rule, enforced by the system at the deadline; shipping through the API."""

from datetime import timedelta
from decimal import Decimal

import pytest

from merchants.selectors.standing import merchant_deposit_balance
from orders.deadlines import ship_by_missed
from orders.models import Order, OrderEvent, Refund
from orders.selectors.money import order_escrow_account, order_refunded_amount
from orders.services.fulfilment import late_shipment_compensation_amount
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadlines_sweep
from platform_core.ledger.models import AccountKind, LedgerEntry
from platform_core.notifications.models import Notification
from tests.conftest import client_for
from tests.factories.orders import paid_order, shop, sku_for_sale

pytestmark = pytest.mark.django_db


def _customer_payouts(order: Order) -> Decimal:
    """What went out to the customer through refunds clearing for this order (refunds + compensation)."""
    entries = LedgerEntry.objects.filter(
        account__kind=AccountKind.REFUNDS_CLEARING, transaction__subject_id=order.pk
    ).values_list("amount", flat=True)
    return sum(entries, Decimal("0.00"))


def test_ord_4_late_shipment_at_72h_plus_1s_compensates_and_allows_cancel(time_machine) -> None:
    order = paid_order(sku=sku_for_sale(price="200.00"))
    merchant = order.merchant
    deposit_before = merchant_deposit_balance(merchant=merchant)
    assert order.ship_by == order.paid_at + timedelta(hours=72)  # type: ignore[operator]

    time_machine.move_to(order.paid_at + timedelta(hours=71, minutes=59))  # type: ignore[operator]
    deadlines_sweep()
    order.refresh_from_db()
    assert not order.customer_may_cancel_with_refund

    time_machine.move_to(order.paid_at + timedelta(hours=72, seconds=1))  # type: ignore[operator]
    deadlines_sweep()  # the system acts: nobody pressed anything
    order.refresh_from_db()
    assert order.customer_may_cancel_with_refund
    assert merchant.violations.filter(kind="late_shipment").count() == 1
    compensation = Decimal("10.00")  # 5 % of 200
    assert late_shipment_compensation_amount(order.total) == compensation
    assert merchant_deposit_balance(merchant=merchant) == deposit_before - compensation
    assert _customer_payouts(order) == compensation  # deposit → compensation → paid out to the customer
    assert OrderEvent.objects.filter(order=order, action="ship_by_missed", actor=None).exists()
    assert Deadline.objects.get(rule="orders.ship_by", subject_id=str(order.pk)).status == "enforced"

    deadlines_sweep()  # idempotent: nothing more happens
    assert merchant.violations.count() == 1
    assert merchant_deposit_balance(merchant=merchant) == deposit_before - compensation

    # the customer may now cancel with an immediate full refund from escrow
    response = client_for(order.customer).post(
        f"/api/v1/orders/{order.pk}/cancel/",
        {"reason": "not shipped in time"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="cancel-1",
    )
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order_refunded_amount(order=order) == order.total
    assert order_escrow_account(order=order).balance == 0
    assert Refund.objects.get(order=order, kind=Refund.Kind.REFUND).status == Refund.Status.SUCCEEDED


def test_ord_4_late_shipment_handler_acts_once_by_its_own_guard_when_fired_twice(time_machine) -> None:
    """The handler itself refuses a second run (not only the deadline engine): firing it twice — a retried
    task, a re-opened clock — records one violation, one compensation, one event and one notice."""
    order = paid_order(sku=sku_for_sale(price="200.00"))
    merchant = order.merchant
    deposit_before = merchant_deposit_balance(merchant=merchant)
    time_machine.move_to(order.paid_at + timedelta(hours=72, seconds=1))  # type: ignore[operator]

    ship_by_missed(order)  # straight to the handler, bypassing the engine's own bookkeeping
    ship_by_missed(Order.objects.get(pk=order.pk))

    order.refresh_from_db()
    assert order.customer_may_cancel_with_refund
    assert merchant.violations.filter(kind="late_shipment").count() == 1
    assert merchant_deposit_balance(merchant=merchant) == deposit_before - Decimal("10.00")
    assert _customer_payouts(order) == Decimal("10.00")
    assert OrderEvent.objects.filter(order=order, action="ship_by_missed").count() == 1
    assert Notification.objects.filter(recipient=order.customer, event="order_ship_by_missed").count() == 1


def test_pay_7_customer_cancel_and_refund_requires_idempotency_key_and_replays(time_machine) -> None:
    order = paid_order(sku=sku_for_sale(price="200.00"))
    time_machine.move_to(order.paid_at + timedelta(hours=72, seconds=1))  # type: ignore[operator]
    deadlines_sweep()  # ORD-4: the customer may now cancel with a full refund
    client = client_for(order.customer)
    url = f"/api/v1/orders/{order.pk}/cancel/"

    missing = client.post(url, {"reason": "not shipped in time"}, format="json")
    assert missing.status_code == 400, missing.content
    assert "Idempotency-Key" in missing.json()["errors"]
    order.refresh_from_db()
    assert order.status == Order.Status.PAID  # nothing moved without a key
    assert not Refund.objects.filter(
        order=order, kind=Refund.Kind.REFUND
    ).exists()  # ORD-4's compensation only

    first = client.post(url, {"reason": "not shipped in time"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 200, first.content
    assert "Idempotent-Replayed" not in first
    again = client.post(url, {"reason": "not shipped in time"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content  # the first result, not a 409 for an already cancelled order
    assert Refund.objects.filter(order=order, kind=Refund.Kind.REFUND).count() == 1
    assert order_refunded_amount(order=order) == order.total


def test_ord_4_compensation_is_bounded_by_min_and_max(settings) -> None:
    assert late_shipment_compensation_amount(Decimal("20.00")) == Decimal("5.00")
    assert late_shipment_compensation_amount(Decimal("2000.00")) == Decimal("30.00")
    settings.ORDERS_LATE_SHIPMENT_COMPENSATION = {
        "rate": Decimal("0.10"),
        "min": Decimal("1.00"),
        "max": Decimal("50.00"),
    }
    assert late_shipment_compensation_amount(Decimal("200.00")) == Decimal("20.00")


def test_ord_4_customer_cannot_cancel_a_paid_order_before_the_deadline() -> None:
    order = paid_order()
    response = client_for(order.customer).post(
        f"/api/v1/orders/{order.pk}/cancel/", {"reason": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="c"
    )
    assert response.status_code == 409
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_ord_4_shipping_in_time_meets_the_deadline_and_nothing_happens_later(time_machine) -> None:
    order = paid_order()
    client = client_for(order.merchant.owner)
    response = client.post(
        f"/api/v1/merchant/orders/{order.pk}/ship/",
        {"carrier": "sandbox", "tracking_number": "SF1"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "shipped"
    time_machine.move_to(order.paid_at + timedelta(hours=73))  # type: ignore[operator]
    deadlines_sweep()
    order.refresh_from_db()
    assert not order.customer_may_cancel_with_refund
    assert order.merchant.violations.count() == 0
    assert Deadline.objects.get(rule="orders.ship_by", subject_id=str(order.pk)).status == "met"


def test_ord_4_merchant_lists_orders_to_ship_soonest_first_and_ships_in_bulk(time_machine) -> None:
    merchant = shop()
    sku = sku_for_sale(merchant=merchant, stock=10)
    first = paid_order(sku=sku)
    time_machine.move_to(first.paid_at + timedelta(hours=1))  # type: ignore[operator]
    second = paid_order(sku=sku)
    other_shop_order = paid_order()
    client = client_for(merchant.owner)
    listed = client.get("/api/v1/merchant/orders/?to_ship=true").json()["results"]
    assert [o["id"] for o in listed] == [first.pk, second.pk]
    response = client.post(
        "/api/v1/merchant/orders/ship/",
        {
            "items": [
                {"order_id": first.pk, "carrier": "sandbox", "tracking_number": "A"},
                {"order_id": other_shop_order.pk, "carrier": "sandbox", "tracking_number": "B"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200
    assert [r["ok"] for r in response.json()] == [True, False]
    assert client.get("/api/v1/merchant/orders/?to_ship=true").json()["count"] == 1
    # another shop's order is not found for this merchant
    assert (
        client.post(
            f"/api/v1/merchant/orders/{other_shop_order.pk}/ship/",
            {"carrier": "s", "tracking_number": "1"},
            format="json",
        ).status_code
        == 404
    )


def test_ord_2_merchant_cancels_a_paid_order_with_full_refund_and_stock_back() -> None:
    sku = sku_for_sale(stock=3)
    order = paid_order(sku=sku, quantity=2)
    response = client_for(order.merchant.owner).post(
        f"/api/v1/merchant/orders/{order.pk}/cancel/",
        {"reason": "out of stock"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="m1",
    )
    assert response.status_code == 200, response.content
    sku.refresh_from_db()
    assert sku.stock == 3
    assert order_refunded_amount(order=order) == order.total
    event = OrderEvent.objects.get(order=order, action="cancelled")
    assert (event.actor, event.from_status, event.to_status, event.reason) == (
        order.merchant.owner,
        "paid",
        "cancelled",
        "out of stock",
    )


def test_sec_2_customer_phone_masked_in_merchant_order_view() -> None:
    order = paid_order()
    merchant_client = client_for(order.merchant.owner)

    listed = merchant_client.get("/api/v1/merchant/orders/").json()["results"][0]

    assert listed["shipping_phone"] == "138****0000"
    assert listed["shipping_name"] != "张三" and listed["shipping_name"].startswith("张")
    assert "13800000000" not in merchant_client.get("/api/v1/merchant/orders/").content.decode()
    # the customer, the data subject, sees their own number
    own = client_for(order.customer).get(f"/api/v1/orders/{order.pk}/").json()
    assert own["shipping_phone"] == "13800000000"
