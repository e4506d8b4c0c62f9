"""The production start-up check (decision 019, PAY-3, SEC-5): no sandbox, and every secret set and secret.

A production process (``DJANGO_ENV=production``) refuses to start when:

- ``platform.E101``: a sandbox payment provider, carrier or payout provider is enabled (anyone could pay,
  deliver or pay out with the sandbox's published signing key), or the sandbox SMS gateway (messages
  would be written to a table instead of sent; decision 024);
- ``platform.E102``: a secret or signing key is missing (empty): ``DJANGO_SECRET_KEY``,
  ``OPS_METRICS_TOKEN``, ``FIELD_ENCRYPTION_KEYS``, ``AUDIT_CHAIN_KEYS``, the keys of every enabled payment
  provider and carrier (快递100), Aliyun SMS's when it is the SMS backend, and the SMTP host when mail goes
  through SMTP;
- ``platform.E103``: a secret equals a value published in the code (``settings/_dev_defaults.py``, the
  docker-compose file): whoever reads the repository holds it;
- ``platform.E104``: ``STAFF_REQUIRE_OTP`` is off (SEC-3: staff and auditors reach their powers only after
  a second factor, through every interface; decision 020);
- ``platform.E105``: ``PLATFORM_TEST_CLOCK_ENABLED`` is on (the sandbox clock would move production's time;
  decision 026);
- ``platform.E106``: Alipay is configured in both modes (public key and certificates) or its certificates
  cannot be read (PAY-3, certificate mode; docs/payments.md). In certificate mode the three certificate
  settings are required (``E102``) instead of ``ORDERS_ALIPAY_PUBLIC_KEY``.
- ``platform.E107``: the CJK font PDFs embed (``PDF_CJK_FONT_PATH``) is missing or cannot be embedded
  (AUD-3; decision 042, ``platform_core/reports/fonts.py``).

Registered as a deployment check (``manage.py check --deploy``, which CI runs with the production
settings) by ``OperationsConfig.ready``; ``platform_core.wsgi`` (gunicorn) and ``platform_core.celery``
(worker and beat) run it again at start-up in production and refuse to start on any error, so a process
that skipped ``check --deploy`` cannot serve either. Outside production it reports nothing.

The module reads settings only (no models): it runs before the app registry is needed.
"""

from collections.abc import Iterable
from operator import attrgetter

from cryptography import x509
from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ImproperlyConfigured

from platform_core.pem import pem_text
from platform_core.reports.fonts import pdf_font_errors
from platform_core.settings._dev_defaults import PUBLISHED_SECRETS

SANDBOX = "sandbox"

#: setting -> the environment variable it is read from; required in every production process
PRODUCTION_SECRETS: dict[str, str] = {
    "SECRET_KEY": "DJANGO_SECRET_KEY",
    "OPS_METRICS_TOKEN": "OPS_METRICS_TOKEN",
    "FIELD_ENCRYPTION_KEYS": "FIELD_ENCRYPTION_KEYS",
    "AUDIT_CHAIN_KEYS": "AUDIT_CHAIN_KEYS",  # AUD-1: the audit chain's HMAC keys, (key id, secret) pairs
}

#: PAY-3: an enabled payment provider -> the settings it signs its calls and verifies its notifications with
#: (all required; decision 029)
PROVIDER_SECRETS: dict[str, tuple[str, ...]] = {
    "alipay": (
        "ORDERS_ALIPAY_APP_ID",
        "ORDERS_ALIPAY_PUBLIC_KEY",
        "ORDERS_ALIPAY_APP_PRIVATE_KEY",
        "ORDERS_ALIPAY_NOTIFY_URL",
    ),
    "wechat_pay": (
        "ORDERS_WECHAT_PAY_MCH_ID",
        "ORDERS_WECHAT_PAY_APPID",
        "ORDERS_WECHAT_PAY_MCH_PRIVATE_KEY",
        "ORDERS_WECHAT_PAY_MCH_SERIAL",
        "ORDERS_WECHAT_PAY_NOTIFY_URL",
        "ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY",
        "ORDERS_WECHAT_PAY_PLATFORM_SERIAL",
        "ORDERS_WECHAT_PAY_APIV3_KEY",
    ),
}

#: ORD-5: an enabled carrier (tracker) -> the settings it subscribes and verifies pushes with (all required)
CARRIER_SECRETS: dict[str, tuple[str, ...]] = {
    "kuaidi100": ("ORDERS_KUAIDI100_KEY", "ORDERS_KUAIDI100_SALT", "ORDERS_KUAIDI100_CALLBACK_URL"),
}

#: OPS-3: an SMS backend (its class path) -> the settings it sends with (all required)
SANDBOX_SMS_BACKEND = "platform_core.notifications.sms.SandboxSmsBackend"
SMS_SECRETS: dict[str, tuple[str, ...]] = {
    "platform_core.notifications.aliyun_sms.AliyunSmsBackend": (
        "NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_ID",
        "NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_SECRET",
        "NOTIFICATIONS_ALIYUN_SMS_SIGN_NAME",
        "NOTIFICATIONS_ALIYUN_SMS_TEMPLATE",
    ),
}
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

#: signing keys that must never hold a published value, even when their provider is disabled
SIGNING_KEYS: tuple[str, ...] = (
    "ORDERS_PAYMENT_SANDBOX_KEY",
    "ORDERS_LOGISTICS_SANDBOX_KEY",
    "SECRET_KEY_FALLBACKS",  # a key being rotated out still verifies sessions and reset links
)


def _values(name: str) -> list[str]:
    """The setting's value(s) as strings: a list setting (Fernet keys) holds several."""
    if name == "SECRET_KEY":
        try:
            value: object = settings.SECRET_KEY
        except ImproperlyConfigured:  # Django refuses to read an empty SECRET_KEY
            return []
    else:
        value = attrgetter(name)(settings)
    if name == "AUDIT_CHAIN_KEYS":  # (key id, secret) pairs: the secrets are what must not be published
        pairs = value if isinstance(value, list | tuple) else []
        return [str(p[1]) for p in pairs if isinstance(p, tuple | list) and len(p) == 2 and p[1]]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v)]
    return [str(value)] if str(value) else []


def _sandbox_errors() -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    enabled = (
        ("ORDERS_PAYMENT_PROVIDERS", "payment provider", list(settings.ORDERS_PAYMENT_PROVIDERS)),
        ("ORDERS_LOGISTICS_CARRIERS", "carrier", list(settings.ORDERS_LOGISTICS_CARRIERS)),
        (
            "ORDERS_PAYOUT_PROVIDER",
            "payout provider",
            [name.strip() for name in str(settings.ORDERS_PAYOUT_PROVIDER).split(",")],
        ),
    )
    for name, what, names in enabled:
        if SANDBOX in names:
            errors.append(
                Error(
                    f"{name} enables the sandbox {what} in production.",
                    hint=f"Remove 'sandbox' from the environment variable {name}; the sandbox signs with a "
                    "key published in the code, so anyone could forge its notifications.",
                    id="platform.E101",
                )
            )
    if settings.NOTIFICATIONS_SMS_BACKEND == SANDBOX_SMS_BACKEND:
        errors.append(
            Error(
                "NOTIFICATIONS_SMS_BACKEND is the sandbox SMS gateway in production.",
                hint="Set NOTIFICATIONS_SMS_BACKEND to platform_core.notifications.aliyun_sms.AliyunSmsBackend "
                "(or, to send no SMS at all, platform_core.notifications.sms.NoSmsBackend); the sandbox "
                "records messages in a table instead of sending them.",
                id="platform.E101",
            )
        )
    return errors


def _secret_errors(names: Iterable[tuple[str, str]]) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for name, variable in names:
        values = _values(name)
        if not values:
            errors.append(
                Error(
                    f"{name} is missing: set the environment variable {variable}.",
                    hint="Production has no default for any secret (decision 019); docs/security.md says "
                    "how to generate and rotate it.",
                    id="platform.E102",
                )
            )
        elif any(v in PUBLISHED_SECRETS for v in values):
            errors.append(_published_error(name, variable))
    return errors


def _published_error(name: str, variable: str) -> Error:
    return Error(
        f"{name} equals a value published in the code (a development default): set a secret {variable}.",
        hint="Generate a fresh random value (docs/security.md); never reuse a default from the repository.",
        id="platform.E103",
    )


def production_errors() -> list[CheckMessage]:
    """Every reason (``platform.E101`` … ``E107``) this production configuration must not start."""
    errors = _sandbox_errors() + pdf_font_errors()
    if settings.PLATFORM_TEST_CLOCK_ENABLED:
        errors.append(
            Error(
                "PLATFORM_TEST_CLOCK_ENABLED is on: staff could move production's clock (decision 026).",
                hint="Unset PLATFORM_TEST_CLOCK_ENABLED; the test clock is for demo and staging only.",
                id="platform.E105",
            )
        )
    if not settings.STAFF_REQUIRE_OTP:
        errors.append(
            Error(
                "STAFF_REQUIRE_OTP is off: staff would reach their powers with a password only (SEC-3).",
                hint="Unset STAFF_REQUIRE_OTP (production turns it on) or set it to true.",
                id="platform.E104",
            )
        )
    required = list(PRODUCTION_SECRETS.items())
    for provider in settings.ORDERS_PAYMENT_PROVIDERS:
        required += [(name, name) for name in PROVIDER_SECRETS.get(provider, ())]
    # decisions 037, 045: payouts by Alipay or WeChat Pay transfers sign too (``alipay,wechat_pay``)
    for rail in sorted({name.strip() for name in str(settings.ORDERS_PAYOUT_PROVIDER).split(",")}):
        required += [
            (name, name) for name in PROVIDER_SECRETS.get(rail, ()) if not name.endswith("_NOTIFY_URL")
        ]
    if any(name == "ORDERS_ALIPAY_PUBLIC_KEY" for name, _variable in required):
        required = list(dict.fromkeys(_alipay_mode(required)))
        errors += _alipay_mode_errors()
    for carrier in settings.ORDERS_LOGISTICS_CARRIERS:
        required += [(name, name) for name in CARRIER_SECRETS.get(carrier, ())]
    required += [(name, name) for name in SMS_SECRETS.get(settings.NOTIFICATIONS_SMS_BACKEND, ())]
    if settings.EMAIL_BACKEND == SMTP_BACKEND:
        required.append(("EMAIL_HOST", "EMAIL_HOST"))
    errors += _secret_errors(required)
    for name in SIGNING_KEYS:
        if any(v in PUBLISHED_SECRETS for v in _values(name)):
            errors.append(_published_error(name, name))
    return errors


#: PAY-3: Alipay's certificate mode (公钥证书模式): the three files replace ``ORDERS_ALIPAY_PUBLIC_KEY``
ALIPAY_CERTIFICATES = ("ORDERS_ALIPAY_APP_CERT", "ORDERS_ALIPAY_PUBLIC_CERT", "ORDERS_ALIPAY_ROOT_CERT")


def _alipay_certificates() -> dict[str, str]:
    """The three certificate settings by name (each read as declared, ``settings.X``)."""
    return {
        "ORDERS_ALIPAY_APP_CERT": settings.ORDERS_ALIPAY_APP_CERT,
        "ORDERS_ALIPAY_PUBLIC_CERT": settings.ORDERS_ALIPAY_PUBLIC_CERT,
        "ORDERS_ALIPAY_ROOT_CERT": settings.ORDERS_ALIPAY_ROOT_CERT,
    }


def _alipay_mode(required: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """In certificate mode (any certificate setting given) the three certificates are required instead of
    Alipay's public key."""
    if not any(_alipay_certificates().values()):
        return required
    certificates = [(name, name) for name in ALIPAY_CERTIFICATES]
    return [
        pair
        for name, variable in required
        for pair in (certificates if name == "ORDERS_ALIPAY_PUBLIC_KEY" else [(name, variable)])
    ]


def _alipay_mode_errors() -> list[CheckMessage]:
    """``platform.E106``: Alipay is configured in exactly one mode — the public key, or the three
    certificates — and the certificates can be read (their serial numbers are sent with every call)."""
    certificates = [name for name, value in _alipay_certificates().items() if value]
    if settings.ORDERS_ALIPAY_PUBLIC_KEY and certificates:
        return [
            Error(
                "Alipay is configured in both modes: ORDERS_ALIPAY_PUBLIC_KEY and "
                f"{', '.join(certificates)}.",
                hint="Set either Alipay's public key (public-key mode) or the three certificate files "
                "(certificate mode, 公钥证书模式), as the application is set up in Alipay's open platform; "
                "docs/payments.md.",
                id="platform.E106",
            )
        ]
    if len(certificates) < len(ALIPAY_CERTIFICATES):
        return []  # public-key mode, or certificates missing: platform.E102 names them
    try:
        for value in _alipay_certificates().values():
            x509.load_pem_x509_certificates(pem_text(str(value)).encode("ascii"))
    except (ValueError, OSError) as exc:
        return [
            Error(
                f"The Alipay certificates cannot be read: {exc}.",
                hint="Each of ORDERS_ALIPAY_APP_CERT, ORDERS_ALIPAY_PUBLIC_CERT and ORDERS_ALIPAY_ROOT_CERT "
                "holds the PEM text of the file downloaded from the open platform, or that file's path.",
                id="platform.E106",
            )
        ]
    return []


def check_production(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """The deployment check: ``production_errors()`` under ``DJANGO_ENV=production``, nothing otherwise."""
    if settings.DJANGO_ENV != "production":
        return []
    return production_errors()


def refuse_to_start_if_unsafe() -> None:
    """Gunicorn's WSGI module and Celery's worker and beat call this at start-up: a production process with
    any ``production_errors()`` raises ``ImproperlyConfigured`` naming each, and does not start."""
    errors = check_production()
    if errors:
        lines = "\n".join(f"{e.id}: {e.msg}" for e in errors)
        raise ImproperlyConfigured(f"refusing to start in production:\n{lines}")
