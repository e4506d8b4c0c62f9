"""The staff chapter's work queue in the operations console (issue 12): permission applications."""

from django.utils.translation import gettext_lazy as _

from platform_core.console.queues import QueueFigures, deadline_oldest_due, work_queue
from staff.clocks import REVIEW_RULE
from staff.models import PermissionApplication
from staff.selectors import REVIEW_PERMISSION


@work_queue(
    "staff.permission_applications",
    title=_("Permission applications"),
    permission=(REVIEW_PERMISSION, "staff.view_permissionapplication"),
    url="admin:staff_permissionapplication_changelist?status__exact=submitted",
    order=70,
)
def permission_applications_open() -> QueueFigures:
    """STF-2: submitted applications, reviewed within 5 working days (``staff.permission_review_due``)."""
    count = PermissionApplication.objects.filter(status=PermissionApplication.Status.SUBMITTED).count()
    return count, deadline_oldest_due(REVIEW_RULE)
