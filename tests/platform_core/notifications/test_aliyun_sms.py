"""OPS-3 (decision 024): SMS through Aliyun SMS (dysmsapi SendSms), against a local fake that verifies our
RPC signature and answers with Aliyun's codes. Delivery goes through the notification outbox: flow
control retries later, an invalid number fails at once, a signature the provider refuses is retried."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from pytest_django.fixtures import Settings

from platform_core.notifications.aliyun_sms import rpc_signature
from platform_core.notifications.models import Notification, SandboxSms
from platform_core.notifications.services import notification_deliver, notify
from tests.factories.accounts import CustomerFactory
from tests.fakes.aliyun_sms import FakeAliyunSms

pytestmark = pytest.mark.django_db

KEY_ID, SECRET, SIGN = "LTAI-this-test", "aliyun-secret-of-this-test", "市集"


@pytest.fixture
def aliyun(settings: Settings) -> Iterator[FakeAliyunSms]:
    fake = FakeAliyunSms(
        key_id=KEY_ID,
        secret=SECRET,
        sign_name=SIGN,
        templates={"SMS_100000001": {"title", "body"}, "SMS_100000002": {"title", "body"}},
    ).start()
    settings.NOTIFICATIONS_SMS_BACKEND = "platform_core.notifications.aliyun_sms.AliyunSmsBackend"
    settings.NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_ID = KEY_ID
    settings.NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_SECRET = SECRET
    settings.NOTIFICATIONS_ALIYUN_SMS_SIGN_NAME = SIGN
    settings.NOTIFICATIONS_ALIYUN_SMS_TEMPLATE = "SMS_100000001"
    settings.NOTIFICATIONS_ALIYUN_SMS_TEMPLATES = {"delivery_case_opened": "SMS_100000002"}
    settings.NOTIFICATIONS_ALIYUN_SMS_GATEWAY_URL = fake.url
    settings.NOTIFICATIONS_ALIYUN_SMS_TIMEOUT = 2.0
    yield fake
    fake.stop()


def _sms(phone: str = "13800138000", event: str = "order_shipped") -> Notification:
    customer = CustomerFactory.create(phone=phone)
    (row,) = notify(
        recipient=customer, event=event, title="订单已发货", body="订单 123 已发出", channels=["sms"]
    )
    return row


def test_ops_3_aliyun_signature_matches_the_documented_example() -> None:
    """Aliyun's SMS documentation signs this GET request with AccessKeySecret ``testSecret``."""
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert rpc_signature(params, "testSecret", method="GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_ops_3_sms_goes_out_through_aliyun_with_the_event_template(aliyun) -> None:
    row = _sms(event="delivery_case_opened")
    assert notification_deliver(notification_id=row.pk) == "sent"
    row.refresh_from_db()
    (sent,) = aliyun.sent
    assert sent["phone"] == "13800138000" and sent["template"] == "SMS_100000002"
    assert sent["params"] == {"title": "订单已发货", "body": "订单 123 已发出"}
    assert row.status == Notification.Status.SENT and row.provider_message_id == sent["biz_id"]
    assert not SandboxSms.objects.exists()


def test_ops_3_aliyun_flow_control_retries_no_sooner_than_it_allows(aliyun) -> None:
    aliyun.fail_next("isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5")
    row = _sms()
    assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert row.status == Notification.Status.PENDING and "BUSINESS_LIMIT_CONTROL" in row.last_error
    assert row.next_attempt_at is not None
    assert row.next_attempt_at - timezone_now() > timedelta(minutes=59)  # the hour, not the 1-minute back-off
    assert notification_deliver(notification_id=row.pk, now=row.next_attempt_at) == "sent"


def test_ops_3_aliyun_invalid_mobile_number_fails_at_once(aliyun) -> None:
    row = _sms(phone="12345")
    assert notification_deliver(notification_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == Notification.Status.FAILED and "isv.MOBILE_NUMBER_ILLEGAL" in row.last_error
    assert row.next_attempt_at is None and aliyun.answers == ["isv.MOBILE_NUMBER_ILLEGAL"]


def test_ops_3_aliyun_refuses_a_wrong_secret_and_the_message_is_retried(aliyun, settings: Settings) -> None:
    settings.NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_SECRET = "a-wrong-secret"
    row = _sms()
    assert notification_deliver(notification_id=row.pk) == "retry"
    assert aliyun.answers == ["SignatureDoesNotMatch"] and not aliyun.sent
    settings.NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_SECRET = SECRET  # operations fix the key
    row.refresh_from_db()
    assert notification_deliver(notification_id=row.pk, now=row.next_attempt_at) == "sent"


def test_ops_3_aliyun_system_error_is_retried_with_back_off(aliyun) -> None:
    aliyun.fail_next("isp.SYSTEM_ERROR", "系统错误")
    row = _sms()
    assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert row.attempts == 1 and row.next_attempt_at is not None
    assert notification_deliver(notification_id=row.pk, now=row.next_attempt_at) == "sent"


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def test_ops_3_aliyun_slower_than_the_timeout_is_retried(aliyun, settings: Settings) -> None:
    settings.NOTIFICATIONS_ALIYUN_SMS_TIMEOUT = 0.3
    aliyun.delay = 1.0
    row = _sms()
    assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert "unreachable" in row.last_error and row.status == Notification.Status.PENDING
