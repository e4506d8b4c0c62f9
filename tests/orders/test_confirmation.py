"""ORD-5, ORD-6, ORD-7: tracking, confirmation (manual, automatic, extended) and follow-up."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.logistics import sandbox_webhook
from orders.models import FollowUp, Order, TrackingEvent
from orders.services.fulfilment import follow_up_record, order_ship, tracking_event_record
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadlines_sweep
from tests.conftest import client_for
from tests.factories.accounts import StaffFactory
from tests.factories.orders import paid_order, shipped_order

pytestmark = pytest.mark.django_db


def _webhook(client, headers, body):
    return client.generic(
        "POST",
        "/api/v1/logistics/callbacks/sandbox/",
        body,
        content_type="application/json",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"},
    )


def test_ord_5_carrier_webhook_tracks_and_delivers_and_the_customer_sees_it_in_order(api_client) -> None:
    order = shipped_order()
    now = timezone.now()
    for n, (kind, offset) in enumerate([("picked_up", 0), ("in_transit", 2), ("delivered", 5)]):
        headers, body = sandbox_webhook(
            event_id=f"E{n}",
            tracking_number=order.tracking_number,
            kind=kind,
            at=now + timedelta(hours=offset),
            location="杭州",
        )
        assert _webhook(api_client, headers, body).status_code == 200
    headers, body = sandbox_webhook(
        event_id="E2", tracking_number=order.tracking_number, kind="delivered", at=now, location="杭州"
    )
    assert _webhook(api_client, headers, body).status_code == 200  # a repeat records nothing new
    forged = body.replace(b"delivered", b"exception")
    assert _webhook(api_client, headers, forged).status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED
    tracking = client_for(order.customer).get(f"/api/v1/orders/{order.pk}/tracking/").json()
    assert [t["kind"] for t in tracking] == ["picked_up", "in_transit", "delivered"]
    assert TrackingEvent.objects.filter(order=order).count() == 3


def test_ord_5_staff_entry_of_a_tracking_event() -> None:
    order = shipped_order()
    staff = StaffFactory()
    tracking_event_record(
        order=order, kind="exception", at=timezone.now(), location="仓库", source="staff", actor=staff
    )
    assert order.tracking_events.get().recorded_by == staff


def test_ord_6_customer_confirms_receipt_completes_and_opens_the_aftersales_window() -> None:
    order = shipped_order()
    response = client_for(order.customer).post(f"/api/v1/orders/{order.pk}/confirm-receipt/")
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert Deadline.objects.get(rule="orders.auto_confirm", subject_id=str(order.pk)).status == "met"
    window = Deadline.objects.get(rule="orders.aftersales_window", subject_id=str(order.pk))
    assert window.due_at == order.completed_at + timedelta(days=15)  # type: ignore[operator]
    # ORD-7: a follow-up is queued, and its outcome recorded by customer service
    follow_up = FollowUp.objects.get(order=order)
    follow_up_record(
        follow_up=follow_up, outcome="satisfied", suggestion="faster shipping", actor=StaffFactory()
    )
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.DONE and follow_up.suggestion == "faster shipping"


def test_ord_6_auto_confirm_after_10_days_and_extension(time_machine) -> None:
    auto = shipped_order()
    extended = shipped_order()
    shipped_at = extended.shipped_at
    client = client_for(extended.customer)
    assert client.post(f"/api/v1/orders/{extended.pk}/extend-confirmation/").status_code == 200
    assert client.post(f"/api/v1/orders/{extended.pk}/extend-confirmation/").status_code == 409  # once only

    assert Deadline.objects.get(rule="orders.auto_confirm", subject_id=str(auto.pk)).due_at == (
        auto.shipped_at + timedelta(days=10)  # type: ignore[operator]
    )
    assert Deadline.objects.get(rule="orders.auto_confirm", subject_id=str(extended.pk)).due_at == (
        shipped_at + timedelta(days=15)  # type: ignore[operator]
    )

    time_machine.move_to(auto.shipped_at + timedelta(days=10, minutes=-1))  # type: ignore[operator]
    deadlines_sweep()
    auto.refresh_from_db()
    assert auto.status == Order.Status.SHIPPED  # not yet, one minute before the 10 days

    time_machine.move_to(shipped_at + timedelta(days=10, seconds=1))  # type: ignore[operator]
    deadlines_sweep()
    auto.refresh_from_db()
    extended.refresh_from_db()
    assert auto.status == Order.Status.COMPLETED
    assert auto.events.get(action="completed").actor is None
    assert extended.status == Order.Status.SHIPPED

    time_machine.move_to(shipped_at + timedelta(days=15, minutes=-1))  # type: ignore[operator]
    deadlines_sweep()
    extended.refresh_from_db()
    assert extended.status == Order.Status.SHIPPED  # not yet, one minute before 10 + 5 days

    time_machine.move_to(shipped_at + timedelta(days=15, seconds=1))  # type: ignore[operator]
    deadlines_sweep()
    extended.refresh_from_db()
    assert extended.status == Order.Status.COMPLETED
    assert extended.confirmation_extended


def test_ord_2_service_branch_paid_scheduled_in_service_completed() -> None:
    from orders.services.fulfilment import order_confirm_receipt, order_schedule, order_start_service

    order = paid_order()
    Order.objects.filter(pk=order.pk).update(kind=Order.Kind.SERVICE)
    order.refresh_from_db()
    with pytest.raises(Exception, match="ship"):
        order_ship(order=order, carrier="s", tracking_number="1", actor=order.merchant.owner)
    order_schedule(order=order, scheduled_for=timezone.now() + timedelta(days=1), actor=order.merchant.owner)
    order_start_service(order=order, actor=order.merchant.owner)
    order = order_confirm_receipt(order=order, actor=order.customer)
    assert order.status == Order.Status.COMPLETED
    assert [e.to_status for e in order.events.order_by("pk")][-3:] == ["scheduled", "in_service", "completed"]
