"""The disputes chapter's work queue in the operations console (issue 12): cases waiting for staff."""

from django.utils.translation import gettext_lazy as _

from disputes.clocks import RULE_MEDIATION_WINDOW
from disputes.models import Dispute
from disputes.selectors import COMMITTEE_RULES
from disputes.services._common import PERM_ARBITRATE, PERM_MEDIATE
from platform_core.console.queues import QueueFigures, deadline_oldest_due, work_queue

#: the stages in which staff act: the mediator proposes, the arbitrator rules, the panel decides
WAITING_FOR_STAFF = (Dispute.Status.MEDIATION, Dispute.Status.ARBITRATION, Dispute.Status.APPEALED)


@work_queue(
    "disputes.cases",
    title=_("Disputes in mediation or awaiting a ruling"),
    permission=(PERM_MEDIATE, PERM_ARBITRATE, "disputes.view_dispute"),
    url="admin:disputes_dispute_changelist?status__in=mediation,arbitration,appealed",
    order=75,
)
def disputes_waiting_for_staff() -> QueueFigures:
    """DSP-2, DSP-3, DSP-4: time left from the mediation window, the 7-day ruling clock and the appeal
    panel's clock (the committee's workload per arbitrator is at ``admin:disputes_dispute_workload``)."""
    count = Dispute.objects.filter(status__in=WAITING_FOR_STAFF).count()
    return count, deadline_oldest_due(RULE_MEDIATION_WINDOW, *COMMITTEE_RULES)
