"""Benchmark: checkout + pay through the API with N concurrent customers, vs pgbench of the bare SQL.

Each simulated customer (a thread with its own DRF test client and database connection, in-process,
loopback only) repeats: add a SKU to the cart, ``POST /api/v1/checkout/`` (Idempotency-Key),
``POST /api/v1/orders/{id}/pay/`` with the sandbox provider, then delivers the sandbox's signed
notification to ``POST /api/v1/payments/callbacks/sandbox/``. One "order" is that whole sequence; we
report orders/s, p50/p95 latency per order and errors, for a bounded time.

Beside it, in the same script, pgbench runs the equivalent bare order transaction (guarded stock
decrement + order insert + two ledger rows) with the same number of clients for the same time, on
scratch tables; the script prints both TPS figures and their ratio.

Needs a migrated PostgreSQL database it may WRITE to and keep writing (the ledger is append-only, so
the orders and postings it makes cannot be deleted): use a scratch database.

    createdb orders_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orders_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orders_bench \\
        .venv/bin/python bench/orders_checkout.py [--customers 8] [--seconds 20]
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_core.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from orders.models import Payment  # noqa: E402
from orders.payments.sandbox import sandbox_complete  # noqa: E402
from platform_core.accounts.models import User  # noqa: E402

PGBENCH_SCRIPT = """
\\set sku random(1, 100)
BEGIN;
UPDATE bench_orders_sku SET stock = stock - 1 WHERE id = :sku AND stock >= 1;
INSERT INTO bench_orders_order (sku_id, total, created_at) VALUES (:sku, 100.00, now());
INSERT INTO bench_orders_entry (account_id, amount) VALUES (1, -100.00), (:sku + 1, 100.00);
END;
"""


def arrange(customers: int, stock: int) -> tuple[list[User], int]:
    """A shop with one SKU of ample stock, and ``customers`` customer accounts."""
    from tests.factories.accounts import CustomerFactory
    from tests.factories.orders import shop, shop_category, sku_for_sale

    tag = uuid.uuid4().hex[:6]
    merchant = shop(shop_category(slug=f"bench-orders-{tag}"))
    sku = sku_for_sale(merchant=merchant, price="100.00", stock=stock, title=f"压测商品{tag}")
    users = [cast(User, CustomerFactory(password=None)) for _ in range(customers)]
    return users, sku.pk


def one_order(client: APIClient, sku_id: int, n: int, tag: str) -> None:
    response = client.post("/api/v1/cart/", {"sku": sku_id, "quantity": 1}, format="json")
    assert response.status_code == 200, response.content
    response = client.post(
        "/api/v1/checkout/",
        {"shipping_name": "压测", "shipping_phone": "13800000000", "shipping_address": "北京"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"bench-{tag}-{n}",
    )
    assert response.status_code == 201, response.content
    order_id = response.json()[0]["id"]
    response = client.post(
        f"/api/v1/orders/{order_id}/pay/",
        {"provider": "sandbox"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"bench-pay-{tag}-{n}",
    )
    assert response.status_code == 201, response.content
    headers, body = sandbox_complete(Payment.objects.get(out_trade_no=response.json()["out_trade_no"]))
    response = APIClient().generic(
        "POST",
        "/api/v1/payments/callbacks/sandbox/",
        body.decode(),
        content_type="application/json",
        HTTP_X_SANDBOX_SIGNATURE=headers["X-Sandbox-Signature"],
    )
    assert response.status_code == 200, response.content


def run_api(users: list[User], sku_id: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    barrier = threading.Barrier(len(users))

    def customer(user: User, index: int) -> None:
        client = APIClient()
        client.force_authenticate(user=user)
        tag = f"{index}-{uuid.uuid4().hex[:6]}"
        n = 0
        try:
            barrier.wait()
            while time.monotonic() < stop_at:
                n += 1
                started = time.perf_counter()
                try:
                    one_order(client, sku_id, n, tag)
                except Exception as exc:
                    with lock:
                        errors.append(repr(exc)[:200])
                    continue
                with lock:
                    latencies.append(time.perf_counter() - started)
        finally:
            connection.close()

    with override_settings(ORDERS_PAYMENT_SANDBOX={"auto": False}):
        started = time.monotonic()
        threads = [threading.Thread(target=customer, args=(u, i)) for i, u in enumerate(users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "orders": len(latencies),
        "orders_per_s": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"),
        "errors": len(errors),
        "first_errors": errors[:3],
    }


def run_pgbench(clients: int, seconds: int) -> float:
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    args = [
        "-h",
        str(db.get("HOST") or "127.0.0.1"),
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        str(db["USER"]),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            DROP TABLE IF EXISTS bench_orders_sku, bench_orders_order, bench_orders_entry;
            CREATE TABLE bench_orders_sku (id int PRIMARY KEY, stock int NOT NULL CHECK (stock >= 0));
            INSERT INTO bench_orders_sku SELECT g, 100000000 FROM generate_series(1, 100) g;
            CREATE TABLE bench_orders_order (id bigserial PRIMARY KEY, sku_id int NOT NULL,
                total numeric(12, 2) NOT NULL, created_at timestamptz NOT NULL);
            CREATE TABLE bench_orders_entry (id bigserial PRIMARY KEY, account_id int NOT NULL,
                amount numeric(18, 2) NOT NULL);
            """
        )
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
            script.write(PGBENCH_SCRIPT)
        result = subprocess.run(
            [
                shutil.which("pgbench") or "pgbench",
                *args,
                "-n",
                "-c",
                str(clients),
                "-j",
                str(min(clients, 2)),
                "-T",
                str(seconds),
                "-f",
                script.name,
                str(db["NAME"]),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", result.stdout)
        if match is None:
            match = re.search(r"tps = ([0-9.]+)", result.stdout)
        assert match is not None, result.stdout
        return float(match.group(1))
    finally:
        os.unlink(script.name)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_orders_sku, bench_orders_order, bench_orders_entry")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20, help="per phase; the whole run is bounded by ~3×")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("needs PostgreSQL: set DATABASE_URL")
    users, sku_id = arrange(args.customers, stock=1_000_000)
    api = run_api(users, sku_id, args.seconds)
    tps = run_pgbench(args.customers, args.seconds)
    print(f"customers: {args.customers}, {args.seconds} s per phase, loopback, in-process API")
    print(
        f"API checkout+pay: {api['orders']} orders, {api['orders_per_s']:.1f} orders/s, "
        f"p50 {api['p50_ms']:.0f} ms, p95 {api['p95_ms']:.0f} ms, errors {api['errors']}"
    )
    for error in api["first_errors"]:
        print(f"  error: {error}")
    print(f"pgbench bare order transaction: {tps:.1f} TPS")
    ratio = tps / api["orders_per_s"] if api["orders_per_s"] else float("inf")
    print(f"ratio (pgbench TPS / API orders per s): {ratio:.1f}")


if __name__ == "__main__":
    main()
