"""Issue 24: categories are listed, and named by one identifier — the slug — that every operation takes and
returns (listings, shop applications, deposits); numeric ids are still accepted, as before."""

import pytest

from tests.conftest import client_for
from tests.factories.accounts import UserFactory
from tests.factories.catalog import CategoryFactory
from tests.factories.merchants import MerchantFactory, credit_code
from tests.factories.orders import shop, shop_category

pytestmark = pytest.mark.django_db


def test_cat_1_categories_are_listed_by_slug_for_everyone(api_client):
    parent = CategoryFactory(slug="kitchen", name="厨房")
    CategoryFactory(slug="kitchen-cups", name="杯具", parent=parent)
    response = api_client.get("/api/v1/categories/")
    assert response.status_code == 200
    rows = {row["slug"]: row for row in response.json()}
    assert rows["kitchen-cups"]["parent"] == "kitchen"
    assert rows["kitchen"]["parent"] is None
    assert rows["kitchen-cups"]["name"] == "杯具"


def test_cat_1_a_listing_category_can_be_sent_back_as_it_was_read():
    category = shop_category(slug="mugs")
    owner = client_for(shop(category).owner)
    created = owner.post(
        "/api/v1/merchant/listings/",
        {
            "category": category.pk,  # as before: the numeric id is still accepted
            "title": "手工陶瓷马克杯",
            "description": "景德镇手工拉坯",
            "skus": [{"code": "WHITE", "price": "68.00", "stock": 20}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    read = owner.get(f"/api/v1/merchant/listings/{created.json()['id']}/").json()
    assert read["category"] == "mugs"
    assert read["candidate_version"]["category"] == "mugs"
    sent_back = owner.patch(
        f"/api/v1/merchant/listings/{read['id']}/", {"category": read["category"]}, format="json"
    )
    assert sent_back.status_code == 200, sent_back.content
    assert sent_back.json()["category"] == "mugs"
    unknown = owner.patch(f"/api/v1/merchant/listings/{read['id']}/", {"category": "no-such"}, format="json")
    assert unknown.status_code == 400
    assert "category" in unknown.json()["errors"]


def test_mer_1_a_shop_application_takes_and_returns_category_slugs():
    CategoryFactory(slug="tea")
    client = client_for(UserFactory.create())
    response = client.post(
        "/api/v1/merchant/applications/",
        {
            "shop_name": "茶店",
            "legal_name": "茶叶公司",
            "credit_code": credit_code(7),
            "legal_representative": "张三",
            "registered_address": "杭州",
            "contact_phone": "13800000000",
            "contact_email": "tea@example.com",
            "category_ids": ["tea"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["categories"] == ["tea"]


def test_mer_5_a_deposit_is_paid_for_a_category_named_by_slug():
    category = shop_category(slug="jewellery", deposit="1000.00")
    merchant = MerchantFactory.create(categories=[category])
    response = client_for(merchant.owner).post(
        "/api/v1/merchant/deposits/pay/",
        {"category": "jewellery", "provider": "sandbox"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="dep-slug",
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "1000.00"
