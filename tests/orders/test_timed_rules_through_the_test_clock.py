"""Issue 24, decision 026: the timed rules watched happen through the sandbox test clock, over HTTP only.

A customer buys and pays through the API, the shop acts (or does not) through its API, and staff advance
the platform's clock with ``POST /api/v1/sandbox/clock/advance``: what falls due on the way is enforced
at its due time, and the parties see the result through their API. No test moves the time itself.
"""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from orders.logistics import sandbox_webhook
from platform_core import clock
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory
from tests.factories.orders import shop, shop_category, sku_for_sale
from tests.platform_core.sandbox.helpers import advance, paid_order_over_http

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _test_clock_on(settings) -> None:
    settings.PLATFORM_TEST_CLOCK_ENABLED = True


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _shop_and_customer(*, price: str = "200.00", commission: str = "0.0500"):
    merchant = shop(shop_category(commission_rate=commission))
    sku = sku_for_sale(merchant=merchant, price=price, stock=5)
    return merchant, sku, client_for(CustomerFactory())


def _ship_and_deliver(merchant, order_id: int, tracking: str) -> None:
    shipped = client_for(merchant.owner).post(
        f"/api/v1/merchant/orders/{order_id}/ship/",
        {"carrier": "sandbox", "tracking_number": tracking},
        format="json",
    )
    assert shipped.status_code == 200, shipped.content
    headers, body = sandbox_webhook(
        event_id=f"{tracking}-delivered",
        tracking_number=tracking,
        kind="delivered",
        at=clock.now(),
        location="北京",
    )
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
    delivered = APIClient().generic(
        "POST", "/api/v1/logistics/callbacks/sandbox/", body, content_type="application/json", **extra
    )
    assert delivered.status_code == 200, delivered.content


def test_ord_4_paid_order_not_shipped_in_72_hours_compensated_and_merchant_penalised_on_the_test_clock() -> (
    None
):
    merchant, sku, customer = _shop_and_customer(price="200.00")
    owner = client_for(merchant.owner)
    deposit_before = Decimal(owner.get("/api/v1/merchant/").json()["deposit_balance"])
    order = paid_order_over_http(customer, sku, key="ord4")

    early = advance(71)
    assert early["deadlines_enforced"] == 0
    assert customer.get(f"/api/v1/orders/{order['id']}/").json()["customer_may_cancel_with_refund"] is False

    advance(2)  # past 72 hours after payment
    seen = customer.get(f"/api/v1/orders/{order['id']}/").json()
    assert seen["customer_may_cancel_with_refund"] is True
    missed = [e for e in seen["events"] if e["action"] == "ship_by_missed"]
    assert len(missed) == 1
    assert _at(missed[0]["at"]) >= _at(order["ship_by"])  # enforced at its due time on the platform's clock
    standing = owner.get("/api/v1/merchant/standing/").json()
    assert [v["kind"] for v in standing["violations"]] == ["late_shipment"]
    compensation = Decimal("10.00")  # 5% of 200.00 (min 5, max 30)
    assert Decimal(owner.get("/api/v1/merchant/").json()["deposit_balance"]) == deposit_before - compensation
    # the customer takes the full refund the missed deadline allows
    cancelled = customer.post(
        f"/api/v1/orders/{order['id']}/cancel/",
        {"reason": "迟迟不发货"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="c1",
    )
    assert cancelled.status_code == 200, cancelled.content
    assert customer.get(f"/api/v1/orders/{order['id']}/").json()["refunded_amount"] == "200.00"


def test_ord_6_delivered_order_auto_confirms_10_days_after_shipping_on_the_test_clock() -> None:
    merchant, sku, customer = _shop_and_customer()
    order = paid_order_over_http(customer, sku, key="ord6")
    _ship_and_deliver(merchant, order["id"], "SBXORD6")
    assert customer.get(f"/api/v1/orders/{order['id']}/").json()["status"] == "delivered"

    advance(24 * 10 - 1)
    assert customer.get(f"/api/v1/orders/{order['id']}/").json()["status"] == "delivered"
    advance(2)
    seen = customer.get(f"/api/v1/orders/{order['id']}/").json()
    assert seen["status"] == "completed"
    assert _at(seen["completed_at"]) - _at(seen["shipped_at"]) >= timedelta(days=10)
    assert _at(seen["completed_at"]) - _at(seen["shipped_at"]) < timedelta(days=10, minutes=1)


def test_afs_3_unanswered_refund_request_approved_after_24_hours_on_the_test_clock() -> None:
    merchant, sku, customer = _shop_and_customer(price="120.00")
    order = paid_order_over_http(customer, sku, key="afs3")
    _ship_and_deliver(merchant, order["id"], "SBXAFS3")
    line = order["lines"][0]["id"]
    opened = customer.post(
        "/api/v1/aftersales/",
        {
            "order": order["id"],
            "line": line,
            "kind": "refund_only",
            "reason_kind": "quality",
            "reason": "杯盖漏水",
            "amount": "40.00",
        },
        format="multipart",
    )
    assert opened.status_code == 201, opened.content
    request_id = opened.json()["id"]

    advance(23)
    assert customer.get(f"/api/v1/aftersales/{request_id}/").json()["status"] == "requested"
    advance(2)
    seen = customer.get(f"/api/v1/aftersales/{request_id}/").json()
    assert seen["status"] == "refunded"
    assert seen["auto_approved"] is True
    assert customer.get(f"/api/v1/orders/{order['id']}/").json()["refunded_amount"] == "40.00"
    merchant_view = client_for(merchant.owner).get("/api/v1/merchant/standing/").json()
    assert "aftersales_sla_missed" in [v["kind"] for v in merchant_view["violations"]]


def test_pay_4_order_settles_and_is_paid_out_after_its_aftersales_window_on_the_test_clock() -> None:
    merchant, sku, customer = _shop_and_customer(price="150.00", commission="0.0600")
    owner = client_for(merchant.owner)
    order = paid_order_over_http(customer, sku, key="pay4")
    _ship_and_deliver(merchant, order["id"], "SBXPAY4")
    confirmed = customer.post(f"/api/v1/orders/{order['id']}/confirm-receipt/")
    assert confirmed.status_code == 200, confirmed.content
    assert owner.get("/api/v1/merchant/statements/").json()["results"] == []

    result = advance(24 * 16)  # past the 15-day after-sales window, then the next midnight's payout run
    assert result["days_started"], result
    statements = owner.get("/api/v1/merchant/statements/").json()["results"]
    assert len(statements) == 1, statements
    assert Decimal(statements[0]["net"]) == Decimal("141.00")  # 150.00 less 6% commission
    assert Decimal(statements[0]["commission"]) == Decimal("9.00")
