"""SEC-3, issue 20 item 6: repeated failed sign-ins lock the *account*, whatever spelling of it is typed;
the throttles trust only our own proxy hops of X-Forwarded-For; the locked answer is the platform's JSON
error, translated."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, cast

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from platform_core.accounts.lockout import client_ip
from platform_core.accounts.models import User
from platform_core.api.throttles import LoginRateThrottle
from tests.factories.accounts import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
ROOT = Path(__file__).resolve().parents[2]


def fresh_ip() -> str:
    """A client address of this test alone (the throttle counters live in the shared cache)."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"


@pytest.fixture
def lockout_on(settings: Any) -> int:
    settings.AXES_ENABLED = True
    return int(settings.AXES_FAILURE_LIMIT)


def test_sec_3_lockout_counts_every_spelling_of_the_account(lockout_on: int) -> None:
    user = cast(User, UserFactory(email="lock.me@example.com", phone="13812345678"))
    spellings = [
        "LOCK.ME@example.com",
        "lock.me@EXAMPLE.COM",
        "13812345678",
        "+86 138-1234-5678",
        "Lock.Me@Example.com",
    ]
    api = APIClient(REMOTE_ADDR=fresh_ip())
    statuses = [
        api.post(LOGIN, {"login": spellings[n % len(spellings)], "password": "wrong-password-0"}).status_code
        for n in range(lockout_on)
    ]
    assert statuses == [400] * (lockout_on - 1) + [429]

    # Locked: the right password is refused under every spelling, and from another address too.
    for login in ["lock.me@example.com", "13812345678", "LOCK.ME@EXAMPLE.COM"]:
        response = APIClient(REMOTE_ADDR=fresh_ip()).post(
            LOGIN, {"login": login, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 429, login
        assert "token" not in response.content.decode()
    assert AccessAttempt.objects.filter(username=f"account:{user.pk}").exists()


def test_sec_3_locked_answer_is_the_platform_json_error_translated(
    lockout_on: int, platform_default_language: str
) -> None:
    user = cast(User, UserFactory())
    api = APIClient(REMOTE_ADDR=fresh_ip())
    for _ in range(lockout_on):
        api.post(LOGIN, {"login": user.email, "password": "wrong-password-0"})
    response = api.post(LOGIN, {"login": user.phone, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "locked_out"
    assert "登录失败次数过多" in body["detail"]


def test_sec_3_success_clears_the_account_failures(lockout_on: int) -> None:
    user = cast(User, UserFactory())
    api = APIClient(REMOTE_ADDR=fresh_ip())
    for _ in range(lockout_on - 1):
        api.post(LOGIN, {"login": str(user.email).upper(), "password": "wrong-password-0"})
    assert api.post(LOGIN, {"login": user.phone, "password": DEFAULT_PASSWORD}).status_code == 200
    assert api.post(LOGIN, {"login": user.email, "password": "wrong-password-0"}).status_code == 400


def test_sec_3_login_throttle_ignores_a_client_written_forwarded_for(monkeypatch: Any) -> None:
    """With the configured NUM_PROXIES (0 here: no proxy) a client-written X-Forwarded-For changes nothing."""
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "3/min"})  # bound at import by DRF
    balancer, client = fresh_ip(), fresh_ip()
    api = APIClient(REMOTE_ADDR=balancer)
    statuses = [
        api.post(
            LOGIN,
            {"login": "nobody@example.com", "password": "wrong-password-0"},
            # the client writes a new address each time (here no proxy of ours is in front)
            HTTP_X_FORWARDED_FOR=f"{fresh_ip()}, {client}",
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 429, 429]


def test_sec_3_client_ip_trusts_only_the_configured_hops(settings: Any, rf: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    request = rf.post(LOGIN, REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    assert client_ip(request) == "192.0.2.10"


def test_sec_3_production_trusts_exactly_the_load_balancer_hop() -> None:
    """Production declares NUM_PROXIES (one load balancer, docs/deployment.md); DRF's default (None) would
    key the throttles on whatever X-Forwarded-For the client sends."""
    env = {k: v for k, v in os.environ.items() if k not in {"API_NUM_PROXIES", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="test-" + "k3y-" * 16,
        DJANGO_ALLOWED_HOSTS="marketplace.example",
    )
    code = "from django.conf import settings; print(repr(settings.REST_FRAMEWORK['NUM_PROXIES']))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "1"


def test_sec_3_seller_centre_sign_up_and_sign_in_are_limited_per_client_address(monkeypatch: Any) -> None:
    """The seller centre's forms count against the API's per-address sign-in limit: one address cannot
    create accounts in bulk, nor try passwords past the limit; another address is not affected."""
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "3/min"})  # bound at import by DRF
    address = fresh_ip()
    browser = Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="zh-hans")
    signups = [
        browser.post(
            "/merchant/register/", {"email": f"bulk{n}@example.com", "password": "a-long-enough-passphrase"}
        )
        for n in range(4)
    ]
    assert [r.status_code for r in signups] == [302, 302, 302, 429]
    assert "请稍等一分钟再试" in signups[-1].content.decode()
    assert not User.objects.filter(email="bulk3@example.com").exists()
    refused = browser.post(
        "/merchant/login/", {"username": "bulk0@example.com", "password": "wrong-password-0"}
    )
    assert refused.status_code == 429
    other = Client(REMOTE_ADDR=fresh_ip())
    assert (
        other.post(
            "/merchant/register/", {"email": "elsewhere@example.com", "password": "x" * 16}
        ).status_code
        == 302
    )
