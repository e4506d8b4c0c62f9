"""Change reports in the dashboard (MER-6a): a replaced document starts the 3-working-day duty shown as a
countdown; the owner reports the changed details, staff's 7-working-day clock starts; the refusals."""

from datetime import date

import pytest
from django.test import Client

from merchants.clocks import RULE_CHANGE_VERIFY
from merchants.models import Merchant, MerchantChange, MerchantMember
from platform_core.audit.models import AuditEntry
from platform_core.deadlines.models import Deadline
from tests.dashboard.conftest import client_as, member_of
from tests.factories.merchants import pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform_default_language")]

Role = MerchantMember.Role


def _upload(client: Client) -> object:
    return client.post(
        "/merchant/changes/documents/",
        {
            "kind": "business_licence",
            "number": "91310000MA1NEW0001",
            "issuer": "上海市市场监督管理局",
            "valid_from": date(2026, 12, 1).isoformat(),
            "file": pdf_upload(),
        },
    )


def test_mer_6a_a_replaced_document_starts_the_3_working_day_duty(
    owner_client: Client, shop: Merchant
) -> None:
    assert owner_client.get("/merchant/changes/").context["duty"] is None
    response = _upload(owner_client)
    assert response.status_code == 302  # type: ignore[attr-defined]
    page = owner_client.get("/merchant/changes/")
    duty, cd = page.context["duty"], page.context["duty_countdown"]
    assert duty["document"].number == "91310000MA1NEW0001"
    assert duty["due_at"].date() > duty["document"].uploaded_at.date() and not cd["overdue"]
    assert 'data-testid="change-duty"' in page.content.decode() and "3 个工作日" in page.content.decode()


def test_mer_6a_owner_reports_a_change_and_staffs_clock_starts(owner_client: Client, shop: Merchant) -> None:
    _upload(owner_client)
    response = owner_client.post(
        "/merchant/changes/report/", {"legal_name": "上海新名称贸易有限公司", "registered_address": ""}
    )
    assert response.status_code == 302
    change = MerchantChange.objects.get(merchant=shop)
    assert change.changes == {"legal_name": "上海新名称贸易有限公司"} and change.reported_by == shop.owner
    assert Deadline.objects.filter(
        rule=RULE_CHANGE_VERIFY, subject_id=str(change.pk), status=Deadline.Status.PENDING
    ).exists()
    assert AuditEntry.objects.filter(action="merchant.change_reported", actor=shop.owner).exists()
    page = owner_client.get("/merchant/changes/")
    assert page.context["duty"] is None  # reported: nothing owed any more
    ((row, cd),) = page.context["rows"]
    assert row.pk == change.pk and cd is not None  # staff's verification clock
    assert "上海新名称贸易有限公司" in page.content.decode()


def test_mer_6a_an_empty_report_is_refused(owner_client: Client) -> None:
    response = owner_client.post("/merchant/changes/report/", {"legal_name": " "})
    assert response.status_code == 400 and not MerchantChange.objects.exists()


def test_mer_6a_only_the_owner_reports(shop: Merchant) -> None:
    operations = client_as(member_of(shop, Role.OPERATIONS))
    assert operations.get("/merchant/changes/").status_code == 200
    assert operations.post("/merchant/changes/report/", {"legal_name": "x"}).status_code == 403
    assert _upload(operations).status_code == 403  # type: ignore[attr-defined]
    assert not MerchantChange.objects.exists()
