"""CAT-1, CAT-2, CAT-5 through the merchant API; SEC-1 scoping (another merchant's listing is 404)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Category, Listing, Sku
from catalog.services.listings import listing_submit
from catalog.services.review import (
    listing_approve,
    listing_delist,
    listing_restore,
    listings_suspend_for_document,
)
from merchants.models import Merchant, MerchantMember, QualificationDocument
from merchants.services.documents import document_expired_handlers
from platform_core.accounts.roles import Role
from platform_core.errors import Conflict
from tests.conftest import client_for
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.catalog import CategoryFactory, approved_listing, draft_listing, merchant_for, reviewer
from tests.factories.merchants import QualificationDocumentFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/merchant/listings/"


@pytest.fixture
def owner_client(merchant: Merchant) -> APIClient:
    return client_for(merchant.owner)


def test_cat_1_merchant_creates_edits_submits_via_api(
    merchant: Merchant, category: Category, owner_client: APIClient
) -> None:
    response = owner_client.post(
        BASE,
        {
            "category": category.slug,
            "title": "手工陶瓷马克杯",
            "description": "景德镇手工拉坯",
            "images": [{"url": "https://img.example.com/m.jpg", "alt": "马克杯"}],
            "skus": [{"code": "WHITE", "price": "68.00", "stock": 20, "attributes": {"颜色": "白"}}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["candidate_version"]["title"] == "手工陶瓷马克杯"
    listing_id = body["id"]
    response = owner_client.patch(f"{BASE}{listing_id}/", {"title": "手工陶瓷马克杯 350ml"}, format="json")
    assert response.status_code == 200 and response.json()["candidate_version"]["number"] == 1
    response = owner_client.post(f"{BASE}{listing_id}/submit/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending_review"
    assert owner_client.get(BASE).json()["count"] == 1


def test_cat_3_api_submission_names_banned_phrase(
    merchant: Merchant, category: Category, owner_client: APIClient
) -> None:
    response = owner_client.post(
        BASE,
        {
            "category": category.slug,
            "title": "毒品检测",
            "description": "x",
            "skus": [{"code": "A", "price": "1.00"}],
        },
        format="json",
    )
    listing_id = response.json()["id"]
    response = owner_client.post(f"{BASE}{listing_id}/submit/")
    assert response.status_code == 400
    assert response.json()["code"] == "prescreen_blocked" and "毒品" in response.json()["detail"]


def test_sec_1_other_merchants_listing_is_not_found(merchant: Merchant, owner_client: APIClient) -> None:
    theirs = approved_listing(merchant=merchant_for(CategoryFactory()))
    assert owner_client.get(f"{BASE}{theirs.pk}/").status_code == 404
    assert owner_client.patch(f"{BASE}{theirs.pk}/", {"title": "x"}, format="json").status_code == 404
    assert owner_client.post(f"{BASE}{theirs.pk}/delist/").status_code == 404
    sku = theirs.skus.get()
    assert (
        owner_client.patch(f"/api/v1/merchant/skus/{sku.pk}/", {"stock": 0}, format="json").status_code == 404
    )
    response = owner_client.post(f"{BASE}stock/", {"items": [{"sku_id": sku.pk, "stock": 0}]}, format="json")
    assert response.status_code == 404
    sku.refresh_from_db()
    assert sku.stock == 10


def test_sec_1_non_members_and_service_staff_cannot_manage_listings(merchant: Merchant) -> None:
    assert client_for(UserFactory()).get(BASE).status_code == 403
    agent = UserFactory.create()
    MerchantMember.objects.create(merchant=merchant, user=agent, role=MerchantMember.Role.CUSTOMER_SERVICE)
    assert client_for(agent).get(BASE).status_code == 200  # may read
    assert client_for(agent).post(BASE, {}, format="json").status_code == 403  # may not write


def test_cat_2_merchant_delists_via_api(merchant: Merchant, owner_client: APIClient) -> None:
    listing = approved_listing(merchant=merchant)
    response = owner_client.post(f"{BASE}{listing.pk}/delist/", {"reason": "停产"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "delisted"


def test_cat_5_bulk_stock_update_all_or_nothing(merchant: Merchant, owner_client: APIClient) -> None:
    a = approved_listing(merchant=merchant).skus.get()
    b = approved_listing(merchant=merchant).skus.get()
    response = owner_client.post(
        f"{BASE}stock/",
        {"items": [{"sku_id": a.pk, "stock": 5}, {"sku_id": b.pk, "stock": 0}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert dict(Sku.objects.filter(pk__in=[a.pk, b.pk]).values_list("pk", "stock")) == {a.pk: 5, b.pk: 0}
    response = owner_client.post(
        f"{BASE}stock/",
        {"items": [{"sku_id": a.pk, "stock": 7}, {"sku_id": b.pk, "stock": -1}]},
        format="json",
    )
    assert response.status_code == 400
    a.refresh_from_db()
    assert a.stock == 5
    # availability shows on the public detail
    body = APIClient().get(f"/api/v1/listings/{b.listing_id}/").json()
    assert body["available"] is False


def test_cat_5_single_sku_stock_update(merchant: Merchant, owner_client: APIClient) -> None:
    sku = approved_listing(merchant=merchant).skus.get()
    response = owner_client.patch(f"/api/v1/merchant/skus/{sku.pk}/", {"stock": 42}, format="json")
    assert response.status_code == 200 and response.json()["stock"] == 42


def test_mer_7_expired_document_takes_down_listings_that_need_it(db: None) -> None:
    assert listings_suspend_for_document in document_expired_handlers
    food = CategoryFactory(required_document_kinds=["food_licence"])
    toys = CategoryFactory()
    shop = merchant_for(food)
    QualificationDocumentFactory(merchant=shop, kind="food_licence")
    shop.categories.add(toys)
    staff = reviewer()
    food_listing = approved_listing(merchant=shop, category=food, by=staff)
    toy_listing = approved_listing(merchant=shop, category=toys, by=staff)
    for handler in document_expired_handlers:
        handler(merchant=shop, document_kind="food_licence", document=None)
    food_listing.refresh_from_db()
    toy_listing.refresh_from_db()
    assert food_listing.status == Listing.Status.DELISTED and food_listing.delist_source == "document_expired"
    assert toy_listing.on_sale


def _expire(document: QualificationDocument) -> None:
    document.valid_until = timezone.localdate() - timedelta(days=1)
    document.save(update_fields=["valid_until"])


def test_mer_7_listing_waiting_for_review_cannot_go_on_sale_after_its_document_expired(db: None) -> None:
    food = CategoryFactory(required_document_kinds=["food_licence"])
    shop = merchant_for(food)
    licence = QualificationDocumentFactory(merchant=shop, kind="food_licence")
    listing = draft_listing(merchant=shop, category=food)
    listing_submit(listing=listing, actor=shop.owner)
    _expire(licence)

    with pytest.raises(Conflict, match="food_licence") as refused:
        listing_approve(listing=listing, actor=reviewer())

    assert refused.value.code == "documents_missing"
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING_REVIEW and not listing.on_sale


def test_mer_7_ip_takedown_ending_keeps_listing_down_while_its_document_is_expired(db: None) -> None:
    food = CategoryFactory(required_document_kinds=["food_licence"])
    shop = merchant_for(food)
    licence = QualificationDocumentFactory(merchant=shop, kind="food_licence")
    staff = StaffFactory(role=Role.STAFF_OPERATIONS)
    listing = approved_listing(merchant=shop, category=food, by=staff)
    listing_delist(listing=listing, actor=staff, reason="权利人通知", source=Listing.DelistSource.IP_NOTICE)
    _expire(licence)

    listing_restore(listing=listing, actor=None, reason="15 天内未提起诉讼")

    listing.refresh_from_db()
    assert listing.status == Listing.Status.DELISTED and not listing.on_sale
    assert listing.delist_source == Listing.DelistSource.DOCUMENT_EXPIRED
    assert "food_licence" in listing.delist_reason
