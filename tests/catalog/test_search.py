"""CAT-2 visibility and CAT-8 search and ranking, through the public API."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog.models import Category, Listing
from catalog.selectors import listing_list_for_customer
from merchants.models import Merchant
from merchants.services.lifecycle import merchant_suspend
from tests.conftest import assert_max_queries
from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for, reviewer

pytestmark = pytest.mark.django_db

URL = "/api/v1/listings/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_cat_8_search_finds_chinese_substrings(merchant: Merchant, api_client: APIClient) -> None:
    cup = approved_listing(merchant=merchant, title="不锈钢真空保温杯 500ml")
    pot = approved_listing(merchant=merchant, title="紫砂茶壶", description="宜兴原矿紫砂")
    assert ids(api_client.get(URL, {"q": "保温杯"})) == [cup.pk]
    assert ids(api_client.get(URL, {"q": "紫砂"})) == [pot.pk]
    assert ids(api_client.get(URL, {"q": "原矿"})) == [pot.pk]  # description matches too
    assert ids(api_client.get(URL, {"q": "咖啡机"})) == []


def test_cat_8_filters_and_sorts(merchant: Merchant, category: Category, api_client: APIClient) -> None:
    child = CategoryFactory(parent=category)
    merchant.categories.add(child)
    cheap = approved_listing(merchant=merchant, title="便宜杯", price="10.00")
    mid = approved_listing(merchant=merchant, title="中价杯", price="50.00", category=child)
    dear = approved_listing(merchant=merchant, title="贵杯", price="200.00")
    Listing.objects.filter(pk=mid.pk).update(sales_count=100)
    assert ids(api_client.get(URL, {"sort": "price"})) == [cheap.pk, mid.pk, dear.pk]
    assert ids(api_client.get(URL, {"sort": "-price"})) == [dear.pk, mid.pk, cheap.pk]
    assert ids(api_client.get(URL, {"sort": "sales"}))[0] == mid.pk
    assert ids(api_client.get(URL, {"min_price": "20", "max_price": "100"})) == [mid.pk]
    assert set(ids(api_client.get(URL, {"category": category.slug}))) == {cheap.pk, mid.pk, dear.pk}
    assert ids(api_client.get(URL, {"category": child.slug})) == [mid.pk]
    assert api_client.get(URL, {"category": "nope"}).status_code == 404
    assert api_client.get(URL, {"sort": "random"}).status_code == 400


def test_cat_8_default_ranking_weighs_sales(merchant: Merchant, api_client: APIClient) -> None:
    quiet = approved_listing(merchant=merchant, title="保温杯 A")
    popular = approved_listing(merchant=merchant, title="保温杯 B")
    Listing.objects.filter(pk=popular.pk).update(sales_count=500)
    assert ids(api_client.get(URL, {"q": "保温杯"})) == [popular.pk, quiet.pk]
    assert ids(api_client.get(URL)) == [popular.pk, quiet.pk]


def test_cat_8_suspended_merchant_listings_disappear(merchant: Merchant, api_client: APIClient) -> None:
    listing = approved_listing(merchant=merchant, title="保温杯")
    assert ids(api_client.get(URL, {"q": "保温杯"})) == [listing.pk]
    merchant_suspend(merchant=merchant, cause="staff", reason="调查中", actor=None)
    assert ids(api_client.get(URL, {"q": "保温杯"})) == []
    assert api_client.get(f"{URL}{listing.pk}/").status_code == 404


def test_cat_2_restricted_merchant_listings_hidden(merchant: Merchant) -> None:
    listing = approved_listing(merchant=merchant)
    Merchant.objects.filter(pk=merchant.pk).update(status=Merchant.Status.RESTRICTED)
    assert not listing_list_for_customer().filter(pk=listing.pk).exists()


def test_cat_2_listing_hidden_when_deposit_falls_below_category(
    merchant: Merchant, category: Category
) -> None:
    listing = approved_listing(merchant=merchant)
    assert listing_list_for_customer().filter(pk=listing.pk).exists()
    # the category's deposit goes up; this merchant still holds only the old 500.00
    Category.objects.filter(pk=category.pk).update(deposit_amount=Decimal("800.00"))
    assert not listing_list_for_customer().filter(pk=listing.pk).exists()


def test_cat_8_detail_shows_skus_availability_and_self_operated_label(
    db: None, api_client: APIClient
) -> None:
    category = CategoryFactory()
    shop = merchant_for(category, is_self_operated=True)
    listing = approved_listing(
        merchant=shop,
        category=category,
        skus=[{"code": "S", "price": "9.90", "stock": 0}, {"code": "M", "price": "12.00", "stock": 4}],
    )
    body = api_client.get(f"{URL}{listing.pk}/").json()
    assert body["merchant"] == {
        "id": shop.pk,
        "name": shop.name,
        "is_self_operated": True,
        "self_operated_label": "自营",
    }
    assert [(s["code"], s["price"], s["available"]) for s in body["skus"]] == [
        ("S", "9.90", False),
        ("M", "12.00", True),
    ]
    assert body["available"] is True and body["title"] == "不锈钢保温杯 500ml"
    assert body["no_reason_return"] is True


def test_cat_8_list_query_budget_same_for_5_and_50(merchant: Merchant, api_client: APIClient) -> None:
    staff = reviewer()
    other = merchant_for(CategoryFactory())
    for i in range(5):
        approved_listing(merchant=merchant, by=staff, title=f"保温杯 {i}")
    with assert_max_queries(10) as five:
        assert len(ids(api_client.get(URL, {"q": "保温杯", "page_size": 100}))) == 5
    for i in range(45):
        approved_listing(merchant=other if i % 2 else merchant, by=staff, title=f"保温杯 {i}")
    with assert_max_queries(10) as fifty:
        assert len(ids(api_client.get(URL, {"q": "保温杯", "page_size": 100}))) == 50
    assert len(fifty.captured_queries) == len(five.captured_queries)


def test_cat_8_result_count_is_capped(
    merchant: Merchant, api_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog.api import listings

    monkeypatch.setattr(listings, "SEARCH_MAX_RESULTS", 3)
    for _ in range(5):
        approved_listing(merchant=merchant)
    body = api_client.get(URL, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2


def test_cat_8_higher_credit_grade_ranks_first(category: Category, api_client: APIClient) -> None:
    """Equal relevance and sales: the merchant with the better credit grade (REP-3) comes first, in
    search and in browsing; a merchant without a grade yet sits at the default grade."""
    staff = reviewer()
    shops = {grade: merchant_for(category) for grade in (2, 5, None)}
    listings = {
        grade: approved_listing(merchant=shop, by=staff, title="真空保温杯") for grade, shop in shops.items()
    }
    for grade, shop in shops.items():  # graded after listing: grade 2 would need a larger deposit (REP-3)
        Merchant.objects.filter(pk=shop.pk).update(credit_grade=grade)
    Listing.objects.filter(pk__in=[x.pk for x in listings.values()]).update(sales_count=30)
    expected = [listings[5].pk, listings[None].pk, listings[2].pk]
    assert ids(api_client.get(URL, {"q": "保温杯"})) == expected
    assert ids(api_client.get(URL)) == expected


def test_cat_9_self_operated_listings_show_ziying_in_the_api(
    merchant: Merchant, api_client: APIClient
) -> None:
    category = CategoryFactory()
    own_shop = merchant_for(category, is_self_operated=True)
    own = approved_listing(merchant=own_shop, category=category, title="平台自营 保温杯")
    partner = approved_listing(merchant=merchant, title="合作商家 保温杯")
    rows = {row["id"]: row for row in api_client.get(URL).json()["results"]}
    assert (rows[own.pk]["self_operated"], rows[own.pk]["labels"]) == (True, ["自营"])
    assert rows[own.pk]["merchant"]["self_operated_label"] == "自营"
    assert (rows[partner.pk]["self_operated"], rows[partner.pk]["labels"]) == (False, [])
    detail = api_client.get(f"{URL}{own.pk}/").json()
    assert detail["self_operated"] is True and detail["labels"] == ["自营"]
    assert detail["merchant"]["is_self_operated"] is True


def _sql(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.postgres
def test_cat_8_common_term_sorted_walks_the_sort_index_with_the_same_results(
    merchant: Merchant, api_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 26 (decision 008, s8f): a term with at least SEARCH_MAX_RESULTS matches, sorted by price or
    sales, is read by walking the sort's index with the text as a filter (``strpos``, not the trigram
    ``LIKE``); the capped count read to decide it is not read again. Same results as the indexed read."""
    from catalog.api import listings

    staff = reviewer()
    cups = [
        approved_listing(merchant=merchant, by=staff, title=f"保温杯 {i}", price=f"{10 + i}.00")
        for i in range(4)
    ]
    approved_listing(merchant=merchant, by=staff, title="茶壶", price="1.00")
    Listing.objects.filter(pk=cups[2].pk).update(sales_count=50)
    by_price, by_sales = [c.pk for c in cups], [cups[2].pk] + [c.pk for c in reversed(cups) if c != cups[2]]
    indexed = (
        ids(api_client.get(URL, {"q": "保温杯", "sort": "price"})),
        ids(api_client.get(URL, {"q": "保温杯", "sort": "sales"})),
    )
    assert indexed == (by_price, by_sales)
    monkeypatch.setattr(listings, "SEARCH_MAX_RESULTS", 3)  # now a common term
    with CaptureQueriesContext(connection) as ctx:
        response = api_client.get(URL, {"q": "保温杯", "sort": "price"})
    assert ids(response) == by_price[:3] and response.json()["count"] == 3  # pages end at the cap
    sql = _sql(ctx)
    assert sum("COUNT(" in s for s in sql) == 1, sql  # counted once, to decide
    assert any("strpos" in s and "ORDER BY" in s for s in sql), sql  # the page walked the price index
    assert ids(api_client.get(URL, {"q": "保温杯", "sort": "sales"})) == by_sales[:3]
    assert ids(api_client.get(URL, {"q": "保温杯", "sort": "-price"})) == by_price[::-1][:3]
    category_search = {"q": "保温杯", "sort": "price", "category": cups[0].category.slug}
    with CaptureQueriesContext(connection) as ctx:  # within a category: the text's index, not a walk
        assert ids(api_client.get(URL, category_search)) == by_price[:3]
    assert not any("strpos" in s for s in _sql(ctx))
    with CaptureQueriesContext(connection) as ctx:
        assert ids(api_client.get(URL, {"q": "茶壶", "sort": "price", "page_size": 1}))  # rare: indexed read
    assert not any("strpos" in s for s in _sql(ctx))


def test_cat_8_a_short_first_page_is_its_own_count(merchant: Merchant, api_client: APIClient) -> None:
    """Fewer matches than a page: the page's length is the count, no count query (the ids, then the cards)."""
    listing = approved_listing(merchant=merchant, title="紫砂茶壶")
    with CaptureQueriesContext(connection) as ctx:  # a category's search sorted by price needs no decision
        response = api_client.get(URL, {"q": "紫砂茶壶", "sort": "price", "category": listing.category.slug})
    assert ids(response) == [listing.pk] and response.json()["count"] == 1
    assert not any("COUNT(" in s for s in _sql(ctx)), _sql(ctx)
    # the default ranking counts first, to choose between scoring every match and the window (decision
    # 051), and reuses that count
    with CaptureQueriesContext(connection) as ctx:
        response = api_client.get(URL, {"q": "紫砂茶壶"})
    assert ids(response) == [listing.pk] and response.json()["count"] == 1
    assert sum("COUNT(" in s for s in _sql(ctx)) == 1, _sql(ctx)


def test_cat_8_title_is_the_first_line_of_the_search_text(merchant: Merchant, api_client: APIClient) -> None:
    """The ranking reads the title as the first line of ``search_text``: a title's line breaks are spaces."""
    listing = approved_listing(merchant=merchant, title="紫砂\n茶壶", description="宜兴\n原矿")
    listing.refresh_from_db()
    assert listing.search_text == "紫砂 茶壶\n宜兴\n原矿"
    assert ids(api_client.get(URL, {"q": "原矿"})) == [listing.pk]
