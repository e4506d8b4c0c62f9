"""PAY-3, ORD-2, ORD-3 (decision 037): the trade at the gateway follows the order — a cancelled or timed-out
order's trade is closed at the provider after the commit, and an unpaid trade whose notification never came
is found paid by the query sweep, applied exactly as the notification would be."""

from datetime import timedelta
from decimal import Decimal

import pytest

from orders.models import Order, Payment, PaymentCallbackLog, Refund
from orders.services.payment_recovery import payments_sweep
from platform_core.audit.models import AuditEntry
from platform_core.deadlines.services import deadlines_sweep
from tests.conftest import client_for
from tests.factories.orders import pending_order, sku_for_sale
from tests.fakes.alipay import FakeAlipay
from tests.fakes.wechat_pay import FakeWechatPay
from tests.orders.test_gateways import _notify, _pay_start

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["alipay", "wechat_pay"])
def gateway(request: pytest.FixtureRequest) -> tuple[str, FakeAlipay | FakeWechatPay]:
    fixture = "fake_alipay" if request.param == "alipay" else "fake_wechat_pay"
    return request.param, request.getfixturevalue(fixture)


def _state(fake: FakeAlipay | FakeWechatPay, out_trade_no: str) -> str:
    if isinstance(fake, FakeAlipay):
        return fake.trades[out_trade_no].status
    return fake.trades[out_trade_no].state


CLOSED = {"alipay": "TRADE_CLOSED", "wechat_pay": "CLOSED"}


def test_ord_2_customer_cancel_closes_the_trade_at_the_provider(
    gateway, time_machine, django_capture_on_commit_callbacks
) -> None:
    provider, fake = gateway
    time_machine.move_to("2026-03-10 10:00:00+08:00")
    order = pending_order(sku=sku_for_sale(price="66.00"))
    out_trade_no = _pay_start(order, provider)["out_trade_no"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(order.customer).post(
            f"/api/v1/orders/{order.pk}/cancel/",
            {"reason": "changed my mind"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="cancel-1",
        )
    assert response.status_code == 200, response.content
    assert _state(fake, out_trade_no) == CLOSED[provider]
    assert Payment.objects.get(out_trade_no=out_trade_no).status == Payment.Status.CLOSED
    entry = AuditEntry.objects.get(action="order.payment_closed_at_provider")
    assert entry.subject_id == str(order.pk)
    assert entry.after is not None and entry.after["out_trade_no"] == out_trade_no


def test_ord_3_payment_timeout_closes_the_trade_at_the_provider(
    gateway, time_machine, django_capture_on_commit_callbacks
) -> None:
    provider, fake = gateway
    time_machine.move_to("2026-03-10 10:00:00+08:00")
    order = pending_order(sku=sku_for_sale(price="66.00"))
    out_trade_no = _pay_start(order, provider)["out_trade_no"]
    time_machine.shift(timedelta(minutes=31))
    with django_capture_on_commit_callbacks(execute=True):
        deadlines_sweep()
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert _state(fake, out_trade_no) == CLOSED[provider]
    assert AuditEntry.objects.filter(action="order.payment_closed_at_provider").count() == 1


def test_ord_2_a_trade_paid_before_it_closed_is_queried_and_refunded(
    api_client, time_machine, fake_alipay: FakeAlipay, django_capture_on_commit_callbacks
) -> None:
    """The customer paid just before cancelling, the notification is not here yet: the close is refused,
    the query finds the trade paid, and the order that is no longer payable refunds it."""
    time_machine.move_to("2026-03-10 10:00:00+08:00")
    order = pending_order(sku=sku_for_sale(price="66.00"))
    out_trade_no = _pay_start(order, "alipay")["out_trade_no"]
    fake_alipay.pay(out_trade_no)  # paid at Alipay; the notification is late
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(order.customer).post(
            f"/api/v1/orders/{order.pk}/cancel/",
            {"reason": "too slow"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="c1",
        )
    assert response.status_code == 200, response.content
    payment = Payment.objects.get(out_trade_no=out_trade_no)
    assert payment.status == Payment.Status.SUCCEEDED
    refund = Refund.objects.get(order=order)
    assert refund.amount == Decimal("66.00") and refund.status == Refund.Status.SUCCEEDED
    assert list(fake_alipay.trades[out_trade_no].refunds.values()) == [Decimal("66.00")]


def test_pay_3_missed_notification_sweep_marks_the_order_paid(
    api_client, gateway, time_machine, django_capture_on_commit_callbacks
) -> None:
    provider, fake = gateway
    time_machine.move_to("2026-03-10 10:00:00+08:00")
    order = pending_order(sku=sku_for_sale(price="88.00"))
    out_trade_no = _pay_start(order, provider)["out_trade_no"]
    assert payments_sweep() == 0  # open and too young to ask about
    fake.pay(out_trade_no)  # paid; the notification never arrives
    assert payments_sweep() == 0  # not overdue yet
    time_machine.shift(timedelta(minutes=3))
    assert payments_sweep() == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    payment = Payment.objects.get(out_trade_no=out_trade_no)
    assert payment.status == Payment.Status.SUCCEEDED and payment.provider_trade_no
    log = PaymentCallbackLog.objects.get(outcome="accepted")
    assert log.payment == payment and log.headers == {"X-Recovered-By": "query"}
    assert AuditEntry.objects.filter(subject_id=str(order.pk), action="order.paid").exists()
    assert payments_sweep() == 0  # once
    # the late notification is then only a duplicate: nothing moves twice
    assert _notify(api_client, fake, out_trade_no).status_code == 200
    assert list(PaymentCallbackLog.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "accepted",
        "duplicate",
    ]
