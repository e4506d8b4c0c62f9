"""AUD-3, issue 21 ("Async exports show progress and refresh by themselves until the file is ready"): the
export log shows each export's rows written of rows expected, and while one of the viewer's background
exports is pending or running the page reloads itself; once the file is ready it stops."""

import pytest
from django.test import Client

from platform_core.accounts.models import User
from platform_core.reports.models import ExportLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform_default_language")]

REFRESH = '<meta http-equiv="refresh" content="3">'


def test_aud_3_a_running_background_export_shows_progress_and_the_page_refreshes(
    report_auditor: User,
) -> None:
    export = ExportLog.objects.create(
        requested_by=report_auditor,
        report_code="audit_log",
        format=ExportLog.Format.XLSX,
        is_async=True,
        status=ExportLog.Status.RUNNING,
        total_rows=200,
        row_count=50,
    )
    client = Client()
    client.force_login(report_auditor)

    html = client.get("/admin/reports/exportlog/").content.decode()
    assert REFRESH in html and "本页每 3 秒自动刷新" in html
    assert "50 / 200 行，25%" in html and "进度" in html

    ExportLog.objects.filter(pk=export.pk).update(status=ExportLog.Status.DONE, row_count=200)
    html = client.get("/admin/reports/exportlog/").content.decode()
    assert REFRESH not in html and "自动刷新" not in html
    assert "200 行，100%" in html
