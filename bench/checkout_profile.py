"""Profile (issue 26): the CPU of one order's four requests in-process, as ``bench/checkout_http.py`` makes
them (cart, checkout, pay, signed callback), through Django's full request handling (middleware, DRF)
with the bench's production-like environment and a persistent connection; no gunicorn, no HTTP.

Prints the CPU per request (``time.process_time``, no profiler), the SQL statements per request, and with
``--profile`` the top functions of a ``cProfile`` run (its timer ``time.process_time``) per request.

    .venv/bin/python bench/checkout_profile.py [--database bench_profile] [--orders 60] [--profile]
"""

import argparse
import cProfile
import hashlib
import hmac
import io
import json
import os
import pstats
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from checkout_http import arrange, setup  # noqa: E402

REQUESTS = ("cart", "checkout", "pay", "callback")


def _requests(client: Any, info: dict[str, Any], key: str, sandbox_key: bytes) -> Any:
    """The four requests of one order, each a callable (the callback's body needs the pay's answer)."""
    from orders.payments.sandbox import SIGNATURE_HEADER, sandbox_payer_account, sandbox_trade_no

    auth = {"HTTP_AUTHORIZATION": f"Token {info['token']}"}
    state: dict[str, Any] = {}

    def post(path: str, body: bytes, **headers: str) -> Any:
        response = client.generic("POST", path, body, content_type="application/json", **headers)
        assert response.status_code < 300, (path, response.status_code, response.content[:300])
        return response

    def cart() -> None:
        post("/api/v1/cart/", json.dumps({"sku": info["sku"], "quantity": 1}).encode(), **auth)

    def checkout() -> None:
        shipping = {
            "shipping_name": "压测",
            "shipping_phone": "13800000000",
            "shipping_address": "北京市朝阳区1号",
        }
        answer = post(
            "/api/v1/checkout/", json.dumps(shipping).encode(), HTTP_IDEMPOTENCY_KEY=f"co-{key}", **auth
        )
        state["order"] = json.loads(answer.content)[0]

    def pay() -> None:
        answer = post(
            f"/api/v1/orders/{state['order']['id']}/pay/",
            json.dumps({"provider": "sandbox"}).encode(),
            HTTP_IDEMPOTENCY_KEY=f"pay-{key}",
            **auth,
        )
        state["out_trade_no"] = json.loads(answer.content)["out_trade_no"]

    def callback() -> None:
        out_trade_no = state["out_trade_no"]
        body = json.dumps(
            {
                "out_trade_no": out_trade_no,
                "trade_no": sandbox_trade_no(out_trade_no),
                "total_amount": state["order"]["total"],
                "trade_status": "TRADE_SUCCESS",
                "notify_time": datetime.now(UTC).isoformat(),
                "payer_account": sandbox_payer_account(info["customer"]),
            },
            sort_keys=True,
        ).encode()
        signature = hmac.new(sandbox_key, body, hashlib.sha256).hexdigest()
        header = "HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_")
        post("/api/v1/payments/callbacks/sandbox/", body, **{header: signature})

    return (cart, checkout, pay, callback)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", default="bench_profile")
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--profile", action="store_true", help="cProfile each request kind, top 25")
    args = parser.parse_args()
    setup(args.database)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    info = arrange(1)[0]
    sandbox_key = settings.ORDERS_PAYMENT_SANDBOX_KEY.encode()
    client = Client(HTTP_HOST="127.0.0.1")
    tag = uuid.uuid4().hex[:8]
    for n in range(3):  # warm-up: imports, connection, prepared statements
        for step in _requests(client, info, f"{tag}-w{n}", sandbox_key):
            step()

    statements: dict[str, int] = {}
    with_queries = _requests(client, info, f"{tag}-q", sandbox_key)
    for name, step in zip(REQUESTS, with_queries, strict=True):
        with CaptureQueriesContext(connection) as queries:
            step()
        statements[name] = len(queries)

    cpu: dict[str, list[float]] = {name: [] for name in REQUESTS}
    for n in range(args.orders):
        for name, step in zip(REQUESTS, _requests(client, info, f"{tag}-{n}", sandbox_key), strict=True):
            started = time.process_time()
            step()
            cpu[name].append(time.process_time() - started)

    if args.profile:
        profiles = {name: cProfile.Profile(time.process_time) for name in REQUESTS}
        for n in range(args.orders):
            steps = _requests(client, info, f"{tag}-p{n}", sandbox_key)
            for name, step in zip(REQUESTS, steps, strict=True):
                profiles[name].runcall(step)
        for name in REQUESTS:
            out = io.StringIO()
            pstats.Stats(profiles[name], stream=out).sort_stats("cumulative").print_stats(
                r"^(?!.*site-packages)", 30
            )
            print(f"===== {name} =====")
            print(out.getvalue())

    load = os.getloadavg()
    total = 0.0
    for name in REQUESTS:
        median = 1000 * statistics.median(cpu[name])
        total += median
        print(
            f"{name}: CPU median {median:.2f} ms, mean {1000 * statistics.mean(cpu[name]):.2f} ms, "
            f"{statements[name]} statements"
        )
    print(
        f"CPU per order (sum of medians): {total:.1f} ms; statements {sum(statements.values())}; "
        f"{args.orders} orders; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


if __name__ == "__main__":
    main()
