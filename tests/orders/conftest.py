import pytest

from catalog.models import Sku
from orders.models import Order
from tests.factories.orders import paid_order, pending_order, shipped_order, sku_for_sale


@pytest.fixture
def sku(db: None) -> Sku:
    return sku_for_sale(price="100.00", stock=10)


@pytest.fixture
def order(sku: Sku) -> Order:
    return pending_order(sku=sku)


@pytest.fixture
def paid(sku: Sku) -> Order:
    return paid_order(sku=sku)


@pytest.fixture
def shipped(sku: Sku) -> Order:
    return shipped_order(sku=sku)
