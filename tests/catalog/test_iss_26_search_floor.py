"""Issue 26 (decision 008, s10): the search's fixed cost. The page's cards are read as columns by one
statement compiled once and answered by ``card_answer``, which must answer exactly what
``ListingCardSerializer`` answers; visibility (CAT-2, MER-8) is checked again on that read."""

import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog.api.listings import ListingCardSerializer, card_answer
from catalog.models import Category, Listing, Sku
from catalog.search import IContainsPattern, text_of
from catalog.selectors import (
    _statements,
    listing_cards_for_customer,
    listing_list_for_customer,
    listing_search_for_customer,
)
from merchants.models import Merchant
from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for, reviewer

pytestmark = pytest.mark.django_db

URL = "/api/v1/listings/"


def test_iss_26_card_answer_is_the_serializers(merchant: Merchant) -> None:
    staff = reviewer()
    category = CategoryFactory()
    own_shop = merchant_for(category, is_self_operated=True)
    listings = [
        approved_listing(merchant=merchant, by=staff, title="不锈钢保温杯 500ml", price="59.90"),
        approved_listing(merchant=merchant, by=staff, title="紫砂茶壶", price="1200.00", images=[], stock=0),
        approved_listing(merchant=own_shop, by=staff, category=category, title="平台自营 台灯", price="0.50"),
        approved_listing(
            merchant=merchant,
            by=staff,
            skus=[{"code": "S", "price": "9.99", "stock": 0}, {"code": "M", "price": "19.00", "stock": 3}],
        ),
    ]
    Listing.objects.filter(pk=listings[0].pk).update(sales_count=1234)
    Sku.objects.filter(listing=listings[3], code="M").update(is_active=False)  # in stock, but not sold
    ids = [listing.pk for listing in reversed(listings)]
    instances = {listing.pk: listing for listing in listing_list_for_customer().filter(pk__in=ids)}
    expected = ListingCardSerializer([instances[pk] for pk in ids], many=True).data
    answered = [card_answer(card) for card in listing_cards_for_customer(ids=ids)]
    assert json.dumps(answered, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)
    assert [card["available"] for card in answered] == [False, True, False, True]


def test_iss_26_cat_2_mer_8_cards_are_read_for_visible_listings_only(
    merchant: Merchant, category: Category
) -> None:
    """The cards' statement is compiled once; it still checks visibility on every call: a listing taken
    off sale, a restricted shop's, or one whose category's deposit the shop no longer holds drops out
    between the ids and the cards."""
    staff = reviewer()
    other_category = CategoryFactory(deposit_amount=Decimal("0"))
    restricted = merchant_for(other_category)
    visible, off_sale = (approved_listing(merchant=merchant, by=staff) for _ in range(2))
    of_restricted = approved_listing(merchant=restricted, by=staff, category=other_category)
    ids = [visible.pk, off_sale.pk, of_restricted.pk]
    assert [card["id"] for card in listing_cards_for_customer(ids=ids)] == ids
    Listing.objects.filter(pk=off_sale.pk).update(on_sale=False)
    Merchant.objects.filter(pk=restricted.pk).update(status=Merchant.Status.RESTRICTED)
    assert [card["id"] for card in listing_cards_for_customer(ids=ids)] == [visible.pk]
    Category.objects.filter(pk=category.pk).update(deposit_amount=Decimal("800.00"))  # MER-5: deposit short
    assert listing_cards_for_customer(ids=ids) == []


@pytest.mark.postgres
def test_iss_26_cards_are_one_statement_whatever_the_page(merchant: Merchant, api_client: APIClient) -> None:
    """Pin: the cards of any page are the same statement (the ids as one array parameter), and a search
    costs exactly its count, its ids and its cards; an empty result reads no page."""
    staff = reviewer()
    for i in range(3):
        approved_listing(merchant=merchant, by=staff, title=f"保温杯 {i}")
    statements = []
    for page_size in (1, 3):
        with CaptureQueriesContext(connection) as ctx:
            response = api_client.get(URL, {"q": "保温杯", "page_size": page_size})
        assert len(response.json()["results"]) == page_size
        assert len(ctx.captured_queries) == 3, [q["sql"] for q in ctx.captured_queries]
        statements.append(ctx.captured_queries[-1]["sql"])
    assert "= ANY(" in statements[0]
    # the same statement text (after a prepared statement's EXECUTE arguments, in its comment: decision 054)
    texts = [sql.split(" /* ", 1)[-1].split("ANY(")[0] for sql in statements]
    assert texts[0] == texts[1]
    with CaptureQueriesContext(connection) as ctx:
        assert api_client.get(URL, {"q": "没有这个词"}).json()["results"] == []
    assert len(ctx.captured_queries) == 1  # the count (none): no ids, no cards


#: a search of each shape (and a second search of the same shape with other values)
SHAPES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"q": "保温杯"}, {"q": "茶壶"}),
    ({"q": "保温杯", "sort": "price"}, {"q": "茶壶", "sort": "price"}),
    ({"q": "保温杯", "sort": "-price"}, {"q": "茶壶", "sort": "-price"}),
    ({"q": "保温杯", "sort": "sales"}, {"q": "茶壶", "sort": "sales"}),
    ({"q": "杯"}, {"q": "壶"}),  # one character: the bigram index
    ({"q": "茶壶", "category": "parent"}, {"q": "保温杯", "category": "child"}),
    (
        {"q": "保温杯", "min_price": "10", "max_price": "40"},
        {"q": "茶壶", "min_price": "30", "max_price": "90"},
    ),
    ({"q": "cup"}, {"q": "Pot"}),  # cased
    ({}, {"category": "child"}),
    ({"sort": "price", "min_price": "20"}, {"sort": "price", "min_price": "50"}),
    (
        {"q": "保温杯", "sort": "price", "walk_sort_index": True},
        {"q": "茶壶", "sort": "price", "walk_sort_index": True},
    ),
    ({"q": "保温杯", "walk_sort_index": True}, {"q": "茶壶", "walk_sort_index": True}),
    ({"q": "cup", "walk_sort_index": True}, {"q": "POT", "walk_sort_index": True}),
    (
        {"q": "保温杯", "category": "parent", "walk_sort_index": True},
        {"q": "茶壶", "category": "parent", "walk_sort_index": True},
    ),
    (
        {"q": "保温杯", "max_price": "40", "walk_sort_index": True},
        {"q": "茶壶", "max_price": "95", "walk_sort_index": True},
    ),
]


@pytest.mark.postgres
@pytest.mark.parametrize("shape", SHAPES, ids=[str(first) for first, _ in SHAPES])
def test_iss_26_cat_8_each_search_statement_is_its_querysets(
    merchant: Merchant, category: Category, shape: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    """Pin: the page's ids and the capped count a search reads through its statements compiled once are the
    SQL, the rows and the count of ``listing_list_for_customer``'s queryset, for every shape, also for a
    second search of the shape with other values (the markers bound, nothing of the first kept); the
    visibility conditions (CAT-2, MER-8) are in that SQL."""
    staff = reviewer()
    child = CategoryFactory(parent=category, deposit_amount=Decimal("0"))
    merchant.categories.add(child)
    titles = ["不锈钢保温杯 cup", "紫砂茶壶 Pot", "保温杯 大容量", "茶壶 杯", "台灯"]
    for i, title in enumerate(titles * 2):
        listing = approved_listing(
            merchant=merchant,
            by=staff,
            title=title,
            price=f"{10 * (i + 1)}.00",
            category=(category, child)[i % 2],
        )
        Listing.objects.filter(pk=listing.pk).update(sales_count=i * 7 % 5)
    categories = {"parent": category, "child": child}
    statements = []
    for parameters in shape:
        search: dict[str, Any] = {
            **parameters,
            "category": categories.get(parameters.get("category", "")),
            "min_price": Decimal(parameters["min_price"]) if "min_price" in parameters else None,
            "max_price": Decimal(parameters["max_price"]) if "max_price" in parameters else None,
        }
        prepared = listing_search_for_customer(**search, window=4)
        statements.append(_statements(prepared.search))
        queryset = listing_list_for_customer(**search, window=4)
        for page in (slice(0, 3), slice(3, 6)):
            with CaptureQueriesContext(connection) as ours:
                ids = prepared[page]
            with CaptureQueriesContext(connection) as django:
                expected = list(queryset.values_list("pk", flat=True)[page])
            assert ids == expected
            assert ours.captured_queries[-1]["sql"] == django.captured_queries[-1]["sql"]
        with CaptureQueriesContext(connection) as ours:
            count = prepared.capped_count(5)
        with CaptureQueriesContext(connection) as django:
            assert count == queryset.order_by().values("pk")[:5].count()
        assert ours.captured_queries[-1]["sql"] == django.captured_queries[-1]["sql"]
        assert 'merchants_merchant"."status" = \'active\'' in ours.captured_queries[-1]["sql"]


@pytest.mark.parametrize("query", ["保温杯", "50%", "a_b", "c\\d", "Cup"])
def test_iss_26_cat_8_the_ready_made_pattern_is_icontains(query: str) -> None:
    """``IContainsPattern`` with ``Text.pattern`` is ``icontains``: the same SQL and parameter, so ``%``,
    ``_`` and ``\\`` in a query are escaped as before (a query matches itself, not a wildcard)."""
    text = text_of(query)
    assert text is not None
    ours = Listing.objects.filter(IContainsPattern(F("search_text"), text.pattern)).query.sql_with_params()
    django = Listing.objects.filter(search_text__icontains=query).query.sql_with_params()
    assert (ours[0], tuple(ours[1])) == (django[0], tuple(django[1]))


def test_cat_8_a_wildcard_in_the_query_matches_itself(merchant: Merchant, api_client: APIClient) -> None:
    staff = reviewer()
    sale = approved_listing(merchant=merchant, by=staff, title="限时 50% 折扣 保温杯")
    approved_listing(merchant=merchant, by=staff, title="限时 500 折扣 保温杯")
    found = api_client.get(URL, {"q": "50%"}).json()["results"]
    assert [row["id"] for row in found] == [sale.pk]
    assert api_client.get(URL, {"q": "5_0"}).json()["results"] == []
