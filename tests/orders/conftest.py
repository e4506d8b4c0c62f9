from collections.abc import Iterator

import pytest

from catalog.models import Sku
from orders.models import Order
from tests.factories.orders import paid_order, pending_order, shipped_order, sku_for_sale
from tests.fakes.alipay import FakeAlipay, start_fake_alipay
from tests.fakes.wechat_pay import FakeWechatPay, start_fake_wechat_pay


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


@pytest.fixture
def fake_alipay(settings) -> Iterator[FakeAlipay]:
    """A fake Alipay gateway on 127.0.0.1, the Alipay provider pointed at it (decision 029)."""
    fake, configured = start_fake_alipay()
    for name, value in configured.items():
        setattr(settings, name, value)
    yield fake
    fake.stop()


@pytest.fixture
def fake_wechat_pay(settings) -> Iterator[FakeWechatPay]:
    """A fake WeChat Pay API v3 on 127.0.0.1, the WeChat Pay provider pointed at it (decision 029)."""
    fake, configured = start_fake_wechat_pay()
    for name, value in configured.items():
        setattr(settings, name, value)
    yield fake
    fake.stop()
