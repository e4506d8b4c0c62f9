"""CAT-2, CAT-3, CAT-4 in the admin: the review queue (oldest first, time left, diff, highlights),
approving from the queue, bulk takedown with a reason."""

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Listing
from catalog.services.listings import listing_submit, listing_update
from merchants.models import Merchant
from tests.factories.accounts import UserFactory
from tests.factories.catalog import approved_listing, draft_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_cat_4_review_queue_shows_time_left_and_highlights(merchant: Merchant, admin_client: Client) -> None:
    listing = draft_listing(merchant=merchant, title="最佳保温杯")
    listing_submit(listing=listing, actor=merchant.owner)
    response = admin_client.get(reverse("admin:catalog_listingreview_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>最佳</mark>保温杯" in html
    assert "23 h 59 min left" in html or "1 d 0 h left" in html


def test_cat_2_review_detail_shows_diff_of_changed_fields(merchant: Merchant, admin_client: Client) -> None:
    listing = approved_listing(merchant=merchant)
    listing_update(listing=listing, actor=merchant.owner, title="顶级保温杯")
    listing.refresh_from_db()
    assert listing.candidate_version is not None
    url = reverse("admin:catalog_listingreview_change", args=[listing.candidate_version.pk])
    html = admin_client.get(url).content.decode()
    assert "不锈钢保温杯 500ml" in html and "<mark>顶级</mark>保温杯" in html


def test_cat_2_approve_from_queue(merchant: Merchant, admin_client: Client) -> None:
    listing = draft_listing(merchant=merchant)
    listing_submit(listing=listing, actor=merchant.owner)
    listing.refresh_from_db()
    assert listing.candidate_version is not None
    admin_client.post(
        reverse("admin:catalog_listingreview_changelist"),
        {"action": "approve_selected", "_selected_action": [listing.candidate_version.pk], "reason": "ok"},
    )
    listing.refresh_from_db()
    assert listing.status == Listing.Status.APPROVED


def test_cat_2_bulk_takedown_with_reason(merchant: Merchant, admin_client: Client) -> None:
    listings = [approved_listing(merchant=merchant) for _ in range(2)]
    admin_client.post(
        reverse("admin:catalog_listing_changelist"),
        {"action": "bulk_takedown", "_selected_action": [x.pk for x in listings], "reason": "批量下架：假冒"},
    )
    statuses = set(
        Listing.objects.filter(pk__in=[x.pk for x in listings]).values_list("status", "delist_reason")
    )
    assert statuses == {("delisted", "批量下架：假冒")}
