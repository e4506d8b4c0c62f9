"""Orders defaults. Every number a rule names is read from settings when set there (rules.md: defaults
live in settings or policy rows, never as literals in code); these are the defaults."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings


def payment_timeout() -> timedelta:
    """ORD-3: an unpaid order is cancelled after 30 minutes."""
    return getattr(settings, "ORDERS_PAYMENT_TIMEOUT", timedelta(minutes=30))


def ship_within() -> timedelta:
    """ORD-4: a paid order ships within 72 hours of payment."""
    return getattr(settings, "ORDERS_SHIP_WITHIN", timedelta(hours=72))


def auto_confirm_after() -> timedelta:
    """ORD-6: receipt is confirmed automatically 10 days after shipping."""
    return getattr(settings, "ORDERS_AUTO_CONFIRM_AFTER", timedelta(days=10))


def confirm_extension() -> timedelta:
    """ORD-6: the customer may extend the confirmation once, by 5 days."""
    return getattr(settings, "ORDERS_CONFIRM_EXTENSION", timedelta(days=5))


def aftersales_window() -> timedelta:
    """ORD-6, PAY-4: escrow is settled when the after-sales window after completion closes."""
    return getattr(settings, "ORDERS_AFTERSALES_WINDOW", timedelta(days=15))


def late_shipment_compensation() -> dict[str, Decimal]:
    """ORD-4: compensation from the merchant's deposit: 5 % of the order, at least 5, at most 30 CNY."""
    policy: dict[str, Any] = getattr(settings, "ORDERS_LATE_SHIPMENT_COMPENSATION", {})
    return {
        "rate": Decimal(str(policy.get("rate", "0.05"))),
        "min": Decimal(str(policy.get("min", "5.00"))),
        "max": Decimal(str(policy.get("max", "30.00"))),
    }


def payment_sandbox_key() -> bytes:
    """PAY-3: the sandbox provider's HMAC-SHA256 signing key."""
    return str(getattr(settings, "ORDERS_PAYMENT_SANDBOX_KEY", "sandbox-payments-not-secret")).encode()


def payment_sandbox_behaviour() -> dict[str, Any]:
    """PAY-3: how the sandbox delivers callbacks: ``auto`` (queue after the cashier pays), ``duplicates``
    (extra copies), ``delay_seconds``, ``fail`` (the payment fails)."""
    defaults: dict[str, Any] = {"auto": True, "duplicates": 0, "delay_seconds": 0, "fail": False}
    return {**defaults, **getattr(settings, "ORDERS_PAYMENT_SANDBOX", {})}


def logistics_sandbox_key() -> bytes:
    """ORD-5: the sandbox carrier's webhook signing key."""
    return str(getattr(settings, "ORDERS_LOGISTICS_SANDBOX_KEY", "sandbox-carrier-not-secret")).encode()


def payout_provider() -> str:
    """PAY-4: the payout provider's name (``sandbox`` ships)."""
    return str(getattr(settings, "ORDERS_PAYOUT_PROVIDER", "sandbox"))


def agreement_terms() -> dict[str, Any]:
    """ORD-1: the platform's standard consumer terms copied into every order's contract snapshot."""
    return {
        "ship_within_hours": int(ship_within().total_seconds() // 3600),
        "auto_confirm_days": auto_confirm_after().days,
        "confirm_extension_days": confirm_extension().days,
        "aftersales_window_days": aftersales_window().days,
        "no_reason_return_days": int(getattr(settings, "ORDERS_NO_REASON_RETURN_DAYS", 7)),
        "late_shipment_compensation": {k: str(v) for k, v in late_shipment_compensation().items()},
    }


def review_window() -> timedelta:
    """REP-1: a completed order line is reviewed within 15 days of completion."""
    return getattr(settings, "ORDERS_REVIEW_WINDOW", timedelta(days=15))


def review_follow_up_within() -> timedelta:
    """REP-1: the one follow-up review is possible until this long after completion."""
    return getattr(settings, "ORDERS_REVIEW_FOLLOW_UP_WITHIN", timedelta(days=180))


def review_photo_max_bytes() -> int:
    """SEC-4: the largest review photo accepted."""
    return int(getattr(settings, "ORDERS_REVIEW_PHOTO_MAX_BYTES", 5 * 1024 * 1024))


def review_photo_max_files() -> int:
    """REP-1: photos per review (and per follow-up)."""
    return int(getattr(settings, "ORDERS_REVIEW_PHOTO_MAX_FILES", 9))


def review_signals() -> dict[str, int]:
    """REP-2: thresholds of the fake-review signals (burst of five-star reviews, review rings); the policy
    is ``ORDERS_REVIEW_SIGNALS`` in settings (every key given there)."""
    return dict(settings.ORDERS_REVIEW_SIGNALS)


def alipay_keys() -> dict[str, str]:
    """PAY-3: Alipay's public key (PEM, to verify its RSA2 notifications) and our app id."""
    return {
        "public_key": str(getattr(settings, "ORDERS_ALIPAY_PUBLIC_KEY", "")),
        "app_id": str(getattr(settings, "ORDERS_ALIPAY_APP_ID", "")),
    }


def wechat_pay_keys() -> dict[str, str]:
    """PAY-3: WeChat Pay v3: the platform public key (PEM) and its serial, our APIv3 key (32 bytes, to
    decrypt notification resources) and merchant id."""
    return {
        "platform_public_key": str(getattr(settings, "ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY", "")),
        "platform_serial": str(getattr(settings, "ORDERS_WECHAT_PAY_PLATFORM_SERIAL", "")),
        "apiv3_key": str(getattr(settings, "ORDERS_WECHAT_PAY_APIV3_KEY", "")),
        "mch_id": str(getattr(settings, "ORDERS_WECHAT_PAY_MCH_ID", "")),
    }


def wechat_pay_notification_max_age() -> timedelta:
    """PAY-3: a WeChat Pay notification whose timestamp is further off than this is refused (replays)."""
    return getattr(settings, "ORDERS_WECHAT_PAY_NOTIFICATION_MAX_AGE", timedelta(minutes=5))
