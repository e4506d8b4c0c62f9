"""PAY-8 (decision 038, addendum of s8h): the trade bill carries only the refunds the trade's refund API
executed. A refund that no longer fits in its trade (``awaiting_transfer``), one the provider refused
(``failed``) and one paid by a transfer to the payer (decisions 037, 045) never reach the trade bill, so
they are not expected there: no "missing at the provider" case is opened for them."""

from datetime import timedelta
from decimal import Decimal

import pytest

from orders.models import Order, ReconciliationDifference, Refund
from orders.tasks import reconcile_statements_task
from tests.fakes.alipay import FakeAlipay
from tests.fakes.alipay_transfer import AlipayTransfers
from tests.orders.test_gateways import _compensated_then_cancelled, _settle, _sweep_later

pytestmark = pytest.mark.django_db

R = ReconciliationDifference.Reason


def _reconcile(order: Order, time_machine) -> set[tuple[str, str, str]]:
    """Beat's statement run the morning after the refunds' day; the refund cases it opened."""
    day = Refund.objects.filter(order=order).latest("created_at").created_at
    time_machine.move_to(day.replace(hour=10, minute=30) + timedelta(days=1))
    reconcile_statements_task()
    return set(
        ReconciliationDifference.objects.filter(kind="refund").values_list("kind", "reference", "reason")
    )


def waiting_for_a_transfer(request, api_client, settings, provider, time_machine, capture) -> Order:
    """ORD-4: an order compensated through its trade, then cancelled: the full refund waits for a transfer
    (no rail configured); the compensation went back on the trade."""
    settings.ORDERS_PAYMENT_PROVIDERS = ["sandbox", provider]
    fake = request.getfixturevalue("fake_alipay" if provider == "alipay" else "fake_wechat_pay")
    order = _compensated_then_cancelled(api_client, provider, fake, time_machine, capture)
    _settle(fake)
    _sweep_later(time_machine)
    _settle(fake)
    _sweep_later(time_machine, minutes=30)
    full = Refund.objects.get(order=order, kind=Refund.Kind.REFUND)
    compensation = Refund.objects.get(order=order, kind=Refund.Kind.COMPENSATION)
    assert full.status == Refund.Status.AWAITING_TRANSFER and full.paid_by_transfer
    assert compensation.status == Refund.Status.SUCCEEDED and not compensation.paid_by_transfer
    return order


def paid_by_a_transfer(api_client, settings, fake_alipay: FakeAlipay, time_machine, capture) -> Order:
    """ORD-4: the same, with Alipay transfers configured: the full refund is paid by a transfer to the payer."""
    settings.ORDERS_PAYMENT_PROVIDERS = ["sandbox", "alipay"]
    settings.ORDERS_PAYOUT_PROVIDER = "alipay"
    AlipayTransfers.install(fake_alipay)
    order = _compensated_then_cancelled(api_client, "alipay", fake_alipay, time_machine, capture)
    for minutes in (10, 30):
        _sweep_later(time_machine, minutes=minutes)
    full = Refund.objects.get(order=order, kind=Refund.Kind.REFUND)
    assert full.status == Refund.Status.SUCCEEDED and full.paid_by_transfer
    assert full.amount == Decimal("200.00")
    return order


@pytest.mark.parametrize("provider", ["alipay", "wechat_pay"])
def test_pay_8_a_refund_waiting_for_a_transfer_is_not_expected_on_the_trade_bill(
    request, api_client, settings, provider, time_machine, django_capture_on_commit_callbacks
) -> None:
    order = waiting_for_a_transfer(
        request, api_client, settings, provider, time_machine, django_capture_on_commit_callbacks
    )
    # the compensation went back on the trade and is on the bill; the waiting refund is on no bill
    assert _reconcile(order, time_machine) == set()


def test_pay_8_a_refund_paid_by_a_transfer_to_the_payer_is_not_expected_on_the_trade_bill(
    api_client, settings, fake_alipay: FakeAlipay, time_machine, django_capture_on_commit_callbacks
) -> None:
    order = paid_by_a_transfer(
        api_client, settings, fake_alipay, time_machine, django_capture_on_commit_callbacks
    )
    # a refund the trade's refund API executed is still expected: the bill lacks the compensation
    compensation = Refund.objects.get(order=order, kind=Refund.Kind.COMPENSATION)
    fake_alipay.bills.drop(compensation.refund_no)
    assert _reconcile(order, time_machine) == {("refund", compensation.refund_no, R.MISSING_THEIRS)}
