"""CAT-9, MER-9, PAY-4: the platform's own shop (自营): settlement goes to the platform's revenue account,
with no commission split, no merchant payable and no payout."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from merchants.models import Merchant
from orders.models import Order
from orders.services.fulfilment import order_confirm_receipt
from orders.services.payouts import payouts_run
from orders.services.refunds import order_refund
from platform_core.deadlines.services import deadlines_sweep
from platform_core.ledger.models import AccountKind
from platform_core.ledger.selectors import ledger_balance
from platform_core.ledger.services import ledger_account_for
from tests.factories.orders import shipped_order, shop, sku_for_sale

pytestmark = pytest.mark.django_db


def _balance(kind: str, owner: Merchant | None = None) -> Decimal:
    return ledger_balance(ledger_account_for(kind=kind, owner=owner))


def _settled_self_operated_order(time_machine: Any, price: str = "200.00") -> Order:
    merchant = shop()
    Merchant.objects.filter(pk=merchant.pk).update(is_self_operated=True)
    order = shipped_order(sku=sku_for_sale(merchant=merchant, price=price))
    order = order_confirm_receipt(order=order, actor=order.customer)
    assert order.completed_at is not None
    time_machine.move_to(order.completed_at + timedelta(days=15, seconds=1))
    deadlines_sweep()
    order.refresh_from_db()
    assert order.settled_at is not None
    return order


def test_cat_9_self_operated_settles_to_platform_revenue(time_machine) -> None:
    revenue_before = _balance(AccountKind.PLATFORM_REVENUE)
    commission_before = _balance(AccountKind.PLATFORM_COMMISSION)
    order = _settled_self_operated_order(time_machine)
    assert _balance(AccountKind.PLATFORM_REVENUE) - revenue_before == Decimal("200.00")
    assert _balance(AccountKind.PLATFORM_COMMISSION) == commission_before  # no commission split
    assert _balance(AccountKind.MERCHANT_PAYABLE, order.merchant) == Decimal("0.00")
    assert _balance(AccountKind.ORDER_ESCROW, order) == Decimal("0.00")
    settled = order.events.get(action="settled")
    assert settled.data["to"] == AccountKind.PLATFORM_REVENUE
    assert settled.data["commission"] == "0.00"
    assert not any(p.merchant_id == order.merchant_id for p in payouts_run())  # no payout to ourselves
    call_command("verify_ledger")


def test_cat_9_refund_after_settlement_comes_from_platform_revenue(time_machine) -> None:
    order = _settled_self_operated_order(time_machine)
    revenue = _balance(AccountKind.PLATFORM_REVENUE)
    order_refund(
        order=order, amount=Decimal("50.00"), reason="质量问题补偿", idempotency_key="self-op-1", actor=None
    )
    assert revenue - _balance(AccountKind.PLATFORM_REVENUE) == Decimal("50.00")
    assert _balance(AccountKind.MERCHANT_PAYABLE, order.merchant) == Decimal("0.00")
    call_command("verify_ledger")
