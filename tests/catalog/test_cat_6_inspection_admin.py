"""CAT-6 through the admin (issue 21): an inspector signed in with the second factor creates a sampling
batch (size, category, risk weighting), records a failure with findings and an evidence file, and the
listing comes off sale with a violation recorded; staff without ``catalog.inspect_listing`` get 403."""

from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Inspection, InspectionBatch, Listing
from merchants.models import Violation
from platform_core.accounts.roles import Role
from platform_core.audit.models import AuditEntry
from tests.factories.accounts import StaffFactory
from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for
from tests.helpers.admin_otp import otp_admin_client as admin_signed_in

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CREATE = "/admin/catalog/inspection/create-batch/"


@pytest.fixture(autouse=True)
def _second_factor(settings) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production


def _success(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "success"]


def test_cat_6_staff_create_batch_and_record_failure_in_admin(category) -> None:
    inspector = StaffFactory.create(role=Role.STAFF_OPERATIONS)
    merchant = merchant_for(category)
    in_scope = [approved_listing(merchant=merchant) for _ in range(2)]
    other_category = CategoryFactory()
    approved_listing(merchant=merchant_for(other_category))
    client = admin_signed_in(inspector)

    page = client.get(CREATE, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "创建抽检批次" in page.content.decode()  # the form speaks Chinese

    refused = client.post(CREATE, {"size": "0", "category": category.pk, "risk_weighted": "on"})
    assert refused.status_code == 200 and not InspectionBatch.objects.exists()

    created = client.post(
        CREATE, {"size": "5", "category": category.pk, "risk_weighted": "on", "note": "月度抽检"}, follow=True
    )
    assert created.status_code == 200 and _success(created)
    batch = InspectionBatch.objects.get()
    assert sorted(batch.inspections.values_list("listing_id", flat=True)) == sorted(x.pk for x in in_scope)
    entry = AuditEntry.objects.get(action="inspection_batch.created", subject_id=str(batch.pk))
    assert entry.actor == inspector and entry.after is not None
    assert entry.after["category"] == category.pk and entry.after["risk_weighted"] is True

    inspection = batch.inspections.order_by("pk").first()
    assert inspection is not None
    listing = inspection.listing
    queue = client.get("/admin/catalog/inspection/?state=open").content.decode()
    assert f"/admin/catalog/inspection/{inspection.pk}/record/" in queue

    record = f"/admin/catalog/inspection/{inspection.pk}/record/"
    no_findings = client.post(record, {"result": "fail", "findings": ""})
    assert no_findings.status_code == 200 and Inspection.objects.get(pk=inspection.pk).result == ""

    evidence = SimpleUploadedFile("report.png", PNG, content_type="image/png")
    failed = client.post(
        record, {"result": "fail", "findings": "材质与描述不符", "evidence": evidence}, follow=True
    )
    assert failed.status_code == 200 and _success(failed)
    inspection.refresh_from_db()
    assert (inspection.result, inspection.inspector) == ("fail", inspector)
    assert inspection.evidence["findings"] == "材质与描述不符"
    assert inspection.evidence["file"]["content_type"] == "image/png"
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DELISTED and listing.delist_source == "inspection"
    violation = Violation.objects.get(merchant=merchant)
    assert (violation.kind, violation.source, violation.created_by) == (
        "failed_inspection",
        "inspection",
        inspector,
    )
    assert AuditEntry.objects.filter(
        action="inspection.recorded", subject_id=str(inspection.pk), actor=inspector
    ).exists()
    assert AuditEntry.objects.filter(action="merchant.violation_recorded", actor=inspector).exists()

    download = client.get(f"/admin/catalog/inspection/{inspection.pk}/evidence/")
    assert download.status_code == 200 and b"".join(cast(Any, download).streaming_content) == PNG
    again = client.post(record, {"result": "pass"})
    assert again.status_code == 200 and Inspection.objects.get(pk=inspection.pk).result == "fail"


def test_cat_6_staff_without_the_inspection_right_get_403_in_admin(category) -> None:
    listing = approved_listing(merchant=merchant_for(category))
    inspection = Inspection.objects.create(batch=InspectionBatch.objects.create(size=1), listing=listing)
    finance = admin_signed_in(StaffFactory(role=Role.STAFF_FINANCE))
    assert finance.get(CREATE).status_code == 403
    assert finance.post(CREATE, {"size": "3"}).status_code == 403
    assert (
        finance.post(f"/admin/catalog/inspection/{inspection.pk}/record/", {"result": "fail"}).status_code
        == 403
    )
    assert InspectionBatch.objects.count() == 1
    assert Inspection.objects.get(pk=inspection.pk).result == ""
    assert not AuditEntry.objects.filter(action__startswith="inspection").exists()
