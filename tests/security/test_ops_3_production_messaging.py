"""OPS-3, ORD-5 (decision 024): production never registers the sandbox SMS gateway, requires the secrets of
Aliyun SMS when it sends the SMS, of 快递100 when it is an enabled carrier, and an SMTP host for mail."""

import pytest
from pytest_django.fixtures import Settings

from platform_core.deploy_checks import CARRIER_SECRETS, production_errors
from tests.security.test_sec_5_production_refuses_to_start import _safe_production


def _errors() -> list[tuple[str, str]]:
    return [(str(e.id), e.msg.split(" ")[0]) for e in production_errors()]


def test_ops_3_production_refuses_the_sandbox_sms_gateway(settings: Settings) -> None:
    _safe_production(settings)
    assert _errors() == []
    settings.NOTIFICATIONS_SMS_BACKEND = "platform_core.notifications.sms.SandboxSmsBackend"
    assert _errors() == [("platform.E101", "NOTIFICATIONS_SMS_BACKEND")]


def test_ops_3_production_sends_sms_through_aliyun_by_default() -> None:
    from tests.security.production import production_env, run

    result = run(
        [
            "-c",
            "from django.conf import settings; import django; django.setup(); print(settings.NOTIFICATIONS_SMS_BACKEND)",
        ],
        production_env(),
    )
    assert result.stdout.strip().endswith("aliyun_sms.AliyunSmsBackend"), result.stdout + result.stderr


@pytest.mark.parametrize(
    "name",
    [
        "NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_ID",
        "NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_SECRET",
        "NOTIFICATIONS_ALIYUN_SMS_SIGN_NAME",
        "NOTIFICATIONS_ALIYUN_SMS_TEMPLATE",
        "EMAIL_HOST",
    ],
)
def test_ops_3_production_requires_aliyun_sms_and_smtp_settings(settings: Settings, name: str) -> None:
    _safe_production(settings)
    setattr(settings, name, "")
    assert _errors() == [("platform.E102", name)]


def test_ord_5_production_requires_kuaidi100_secrets_when_it_is_enabled(settings: Settings) -> None:
    _safe_production(settings)
    settings.ORDERS_LOGISTICS_CARRIERS = ["kuaidi100"]
    for name in CARRIER_SECRETS["kuaidi100"]:
        setattr(settings, name, "")
    assert _errors() == [("platform.E102", name) for name in CARRIER_SECRETS["kuaidi100"]]
    settings.ORDERS_KUAIDI100_KEY = "k100-key"
    settings.ORDERS_KUAIDI100_SALT = "k100-salt"
    settings.ORDERS_KUAIDI100_CALLBACK_URL = (
        "https://marketplace.example/api/v1/logistics/callbacks/kuaidi100/"
    )
    assert _errors() == []
