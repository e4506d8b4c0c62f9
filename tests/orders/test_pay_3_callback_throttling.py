"""PAY-3, ORD-5 (issue 26): a payment provider's callbacks are never throttled as an anonymous client.

The anonymous limit (120 a minute per client address) applied to the callbacks, so at ~2 notifications a
second from one provider the platform answered 429 and the payments waited for the provider's retries.
Now only *rejected* callbacks count per address, and a flood of unsigned ones is answered 429 before its
signature is checked or anything is written."""

from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from orders.models import Order, Payment, PaymentCallbackLog
from tests.factories.orders import pending_order
from tests.orders import provider_keys as keys

pytestmark = pytest.mark.django_db

REAL_RATES = {"anon": "120/min", "user": "1200/min", "login": "20/min"}  # the production defaults


@pytest.fixture(autouse=True)
def _production_rates(settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    keys.configure(settings)
    settings.API_CALLBACK_REJECTIONS_PER_MINUTE = 60  # the production default
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": REAL_RATES}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", REAL_RATES)  # DRF binds it at import
    cache.clear()
    yield
    cache.clear()


def _post(api_client, body: bytes):
    return api_client.generic(
        "POST",
        "/api/v1/payments/callbacks/alipay/",
        body,
        content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR="203.0.113.7",
    )


def _payment() -> Payment:
    order = pending_order()
    return Payment.objects.create(
        order=order, provider="alipay", amount=order.total, out_trade_no=f"{order.number}P1"
    )


def test_pay_3_sec_300_signed_callbacks_a_minute_from_one_ip_all_answer_200(api_client) -> None:
    """Ten orders paid, each notified 30 times (providers repeat until acknowledged): 300 signed callbacks
    from one address within a minute — far over the anonymous 120 — all 200, each order paid once."""
    payments = [_payment() for _ in range(10)]
    bodies = [
        keys.alipay_body(
            keys.alipay_notification(
                out_trade_no=p.out_trade_no, amount=p.amount, trade_no=f"2026031022{i:03}"
            )
        )
        for i, p in enumerate(payments)
    ]
    with time_machine.travel(timezone.now(), tick=False):  # all 300 within the same minute
        statuses = [_post(api_client, bodies[i % 10]).status_code for i in range(300)]
    assert statuses == [200] * 300
    assert Order.objects.filter(pk__in=[p.order_id for p in payments], status=Order.Status.PAID).count() == 10
    assert PaymentCallbackLog.objects.filter(outcome="accepted").count() == 10


def test_pay_3_sec_unsigned_flood_is_refused_before_any_write(api_client, settings) -> None:
    """Rejected callbacks count per address: after the limit, 429 — no signature check, no log row — while
    a signed callback from another address still answers 200."""
    settings.API_CALLBACK_REJECTIONS_PER_MINUTE = 5
    payment = _payment()
    params = keys.alipay_notification(out_trade_no=payment.out_trade_no, amount=payment.amount)
    unsigned = keys.alipay_body({k: v for k, v in params.items() if k != "sign"})
    statuses = [_post(api_client, unsigned).status_code for _ in range(8)]
    assert statuses == [400] * 5 + [429] * 3
    assert PaymentCallbackLog.objects.filter(outcome="rejected").count() == 5  # nothing written after
    signed = api_client.generic(
        "POST",
        "/api/v1/payments/callbacks/alipay/",
        keys.alipay_body(params),
        content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR="198.51.100.2",
    )
    assert signed.status_code == 200
    assert Order.objects.get(pk=payment.order_id).status == Order.Status.PAID
