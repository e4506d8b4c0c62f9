"""Running reports: the export log, streamed and file exports, the monthly compliance report.

AUD-1 (every export is audited), AUD-2 (auditors export), AUD-3 (streaming, who/when/filters/rows/SHA-256),
AUD-4 (monthly report), SEC-2 (personal data masked unless permitted; unmasked exports audited).
"""

import hashlib
import logging
import os
from collections.abc import Generator
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.accounts.masking import may_view_personal_data, personal_data_viewed
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.audit.services import audit_record
from platform_core.errors import Conflict, InvalidInput
from platform_core.locking import lock
from platform_core.reports import renderers
from platform_core.reports.models import ExportLog, MonthlyReport, Report
from platform_core.reports.registry import ReportDefinition, ReportFilters, report_get, reports_all
from platform_core.reports.selectors import export_visible_to, report_get_for_user

logger = logging.getLogger(__name__)

#: The auditor role holds every report permission and these (AUD-2: read-only access to all reports).
AUDITOR_EXTRA_PERMISSIONS = (("reports", "view_monthlyreport"), ("reports", "view_exportlog"))


def export_root() -> Path:
    return Path(settings.REPORTS_EXPORT_DIR)


def report_permissions_sync() -> int:
    """Create ``reports.export_<code>`` for every registered report and give them to the auditor role.

    Run after ``migrate`` (post_migrate) and in tests; idempotent. Returns the number of permissions.
    """
    content_type = ContentType.objects.get_for_model(Report, for_concrete_model=False)
    permissions = []
    for definition in reports_all():
        permission, _created = Permission.objects.get_or_create(
            content_type=content_type,
            codename=definition.permission_codename,
            defaults={"name": f"Export report {definition.code}"[:255]},
        )
        permissions.append(permission)
    auditor = Group.objects.filter(name=Role.AUDITOR).first()
    if auditor is not None:
        extra = [
            p
            for app_label, codename in AUDITOR_EXTRA_PERMISSIONS
            for p in Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        ]
        auditor.permissions.add(*permissions, *extra)
    return len(permissions)


@transaction.atomic
def export_start(
    *, code: str, filters: ReportFilters, fmt: str, actor: User, is_async: bool = False
) -> ExportLog:
    """AUD-2, AUD-3, AUD-1, SEC-2: check the permission, log the export and audit it.

    Personal-data columns are exported unmasked only for holders of ``staff.view_personal_data``, and
    such an export is also recorded as a personal-data export. ``is_async`` queues ``reports.run_export``
    after commit; otherwise the caller streams (CSV, ``export_csv_stream``) or writes the file
    (``export_write_file``) at once.
    """
    definition = report_get_for_user(user=actor, code=code)
    if fmt not in definition.formats:
        raise InvalidInput(
            _("The report %(code)s is available as %(formats)s.")
            % {"code": code, "formats": ", ".join(definition.formats)},
            errors={"format": [_("Unsupported format.")]},
        )
    unknown = set(filters.extra) - set(definition.extra_filters)
    if unknown:
        raise InvalidInput(
            _("Unknown filters: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            errors={name: [_("Unknown filter.")] for name in sorted(unknown)},
        )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidInput(_("The start date is after the end date."), errors={"from": [_("After 'to'.")]})
    unmasked = bool(definition.personal_columns) and may_view_personal_data(actor)
    export = ExportLog.objects.create(
        requested_by=actor,
        report_code=code,
        filters=filters.as_json(),
        format=fmt,
        is_async=is_async,
        unmasked=unmasked,
    )
    audit_record(
        actor=actor,
        action="report.exported",
        subject=export,
        after={"report": code, "format": fmt, "filters": export.filters, "unmasked": unmasked},
    )
    if unmasked:
        personal_data_viewed(
            viewer=actor,
            subject=export,
            fields=definition.personal_columns,
            purpose=f"report {code} {export.filters}",
            export=True,
        )
    if is_async:
        transaction.on_commit(lambda: _queue_export(export.pk))
    return export


def _queue_export(export_id: int) -> None:
    from platform_core.reports.tasks import run_export_task

    try:
        run_export_task.delay(export_id)
    except Exception:
        # The broker is down: the export stays pending and shows so; asking again queues a new one.
        logger.exception("could not queue export %s", export_id)


def _export_begin(export_id: int) -> ExportLog:
    with transaction.atomic():
        export = lock(ExportLog, export_id)
        export.start(at=clock.now())
        export.save()
    return export


def _export_end(
    export_id: int, *, complete: bool, rows: int, sha256: str, size: int, error: str = "", path: str = ""
) -> None:
    with transaction.atomic():
        export = lock(ExportLog, export_id)
        now = clock.now()
        if error:
            export.fail(error=error, at=now)
            export.row_count = rows
        elif complete:
            export.finish(rows=rows, sha256=sha256, size=size, at=now)
            export.file_path = path
        else:
            export.interrupt(rows=rows, sha256=sha256, size=size, at=now)
        export.save()


class ExportStream:
    """The bytes of a streamed CSV export, hashing and counting them as they are handed to the client.

    The log row is completed when the stream ends: ``done`` after the last chunk, ``incomplete`` if the
    server closes the stream early (the client went away), ``failed`` if producing rows raised. The
    server calls ``close()`` in every case, even before the first chunk.
    """

    def __init__(self, *, export: ExportLog, definition: ReportDefinition, filters: ReportFilters) -> None:
        self.export_id = export.pk
        self._chunks: Generator[tuple[bytes, int]] = renderers.csv_chunks(
            definition, filters, masked=not export.unmasked
        )
        self._digest = hashlib.sha256()
        self.rows = 0
        self.size = 0
        self._ended = False

    def __iter__(self) -> "ExportStream":
        return self

    def __next__(self) -> bytes:
        try:
            data, rows = next(self._chunks)
        except StopIteration:
            self._end(complete=True)
            raise
        except Exception as exc:
            self._end(complete=False, error=f"{type(exc).__name__}: {exc}")
            raise
        self._digest.update(data)
        self.size += len(data)
        self.rows += rows
        return data

    def close(self) -> None:
        self._chunks.close()
        self._end(complete=False)

    def _end(self, *, complete: bool, error: str = "") -> None:
        if self._ended:
            return
        self._ended = True
        _export_end(
            self.export_id,
            complete=complete,
            rows=self.rows,
            sha256=self._digest.hexdigest(),
            size=self.size,
            error=error,
        )


def export_csv_stream(*, export: ExportLog) -> ExportStream:
    """AUD-3: start a streamed CSV export; iterate the result to get its bytes (see ``ExportStream``)."""
    definition = report_get(export.report_code)
    export = _export_begin(export.pk)
    return ExportStream(export=export, definition=definition, filters=ReportFilters.from_json(export.filters))


def export_file_path(export: ExportLog) -> Path:
    created = timezone.localtime(export.created_at)
    return export_root() / f"{created:%Y-%m}" / f"{export.pk}-{export.report_code}.{export.format}"


def _sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as data:
        while chunk := data.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def export_write_file(*, export_id: int) -> ExportLog:
    """AUD-3: write the export's file under ``REPORTS_EXPORT_DIR`` with progress on the log row.

    Idempotent: a finished export is returned as it is; one left running by a dead worker starts over
    (the file is written under a temporary name and renamed when complete).
    """
    with transaction.atomic():
        export = lock(ExportLog, export_id)
        if export.is_finished:
            return export
        if export.status == ExportLog.Status.PENDING:
            export.start(at=clock.now())
            export.save()
    definition = report_get(export.report_code)
    filters = ReportFilters.from_json(export.filters)
    path = export_file_path(export)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    if export.is_async:
        ExportLog.objects.filter(pk=export_id).update(total_rows=renderers.count_source(definition, filters))

    def progress(rows: int) -> None:
        ExportLog.objects.filter(pk=export_id).update(row_count=rows)

    try:
        rows = renderers.WRITERS[export.format](
            partial, definition, filters, masked=not export.unmasked, progress=progress
        )
        os.replace(partial, path)
    except Exception as exc:
        logger.exception("export %s failed", export_id)
        partial.unlink(missing_ok=True)
        _export_end(
            export_id, complete=False, rows=0, sha256="", size=0, error=f"{type(exc).__name__}: {exc}"
        )
        raise
    sha256, size = _sha256_of(path)
    _export_end(export_id, complete=True, rows=rows, sha256=sha256, size=size, path=str(path))
    return ExportLog.objects.get(pk=export_id)


@transaction.atomic
def export_downloaded(*, export: ExportLog, actor: User) -> Path:
    """The finished export's file for ``actor`` (who may see it); the download is audited (AUD-1)."""
    if not export_visible_to(export=export, user=actor):
        raise Conflict(_("This export is not yours to download."))
    if export.status != ExportLog.Status.DONE or not export.file_path:
        raise Conflict(
            _("The export is %(status)s; only a finished file export can be downloaded.")
            % {"status": export.status},
            code="export_not_ready",
        )
    path = Path(export.file_path)
    if not path.is_file():
        raise Conflict(_("The export's file is no longer kept."), code="export_file_gone")
    audit_record(actor=actor, action="report.downloaded", subject=export, after={"sha256": export.sha256})
    return path


# --- AUD-4: the monthly compliance report --------------------------------------------------------------

MONTHLY_APPENDICES = ("deadline_sla", "deadline_breaches", "trial_balance", "ledger_entries")


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[first instant of ``month``, first instant of the next) in the platform time zone."""
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (
        timezone.make_aware(datetime.combine(first, time.min)),
        timezone.make_aware(datetime.combine(following, time.min)),
    )


def previous_month(now: datetime | None = None) -> date:
    today = timezone.localdate(now or clock.now())
    first = today.replace(day=1)
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def monthly_report_generate(*, month: date) -> MonthlyReport:
    """AUD-4: the compliance report of ``month`` — PDF with figures and charts, CSV appendices — made once,
    in the platform's language (``LANGUAGE_CODE``, Chinese) whoever or whatever asks for it.

    Idempotent: if the month's report exists it is returned unchanged. Files are written before the row
    (under temporary names, renamed when complete), so a crash leaves no row pointing at a half file.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _monthly_report_generate(month=month)


def _monthly_report_generate(*, month: date) -> MonthlyReport:
    from platform_core.reports import monthly

    month = month.replace(day=1)
    existing = MonthlyReport.objects.filter(month=month).first()
    if existing is not None:
        return existing
    since, until = month_bounds(month)
    folder = export_root() / "monthly" / f"{month:%Y-%m}"
    folder.mkdir(parents=True, exist_ok=True)
    figures = monthly.figures(since=since, until=until)
    filters = ReportFilters(date_from=month, date_to=timezone.localdate(until) - timedelta(days=1))
    appendices = []
    for code in MONTHLY_APPENDICES:
        try:
            definition = report_get(code)
        except KeyError:
            continue
        path = folder / f"{code}-{month:%Y-%m}.csv"
        partial = path.with_name(path.name + ".part")
        rows = renderers.write_csv(partial, definition, filters, masked=True, progress=lambda _rows: None)
        os.replace(partial, path)
        sha256, _size = _sha256_of(path)
        appendices.append(
            {
                "code": code,
                "title": force_str(definition.title),
                "path": str(path),
                "rows": rows,
                "sha256": sha256,
            }
        )
    pdf_path = folder / f"compliance-{month:%Y-%m}.pdf"
    partial = pdf_path.with_name(pdf_path.name + ".part")
    monthly.write_pdf(partial, month=month, figures=figures, appendices=appendices)
    os.replace(partial, pdf_path)
    sha256, _size = _sha256_of(pdf_path)
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(
                month=month,
                file_path=str(pdf_path),
                sha256=sha256,
                appendices=appendices,
                summary=monthly.jsonable(figures),
            )
            audit_record(
                actor=None,
                action="report.monthly_generated",
                subject=report,
                after={"month": f"{month:%Y-%m}", "sha256": sha256},
            )
    except IntegrityError:
        # Generated twice at once (two beats): the first one's row stands.
        return MonthlyReport.objects.get(month=month)
    return report


def monthly_report_file(*, report: MonthlyReport, actor: User, appendix: str | None = None) -> Path:
    """The PDF (or a CSV appendix by code) of a monthly report; the download is audited (AUD-1)."""
    if appendix is None:
        path = Path(report.file_path)
    else:
        match = [a for a in report.appendices if a.get("code") == appendix]
        if not match:
            raise InvalidInput(_("No such appendix."), errors={"appendix": [_("Unknown appendix.")]})
        path = Path(match[0]["path"])
    if not path.is_file():
        raise Conflict(_("The report's file is no longer kept."), code="report_file_gone")
    with transaction.atomic():
        audit_record(
            actor=actor, action="report.monthly_downloaded", subject=report, after={"appendix": appendix}
        )
    return path
