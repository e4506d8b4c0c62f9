"""PAY-3: Alipay (RSA2) and WeChat Pay (v3: SHA256withRSA headers, AEAD_AES_256_GCM resource) notifications
are verified for real; a tampered, foreign, stale or wrong-amount notification moves no money and is logged."""

import json
from decimal import Decimal

import pytest
from django.contrib import admin

from orders.admin.money import PaymentAdmin
from orders.models import Order, Payment, PaymentCallbackLog
from orders.payments.alipay import sign_string
from orders.payments.sandbox import sandbox_complete, sandbox_payer_account
from orders.selectors.money import order_paid_amount
from platform_core.ledger.models import LedgerTransaction, TransactionKind
from tests.factories.merchants import MerchantFactory
from tests.factories.orders import deposit_paid, pending_order
from tests.orders import provider_keys as keys

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _provider_keys(settings) -> None:
    keys.configure(settings)


def _provider_payment(provider: str) -> Payment:
    """An order with a payment opened at ``provider`` (its cashier cannot be called here, so the row the
    gateway would have written is made directly)."""
    order = pending_order()
    return Payment.objects.create(
        order=order, provider=provider, amount=order.total, out_trade_no=f"{order.number}P1"
    )


def _post(api_client, provider: str, body: bytes, headers: dict[str, str] | None = None, form: bool = False):
    return api_client.generic(
        "POST",
        f"/api/v1/payments/callbacks/{provider}/",
        body,
        content_type="application/x-www-form-urlencoded" if form else "application/json",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in (headers or {}).items()},
    )


def _moved(order: Order) -> int:
    return LedgerTransaction.objects.filter(kind=TransactionKind.PAYMENT, subject_id=order.pk).count()


def _last_log() -> PaymentCallbackLog:
    log = PaymentCallbackLog.objects.order_by("-pk").first()
    assert log is not None
    return log


# --- Alipay ----------------------------------------------------------------------------------------


def test_pay_3_alipay_sign_string_excludes_sign_and_empties() -> None:
    assert sign_string({"b": "2", "a": "1", "sign": "x", "sign_type": "RSA2", "c": ""}) == "a=1&b=2"


def test_pay_3_alipay_signed_notification_posts_the_payment_once(api_client) -> None:
    payment = _provider_payment("alipay")
    body = keys.alipay_body(
        keys.alipay_notification(out_trade_no=payment.out_trade_no, amount=payment.amount)
    )
    first, second = _post(api_client, "alipay", body, form=True), _post(api_client, "alipay", body, form=True)
    assert (first.status_code, first.content, second.status_code) == (200, b"success", 200)
    order = Order.objects.get(pk=payment.order_id)
    assert order.status == Order.Status.PAID
    assert order_paid_amount(order=order) == order.total
    assert _moved(order) == 1
    assert list(PaymentCallbackLog.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "accepted",
        "duplicate",
    ]


def test_pay_3_alipay_bad_signature_moves_no_money(api_client) -> None:
    payment = _provider_payment("alipay")
    params = keys.alipay_notification(out_trade_no=payment.out_trade_no, amount=payment.amount)
    tampered = {**params, "total_amount": "0.01"}  # changed after Alipay signed it
    impostor = keys.alipay_notification(
        out_trade_no=payment.out_trade_no, amount=payment.amount, signer="impostor"
    )
    unsigned = {k: v for k, v in params.items() if k != "sign"}
    for fields in (tampered, impostor, unsigned):
        response = _post(api_client, "alipay", keys.alipay_body(fields), form=True)
        assert response.status_code == 400 and response.json()["code"] == "callback_rejected"
        log = _last_log()
        assert log.outcome == PaymentCallbackLog.Outcome.REJECTED and log.payment_id is None
    assert _last_log().error == "missing sign"
    assert PaymentCallbackLog.objects.filter(error="bad signature").count() == 2
    assert _moved(payment.order) == 0
    assert Order.objects.get(pk=payment.order_id).status == Order.Status.PENDING_PAYMENT


def test_pay_3_alipay_wrong_amount_is_refused(api_client) -> None:
    payment = _provider_payment("alipay")
    params = keys.alipay_notification(out_trade_no=payment.out_trade_no, amount=payment.amount - Decimal("1"))
    response = _post(api_client, "alipay", keys.alipay_body(params), form=True)
    assert response.status_code == 400 and response.json()["code"] == "amount_mismatch"
    assert _last_log().payment_id == payment.pk and _moved(payment.order) == 0


def test_pay_3_alipay_refuses_without_a_configured_key(api_client, settings) -> None:
    settings.ORDERS_ALIPAY_PUBLIC_KEY = ""
    payment = _provider_payment("alipay")
    body = keys.alipay_body(
        keys.alipay_notification(out_trade_no=payment.out_trade_no, amount=payment.amount)
    )
    assert _post(api_client, "alipay", body, form=True).status_code == 400
    assert _moved(payment.order) == 0


# --- WeChat Pay v3 ---------------------------------------------------------------------------------


def test_pay_3_wechat_pay_v3_notification_verified_decrypted_and_posted_once(api_client) -> None:
    payment = _provider_payment("wechat_pay")
    headers, body = keys.wechat_notification(out_trade_no=payment.out_trade_no, amount=payment.amount)
    first, second = (
        _post(api_client, "wechat_pay", body, headers),
        _post(api_client, "wechat_pay", body, headers),
    )
    assert (first.status_code, second.status_code) == (200, 200)
    assert json.loads(first.content)["code"] == "SUCCESS"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.provider_trade_no == "4200001234202603100000000001"
    assert _moved(payment.order) == 1
    assert Order.objects.get(pk=payment.order_id).status == Order.Status.PAID
    log = PaymentCallbackLog.objects.filter(outcome="accepted").get()
    assert "Wechatpay-Signature" in log.headers


def test_pay_3_wechat_pay_tampered_foreign_or_stale_notification_moves_no_money(api_client) -> None:
    payment = _provider_payment("wechat_pay")
    headers, body = keys.wechat_notification(out_trade_no=payment.out_trade_no, amount=payment.amount)
    envelope = json.loads(body)
    envelope["summary"] = "tampered"
    tampered = json.dumps(envelope).encode()
    impostor = keys.wechat_notification(
        out_trade_no=payment.out_trade_no, amount=payment.amount, signer="impostor"
    )
    stale = keys.wechat_notification(out_trade_no=payment.out_trade_no, amount=payment.amount, timestamp=1)
    other_serial = {**headers, "Wechatpay-Serial": "0000"}
    for sent_headers, sent_body, error in (
        (headers, tampered, "bad signature"),
        (impostor[0], impostor[1], "bad signature"),
        (stale[0], stale[1], "stale notification"),
        (other_serial, body, "signed with an unknown platform certificate"),
        ({}, body, "missing Wechatpay-* signature headers"),
    ):
        response = _post(api_client, "wechat_pay", sent_body, sent_headers)
        assert response.status_code == 400, error
        log = _last_log()
        assert (log.outcome, log.error) == (PaymentCallbackLog.Outcome.REJECTED, error)
    assert _moved(payment.order) == 0


def test_pay_3_wechat_pay_resource_under_another_apiv3_key_is_refused(api_client, settings) -> None:
    payment = _provider_payment("wechat_pay")
    headers, body = keys.wechat_notification(out_trade_no=payment.out_trade_no, amount=payment.amount)
    settings.ORDERS_WECHAT_PAY_APIV3_KEY = "f" * 32
    assert _post(api_client, "wechat_pay", body, headers).status_code == 400
    assert _last_log().error == "resource could not be decrypted"
    assert _moved(payment.order) == 0


def test_pay_3_wechat_pay_wrong_amount_is_refused(api_client) -> None:
    payment = _provider_payment("wechat_pay")
    headers, body = keys.wechat_notification(
        out_trade_no=payment.out_trade_no, amount=payment.amount + Decimal("0.01")
    )
    response = _post(api_client, "wechat_pay", body, headers)
    assert response.status_code == 400 and response.json()["code"] == "amount_mismatch"
    assert _moved(payment.order) == 0


# --- who paid (REP-2, DSP-6 compare it) ------------------------------------------------------------


def test_pay_3_payer_account_recorded_from_each_provider(api_client) -> None:
    alipay, wechat = _provider_payment("alipay"), _provider_payment("wechat_pay")
    form = keys.alipay_notification(out_trade_no=alipay.out_trade_no, amount=alipay.amount)
    assert _post(api_client, "alipay", keys.alipay_body(form), form=True).status_code == 200
    headers, body = keys.wechat_notification(out_trade_no=wechat.out_trade_no, amount=wechat.amount)
    assert _post(api_client, "wechat_pay", body, headers).status_code == 200
    # the sandbox: the customer pays from one account every time, unless told to pay from another
    first = _provider_payment("sandbox")
    customer = Order.objects.get(pk=first.order_id).customer
    second, third = (
        Payment.objects.create(
            order=order, provider="sandbox", amount=order.total, out_trade_no=f"{order.number}P1"
        )
        for order in (pending_order(customer=customer), pending_order(customer=customer))
    )
    for payment, account in ((first, None), (second, None), (third, "sbx-borrowed-card")):
        headers, body = sandbox_complete(payment, payer_account=account)
        assert _post(api_client, "sandbox", body, headers).status_code == 200
    recorded = dict(
        Payment.objects.filter(status=Payment.Status.SUCCEEDED).values_list("out_trade_no", "payer_account")
    )
    own = sandbox_payer_account(customer.pk)
    assert recorded == {
        alipay.out_trade_no: "2088102177846880",  # buyer_id, not the masked buyer_logon_id
        wechat.out_trade_no: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        first.out_trade_no: own,
        second.out_trade_no: own,
        third.out_trade_no: "sbx-borrowed-card",
    }
    assert own != sandbox_payer_account(customer.pk + 1)  # one account per paying user
    # a deposit payment records the shop's own account
    shop = MerchantFactory.create()
    deposit = deposit_paid(shop)
    assert deposit.status == Payment.Status.SUCCEEDED
    assert deposit.payer_account == sandbox_payer_account(shop.owner_id)
    # shown masked in the admin
    assert PaymentAdmin(Payment, admin.site).payer_account_masked(alipay) == ""  # not refreshed: not paid yet
    alipay.refresh_from_db()
    assert PaymentAdmin(Payment, admin.site).payer_account_masked(alipay) == "**** 6880"
