"""The field-work chapter's work queue in the operations console (issue 12): service orders that wait for
a coordinator or an appointment (ORD-9)."""

from django.utils.translation import gettext_lazy as _

from fieldwork.clocks import RULE_SCHEDULE_WITHIN
from fieldwork.models import MANAGE_PERMISSION
from fieldwork.selectors import assignments_waiting
from platform_core.console.queues import QueueFigures, deadline_oldest_due, work_queue


@work_queue(
    "fieldwork.unscheduled_service_orders",
    title=_("Service orders without a coordinator or an appointment"),
    permission=(MANAGE_PERMISSION, "fieldwork.view_serviceassignment"),
    url="admin:fieldwork_serviceassignment_changelist?queue=waiting",
    order=60,
)
def service_orders_waiting() -> QueueFigures:
    """ORD-9: paid service orders unassigned or unscheduled; scheduled within 48 h of payment."""
    return assignments_waiting().count(), deadline_oldest_due(RULE_SCHEDULE_WITHIN)
