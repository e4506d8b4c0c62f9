"""USR-4, ORD-8: an open order holds back account deletion; afterwards the trade record stays, anonymised."""

from decimal import Decimal

import pytest

from orders.models import Order
from orders.services.refunds import order_cancel
from platform_core.accounts.deletion import user_account_delete
from platform_core.errors import Conflict
from tests.factories.accounts import DEFAULT_PASSWORD, CustomerFactory
from tests.factories.orders import paid_order

pytestmark = pytest.mark.django_db


def test_usr_4_account_deletion_refused_with_a_real_open_order_then_allowed_and_order_kept():
    customer = CustomerFactory.create()
    order = paid_order(customer=customer)

    with pytest.raises(Conflict) as refused:
        user_account_delete(user=customer, password=DEFAULT_PASSWORD, actor=customer)
    assert order.number in str(refused.value.errors)

    order_cancel(order=order, reason="out of stock", actor=order.merchant.owner, as_merchant=True)
    user_account_delete(user=customer, password=DEFAULT_PASSWORD, actor=customer)

    kept = Order.objects.get(pk=order.pk)
    assert kept.total > Decimal("0") and kept.lines.exists()  # the trade record stays (ORD-8)
    assert kept.anonymised_at is not None
    personal = {
        "shipping_name": "张三",
        "shipping_phone": "13800000000",
        "shipping_address": "北京市朝阳区建国路1号",
    }
    assert {field: getattr(order, field) for field in personal} == personal  # what the order held before
    for field, value in personal.items():
        left = getattr(kept, field)
        assert value not in left, f"{field} kept after deletion: {left!r}"
    assert "建国路" not in kept.shipping_address and "张" not in kept.shipping_name
    customer.refresh_from_db()
    assert customer.phone is None and customer.email is None and not customer.is_active
