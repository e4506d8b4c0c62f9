"""The after-sales chapter's work queues in the operations console (issue 12): escalations and complaints."""

from django.utils.translation import gettext_lazy as _

from aftersales.clocks import RULE_COMPLAINT_ACK, RULE_COMPLAINT_ANSWER
from aftersales.selectors import (
    complaint_queue_for_customer_service,
    complaint_queue_for_head,
    request_queue_for_customer_service,
)
from platform_core.console.queues import QueueFigures, deadline_oldest_due, work_queue


@work_queue(
    "aftersales.escalated_requests",
    title=_("Escalated after-sales requests"),
    permission=("aftersales.change_escalatedrequest", "aftersales.view_escalatedrequest"),
    url="admin:aftersales_escalatedrequest_changelist",
    order=50,
)
def escalated_requests() -> QueueFigures:
    """AFS-3, AFS-5: requests escalated to platform customer service (no clock of their own)."""
    return request_queue_for_customer_service().count(), None


@work_queue(
    "aftersales.complaints",
    title=_("Complaints to acknowledge or answer"),
    permission=("aftersales.change_complaintqueueitem", "aftersales.view_complaintqueueitem"),
    url="admin:aftersales_complaintqueueitem_changelist",
    order=60,
)
def complaints_open() -> QueueFigures:
    """CMP-2: filed or acknowledged complaints; time left from the acknowledge / answer clocks."""
    count = complaint_queue_for_customer_service().count()
    return count, deadline_oldest_due(RULE_COMPLAINT_ACK, RULE_COMPLAINT_ANSWER)


@work_queue(
    "aftersales.escalated_complaints",
    title=_("Complaints escalated to the department head"),
    permission=("aftersales.change_escalatedcomplaint", "aftersales.view_escalatedcomplaint"),
    url="admin:aftersales_escalatedcomplaint_changelist",
    order=65,
)
def complaints_escalated() -> QueueFigures:
    """CMP-2: the answer clock ran out; the head answers (no further clock)."""
    return complaint_queue_for_head().count(), None
