"""Benchmark: the listing search endpoint vs the strict anchor of issue 26 (CAT-8, performance goals).

Generates 100,000 visible listings (one category, one merchant, one SKU each; Chinese titles), then
for a few typical requests measures the median and p95 latency of ``GET /api/v1/listings/`` through
Django's test ``Client`` in-process, and of the anchor: the same page of rows fetched by primary key with
the card's fields and serialised with ``json.dumps`` (samples alternate, so a shared machine's load hits
both alike); prints per request the API's query count, both latencies and their ratio (target ≤ 3 for the
text searches), and exits 1 if a text search's ratio is over it. ``--explain`` also prints EXPLAIN ANALYZE
of each request's page query and capped count. Figures and analysis: docs/decisions/008-catalog-search.md
("Measured", "Issue 26") and 028.

Needs a migrated PostgreSQL database (pg_trgm is created by catalog's migrations). To reproduce the
recorded figures (about 3 minutes on 2 shared cores):

    DATABASE_URL=postgres://… .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://… .venv/bin/python bench/catalog_search.py

Smoke test (about 10 s): ``… bench/catalog_search.py --listings 1000 --runs 5``. To compare two versions
of the code on the same rows (1,000,000 take minutes to generate): ``--keep`` once, then ``--reuse SLUG``
(``--reuse`` never cleans up; drop the database when done).

It WRITES to that database: rows are generated server-side with ``generate_series`` under a category and
merchant made for the run, and deleted at the end (also after an error or Ctrl-C); the tables are
vacuumed after generating and after cleaning up. Other visible listings in the database are searched too.
"""

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_core.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from catalog.api.listings import ListingListApi  # noqa: E402
from catalog.models import Category, Listing  # noqa: E402
from catalog.selectors import CARD_COLUMNS, listing_list_for_customer  # noqa: E402
from merchants.models import Merchant  # noqa: E402
from platform_core.accounts.models import User  # noqa: E402

NOUNS = [
    "保温杯",
    "茶壶",
    "运动鞋",
    "羽绒服",
    "蓝牙耳机",
    "电饭煲",
    "连衣裙",
    "背包",
    "台灯",
    "咖啡机",
    "面膜",
    "牛仔裤",
]
ADJECTIVES = [
    "不锈钢",
    "紫砂",
    "轻便",
    "加厚",
    "无线",
    "智能",
    "复古",
    "简约",
    "大容量",
    "高档",
    "新款",
    "经典",
]
PAGE_SIZE = 20

#: (label, query parameters, is a text search). The text searches are the goal of issue 26 (each on the
#: trigram index, median ≤ 3× the anchor); browsing and the price filter are printed for comparison.
SCENARIOS: list[tuple[str, dict[str, str], bool]] = [
    ("search 保温杯, default ranking", {"q": "保温杯"}, True),
    ("search 紫砂茶壶, by price", {"q": "紫砂茶壶", "sort": "price"}, True),
    ("search 紫砂茶壶, by -price", {"q": "紫砂茶壶", "sort": "-price"}, True),
    ("search 蓝牙耳机, by sales", {"q": "蓝牙耳机", "sort": "sales"}, True),
    ("search 紫砂 in category", {"q": "紫砂", "category": "@"}, True),
    ("search 保温杯, price 100-200", {"q": "保温杯", "min_price": "100", "max_price": "200"}, True),
    ("search 编号<id> (rare)", {"q": "编号#"}, True),
    ("browse, default ranking", {}, False),
    ("price 100-200, by sales", {"min_price": "100", "max_price": "200", "sort": "sales"}, False),
]


def generate(*, listings: int) -> tuple[Category, Merchant, User]:
    """``listings`` visible listings, each with its live version and one SKU, written set-based in one
    transaction: their ids are drawn from the sequences first, so each row is inserted once, complete and on
    sale (no second pass that updates every row and doubles the table). The rows are consistent by
    construction, so the per-row foreign-key checks are skipped (``session_replication_role = replica``:
    Django's deferred constraint triggers would run four look-ups per listing at commit, minutes at 1M)."""
    tag = uuid.uuid4().hex[:8]
    user = User.objects.create_user(email=f"bench-{tag}@example.com", password=uuid.uuid4().hex)
    merchant = Merchant.objects.create(name=f"基准店铺{tag}", owner=user, status=Merchant.Status.ACTIVE)
    category = Category.objects.create(
        name=f"基准类目{tag}", slug=f"bench-{tag}", deposit_amount=Decimal("0")
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            """
            CREATE TEMP TABLE bench_rows ON COMMIT DROP AS
            SELECT nextval(pg_get_serial_sequence('catalog_listing', 'id')) AS lid,
                nextval(pg_get_serial_sequence('catalog_listingversion', 'id')) AS vid,
                (%s::text[])[1 + floor(random() * %s)::int] || (%s::text[])[1 + floor(random() * %s)::int] AS an,
                round((5 + random() * 995)::numeric, 2) AS p, (random() * 5000)::int AS sales
            FROM generate_series(1, %s)
            """,
            [ADJECTIVES, len(ADJECTIVES), NOUNS, len(NOUNS), listings],
        )
        cursor.execute(
            """
            INSERT INTO catalog_listing (id, merchant_id, category_id, kind, service_area, is_non_returnable,
                status, on_sale, live_version_id, search_text, price_min, price_max, sales_count, delist_source,
                delist_reason, created_at, updated_at)
            SELECT lid, %s, %s, 'product', '', false, 'approved', true, vid,
                an || ' ' || lid || E'\n' || '这款' || an || '做工精细，品质保证，适合日常使用。编号' || lid,
                p, p, sales, '', '', now(), now()
            FROM bench_rows
            """,
            [merchant.pk, category.pk],
        )
        cursor.execute(
            """
            INSERT INTO catalog_listingversion (id, listing_id, number, status, category_id, title, description,
                images, price_min, price_max, proposed_prices, findings, changed_fields, created_at, submitted_at,
                reviewed_at, reject_reason, review_note)
            SELECT vid, lid, 1, 'approved', %s, an || ' ' || lid, '这款' || an || '做工精细，品质保证，适合日常使用。编号' || lid,
                '[{"url": "https://img.example.com/x.jpg", "alt": "商品图"}]'::jsonb,
                p, p, '{}'::jsonb, '[]'::jsonb, '[]'::jsonb, now(), now(), now(), '', ''
            FROM bench_rows
            """,
            [category.pk],
        )
        cursor.execute(
            """
            INSERT INTO catalog_sku (listing_id, code, attributes, price, stock, is_active, stock_updated_at)
            SELECT lid, 'SKU-' || lid, '{}'::jsonb, p, (random() * 50)::int, true, now() FROM bench_rows
            """
        )
    vacuum()
    return category, merchant, user


def vacuum() -> None:
    """Reclaim the dead rows the clean-up leaves, set the visibility map and refresh the statistics. Without
    it the run measures a table a production server would have vacuumed: seq scans read every dead row and
    the partial indexes point at them (and autovacuum may be off)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE catalog_listing, catalog_listingversion, catalog_sku")


def cleanup(category: Category | None, merchant: Merchant | None, user: User | None) -> None:
    """Delete what ``generate`` wrote (only the run's rows, which nothing else references), without the
    per-row foreign-key checks (as in ``generate``)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        if category is not None:
            mine = "SELECT id FROM catalog_listing WHERE category_id = %s"
            cursor.execute(f"DELETE FROM catalog_sku WHERE listing_id IN ({mine})", [category.pk])
            cursor.execute(f"DELETE FROM catalog_listingversion WHERE listing_id IN ({mine})", [category.pk])
            cursor.execute("DELETE FROM catalog_listing WHERE category_id = %s", [category.pk])
            cursor.execute("DELETE FROM catalog_category WHERE id = %s", [category.pk])
        if merchant is not None:
            cursor.execute("DELETE FROM merchants_merchant_categories WHERE merchant_id = %s", [merchant.pk])
            cursor.execute("DELETE FROM merchants_merchant WHERE id = %s", [merchant.pk])
        if user is not None:
            cursor.execute("DELETE FROM accounts_user WHERE id = %s", [user.pk])
    vacuum()


def timed(api: Callable[[], Any], baseline: Callable[[], Any], runs: int) -> tuple[list[float], list[float]]:
    """Sorted samples (ms) of both, taken alternately so that the load of a shared machine hits both alike."""
    for _ in range(3):  # warm caches and connections
        api()
        baseline()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for fn, out in ((api, samples[0]), (baseline, samples[1])):
            start = time.perf_counter()
            fn()
            out.append((time.perf_counter() - start) * 1000)
    return sorted(samples[0]), sorted(samples[1])


def median_p95(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


#: the fields a result card shows, as the API reads them (``CARD_COLUMNS``) but for its stock flag, an
#: annotation: the anchor reads stored columns only
CARD_VALUES = tuple(column for column in CARD_COLUMNS if column != "available")


def anchor(ids: list[int]) -> str:
    """The strict anchor of issue 26: the same page of rows fetched by primary key, as JSON."""
    rows = list(Listing.objects.filter(pk__in=ids).values(*CARD_VALUES))
    return json.dumps(rows, default=str, ensure_ascii=False)


def explain(params: dict[str, str], category: Category) -> str:
    """EXPLAIN (ANALYZE) of the queries the endpoint runs for ``params``: the capped count and the page's ids
    (for a common term, the walk it then chooses: the sort's index, or the default ranking's rescore window,
    decision 051; the cards are read by primary key, as the anchor)."""
    from catalog.api.listings import SEARCH_MAX_RESULTS
    from catalog.selectors import (
        listing_browse_ranks_a_window,
        listing_search_for_customer,
        listing_search_walks_sort_index,
    )

    search: dict[str, Any] = {
        "q": params.get("q"),
        "category": category if "category" in params else None,
        "min_price": Decimal(params["min_price"]) if "min_price" in params else None,
        "max_price": Decimal(params["max_price"]) if "max_price" in params else None,
        "sort": params.get("sort", "relevance"),
    }
    listings = listing_list_for_customer(**search, window=SEARCH_MAX_RESULTS)
    # browsing's window is counted unordered, as the API does (``count_source``)
    counted = (
        listing_list_for_customer(**search)
        if listing_browse_ranks_a_window(q=search["q"], sort=search["sort"])
        else listings
    )
    count = counted.order_by().values("pk")[:SEARCH_MAX_RESULTS].explain(analyze=True)
    walk = listing_search_walks_sort_index(q=search["q"], sort=search["sort"], category=search["category"])
    common = walk and (
        listing_search_for_customer(**search, window=SEARCH_MAX_RESULTS).capped_count(SEARCH_MAX_RESULTS)
        >= SEARCH_MAX_RESULTS
    )
    if common:
        listings = listing_list_for_customer(**search, walk_sort_index=True, window=SEARCH_MAX_RESULTS)
    page = listings.values_list("pk", flat=True)[:PAGE_SIZE].explain(analyze=True)
    return f"-- page ids\n{page}\n-- capped count\n{count}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=41)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each request")
    parser.add_argument(
        "--keep", action="store_true", help="leave the generated rows in place (prints their category)"
    )
    parser.add_argument(
        "--reuse",
        metavar="SLUG",
        help="measure the rows a --keep run left under this category, generate none",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    category = merchant = user = None
    worst = 0.0
    try:
        started = time.perf_counter()
        if args.reuse:
            category = Category.objects.get(slug=args.reuse)
        else:
            category, merchant, user = generate(listings=args.listings)
        print(
            f"generated {args.listings:,} listings in {time.perf_counter() - started:.1f} s "
            f"({Listing.objects.filter(on_sale=True).count():,} on sale in the database)"
            if not args.reuse
            else f"reusing category {category.slug} ({Listing.objects.filter(on_sale=True).count():,} on sale)"
        )
        client = Client()
        rare_id = (
            Listing.objects.filter(category=category)
            .order_by("pk")
            .values_list("pk", flat=True)[min(4241, args.listings - 1)]
        )
        # As in production: DEBUG off (else every statement's SQL is also formatted into a log), and no rate
        # limit — DRF binds ``throttle_classes`` when the view class is defined, so overriding the
        # REST_FRAMEWORK setting does not reach it, and 120 anonymous requests a minute would fail the run.
        with (
            override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False),
            mock.patch.object(ListingListApi, "throttle_classes", []),
        ):
            print(
                f"{'request':32} {'queries':>7} {'API median':>11} {'API p95':>9} {'anchor median':>14} "
                f"{'anchor p95':>11} {'ratio':>6}"
            )
            for label, template, is_search in SCENARIOS:
                # "@": the run's category; "#": a model number of one generated listing (matches a few)
                params = {
                    k: v.replace("@", category.slug).replace("#", str(rare_id)) for k, v in template.items()
                }
                if args.explain:
                    print(f"== {label}: {params}\n{explain(params, category)}")

                def call(params: dict[str, str] = params) -> list[int]:
                    response = client.get("/api/v1/listings/", {**params, "page_size": str(PAGE_SIZE)})
                    assert response.status_code == 200, response.content[:300]
                    return [row["id"] for row in response.json()["results"]]

                with CaptureQueriesContext(connection) as queries:
                    ids = call()
                query_count = len(queries)  # now: the log is cleared at each request's start

                def call_anchor(ids: list[int] = ids) -> None:
                    anchor(ids)

                api_samples, anchor_samples = timed(call, call_anchor, args.runs)
                (api_median, api_p95), (anchor_median, anchor_p95) = (
                    median_p95(api_samples),
                    median_p95(anchor_samples),
                )
                ratio = api_median / anchor_median
                if is_search:
                    worst = max(worst, ratio)
                print(
                    f"{label:32} {query_count:7} {api_median:9.1f}ms {api_p95:7.1f}ms {anchor_median:12.1f}ms "
                    f"{anchor_p95:9.1f}ms {ratio:6.2f}{'' if is_search else ' (not a text search)'}"
                )
        print(
            f"worst median ratio of the text searches {worst:.2f} (target ≤ 3): {'OK' if worst <= 3 else 'OVER TARGET'}"
        )
    finally:
        if args.keep or args.reuse:
            print(f"kept the rows: --reuse {category.slug if category else '-'}")
        else:
            cleanup(category, merchant, user)
            print("cleaned up")
    return 0 if worst <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
