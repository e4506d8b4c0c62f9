"""The export framework: permissions, masking, the export log's hash and rows, streaming, async jobs."""

import csv
import hashlib
import io
from decimal import Decimal
from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from merchants.models import Merchant
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from platform_core.ledger.models import LedgerEntry
from platform_core.reports.models import ExportLog
from platform_core.reports.registry import ReportFilters, report_get
from platform_core.reports.services import export_csv_stream, export_start
from tests.conftest import client_for
from tests.factories.accounts import StaffFactory
from tests.factories.merchants import MerchantFactory
from tests.factories.reports import auditor_factory, grant_personal_data, seed_ledger, streamed

pytestmark = pytest.mark.django_db

BOM = "\ufeff".encode()


def _csv(body: bytes) -> list[list[str]]:
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body[len(BOM) :].decode("utf-8"))))


def _stream(client: APIClient, url: str) -> tuple[bytes, int]:
    response = client.get(url)
    assert response.status_code == 200, getattr(response, "data", response)
    body = streamed(response)  # the test client closes the response at the end
    return body, int(response["X-Export-Id"])


def test_aud_2_auditor_lists_the_reports_they_may_run(report_auditor: User) -> None:
    response = client_for(report_auditor).get("/api/v1/reports/")
    assert response.status_code == 200
    codes = {row["code"] for row in response.data}
    assert {"audit_log", "ledger_entries", "trial_balance", "deadline_sla", "deadline_breaches"} <= codes
    assert "merchant_register" in codes  # registered from the merchants app's reports.py
    phone = next(
        c
        for c in next(r for r in response.data if r["code"] == "merchant_register")["columns"]
        if c["key"] == "contact_phone"
    )
    assert phone["personal_data"] is True


def test_aud_2_export_without_the_permission_is_refused_with_403() -> None:
    staff = StaffFactory(password=None)
    client = client_for(staff)
    response = client.get("/api/v1/reports/ledger_entries/export/?format=csv")
    assert response.status_code == 403
    assert response.data["code"] == "report_permission_required"
    assert "reports.export_ledger_entries" in response.data["detail"]
    assert client.get("/api/v1/reports/").data == []
    assert not ExportLog.objects.exists()


def test_aud_3_csv_export_log_sha256_matches_the_bytes_received(report_auditor: User) -> None:
    seed_ledger(orders=3)
    body, export_id = _stream(client_for(report_auditor), "/api/v1/reports/ledger_entries/export/?format=csv")
    export = ExportLog.objects.get(pk=export_id)
    assert export.status == ExportLog.Status.DONE
    assert export.sha256 == hashlib.sha256(body).hexdigest()
    assert export.size == len(body)
    rows = _csv(body)
    assert export.row_count == len(rows) - 1 == LedgerEntry.objects.count()
    assert export.requested_by == report_auditor
    assert export.finished_at is not None and export.started_at is not None
    audit = AuditEntry.objects.get(action="report.exported", subject_id=str(export.pk))
    assert audit.actor == report_auditor
    assert (audit.after or {})["report"] == "ledger_entries"


def test_aud_3_interrupted_stream_is_logged_incomplete(report_auditor: User) -> None:
    seed_ledger(orders=2)
    export = export_start(code="ledger_entries", filters=ReportFilters(), fmt="csv", actor=report_auditor)
    stream = export_csv_stream(export=export)
    header = next(stream)  # the client got the header row, then went away
    stream.close()
    export.refresh_from_db()
    assert export.status == ExportLog.Status.INCOMPLETE
    assert export.sha256 == hashlib.sha256(header).hexdigest()
    assert export.row_count == 0


def test_aud_3_stream_closed_before_the_first_byte_is_incomplete(report_auditor: User) -> None:
    export = export_start(code="ledger_entries", filters=ReportFilters(), fmt="csv", actor=report_auditor)
    export_csv_stream(export=export).close()
    export.refresh_from_db()
    assert export.status == ExportLog.Status.INCOMPLETE


def test_aud_3_csv_export_query_count_does_not_grow_with_rows(
    report_auditor: User, settings: Settings
) -> None:
    settings.REPORTS_CHUNK_SIZE = 4
    client = client_for(report_auditor)
    seed_ledger(orders=1)
    _stream(client, "/api/v1/reports/ledger_entries/export/?format=csv")  # warm the permission cache
    with CaptureQueriesContext(connection) as few:
        body_few, _ = _stream(client, "/api/v1/reports/ledger_entries/export/?format=csv")
    seed_ledger(orders=10)
    with CaptureQueriesContext(connection) as many:
        body_many, _ = _stream(client, "/api/v1/reports/ledger_entries/export/?format=csv")
    assert len(_csv(body_many)) > 3 * len(_csv(body_few))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_sec_2_phone_is_masked_for_an_auditor_without_the_personal_data_permission(
    report_auditor: User,
) -> None:
    merchant = cast(Merchant, MerchantFactory(contact_phone="13812341234", legal_representative="张三丰"))
    body, export_id = _stream(client_for(report_auditor), "/api/v1/reports/merchant_register/export/")
    rows = _csv(body)
    header, row = rows[0], next(r for r in rows[1:] if r[0] == str(merchant.pk))
    assert row[header.index("Contact phone")] == "138****1234"
    assert row[header.index("Legal representative")] == "张**"
    assert ExportLog.objects.get(pk=export_id).unmasked is False
    assert not AuditEntry.objects.filter(action="personal_data.exported").exists()


def test_sec_2_unmasked_export_for_a_permitted_auditor_is_audited(report_auditor: User) -> None:
    merchant = cast(Merchant, MerchantFactory(contact_phone="13812341234"))
    viewer = grant_personal_data(report_auditor)
    body, export_id = _stream(client_for(viewer), "/api/v1/reports/merchant_register/export/")
    rows = _csv(body)
    row = next(r for r in rows[1:] if r[0] == str(merchant.pk))
    assert row[rows[0].index("Contact phone")] == "13812341234"
    assert ExportLog.objects.get(pk=export_id).unmasked is True
    entry = AuditEntry.objects.get(action="personal_data.exported")
    assert entry.actor == viewer and "contact_phone" in (entry.after or {})["fields"]


def test_aud_3_async_export_completes_and_downloads(
    report_auditor: User, django_capture_on_commit_callbacks
) -> None:
    seed_ledger(orders=2)
    client = client_for(report_auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/api/v1/reports/ledger_entries/export/?format=xlsx&async=1")
    assert response.status_code == 202
    export_id = response.data["id"]
    status = client.get(f"/api/v1/reports/exports/{export_id}/")
    assert status.status_code == 200
    assert status.data["status"] == "done"
    assert status.data["row_count"] == LedgerEntry.objects.count()
    assert status.data["total_rows"] == LedgerEntry.objects.count()
    download = client.get(status.data["download_url"])
    assert download.status_code == 200
    body = streamed(download)
    assert body.startswith(b"PK")  # a zip: XLSX
    assert hashlib.sha256(body).hexdigest() == status.data["sha256"]
    assert AuditEntry.objects.filter(action="report.downloaded", subject_id=str(export_id)).count() == 1


def test_aud_3_xlsx_sync_export_is_logged_with_its_file_hash(report_auditor: User) -> None:
    seed_ledger(orders=1)
    response = client_for(report_auditor).get("/api/v1/reports/trial_balance/export/?format=xlsx")
    assert response.status_code == 200
    body = streamed(response)
    export = ExportLog.objects.get(pk=int(response["X-Export-Id"]))
    assert export.status == "done" and export.sha256 == hashlib.sha256(body).hexdigest()


def test_sec_1_another_users_export_is_404(report_auditor: User) -> None:
    export = export_start(code="trial_balance", filters=ReportFilters(), fmt="csv", actor=report_auditor)
    stranger = client_for(StaffFactory(password=None))
    assert stranger.get(f"/api/v1/reports/exports/{export.pk}/").status_code == 404
    assert stranger.get(f"/api/v1/reports/exports/{export.pk}/download/").status_code == 404
    # another auditor with the permission may follow it (it is masked)
    assert client_for(auditor_factory()).get(f"/api/v1/reports/exports/{export.pk}/").status_code == 200


def test_sec_2_an_unmasked_export_is_hidden_from_auditors_without_the_permission(
    report_auditor: User,
) -> None:
    viewer = grant_personal_data(report_auditor)
    export = export_start(code="merchant_register", filters=ReportFilters(), fmt="csv", actor=viewer)
    assert export.unmasked
    assert client_for(auditor_factory()).get(f"/api/v1/reports/exports/{export.pk}/").status_code == 404


def test_aud_3_bad_format_and_unknown_filter_are_400(report_auditor: User) -> None:
    client = client_for(report_auditor)
    assert client.get("/api/v1/reports/ledger_entries/export/?format=pdf").status_code == 200  # has a summary
    assert client.get("/api/v1/reports/deadline_breaches/export/?format=pdf").status_code == 400
    assert client.get("/api/v1/reports/ledger_entries/export/?format=doc").status_code == 400
    assert (
        client.get("/api/v1/reports/ledger_entries/export/?from=2026-02-01&to=2026-01-01").status_code == 400
    )
    assert client.get("/api/v1/reports/nope/export/").status_code == 404


def test_aud_3_date_filter_narrows_rows(report_auditor: User, time_machine) -> None:
    time_machine.move_to("2026-10-15 12:00:00+08:00", tick=False)
    seed_ledger(orders=1)
    time_machine.move_to("2026-11-15 12:00:00+08:00", tick=False)
    seed_ledger(orders=2)
    body, _ = _stream(
        client_for(report_auditor), "/api/v1/reports/ledger_entries/export/?from=2026-11-01&to=2026-11-30"
    )
    rows = _csv(body)[1:]
    assert len(rows) == LedgerEntry.objects.filter(transaction__created_at__month=11).count() == 10
    assert sum(Decimal(r[8]) for r in rows) == 0


def test_aud_2_admin_report_page_and_csv_download(report_auditor: User, client) -> None:
    client.force_login(report_auditor)
    page = client.get("/admin/reports/report/")
    assert page.status_code == 200
    assert b"ledger_entries" in page.content
    response = client.get("/admin/reports/report/trial_balance/export/?format=csv")
    assert response.status_code == 200
    assert streamed(response).startswith(BOM)
    assert client.get("/admin/reports/exportlog/").status_code == 200


def test_aud_2_admin_refuses_staff_without_report_permissions(client) -> None:
    client.force_login(StaffFactory(password=None))
    assert client.get("/admin/reports/report/").status_code == 403


def test_aud_3_registered_formats(report_auditor: User) -> None:
    assert "pdf" in report_get("audit_log").formats
    assert report_get("deadline_breaches").formats == ("csv", "xlsx")
