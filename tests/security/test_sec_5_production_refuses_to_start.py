"""SEC-5, PAY-3 (issue 20 item 1, decision 019): a production process refuses to start while a sandbox is
enabled, or a secret or signing key is missing or equals a value published in the code.

``manage.py check --deploy`` fails naming each (``platform.E101`` … ``E103``), and gunicorn's WSGI module and
Celery's worker and beat refuse to start on the same errors. The boot tests run the production settings in
a fresh process with every other secret set at random; the in-process tests cover each published value.
"""

import pytest
from pytest_django.fixtures import Settings

from platform_core.deploy_checks import PROVIDER_SECRETS, check_production, production_errors
from platform_core.settings._dev_defaults import DEV_FIELD_ENCRYPTION_KEYS, DEV_SECRETS, PUBLISHED_SECRETS
from tests.security.production import production_env, run

COMPOSE_KEY = "compose-local-only-not-secret-c8f1e2a7b94d3f6e0a5c7d2b8e1f4a9c"


def _check_deploy(env: dict[str, str]) -> str:
    result = run(["manage.py", "check", "--deploy", "--fail-level", "ERROR"], env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    return output


def test_sec_5_check_deploy_passes_a_complete_production_environment() -> None:
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_sec_5_check_deploy_names_every_missing_secret() -> None:
    blank = {
        "DJANGO_SECRET_KEY": "",
        "OPS_METRICS_TOKEN": "",
        "FIELD_ENCRYPTION_KEYS": "",
        **{name: "" for names in PROVIDER_SECRETS.values() for name in names},
    }
    output = _check_deploy(production_env(**blank))
    assert "(platform.E102) SECRET_KEY is missing: set the environment variable DJANGO_SECRET_KEY" in output
    for name in blank:
        if name != "DJANGO_SECRET_KEY":
            assert f"(platform.E102) {name} is missing" in output, (name, output)


def test_pay_3_check_deploy_refuses_an_enabled_sandbox_and_published_keys() -> None:
    output = _check_deploy(
        production_env(
            ORDERS_PAYMENT_PROVIDERS="sandbox,alipay",
            ORDERS_LOGISTICS_CARRIERS="sandbox",
            ORDERS_PAYOUT_PROVIDER="sandbox",
            DJANGO_SECRET_KEY=COMPOSE_KEY,
            ORDERS_PAYMENT_SANDBOX_KEY=DEV_SECRETS["ORDERS_PAYMENT_SANDBOX_KEY"],
            ORDERS_LOGISTICS_SANDBOX_KEY=DEV_SECRETS["ORDERS_LOGISTICS_SANDBOX_KEY"],
            FIELD_ENCRYPTION_KEYS=DEV_FIELD_ENCRYPTION_KEYS[0],
        )
    )
    for name in ("ORDERS_PAYMENT_PROVIDERS", "ORDERS_LOGISTICS_CARRIERS", "ORDERS_PAYOUT_PROVIDER"):
        assert f"(platform.E101) {name} enables the sandbox" in output, (name, output)
    for name in (
        "SECRET_KEY",
        "ORDERS_PAYMENT_SANDBOX_KEY",
        "ORDERS_LOGISTICS_SANDBOX_KEY",
        "FIELD_ENCRYPTION_KEYS",
    ):
        assert f"(platform.E103) {name} equals a value published in the code" in output, (name, output)


def test_pay_3_gunicorn_and_celery_refuse_to_start_with_a_sandbox() -> None:
    unsafe = production_env(ORDERS_PAYMENT_PROVIDERS="sandbox", OPS_METRICS_TOKEN="")
    web = run(["-c", "import platform_core.wsgi"], unsafe)
    assert web.returncode != 0
    assert "refusing to start in production" in web.stderr
    assert "platform.E101" in web.stderr and "platform.E102" in web.stderr

    start_worker = (
        "from celery.signals import beat_init, worker_init; import platform_core.celery; "
        "worker_init.send(sender=None); print('worker started'); beat_init.send(sender=None)"
    )
    worker = run(["-c", start_worker], unsafe)
    assert worker.returncode == 1, worker.stdout + worker.stderr
    assert "platform.E101" in worker.stderr and "worker started" not in worker.stdout

    # the same start-up with a safe environment goes through
    assert run(["-c", "import platform_core.wsgi"], production_env()).returncode == 0


# --- in process: each published value and each sandbox, named --------------------------------------------


def _safe_production(settings: Settings) -> None:
    settings.DJANGO_ENV = "production"
    settings.SECRET_KEY = "s" * 20 + "3cr3t-of-this-test" + "t" * 20
    settings.OPS_METRICS_TOKEN = "metrics-token-of-this-test"
    settings.FIELD_ENCRYPTION_KEYS = ["a-fernet-key-of-this-test"]
    settings.ORDERS_PAYMENT_PROVIDERS = ["alipay"]
    settings.ORDERS_LOGISTICS_CARRIERS = []
    settings.ORDERS_PAYOUT_PROVIDER = "manual"
    settings.ORDERS_ALIPAY_APP_ID = "2021000000"
    settings.ORDERS_ALIPAY_PUBLIC_KEY = "alipay-public-key-of-this-test"
    settings.ORDERS_ALIPAY_APP_PRIVATE_KEY = "our-alipay-private-key-of-this-test"
    settings.ORDERS_ALIPAY_NOTIFY_URL = "https://marketplace.example/api/v1/payments/callbacks/alipay/"
    settings.ORDERS_PAYMENT_SANDBOX_KEY = ""
    settings.ORDERS_LOGISTICS_SANDBOX_KEY = ""
    settings.STAFF_REQUIRE_OTP = True
    settings.AUDIT_CHAIN_KEYS = [("t1", "an-audit-chain-key-of-this-test-" + "k" * 16)]
    settings.NOTIFICATIONS_SMS_BACKEND = "platform_core.notifications.aliyun_sms.AliyunSmsBackend"
    settings.NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_ID = "LTAI-this-test"
    settings.NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_SECRET = "aliyun-secret-of-this-test"
    settings.NOTIFICATIONS_ALIYUN_SMS_SIGN_NAME = "市集"
    settings.NOTIFICATIONS_ALIYUN_SMS_TEMPLATE = "SMS_100000001"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "smtp.marketplace.example"


def test_sec_5_a_safe_production_configuration_has_no_error(settings: Settings) -> None:
    _safe_production(settings)
    assert check_production() == []
    settings.DJANGO_ENV = "development"  # outside production the check says nothing
    settings.ORDERS_PAYMENT_PROVIDERS = ["sandbox"]
    assert check_production() == []


@pytest.mark.parametrize("value", sorted(PUBLISHED_SECRETS))
@pytest.mark.parametrize("name", ["SECRET_KEY", "OPS_METRICS_TOKEN", "ORDERS_ALIPAY_PUBLIC_KEY"])
def test_sec_5_every_published_value_is_refused_for_every_secret(
    settings: Settings, name: str, value: str
) -> None:
    _safe_production(settings)
    setattr(settings, name, value)
    errors = [(e.id, e.msg.split(" ")[0]) for e in production_errors()]
    assert errors == [("platform.E103", name)]


def test_sec_5_a_published_secret_key_fallback_is_refused(settings: Settings) -> None:
    """A key being rotated out still verifies sessions and reset links: it must not be a published value."""
    _safe_production(settings)
    settings.SECRET_KEY_FALLBACKS = ["an-old-but-secret-key-" + "z" * 30, DEV_SECRETS["SECRET_KEY"]]
    assert [(e.id, e.msg.split(" ")[0]) for e in production_errors()] == [
        ("platform.E103", "SECRET_KEY_FALLBACKS")
    ]


def test_sec_5_rotating_the_secret_key_keeps_signed_values_valid_through_the_fallback() -> None:
    """DJANGO_SECRET_KEY_FALLBACKS: a value signed under the old key (a session, a reset link) still verifies
    after rotation, and stops verifying once the old key is dropped."""
    from django.core import signing

    old = "old-" + "o" * 50
    signed = signing.dumps({"session": 1}, key=old)
    code = f"import django; django.setup(); from django.core import signing; print(signing.loads({signed!r}))"
    kept = run(
        ["-c", code], production_env(DJANGO_SECRET_KEY="new-" + "n" * 50, DJANGO_SECRET_KEY_FALLBACKS=old)
    )
    assert kept.returncode == 0, kept.stderr
    assert "{'session': 1}" in kept.stdout
    dropped = run(["-c", code], production_env(DJANGO_SECRET_KEY="new-" + "n" * 50))
    assert dropped.returncode != 0 and "BadSignature" in dropped.stderr


def test_sec_5_one_published_fernet_key_among_several_is_refused(settings: Settings) -> None:
    _safe_production(settings)
    settings.FIELD_ENCRYPTION_KEYS = ["a-fresh-key", DEV_FIELD_ENCRYPTION_KEYS[0]]
    assert [e.id for e in production_errors()] == ["platform.E103"]


def test_pay_3_the_keys_of_each_enabled_provider_are_required(settings: Settings) -> None:
    _safe_production(settings)
    settings.ORDERS_PAYMENT_PROVIDERS = ["alipay", "wechat_pay"]
    for name in PROVIDER_SECRETS["wechat_pay"]:
        setattr(settings, name, "")
    missing = [e.msg.split(" ")[0] for e in production_errors() if e.id == "platform.E102"]
    assert missing == list(PROVIDER_SECRETS["wechat_pay"])


def test_pay_3_an_enabled_gateway_needs_our_signing_key_and_notify_url(settings: Settings) -> None:
    """Decision 029: Alipay is called with our key and calls us back at our notify URL; without them a
    production process does not start."""
    _safe_production(settings)
    settings.ORDERS_ALIPAY_APP_PRIVATE_KEY = ""
    settings.ORDERS_ALIPAY_NOTIFY_URL = ""
    missing = [e.msg.split(" ")[0] for e in production_errors() if e.id == "platform.E102"]
    assert missing == ["ORDERS_ALIPAY_APP_PRIVATE_KEY", "ORDERS_ALIPAY_NOTIFY_URL"]


def test_sec_3_production_refuses_to_start_without_the_staff_second_factor(settings: Settings) -> None:
    """SEC-3: ``STAFF_REQUIRE_OTP=false`` in production is a start-up error (``platform.E104``), not a quiet
    downgrade of every staff account to a password."""
    _safe_production(settings)
    settings.STAFF_REQUIRE_OTP = False
    assert [e.id for e in production_errors()] == ["platform.E104"]


def test_aud_1_production_refuses_to_start_without_a_secret_audit_chain_key(settings: Settings) -> None:
    """AUD-1: the audit chain's HMAC key is a production secret like the others: missing, or the development
    key written in the settings, and no process starts (not only ``manage.py check``)."""
    _safe_production(settings)
    settings.AUDIT_CHAIN_KEYS = []
    assert [(e.id, e.msg.split(" ")[0]) for e in production_errors()] == [
        ("platform.E102", "AUDIT_CHAIN_KEYS")
    ]
    settings.AUDIT_CHAIN_KEYS = [
        ("new", "a-fresh-audit-key-" + "n" * 20),
        ("dev", settings.AUDIT_CHAIN_DEV_KEY),
    ]
    assert [(e.id, e.msg.split(" ")[0]) for e in production_errors()] == [
        ("platform.E103", "AUDIT_CHAIN_KEYS")
    ]


def test_sec_5_pay_4_each_transfer_rail_needs_its_providers_keys(settings: Settings) -> None:
    """Decision 045: ``ORDERS_PAYOUT_PROVIDER`` may name both transfer rails; each one signs its transfers,
    so production refuses to start without that provider's keys (its notify URL is not needed)."""
    _safe_production(settings)
    settings.ORDERS_PAYOUT_PROVIDER = "alipay,wechat_pay"
    for name in PROVIDER_SECRETS["wechat_pay"]:
        setattr(settings, name, "")
    missing = {str(e.msg).split(" ")[0] for e in check_production() if e.id == "platform.E102"}
    assert missing == {n for n in PROVIDER_SECRETS["wechat_pay"] if not n.endswith("_NOTIFY_URL")}
    for name in missing:
        setattr(settings, name, f"{name.lower()}-of-this-test")
    assert check_production() == []
    settings.ORDERS_PAYOUT_PROVIDER = "sandbox,wechat_pay"  # the sandbox is refused in a list too
    assert any(e.id == "platform.E101" for e in check_production())
