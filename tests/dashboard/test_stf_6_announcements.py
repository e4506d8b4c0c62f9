"""STF-6, MER-4 (issue 21): announcements published in the admin (by holders of the publishing permission
only, signed in with the second factor, audited) are shown to customers through the API and to merchants
in the seller centre: a banner for a new one, a list page; a new agreement version gets a banner too and
is read and accepted on the agreement page."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from merchants.models import AgreementAcceptance, Merchant
from platform_core.accounts.roles import Role
from platform_core.audit.models import AuditEntry
from staff.models import Announcement
from tests.factories.accounts import StaffFactory
from tests.factories.merchants import PlatformAgreementFactory
from tests.helpers.admin_otp import otp_admin_client, with_permissions

pytestmark = pytest.mark.django_db

PUBLISH = {"title": "双十二活动规则", "body": "活动期间发货时限不变。"}


@pytest.fixture(autouse=True)
def _otp(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production


def publish_in_admin() -> Announcement:
    publisher = with_permissions(
        StaffFactory.create(role=Role.STAFF_OPERATIONS),
        "staff.publish_announcement",
        "staff.view_announcement",
    )
    response = otp_admin_client(publisher).post("/admin/staff/announcement/add/", PUBLISH)
    assert response.status_code == 302, response.content.decode()[:2000]
    announcement = Announcement.objects.get(title=PUBLISH["title"])
    assert AuditEntry.objects.filter(action="staff.announcement_published", actor=publisher).count() == 1
    return announcement


def test_stf_6_published_announcement_is_listed_for_customers_by_the_api() -> None:
    announcement = publish_in_admin()
    Announcement.objects.create(
        title="尚未发布",
        body="x",
        published_by=announcement.published_by,
        published_at=timezone.now() + timedelta(days=1),
    )
    response = APIClient().get("/api/v1/announcements/")  # customers need no account to read them
    assert response.status_code == 200
    body = response.json()
    assert [a["title"] for a in body["results"]] == [PUBLISH["title"]]
    assert body["results"][0]["body"] == PUBLISH["body"] and body["count"] == 1


def test_stf_6_only_publishers_publish() -> None:
    outsider = with_permissions(StaffFactory.create(role=Role.STAFF_OPERATIONS), "staff.view_announcement")
    response = otp_admin_client(outsider).post("/admin/staff/announcement/add/", PUBLISH)
    assert response.status_code == 403
    assert not Announcement.objects.exists()
    assert APIClient().get("/api/v1/announcements/").json()["count"] == 0


def test_stf_6_seller_centre_banner_until_the_list_is_read(owner_client: Client) -> None:
    assert 'data-testid="banner-announcement"' not in owner_client.get("/merchant/").content.decode()
    publish_in_admin()
    home = owner_client.get("/merchant/").content.decode()
    assert 'data-testid="banner-announcement"' in home and PUBLISH["title"] in home
    listing = owner_client.get("/merchant/announcements/").content.decode()
    assert PUBLISH["body"] in listing and 'href="/merchant/agreement/"' in listing
    assert 'data-testid="banner-announcement"' not in owner_client.get("/merchant/").content.decode()


def test_stf_6_announcements_page_refuses_visitors_without_a_shop() -> None:
    publish_in_admin()
    response = Client().get("/merchant/announcements/")
    assert response.status_code == 302 and "/merchant/login" in response["Location"]


def test_stf_6_mer_4_new_agreement_version_banner_read_and_accept(
    shop: Merchant, owner_client: Client
) -> None:
    now = timezone.now()
    current = PlatformAgreementFactory.create(version="2026.1")
    AgreementAcceptance.objects.create(agreement=current, merchant=shop, user=shop.owner, accepted_at=now)
    assert 'data-testid="banner-agreement"' not in owner_client.get("/merchant/").content.decode()
    upcoming = PlatformAgreementFactory.create(
        version="2026.2",
        body="新版售后条款。",
        published_at=now - timedelta(days=1),
        effective_at=now + timedelta(days=6),
    )
    home = owner_client.get("/merchant/").content.decode()
    assert 'data-testid="banner-agreement"' in home and 'href="/merchant/agreement/"' in home
    page = owner_client.get("/merchant/agreement/").content.decode()
    assert "新版售后条款。" in page and 'value="2026.2"' in page

    assert owner_client.post("/merchant/agreement/", {"version": "2026.2"}).status_code == 302
    assert AgreementAcceptance.objects.filter(agreement=upcoming, merchant=shop).exists()
    assert AuditEntry.objects.filter(action="merchant.agreement_accepted", actor=shop.owner).count() == 1
    assert 'data-testid="banner-agreement"' not in owner_client.get("/merchant/").content.decode()
