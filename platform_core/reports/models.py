"""Export log, monthly compliance reports, and the permissions to run reports (AUD-2, AUD-3, AUD-4)."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition


class Report(models.Model):
    """No table: the content type that ``reports.export_<code>`` permissions hang on, and the admin's
    report list page (``/admin/reports/report/``). Definitions live in the registry, not the database."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return gettext("Report")


class ExportLog(FSMModelMixin, models.Model):
    """AUD-3: one export — who, when, which report, filters, format, row count and the file's SHA-256.

    A streamed CSV is ``running`` until its last byte is sent, then ``done``; if the client goes away
    first it is ``incomplete`` (row count and hash of what was sent). File exports (XLSX, PDF, and any
    ``async`` export) keep the file under ``VAR_DIR/exports`` for download by the requester.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        INCOMPLETE = "incomplete", _("Incomplete (stream interrupted)")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="report_exports",
    )
    report_code = models.CharField(_("report"), max_length=90, db_index=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    is_async = models.BooleanField(_("background job"), default=False)
    unmasked = models.BooleanField(_("personal data unmasked"), default=False)
    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, protected=True
    )
    row_count = models.PositiveBigIntegerField(_("rows"), default=0)
    total_rows = models.PositiveBigIntegerField(_("rows expected"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("bytes"), default=0)
    file_path = models.CharField(_("file"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("export log")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "created_at"], name="reports_export_user_idx")]

    def __str__(self) -> str:
        return gettext("Export #%(id)s of %(report)s.%(format)s (%(status)s)") % {
            "id": self.pk,
            "report": self.report_code,
            "format": self.format,
            "status": self.get_status_display(),
        }

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.INCOMPLETE, self.Status.FAILED}

    @transition(field=status, source=Status.PENDING, target=Status.RUNNING)
    def start(self, *, at: datetime) -> None:
        self.started_at = at

    @transition(field=status, source=Status.RUNNING, target=Status.DONE)
    def finish(self, *, rows: int, sha256: str, size: int, at: datetime) -> None:
        self.row_count, self.sha256, self.size, self.finished_at = rows, sha256, size, at

    @transition(field=status, source=Status.RUNNING, target=Status.INCOMPLETE)
    def interrupt(self, *, rows: int, sha256: str, size: int, at: datetime) -> None:
        self.row_count, self.sha256, self.size, self.finished_at = rows, sha256, size, at

    @transition(field=status, source=[Status.PENDING, Status.RUNNING], target=Status.FAILED)
    def fail(self, *, error: str, at: datetime) -> None:
        self.error, self.finished_at = error[:2000], at


class MonthlyReport(models.Model):
    """AUD-4: the compliance report of one month (its first day), generated once by beat on the 1st."""

    month = models.DateField(_("month"), unique=True)
    file_path = models.CharField(_("PDF file"), max_length=500)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    appendices = models.JSONField(_("CSV appendices"), default=list, blank=True)
    summary = models.JSONField(_("figures"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("monthly compliance report")
        verbose_name_plural = _("monthly compliance reports")
        ordering = ["-month"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
