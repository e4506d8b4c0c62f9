"""ORD-4: the simulator's late-shipment check judges the money on its own — the compensation due from the
policy and the deposit debit the ledger records — so it fails when the handler charges the wrong amount."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from time_machine import TimeMachineFixture

from merchants.selectors.standing import merchant_deposit_balance
from orders.models import Order
from orders.services import fulfilment as order_services
from platform_core.deadlines.services import deadlines_sweep
from simulation.money_checks import check_late_shipments
from simulation.results import FAILED, PASSED, CheckResult
from tests.factories.orders import paid_order, sku_for_sale

pytestmark = pytest.mark.django_db


def _late_order_checked(time_machine: TimeMachineFixture) -> tuple[Order, CheckResult]:
    """A ¥200 order not shipped within 72 h (¥10 compensation due), then the check over that window."""
    start = timezone.now() - timedelta(seconds=1)
    order = paid_order(sku=sku_for_sale(price="200.00"))
    assert order.paid_at is not None
    time_machine.move_to(order.paid_at + timedelta(hours=72, seconds=1))
    deadlines_sweep()
    return order, check_late_shipments(start=start, end=timezone.now())


def test_ord_4_check_passes_when_the_deposit_pays_the_full_compensation(
    time_machine: TimeMachineFixture,
) -> None:
    _order, result = _late_order_checked(time_machine)
    assert result.status == PASSED, result.detail
    assert "1 late shipment(s)" in result.detail


def _halving(deduct: Callable[..., Any]) -> Callable[..., Any]:
    def halved(**kwargs: Any) -> Any:
        return deduct(**{**kwargs, "amount": kwargs["amount"] / 2})

    return halved


def test_ord_4_check_fails_when_the_deposit_is_debited_half_the_compensation(
    time_machine: TimeMachineFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        order_services, "merchant_deposit_deduct", _halving(order_services.merchant_deposit_deduct)
    )
    sku = sku_for_sale(price="200.00")
    deposit_before = merchant_deposit_balance(merchant=sku.listing.merchant)
    start = timezone.now() - timedelta(seconds=1)
    order = paid_order(sku=sku)
    assert order.paid_at is not None
    time_machine.move_to(order.paid_at + timedelta(hours=72, seconds=1))
    deadlines_sweep()
    assert merchant_deposit_balance(merchant=order.merchant) == deposit_before - Decimal(
        "5.00"
    )  # the mutation

    result = check_late_shipments(start=start, end=timezone.now())
    assert result.status == FAILED
    assert f"order {order.pk}: deposit debited 5.00 for a compensation of 10.00" in result.detail


def test_ord_4_check_fails_when_the_handler_computes_half_the_compensation(
    time_machine: TimeMachineFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check does not trust the handler's own amount function."""
    full = order_services.late_shipment_compensation_amount
    monkeypatch.setattr(order_services, "late_shipment_compensation_amount", lambda total: full(total) / 2)
    order, result = _late_order_checked(time_machine)
    assert result.status == FAILED
    assert f"order {order.pk}: compensation 5.00 + shortfall 0.00 != 10.00 due" in result.detail
