"""PAY-5, MER-5: a refund after the escrow was released comes from the merchant's payable, then its deposit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from merchants.models import Merchant
from orders.models import Order, Refund
from orders.services.fulfilment import order_confirm_receipt
from orders.services.payouts import payout_run_for_merchant
from orders.services.refunds import order_refund
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Conflict
from platform_core.ledger.models import AccountKind, LedgerTransaction, TransactionKind
from platform_core.ledger.selectors import ledger_balance
from platform_core.ledger.services import ledger_account_for
from platform_core.notifications.models import Notification
from tests.factories.orders import shipped_order, shop, shop_category, sku_for_sale

pytestmark = pytest.mark.django_db


def _settled(time_machine, *, price: str = "100.00", rate: str = "0.1000", deposit: str = "1000.00") -> Order:
    merchant = shop(shop_category(commission_rate=rate, deposit=deposit))
    order = shipped_order(sku=sku_for_sale(merchant=merchant, price=price))
    order = order_confirm_receipt(order=order, actor=order.customer)
    time_machine.move_to(order.completed_at + timedelta(days=15, seconds=1))  # type: ignore[operator]
    deadlines_sweep()
    order.refresh_from_db()
    assert order.settled_at is not None
    return order


def _balance(kind: str, owner=None) -> Decimal:
    return ledger_balance(ledger_account_for(kind=kind, owner=owner))


def test_pay_5_refund_after_release_comes_from_payable_then_deposit(time_machine) -> None:
    order = _settled(time_machine)
    merchant = order.merchant
    assert _balance(AccountKind.MERCHANT_PAYABLE, merchant) == Decimal("90.00")  # 100 less 10 % commission
    clearing_before = _balance(AccountKind.REFUNDS_CLEARING)

    refund = order_refund(
        order=order, amount=Decimal("100.00"), reason="dispute ruling", idempotency_key="late-1", actor=None
    )
    again = order_refund(
        order=order, amount=Decimal("100.00"), reason="dispute ruling", idempotency_key="late-1", actor=None
    )

    assert again == refund and Refund.objects.filter(order=order).count() == 1
    txn = LedgerTransaction.objects.get(idempotency_key="order-refund:late-1")
    assert txn.kind == TransactionKind.REFUND
    legs = {entry.account.kind: entry.amount for entry in txn.entries.all()}
    assert legs == {
        AccountKind.REFUNDS_CLEARING: Decimal("100.00"),
        AccountKind.MERCHANT_PAYABLE: Decimal("-90.00"),
        AccountKind.MERCHANT_DEPOSIT: Decimal("-10.00"),
    }
    assert _balance(AccountKind.MERCHANT_PAYABLE, merchant) == Decimal("0.00")
    assert _balance(AccountKind.MERCHANT_DEPOSIT, merchant) == Decimal("990.00")
    assert _balance(AccountKind.REFUNDS_CLEARING) - clearing_before == Decimal("100.00")
    event = order.events.get(action="refunded")
    assert (event.data["from_merchant_payable"], event.data["from_merchant_deposit"]) == ("90.00", "10.00")
    # MER-5: the deposit is now below the required 1000: new listings are restricted, the merchant told
    merchant = Merchant.objects.get(pk=merchant.pk)
    assert merchant.status == Merchant.Status.RESTRICTED
    assert Merchant.Cause.DEPOSIT in merchant.restriction_causes
    assert Notification.objects.filter(recipient=merchant.owner, event="merchant_deposit_deducted").exists()
    order.refresh_from_db()
    assert order.status == Order.Status.CLOSED
    call_command("verify_ledger")


def test_pay_5_refund_after_payout_draws_on_the_deposit_alone(time_machine) -> None:
    order = _settled(time_machine)
    assert payout_run_for_merchant(merchant=order.merchant, period=timezone.localdate()) is not None
    order_refund(
        order=order, amount=Decimal("30.00"), reason="repair refused", idempotency_key="p1", actor=None
    )
    assert _balance(AccountKind.MERCHANT_PAYABLE, order.merchant) == Decimal("0.00")
    assert _balance(AccountKind.MERCHANT_DEPOSIT, order.merchant) == Decimal("970.00")
    call_command("verify_ledger")


def test_pay_5_refund_the_merchant_cannot_cover_moves_nothing(time_machine) -> None:
    order = _settled(time_machine, deposit="20.00")
    payout_run_for_merchant(merchant=order.merchant, period=timezone.localdate())
    before = LedgerTransaction.objects.count()
    with pytest.raises(Conflict) as refused:
        order_refund(order=order, amount=Decimal("50.00"), reason="ruling", idempotency_key="s1", actor=None)
    assert refused.value.code == "merchant_funds_short"
    assert LedgerTransaction.objects.count() == before
    assert _balance(AccountKind.MERCHANT_DEPOSIT, order.merchant) == Decimal("20.00")
    assert not Refund.objects.filter(order=order).exists()


def test_pay_5_refund_before_release_still_comes_from_escrow_only() -> None:
    order = shipped_order(sku=sku_for_sale(price="80.00"))
    order_refund(order=order, amount=Decimal("80.00"), reason="lost parcel", idempotency_key="e1", actor=None)
    legs = {
        e.account.kind: e.amount
        for e in LedgerTransaction.objects.get(idempotency_key="order-refund:e1").entries.all()
    }
    assert legs == {
        AccountKind.REFUNDS_CLEARING: Decimal("80.00"),
        AccountKind.ORDER_ESCROW: Decimal("-80.00"),
    }
    assert _balance(AccountKind.MERCHANT_DEPOSIT, order.merchant) == Decimal("1000.00")
