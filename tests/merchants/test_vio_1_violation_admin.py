"""VIO-1 through the admin (issue 21): compliance, signed in with the second factor, records a violation by
hand — type, reason, evidence file; the points come from the policy — and the merchant is told; staff
without ``merchants.add_violation`` get 403."""

from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from merchants.models import Violation
from platform_core.accounts.roles import Role
from platform_core.audit.models import AuditEntry
from platform_core.notifications.models import Notification
from tests.factories.accounts import StaffFactory
from tests.factories.merchants import MerchantFactory
from tests.helpers.admin_otp import otp_admin_client as admin_signed_in

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ADD = "/admin/merchants/violation/add/"


@pytest.fixture(autouse=True)
def _second_factor(settings) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production


def _form(merchant, **extra):
    return {
        "merchant": merchant.pk,
        "kind": "prohibited_item",
        "reason": "店内销售管制刀具",
        "evidence": SimpleUploadedFile("shot.png", PNG, content_type="image/png"),
        **extra,
    }


def test_vio_1_compliance_records_a_violation_with_evidence_in_admin() -> None:
    officer = StaffFactory.create(role=Role.STAFF_COMPLIANCE)
    merchant = MerchantFactory.create()
    client = admin_signed_in(officer)

    page = client.get(f"{ADD}?merchant={merchant.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    text = page.content.decode()
    assert "违禁商品 — 12 分" in text  # the type in Chinese, with its points from the policy

    no_evidence = client.post(ADD, {**_form(merchant), "evidence": ""})
    assert no_evidence.status_code == 200 and not Violation.objects.exists()
    not_by_hand = client.post(ADD, _form(merchant, kind="late_shipment"))
    assert not_by_hand.status_code == 200 and not Violation.objects.exists()

    response = client.post(ADD, _form(merchant))
    assert response.status_code == 302, response.content.decode()[:2000]
    violation = Violation.objects.get(merchant=merchant)
    assert (violation.kind, violation.points, violation.track) == ("prohibited_item", 12, "serious")
    assert (violation.source, violation.created_by) == ("staff", officer)
    assert violation.evidence["reason"] == "店内销售管制刀具"
    assert violation.evidence["file"]["content_type"] == "image/png"
    entry = AuditEntry.objects.get(action="merchant.violation_recorded", subject_id=str(merchant.pk))
    assert entry.actor == officer and entry.reason == "店内销售管制刀具"
    assert entry.after is not None and entry.after["source"] == "staff"
    assert Notification.objects.filter(recipient=merchant.owner, event="merchant_violation_recorded").exists()

    change = client.get(f"/admin/merchants/violation/{violation.pk}/change/")
    assert f"/admin/merchants/violation/{violation.pk}/evidence/" in change.content.decode()
    download = client.get(f"/admin/merchants/violation/{violation.pk}/evidence/")
    assert download.status_code == 200 and b"".join(cast(Any, download).streaming_content) == PNG


def test_vio_1_staff_without_the_right_cannot_record_a_violation_in_admin() -> None:
    merchant = MerchantFactory.create()
    operations = admin_signed_in(StaffFactory(role=Role.STAFF_OPERATIONS))
    assert operations.get(ADD).status_code == 403
    assert operations.post(ADD, _form(merchant)).status_code == 403
    assert not Violation.objects.exists()
    assert not AuditEntry.objects.filter(action="merchant.violation_recorded").exists()
