"""PAY-8, ORD-4 (decision 038, addendum of s9): the segregated funds check and refunds paid by a transfer.

A paid order compensated at the ship deadline (ORD-4) and then cancelled: the full refund no longer fits in
the trade and waits for (or is paid by) a transfer to the payer (decisions 037, 045). Its ledger posting
took the money out of escrow when it was made; the trade bill never carries it. The provider still holds
that money, but for a refund the ledger has already made, not as escrow: the funds check must not alarm,
neither while the refund waits (a rail, or finance after a refusal) nor once the transfer paid it. A real
difference on the same provider still alarms."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from orders.models import Order, ReconciliationDifference, Refund
from orders.services.reconciliation_bills import customer_funds
from orders.tasks import reconcile_statements_task
from tests.fakes.alipay import FakeAlipay
from tests.orders.test_reconciliation_refund_rails import paid_by_a_transfer, waiting_for_a_transfer

pytestmark = pytest.mark.django_db

R = ReconciliationDifference.Reason
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _reconcile_every_day(order: Order, time_machine) -> set[tuple[str, str, str]]:
    """The morning after the refunds' day, every day's statement since the payment imported and reconciled
    (as beat did each morning): the cases opened."""
    paid_at = order.payments.get().succeeded_at
    assert paid_at is not None
    paid_on = paid_at.astimezone(SHANGHAI).date()
    refunded_on = (
        Refund.objects.filter(order=order).latest("created_at").created_at.astimezone(SHANGHAI).date()
    )
    time_machine.move_to(datetime.combine(refunded_on + timedelta(days=1), time(10, 30), tzinfo=SHANGHAI))
    day = paid_on
    while day <= refunded_on:
        reconcile_statements_task(day.isoformat())
        day += timedelta(days=1)
    return set(ReconciliationDifference.objects.values_list("kind", "reference", "reason"))


def _funds(order: Order) -> tuple[Decimal, Decimal]:
    """The ledger's escrow and what the provider holds for customers at the end of the refunds' day."""
    day = Refund.objects.filter(order=order).latest("created_at").created_at.astimezone(SHANGHAI).date()
    return customer_funds(provider=order.payments.get().provider, day=day)


@pytest.mark.parametrize("provider", ["alipay", "wechat_pay"])
def test_pay_8_ord_4_a_refund_waiting_for_a_transfer_raises_no_funds_alarm(
    request, api_client, settings, provider, time_machine, django_capture_on_commit_callbacks
) -> None:
    order = waiting_for_a_transfer(
        request, api_client, settings, provider, time_machine, django_capture_on_commit_callbacks
    )
    assert _reconcile_every_day(order, time_machine) == set()
    assert _funds(order) == (Decimal("0.00"), Decimal("0.00"))


def test_pay_8_ord_4_a_refund_paid_by_a_transfer_is_no_alarm_and_a_real_difference_still_is(
    api_client, settings, fake_alipay: FakeAlipay, time_machine, django_capture_on_commit_callbacks
) -> None:
    order = paid_by_a_transfer(
        api_client, settings, fake_alipay, time_machine, django_capture_on_commit_callbacks
    )
    # the provider also refunded 30.00 on that trade that the ledger never took out of escrow: a real
    # difference, alarmed by exactly that amount (the transferred 200.00 counts as gone, not as held)
    payment = order.payments.get()
    fake_alipay.bills.add(
        "refund",
        trade_no=str(payment.provider_trade_no),
        out_trade_no=payment.out_trade_no,
        amount=Decimal("30.00"),
        refund_no="UNKNOWN-R1",
    )
    assert _reconcile_every_day(order, time_machine) == {
        ("refund", "UNKNOWN-R1", R.MISSING_OURS),
        ("funds", "escrow", R.FUNDS),
    }
    alarm = ReconciliationDifference.objects.get(reason=R.FUNDS)
    assert (alarm.ledger_amount, alarm.provider_amount) == (Decimal("0.00"), Decimal("-30.00"))
    assert _funds(order) == (Decimal("0.00"), Decimal("-30.00"))
