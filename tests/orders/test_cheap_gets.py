"""Issue 26 (decision 049): the cheap GETs — listing detail, the customer's order list and order detail, the
cart — cost a pinned number of SQL statements and one Redis round trip each (the throttle), and the
default throttle keeps DRF's sliding window: the limit, ``Retry-After``, refused requests not counted
(SEC-3 throttling, ORD-1, CAT-8)."""

import uuid
from typing import Any

import pytest
import redis
from django.core.cache import caches
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from orders.models import Order
from orders.payments.sandbox import SIGNATURE_HEADER, sandbox_complete
from orders.services.cart import cart_item_add
from orders.services.checkout import order_checkout
from orders.services.payments import order_pay_start
from platform_core.accounts.models import User
from platform_core.accounts.services import user_token_issue
from platform_core.api.throttles import RequestRateThrottle
from platform_core.operations.cache import FailOpenRedisCache
from tests.factories.accounts import CustomerFactory
from tests.factories.orders import shop, shop_category, sku_for_sale

pytestmark = pytest.mark.django_db

SHIPPING = {"shipping_name": "李四", "shipping_phone": "13900000000", "shipping_address": "上海市浦东新区1号"}

#: statements per request, with a real API token (token look-up included): each lower pin is a goal met
PINS = {"listing detail": 3, "order list": 3, "order detail": 7, "cart": 2}


def _token_client(user: User) -> APIClient:
    _token, raw = user_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.fixture
def paths() -> dict[str, tuple[str, APIClient]]:
    """One paid order and one cart line of a customer, and the four GETs as the app sends them."""
    sku = sku_for_sale(merchant=shop(shop_category()), price="100.00", stock=10)
    customer: Any = CustomerFactory()
    cart_item_add(customer=customer, sku_id=sku.pk, quantity=1, actor=customer)
    order: Order = order_checkout(customer=customer, actor=customer, **SHIPPING)[0]
    payment = order_pay_start(order=order, provider="sandbox", actor=customer)
    headers, body = sandbox_complete(payment)
    paid = APIClient().generic(
        "POST",
        "/api/v1/payments/callbacks/sandbox/",
        body,
        content_type="application/json",
        **{"HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_"): headers[SIGNATURE_HEADER]},
    )
    assert paid.status_code == 200, paid.content
    cart_item_add(customer=customer, sku_id=sku.pk, quantity=2, actor=customer)
    client = _token_client(customer)
    return {
        "listing detail": (f"/api/v1/listings/{sku.listing_id}/", APIClient()),
        "order list": ("/api/v1/orders/", client),
        "order detail": (f"/api/v1/orders/{order.pk}/", client),
        "cart": ("/api/v1/cart/", client),
    }


def test_iss_26_cheap_gets_statements_are_pinned(
    paths: dict[str, tuple[str, APIClient]], django_assert_num_queries: Any
) -> None:
    answers = {}
    for name, (path, client) in paths.items():
        client.get(path)  # warm: nothing per process (the compiled token query) is counted
        with django_assert_num_queries(PINS[name]):
            response = client.get(path)
        assert response.status_code == 200, (name, response.content)
        answers[name] = response.json()
    # the statements saved read the same answers
    assert answers["listing detail"]["favourite_count"] == 0
    assert answers["listing detail"]["merchant_follower_count"] == 0
    assert answers["order list"]["count"] == 1 and len(answers["order list"]["results"]) == 1
    detail = answers["order detail"]
    assert detail["paid_amount"] == "100.00" and detail["refunded_amount"] == "0.00"
    assert answers["cart"]["total"] == "200.00" and answers["cart"]["items"][0]["quantity"] == 2


def test_iss_26_order_list_counts_with_its_page_and_past_it(django_assert_num_queries: Any) -> None:
    sku = sku_for_sale(merchant=shop(shop_category()), price="10.00", stock=50)
    customer: Any = CustomerFactory()
    for _ in range(3):
        cart_item_add(customer=customer, sku_id=sku.pk, quantity=1, actor=customer)
        order_checkout(customer=customer, actor=customer, **SHIPPING)
    client = _token_client(customer)
    client.get("/api/v1/orders/")
    with django_assert_num_queries(3):  # token, the page with its count (window), its lines
        page = client.get("/api/v1/orders/?page_size=2&page=2").json()
    assert page["count"] == 3 and len(page["results"]) == 1 and page["next"] is None
    assert client.get("/api/v1/orders/?page_size=2&page=3").status_code == 404  # past the end: counted
    empty = _token_client(CustomerFactory()).get("/api/v1/orders/").json()
    assert empty["count"] == 0 and empty["results"] == []


# --- the throttle: one Redis round trip, DRF's sliding window ------------------------------------------


@pytest.fixture
def redis_cache() -> FailOpenRedisCache:
    cache = caches["default"]
    if not isinstance(cache, FailOpenRedisCache):
        pytest.skip("needs REDIS_URL (the cache on Redis)")
    return cache


@pytest.fixture
def fresh_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys of this test alone (pks and 127.0.0.1 repeat across the parallel test databases)."""
    monkeypatch.setattr(RequestRateThrottle, "cache_format", f"t{uuid.uuid4().hex}_%(scope)s_%(ident)s")


def test_iss_26_a_cheap_get_costs_one_redis_round_trip(
    redis_cache: FailOpenRedisCache,
    fresh_keys: None,
    paths: dict[str, tuple[str, APIClient]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    command, pipeline = redis.Redis.execute_command, redis.client.Pipeline.execute

    def counted_command(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(str(args[0]))
        return command(self, *args, **kwargs)

    def counted_pipeline(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append("pipeline")
        return pipeline(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", counted_pipeline)
    monkeypatch.setattr(redis.Redis, "execute_command", counted_command)
    for name, (path, client) in paths.items():
        calls.clear()
        assert client.get(path).status_code == 200
        assert calls == ["pipeline"], (name, calls)  # DRF's throttles: 2 (signed in), 4 (anonymous)


def test_sec_3_the_default_throttle_limits_retries_after_and_does_not_count_refusals(
    redis_cache: FailOpenRedisCache, fresh_keys: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})
    now = [1_000_000.0]
    monkeypatch.setattr(RequestRateThrottle, "timer", lambda self: now[0])
    anonymous = APIClient(REMOTE_ADDR="203.0.113.9")
    statuses = [anonymous.get("/api/v1/categories/").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]  # the anon rate, per address
    refused = anonymous.get("/api/v1/categories/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) == 60
    now[0] += 30
    assert anonymous.get("/api/v1/categories/").status_code == 429
    now[0] += 31  # the three accepted requests left the window; the refused ones were never in it
    assert anonymous.get("/api/v1/categories/").status_code == 200
    # a signed-in customer counts against the user rate of the account, whatever the address
    signed_in = _token_client(CustomerFactory())
    statuses = [signed_in.get("/api/v1/orders/").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
