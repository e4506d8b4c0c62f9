"""Benchmark: render time and query count of the merchant dashboard's busiest pages.

Makes one shop with ``--listings`` approved listings and ``--orders`` paid orders (through the services,
as real ones are made), then renders each page ``--runs`` times in-process with Django's test ``Client``
signed in as the owner, and prints the median and p95 latency and the number of queries per page
(the budget is under 10, whatever the number of rows).

Needs a migrated database (SQLite or PostgreSQL):

    .venv/bin/python manage.py migrate
    .venv/bin/python bench/dashboard_pages.py [--listings 200] [--orders 100] [--runs 31]

Everything runs inside one transaction that is rolled back at the end: the database is left as it was.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_core.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from catalog.models import Category  # noqa: E402
from catalog.services.listings import listing_create, listing_submit  # noqa: E402
from catalog.services.review import listing_approve  # noqa: E402
from merchants.models import Merchant, MerchantMember  # noqa: E402
from orders.payments.sandbox import sandbox_complete  # noqa: E402
from orders.services.cart import cart_item_add  # noqa: E402
from orders.services.checkout import order_checkout  # noqa: E402
from orders.services.payments import order_pay_start, payment_callback_receive  # noqa: E402
from platform_core.accounts.models import User  # noqa: E402

PAGES = ["/merchant/", "/merchant/listings/", "/merchant/orders/?filter=all", "/merchant/money/"]


class Rollback(Exception):
    pass


def arrange(listings: int, orders: int) -> User:
    stamp = int(time.time())
    owner = User.objects.create_user(email=f"bench-owner-{stamp}@example.com", password="bench-pass-123456")
    staff = User.objects.create_superuser(
        email=f"bench-staff-{stamp}@example.com", password="bench-pass-123456"
    )
    category = Category.objects.create(name="基准类目", slug=f"bench-dashboard-{stamp}")
    merchant = Merchant.objects.create(name="基准店铺", owner=owner, status=Merchant.Status.ACTIVE)
    merchant.categories.set([category])
    MerchantMember.objects.create(merchant=merchant, user=owner, role=MerchantMember.Role.OWNER)
    first_sku = None
    for i in range(listings):
        listing = listing_create(
            merchant=merchant,
            category=category,
            title=f"基准商品 {i}",
            description="用于基准测试。",
            skus=[{"code": f"B{i}", "price": "19.90", "stock": 10_000}],
            actor=owner,
        )
        listing_submit(listing=listing, actor=owner)
        listing_approve(listing=listing, actor=staff)
        first_sku = first_sku or listing.skus.get()
    customer = User.objects.create_user(
        email=f"bench-customer-{stamp}@example.com", password="bench-pass-123456"
    )
    for _ in range(orders):
        assert first_sku is not None
        cart_item_add(customer=customer, sku_id=first_sku.pk, quantity=1, actor=customer)
        (order,) = order_checkout(
            customer=customer,
            shipping_name="客户",
            shipping_phone="13900000000",
            shipping_address="地址",
            actor=customer,
        )
        payment = order_pay_start(order=order, provider="sandbox", actor=customer)
        headers, body = sandbox_complete(payment)
        payment_callback_receive(provider="sandbox", headers=headers, body=body)
    return owner


def measure(client: Client, page: str, runs: int) -> tuple[float, float, int]:
    timings = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(page)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (page, response.status_code)
        queries = len(ctx.captured_queries)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=200)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()
    with override_settings(
        AXES_ENABLED=False,
        ALLOWED_HOSTS=["*"],
        STATICFILES_DIRS=[Path(settings.BASE_DIR) / "static"],
    ):
        try:
            with transaction.atomic():
                owner = arrange(args.listings, args.orders)
                client = Client()
                client.force_login(owner, backend="platform_core.accounts.backends.PhoneOrEmailBackend")
                print(f"{args.listings} listings, {args.orders} orders, {args.runs} runs per page")
                print(f"{'page':34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
                for page in PAGES:
                    median, p95, queries = measure(client, page, args.runs)
                    print(f"{page:34} {median:10.1f} {p95:8.1f} {queries:8d}")
                raise Rollback
        except Rollback:
            pass
    print("(rolled back: the database is unchanged)")


if __name__ == "__main__":
    main()
