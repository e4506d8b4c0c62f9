"""CAT-7: IP notice-and-takedown with counter-notice (ECL Art. 42-45)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import IpNotice, Listing
from catalog.selectors import listing_list_for_customer
from catalog.services.ip_notices import ip_notice_dismiss, ip_notice_validate
from merchants.models import Merchant, Violation
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from platform_core.deadlines.services import deadlines_sweep
from platform_core.notifications.models import Notification
from tests.conftest import assert_max_queries, client_for
from tests.factories.accounts import UserFactory
from tests.factories.catalog import approved_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(db: None) -> User:
    return UserFactory()


def file_notice(client: APIClient, listing: Listing) -> int:
    response = client.post(
        "/api/v1/ip-notices/",
        {
            "listing": listing.pk,
            "right_kind": "trademark",
            "right_reference": "第12345678号",
            "description": "擅自使用注册商标",
            "proof": ["files/tm-cert.pdf"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def counter(merchant: Merchant, notice_id: int) -> None:
    response = client_for(merchant.owner).post(
        f"/api/v1/merchant/ip-notices/{notice_id}/counter-notice/",
        {"statement": "我方为授权经销商", "proof": ["files/licence.pdf"]},
        format="json",
    )
    assert response.status_code == 200, response.content


def test_cat_7_counter_notice_restores_after_15_days(
    merchant: Merchant,
    holder: User,
    staff_reviewer: User,
    time_machine,
) -> None:
    time_machine.move_to(timezone.now())
    listing = approved_listing(merchant=merchant)
    notice_id = file_notice(client_for(holder), listing)
    assert listing_list_for_customer().filter(pk=listing.pk).exists()  # filing alone takes nothing down

    ip_notice_validate(notice=IpNotice.objects.get(pk=notice_id), actor=staff_reviewer, note="权利证明齐全")
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DELISTED and listing.delist_source == "ip_notice"
    assert Notification.objects.filter(recipient=merchant.owner, event="ip_notice_forwarded").exists()

    counter(merchant, notice_id)
    assert Notification.objects.filter(recipient=holder, event="ip_counter_notice_forwarded").exists()
    time_machine.shift(timedelta(days=15) - timedelta(minutes=1))
    deadlines_sweep()
    assert not listing_list_for_customer().filter(pk=listing.pk).exists()

    time_machine.shift(timedelta(minutes=2))
    deadlines_sweep()  # no human action
    listing.refresh_from_db()
    assert listing.status == Listing.Status.APPROVED and listing.on_sale
    assert listing_list_for_customer().filter(pk=listing.pk).exists()
    assert IpNotice.objects.get(pk=notice_id).status == IpNotice.Status.RESTORED
    assert (
        AuditEntry.objects.filter(action="listing.restored", subject_id=str(listing.pk), actor=None).count()
        == 1
    )
    deadlines_sweep()
    assert AuditEntry.objects.filter(action="listing.restored", subject_id=str(listing.pk)).count() == 1


def test_cat_7_rights_holder_lawsuit_keeps_listing_down(
    merchant: Merchant,
    holder: User,
    staff_reviewer: User,
    time_machine,
) -> None:
    time_machine.move_to(timezone.now())
    listing = approved_listing(merchant=merchant)
    notice_id = file_notice(client_for(holder), listing)
    ip_notice_validate(notice=IpNotice.objects.get(pk=notice_id), actor=staff_reviewer)
    counter(merchant, notice_id)
    time_machine.shift(timedelta(days=10))
    response = client_for(holder).post(
        f"/api/v1/ip-notices/{notice_id}/action-proof/", {"proof": ["files/court-receipt.pdf"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "upheld"
    time_machine.shift(timedelta(days=10))
    deadlines_sweep()
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DELISTED


def test_cat_7_vio_1_upheld_takedown_records_an_ip_infringement_violation(
    merchant: Merchant, holder: User, staff_reviewer: User
) -> None:
    """Issue 21: a takedown upheld (the rights holder showed a complaint or lawsuit) records the merchant's
    ``ip_infringement`` violation by rule, once; a takedown still contested records none."""
    listing = approved_listing(merchant=merchant)
    notice_id = file_notice(client_for(holder), listing)
    ip_notice_validate(notice=IpNotice.objects.get(pk=notice_id), actor=staff_reviewer)
    counter(merchant, notice_id)
    assert not Violation.objects.filter(merchant=merchant).exists()  # contested: nothing established yet
    response = client_for(holder).post(
        f"/api/v1/ip-notices/{notice_id}/action-proof/", {"proof": ["files/court-receipt.pdf"]}, format="json"
    )
    assert response.status_code == 200, response.content
    violation = Violation.objects.get(merchant=merchant)
    assert (violation.kind, violation.source, violation.points) == ("ip_infringement", "system", 12)
    assert violation.evidence["ip_notice"] == notice_id and violation.evidence["listing"] == listing.pk
    entry = AuditEntry.objects.get(action="merchant.violation_recorded", subject_id=str(merchant.pk))
    assert entry.after is not None and entry.after["kind"] == "ip_infringement" and entry.actor is None
    again = client_for(holder).post(
        f"/api/v1/ip-notices/{notice_id}/action-proof/", {"proof": ["files/court-receipt.pdf"]}, format="json"
    )
    assert again.status_code == 409 and Violation.objects.filter(merchant=merchant).count() == 1


def test_cat_7_only_parties_act_on_a_notice(merchant: Merchant, holder: User, staff_reviewer: User) -> None:
    listing = approved_listing(merchant=merchant)
    notice_id = file_notice(client_for(holder), listing)
    ip_notice_validate(notice=IpNotice.objects.get(pk=notice_id), actor=staff_reviewer)
    stranger = UserFactory()
    assert (
        client_for(stranger)
        .post(f"/api/v1/ip-notices/{notice_id}/action-proof/", {"proof": ["x"]}, format="json")
        .status_code
        == 404
    )
    from tests.factories.catalog import merchant_for

    other_shop = merchant_for(listing.category)
    response = client_for(other_shop.owner).post(
        f"/api/v1/merchant/ip-notices/{notice_id}/counter-notice/",
        {"statement": "x", "proof": ["y"]},
        format="json",
    )
    assert response.status_code == 404
    assert client_for(holder).get("/api/v1/ip-notices/").json()["count"] == 1
    assert client_for(stranger).get("/api/v1/ip-notices/").json()["count"] == 0


def test_cat_7_false_notice_recorded_against_notifier(
    merchant: Merchant, holder: User, staff_reviewer: User
) -> None:
    listing = approved_listing(merchant=merchant)
    notice_id = file_notice(client_for(holder), listing)
    notice = ip_notice_dismiss(
        notice=IpNotice.objects.get(pk=notice_id), actor=staff_reviewer, note="伪造证书", false_notice=True
    )
    assert notice.is_false_notice and notice.status == IpNotice.Status.DISMISSED
    listing.refresh_from_db()
    assert listing.on_sale


def test_cat_7_notices_and_outcomes_published_with_rights_holder_masked(
    merchant: Merchant, staff_reviewer: User, api_client: APIClient, time_machine
) -> None:
    time_machine.move_to(timezone.now())
    holder = UserFactory(name="王小明")
    restored_listing = approved_listing(merchant=merchant, title="紫砂茶壶")
    upheld_listing = approved_listing(merchant=merchant, title="仿冒运动鞋")
    pending_listing = approved_listing(merchant=merchant, title="保温杯")
    holder_client = client_for(holder)
    restored = file_notice(holder_client, restored_listing)
    upheld = file_notice(holder_client, upheld_listing)
    taken_down = file_notice(holder_client, pending_listing)
    dismissed = file_notice(holder_client, pending_listing)
    file_notice(holder_client, pending_listing)  # filed, not validated yet: not published
    for notice_id in (restored, upheld, taken_down):
        ip_notice_validate(notice=IpNotice.objects.get(pk=notice_id), actor=staff_reviewer)
    ip_notice_dismiss(notice=IpNotice.objects.get(pk=dismissed), actor=staff_reviewer, note="证据不足")
    counter(merchant, restored)
    counter(merchant, upheld)
    holder_client.post(f"/api/v1/ip-notices/{upheld}/action-proof/", {"proof": ["f.pdf"]}, format="json")
    time_machine.shift(timedelta(days=15, minutes=1))
    deadlines_sweep()

    with assert_max_queries(3):
        response = api_client.get("/api/v1/ip-notices/published/")
    assert response.status_code == 200, response.content
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {restored, upheld, taken_down}
    assert {n: rows[n]["outcome"] for n in rows} == {
        restored: "restored_after_counter_notice",
        upheld: "upheld",
        taken_down: "taken_down",
    }
    row = rows[restored]
    assert (row["listing_title"], row["shop"], row["right_kind"]) == (
        "紫砂茶壶",
        {"id": merchant.pk, "name": merchant.name},
        "trademark",
    )
    assert row["taken_down_at"] and row["counter_notice_forwarded_at"] and row["resolved_at"]
    assert row["rights_holder"] == "王**"
    body = response.content.decode()
    assert "王小明" not in body and str(holder.email) not in body and "tm-cert" not in body
