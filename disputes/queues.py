"""The disputes chapter's work queue in the operations console (issue 12): cases awaiting the committee."""

from django.utils.translation import gettext_lazy as _

from disputes.selectors import COMMITTEE_RULES, committee_open_count
from platform_core.reports.queues import QueueFigures, deadline_oldest_due, work_queue


@work_queue(
    "disputes.committee",
    title=_("Disputes awaiting a ruling or an appeal decision"),
    permission=("disputes.arbitrate_dispute", "disputes.view_dispute"),
    url="admin:disputes_dispute_workload",
    order=75,
)
def committee_cases() -> QueueFigures:
    """DSP-3, DSP-4: cases in arbitration or on appeal; time left from the ruling / panel clocks."""
    return committee_open_count(), deadline_oldest_due(*COMMITTEE_RULES)
