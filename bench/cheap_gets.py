"""Benchmark (issue 26): cheap GETs against ``/healthz`` in the same run, one client, over HTTP.

The goal: listing detail, the customer's order list and order detail, and the cart each answer within
3× of ``/healthz`` (which reads nothing but the database and Redis pings). The server is the one
``bench/checkout_http.py`` starts (gunicorn with the production settings' values under
``DJANGO_ENV=staging``, secrets generated, throttles raised); its data is one shop, one customer with an
API token, one paid order and one cart line. Each round requests every path ``--requests`` times in turn
on one keep-alive connection; medians per path over ``--rounds`` rounds are printed with their ratio to
``/healthz``; the last line is ``ratio=<the largest of them>``.

    .venv/bin/python bench/cheap_gets.py [--database bench_checkout] [--requests 200] [--rounds 3]

Database connections persist as production's (``DATABASE_CONN_MAX_AGE=300``; ``BENCH_CONN_MAX_AGE=0``
measures a new connection per request, as the first runs did).

The database (PostgreSQL at ``DATABASE_URL``'s server) is created and migrated when missing, reused
otherwise (it may be the checkout bench's).
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkout_http import ROOT, Server, arrange, environment, prepare_database


def _timed_get(conn: http.client.HTTPConnection, path: str, token: str | None) -> float:
    headers = {"Host": "127.0.0.1"}
    if token:
        headers["Authorization"] = f"Token {token}"
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
    return elapsed * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", default="bench_checkout")
    parser.add_argument("--requests", type=int, default=200, help="per path and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    database_url = urlparse(base)._replace(path=f"/{args.database}").geturl()
    var_dir = Path(os.environ.get("PLATFORM_VAR_DIR", ROOT / "var"))
    env = environment(database_url, var_dir, args.database)
    # production keeps each worker's database connection (DATABASE_CONN_MAX_AGE 300, decision 028); the
    # staging default is 0, which opened a new connection per request and measured that (decision 049)
    env["DATABASE_CONN_MAX_AGE"] = os.environ.get("BENCH_CONN_MAX_AGE", "300")
    prepare_database(base, args.database, env)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from catalog.models import Sku
    from orders.services.cart import cart_item_add
    from platform_core.accounts.models import User

    client = arrange(1)[0]
    customer = User.objects.get(pk=client["customer"])
    cart_item_add(customer=customer, sku_id=client["sku"], quantity=1, actor=customer)
    listing = Sku.objects.values_list("listing_id", flat=True).get(pk=client["sku"])
    connection.close()
    token = client["token"]
    paths: dict[str, tuple[str, str | None]] = {
        "healthz": ("/healthz", None),
        "listing detail": (f"/api/v1/listings/{listing}/", None),
        "order list": ("/api/v1/orders/", token),
        "order detail": (f"/api/v1/orders/{client['order']}/", token),
        "cart": ("/api/v1/cart/", token),
    }
    medians: dict[str, list[float]] = {name: [] for name in paths}
    server = Server(env)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        for path, auth in paths.values():  # warm-up: connections, caches, imports
            for _ in range(10):
                _timed_get(conn, path, auth)
        for number in range(1, args.rounds + 1):
            times: dict[str, list[float]] = {name: [] for name in paths}
            for _ in range(args.requests):
                for name, (path, auth) in paths.items():
                    times[name].append(_timed_get(conn, path, auth))
            for name in paths:
                medians[name].append(statistics.median(times[name]))
            print(
                f"round {number}: "
                + ", ".join(f"{name} {statistics.median(times[name]):.1f} ms" for name in paths),
                flush=True,
            )
    finally:
        server.stop()
    anchor = statistics.median(medians["healthz"])
    ratios = {
        name: statistics.median(values) / anchor for name, values in medians.items() if name != "healthz"
    }
    print(f"one client, {args.requests} requests per path and round, {args.rounds} rounds")
    print(f"median /healthz: {anchor:.1f} ms")
    for name, ratio in ratios.items():
        print(f"median {name}: {statistics.median(medians[name]):.1f} ms, {ratio:.2f}× /healthz")
    print(json.dumps({name: round(ratio, 2) for name, ratio in ratios.items()}))
    print(f"ratio={max(ratios.values()):.2f}")


if __name__ == "__main__":
    main()
