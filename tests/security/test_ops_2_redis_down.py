"""OPS-2, OPS-5 (issue 20 item 8): losing Redis delays work, never refuses the API.

The attack: with Redis unreachable every throttled API request (login included) answered 500. Now the
cache fails open: throttles let the request through, the outage is logged once, ``/readyz`` answers 503
naming Redis and ``/healthz`` stays 200. Redis is "down" by pointing the cache at a closed port.
"""

import logging

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from platform_core.accounts.models import User
from tests.conftest import client_for
from tests.factories.accounts import DEFAULT_PASSWORD

CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings: Settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "platform_core.operations.cache.FailOpenRedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.CACHE_REDIS_RETRY_SECONDS = 0.0  # try Redis on every call: each request meets the outage
    # the real throttle rates (the suite's autouse fixture raises them), so every request is throttled
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "1200/min", "login": "20/min"},
    }


@pytest.mark.django_db
def test_ops_2_login_and_throttled_api_answer_with_redis_down(
    redis_down: None, customer: User, api_client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="platform_core.operations.cache"):
        login = api_client.post(
            "/api/v1/auth/login/", {"login": customer.email, "password": DEFAULT_PASSWORD}, format="json"
        )
        orders = client_for(customer).get("/api/v1/orders/")
        anonymous = api_client.get("/api/v1/listings/")
    assert login.status_code == 200, login.content
    assert "token" in login.json()
    assert orders.status_code == 200, orders.content
    assert anonymous.status_code == 200, anonymous.content
    assert any("Redis cache unreachable" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_ops_5_readyz_reports_redis_down_while_healthz_stays_up(redis_down: None) -> None:
    client = Client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    cache_check = ready.json()["checks"]["cache"]
    assert cache_check["ok"] is False
    assert "Redis cache unreachable" in cache_check["detail"]
    assert client.get("/healthz").status_code == 200


def test_ops_2_the_breaker_skips_redis_after_a_failure(redis_down: None, settings: Settings) -> None:
    from django.core.cache import caches

    from platform_core.operations.cache import FailOpenRedisCache

    settings.CACHE_REDIS_RETRY_SECONDS = 60.0
    cache = caches["default"]
    assert isinstance(cache, FailOpenRedisCache)
    assert cache.get("k", "fallback") == "fallback"
    cache.set("k", 1)  # dropped, and Redis is not tried again (no second timeout) while the breaker is open
    assert cache.get("k") is None
    with pytest.raises(Exception, match=r"(?i)connect"):
        cache.ping()  # the readiness probe always asks Redis itself
