"""A Django system check of the platform's settings: types and ranges, at start-up (``manage.py check``,
``runserver``, ``migrate``, the worker's ``check`` in the container's entrypoint).

Every setting the code reads is declared once in ``platform_core/settings/``; most come from the
environment, where a typo (``ORDERS_SHIP_WITHIN_HOURS=-72``, a rate of ``5``) would otherwise surface only
when the rule fires. Each problem is an ``Error``:

- ``platform.E001``: the wrong type (e.g. a number of hours where a ``timedelta`` is expected);
- ``platform.E002``: out of range (a non-positive duration or count, a rate outside 0..1, min above max);
- ``platform.E003``: a structured setting missing a key or holding a malformed row.

Registered by ``platform_core.operations.apps.OperationsConfig.ready``.
"""

from collections.abc import Callable, Iterable
from datetime import timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

#: durations (``timedelta``) that must be longer than zero
POSITIVE_DURATIONS = (
    "IDEMPOTENCY_KEY_TTL",
    "DEADLINE_ETA_WINDOW",
    "MERCHANT_REVERIFY_INTERVAL",
    "MERCHANT_REVERIFY_GRACE",
    "MERCHANT_AGREEMENT_NOTICE",
    "MERCHANT_STAFF_INVITATION_EXPIRES",
    "MERCHANT_APPEAL_WINDOW",
    "JURY_VOTE_WITHIN",
    "JURY_NO_ORDERS_WITHIN",
    "FIELDWORK_SCHEDULE_WITHIN",
    "CATALOG_REVIEW_WITHIN",
    "CATALOG_IP_COUNTER_NOTICE_WINDOW",
    "CATALOG_INSPECTION_COMPLAINT_WINDOW",
    "CATALOG_INSPECTION_COMPLAINT_TRIGGER_WINDOW",
    "CATALOG_ASSISTED_STOCK_CONFIRM_WITHIN",
    "CATALOG_RECHECK_CORRECTION_WITHIN",
    "ORDERS_PAYMENT_TIMEOUT",
    "ORDERS_SHIP_WITHIN",
    "ORDERS_AUTO_CONFIRM_AFTER",
    "ORDERS_CONFIRM_EXTENSION",
    "ORDERS_AFTERSALES_WINDOW",
    "ORDERS_DELIVERY_STALL_AFTER",
    "ORDERS_DELIVERY_CASE_WITHIN",
    "ORDERS_REVIEW_WINDOW",
    "ORDERS_REVIEW_FOLLOW_UP_WITHIN",
    "ORDERS_WECHAT_PAY_NOTIFICATION_MAX_AGE",
    "AFTERSALES_RESPONSE_WITHIN",
    "AFTERSALES_RESPONSE_WITHIN_SPECIAL",
    "AFTERSALES_RETURN_SHIP_WITHIN",
    "AFTERSALES_RETURN_RECEIPT_WITHIN",
    "AFTERSALES_REFUND_WITHIN",
    "AFTERSALES_ESCALATION_WINDOW",
    "AFTERSALES_COMPLAINT_ACK_WITHIN",
    "AFTERSALES_COMPLAINT_ANSWER_WITHIN",
    "AFTERSALES_MERCHANT_MESSAGE_REPLY_WITHIN",
    "AFTERSALES_CS_MESSAGE_REPLY_WITHIN",
    "SESSION_IDLE_TIMEOUT",
)

#: whole numbers (days, working days, bytes, counts, seconds) that must be at least 1
POSITIVE_INTS = (
    "ORDERS_REFUND_RETRY_BASE_SECONDS",
    "ORDERS_REFUND_RETRY_MAX_SECONDS",
    "ORDERS_REFUND_MAX_ATTEMPTS",
    "ORDERS_WECHAT_PAY_CERTIFICATES_REFRESH_HOURS",
    "ORDERS_PAYOUT_ACCOUNT_COOLING_OFF_HOURS",
    "ORDERS_PAYMENT_QUERY_AFTER_SECONDS",
    "NOTIFICATIONS_MAX_ATTEMPTS",
    "DEADLINE_SWEEP_BATCH",
    "MERCHANT_APPLICATION_REVIEW_WORKING_DAYS",
    "MERCHANT_CHANGE_VERIFY_WORKING_DAYS",
    "MERCHANT_APPEAL_REVIEW_WORKING_DAYS",
    "MERCHANT_PENALTY_PUBLISH_WORKING_DAYS",
    "MERCHANT_UPLOAD_MAX_BYTES",
    "STAFF_ADMIN_CAP",
    "STAFF_PERMISSION_REVIEW_WORKING_DAYS",
    "STAFF_ATTACHMENT_MAX_BYTES",
    "JURY_SIZE",
    "JURY_QUORUM",
    "CATALOG_NEW_MERCHANT_DAYS",
    "CATALOG_RECHECK_SAMPLE_SIZE",
    "CATALOG_INSPECTION_COMPLAINT_TRIGGER",
    "ORDERS_REVIEW_PHOTO_MAX_BYTES",
    "CATALOG_LISTING_IMAGE_MAX_BYTES",
    "CATALOG_LISTING_IMAGE_MAX_SIDE",
    "CATALOG_LISTING_IMAGE_MAX_FILES",
    "PLATFORM_TEST_CLOCK_MAX_HOURS",
    "ORDERS_REVIEW_PHOTO_MAX_FILES",
    "AFTERSALES_NO_REASON_RETURN_DAYS",
    "AFTERSALES_QUALITY_RETURN_DAYS",
    "AFTERSALES_WARRANTY_DAYS",
    "AFTERSALES_EVIDENCE_MAX_BYTES",
    "AFTERSALES_EVIDENCE_MAX_FILES",
    "OPS_BACKUP_KEEP",
    "OPS_HEARTBEAT_MAX_AGE_SECONDS",
    "OPS_DEADLINE_OVERDUE_GRACE_SECONDS",
    "REPORTS_CHUNK_SIZE",
    "REPORTS_PDF_MAX_ROWS",
    "SESSION_COOKIE_AGE",
    "API_JSON_MAX_BYTES",
    "API_JSON_MAX_DEPTH",
    "DATA_UPLOAD_MAX_MEMORY_SIZE",
    "API_CALLBACK_REJECTIONS_PER_MINUTE",
    "ORDERS_TRACKING_SUBSCRIBE_ATTEMPTS",
    "EMAIL_PORT",
    "EMAIL_TIMEOUT",
    "AUDIT_SEAL_INTERVAL_SECONDS",
    "AUDIT_SEAL_BATCH",
)

#: whole numbers that may be zero
NON_NEGATIVE_INTS = ("OPS_DEADLINE_BACKLOG_MAX", "DATABASE_CONN_MAX_AGE")

#: numbers (int, float or Decimal) that must be greater than zero
POSITIVE_NUMBERS = (
    "ORDERS_PAYMENT_HTTP_TIMEOUT_SECONDS",
    "OPS_HEARTBEAT_INTERVAL_SECONDS",
    "CACHE_REDIS_TIMEOUT_SECONDS",
    "CACHE_REDIS_RETRY_SECONDS",
    "PLATFORM_TEST_CLOCK_CACHE_SECONDS",
    "JURY_MAX_AMOUNT",
    "CATALOG_PRICE_CHANGE_REVIEW_RATIO",
    "CATALOG_PRICE_ABSURD_ABOVE",
    "CATALOG_INSPECTION_RISK_PER_COMPLAINT",
    "CATALOG_INSPECTION_COMPLAINT_RISK_CAP",
    "CATALOG_INSPECTION_NEW_MERCHANT_RISK",
    "CATALOG_RANKING_RELEVANCE_WEIGHT",
    "ORDERS_KUAIDI100_TIMEOUT",
    "NOTIFICATIONS_ALIYUN_SMS_TIMEOUT",
    "AFTERSALES_RETURN_SHIPPING_FEE_MAX",
)

#: numbers that may be zero
NON_NEGATIVE_NUMBERS = (
    "ORDERS_ALIPAY_FEE_RATE",
    "ORDERS_WECHAT_PAY_FEE_RATE",
    "CATALOG_PRICE_ABSURD_BELOW",
    "CATALOG_RANKING_RELEVANCE_FLOOR",
    "CATALOG_RANKING_SALES_WEIGHT",
)

#: strings (keys, provider names; empty means "not configured" where the code says so)
STRINGS = (
    "ORDERS_ALIPAY_APP_ID",
    "ORDERS_ALIPAY_PUBLIC_KEY",
    "ORDERS_ALIPAY_APP_CERT",
    "ORDERS_ALIPAY_PUBLIC_CERT",
    "ORDERS_ALIPAY_ROOT_CERT",
    "ORDERS_WECHAT_PAY_MCH_ID",
    "ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY",
    "ORDERS_WECHAT_PAY_PLATFORM_SERIAL",
    "ORDERS_WECHAT_PAY_APIV3_KEY",
    "ORDERS_ALIPAY_GATEWAY",
    "ORDERS_ALIPAY_APP_PRIVATE_KEY",
    "ORDERS_ALIPAY_NOTIFY_URL",
    "ORDERS_WECHAT_PAY_GATEWAY",
    "ORDERS_WECHAT_PAY_APPID",
    "ORDERS_WECHAT_PAY_MCH_PRIVATE_KEY",
    "ORDERS_WECHAT_PAY_MCH_SERIAL",
    "ORDERS_WECHAT_PAY_NOTIFY_URL",
    "ORDERS_PAYMENT_SANDBOX_KEY",
    "ORDERS_LOGISTICS_SANDBOX_KEY",
    "ORDERS_PAYOUT_PROVIDER",
    "ORDERS_WECHAT_PAY_TRANSFER_SCENE_PAYOUT",
    "ORDERS_WECHAT_PAY_TRANSFER_SCENE_REFUND",
    "OPS_METRICS_TOKEN",
    "STAFF_USER_APPLICATION_ESCALATION_GROUP",
    "ORDERS_KUAIDI100_KEY",
    "ORDERS_KUAIDI100_SALT",
    "ORDERS_KUAIDI100_CALLBACK_URL",
    "ORDERS_KUAIDI100_GATEWAY_URL",
    "NOTIFICATIONS_SMS_BACKEND",
    "NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_ID",
    "NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_SECRET",
    "NOTIFICATIONS_ALIYUN_SMS_SIGN_NAME",
    "NOTIFICATIONS_ALIYUN_SMS_TEMPLATE",
    "NOTIFICATIONS_ALIYUN_SMS_GATEWAY_URL",
    "NOTIFICATIONS_ALIYUN_SMS_REGION",
    "EMAIL_HOST",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "SERVER_EMAIL",
)

#: lists of names (the enabled payment providers and carriers, decision 019)
STRING_LISTS = ("ORDERS_PAYMENT_PROVIDERS", "ORDERS_LOGISTICS_CARRIERS")

PENALTY_TRACKS = ("general", "serious")


def _setting(name: str) -> Any:
    """The setting called ``name`` (every name checked here is declared in the settings package)."""
    return attrgetter(name)(settings)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _type_error(name: str, value: object, expected: str) -> Error:
    return Error(
        f"{name} must be {expected}, not {type(value).__name__} ({value!r}).",
        hint=f"Fix {name} (or the environment variable it is read from) in platform_core/settings/.",
        id="platform.E001",
    )


def _range_error(name: str, value: object, expected: str) -> Error:
    return Error(f"{name} must be {expected}; it is {value!r}.", id="platform.E002")


def _shape_error(name: str, problem: str) -> Error:
    return Error(f"{name}: {problem}.", id="platform.E003")


def _check_each(
    names: Iterable[str],
    is_type: Callable[[Any], bool],
    type_name: str,
    in_range: Callable[[Any], bool],
    rng: str,
) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for name in names:
        value = _setting(name)
        if not is_type(value):
            errors.append(_type_error(name, value, type_name))
        elif not in_range(value):
            errors.append(_range_error(name, value, rng))
    return errors


def _check_number_map(name: str, keys_type: type, positive: bool = True) -> list[CheckMessage]:
    value = _setting(name)
    if not isinstance(value, dict):
        return [_type_error(name, value, "a dict")]
    errors: list[CheckMessage] = []
    for key, number in value.items():
        if not isinstance(key, keys_type) or not _is_number(number):
            errors.append(
                _shape_error(name, f"entry {key!r}: {number!r} is not {keys_type.__name__} -> number")
            )
        elif positive and number <= 0:
            errors.append(_range_error(f"{name}[{key!r}]", number, "greater than zero"))
    return errors


def _check_structured() -> list[CheckMessage]:
    errors: list[CheckMessage] = []

    # ORD-4: the late-shipment compensation: a rate of the order (0..1) between min and max (CNY)
    name = "ORDERS_LATE_SHIPMENT_COMPENSATION"
    policy = settings.ORDERS_LATE_SHIPMENT_COMPENSATION
    if not isinstance(policy, dict):
        errors.append(_type_error(name, policy, "a dict with rate, min and max"))
    elif missing := {"rate", "min", "max"} - set(policy):
        errors.append(_shape_error(name, f"missing {', '.join(sorted(missing))}"))
    elif not all(isinstance(policy[key], Decimal) for key in ("rate", "min", "max")):
        errors.append(_type_error(name, policy, "a dict of Decimal rate, min and max"))
    else:
        if not Decimal(0) <= policy["rate"] <= Decimal(1):
            errors.append(_range_error(f"{name}['rate']", policy["rate"], "between 0 and 1"))
        if not Decimal(0) <= policy["min"] <= policy["max"]:
            errors.append(_range_error(name, policy, "0 <= min <= max"))

    # PAY-3: the sandbox payment provider's behaviour
    name = "ORDERS_PAYMENT_SANDBOX"
    sandbox = settings.ORDERS_PAYMENT_SANDBOX
    if not isinstance(sandbox, dict):
        errors.append(_type_error(name, sandbox, "a dict"))
    else:
        for key, is_type, type_name in (
            ("auto", lambda v: isinstance(v, bool), "a bool"),
            ("fail", lambda v: isinstance(v, bool), "a bool"),
            ("duplicates", _is_int, "an int"),
            ("delay_seconds", _is_int, "an int"),
        ):
            if key not in sandbox:
                errors.append(_shape_error(name, f"missing {key}"))
            elif not is_type(sandbox[key]):
                errors.append(_type_error(f"{name}[{key!r}]", sandbox[key], type_name))
            elif type_name == "an int" and sandbox[key] < 0:
                errors.append(_range_error(f"{name}[{key!r}]", sandbox[key], "zero or more"))

    # REP-2: every threshold of the fake-review signals is a positive whole number
    name = "ORDERS_REVIEW_SIGNALS"
    signals = settings.ORDERS_REVIEW_SIGNALS
    required = (
        "burst_count",
        "burst_window_hours",
        "new_account_days",
        "ring_accounts",
        "ring_shared_merchants",
        "ring_window_days",
    )
    if not isinstance(signals, dict):
        errors.append(_type_error(name, signals, "a dict"))
    else:
        for key in required:
            if key not in signals:
                errors.append(_shape_error(name, f"missing {key}"))
            elif not _is_int(signals[key]):
                errors.append(_type_error(f"{name}[{key!r}]", signals[key], "an int"))
            elif signals[key] < 1:
                errors.append(_range_error(f"{name}[{key!r}]", signals[key], "at least 1"))

    # CAT-6, CAT-8: multipliers per credit grade
    errors += _check_number_map("CATALOG_RANKING_CREDIT_FACTORS", int)
    errors += _check_number_map("CATALOG_INSPECTION_CREDIT_RISK", int)

    # MER-7: warning days before a document expires
    name = "MERCHANT_DOCUMENT_WARNING_DAYS"
    days = settings.MERCHANT_DOCUMENT_WARNING_DAYS
    if not isinstance(days, tuple | list) or not all(_is_int(d) for d in days):
        errors.append(_type_error(name, days, "a tuple of ints"))
    elif any(d < 1 for d in days):
        errors.append(_range_error(name, days, "days of at least 1"))

    # VIO-2: (track, points, measure, days) rows
    name = "MERCHANT_PENALTY_THRESHOLDS"
    rows = settings.MERCHANT_PENALTY_THRESHOLDS
    if not isinstance(rows, tuple | list):
        errors.append(_type_error(name, rows, "a tuple of (track, points, measure, days)"))
    else:
        for row in rows:
            ok = (
                isinstance(row, tuple | list)
                and len(row) == 4
                and row[0] in PENALTY_TRACKS
                and _is_int(row[1])
                and row[1] > 0
                and isinstance(row[2], str)
                and (row[3] is None or (_is_int(row[3]) and row[3] >= 0))
            )
            if not ok:
                errors.append(
                    _shape_error(
                        name, f"{row!r} is not (general|serious, points > 0, measure, days >= 0 or None)"
                    )
                )

    # SEC-2: Fernet keys, newest first
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not isinstance(keys, tuple | list) or not all(isinstance(k, str) for k in keys):
        errors.append(_type_error("FIELD_ENCRYPTION_KEYS", keys, "a list of strings"))
    errors += _check_audit_chain_keys()
    return errors


def _check_audit_chain_keys() -> list[CheckMessage]:
    """AUD-1: at least one (key id, secret) pair, ids unique and short; in production (no default there)
    no secret shorter than 32 characters or equal to the development key written in the settings."""
    name = "AUDIT_CHAIN_KEYS"
    keys = settings.AUDIT_CHAIN_KEYS
    if not isinstance(keys, list | tuple) or not keys:
        return [_shape_error(name, "no key: set AUDIT_CHAIN_KEYS=<key id>:<secret> (newest first)")]
    errors: list[CheckMessage] = []
    ids = [pair[0] if isinstance(pair, tuple | list) and pair else None for pair in keys]
    for pair in keys:
        if not (
            isinstance(pair, tuple | list) and len(pair) == 2 and all(isinstance(p, str) and p for p in pair)
        ):
            errors.append(_shape_error(name, "every entry must be <key id>:<secret>, both non-empty"))
        elif len(pair[0]) > 32:
            errors.append(_shape_error(name, f"key id {pair[0]!r} is longer than 32 characters"))
        elif settings.DJANGO_ENV == "production" and (
            pair[1] == settings.AUDIT_CHAIN_DEV_KEY or len(pair[1]) < 32
        ):
            errors.append(
                _shape_error(name, f"key {pair[0]!r} is the development key or shorter than 32 characters")
            )
    if len(set(ids)) != len(ids):
        errors.append(_shape_error(name, "key ids must be unique"))
    return errors


def _check_relations() -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if (
        _is_int(settings.JURY_QUORUM)
        and _is_int(settings.JURY_SIZE)
        and settings.JURY_QUORUM > settings.JURY_SIZE
    ):
        errors.append(
            _range_error("JURY_QUORUM", settings.JURY_QUORUM, f"at most JURY_SIZE ({settings.JURY_SIZE})")
        )
    # SEC-3: the idle timeout ends sessions before their absolute age does; the proxy hop count is a count
    idle, age = settings.SESSION_IDLE_TIMEOUT, settings.SESSION_COOKIE_AGE
    if isinstance(idle, timedelta) and _is_int(age) and idle.total_seconds() > age:
        errors.append(_range_error("SESSION_IDLE_TIMEOUT", idle, f"at most SESSION_COOKIE_AGE ({age} s)"))
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES")
    if not isinstance(proxies, int) or isinstance(proxies, bool):
        errors.append(_type_error("REST_FRAMEWORK['NUM_PROXIES']", proxies, "an int"))
    elif proxies < 0:
        errors.append(_range_error("REST_FRAMEWORK['NUM_PROXIES']", proxies, "zero or more"))
    if not isinstance(settings.STAFF_REQUIRE_OTP, bool):
        errors.append(_type_error("STAFF_REQUIRE_OTP", settings.STAFF_REQUIRE_OTP, "a bool"))
    # OPS-3: SMTP takes implicit TLS or STARTTLS, not both (Django refuses the pair only when sending)
    if settings.EMAIL_USE_SSL and settings.EMAIL_USE_TLS:
        errors.append(_shape_error("EMAIL_USE_SSL", "EMAIL_USE_SSL and EMAIL_USE_TLS exclude each other"))
    templates = settings.NOTIFICATIONS_ALIYUN_SMS_TEMPLATES
    if not isinstance(templates, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in templates.items()
    ):
        errors.append(_shape_error("NOTIFICATIONS_ALIYUN_SMS_TEMPLATES", "maps events to template codes"))
    below, above = settings.CATALOG_PRICE_ABSURD_BELOW, settings.CATALOG_PRICE_ABSURD_ABOVE
    if _is_number(below) and _is_number(above) and below >= above:
        errors.append(
            _range_error("CATALOG_PRICE_ABSURD_BELOW", below, f"below CATALOG_PRICE_ABSURD_ABOVE ({above})")
        )
    return errors


def check_settings(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """The platform settings' types and ranges (``platform.E001`` … ``E003``)."""
    errors: list[CheckMessage] = []
    errors += _check_each(
        POSITIVE_DURATIONS,
        lambda v: isinstance(v, timedelta),
        "a timedelta",
        lambda v: v > timedelta(0),
        "longer than zero",
    )
    errors += _check_each(POSITIVE_INTS, _is_int, "an int", lambda v: v >= 1, "at least 1")
    errors += _check_each(NON_NEGATIVE_INTS, _is_int, "an int", lambda v: v >= 0, "zero or more")
    errors += _check_each(POSITIVE_NUMBERS, _is_number, "a number", lambda v: v > 0, "greater than zero")
    errors += _check_each(NON_NEGATIVE_NUMBERS, _is_number, "a number", lambda v: v >= 0, "zero or more")
    errors += _check_each(STRINGS, lambda v: isinstance(v, str), "a string", lambda v: True, "")
    errors += _check_each(
        STRING_LISTS,
        lambda v: isinstance(v, list | tuple) and all(isinstance(x, str) for x in v),
        "a list of strings",
        lambda v: True,
        "",
    )
    errors += _check_each(
        ("LOG_FORMAT",),
        lambda v: isinstance(v, str),
        "a string",
        lambda v: v in ("json", "text"),
        "json or text",
    )
    errors += _check_each(
        ("PLATFORM_TEST_CLOCK_ENABLED",), lambda v: isinstance(v, bool), "a bool", lambda v: True, ""
    )
    errors += _check_structured()
    errors += _check_relations()
    return errors
