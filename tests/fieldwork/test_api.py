"""ORD-9 through the API: the coordinator's queue and progress, and what the customer sees."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fieldwork.models import FieldCoordinator, ServiceAssignment
from orders.models import Order
from platform_core.accounts.roles import Role
from platform_core.notifications.models import Notification
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory, StaffFactory
from tests.factories.fieldwork import care_sku, coordinator, paid_service_order
from tests.factories.orders import paid_order
from tests.helpers.queries import assert_max_queries

pytestmark = pytest.mark.django_db

BASE = "/api/v1/coordinator/assignments/"


def _assigned(fc: FieldCoordinator, **kwargs: Any) -> ServiceAssignment:
    order = paid_service_order(**kwargs)
    assignment = ServiceAssignment.objects.get(order=order)
    assert assignment.coordinator == fc
    return assignment


def test_ord_9_coordinator_schedules_starts_and_completes_a_visit(operations_head) -> None:
    fc = coordinator(display_name="王师傅")
    assignment = _assigned(fc)
    client = client_for(fc.user)
    at = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    response = client.post(
        f"{BASE}{assignment.pk}/schedule/", {"appointment_at": at.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["order_status"]) == ("scheduled", "scheduled")
    order = Order.objects.get(pk=assignment.order_id)
    assert (order.status, order.scheduled_for) == (Order.Status.SCHEDULED, at)
    assert Notification.objects.filter(recipient=order.customer, event="fieldwork.service_scheduled").exists()

    assert client.post(f"{BASE}{assignment.pk}/complete/").status_code == 409  # not started yet
    assert client.post(f"{BASE}{assignment.pk}/start/").json()["order_status"] == "in_service"
    response = client.post(
        f"{BASE}{assignment.pk}/problem/", {"note": "老人临时就医，延后一小时"}, format="json"
    )
    assert response.json()["problem_notes"] == "老人临时就医，延后一小时"
    assert Notification.objects.filter(
        recipient=operations_head, event="fieldwork.assignment_problem"
    ).exists()
    response = client.post(f"{BASE}{assignment.pk}/complete/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["order_status"]) == ("completed", "completed")
    order.refresh_from_db()
    assert order.completed_at is not None
    assert hasattr(order, "follow_up")  # ORD-7: the follow-up is queued as for any completed order
    assert [e.to_status for e in order.events.order_by("pk")][-3:] == ["scheduled", "in_service", "completed"]


def test_ord_9_schedule_needs_a_future_time_and_changes_nothing_otherwise() -> None:
    fc = coordinator()
    assignment = _assigned(fc)
    client = client_for(fc.user)
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = client.post(f"{BASE}{assignment.pk}/schedule/", {"appointment_at": past}, format="json")
    assert response.status_code == 400
    assert "appointment_at" in response.json()["errors"]
    assert Order.objects.get(pk=assignment.order_id).status == Order.Status.PAID


def test_ord_9_queue_unscheduled_first_by_payment_then_by_appointment() -> None:
    fc = coordinator()
    sku = care_sku()
    first_paid, second_paid, later_visit, sooner_visit = (_assigned(fc, sku=sku) for _ in range(4))
    client = client_for(fc.user)
    for assignment, days in ((later_visit, 5), (sooner_visit, 2)):
        at = (timezone.now() + timedelta(days=days)).isoformat()
        client.post(f"{BASE}{assignment.pk}/schedule/", {"appointment_at": at}, format="json")
    other = coordinator()
    _assigned(other, sku=sku)  # someone else's: not in this queue
    with assert_max_queries(8):
        response = client.get(BASE)
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [first_paid.pk, second_paid.pk, sooner_visit.pk, later_visit.pk]
    assert response.json()["results"][0]["customer_phone"].count("*") == 4  # SEC-2: masked


def test_ord_9_coordinator_api_refuses_others() -> None:
    fc = coordinator()
    assignment = _assigned(fc)
    other = coordinator()
    assert client_for(other.user).get(f"{BASE}{assignment.pk}/").status_code == 404
    assert client_for(other.user).post(f"{BASE}{assignment.pk}/start/").status_code == 404
    marketing = StaffFactory(role=Role.STAFF_MARKETING)
    assert client_for(marketing).get(BASE).status_code == 403
    assert client_for(assignment.order.customer).get(f"{BASE}{assignment.pk}/").status_code == 403


def test_ord_9_customer_sees_coordinator_and_progress() -> None:
    fc = coordinator(display_name="王师傅")
    assignment = _assigned(fc)
    client_for(fc.user).post(
        f"{BASE}{assignment.pk}/schedule/",
        {"appointment_at": (timezone.now() + timedelta(days=1)).isoformat()},
        format="json",
    )
    client_for(fc.user).post(f"{BASE}{assignment.pk}/problem/", {"note": "内部备注"}, format="json")
    response = client_for(assignment.order.customer).get(f"/api/v1/orders/{assignment.order_id}/service/")
    assert response.status_code == 200
    body = response.json()
    assert body["coordinator"] == "王师傅"
    assert (body["status"], body["order_status"]) == ("scheduled", "scheduled")
    assert [step["action"] for step in body["progress"]] == ["assigned", "scheduled"]
    assert "内部备注" not in response.content.decode()  # problems stay internal


def test_ord_9_foreign_customer_gets_404() -> None:
    assignment = _assigned(coordinator())
    url = f"/api/v1/orders/{assignment.order_id}/service/"
    assert client_for(CustomerFactory()).get(url).status_code == 404
    product = paid_order()
    assert client_for(product.customer).get(f"/api/v1/orders/{product.pk}/service/").status_code == 404


def test_ord_9_visit_done_after_the_customer_confirmed_closes_the_assignment() -> None:
    from orders.services.fulfilment import order_confirm_receipt

    fc = coordinator()
    assignment = _assigned(fc)
    client = client_for(fc.user)
    at = (timezone.now() + timedelta(days=1)).isoformat()
    client.post(f"{BASE}{assignment.pk}/schedule/", {"appointment_at": at}, format="json")
    client.post(f"{BASE}{assignment.pk}/start/")
    order_confirm_receipt(order=assignment.order, actor=assignment.order.customer)
    response = client.post(f"{BASE}{assignment.pk}/complete/")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["order_status"]) == ("completed", "completed")
    assert Order.objects.get(pk=assignment.order_id).events.filter(action="completed").count() == 1
