"""ORD-9: a paid service order is handed to a field coordinator of its area (round robin), reassignable
by operations, and escalated to the operations head when not scheduled within 48 hours."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from fieldwork.clocks import RULE_SCHEDULE_WITHIN
from fieldwork.models import ServiceAssignment, ServiceAssignmentEvent
from fieldwork.queues import service_orders_waiting
from fieldwork.selectors import assignment_queue_for_coordinator
from fieldwork.services import assignment_reassign, assignment_schedule
from orders.models import Order
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Forbidden, InvalidInput
from platform_core.notifications.models import Notification
from tests.factories.fieldwork import AREA, care_sku, coordinator, manager, paid_service_order
from tests.factories.orders import paid_order

pytestmark = pytest.mark.django_db


def _assignment(order: Order) -> ServiceAssignment:
    return ServiceAssignment.objects.select_related("coordinator").get(order=order)


def test_ord_9_paid_service_order_assigned_to_coordinator_in_area() -> None:
    coordinator("上海市浦东新区", name="浦东外勤")
    mine = coordinator(AREA, name="朝阳外勤")
    order = paid_service_order()
    assignment = _assignment(order)
    assert assignment.status == ServiceAssignment.Status.ASSIGNED
    assert assignment.coordinator == mine
    assert assignment.service_area == AREA
    assert assignment.paid_at == order.paid_at
    assert Notification.objects.filter(recipient=mine.user, event="fieldwork.assignment_assigned").exists()
    deadline = Deadline.objects.get(rule=RULE_SCHEDULE_WITHIN, subject_id=str(assignment.pk))
    assert deadline.due_at == order.paid_at + timedelta(hours=48)
    assert list(assignment.events.values_list("action", flat=True)) == ["assigned"]
    assert AuditEntry.objects.filter(action="fieldwork.assignment_assigned").exists()


def test_ord_9_product_order_gets_no_assignment() -> None:
    coordinator()
    order = paid_order()
    assert not ServiceAssignment.objects.filter(order=order).exists()


def test_ord_9_round_robin_across_two_coordinators() -> None:
    first, second = coordinator(), coordinator()
    gone = coordinator()  # offboarded: out of the rotation
    User.objects.filter(pk=gone.user_id).update(is_active=False)
    sku = care_sku()
    got = [_assignment(paid_service_order(sku=sku)).coordinator for _ in range(4)]
    assert got == [first, second, first, second]


def test_ord_9_no_coordinator_in_area_flags_operations(operations_head) -> None:
    coordinator("上海市浦东新区")
    order = paid_service_order()
    assignment = _assignment(order)
    assert assignment.status == ServiceAssignment.Status.UNASSIGNED
    assert assignment.coordinator is None
    assert Notification.objects.filter(
        recipient=operations_head, event="fieldwork.assignment_unassigned", subject_id=assignment.pk
    ).exists()
    assert service_orders_waiting()[0] == 1  # the operations work queue shows it


def test_ord_9_reassignment_by_operations_records_reason() -> None:
    first, second = coordinator(), coordinator()
    assignment = _assignment(paid_service_order())
    assert assignment.coordinator == first
    ops = manager()
    with pytest.raises(InvalidInput):
        assignment_reassign(assignment=assignment, coordinator=second, reason=" ", actor=ops)
    with pytest.raises(Forbidden):
        assignment_reassign(assignment=assignment, coordinator=second, reason="病假", actor=first.user)
    assert _assignment(assignment.order).coordinator == first  # bad input changed nothing
    assignment = assignment_reassign(
        assignment=assignment, coordinator=second, reason="原外勤病假", actor=ops
    )
    assert assignment.coordinator == second
    event = assignment.events.get(action=ServiceAssignmentEvent.Action.REASSIGNED)
    assert (event.actor, event.note, event.coordinator) == (ops, "原外勤病假", second)
    entry = AuditEntry.objects.get(action="fieldwork.assignment_reassigned")
    assert entry.reason == "原外勤病假"
    assert Notification.objects.filter(recipient=second.user, event="fieldwork.assignment_assigned").exists()


def test_ord_9_unassigned_order_assigned_by_operations() -> None:
    assignment = _assignment(paid_service_order())
    assert assignment.status == ServiceAssignment.Status.UNASSIGNED
    fc = coordinator("上海市浦东新区")  # operations may send someone from another area
    assignment = assignment_reassign(
        assignment=assignment, coordinator=fc, reason="临时支援", actor=manager()
    )
    assert (assignment.status, assignment.coordinator) == (ServiceAssignment.Status.ASSIGNED, fc)


def test_ord_9_unscheduled_48h_escalates_to_operations_head(operations_head, time_machine) -> None:
    coordinator()
    late = paid_service_order()
    on_time = paid_service_order()
    assignment_schedule(
        assignment=_assignment(on_time),
        appointment_at=timezone.now() + timedelta(days=1),
        actor=_assignment(on_time).coordinator.user,  # type: ignore[union-attr]
    )
    time_machine.move_to(late.paid_at + timedelta(hours=47, minutes=59))  # type: ignore[operator]
    deadlines_sweep()
    assert _assignment(late).escalated_at is None
    time_machine.move_to(late.paid_at + timedelta(hours=48, seconds=1))  # type: ignore[operator]
    deadlines_sweep()
    escalated = _assignment(late)
    assert escalated.escalated_at is not None
    assert (
        Notification.objects.filter(
            recipient=operations_head, event="fieldwork.assignment_escalated", subject_id=escalated.pk
        ).count()
        == 1
    )
    assert escalated.events.filter(action=ServiceAssignmentEvent.Action.ESCALATED).count() == 1
    assert _assignment(on_time).escalated_at is None  # met when scheduled
    deadlines_sweep()  # nothing more happens
    assert Notification.objects.filter(event="fieldwork.assignment_escalated").count() == 1


def test_ord_9_cancelled_service_order_does_not_escalate(operations_head, time_machine) -> None:
    from orders.services.refunds import order_cancel

    fc = coordinator()
    order = paid_service_order()
    order_cancel(order=order, reason="客户改期", actor=order.merchant.owner, as_merchant=True)
    time_machine.move_to(order.paid_at + timedelta(hours=49))  # type: ignore[operator]
    deadlines_sweep()
    assert _assignment(order).escalated_at is None
    assert not assignment_queue_for_coordinator(user=fc.user).exists()  # gone from the coordinator's queue
    assert service_orders_waiting()[0] == 0
    call_command("verify_ledger")
