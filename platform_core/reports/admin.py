"""Auditors' admin (AUD-2): the report list with filters and download buttons, the export log, the
monthly reports. Everything here is read-only; exports go through the same services as the API."""

from datetime import date
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.encoding import force_str
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from platform_core.accounts.acting import request_user
from platform_core.admin_site import ViewOnlyMixin
from platform_core.errors import DomainError
from platform_core.reports.models import ExportLog, MonthlyReport, Report
from platform_core.reports.registry import ReportFilters
from platform_core.reports.responses import export_filename, export_response, file_response
from platform_core.reports.selectors import (
    export_get_for_user,
    export_list_for_user,
    monthly_report_get_for_user,
    report_get_for_user,
    report_list_for_user,
)
from platform_core.reports.services import export_downloaded, export_start, monthly_report_file


class _ReadOnly(ViewOnlyMixin, admin.ModelAdmin):
    """Rows people look at and services change (``ViewOnlyMixin``)."""


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@admin.register(Report)
class ReportAdmin(_ReadOnly):
    """``/admin/reports/report/``: the reports the viewer may run, each with a date range and formats."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(report_list_for_user(user=request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_urls(self) -> list[URLPattern]:
        return [
            path("", self.admin_site.admin_view(self.changelist_view), name="reports_report_changelist"),
            path(
                "<str:code>/export/",
                self.admin_site.admin_view(self.export_view),
                name="reports_report_export",
            ),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        reports = [
            {
                "code": d.code,
                "title": force_str(d.title),
                "description": force_str(d.description),
                "formats": d.formats,
                "filters": [
                    {"name": f.name, "label": force_str(f.label), "choices": f.choice_list()}
                    for f in d.filters_shown()
                ],
                "personal": bool(d.personal_columns),
                "url": reverse("admin:reports_report_export", kwargs={"code": d.code}),
            }
            for d in report_list_for_user(user=request.user)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reports"),
            "reports": reports,
            "opts": self.model._meta,
            "exports_url": reverse("admin:reports_exportlog_changelist"),
        }
        return TemplateResponse(request, "admin/reports/report_list.html", context)

    def export_view(self, request: HttpRequest, code: str) -> HttpResponseBase:
        params = request.GET
        try:
            definition = report_get_for_user(user=request.user, code=code)
            filters = ReportFilters(
                date_from=_date(params.get("from")),
                date_to=_date(params.get("to")),
                extra={n: params[n] for n in definition.extra_filters if params.get(n)},
            )
            export = export_start(
                code=code,
                filters=filters,
                fmt=params.get("format", "csv"),
                actor=request_user(request),
                is_async=params.get("async") == "1",
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:reports_report_changelist"))
        if export.is_async:
            self.message_user(
                request, _("Export #%(id)s is running; it appears in the export log.") % {"id": export.pk}
            )
            return HttpResponseRedirect(reverse("admin:reports_exportlog_changelist"))
        return export_response(export=export)


@admin.register(ExportLog)
class ExportLogAdmin(_ReadOnly):
    list_display = (
        "id",
        "report_code",
        "format",
        "requested_by",
        "created_at",
        "status",
        "progress",
        "unmasked",
        "short_sha",
        "download",
    )
    list_filter = ("status", "format", "report_code", "unmasked", "is_async")
    search_fields = ("report_code", "sha256", "requested_by__email", "requested_by__phone")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ExportLog._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExportLog]:
        return export_list_for_user(user=request.user)

    @admin.display(description=_("SHA-256"))
    def short_sha(self, export: ExportLog) -> str:
        return export.sha256[:12]

    #: issue 21: how often the list reloads itself while an export is being prepared
    refresh_seconds = 3

    @admin.display(description=_("Progress"))
    def progress(self, export: ExportLog) -> str:
        """Rows written of rows expected (an async export counts them first), as a percentage."""
        if export.status == ExportLog.Status.DONE:
            return str(_("%(rows)d rows, 100%%") % {"rows": export.row_count})
        if export.total_rows:
            percent = min(100, export.row_count * 100 // export.total_rows)
            return str(
                _("%(rows)d of %(total)d rows, %(percent)d%%")
                % {
                    "rows": export.row_count,
                    "total": export.total_rows,
                    "percent": percent,
                }
            )
        return str(_("%(rows)d rows") % {"rows": export.row_count})

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        preparing = self.get_queryset(request).filter(
            status__in=[ExportLog.Status.PENDING, ExportLog.Status.RUNNING], is_async=True
        )
        context = {
            "refresh_seconds": self.refresh_seconds if preparing.exists() else 0,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    @admin.display(description=_("File"))
    def download(self, export: ExportLog) -> str:
        if export.status != ExportLog.Status.DONE or not export.file_path:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:reports_exportlog_download", args=[export.pk]),
            _("Download"),
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:export_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="reports_exportlog_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request: HttpRequest, export_id: int) -> HttpResponseBase:
        try:
            export = export_get_for_user(user=request.user, export_id=export_id)
            file_path = export_downloaded(export=export, actor=request_user(request))
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:reports_exportlog_changelist"))
        return file_response(path=file_path, filename=export_filename(export), fmt=export.format)


@admin.register(MonthlyReport)
class MonthlyReportAdmin(_ReadOnly):
    list_display = ("month", "created_at", "short_sha", "files")
    readonly_fields = ("month", "file_path", "sha256", "appendices", "summary", "created_at")

    @admin.display(description=_("SHA-256"))
    def short_sha(self, report: MonthlyReport) -> str:
        return report.sha256[:12]

    @admin.display(description=_("Files"))
    def files(self, report: MonthlyReport) -> str:
        url = reverse("admin:reports_monthlyreport_download", args=[report.pk])
        links = [format_html('<a href="{}">PDF</a>', url)]
        links += [
            format_html('<a href="{}?appendix={}">{}</a>', url, a["code"], a["code"])
            for a in report.appendices
        ]
        return format_html(" · ".join(["{}"] * len(links)), *links)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:report_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="reports_monthlyreport_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request: HttpRequest, report_id: int) -> HttpResponseBase:
        appendix = request.GET.get("appendix") or None
        try:
            report = monthly_report_get_for_user(user=request.user, report_id=report_id)
            file_path = monthly_report_file(report=report, actor=request_user(request), appendix=appendix)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:reports_monthlyreport_changelist"))
        return file_response(path=file_path, filename=file_path.name, fmt="csv" if appendix else "pdf")
