"""The merchants chapter's work queues in the operations console (issue 12): applications and appeals."""

from django.utils.translation import gettext_lazy as _

from merchants.clocks import RULE_APPEAL_REVIEW, RULE_APPLICATION_REVIEW
from merchants.models import MerchantApplication, ViolationAppeal
from platform_core.console.queues import QueueFigures, deadline_oldest_due, work_queue

AWAITING_REVIEW = (MerchantApplication.Status.SUBMITTED, MerchantApplication.Status.UNDER_REVIEW)


@work_queue(
    "merchants.applications",
    title=_("Merchant applications awaiting review"),
    permission=("merchants.review_merchantapplication", "merchants.view_merchantapplication"),
    url="admin:merchants_merchantapplication_changelist?status__in=submitted,under_review",
    order=10,
)
def applications_awaiting_review() -> QueueFigures:
    """MER-2: submitted or under review; time left from the ``merchants.application_review`` clock."""
    count = MerchantApplication.objects.filter(status__in=AWAITING_REVIEW).count()
    return count, deadline_oldest_due(RULE_APPLICATION_REVIEW)


@work_queue(
    "merchants.violation_appeals",
    title=_("Violation appeals awaiting a decision"),
    permission=("merchants.decide_violationappeal", "merchants.view_violationappeal"),
    url="admin:merchants_violationappeal_changelist?status__exact=submitted",
    order=80,
)
def violation_appeals_open() -> QueueFigures:
    """VIO-4: appeals decided within 5 working days (``merchants.appeal_review``)."""
    count = ViolationAppeal.objects.filter(status=ViolationAppeal.Status.SUBMITTED).count()
    return count, deadline_oldest_due(RULE_APPEAL_REVIEW)
