"""OPS-3: outbox rows are written with their cause, delivered once, retried with backoff, then given up."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from platform_core.notifications import services
from platform_core.notifications.models import Notification, SandboxSms, retry_delay
from platform_core.notifications.services import (
    Outcome,
    notification_deliver,
    notifications_requeue,
    notifications_requeue_pending,
    notify,
)
from platform_core.notifications.sms import SandboxSmsBackend
from platform_core.notifications.tasks import deliver_notification_task
from tests.factories.accounts import CustomerFactory, StaffFactory
from tests.factories.notifications import PendingSmsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_sms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SandboxSmsBackend, "fail_with", "gateway says no")


def _notify_all_channels(recipient, **kwargs):
    return notify(
        recipient=recipient,
        event="order.shipped",
        title="Order shipped",
        body="Your parcel is on its way.",
        channels=("inapp", "email", "sms"),
        **kwargs,
    )


def test_ops_3_notify_in_a_rolled_back_transaction_records_and_sends_nothing(
    django_capture_on_commit_callbacks, mailoutbox
):
    customer = CustomerFactory()

    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        _notify_all_channels(customer)
        raise Boom

    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mailoutbox == []
    assert SandboxSms.objects.count() == 0


def test_ops_3_delivery_after_commit_sends_each_channel_exactly_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    customer = CustomerFactory(email="buyer@example.com", phone="13800138000")
    staff = StaffFactory()

    with django_capture_on_commit_callbacks(execute=True):
        rows = _notify_all_channels(customer, subject=staff)

    by_channel = {n.channel: n for n in rows}
    for notification in rows:
        notification.refresh_from_db()
        assert notification.status == Notification.Status.SENT
        assert notification.sent_at is not None
        assert notification.subject == staff
    assert by_channel["inapp"].subject_type == ContentType.objects.get_for_model(staff)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["buyer@example.com"]
    assert mailoutbox[0].subject == "Order shipped"
    sms = SandboxSms.objects.get()
    assert sms.phone == "13800138000"
    assert "Your parcel is on its way." in sms.text
    assert by_channel["sms"].provider_message_id == sms.message_id

    # The same task delivered again (a duplicate from the sweep, a redelivered message) sends nothing.
    for notification in rows:
        assert deliver_notification_task.delay(notification.pk).get() == Outcome.SKIPPED
    assert notifications_requeue_pending(now=timezone.now() + timedelta(hours=2)) == 0
    assert len(mailoutbox) == 1
    assert SandboxSms.objects.count() == 1


def test_ops_3_inapp_notification_is_in_the_inbox_without_any_task(django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        [notification] = notify(recipient=customer, event="order.shipped", title="t", body="b")
    assert callbacks == []  # nothing to publish: no broker needed for the inbox
    assert notification.status == Notification.Status.SENT


def test_ops_3_failing_sms_retries_with_backoff_then_fails_after_max_attempts(
    settings, failing_sms, time_machine
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 4
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    notification = PendingSmsFactory.create()

    assert notification_deliver(notification_id=notification.pk) == Outcome.RETRY
    notification.refresh_from_db()
    assert notification.attempts == 1
    assert notification.status == Notification.Status.PENDING
    assert "gateway says no" in notification.last_error
    assert notification.next_attempt_at == start + timedelta(seconds=60)

    # Not due yet: neither the sweep nor a stray task makes another attempt.
    assert notifications_requeue_pending() == 0
    assert notification_deliver(notification_id=notification.pk) == Outcome.SKIPPED

    delays = [notification.next_attempt_at - start]
    now = start
    for _ in range(3):
        notification.refresh_from_db()
        now = notification.next_attempt_at
        time_machine.move_to(now, tick=False)
        assert notifications_requeue_pending() == 1  # the sweep publishes; eager mode runs the delivery
        notification.refresh_from_db()
        if notification.next_attempt_at:
            delays.append(notification.next_attempt_at - now)

    assert delays == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 4
    assert notification.next_attempt_at is None
    assert SandboxSms.objects.count() == 0

    time_machine.move_to(now + timedelta(days=1), tick=False)
    assert notifications_requeue_pending() == 0  # failed rows are not swept again


def test_ops_3_backoff_is_capped_at_an_hour():
    assert retry_delay(1) == timedelta(minutes=1)
    assert retry_delay(7) == timedelta(hours=1)
    assert retry_delay(30) == timedelta(hours=1)


def test_ops_3_recovered_gateway_delivers_on_the_next_sweep(monkeypatch, time_machine):
    notification = PendingSmsFactory.create()
    monkeypatch.setattr(SandboxSmsBackend, "fail_with", "down")
    assert notification_deliver(notification_id=notification.pk) == Outcome.RETRY
    monkeypatch.setattr(SandboxSmsBackend, "fail_with", None)
    notification.refresh_from_db()
    time_machine.move_to(notification.next_attempt_at, tick=False)
    assert notifications_requeue_pending() == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert SandboxSms.objects.filter(message_id=notification.provider_message_id).count() == 1


def test_ops_3_settings_flag_makes_the_sandbox_fail(settings):
    settings.NOTIFICATIONS_SMS_SANDBOX_FAIL = True
    notification = PendingSmsFactory.create()
    assert notification_deliver(notification_id=notification.pk) == Outcome.RETRY


@pytest.mark.parametrize(
    ("channel", "missing", "error"),
    [("sms", "phone", "no mobile number"), ("email", "email", "no email address")],
)
def test_ops_3_recipient_without_an_address_fails_at_once_without_retries(
    channel, missing, error, mailoutbox
):
    recipient = CustomerFactory(**{missing: None})
    notification = PendingSmsFactory.create(recipient=recipient, channel=channel)

    assert notification_deliver(notification_id=notification.pk) == Outcome.FAILED
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert error in notification.last_error
    assert notification.next_attempt_at is None
    assert notifications_requeue_pending(now=timezone.now() + timedelta(days=1)) == 0
    assert mailoutbox == [] and SandboxSms.objects.count() == 0


def test_ops_2_broker_down_at_commit_leaves_the_row_pending_and_the_sweep_sends_it(
    monkeypatch, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(deliver_notification_task, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            [notification] = notify(
                recipient=customer, event="order.shipped", title="t", body="b", channels=["sms"]
            )  # no exception reaches the caller

    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notifications_requeue_pending() == 0  # a just-created row gets its grace minute
    assert notifications_requeue_pending(now=timezone.now() + services.REQUEUE_GRACE) == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert SandboxSms.objects.count() == 1


def test_ops_3_unknown_channel_is_refused():
    from platform_core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        notify(recipient=CustomerFactory(), event="x.happened", title="t", body="b", channels=["fax"])
    assert Notification.objects.count() == 0


def test_ops_3_staff_requeue_gives_a_failed_row_fresh_attempts(django_capture_on_commit_callbacks):
    notification = PendingSmsFactory.create(status=Notification.Status.FAILED, attempts=8, last_error="down")
    sent = PendingSmsFactory.create(status=Notification.Status.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        count = notifications_requeue(notification_ids=[notification.pk, sent.pk], actor=StaffFactory())
    assert count == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert SandboxSms.objects.count() == 1
