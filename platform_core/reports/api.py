"""Auditors' report API (AUD-2, AUD-3): list the reports one may run, export, follow and download exports.

``GET /reports/{code}/export/?format=csv`` streams at once; ``?async=1`` answers 202 with the export's id
and the file is made by ``reports.run_export``.
"""

from typing import Any

from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_core.accounts.models import User
from platform_core.reports.models import ExportLog, MonthlyReport
from platform_core.reports.registry import FORMATS, ReportDefinition, ReportFilters
from platform_core.reports.responses import export_filename, export_response, file_response
from platform_core.reports.selectors import (
    export_get_for_user,
    monthly_report_get_for_user,
    monthly_report_list_for_user,
    report_get_for_user,
    report_list_for_user,
)
from platform_core.reports.services import export_downloaded, export_start, monthly_report_file


class _NoFormatNegotiation(APIView):
    """``?format=`` names the export's format here, not DRF's renderer: always answer in JSON."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[Any, str]:
        return JSONRenderer(), JSONRenderer.media_type


class ReportOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    formats = serializers.ListField(child=serializers.CharField())
    filters = serializers.SerializerMethodField()
    columns = serializers.SerializerMethodField()

    def get_title(self, definition: ReportDefinition) -> str:
        return force_str(definition.title)

    def get_description(self, definition: ReportDefinition) -> str:
        return force_str(definition.description)

    def get_filters(self, definition: ReportDefinition) -> list[str]:
        return ["from", "to", *definition.extra_filters]

    def get_columns(self, definition: ReportDefinition) -> list[dict[str, Any]]:
        return [
            {"key": c.key, "header": force_str(c.header), "personal_data": c.mask is not None}
            for c in definition.columns
        ]


class ExportOutputSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportLog
        fields = [
            "id",
            "report_code",
            "format",
            "filters",
            "is_async",
            "unmasked",
            "status",
            "row_count",
            "total_rows",
            "sha256",
            "size",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]

    def get_download_url(self, export: ExportLog) -> str | None:
        if export.status != ExportLog.Status.DONE or not export.file_path:
            return None
        return reverse("reports-export-download", kwargs={"export_id": export.pk})


class ReportListApi(APIView):
    @extend_schema(
        summary=gettext_lazy("List reports"),
        description=gettext_lazy("The reports the caller may run."),
        tags=["reports"],
        responses={200: ReportOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(ReportOutputSerializer(report_list_for_user(user=request.user), many=True).data)


class ReportExportApi(_NoFormatNegotiation):
    class FilterSerializer(serializers.Serializer):
        format = serializers.ChoiceField(choices=FORMATS, default="csv")
        date_from = serializers.DateField(required=False, allow_null=True, default=None)
        date_to = serializers.DateField(required=False, allow_null=True, default=None)
        run_async = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        summary=gettext_lazy("Export a report"),
        description=gettext_lazy(
            "Start an export of a report; `?format=` names the file format (csv, xlsx)."
        ),
        tags=["reports"],
        parameters=[
            OpenApiParameter("format", str, enum=list(FORMATS), description="csv (default), xlsx or pdf"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (platform time zone)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, inclusive"),
            OpenApiParameter("async", bool, description="Run as a background job: 202 with the export"),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The export file"),
            202: ExportOutputSerializer,
        },
    )
    def get(self, request: Request, code: str) -> HttpResponseBase:
        assert isinstance(request.user, User)  # IsAuthenticated
        definition = report_get_for_user(user=request.user, code=code)  # 403 before validating anything
        params = request.query_params
        data = self.FilterSerializer(
            data={
                "format": params.get("format", "csv"),
                "date_from": params.get("from") or None,
                "date_to": params.get("to") or None,
                "run_async": params.get("async", "0"),
            }
        )
        data.is_valid(raise_exception=True)
        extra = {name: params[name] for name in definition.extra_filters if params.get(name)}
        filters = ReportFilters(
            date_from=data.validated_data["date_from"], date_to=data.validated_data["date_to"], extra=extra
        )
        export = export_start(
            code=code,
            filters=filters,
            fmt=data.validated_data["format"],
            actor=request.user,
            is_async=data.validated_data["run_async"],
        )
        if export.is_async:
            export.refresh_from_db()  # an eager worker (tests, embedded mode) may have finished it already
            return Response(ExportOutputSerializer(export).data, status=202)
        return export_response(export=export)


class ExportStatusApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Get an export"),
        description=gettext_lazy("An export's state and, when ready, its download link."),
        tags=["reports"],
        responses={200: ExportOutputSerializer},
    )
    def get(self, request: Request, export_id: int) -> Response:
        export = export_get_for_user(user=request.user, export_id=export_id)
        return Response(ExportOutputSerializer(export).data)


class ExportDownloadApi(_NoFormatNegotiation):
    @extend_schema(
        summary=gettext_lazy("Download an export"),
        description=gettext_lazy("The exported file."),
        tags=["reports"],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, export_id: int) -> HttpResponseBase:
        assert isinstance(request.user, User)
        export = export_get_for_user(user=request.user, export_id=export_id)
        path = export_downloaded(export=export, actor=request.user)
        return file_response(path=path, filename=export_filename(export), fmt=export.format)


class MonthlyReportOutputSerializer(serializers.ModelSerializer):
    appendices = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyReport
        fields = ["id", "month", "sha256", "created_at", "appendices", "summary"]

    def get_appendices(self, report: MonthlyReport) -> list[dict[str, Any]]:
        return [{"code": a["code"], "rows": a["rows"], "sha256": a["sha256"]} for a in report.appendices]


class MonthlyReportListApi(APIView):
    @extend_schema(
        summary=gettext_lazy("List monthly reports"),
        description=gettext_lazy("The monthly reports the caller may read."),
        tags=["reports"],
        responses={200: MonthlyReportOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        reports = monthly_report_list_for_user(user=request.user)
        return Response(MonthlyReportOutputSerializer(reports, many=True).data)


class MonthlyReportDownloadApi(_NoFormatNegotiation):
    @extend_schema(
        summary=gettext_lazy("Download a monthly report"),
        description=gettext_lazy("One monthly report as a file."),
        tags=["reports"],
        parameters=[OpenApiParameter("appendix", str, description="A CSV appendix's code; the PDF without")],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, report_id: int) -> HttpResponseBase:
        assert isinstance(request.user, User)
        report = monthly_report_get_for_user(user=request.user, report_id=report_id)
        appendix = request.query_params.get("appendix") or None
        path = monthly_report_file(report=report, actor=request.user, appendix=appendix)
        fmt = "csv" if appendix else "pdf"
        return file_response(path=path, filename=path.name, fmt=fmt)
