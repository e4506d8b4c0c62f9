"""OPS-3: the admin outbox and its "requeue" action; delivery is exclusive under the row lock."""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse

from platform_core.notifications.models import Notification, SandboxSms
from platform_core.notifications.services import Outcome, notification_deliver
from tests.factories.accounts import UserFactory
from tests.factories.notifications import PendingSmsFactory


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_ops_3_admin_lists_filters_and_requeues_failed_notifications(
    superuser_client, django_capture_on_commit_callbacks
):
    failed = PendingSmsFactory.create(status=Notification.Status.FAILED, attempts=8, last_error="down")
    changelist = reverse("admin:notifications_notification_changelist")

    listing = superuser_client.get(changelist, {"status__exact": "failed", "q": failed.recipient.phone})
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [failed]

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            changelist, {"action": "requeue", "_selected_action": [failed.pk]}, follow=True
        )
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == Notification.Status.SENT
    assert SandboxSms.objects.count() == 1


@pytest.mark.postgres
def test_ops_3_a_row_being_delivered_elsewhere_is_skipped_not_sent_twice(transactional_db):
    notification = PendingSmsFactory.create(recipient=UserFactory())  # no role: see test_broker_outage
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=notification.pk)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        assert notification_deliver(notification_id=notification.pk) == Outcome.SKIPPED
    finally:
        release.set()
        thread.join()
    assert SandboxSms.objects.count() == 0
    assert notification_deliver(notification_id=notification.pk) == Outcome.SENT
    assert notification_deliver(notification_id=notification.pk) == Outcome.SKIPPED
    assert SandboxSms.objects.count() == 1
