"""OPS-3 in-app inbox; SEC-1: a user sees and touches only their own notifications."""

import pytest
from django.urls import reverse

from platform_core.notifications.models import Notification
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory
from tests.factories.notifications import NotificationFactory, PendingSmsFactory
from tests.helpers.queries import assert_max_queries

pytestmark = pytest.mark.django_db


def test_ops_3_inbox_lists_only_own_inapp_notifications_newest_first(customer, customer_client):
    older = NotificationFactory.create(recipient=customer)
    newer = NotificationFactory.create(recipient=customer)
    NotificationFactory.create()  # someone else's
    PendingSmsFactory.create(recipient=customer)  # an SMS is not an inbox item

    response = customer_client.get(reverse("notifications-list"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [n["id"] for n in body["results"]] == [newer.pk, older.pk]
    assert body["results"][0]["unread"] is True


def test_ops_3_inbox_unread_filter_and_mark_read(customer, customer_client):
    first, second = (
        NotificationFactory.create(recipient=customer),
        NotificationFactory.create(recipient=customer),
    )

    response = customer_client.post(reverse("notifications-read", args=[first.pk]))
    assert response.status_code == 200
    assert response.json()["unread"] is False

    unread = customer_client.get(reverse("notifications-list"), {"unread": "true"}).json()
    assert [n["id"] for n in unread["results"]] == [second.pk]
    assert customer_client.get(reverse("notifications-list")).json()["count"] == 2


def test_ops_3_read_all_marks_only_own(customer, customer_client):
    NotificationFactory.create_batch(3, recipient=customer)
    theirs = NotificationFactory.create()

    response = customer_client.post(reverse("notifications-read-all"))

    assert response.json() == {"marked": 3}
    assert not Notification.objects.filter(recipient=customer, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_ops_3_sec_1_marking_another_users_notification_read_is_404(customer_client):
    theirs = NotificationFactory.create()

    response = customer_client.post(reverse("notifications-read", args=[theirs.pk]))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_ops_3_inbox_needs_authentication(api_client):
    assert api_client.get(reverse("notifications-list")).status_code == 401


@pytest.mark.parametrize("rows", [5, 50])
def test_ops_3_inbox_list_query_count_is_constant(rows):
    from django.contrib.auth.models import Group

    user = CustomerFactory()
    subject = Group.objects.first()
    NotificationFactory.create_batch(rows, recipient=user, subject=subject)
    client = client_for(user)

    with assert_max_queries(2):  # count + page (force_authenticate costs nothing)
        response = client.get(reverse("notifications-list"), {"page_size": 100})
    assert len(response.json()["results"]) == rows
    assert response.json()["results"][0]["subject_type"] == "auth.group"
