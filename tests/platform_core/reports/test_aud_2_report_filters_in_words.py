"""AUD-2, issue 21 ("Report filters are dropdowns and date pickers with human labels, not raw field names"):
the reports page offers each report's own filters labelled in the reader's language, a fixed set of values
as a dropdown of translated choices, dates as date pickers; what is picked is what the export (and its
audit row) is filtered by."""

import pytest
from django.test import Client
from django.utils import translation

from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from platform_core.reports.models import ExportLog
from platform_core.reports.registry import Filter, report_get
from tests.factories.reports import streamed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform_default_language")]


def test_aud_2_report_filters_are_labelled_dropdowns_and_date_pickers(report_auditor: User) -> None:
    client = Client()
    client.force_login(report_auditor)
    html = client.get("/admin/reports/report/").content.decode()

    assert 'type="date" name="from"' in html and 'type="date" name="to"' in html
    # merchant_violations: its "track" is a dropdown of the tracks, labelled in Chinese
    assert '<select name="track">' in html and 'type="text" name="track"' not in html
    assert '<option value="serious">严重违规</option>' in html, html[html.index('name="track"') :][:400]
    assert "<label>类别" in html
    # disputes: the final ruling's kind, not "ruling_kind"
    assert '<select name="ruling_kind">' in html and "最终裁决" in html
    assert ">ruling_kind<" not in html and ">track " not in html
    # a filter whose values are open (a tag) stays a text box, with a label in words
    assert 'type="text" name="tag"' in html and "标签" in html

    response = client.get("/admin/reports/report/merchant_violations/export/?format=csv&track=serious")
    assert response.status_code == 200
    streamed(response)
    export = ExportLog.objects.get(report_code="merchant_violations")
    assert export.filters["track"] == "serious"
    entry = AuditEntry.objects.get(action="report.exported", subject_id=str(export.pk))
    assert (entry.after or {})["filters"]["track"] == "serious" and entry.actor_id == report_auditor.pk


def test_aud_2_a_filter_without_its_own_label_takes_its_columns_header() -> None:
    shown = {f.name: f for f in report_get("merchant_register").filters_shown()}
    with translation.override("en"):
        assert str(shown["status"].label) == "Status"  # the column "status" of the register
    assert shown["status"].choice_list() and Filter("x").choice_list() is None
