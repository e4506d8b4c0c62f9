"""OPS-2, OPS-3 against a real worker and a real Redis that goes away and comes back."""

import time

import pytest
from django.db import transaction
from django.utils import timezone

from platform_core.celery import app as celery_app
from platform_core.notifications.models import Notification, SandboxSms
from platform_core.notifications.services import REQUEUE_GRACE, notifications_requeue_pending, notify
from tests.factories.accounts import UserFactory
from tests.helpers.celery_worker import PrivateRedis, Worker, use_broker

DELIVERY_TIMEOUT = 60


@pytest.mark.slow
@pytest.mark.celery_worker
def test_ops_2_ops_3_a_notification_survives_a_broker_outage(transactional_db, private_redis: PrivateRedis):
    celery_app.conf.task_always_eager = False  # the autouse fixture restores it afterwards
    use_broker(private_redis.url)
    worker = Worker(redis_url=private_redis.url, concurrency=1)
    worker.start()
    try:
        # No role: role groups come from a data migration, which earlier transactional tests flush.
        recipient = UserFactory(phone="13700137000")
        private_redis.stop()

        started = time.monotonic()
        with transaction.atomic():
            [notification] = notify(
                recipient=recipient,
                event="order.shipped",
                title="Order shipped",
                body="Your parcel is on its way.",
                channels=["sms"],
            )
        # The commit published to a dead broker: the caller got no exception, and did not wait long.
        assert time.monotonic() - started < 10
        notification.refresh_from_db()
        assert notification.status == Notification.Status.PENDING
        assert SandboxSms.objects.count() == 0

        private_redis.start()
        if worker.proc is None or worker.proc.poll() is not None:
            worker.start()  # it gave up on the broker: a supervisor would restart it
        else:
            worker.wait_ready()  # it reconnects by itself

        # What beat does every minute: sweep until the row is sent. The first publish may still hit a
        # connection the pool kept from before the outage; that is swallowed and the next sweep retries.
        sweeps = 0
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        while time.monotonic() < deadline:
            notification.refresh_from_db()
            if notification.status != Notification.Status.PENDING:
                break
            notifications_requeue_pending(now=timezone.now() + REQUEUE_GRACE)
            sweeps += 1
            time.sleep(2)

        notification.refresh_from_db()
        assert notification.status == Notification.Status.SENT, (
            f"still {notification.status} after {sweeps} sweeps; worker log: {worker.log_path}"
        )
        sms = SandboxSms.objects.get(phone="13700137000")  # exactly one, however many sweeps published it
        assert sms.message_id == notification.provider_message_id

        # A later sweep finds nothing to do; nothing is sent twice.
        assert notifications_requeue_pending(now=timezone.now() + REQUEUE_GRACE) == 0
        time.sleep(1)
        assert SandboxSms.objects.count() == 1
    finally:
        worker.stop()
