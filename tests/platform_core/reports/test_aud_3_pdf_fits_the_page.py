"""AUD-3, issue 21 ("PDF exports fit the page … and print the filters as words; XLSX shows translated
status values"): the PDF names its filters
as the reports page labels them, in the reader's language, and its rows table shares the landscape page's
width among the columns, each cell wrapping (the audit log's hashes and action names ran off the page)."""

import hashlib
import io
import zipfile
from datetime import date

import pytest
from django.utils import translation
from reportlab.platypus import Paragraph

from platform_core.audit.models import AuditEntry
from platform_core.reports.models import ExportLog
from platform_core.reports.registry import ReportFilters, report_get
from platform_core.reports.renderers import PDF_CELL_MAX, PDF_FONT, filters_in_words, pdf_table
from tests.conftest import client_for
from tests.factories.merchants import MerchantFactory
from tests.factories.reports import auditor_factory, streamed

pytestmark = pytest.mark.django_db


def test_aud_3_pdf_prints_the_filters_as_words() -> None:
    filters = ReportFilters(
        date_from=date(2026, 1, 1), date_to=date(2026, 1, 31), extra={"status": "mediation"}
    )
    with translation.override("zh-hans"):
        words = filters_in_words(report_get("disputes"), filters)
    assert words == "日期：2026-01-01 至 2026-01-31；状态：调解", words
    with translation.override("zh-hans"):
        assert filters_in_words(report_get("disputes"), ReportFilters()) == "无"


def test_aud_3_pdf_rows_share_the_page_width_and_wrap() -> None:
    row = ["a" * 64, "审计日志" * 20, "report.exported"]
    table = pdf_table([["哈希", "内容", "操作"], row], width=700)
    assert sum(table._colWidths) == pytest.approx(700)
    cells = table._cellvalues
    assert all(isinstance(cell, Paragraph) and cell.style.wordWrap == "CJK" for cell in cells[1])
    assert cells[1][0].style.fontName == PDF_FONT
    long = pdf_table([["内容"], ["审" * 1000]], width=60)._cellvalues[1][0]
    assert len(long.text) == PDF_CELL_MAX and long.text.endswith("…")  # a row never outgrows the page


def test_aud_3_audit_log_pdf_export_is_logged_with_its_filters() -> None:
    auditor = auditor_factory()
    response = client_for(auditor).get("/api/v1/reports/audit_log/export/?format=pdf&from=2026-01-01")
    assert response.status_code == 200
    body = streamed(response)
    assert body.startswith(b"%PDF") and b"/FontFile2" in body  # the CJK font embedded (decision 042)
    export = ExportLog.objects.get(pk=int(response["X-Export-Id"]))
    assert export.sha256 == hashlib.sha256(body).hexdigest()
    entry = AuditEntry.objects.get(action="report.exported", subject_id=str(export.pk))
    assert (entry.after or {})["filters"]["from"] == "2026-01-01" and entry.actor_id == auditor.pk


@pytest.mark.usefixtures("platform_default_language")
def test_aud_3_xlsx_shows_translated_status_values_and_csv_keeps_the_stored_ones() -> None:
    MerchantFactory.create()  # active
    client = client_for(auditor_factory())
    response = client.get("/api/v1/reports/merchant_register/export/?format=xlsx")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(streamed(response))) as workbook:
        sheet = "".join(
            workbook.read(name).decode() for name in workbook.namelist() if name.startswith("xl/")
        )
    assert ">正常<" in sheet and ">active<" not in sheet
    csv_body = streamed(client.get("/api/v1/reports/merchant_register/export/?format=csv")).decode(
        "utf-8-sig"
    )
    assert ",active," in csv_body or csv_body.rstrip().endswith(",active")
