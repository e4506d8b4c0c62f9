"""Who may run which report, and see which export (AUD-2, SEC-1)."""

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from platform_core.accounts.masking import may_view_personal_data
from platform_core.accounts.roles import Role
from platform_core.errors import Forbidden, NotFound
from platform_core.reports.models import ExportLog, MonthlyReport
from platform_core.reports.registry import ReportDefinition, report_get, reports_all

MONTHLY_VIEW_PERMISSION = "reports.view_monthlyreport"


def report_list_for_user(*, user: Any) -> list[ReportDefinition]:
    """The reports ``user`` holds the export permission for, by code."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [definition for definition in reports_all() if user.has_perm(definition.permission)]


def report_get_for_user(*, user: Any, code: str) -> ReportDefinition:
    """The report, if ``user`` may export it: ``NotFound`` for an unknown code, ``Forbidden`` without the
    permission (the list of reports is not secret, so a clear 403 is better than a 404)."""
    try:
        definition = report_get(code)
    except KeyError:
        raise NotFound(_("There is no report %(code)s.") % {"code": code}) from None
    if not (
        getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(definition.permission)
    ):
        raise Forbidden(
            _("Exporting the report %(code)s needs the permission %(perm)s.")
            % {"code": code, "perm": definition.permission},
            code="report_permission_required",
        )
    return definition


def _is_auditor(user: Any) -> bool:
    return bool(user.is_superuser or user.groups.filter(name=Role.AUDITOR).exists())


def export_visible_to(*, export: ExportLog, user: Any) -> bool:
    """The requester sees their export; an auditor holding the report's permission sees anyone's, but an
    unmasked one only with ``staff.view_personal_data`` (SEC-2)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if export.requested_by_id == user.pk:
        return True
    if not user.has_perm(f"reports.export_{export.report_code}") or not _is_auditor(user):
        return False
    return not export.unmasked or may_view_personal_data(user)


def export_get_for_user(*, user: Any, export_id: int) -> ExportLog:
    """The export, or ``NotFound`` if it does not exist or ``user`` may not see it (SEC-1)."""
    export = ExportLog.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None or not export_visible_to(export=export, user=user):
        raise NotFound(_("Export not found."))
    return export


def export_list_for_user(*, user: Any) -> models.QuerySet[ExportLog]:
    """The user's own exports; an auditor's list holds every export (the admin's export log)."""
    qs = ExportLog.objects.select_related("requested_by").order_by("-created_at", "-pk")
    if _is_auditor(user):
        return qs
    return qs.filter(requested_by=user)


def monthly_report_list_for_user(*, user: Any) -> models.QuerySet[MonthlyReport]:
    if not (getattr(user, "is_authenticated", False) and user.has_perm(MONTHLY_VIEW_PERMISSION)):
        return MonthlyReport.objects.none()
    return MonthlyReport.objects.order_by("-month")


def monthly_report_get_for_user(*, user: Any, report_id: int) -> MonthlyReport:
    report = monthly_report_list_for_user(user=user).filter(pk=report_id).first()
    if report is None:
        raise NotFound(_("Monthly report not found."))
    return report
