"""PAY-3: payments through the gateway: verified, amount-checked, posted to escrow exactly once."""

import json
import threading
from decimal import Decimal

import pytest
from django.db import connection

from orders.models import Order, Payment, PaymentCallbackLog
from orders.payments.sandbox import SIGNATURE_HEADER, sandbox_complete, sign
from orders.selectors.money import order_escrow_account, order_paid_amount
from platform_core.deadlines.models import Deadline
from platform_core.ledger.models import LedgerTransaction, TransactionKind
from tests.conftest import client_for
from tests.factories.orders import pending_order, start_payment

CALLBACK = "/api/v1/payments/callbacks/sandbox/"


def _post_callback(client, headers: dict[str, str], body: bytes):
    return client.generic(
        "POST",
        CALLBACK,
        body,
        content_type="application/json",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"},
    )


def _payment_transactions(order: Order) -> int:
    return LedgerTransaction.objects.filter(kind=TransactionKind.PAYMENT, subject_id=order.pk).count()


@pytest.mark.django_db
def test_pay_3_pay_through_the_api_and_the_sandbox_callback(api_client) -> None:
    order = pending_order()
    client = client_for(order.customer)
    response = client.post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "sandbox"}, format="json", HTTP_IDEMPOTENCY_KEY="p1"
    )
    assert response.status_code == 201, response.content
    payload = response.json()["payload"]
    assert payload["pay_url"] and payload["qr_code"]
    payment = Payment.objects.get(out_trade_no=response.json()["out_trade_no"])
    headers, body = sandbox_complete(payment)
    first = _post_callback(api_client, headers, body)
    second = _post_callback(api_client, headers, body)
    assert (first.status_code, second.status_code) == (200, 200)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order_paid_amount(order=order) == order.total
    assert order_escrow_account(order=order).balance == order.total  # type: ignore[union-attr]
    assert _payment_transactions(order) == 1
    outcomes = list(PaymentCallbackLog.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["accepted", "duplicate"]
    # ORD-4: paying starts the 72 h ship-by clock; the payment clock is met
    assert Deadline.objects.get(rule="orders.ship_by", subject_id=str(order.pk)).due_at == order.ship_by
    assert Deadline.objects.get(rule="orders.payment_timeout", subject_id=str(order.pk)).status == "met"


@pytest.mark.django_db
def test_pay_3_wrong_amount_or_bad_signature_moves_no_money(api_client) -> None:
    order = pending_order()
    payment = start_payment(order)
    # a correctly signed notification for the wrong amount
    headers, body = sandbox_complete(payment, amount=order.total - Decimal("0.01"))
    wrong_amount = _post_callback(api_client, headers, body)
    # the right amount, tampered with after signing
    headers, body = sandbox_complete(payment)
    forged = json.loads(body)
    forged["total_amount"] = "0.01"
    bad_signature = _post_callback(api_client, headers, json.dumps(forged).encode())
    unsigned = _post_callback(api_client, {}, body)

    assert (wrong_amount.status_code, bad_signature.status_code, unsigned.status_code) == (400, 400, 400)
    assert wrong_amount.json()["code"] == "amount_mismatch"
    assert bad_signature.json()["code"] == "callback_rejected"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order_paid_amount(order=order) == Decimal("0.00")
    assert _payment_transactions(order) == 0
    logs = list(PaymentCallbackLog.objects.order_by("pk"))
    assert [log.outcome for log in logs] == ["rejected"] * 3
    assert "amount_mismatch" in logs[0].error and "signature" in logs[1].error
    assert logs[1].body  # what was received is kept as evidence


@pytest.mark.django_db
def test_pay_3_payment_after_cancellation_is_refunded_at_once(api_client) -> None:
    from orders.selectors.money import order_refunded_amount
    from orders.services.refunds import order_cancel

    order = pending_order()
    payment = start_payment(order)
    order_cancel(order=order, reason="changed my mind", actor=order.customer)
    headers, body = sandbox_complete(payment)
    assert _post_callback(api_client, headers, body).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order_paid_amount(order=order) == order_refunded_amount(order=order) == order.total
    assert order_escrow_account(order=order).balance == 0  # type: ignore[union-attr]


@pytest.mark.django_db
def test_pay_3_failed_payment_leaves_the_order_unpaid(api_client) -> None:
    order = pending_order()
    payment = start_payment(order)
    headers, body = sandbox_complete(payment, succeeded=False)
    assert _post_callback(api_client, headers, body).status_code == 200
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert order.status == Order.Status.PENDING_PAYMENT


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_pay_3_twenty_concurrent_duplicate_callbacks_move_money_once() -> None:
    from django.test import Client

    order = pending_order()
    payment = start_payment(order)
    headers, body = sandbox_complete(payment)
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    lock = threading.Lock()

    def deliver() -> None:
        try:
            barrier.wait()
            response = _post_callback(Client(), headers, body)
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 20
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert _payment_transactions(order) == 1
    assert order_escrow_account(order=order).balance == order.total  # type: ignore[union-attr]
    outcomes = list(PaymentCallbackLog.objects.values_list("outcome", flat=True))
    assert sorted(outcomes) == ["accepted"] + ["duplicate"] * 19


def test_pay_3_sandbox_signature_is_hmac_sha256_of_the_body(settings) -> None:
    import hashlib
    import hmac

    settings.ORDERS_PAYMENT_SANDBOX_KEY = "k"
    assert sign(b"x") == hmac.new(b"k", b"x", hashlib.sha256).hexdigest()
    assert SIGNATURE_HEADER == "X-Sandbox-Signature"


def test_pay_3_alipay_sign_string_excludes_sign_and_empties() -> None:
    from orders.payments.alipay import sign_string

    assert sign_string({"b": "2", "a": "1", "sign": "x", "sign_type": "RSA2", "c": ""}) == "a=1&b=2"


@pytest.mark.django_db
def test_pay_3_sandbox_cashier_can_be_told_to_fail_or_duplicate(
    settings, django_capture_on_commit_callbacks
) -> None:
    from orders.payments.sandbox import sandbox_payer_account
    from orders.services.payments import sandbox_cashier_pay

    settings.ORDERS_PAYMENT_SANDBOX = {**settings.ORDERS_PAYMENT_SANDBOX, "duplicates": 2}
    order = pending_order()
    payment = start_payment(order)
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_cashier_pay(out_trade_no=payment.out_trade_no, actor=order.customer)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert sorted(PaymentCallbackLog.objects.values_list("outcome", flat=True)) == [
        "accepted",
        "duplicate",
        "duplicate",
    ]
    assert _payment_transactions(order) == 1
    # the sandbox paid from the account of who paid at the cashier
    assert Payment.objects.get(order=order).payer_account == sandbox_payer_account(order.customer_id)

    settings.ORDERS_PAYMENT_SANDBOX = {**settings.ORDERS_PAYMENT_SANDBOX, "fail": True}
    failing = pending_order()
    payment = start_payment(failing)
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_cashier_pay(out_trade_no=payment.out_trade_no, actor=failing.customer)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert _payment_transactions(failing) == 0
