"""ORD-1 … ORD-8, PAY-1 … PAY-8 end to end, through the API only, with a real Celery worker and Redis.

The sandbox provider's callbacks are delivered by the worker (asynchronously, twice: the sandbox is set
to duplicate) and once more over HTTP by the test. Time cannot be moved inside the worker process, so
for the 15-day after-sales window the test moves time in its own process (time-machine) and runs the
deadline sweep in-process — the same code the beat task runs in the worker. The payout run is queued to
the worker as the beat would queue it.
"""

import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from orders.logistics import sandbox_webhook
from orders.models import Order, PaymentCallbackLog, Payout
from orders.payments.sandbox import sandbox_complete
from orders.tasks import run_payouts_task
from platform_core.deadlines.services import deadlines_sweep
from platform_core.ledger.models import AccountKind, LedgerTransaction, TransactionKind
from platform_core.ledger.selectors import ledger_transactions_for
from platform_core.ledger.services import ledger_account_for
from tests.conftest import client_for
from tests.factories.orders import shop, shop_category, sku_for_sale


def _wait(condition: Callable[[], bool], what: str, log: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}; worker log: {log}")


def _raw_post(client: APIClient, path: str, headers: dict[str, str], body: bytes):
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
    return client.generic("POST", path, body, content_type="application/json", **extra)


@pytest.mark.celery_worker
def test_ord_pay_end_to_end_checkout_to_payout_through_the_api(celery_worker, settings) -> None:
    settings.ORDERS_PAYMENT_SANDBOX = {
        **settings.ORDERS_PAYMENT_SANDBOX,
        "duplicates": 1,
    }  # the sandbox sends every notification twice
    merchant = shop(shop_category(commission_rate="0.0600"))
    sku_for_sale(merchant=merchant, price="150.00", stock=5, title="端到端保温杯")
    anonymous = APIClient()

    # register and browse
    registered = anonymous.post(
        "/api/v1/auth/register/",
        {"email": "e2e@example.com", "password": "a-long-enough-passphrase", "name": "顾客"},
        format="json",
    )
    assert registered.status_code == 202, registered.content  # no token: sign in (issue 20)
    signed_in = anonymous.post(
        "/api/v1/auth/login/", {"login": "e2e@example.com", "password": "a-long-enough-passphrase"}
    )
    assert signed_in.status_code == 200, signed_in.content
    customer = APIClient()
    customer.credentials(HTTP_AUTHORIZATION=f"Token {signed_in.json()['token']}")
    found = anonymous.get("/api/v1/listings/?q=端到端").json()["results"]
    assert len(found) == 1
    listing = anonymous.get(f"/api/v1/listings/{found[0]['id']}/").json()
    sku_id = listing["skus"][0]["id"]

    # cart and checkout
    assert customer.post("/api/v1/cart/", {"sku": sku_id, "quantity": 1}, format="json").status_code == 200
    checkout = customer.post(
        "/api/v1/checkout/",
        {"shipping_name": "顾客", "shipping_phone": "13800000000", "shipping_address": "北京市1号"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="e2e-checkout",
    )
    assert checkout.status_code == 201, checkout.content
    order_id = checkout.json()[0]["id"]

    # pay via the sandbox: the cashier pays, the worker delivers the callback (twice), and once more by HTTP
    payment = customer.post(
        f"/api/v1/orders/{order_id}/pay/",
        {"provider": "sandbox"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="e2e-pay",
    ).json()
    assert customer.post(f"/api/v1/payments/sandbox/{payment['out_trade_no']}/pay/").status_code == 202
    _wait(
        lambda: PaymentCallbackLog.objects.filter(outcome__in=["accepted", "duplicate"]).count() >= 2,
        "two sandbox callbacks",
        celery_worker.log_path,
    )
    from orders.models import Payment

    headers, body = sandbox_complete(Payment.objects.get(out_trade_no=payment["out_trade_no"]))
    assert _raw_post(anonymous, "/api/v1/payments/callbacks/sandbox/", headers, body).status_code == 200
    assert customer.get(f"/api/v1/orders/{order_id}/").json()["status"] == "paid"
    assert sorted(PaymentCallbackLog.objects.values_list("outcome", flat=True)) == [
        "accepted",
        "duplicate",
        "duplicate",
    ]

    # the merchant ships; the carrier's webhook delivers; the customer confirms
    shop_client = client_for(merchant.owner)
    shipped = shop_client.post(
        f"/api/v1/merchant/orders/{order_id}/ship/",
        {"carrier": "sandbox", "tracking_number": "SBX0001"},
        format="json",
    )
    assert shipped.status_code == 200, shipped.content
    headers, body = sandbox_webhook(
        event_id="e2e-1", tracking_number="SBX0001", kind="delivered", at=timezone.now(), location="北京"
    )
    assert _raw_post(anonymous, "/api/v1/logistics/callbacks/sandbox/", headers, body).status_code == 200
    assert customer.get(f"/api/v1/orders/{order_id}/").json()["status"] == "delivered"
    assert customer.post(f"/api/v1/orders/{order_id}/confirm-receipt/").json()["status"] == "completed"

    # the after-sales window closes: time moves in this process, the sweep runs here
    order = Order.objects.get(pk=order_id)
    with time_machine.travel(order.completed_at + timedelta(days=15, seconds=1), tick=True):
        assert deadlines_sweep() >= 1
    order.refresh_from_db()
    assert order.settled_at is not None

    # the payout run, queued to the worker as beat would
    run_payouts_task.delay()
    _wait(lambda: Payout.objects.filter(merchant=merchant).exists(), "the payout", celery_worker.log_path)
    statements = shop_client.get("/api/v1/merchant/statements/").json()["results"]
    assert Decimal(statements[0]["net"]) == Decimal("141.00")

    # the ledger shows each step, commission included, and verifies clean
    steps = [*ledger_transactions_for(subject=order), *ledger_transactions_for(subject=Payout.objects.get())]
    kinds = [txn.kind for txn in sorted(steps, key=lambda txn: txn.pk)]
    assert kinds == [TransactionKind.PAYMENT, TransactionKind.RELEASE, TransactionKind.PAYOUT]
    release = LedgerTransaction.objects.get(kind=TransactionKind.RELEASE, subject_id=order.pk)
    assert {e.account.kind: e.amount for e in release.entries.all()} == {
        AccountKind.ORDER_ESCROW: Decimal("-150.00"),
        AccountKind.MERCHANT_PAYABLE: Decimal("141.00"),
        AccountKind.PLATFORM_COMMISSION: Decimal("9.00"),
    }
    payable = ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=merchant)
    payable.refresh_from_db()
    assert payable.balance == 0
    call_command("verify_ledger")
