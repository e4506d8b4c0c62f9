"""CAT-3: pre-screening before human review."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from catalog.models import BannedTerm, Category, Listing, ListingVersion
from catalog.prescreen import highlight
from catalog.selectors import listing_prescreen, review_queue
from catalog.services.listings import listing_submit, listing_update
from merchants.models import Merchant
from platform_core.errors import InvalidInput
from tests.conftest import client_for
from tests.factories.catalog import BannedTermFactory, CategoryFactory, draft_listing, merchant_for

pytestmark = pytest.mark.django_db


def live(listing: Listing) -> ListingVersion:
    """The approved text of ``listing`` (the one customers see)."""
    version = listing.live_version
    assert version is not None
    return version


def test_cat_3_seeded_terms_include_advertising_law_absolutes_and_hard_bans() -> None:
    soft = set(BannedTerm.objects.filter(severity="soft").values_list("phrase", flat=True))
    hard = set(BannedTerm.objects.filter(severity="hard").values_list("phrase", flat=True))
    assert {"国家级", "最高级", "最佳", "第一", "100%有效", "顶级", "绝对", "万能"} <= soft
    assert {"枪支", "毒品"} <= hard


def test_cat_3_hard_banned_phrase_blocks_submission(merchant: Merchant) -> None:
    listing = draft_listing(merchant=merchant, description="本店出售仿真枪支配件")
    with pytest.raises(InvalidInput) as err:
        listing_submit(listing=listing, actor=merchant.owner)
    assert err.value.code == "prescreen_blocked"
    assert "枪支" in err.value.message and "description" in err.value.message
    assert "枪支" in err.value.errors["description"][0]
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DRAFT


def test_cat_3_hard_term_in_image_alt_blocks_submission(merchant: Merchant) -> None:
    listing = draft_listing(merchant=merchant, images=[{"url": "https://x/1.jpg", "alt": "毒品样品图"}])
    with pytest.raises(InvalidInput) as err:
        listing_submit(listing=listing, actor=merchant.owner)
    assert "images[0].alt" in err.value.errors


def test_cat_3_soft_findings_go_to_reviewer_with_position(merchant: Merchant) -> None:
    listing = draft_listing(merchant=merchant, title="国家级最佳保温杯", description="保温效果第一")
    listing_submit(listing=listing, actor=merchant.owner)
    version = review_queue().get(listing=listing)
    found = {(f["phrase"], f["field"], f["position"]) for f in version.findings}
    assert {("国家级", "title", 0), ("最佳", "title", 3), ("第一", "description", 4)} <= found
    html = highlight(version.title, version.findings, "title")
    assert html == "<mark>国家级</mark><mark>最佳</mark>保温杯"


def test_cat_3_staff_maintained_terms_apply_immediately(merchant: Merchant) -> None:
    BannedTermFactory(phrase="减肥神药", severity=BannedTerm.Severity.HARD)
    listing = draft_listing(merchant=merchant, title="减肥神药 三天见效")
    with pytest.raises(InvalidInput, match="减肥神药"):
        listing_submit(listing=listing, actor=merchant.owner)
    BannedTerm.objects.filter(phrase="减肥神药").update(is_active=False)
    assert listing_submit(listing=listing, actor=merchant.owner).status == Listing.Status.PENDING_REVIEW


def test_cat_3_hard_term_in_edit_of_approved_listing_is_refused(merchant: Merchant) -> None:
    from tests.factories.catalog import approved_listing

    listing = approved_listing(merchant=merchant)
    with pytest.raises(InvalidInput, match="毒品"):
        listing_update(listing=listing, actor=merchant.owner, title="毒品检测试纸")
    listing.refresh_from_db()
    assert listing.status == Listing.Status.APPROVED and live(listing).title == "不锈钢保温杯 500ml"


def test_cat_3_required_fields_per_category(db: None) -> None:
    fashion = CategoryFactory(required_listing_fields=["images"])
    merchant = merchant_for(fashion)
    listing = draft_listing(merchant=merchant, category=fashion, images=[])
    with pytest.raises(InvalidInput) as err:
        listing_submit(listing=listing, actor=merchant.owner)
    assert "images" in err.value.errors
    findings = listing_prescreen(title="", description="x", category=fashion)
    assert {(f.field, f.severity) for f in findings} >= {("title", "missing"), ("images", "missing")}


def test_cat_3_absurd_price_flagged(category: Category) -> None:
    findings = listing_prescreen(title="t", description="d", prices=[Decimal("0.01"), Decimal("9999999.00")])
    assert [(f.field, f.severity) for f in findings] == [("price", "price"), ("price", "price")]
    assert not [f for f in findings if f.blocks]


def test_cat_3_merchant_prescreens_draft_text_live(merchant: Merchant, api_client: APIClient) -> None:
    url = "/api/v1/merchant/listings/prescreen/"
    assert api_client.post(url, {"title": "x"}, format="json").status_code in (401, 403)
    response = client_for(merchant.owner).post(
        url, {"title": "最佳枪支", "description": "好", "image_alts": ["顶级"]}, format="json"
    )
    assert response.status_code == 200, response.content
    rows = {(f["phrase"], f["field"], f["severity"]) for f in response.json()}
    assert {("枪支", "title", "hard"), ("最佳", "title", "soft"), ("顶级", "images[0].alt", "soft")} <= rows
