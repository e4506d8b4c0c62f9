"""Writes of the field-work chapter (ORD-9, ORD-2 service branch).

- ``assignment_open_for_paid_order(order)`` — on ``orders.services.payments.order_paid``
  (``fieldwork/hooks.py``): runs in the payment's transaction with the order locked. A service order
  gets its assignment: the next coordinator of its service area in round robin, or none (flagged to
  operations, never lost). The 48-hour scheduling clock (``fieldwork.schedule_within``) starts at
  payment.
- ``assignment_reassign`` — operations hand the order to another coordinator, with a reason.
- ``assignment_schedule`` / ``assignment_start`` / ``assignment_complete`` — the coordinator's progress,
  each through the orders service of the same step (``order_schedule``, ``order_start_service``,
  ``order_complete_service``) in one transaction.
- ``assignment_problem_record`` — the coordinator records a problem; operations are told.
- ``assignment_schedule_overdue`` — the deadline handler: escalates to the operations head.
- ``coordinator_save`` — operations keep the coordinators and their areas (the admin), audited.

Locking: the order first (as the orders services do), then the assignment, then coordinators in pk order.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldwork.clocks import RULE_SCHEDULE_WITHIN
from fieldwork.models import CoverageArea, FieldCoordinator, ServiceAssignment, ServiceAssignmentEvent
from fieldwork.selectors import user_may_manage
from orders.models import Order
from orders.services.fulfilment import order_complete_service, order_schedule, order_start_service
from orders.services.locks import order_lock
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.audit.services import audit_changes, audit_fields
from platform_core.deadlines.services import deadline_meet, deadline_start
from platform_core.errors import Forbidden, InvalidInput, NotFound
from platform_core.locking import lock
from platform_core.notifications.services import notify
from platform_core.org.departments import DepartmentCode, department_head
from platform_core.timeline import timeline_record

A = ServiceAssignment.Status
Action = ServiceAssignmentEvent.Action


def _record(
    assignment: ServiceAssignment,
    *,
    action: str,
    actor: User | None,
    note: str = "",
    before: dict[str, Any] | None = None,
) -> ServiceAssignmentEvent:
    """The history row and the audit entry of one thing that happened to the assignment."""
    return timeline_record(
        ServiceAssignmentEvent,
        assignment=assignment,
        coordinator=assignment.coordinator,
        subject=assignment,
        actor=actor,
        action=action,
        audit_action=f"fieldwork.assignment_{action}",
        reason=note,
        audit_before=before,
        audit_after={"status": assignment.status, "coordinator": assignment.coordinator_id},
    )


def _operations_recipients() -> list[User]:
    """The operations head; without one (or an inactive one), the operations staff."""
    head = department_head(code=DepartmentCode.OPERATIONS)
    if head is not None:
        return [head]
    group = Group.objects.filter(name=Role.STAFF_OPERATIONS).first()
    return list(group.user_set.filter(is_active=True).order_by("pk")) if group else []


def _tell_operations(assignment: ServiceAssignment, *, event: str, title: str, body: str) -> list[User]:
    recipients = _operations_recipients()
    for recipient in recipients:
        notify(recipient=recipient, event=event, title=title, body=body, subject=assignment)
    return recipients


def _service_area(order: Order) -> str:
    areas = order.lines.exclude(listing__service_area="").values_list("listing__service_area", flat=True)
    return str(areas.order_by("pk").first() or "")


def _next_coordinator(area: str) -> FieldCoordinator | None:
    """ORD-9 round robin: the active coordinator of ``area`` whose turn it is, or ``None``.

    Every candidate row is locked in pk order, so concurrent payments in one area queue here and each
    sees the previous one's choice; the winner moves past all candidates (a logical clock).
    """
    if not area:
        return None
    candidates = list(
        FieldCoordinator.objects.select_for_update(of=("self",))
        .filter(is_active=True, user__is_active=True, areas__area=area)
        .select_related("user")
        .order_by("pk")
    )
    if not candidates:
        return None
    chosen = min(candidates, key=lambda c: (c.last_assigned_tick, c.pk))
    chosen.last_assigned_tick = max(c.last_assigned_tick for c in candidates) + 1
    chosen.save(update_fields=["last_assigned_tick"])
    return chosen


def _notify_coordinator(assignment: ServiceAssignment) -> None:
    assert assignment.coordinator is not None
    notify(
        recipient=assignment.coordinator.user,
        event="fieldwork.assignment_assigned",
        title=_("New service order"),
        body=_("Service order %(number)s (%(area)s) is yours: confirm the appointment with the partner.")
        % {"number": assignment.order.number, "area": assignment.service_area},
        subject=assignment,
    )


def assignment_open_for_paid_order(order: Order) -> ServiceAssignment | None:
    """ORD-9: the hook called when an order is paid (the order is locked by the caller).

    A service order gets its assignment and the 48-hour scheduling clock; with no coordinator for its
    area it waits with operations (notified, and in the work queue).
    """
    if order.kind != Order.Kind.SERVICE:
        return None
    existing = ServiceAssignment.objects.filter(order=order).first()
    if existing is not None:
        return existing
    assert order.paid_at is not None
    area = _service_area(order)
    assignment = ServiceAssignment.objects.create(order=order, service_area=area, paid_at=order.paid_at)
    deadline_start(
        rule=RULE_SCHEDULE_WITHIN,
        subject=assignment,
        due_at=order.paid_at + settings.FIELDWORK_SCHEDULE_WITHIN,
    )
    coordinator = _next_coordinator(area)
    if coordinator is None:
        _record(assignment, action=Action.UNASSIGNED, actor=None, note=area)
        _tell_operations(
            assignment,
            event="fieldwork.assignment_unassigned",
            title=_("Service order without a coordinator"),
            body=_("No active coordinator covers “%(area)s”: assign service order %(number)s.")
            % {"area": area or "—", "number": order.number},
        )
        return assignment
    assignment.assign(coordinator=coordinator, at=clock.now())
    assignment.save()
    _record(assignment, action=Action.ASSIGNED, actor=None, note=area)
    _notify_coordinator(assignment)
    return assignment


def _lock(assignment: ServiceAssignment) -> tuple[Order, ServiceAssignment]:
    """The order, then its assignment, locked and re-read (the orders services lock the order first
    too); the caller's copy of the assignment only names the row."""
    order_id = ServiceAssignment.objects.filter(pk=assignment.pk).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound(_("No such assignment."))
    order = order_lock(order_id=order_id)
    assignment = lock(ServiceAssignment, assignment.pk)
    assignment.order = order
    return order, assignment


def _check_actor(assignment: ServiceAssignment, actor: User) -> None:
    """The assignment's own coordinator, or operations staff who manage assignments."""
    if user_may_manage(actor):
        return
    coordinator = assignment.coordinator
    if coordinator is None or coordinator.user_id != actor.pk or not coordinator.is_active:
        raise NotFound(_("No such assignment."))


@transaction.atomic
def assignment_reassign(
    *, assignment: ServiceAssignment, coordinator: FieldCoordinator, reason: str, actor: User
) -> ServiceAssignment:
    """ORD-9: operations hand the order to another (active) coordinator; the reason is kept."""
    if not reason.strip():
        raise InvalidInput(_("Say why the order is reassigned."), errors={"reason": [_("Required.")]})
    if not user_may_manage(actor):
        raise Forbidden(_("Only operations staff who manage assignments may reassign."))
    _order, assignment = _lock(assignment)
    coordinator = FieldCoordinator.objects.select_for_update().select_related("user").get(pk=coordinator.pk)
    if not (coordinator.is_active and coordinator.user.is_active):
        raise InvalidInput(
            _("This coordinator is not active."), errors={"coordinator": [_("Choose an active coordinator.")]}
        )
    if assignment.status == A.COMPLETED:
        raise InvalidInput(
            _("A completed service order is not reassigned."), errors={"coordinator": [_("Completed.")]}
        )
    if assignment.coordinator_id == coordinator.pk:
        raise InvalidInput(
            _("The order is already with this coordinator."),
            errors={"coordinator": [_("Choose another coordinator.")]},
        )
    before = {"status": assignment.status, "coordinator": assignment.coordinator_id}
    if assignment.status == A.UNASSIGNED:
        assignment.assign(coordinator=coordinator, at=clock.now())
    else:
        assignment.coordinator, assignment.assigned_at = coordinator, clock.now()
    assignment.save()
    _record(assignment, action=Action.REASSIGNED, actor=actor, note=reason, before=before)
    _notify_coordinator(assignment)
    return assignment


@transaction.atomic
def assignment_schedule(
    *, assignment: ServiceAssignment, appointment_at: datetime, actor: User
) -> ServiceAssignment:
    """ORD-2, ORD-9: the coordinator confirmed the appointment with the partner: the order is scheduled."""
    if appointment_at <= clock.now():
        raise InvalidInput(
            _("The appointment must be in the future."), errors={"appointment_at": [_("In the past.")]}
        )
    order, assignment = _lock(assignment)
    _check_actor(assignment, actor)
    assignment.schedule(appointment_at=appointment_at)  # TransitionNotAllowed (409) unless assigned
    assignment.save()
    assignment.order = order_schedule(order=order, scheduled_for=appointment_at, actor=actor)
    deadline_meet(rule=RULE_SCHEDULE_WITHIN, subject=assignment)
    _record(assignment, action=Action.SCHEDULED, actor=actor, note=appointment_at.isoformat())
    notify(
        recipient=order.customer,
        event="fieldwork.service_scheduled",
        title=_("Your service is scheduled"),
        body=_("Service order %(number)s: the visit is on %(at)s.")
        % {"number": order.number, "at": timezone.localtime(appointment_at).strftime("%Y-%m-%d %H:%M")},
        subject=order,
    )
    return assignment


def _step(
    assignment: ServiceAssignment, actor: User, *, move: str, order_step: Callable[..., Order], action: str
) -> ServiceAssignment:
    """One step of the visit: the assignment's transition ``move`` and the order's service of that step."""
    order, assignment = _lock(assignment)
    _check_actor(assignment, actor)
    getattr(assignment, move)()  # TransitionNotAllowed (409) out of order
    assignment.save()
    assignment.order = order_step(order=order, actor=actor)
    _record(assignment, action=action, actor=actor)
    return assignment


@transaction.atomic
def assignment_start(*, assignment: ServiceAssignment, actor: User) -> ServiceAssignment:
    """ORD-2, ORD-9: the visit has started: the order is ``in_service``."""
    return _step(assignment, actor, move="start", order_step=order_start_service, action=Action.STARTED)


def _order_complete_unless_confirmed(*, order: Order, actor: User) -> Order:
    order = order_lock(order_id=order.pk)
    if order.status == Order.Status.COMPLETED:  # the customer confirmed first (ORD-6), or it auto-confirmed
        return order
    return order_complete_service(order=order, actor=actor)


@transaction.atomic
def assignment_complete(*, assignment: ServiceAssignment, actor: User) -> ServiceAssignment:
    """ORD-2, ORD-9: the visit is done: the order completes (after-sales window and follow-up open).

    If the customer already confirmed completion, only the assignment closes.
    """
    return _step(
        assignment,
        actor,
        move="complete",
        order_step=_order_complete_unless_confirmed,
        action=Action.COMPLETED,
    )


@transaction.atomic
def assignment_problem_record(*, assignment: ServiceAssignment, note: str, actor: User) -> ServiceAssignment:
    """ORD-9: the coordinator records a problem (partner unavailable, customer unreachable, …); operations
    are told. The order keeps its state; the problem shows until the visit is done."""
    note = note.strip()
    if not note:
        raise InvalidInput(_("Describe the problem."), errors={"note": [_("Required.")]})
    _order, assignment = _lock(assignment)
    _check_actor(assignment, actor)
    if assignment.status == A.COMPLETED:
        raise InvalidInput(_("The visit is already done."), errors={"note": [_("Completed.")]})
    assignment.problem_notes, assignment.problem_reported_at = note[:1000], clock.now()
    assignment.save(update_fields=["problem_notes", "problem_reported_at"])
    _record(assignment, action=Action.PROBLEM, actor=actor, note=note[:1000])
    _tell_operations(
        assignment,
        event="fieldwork.assignment_problem",
        title=_("Problem with a service order"),
        body=_("Service order %(number)s: %(note)s")
        % {"number": assignment.order.number, "note": note[:200]},
    )
    return assignment


@transaction.atomic
def assignment_schedule_overdue(*, assignment: ServiceAssignment) -> ServiceAssignment:
    """ORD-9: 48 hours after payment and still not scheduled: escalate to the operations head.

    The deadline handler (system actor, the assignment already locked by the engine). An order no longer
    waiting for its appointment (cancelled, refunded) is left alone.
    """
    assignment = ServiceAssignment.objects.select_for_update().select_related("order").get(pk=assignment.pk)
    if assignment.order.status != Order.Status.PAID or assignment.escalated_at is not None:
        return assignment
    assignment.escalated_at = clock.now()
    assignment.save(update_fields=["escalated_at"])
    recipients = _tell_operations(
        assignment,
        event="fieldwork.assignment_escalated",
        title=_("Service order not scheduled in time"),
        body=_("Service order %(number)s was paid %(hours)d hours ago and has no appointment yet (%(who)s).")
        % {
            "number": assignment.order.number,
            "hours": settings.FIELDWORK_SCHEDULE_WITHIN.total_seconds() // 3600,
            "who": assignment.coordinator or _("no coordinator"),
        },
    )
    _record(assignment, action=Action.ESCALATED, actor=None, note=", ".join(str(u.pk) for u in recipients))
    return assignment


# --- the coordinators and their areas (issue 21: kept in the admin, audited) --------------------------------

COORDINATOR_FIELDS = ("user", "display_name", "is_active")
AREA_MAX_LENGTH = 200  # CoverageArea.area


def _coordinator_recorded(coordinator: FieldCoordinator) -> dict[str, Any]:
    areas = sorted(coordinator.areas.values_list("area", flat=True)) if coordinator.pk else []
    return {**audit_fields(coordinator, COORDINATOR_FIELDS), "areas": areas}


@transaction.atomic
def coordinator_save(
    *, coordinator: FieldCoordinator | None, data: dict[str, Any], areas: list[str], actor: User
) -> FieldCoordinator:
    """ORD-9: make a staff member a field coordinator (``coordinator`` None) or change one: the name customers
    see, whether they take new orders (``is_active``: deactivate to take them out of the rotation; orders they
    have stay theirs until reassigned) and the service areas they cover (matched exactly against listings'
    ``service_area``). ``data`` holds ``COORDINATOR_FIELDS``. Audited with before and after."""
    verb = "add" if coordinator is None else "change"
    if not actor.has_perm(f"fieldwork.{verb}_fieldcoordinator"):
        raise Forbidden(_("You may not change field coordinators."))
    user: User | None = data.get("user")
    if coordinator is None and (user is None or not (user.is_staff and user.is_active)):
        raise InvalidInput(
            _("A field coordinator is an active staff member."),
            errors={"user": [_("Choose an active staff member.")]},
        )
    cleaned = sorted({area.strip() for area in areas if area.strip()})
    too_long = [area for area in cleaned if len(area) > AREA_MAX_LENGTH]
    if too_long:
        raise InvalidInput(
            _("A service area is at most 200 characters."), errors={"areas": [", ".join(too_long)]}
        )
    if coordinator is None:
        row, before = FieldCoordinator(user=user), None
    else:
        row = lock(FieldCoordinator, coordinator.pk)
        before = _coordinator_recorded(row)
    row.display_name = str(data.get("display_name") or "").strip()
    row.is_active = bool(data.get("is_active"))
    row.save()
    row.areas.exclude(area__in=cleaned).delete()
    known = set(row.areas.values_list("area", flat=True))
    CoverageArea.objects.bulk_create(
        [CoverageArea(coordinator=row, area=a) for a in cleaned if a not in known]
    )
    audit_changes(
        actor=actor,
        action="fieldwork.coordinator_created" if before is None else "fieldwork.coordinator_changed",
        subject=row,
        before=before,
        after=_coordinator_recorded(row),
    )
    return row
