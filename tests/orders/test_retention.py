"""ORD-8 retention and MER-8 closure."""

from decimal import Decimal

import pytest

from merchants.services.lifecycle import merchant_closure_pending
from orders.models import Order
from orders.selectors.money import order_paid_amount
from orders.services.retention import orders_anonymise_customer
from tests.factories.orders import paid_order, shipped_order

pytestmark = pytest.mark.django_db


def test_ord_8_account_deletion_anonymises_personal_data_and_keeps_the_trade_record() -> None:
    order = shipped_order()
    customer = order.customer
    assert orders_anonymise_customer(user=customer) == 1
    order.refresh_from_db()
    # gone: who received it and where
    assert (order.shipping_name, order.shipping_phone, order.shipping_address) == ("", "", "")
    assert order.anonymised_at is not None
    # kept: the trade itself — order, lines, amounts, payment, logistics, timeline, ledger
    assert Order.objects.filter(pk=order.pk, customer=customer).exists()
    assert order.lines.count() == 1 and order.total > 0
    assert order_paid_amount(order=order) == order.total
    assert order.payments.get().provider_trade_no
    assert order.tracking_number and order.carrier
    assert order.events.filter(action="shipped").exists()


def test_mer_8_open_orders_block_merchant_closure() -> None:
    order = paid_order()
    pending = merchant_closure_pending(merchant=order.merchant)
    assert any("open" in reason for reason in pending)
    assert Decimal(order.total) > 0
