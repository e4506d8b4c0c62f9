"""PAY-4, PAY-5, PAY-6, PAY-8: settlement with commission, holds, refunds, payouts, reconciliation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders.models import Order, PayoutStatement, ProviderSettlementRecord, ReconciliationDifference
from orders.selectors.money import order_escrow_account, order_refunded_amount, order_released_amount
from orders.services.fulfilment import order_confirm_receipt
from orders.services.payouts import payouts_run
from orders.services.reconciliation import reconciliation_run
from orders.services.refunds import order_refund
from orders.services.settlement import order_escrow_hold, order_escrow_hold_release, order_settle
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Conflict
from platform_core.ledger.models import AccountKind, LedgerTransaction, TransactionKind
from platform_core.ledger.selectors import ledger_balance
from platform_core.ledger.services import ledger_account_for
from tests.conftest import client_for
from tests.factories.accounts import StaffFactory
from tests.factories.orders import shipped_order, shop, shop_category, sku_for_sale

pytestmark = pytest.mark.django_db


def _completed(price: str = "200.00", rate: str = "0.0500") -> Order:
    merchant = shop(shop_category(commission_rate=rate))
    order = shipped_order(sku=sku_for_sale(merchant=merchant, price=price))
    return order_confirm_receipt(order=order, actor=order.customer)


def _balance(kind: str, owner=None) -> Decimal:
    return ledger_balance(ledger_account_for(kind=kind, owner=owner))


def test_pay_4_settlement_takes_commission(time_machine) -> None:
    order = _completed(price="200.00", rate="0.0800")
    commission_before = _balance(AccountKind.PLATFORM_COMMISSION)
    with pytest.raises(Conflict):  # not before the after-sales window closes
        order_settle(order=order)
    time_machine.move_to(order.completed_at + timedelta(days=15, seconds=1))  # type: ignore[operator]
    deadlines_sweep()
    order.refresh_from_db()
    assert order.settled_at is not None
    release = LedgerTransaction.objects.get(kind=TransactionKind.RELEASE, subject_id=order.pk)
    legs = {entry.account.kind: entry.amount for entry in release.entries.all()}
    assert legs == {
        AccountKind.ORDER_ESCROW: Decimal("-200.00"),
        AccountKind.MERCHANT_PAYABLE: Decimal("184.00"),
        AccountKind.PLATFORM_COMMISSION: Decimal("16.00"),
    }
    assert _balance(AccountKind.MERCHANT_PAYABLE, order.merchant) == Decimal("184.00")
    assert _balance(AccountKind.PLATFORM_COMMISSION) - commission_before == Decimal("16.00")
    assert order_released_amount(order=order) == Decimal("200.00")
    deadlines_sweep()
    assert order_settle(order=order).settled_at == order.settled_at  # once
    assert LedgerTransaction.objects.filter(kind=TransactionKind.RELEASE, subject_id=order.pk).count() == 1


def test_pay_6_escrow_under_hold_cannot_be_released(time_machine) -> None:
    order = _completed()
    complaint = StaffFactory()  # any saved row stands in for the after-sales request holding the escrow
    hold = order_escrow_hold(order=order, reason="after-sales request #1 open", subject=complaint)
    # the merchant sees the hold and its reason
    listed = client_for(order.merchant.owner).get("/api/v1/merchant/orders/").json()["results"][0]
    assert listed["holds"][0]["reason"] == "after-sales request #1 open"

    time_machine.move_to(order.completed_at + timedelta(days=15, seconds=1))  # type: ignore[operator]
    deadlines_sweep()
    order.refresh_from_db()
    assert order.settled_at is None
    assert order_escrow_account(order=order).balance == order.total  # type: ignore[union-attr]
    assert order.events.filter(action="settlement_held").exists()
    with pytest.raises(Conflict) as refused:
        order_settle(order=order)
    assert refused.value.code == "escrow_held"
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.RELEASE, subject_id=order.pk).exists()

    order_escrow_hold_release(hold=hold)  # the cause is resolved: settlement follows at once
    order.refresh_from_db()
    assert order.settled_at is not None
    assert order_escrow_account(order=order).balance == 0


def test_pay_5_refunds_never_exceed_what_was_paid_and_a_full_refund_closes() -> None:
    order = _completed(price="100.00")
    first = order_refund(
        order=order, amount=Decimal("30.00"), reason="partial", idempotency_key="r1", actor=None
    )
    assert (
        order_refund(order=order, amount=Decimal("30.00"), reason="partial", idempotency_key="r1", actor=None)
        == first
    )
    with pytest.raises(Conflict):
        order_refund(
            order=order, amount=Decimal("70.01"), reason="too much", idempotency_key="r2", actor=None
        )
    order_refund(order=order, amount=Decimal("70.00"), reason="rest", idempotency_key="r3", actor=None)
    order.refresh_from_db()
    assert order_refunded_amount(order=order) == Decimal("100.00")
    assert order.status == Order.Status.CLOSED
    assert order.events.filter(action="closed").exists()


def test_pay_5_refund_after_settlement_comes_from_the_merchant_payable(time_machine) -> None:
    order = _completed(price="100.00", rate="0.1000")
    time_machine.move_to(order.completed_at + timedelta(days=15, seconds=1))  # type: ignore[operator]
    deadlines_sweep()
    order_refund(
        order=order, amount=Decimal("50.00"), reason="dispute ruling", idempotency_key="d1", actor=None
    )
    assert _balance(AccountKind.MERCHANT_PAYABLE, order.merchant) == Decimal("40.00")


def test_pay_4_payout_run_makes_a_statement_and_pays_the_payable(time_machine) -> None:
    order = _completed(price="200.00", rate="0.0500")
    time_machine.move_to(order.completed_at + timedelta(days=15, seconds=1))  # type: ignore[operator]
    deadlines_sweep()
    payouts = payouts_run()
    assert len(payouts) == 1 and payouts[0].amount == Decimal("190.00")
    assert payouts_run() == []  # once per period
    assert _balance(AccountKind.MERCHANT_PAYABLE, order.merchant) == 0
    statement = PayoutStatement.objects.get(merchant=order.merchant)
    assert (statement.gross, statement.commission, statement.net) == (
        Decimal("200.00"),
        Decimal("10.00"),
        Decimal("190.00"),
    )
    assert statement.lines[0]["order"] == order.number
    client = client_for(order.merchant.owner)
    listed = client.get("/api/v1/merchant/statements/").json()["results"]
    assert Decimal(listed[0]["payout_amount"]) == Decimal("190.00")
    csv_text = client.get(f"/api/v1/merchant/statements/{statement.pk}/csv/").content.decode()
    assert order.number in csv_text and "190.00" in csv_text
    # PAY-8: the sandbox settlement file agrees with the ledger
    assert reconciliation_run(day=statement.period) == []
    call_command("verify_ledger")


def test_pay_8_reconciliation_raises_differences_for_finance() -> None:
    order = _completed(price="80.00")
    record = ProviderSettlementRecord.objects.get(kind="payment")
    ProviderSettlementRecord.objects.filter(pk=record.pk).update(amount=Decimal("79.00"))
    ProviderSettlementRecord.objects.create(
        provider="sandbox", kind="refund", reference="GHOST", amount=Decimal("5")
    )
    differences = reconciliation_run(day=timezone.localdate(order.paid_at))
    assert {(d.kind, d.reference) for d in differences} == {
        ("payment", record.reference),
        ("refund", "GHOST"),
    }
    mismatch = ReconciliationDifference.objects.get(kind="payment")
    assert (mismatch.ledger_amount, mismatch.provider_amount) == (Decimal("80.00"), Decimal("79.00"))
    reconciliation_run(day=timezone.localdate(order.paid_at))
    assert ReconciliationDifference.objects.count() == 2


def test_pay_8_reconciliation_reads_the_ledger_once_per_day_not_per_movement() -> None:
    """What the ledger moved for the day's payments (and the adjacent days') is one query per day read,
    however many payments there were."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories.orders import paid_order

    def statements(day) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert reconciliation_run(day=day) == []
        return len(ctx.captured_queries)

    day = timezone.localdate(paid_order().paid_at)
    one = statements(day)
    for _n in range(3):
        paid_order()
    assert statements(day) == one
