"""Booting the production settings in a fresh process (decision 019): the environment a production
deployment must provide, with every secret generated at random, and a runner for ``manage.py`` or Python
code under it. Nothing the test process set (settings overrides, async-unsafe allowance) leaks in."""

import os
import secrets
import subprocess
import sys
from base64 import urlsafe_b64encode
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

#: variables of the test process that a production process must not inherit
NOT_INHERITED = {
    "STAFF_REQUIRE_OTP",
    "PLATFORM_TEST_CLOCK_ENABLED",
    "DJANGO_ENV",
    "DJANGO_DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DJANGO_SECRET_KEY",
    "DJANGO_SECRET_KEY_FALLBACKS",
    "OPS_METRICS_TOKEN",
    "FIELD_ENCRYPTION_KEYS",
    "ORDERS_PAYMENT_PROVIDERS",
    "ORDERS_LOGISTICS_CARRIERS",
    "ORDERS_PAYOUT_PROVIDER",
    "ORDERS_PAYMENT_SANDBOX_KEY",
    "ORDERS_LOGISTICS_SANDBOX_KEY",
    "NOTIFICATIONS_SMS_BACKEND",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
}


def production_env(**overrides: str) -> dict[str, str]:
    """A complete production environment (every secret random); ``overrides`` change or (``""``) blank one."""
    env = {
        "DJANGO_ENV": "production",
        "DJANGO_ALLOWED_HOSTS": "marketplace.example",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "OPS_METRICS_TOKEN": secrets.token_urlsafe(32),
        "FIELD_ENCRYPTION_KEYS": urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ORDERS_ALIPAY_APP_ID": "2021" + secrets.token_hex(6),
        "ORDERS_ALIPAY_PUBLIC_KEY": secrets.token_urlsafe(32),
        "ORDERS_WECHAT_PAY_MCH_ID": "16" + secrets.token_hex(4),
        "ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY": secrets.token_urlsafe(32),
        "ORDERS_WECHAT_PAY_PLATFORM_SERIAL": secrets.token_hex(20),
        "ORDERS_WECHAT_PAY_APIV3_KEY": secrets.token_hex(16),
        "ORDERS_ALIPAY_APP_PRIVATE_KEY": secrets.token_urlsafe(32),
        "ORDERS_ALIPAY_NOTIFY_URL": "https://marketplace.example/api/v1/payments/callbacks/alipay/",
        "ORDERS_WECHAT_PAY_APPID": "wx" + secrets.token_hex(8),
        "ORDERS_WECHAT_PAY_MCH_PRIVATE_KEY": secrets.token_urlsafe(32),
        "ORDERS_WECHAT_PAY_MCH_SERIAL": secrets.token_hex(20),
        "ORDERS_WECHAT_PAY_NOTIFY_URL": "https://marketplace.example/api/v1/payments/callbacks/wechat_pay/",
        "AUDIT_CHAIN_KEYS": "t1:" + secrets.token_urlsafe(48),
        # OPS-3 (decision 024): Aliyun SMS and the SMTP host are required in production
        "NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_ID": "LTAI" + secrets.token_hex(10),
        "NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_SECRET": secrets.token_urlsafe(24),
        "NOTIFICATIONS_ALIYUN_SMS_SIGN_NAME": "市集",
        "NOTIFICATIONS_ALIYUN_SMS_TEMPLATE": "SMS_100000001",
        "EMAIL_HOST": "smtp.marketplace.example",
    }
    env.update(overrides)
    return env


def this_database_url() -> str:
    """The URL of the database this test process uses (so a subprocess sees the same tables)."""
    params = connection.settings_dict
    if connection.vendor != "postgresql":
        return os.environ.get("DATABASE_URL", "")
    auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    return f"postgres://{auth}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"


def run(args: list[str], env: dict[str, str], timeout: int = 180) -> subprocess.CompletedProcess[str]:
    """Run ``python <args>`` in the project root under exactly the inherited environment plus ``env``."""
    inherited = {
        k: v for k, v in os.environ.items() if k not in NOT_INHERITED and not k.startswith("ORDERS_")
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**inherited, **{k: v for k, v in env.items() if v != ""}},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
