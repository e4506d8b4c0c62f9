"""Deadline rules of the staff chapter (OPS-1): review within 5 working days (STF-2, USR-2); grants lapse."""

from django.utils.translation import gettext_lazy as _

from platform_core.deadlines.registry import deadline_rule
from staff.clocks import GRANT_EXPIRY_RULE, REVIEW_RULE
from staff.models import PermissionApplication, PermissionGrant
from staff.services.applications import permission_application_escalate
from staff.services.grants import permission_grant_lapse


@deadline_rule(
    REVIEW_RULE,
    description="STF-2, USR-2: a permission application is reviewed within 5 working days",
    parties=lambda application: (application.applicant,),
    label=_("Review of the permission application"),
)
def permission_review_overdue(application: PermissionApplication) -> None:
    permission_application_escalate(application=application)


@deadline_rule(GRANT_EXPIRY_RULE, description="STF-2: a permission granted until a date lapses automatically")
def permission_grant_expired(grant: PermissionGrant) -> None:
    permission_grant_lapse(grant=grant)
