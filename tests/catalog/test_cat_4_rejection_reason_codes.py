"""CAT-2, CAT-4, issue 21 (decision 047): a listing's rejection reason is stored as a code (the review page's
list) with the reviewer's details, never as text in the reviewer's language; the merchant API, the seller
centre and the admin render the reason in their reader's language. Migration 0015 maps the texts stored
before to codes."""

import importlib

import pytest
from django.apps import apps

from catalog.models import ListingVersion
from catalog.services.listings import listing_submit
from merchants.models import Merchant
from tests.conftest import client_for
from tests.dashboard.conftest import client_as
from tests.factories.catalog import approved_listing, draft_listing, reviewer
from tests.helpers.admin_otp import otp_admin_client

pytestmark = pytest.mark.django_db

DETAILS = "主图模糊，看不清商品"
#: the reason with the details as each reader reads them
READ_AS = {
    "en": "Images unclear, missing or not of the goods: " + DETAILS,
    "zh-hans": "图片不清晰、缺失或与商品无关：" + DETAILS,
}


def test_cat_4_a_rejection_reason_is_stored_as_a_code_and_read_in_the_readers_language(
    settings, merchant: Merchant
) -> None:
    settings.STAFF_REQUIRE_OTP = True
    listing = draft_listing(merchant=merchant)
    listing_submit(listing=listing, actor=merchant.owner)
    version = ListingVersion.objects.get(listing=listing)
    staff = otp_admin_client(reviewer())
    page = f"/admin/catalog/listingreview/{version.pk}/change/"
    decision = {"_reject": "1", "reject-reason": "images", "reject-detail": DETAILS}
    assert staff.post(page, decision, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 302
    version.refresh_from_db()
    assert (version.status, version.reject_reason, version.review_note) == ("rejected", "images", DETAILS)

    api, seller_centre = client_for(merchant.owner), client_as(merchant.owner)
    for language, read_as in READ_AS.items():
        body = api.get(f"/api/v1/merchant/listings/{listing.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()
        latest = body["latest_version"]
        assert (latest["status"], latest["reject_reason"], latest["review_note"]) == (
            "rejected",
            "images",
            DETAILS,
        )
        assert read_as.startswith(latest["reject_reason_label"]), language
        html = seller_centre.get(f"/merchant/listings/{listing.pk}/", HTTP_ACCEPT_LANGUAGE=language)
        assert read_as in html.content.decode(), language
        closed = staff.get(page, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert read_as in closed, language


def test_cat_4_migration_maps_stored_rejection_texts_to_codes(merchant: Merchant) -> None:
    migration = importlib.import_module("catalog.migrations.0015_listing_version_reject_reason")
    stored = {
        "描述与商品或图片不符：容量与图片不符": ("not_as_described", "容量与图片不符"),
        "类目选择错误": ("category", ""),
        "Wrong category: belongs in kitchenware": ("category", "belongs in kitchenware"),
        "其他（请在下方说明）：标题与实物不符": ("other", "标题与实物不符"),
        "标题不实，与实物不符": ("other", "标题不实，与实物不符"),  # the queue's free text
    }
    versions = {}
    for text in stored:
        version = ListingVersion.objects.get(listing=draft_listing(merchant=merchant))
        ListingVersion.objects.filter(pk=version.pk).update(status="rejected", review_note=text)
        versions[text] = version
    approved = approved_listing(merchant=merchant).live_version
    assert approved is not None
    ListingVersion.objects.filter(pk=approved.pk).update(review_note="信息完整")

    migration.texts_to_codes(apps, None)
    for text, expected in stored.items():
        versions[text].refresh_from_db()
        assert (versions[text].reject_reason, versions[text].review_note) == expected, text
    approved.refresh_from_db()
    assert (approved.reject_reason, approved.review_note) == ("", "信息完整")  # an approval's note stays

    migration.codes_to_texts(apps, None)  # and back, in the catalogue's Chinese
    versions["Wrong category: belongs in kitchenware"].refresh_from_db()
    assert (
        versions["Wrong category: belongs in kitchenware"].review_note
        == "类目选择错误：belongs in kitchenware"
    )
