"""CAT-8 (issue 26, decision 008): every text-search shape reads the listings through the trigram index
``listing_search_trgm`` (or, for a query of one or two characters, ``listing_search_bigram``), never a scan
of the listing or version tables, at a realistic number of rows.

20,000 visible listings are generated server-side with ``generate_series`` (a second or two) and analysed;
each shape's page query (the ids of a page; the cards are then read by primary key) and its capped count
are EXPLAINed as the endpoint builds them, with the planner's ordinary settings; so is the walk of the sort's
index that the endpoint uses for a common term sorted by price or sales. The plans at 100,000 and 1,000,000
listings are in decision 008."""

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from catalog.api.listings import SEARCH_MAX_RESULTS
from catalog.models import Category, Listing
from catalog.selectors import listing_list_for_customer
from merchants.models import Merchant
from tests.factories.catalog import approved_listing

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ROWS = 20_000
NOUNS = ["保温杯", "茶壶", "运动鞋", "羽绒服", "蓝牙耳机", "电饭煲", "连衣裙", "背包", "台灯", "咖啡机"]


def _generate(*, merchant: Merchant, category: Category, rows: int) -> None:
    """``rows`` visible listings of ``merchant`` in ``category``, each with its live version and one SKU;
    titles ``<noun> 型号<n>``: a noun matches a tenth of them, a model number one."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO catalog_listing (merchant_id, category_id, kind, service_area, is_non_returnable, status,
                on_sale, price_min, price_max, sales_count, delist_source, delist_reason, created_at, updated_at)
            SELECT %s, %s, 'product', '', false, 'approved', false, p, p, (random() * 5000)::int, '', '', now(),
                now()
            FROM (SELECT round((5 + random() * 995)::numeric, 2) AS p FROM generate_series(1, %s)) s
            """,
            [merchant.pk, category.pk, rows],
        )
        cursor.execute(
            """
            INSERT INTO catalog_listingversion (listing_id, number, status, category_id, title, description,
                images, price_min, price_max, proposed_prices, findings, changed_fields, created_at, submitted_at,
                reviewed_at, reject_reason, review_note)
            SELECT l.id, 1, 'approved', l.category_id, (%s::text[])[1 + l.id %% %s] || ' 型号' || l.id,
                '做工精细，品质保证。编号' || l.id, '[]'::jsonb, l.price_min, l.price_max, '{}'::jsonb,
                '[]'::jsonb, '[]'::jsonb, now(), now(), now(), '', ''
            FROM catalog_listing l WHERE l.merchant_id = %s AND l.live_version_id IS NULL
            """,
            [NOUNS, len(NOUNS), merchant.pk],
        )
        cursor.execute(
            """
            UPDATE catalog_listing l SET live_version_id = v.id, on_sale = true,
                search_text = v.title || E'\\n' || v.description
            FROM catalog_listingversion v WHERE v.listing_id = l.id AND l.live_version_id IS NULL
            """
        )
        cursor.execute(
            """
            INSERT INTO catalog_sku (listing_id, code, attributes, price, stock, is_active, stock_updated_at)
            SELECT id, 'SKU-' || id, '{}'::jsonb, price_min, 5, true, now() FROM catalog_listing
            WHERE merchant_id = %s AND NOT EXISTS (SELECT 1 FROM catalog_sku s WHERE s.listing_id = catalog_listing.id)
            """,
            [merchant.pk],
        )
        cursor.execute("ANALYZE catalog_listing, catalog_listingversion, catalog_sku")


SHAPES: list[tuple[str, dict[str, Any]]] = [
    ("q, default ranking", {"q": "保温杯"}),
    ("q, by price", {"q": "保温杯", "sort": "price"}),
    ("q, by -price", {"q": "蓝牙耳机", "sort": "-price"}),
    ("q, by sales", {"q": "茶壶", "sort": "sales"}),
    ("q, a model number", {"q": "型号12345"}),
    ("q, one character", {"q": "杯"}),
    ("q + category", {"q": "保温杯", "category": True}),
    ("q + price range", {"q": "保温杯", "min_price": Decimal("100"), "max_price": Decimal("200")}),
    (
        "q + category + price range, by price",
        {"q": "背包", "category": True, "min_price": Decimal("50"), "sort": "price"},
    ),
]


def _plans(shape: dict[str, Any], category: Category) -> tuple[str, str]:
    """The two queries the endpoint runs: the page's ids (sorted, limited; the cards are then read by
    primary key) and the capped count."""
    listings = listing_list_for_customer(**{**shape, "category": category if shape.get("category") else None})
    ids = listings.values_list("pk", flat=True)
    page = ids[:20].explain()
    count = ids.order_by().values("pk")[:SEARCH_MAX_RESULTS].explain()
    return page, count


def _assert_no_scan(label: str, plan: str) -> None:
    for table in ("catalog_listing", "catalog_listingversion"):
        assert f"Seq Scan on {table} " not in plan, f"{label} scans {table}:\n{plan}"


def test_cat_8_every_search_shape_uses_the_search_index(merchant: Merchant, category: Category) -> None:
    _generate(merchant=merchant, category=category, rows=ROWS)
    assert Listing.objects.filter(on_sale=True).count() >= ROWS
    for label, shape in SHAPES:
        # a query of one or two characters has no trigram: the bigram index serves it
        index = "listing_search_bigram" if len(shape["q"]) <= 2 else "listing_search_trgm"
        for query, plan in zip(("page", "count"), _plans(shape, category), strict=True):
            assert index in plan, f"{label} ({query}) does not use {index}:\n{plan}"
            _assert_no_scan(f"{label} ({query})", plan)
            assert "catalog_listingversion" not in plan, f"{label} ({query}) joins every match's version"
    # A common term sorted by price or sales (the API decides by the capped count): the sort's index is
    # walked in order, the text tested on each row, and the walk stops after the page.
    walks: list[tuple[str, dict[str, Any], str]] = [
        ("common q, by price", {"q": "保温杯", "sort": "price"}, "Index Scan using listing_onsale_price"),
        (
            "common q, by -price",
            {"q": "保温杯", "sort": "-price"},
            "Index Scan Backward using listing_onsale_price",
        ),
        ("common q, by sales", {"q": "茶壶", "sort": "sales"}, "Index Scan using listing_onsale_sales"),
        (
            "common q + price, by price",
            {"q": "背包", "min_price": Decimal("50"), "sort": "price"},
            "listing_onsale_price",
        ),
    ]
    for label, shape, index in walks:
        page, _count = _plans({**shape, "walk_sort_index": True}, category)
        assert f"{index} on catalog_listing" in page, f"{label} does not walk {index}:\n{page}"
        assert "Bitmap" not in page, f"{label} reads every match:\n{page}"
        _assert_no_scan(label, page)


def test_cat_8_search_text_follows_the_live_version(merchant: Merchant, api_client) -> None:
    """The search document is the live version's title and description, copied when a version goes live."""
    listing = approved_listing(merchant=merchant, title="紫砂茶壶", description="宜兴原矿")
    listing.refresh_from_db()
    assert listing.search_text == "紫砂茶壶\n宜兴原矿"
    response = api_client.get("/api/v1/listings/", {"q": "原矿"})
    assert [row["id"] for row in response.json()["results"]] == [listing.pk]


def test_cat_8_bigram_words_are_those_of_the_loop_definition() -> None:
    """Migration 0015 replaced ``catalog_bigrams``' loop over every position by two ``regexp_replace``
    passes without rebuilding ``listing_search_bigram``: valid only if both give the same words."""
    loop = (
        "SELECT coalesce(string_agg(substr(t, i, 2), ' ' ORDER BY i), '') "
        "FROM (SELECT %s::text AS t) s, generate_series(1, char_length(t)) AS i"
    )
    samples = [
        "",
        "a",
        "ab",
        "abc",
        "abcd",
        "杯",
        "紫砂茶壶\n宜兴 原矿",
        "不锈钢保温杯 500ML",
        "X Y Z ",
        "编号4242。",
    ]
    with connection.cursor() as cursor:
        for text in samples:
            cursor.execute(
                "SELECT tsvector_to_array(to_tsvector('simple', catalog_bigrams(%s))),"
                f" tsvector_to_array(to_tsvector('simple', ({loop})))",
                [text, text],
            )
            fast, looped = cursor.fetchone()
            assert sorted(fast) == sorted(looped), text
