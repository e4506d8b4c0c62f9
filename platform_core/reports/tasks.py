"""Celery entry points of the reports (AUD-3, AUD-4). Both are idempotent."""

from celery import shared_task

from platform_core.reports.services import export_write_file, monthly_report_generate, previous_month


@shared_task(name="reports.run_export")
def run_export_task(export_id: int) -> str:
    """A large export in the background: writes the file, with progress on the export log row."""
    return str(export_write_file(export_id=export_id).status)


@shared_task(name="reports.monthly_compliance")
def monthly_compliance_task(month: str | None = None) -> int:
    """Beat, on the 1st of each month (``CELERY_BEAT_SCHEDULE`` in settings): last month's report, once.

    ``month`` (``YYYY-MM``) regenerates nothing that exists; it lets an operator fill a missed month.
    """
    from datetime import date

    target = date.fromisoformat(f"{month}-01") if month else previous_month()
    return monthly_report_generate(month=target).pk
