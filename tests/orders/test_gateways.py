"""PAY-3, PAY-5, ORD-4 (decision 029): Alipay and WeChat Pay end to end through their fake gateways — the
customer pays through the API, the gateway's signed notification marks the order paid; refunds and the
late-shipment compensation reach the provider after the commit, exactly once, even when an answer is lost
or the worker dies between the ledger and the provider call."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from orders.models import Order, Payment, PaymentCallbackLog, Refund
from orders.payments.alipay import AlipayProvider
from orders.payments.wechat_pay import WechatPayProvider
from orders.selectors.money import order_paid_amount
from orders.services.refund_dispatch import refunds_sweep
from platform_core.audit.models import AuditEntry
from platform_core.deadlines.services import deadlines_sweep
from tests.conftest import client_for
from tests.factories.orders import pending_order, sku_for_sale
from tests.fakes.alipay import FakeAlipay
from tests.fakes.alipay_transfer import TRANSFER, AlipayTransfers
from tests.fakes.wechat_pay import REFUND, FakeWechatPay
from tests.fakes.wechat_pay_transfer import TRANSFER as WECHAT_TRANSFER
from tests.fakes.wechat_pay_transfer import TRANSFER_QUERY as WECHAT_TRANSFER_QUERY
from tests.fakes.wechat_pay_transfer import WechatTransfers

pytestmark = pytest.mark.django_db

ALIPAY_REFUND, ALIPAY_REFUND_QUERY = "alipay.trade.refund", "alipay.trade.fastpay.refund.query"


def _post_notification(api_client, provider: str, headers: dict[str, str], body: bytes, form: bool):
    return api_client.generic(
        "POST",
        f"/api/v1/payments/callbacks/{provider}/",
        body,
        content_type="application/x-www-form-urlencoded" if form else "application/json",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"},
    )


def _pay_start(order: Order, provider: str) -> dict[str, Any]:
    response = client_for(order.customer).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": provider}, format="json", HTTP_IDEMPOTENCY_KEY="pay-1"
    )
    assert response.status_code == 201, response.content
    return response.json()


def _notify(api_client, fake: FakeAlipay | FakeWechatPay, out_trade_no: str):
    """The gateway's notification of the customer's payment, POSTed to our callback as the gateway does."""
    if isinstance(fake, FakeAlipay):
        return _post_notification(api_client, "alipay", {}, fake.pay(out_trade_no), form=True)
    headers, body = fake.pay(out_trade_no)
    return _post_notification(api_client, "wechat_pay", headers, body, form=False)


@pytest.fixture(params=["alipay", "wechat_pay"])
def gateway(request: pytest.FixtureRequest) -> tuple[str, FakeAlipay | FakeWechatPay]:
    fixture = "fake_alipay" if request.param == "alipay" else "fake_wechat_pay"
    return request.param, request.getfixturevalue(fixture)


def _paid_through(
    api_client, provider: str, fake: FakeAlipay | FakeWechatPay, price: str = "200.00"
) -> Order:
    order = pending_order(sku=sku_for_sale(price=price))
    started = _pay_start(order, provider)
    response = _notify(api_client, fake, started["out_trade_no"])
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return order


def _refunds_at(fake: FakeAlipay | FakeWechatPay, out_trade_no: str) -> list[Decimal]:
    """What the gateway actually refunded on the trade, one entry per refund it holds."""
    if isinstance(fake, FakeAlipay):
        return list(fake.trades[out_trade_no].refunds.values())
    return [Decimal(r.refund) / 100 for r in fake.refunds.values() if r.out_trade_no == out_trade_no]


def _refund_calls(fake: FakeAlipay | FakeWechatPay) -> int:
    return len(fake.calls_to(ALIPAY_REFUND if isinstance(fake, FakeAlipay) else REFUND))


def _settle(fake: FakeAlipay | FakeWechatPay) -> None:
    """WeChat Pay finishes its PROCESSING refunds (Alipay refunds synchronously)."""
    if isinstance(fake, FakeWechatPay):
        fake.complete_refunds()


def _sweep_later(time_machine, minutes: int = 10) -> None:
    time_machine.shift(timedelta(minutes=minutes))
    refunds_sweep()


# --- PAY-3: pay → notification → paid -------------------------------------------------------------------


def test_pay_3_customer_pays_through_the_gateway_and_its_notification_marks_the_order_paid(
    api_client, gateway
) -> None:
    provider, fake = gateway
    order = pending_order(sku=sku_for_sale(price="88.50"))
    started = _pay_start(order, provider)
    assert started["payload"]["qr_code"].startswith(
        "https://qr.alipay.com/" if provider == "alipay" else "weixin://"
    )
    out_trade_no = started["out_trade_no"]
    trade = fake.trades[out_trade_no]
    assert (trade.amount if isinstance(fake, FakeAlipay) else Decimal(trade.total) / 100) == Decimal("88.50")

    first = _notify(api_client, fake, out_trade_no)
    again = _notify(api_client, fake, out_trade_no)  # the gateway repeats its notification
    assert (first.status_code, again.status_code) == (200, 200)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order_paid_amount(order=order) == Decimal("88.50")
    payment = Payment.objects.get(out_trade_no=out_trade_no)
    assert payment.status == Payment.Status.SUCCEEDED and payment.provider_trade_no
    assert list(PaymentCallbackLog.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "accepted",
        "duplicate",
    ]
    state = (AlipayProvider() if provider == "alipay" else WechatPayProvider()).payment_query(payment)
    assert (state.state, state.amount) == ("paid", Decimal("88.50"))


def test_pay_3_a_request_signed_with_another_key_is_refused_by_the_gateway(settings, gateway) -> None:
    """The fakes check our signatures for real: a foreign merchant key opens no trade."""
    provider, fake = gateway
    from simulation.fakes.keys import KeyPair

    stranger = KeyPair.generate().private_pem
    if provider == "alipay":
        settings.ORDERS_ALIPAY_APP_PRIVATE_KEY = stranger
    else:
        settings.ORDERS_WECHAT_PAY_MCH_PRIVATE_KEY = stranger
    order = pending_order()
    response = client_for(order.customer).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": provider}, format="json", HTTP_IDEMPOTENCY_KEY="pay-x"
    )
    assert response.status_code == 422, response.content
    assert fake.trades == {}


def test_pay_3_the_gateway_refuses_an_amount_changed_for_the_same_trade_number(gateway) -> None:
    provider, _fake = gateway
    order = pending_order(sku=sku_for_sale(price="50.00"))
    payment = Payment.objects.create(order=order, provider=provider, amount=order.total, out_trade_no="T1")
    client = AlipayProvider() if provider == "alipay" else WechatPayProvider()
    client.create_payment(payment)
    payment.amount = Decimal("49.00")
    with pytest.raises(NotImplementedError):
        client.create_payment(payment)


# --- PAY-5: refund → refunded, a lost answer recovered by a query ----------------------------------------


def _merchant_cancels(order: Order, capture) -> Refund:
    """ORD-2, PAY-5: the shop cannot ship and cancels through its API: the customer is refunded in full."""
    with capture(execute=True):
        response = client_for(order.merchant.owner).post(
            f"/api/v1/merchant/orders/{order.pk}/cancel/",
            {"reason": "out of stock"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="cancel-1",
        )
    assert response.status_code == 200, response.content
    return Refund.objects.get(order=order, kind=Refund.Kind.REFUND)


def test_pay_5_a_cancelled_order_is_refunded_at_the_gateway_and_the_customer_sees_it(
    api_client, gateway, time_machine, django_capture_on_commit_callbacks
) -> None:
    provider, fake = gateway
    time_machine.move_to("2026-03-10 10:00:00+08:00")
    order = _paid_through(api_client, provider, fake)
    out_trade_no = order.payments.get().out_trade_no
    refund = _merchant_cancels(order, django_capture_on_commit_callbacks)
    shown = client_for(order.customer).get(f"/api/v1/orders/{order.pk}/").json()["refunds"]
    expected_now = "succeeded" if provider == "alipay" else "pending"  # WeChat Pay: PROCESSING first
    assert [(r["kind"], r["amount"], r["status"]) for r in shown] == [("refund", "200.00", expected_now)]
    _settle(fake)
    _sweep_later(time_machine)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.provider_reference
    assert _refunds_at(fake, out_trade_no) == [Decimal("200.00")]
    shown = client_for(order.customer).get(f"/api/v1/orders/{order.pk}/").json()["refunds"]
    assert [(r["kind"], r["amount"], r["status"]) for r in shown] == [("refund", "200.00", "succeeded")]


def test_pay_5_a_refund_whose_answer_was_lost_is_queried_never_sent_twice(
    api_client, gateway, time_machine, django_capture_on_commit_callbacks
) -> None:
    provider, fake = gateway
    time_machine.move_to("2026-03-10 10:00:00+08:00")
    order = _paid_through(api_client, provider, fake)
    out_trade_no = order.payments.get().out_trade_no
    fake.inject(ALIPAY_REFUND if provider == "alipay" else REFUND, "drop")
    refund = _merchant_cancels(order, django_capture_on_commit_callbacks)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PENDING and refund.sent_at and refund.last_error  # answer lost
    assert _refunds_at(fake, out_trade_no) == [Decimal("200.00")]  # but the gateway did refund
    _sweep_later(time_machine)
    _settle(fake)
    _sweep_later(time_machine, minutes=30)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert _refund_calls(fake) == 1  # recovered by queries: nothing was sent again
    assert _refunds_at(fake, out_trade_no) == [Decimal("200.00")]


def test_pay_5_a_refund_the_gateway_could_not_take_is_retried_with_back_off(
    api_client, gateway, time_machine, django_capture_on_commit_callbacks
) -> None:
    provider, fake = gateway
    time_machine.move_to("2026-03-10 10:00:00+08:00")
    order = _paid_through(api_client, provider, fake)
    fake.inject(ALIPAY_REFUND if provider == "alipay" else REFUND, "fail", times=2)
    refund = _merchant_cancels(order, django_capture_on_commit_callbacks)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PENDING and refund.attempts == 1 and refund.last_error
    first_wait = refund.next_attempt_at - timezone.now()  # type: ignore[operator]
    time_machine.shift(timedelta(seconds=1))
    refunds_sweep()  # not due yet: nothing is sent
    refund.refresh_from_db()
    assert refund.attempts == 1 and _refund_calls(fake) == 1
    _sweep_later(time_machine, minutes=2)  # the second attempt fails too; the next one waits twice as long
    refund.refresh_from_db()
    assert (refund.attempts, refund.status) == (2, Refund.Status.PENDING)
    assert refund.next_attempt_at - timezone.now() > first_wait + timedelta(seconds=20)  # type: ignore[operator]
    for minutes in (5, 10):
        _settle(fake)
        _sweep_later(time_machine, minutes=minutes)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert _refunds_at(fake, order.payments.get().out_trade_no) == [Decimal("200.00")]


# --- ORD-4: the compensation arrives as a refund, exactly once, even when the worker dies ----------------


def _crash(where: str, provider: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker is killed in the task after the ledger committed: ``before`` the provider call, or
    ``after`` it (the gateway refunded, the answer never recorded)."""
    cls: Any = AlipayProvider if provider == "alipay" else WechatPayProvider
    original: Callable[..., Any] = cls.refund

    def killed(self: Any, refund: Refund) -> Any:
        if where == "after":
            original(self, refund)
        raise RuntimeError("worker killed")

    monkeypatch.setattr(cls, "refund", killed)


@pytest.mark.parametrize("where", ["before", "after"])
def test_ord_4_late_shipment_compensation_reaches_the_gateway_exactly_once_despite_a_killed_worker(
    api_client, gateway, where, time_machine, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    provider, fake = gateway
    time_machine.move_to("2026-03-10 10:00:00+08:00")
    order = _paid_through(api_client, provider, fake)
    out_trade_no = order.payments.get().out_trade_no
    with monkeypatch.context() as patched:
        _crash(where, provider, patched)
        time_machine.move_to(order.paid_at + timedelta(hours=72, seconds=1))  # type: ignore[operator]
        with django_capture_on_commit_callbacks(execute=True):
            deadlines_sweep()  # the ledger entry commits; the task dies
    compensation = Refund.objects.get(order=order, kind=Refund.Kind.COMPENSATION)
    assert compensation.status == Refund.Status.PENDING and compensation.amount == Decimal("10.00")
    assert _refunds_at(fake, out_trade_no) == ([Decimal("10.00")] if where == "after" else [])

    _sweep_later(time_machine)  # the sweep picks it up: queries first, sends only if the gateway lacks it
    _settle(fake)
    _sweep_later(time_machine, minutes=30)
    _sweep_later(time_machine, minutes=60)
    compensation.refresh_from_db()
    assert compensation.status == Refund.Status.SUCCEEDED
    assert _refunds_at(fake, out_trade_no) == [Decimal("10.00")]  # exactly once at the provider
    assert _refund_calls(fake) == 1
    shown = client_for(order.customer).get(f"/api/v1/orders/{order.pk}/").json()["refunds"]
    assert [(r["kind"], r["amount"], r["status"]) for r in shown] == [("compensation", "10.00", "succeeded")]


def test_ord_4_a_compensation_on_top_of_a_full_refund_waits_for_a_transfer(
    api_client, gateway, time_machine, django_capture_on_commit_callbacks
) -> None:
    """A gateway never returns more than the trade: the compensation (10) went back on the trade at the
    deadline; the customer's full refund (200) then goes back on it too only as far as the trade allows —
    it does not fit, so it is not sent (no refused call) and waits for a transfer, visibly."""
    provider, fake = gateway
    time_machine.move_to("2026-03-10 10:00:00+08:00")
    order = _paid_through(api_client, provider, fake)
    out_trade_no = order.payments.get().out_trade_no
    time_machine.move_to(order.paid_at + timedelta(hours=72, seconds=1))  # type: ignore[operator]
    with django_capture_on_commit_callbacks(execute=True):
        deadlines_sweep()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(order.customer).post(
            f"/api/v1/orders/{order.pk}/cancel/",
            {"reason": "not shipped in time"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="cancel-1",
        )
    assert response.status_code == 200, response.content
    _settle(fake)
    _sweep_later(time_machine)
    assert _refunds_at(fake, out_trade_no) == [Decimal("10.00")] and _refund_calls(fake) == 1
    shown = client_for(order.customer).get(f"/api/v1/orders/{order.pk}/").json()["refunds"]
    assert [(r["kind"], r["amount"], r["status"]) for r in shown] == [
        ("compensation", "10.00", "succeeded"),
        ("refund", "200.00", "awaiting_transfer"),
    ]


def test_ord_4_pay_5_what_the_trade_cannot_return_is_transferred_to_the_alipay_payer_exactly_once(
    api_client, fake_alipay, settings, time_machine, django_capture_on_commit_callbacks
) -> None:
    """With Alipay transfers configured (decision 037), the full refund that no longer fits in the trade
    after the ORD-4 compensation reaches the customer as a transfer to the Alipay user who paid (payee
    ``ALIPAY_USER_ID``), exactly once even when the transfer's answer is lost, and shows as succeeded."""
    settings.ORDERS_PAYOUT_PROVIDER = "alipay"
    transfers = AlipayTransfers.install(fake_alipay)
    time_machine.move_to("2026-03-10 10:00:00+08:00")
    order = _paid_through(api_client, "alipay", fake_alipay)
    payment = order.payments.get()
    time_machine.move_to(order.paid_at + timedelta(hours=72, seconds=1))  # type: ignore[operator]
    with django_capture_on_commit_callbacks(execute=True):
        deadlines_sweep()
    fake_alipay.inject(TRANSFER, "drop")  # Alipay transfers, but its answer is lost
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(order.customer).post(
            f"/api/v1/orders/{order.pk}/cancel/",
            {"reason": "not shipped in time"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="cancel-1",
        )
    assert response.status_code == 200, response.content
    for minutes in (10, 30, 60):
        _sweep_later(time_machine, minutes=minutes)
    full = Refund.objects.get(order=order, kind=Refund.Kind.REFUND)
    assert full.status == Refund.Status.SUCCEEDED and full.provider_reference
    assert _refunds_at(fake_alipay, payment.out_trade_no) == [Decimal("10.00")]  # the trade's part
    [transfer] = transfers.transfers.values()  # the rest: one transfer, never two
    assert (transfer.out_biz_no, transfer.identity, transfer.amount) == (
        full.refund_no,
        payment.payer_account,
        Decimal("200.00"),
    )
    assert len(fake_alipay.calls_to(TRANSFER)) == 1  # the lost answer was recovered by the query
    shown = client_for(order.customer).get(f"/api/v1/orders/{order.pk}/").json()["refunds"]
    assert [(r["kind"], r["amount"], r["status"]) for r in shown] == [
        ("compensation", "10.00", "succeeded"),
        ("refund", "200.00", "succeeded"),
    ]
    assert AuditEntry.objects.filter(action="order.refund_transferred", subject_id=order.pk).count() == 1


def _compensated_then_cancelled(api_client, provider, fake, time_machine, capture) -> Order:
    """A paid order compensated at the ship deadline (ORD-4), then cancelled: the full refund no longer
    fits in the trade."""
    time_machine.move_to("2026-03-10 10:00:00+08:00")
    order = _paid_through(api_client, provider, fake)
    time_machine.move_to(order.paid_at + timedelta(hours=72, seconds=1))  # type: ignore[operator]
    with capture(execute=True):
        deadlines_sweep()
    with capture(execute=True):
        response = client_for(order.customer).post(
            f"/api/v1/orders/{order.pk}/cancel/",
            {"reason": "not shipped in time"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="cancel-1",
        )
    assert response.status_code == 200, response.content
    return order


def test_ord_4_pay_5_what_the_trade_cannot_return_is_transferred_to_the_wechat_payer_exactly_once(
    api_client, fake_wechat_pay, settings, time_machine, django_capture_on_commit_callbacks
) -> None:
    """With WeChat Pay transfers configured (decision 045), the full refund that no longer fits in the
    WeChat Pay trade after the ORD-4 compensation reaches the customer as a merchant transfer to the openid
    that paid, exactly once even when the transfer's answer is lost, and shows as succeeded."""
    settings.ORDERS_PAYOUT_PROVIDER = "wechat_pay"
    transfers = WechatTransfers.install(fake_wechat_pay)
    fake_wechat_pay.refunds_complete_at_once = True
    fake_wechat_pay.inject(WECHAT_TRANSFER, "drop")  # WeChat Pay transfers, but its answer is lost
    order = _compensated_then_cancelled(
        api_client, "wechat_pay", fake_wechat_pay, time_machine, django_capture_on_commit_callbacks
    )
    payment = order.payments.get()
    for minutes in (10, 30, 60):
        _sweep_later(time_machine, minutes=minutes)
    full = Refund.objects.get(order=order, kind=Refund.Kind.REFUND)
    assert full.status == Refund.Status.SUCCEEDED and full.provider_reference
    assert _refunds_at(fake_wechat_pay, payment.out_trade_no) == [Decimal("10.00")]  # the trade's part
    [transfer] = transfers.transfers.values()  # the rest: one transfer, never two
    assert (transfer.out_bill_no, transfer.openid, transfer.amount, transfer.state) == (
        full.refund_no,
        payment.payer_account,
        20000,
        "SUCCESS",
    )
    assert len(fake_wechat_pay.calls_to(WECHAT_TRANSFER)) == 1  # the lost answer was recovered by the query
    assert len(fake_wechat_pay.calls_to(WECHAT_TRANSFER_QUERY)) >= 1
    shown = client_for(order.customer).get(f"/api/v1/orders/{order.pk}/").json()["refunds"]
    assert [(r["kind"], r["amount"], r["status"]) for r in shown] == [
        ("compensation", "10.00", "succeeded"),
        ("refund", "200.00", "succeeded"),
    ]
    assert AuditEntry.objects.filter(action="order.refund_transferred", subject_id=order.pk).count() == 1


def test_ord_4_pay_5_a_refund_waiting_since_before_transfers_were_configured_is_swept_once_they_are(
    api_client, fake_wechat_pay, settings, time_machine, django_capture_on_commit_callbacks
) -> None:
    """A refund that began ``awaiting_transfer`` while no transfer rail was configured is picked up by the
    sweep once one is (decision 045), and transferred once; a refused transfer then stays for finance."""
    settings.ORDERS_PAYOUT_PROVIDER = "manual"
    fake_wechat_pay.refunds_complete_at_once = True
    order = _compensated_then_cancelled(
        api_client, "wechat_pay", fake_wechat_pay, time_machine, django_capture_on_commit_callbacks
    )
    _sweep_later(time_machine)
    full = Refund.objects.get(order=order, kind=Refund.Kind.REFUND)
    assert full.status == Refund.Status.AWAITING_TRANSFER and full.next_attempt_at is None
    transfers = WechatTransfers.install(fake_wechat_pay)
    settings.ORDERS_PAYOUT_PROVIDER = "wechat_pay"  # the operator configures WeChat Pay transfers
    _sweep_later(time_machine)
    full.refresh_from_db()
    assert full.status == Refund.Status.SUCCEEDED
    assert [t.out_bill_no for t in transfers.transfers.values()] == [full.refund_no]
    for minutes in (10, 60):
        _sweep_later(time_machine, minutes=minutes)
    assert len(fake_wechat_pay.calls_to(WECHAT_TRANSFER)) == 1


def test_ord_4_pay_5_a_refused_payer_transfer_is_not_swept_again(
    api_client, fake_wechat_pay, settings, time_machine, django_capture_on_commit_callbacks
) -> None:
    settings.ORDERS_PAYOUT_PROVIDER = "wechat_pay"
    transfers = WechatTransfers.install(fake_wechat_pay)
    transfers.scenes.clear()  # the merchant platform granted no transfer scene: 403 NO_AUTH
    fake_wechat_pay.refunds_complete_at_once = True
    order = _compensated_then_cancelled(
        api_client, "wechat_pay", fake_wechat_pay, time_machine, django_capture_on_commit_callbacks
    )
    for minutes in (10, 60):
        _sweep_later(time_machine, minutes=minutes)
    full = Refund.objects.get(order=order, kind=Refund.Kind.REFUND)
    assert full.status == Refund.Status.AWAITING_TRANSFER and "NO_AUTH" in full.last_error
    assert len(fake_wechat_pay.calls_to(WECHAT_TRANSFER)) == 1  # refused once, left for finance
    assert AuditEntry.objects.filter(action="order.refund_transfer_refused", subject_id=order.pk).count() == 1


# --- PAY-3: WeChat Pay platform certificate rotation --------------------------------------------------


def test_pay_3_wechat_pay_rotated_platform_certificate_is_downloaded_and_then_verifies(
    api_client, fake_wechat_pay
) -> None:
    """WeChat Pay publishes a new platform certificate and signs with it: a notification under the new
    serial is refused until the certificates are downloaded (beat task), then accepted — no deployment."""
    from orders.models import ProviderCertificate
    from orders.tasks import wechat_pay_certificates_refresh_task

    fake = fake_wechat_pay
    order = pending_order(sku=sku_for_sale(price="30.00"))
    out_trade_no = _pay_start(order, "wechat_pay")["out_trade_no"]
    new_serial = fake.rotate()
    headers, body = fake.pay(out_trade_no)
    assert headers["Wechatpay-Serial"] == new_serial
    refused = _post_notification(api_client, "wechat_pay", headers, body, form=False)
    assert refused.status_code == 400
    assert wechat_pay_certificates_refresh_task() == 2  # the old and the new certificate
    assert ProviderCertificate.objects.filter(provider="wechat_pay", serial=new_serial).exists()
    accepted = _post_notification(api_client, "wechat_pay", headers, body, form=False)
    assert accepted.status_code == 200, accepted.content
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_pay_3_wechat_pay_certificates_with_a_forged_signature_are_not_kept(
    settings, fake_wechat_pay
) -> None:
    """A certificate list whose answer is not signed by a published certificate is refused as a whole."""
    from orders.models import ProviderCertificate
    from orders.payments.http import ProviderUnreachable
    from orders.payments.wechat_pay_client import certificates_refresh
    from simulation.fakes.keys import KeyPair

    fake = fake_wechat_pay
    impostor = KeyPair.generate()
    fake.certificates[-1] = (fake.serial, impostor, fake.certificates[-1][2])  # signs with another key
    with pytest.raises(ProviderUnreachable):
        certificates_refresh()
    assert not ProviderCertificate.objects.exists()


def test_pay_3_an_unpaid_trade_is_closed_at_the_gateway_and_a_paid_one_is_not(api_client, gateway) -> None:
    """``payment_close`` / ``payment_query`` against the gateway's states: an unpaid trade closes; a paid
    trade refuses to close; an unknown trade is ``unknown``."""
    from orders.payments.http import ProviderRejected

    provider, fake = gateway
    client = AlipayProvider() if provider == "alipay" else WechatPayProvider()
    unpaid = pending_order(sku=sku_for_sale(price="12.00"))
    payment = Payment.objects.get(out_trade_no=_pay_start(unpaid, provider)["out_trade_no"])
    assert client.payment_query(payment).state == "open"
    client.payment_close(payment)
    assert client.payment_query(payment).state == "closed"

    paid = _paid_through(api_client, provider, fake, price="15.00")
    paid_payment = paid.payments.get()
    with pytest.raises(ProviderRejected):
        client.payment_close(paid_payment)
    ghost = Payment(order=paid, provider=provider, amount=Decimal("1.00"), out_trade_no="NEVER-OPENED")
    assert client.payment_query(ghost).state == "unknown"
