"""The orders chapter's work queues in the operations console (issue 12): reconciliation, follow-ups."""

from django.utils.translation import gettext_lazy as _

from orders.models import FollowUp, ReconciliationDifference
from orders.selectors.reviews import review_flag_queue
from platform_core.console.queues import QueueFigures, work_queue


@work_queue(
    "orders.reconciliation_differences",
    title=_("Reconciliation differences"),
    permission=("orders.change_reconciliationdifference", "orders.view_reconciliationdifference"),
    url="admin:orders_reconciliationdifference_changelist?status__exact=open",
    order=90,
)
def reconciliation_differences_open() -> QueueFigures:
    """PAY-8: differences between the ledger and a provider's settlement, for finance (no clock)."""
    return ReconciliationDifference.objects.filter(status=ReconciliationDifference.Status.OPEN).count(), None


@work_queue(
    "orders.follow_ups",
    title=_("Follow-ups to do"),
    permission=("orders.change_followup", "orders.view_followup"),
    url="admin:orders_followup_changelist?status__exact=open",
    order=95,
)
def follow_ups_open() -> QueueFigures:
    """ORD-7: customer-service follow-ups (回访) of completed orders (no clock)."""
    return FollowUp.objects.filter(status=FollowUp.Status.OPEN).count(), None


@work_queue(
    "orders.review_moderation",
    title=_("Reviews flagged as possibly fake"),
    permission=("orders.moderate_review", "orders.view_review"),
    url="admin:orders_review_changelist?flagged=open",
    order=97,
)
def reviews_flagged() -> QueueFigures:
    """REP-2: reviews with an open fake-review flag, for moderation (no clock)."""
    return review_flag_queue().count(), None
