"""AUD-4: the monthly compliance report, produced by beat on the 1st without a person."""

import hashlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from celery.beat import ScheduleEntry
from celery.schedules import crontab
from django.conf import settings

from platform_core.accounts.models import User
from platform_core.celery import app as celery_app
from platform_core.deadlines.deadlines import CANARY_RULE
from platform_core.reports.models import MonthlyReport
from platform_core.reports.services import monthly_report_generate, previous_month
from tests.conftest import client_for
from tests.factories.audit import AuditEntryFactory
from tests.factories.deadlines import DeadlineFactory
from tests.factories.merchants import MerchantFactory
from tests.factories.reports import seed_ledger, streamed
from tests.helpers.pdf import assert_cjk_embedded_without_missing_glyphs, pdf_text

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ENTRY = "reports.monthly-compliance"
make_entry: Any = ScheduleEntry  # celery-types does not know the constructor's keywords


def _seed_november(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI), tick=False)
    seed_ledger(orders=2)
    AuditEntryFactory()
    MerchantFactory()
    due = datetime(2026, 11, 10, 8, 0, tzinfo=SHANGHAI)
    DeadlineFactory(due_at=due, status="met", resolved_at=due - timedelta(minutes=1))
    DeadlineFactory(
        due_at=due, status="enforced", resolved_at=due + timedelta(seconds=20), lateness=timedelta(seconds=20)
    )
    DeadlineFactory(
        due_at=due + timedelta(days=30), status="met", resolved_at=due
    )  # due in December: not counted


def test_aud_4_beat_entry_runs_on_the_first_at_one_and_makes_last_months_report_once(
    time_machine, platform_default_language: str
) -> None:
    _seed_november(time_machine)
    spec = settings.CELERY_BEAT_SCHEDULE[ENTRY]
    entry = make_entry(
        name=ENTRY,
        task=spec["task"],
        schedule=spec["schedule"],
        last_run_at=datetime(2026, 11, 1, 1, 0, tzinfo=SHANGHAI),
        app=celery_app,
    )
    time_machine.move_to(datetime(2026, 11, 30, 23, 59, tzinfo=SHANGHAI), tick=False)
    assert entry.is_due().is_due is False
    time_machine.move_to(datetime(2026, 12, 1, 1, 0, 5, tzinfo=SHANGHAI), tick=False)
    assert entry.is_due().is_due is True
    celery_app.tasks[entry.task].delay()  # what beat sends; the worker runs it (eager here)

    report = MonthlyReport.objects.get()
    assert report.month.isoformat() == "2026-11-01"
    pdf = Path(report.file_path).read_bytes()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == report.sha256
    # the auditors' report reads in Chinese (the platform's language; beat runs it without a request)
    assert_cjk_embedded_without_missing_glyphs(pdf, "月度合规报告完整性检查审计日志哈希链试算平衡")
    words = pdf_text(pdf)
    for english in ("Monthly compliance", "Integrity checks", "Trial balance", "Account kind", "Appendices"):
        assert english not in words, english
    canary = next(r for r in report.summary["deadlines"] if r["rule"] == CANARY_RULE)
    assert (canary["total"], canary["met_on_time"], canary["enforced"]) == (2, 1, 1)
    assert report.summary["audit"]["ok"] is True
    assert report.summary["ledger"]["ok"] is True
    assert report.summary["ledger"]["trial_balance"][-1]["net"] == "0.00"
    merchants = next(s for s in report.summary["sections"] if s["name"] == "merchants")
    assert merchants["rows"]
    codes = {a["code"]: a for a in report.appendices}
    assert set(codes) == {"deadline_sla", "deadline_breaches", "trial_balance", "ledger_entries"}
    assert codes["ledger_entries"]["rows"] == 10
    for appendix in report.appendices:
        assert hashlib.sha256(Path(appendix["path"]).read_bytes()).hexdigest() == appendix["sha256"]

    celery_app.tasks[entry.task].delay()  # beat fires twice (or a retry): still one report, unchanged
    assert MonthlyReport.objects.count() == 1
    assert MonthlyReport.objects.get().sha256 == report.sha256


def test_aud_4_beat_schedule_in_settings_has_the_monthly_entry() -> None:
    assert ENTRY in settings.CELERY_BEAT_SCHEDULE, "beat would never produce the monthly report"
    assert settings.CELERY_BEAT_SCHEDULE[ENTRY]["task"] == "reports.monthly_compliance"
    assert settings.CELERY_BEAT_SCHEDULE[ENTRY]["schedule"] == crontab(minute=0, hour=1, day_of_month=1)


def test_aud_4_previous_month_in_platform_time(time_machine) -> None:
    time_machine.move_to(datetime(2027, 1, 1, 0, 5, tzinfo=SHANGHAI), tick=False)  # still 2026 in UTC
    assert previous_month().isoformat() == "2026-12-01"


def test_aud_4_auditor_lists_and_downloads_monthly_reports(report_auditor: User, time_machine) -> None:
    _seed_november(time_machine)
    report = monthly_report_generate(month=datetime(2026, 11, 1).date())
    client = client_for(report_auditor)
    listing = client.get("/api/v1/reports/monthly/")
    assert [row["id"] for row in listing.data] == [report.pk]
    pdf = client.get(f"/api/v1/reports/monthly/{report.pk}/download/")
    assert pdf.status_code == 200 and streamed(pdf).startswith(b"%PDF")
    csv_file = client.get(f"/api/v1/reports/monthly/{report.pk}/download/?appendix=trial_balance")
    assert streamed(csv_file).startswith("\ufeff".encode())
    from tests.factories.accounts import StaffFactory

    assert client_for(StaffFactory(password=None)).get("/api/v1/reports/monthly/").data == []
