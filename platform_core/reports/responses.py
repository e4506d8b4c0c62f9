"""HTTP responses for exports, shared by the API and the admin (interfaces call this, it calls services)."""

from pathlib import Path

from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from platform_core.reports.models import ExportLog
from platform_core.reports.services import export_csv_stream, export_write_file

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def export_filename(export: ExportLog) -> str:
    return f"{export.report_code}-{export.pk}.{export.format}"


def export_response(*, export: ExportLog) -> HttpResponseBase:
    """A synchronous export: CSV streamed as it is produced, XLSX/PDF written to a file and then sent."""
    if export.format == ExportLog.Format.CSV:
        response: HttpResponseBase = StreamingHttpResponse(
            export_csv_stream(export=export), content_type=CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = f'attachment; filename="{export_filename(export)}"'
    else:
        export = export_write_file(export_id=export.pk)
        response = file_response(
            path=Path(export.file_path), filename=export_filename(export), fmt=export.format
        )
    response["X-Export-Id"] = str(export.pk)
    response["Cache-Control"] = "no-store"
    return response


def file_response(*, path: Path, filename: str, fmt: str) -> FileResponse:
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=filename, content_type=CONTENT_TYPES.get(fmt)
    )
    response["Cache-Control"] = "no-store"
    return response
