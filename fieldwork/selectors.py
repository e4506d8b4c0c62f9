"""Reads of the field-work chapter (ORD-9): the coordinator's queue, an assignment for its coordinator,
the customer's view of a service order, and the operations work queue."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fieldwork.models import MANAGE_PERMISSION, ServiceAssignment, ServiceAssignmentEvent
from orders.models import Order
from orders.selectors.orders import order_get_for_customer
from platform_core.accounts.models import User
from platform_core.errors import NotFound

A = ServiceAssignment.Status


def user_may_manage(user: User) -> bool:
    """Operations staff who assign and reassign service orders (``fieldwork.manage_assignments``)."""
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and user.has_perm(MANAGE_PERMISSION)
    )


def user_is_coordinator(user: User) -> bool:
    """An active field coordinator (a staff user), or operations staff who manage assignments."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    coordinator = getattr(user, "field_coordinator", None)
    return bool(coordinator is not None and coordinator.is_active) or user_may_manage(user)


def _visible_to(user: User) -> QuerySet[ServiceAssignment]:
    """SEC-1: a coordinator sees their own assignments; managers see all; anybody else nothing."""
    queryset = ServiceAssignment.objects.select_related("order__merchant", "coordinator__user")
    if user_may_manage(user):
        return queryset
    return queryset.filter(coordinator__user=user, coordinator__is_active=True)


def assignment_queue_for_coordinator(
    *, user: User, include_done: bool = False
) -> QuerySet[ServiceAssignment]:
    """ORD-9: the coordinator's open assignments, unscheduled first (by payment time), then by appointment."""
    queryset = _visible_to(user)
    if not include_done:  # a cancelled or refunded order drops out (orders has no hook to tell us)
        queryset = queryset.filter(status__in=[A.ASSIGNED, A.SCHEDULED, A.IN_SERVICE]).exclude(
            order__status__in=[Order.Status.CANCELLED, Order.Status.CLOSED]
        )
    return queryset.order_by(*ServiceAssignment._meta.ordering)


def assignment_get_for_coordinator(*, user: User, assignment_id: int) -> ServiceAssignment:
    """SEC-1: ``NotFound`` for an assignment that is not the caller's."""
    assignment = _visible_to(user).filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound(_("No such assignment."))
    return assignment


def assignment_events_for_customer(*, assignment: ServiceAssignment) -> QuerySet[ServiceAssignmentEvent]:
    return assignment.events.filter(action__in=ServiceAssignmentEvent.CUSTOMER_ACTIONS).order_by("at", "pk")


def service_progress_for_customer(*, customer: User, order_id: int) -> ServiceAssignment:
    """ORD-9: the customer's own service order's assignment (``NotFound`` otherwise, SEC-1)."""
    order = order_get_for_customer(customer=customer, order_id=order_id)
    assignment = (
        ServiceAssignment.objects.select_related("order", "coordinator__user").filter(order=order).first()
    )
    if assignment is None:
        raise NotFound(_("This order has no service assignment."))
    return assignment


def assignments_waiting() -> QuerySet[ServiceAssignment]:
    """ORD-9: paid service orders still waiting for a coordinator or an appointment (operations' queue)."""
    return ServiceAssignment.objects.filter(
        status__in=[A.UNASSIGNED, A.ASSIGNED], order__status=Order.Status.PAID
    )
