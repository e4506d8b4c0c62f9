"""Benchmark (issue 26): checkout + pay + signed callback over HTTP against gunicorn, alternated with pgbench
running the same essential transaction on the real tables; last line ``ratio=<HTTP orders/s ÷ pgbench TPS>``.

One HTTP "order" is what a customer's app and the payment provider do: ``POST /api/v1/cart/``,
``POST /api/v1/checkout/`` (Idempotency-Key), ``POST /api/v1/orders/{id}/pay/`` with a real API token, then
the provider's signed notification ``POST /api/v1/payments/callbacks/sandbox/``. ``--clients`` (4) run
at once, each with its own customer and SKU, over keep-alive connections.

The pgbench transaction is the essence of it on the platform's own tables (8 statements): BEGIN, the
guarded stock decrement of the SKU, the order, its line, a ledger transaction with its two entries (order
escrow +, payments clearing -), the order marked paid, COMMIT. Each phase runs ``--seconds``; HTTP and
pgbench alternate ``--rounds`` (3) times; medians are printed.

The server: gunicorn (``gunicorn.conf.py``, ``WEB_CONCURRENCY`` 3 workers) with the production settings'
values, but ``DJANGO_ENV=staging``: production refuses to start with the sandbox payment provider
enabled (decision 019, platform.E101), and no real gateway can be called from here. Everything else a
production process reads is set as production sets it (DEBUG off, secrets generated — as ``.ci/run``
does — and kept per database under ``PLATFORM_VAR_DIR/bench/`` so a second run signs with the same
keys, the second factor required, no access log, and the defaults production gives settings that key on
``DJANGO_ENV``: persistent connections, JSON logs); ``ORDERS_PAYMENT_PROVIDERS=sandbox`` is the one
difference, set for this process only. Throttles are raised for the run (one client IP makes every
request; per-IP limits would measure the throttle, not the platform).

    .venv/bin/python bench/checkout_http.py [--database bench_checkout] [--seconds 20] [--rounds 3]

The database (PostgreSQL at ``DATABASE_URL``'s server) is created and migrated when missing, reused
otherwise; the script can run twice in a row on it. ``REDIS_URL`` is used as given.
"""

import argparse
import hashlib
import hmac
import http.client
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from base64 import urlsafe_b64encode
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _secrets(var_dir: Path, database: str) -> dict[str, str]:
    """The generated secrets of this bench database (kept, so that a second run verifies the first's)."""
    path = var_dir / "bench" / f"checkout_http-{database}.json"
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        return stored

    def rnd() -> str:
        return secrets.token_hex(24)

    values = {
        "DJANGO_SECRET_KEY": f"bench-{rnd()}",
        "OPS_METRICS_TOKEN": rnd(),
        "FIELD_ENCRYPTION_KEYS": urlsafe_b64encode(os.urandom(32)).decode(),
        "AUDIT_CHAIN_KEYS": f"bench:{rnd()}",
        "ORDERS_PAYMENT_SANDBOX_KEY": rnd(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


def environment(database_url: str, var_dir: Path, database: str) -> dict[str, str]:
    return {
        **_secrets(var_dir, database),
        "DJANGO_ENV": "staging",
        "DJANGO_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "platform_core.settings",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "PLATFORM_VAR_DIR": str(var_dir),
        "STAFF_REQUIRE_OTP": "true",
        "ORDERS_PAYMENT_PROVIDERS": "sandbox",
        "ORDERS_LOGISTICS_CARRIERS": "",
        "ORDERS_PAYOUT_PROVIDER": "manual",
        "API_THROTTLE_ANON": "1000000/min",
        "API_THROTTLE_USER": "1000000/min",
        "GUNICORN_ACCESS_LOG": "",
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "3"),
        "LOG_LEVEL": "WARNING",
        # production's defaults of settings that key on DJANGO_ENV=production, which staging does not get:
        # persistent connections (decision 028; 0 would connect anew for every request) and JSON logs
        "DATABASE_CONN_MAX_AGE": "300",
        "LOG_FORMAT": "json",
    }


def prepare_database(admin_url: str, database: str, env: dict[str, str]) -> None:
    parsed = urlparse(admin_url)
    args = [
        "-h",
        parsed.hostname or "127.0.0.1",
        "-p",
        str(parsed.port or 5432),
        "-U",
        parsed.username or "postgres",
    ]
    exists = subprocess.run(
        ["psql", *args, "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{database}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["createdb", *args, database], check=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def setup(database: str) -> tuple[str, dict[str, str]]:
    """The bench database (created and migrated if missing) and this process's environment set as the
    server's, Django set up; returns the database's URL and that environment."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    database_url = urlparse(base)._replace(path=f"/{database}").geturl()
    var_dir = Path(os.environ.get("PLATFORM_VAR_DIR", ROOT / "var"))
    env = environment(database_url, var_dir, database)
    prepare_database(base, database, env)
    os.environ.update(env)
    import django

    django.setup()
    return database_url, env


def arrange(clients: int) -> list[dict[str, Any]]:
    """One shop with one SKU per client (ample stock), a customer with an API token per client, and one
    paid template order per client for pgbench to copy."""
    import factory

    from catalog.models import Sku
    from orders.models import Order
    from platform_core.accounts.models import User
    from platform_core.accounts.services import user_token_issue
    from platform_core.ledger.models import AccountKind
    from platform_core.ledger.services import ledger_account_for
    from tests.factories import accounts, catalog, merchants, orders
    from tests.factories.accounts import CustomerFactory
    from tests.factories.orders import checkout, shop, shop_category, sku_for_sale

    # the factories' sequences start again in every process: move them past the previous runs' rows
    offset = int(time.time()) % 5_000_000 + 1_000_000
    for module in (accounts, catalog, merchants, orders):
        for name, item in list(vars(module).items()):
            if isinstance(item, itertools.count):  # the factories' idempotency keys
                setattr(module, name, itertools.count(offset))
            if isinstance(item, type) and issubclass(item, factory.base.Factory) and item._meta.model:
                try:
                    item.reset_sequence(offset, force=True)
                except Exception:
                    continue
    tag = uuid.uuid4().hex[:6]
    merchant = shop(shop_category(slug=f"bench-http-{tag}"))
    result = []
    for index in range(clients):
        sku = sku_for_sale(merchant=merchant, price="100.00", stock=10, title=f"压测商品{tag}-{index}")
        Sku.objects.filter(pk=sku.pk).update(stock=1_000_000_000)
        customer: User = CustomerFactory(password=None)  # type: ignore[assignment]
        _token, raw = user_token_issue(user=customer)
        template: Order = checkout(customer=customer, items=[(sku, 1)])[0]
        result.append(
            {
                "sku": sku.pk,
                "customer": customer.pk,
                "token": raw,
                "order": template.pk,
                "line": template.lines.get().pk,
                "escrow": ledger_account_for(kind=AccountKind.ORDER_ESCROW, owner=template).pk,
                "clearing": ledger_account_for(kind=AccountKind.CUSTOMER_PAYMENTS_CLEARING).pk,
            }
        )
    return result


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "platform_core.wsgi"],
            cwd=ROOT,
            env={**os.environ, **env, "PORT": str(self.port)},
            stdout=subprocess.DEVNULL,
            stderr=open(Path(env["PLATFORM_VAR_DIR"]) / "bench" / "gunicorn.log", "ab"),  # noqa: SIM115
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
                if conn.getresponse().status in (200, 503):
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise SystemExit("gunicorn did not answer /healthz within 60 s (see var/bench/gunicorn.log)")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def _request(
    conn: http.client.HTTPConnection, method: str, path: str, body: bytes, headers: dict[str, str]
) -> Any:
    conn.request(
        method, path, body=body, headers={"Host": "127.0.0.1", "Content-Type": "application/json", **headers}
    )
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
    try:
        return json.loads(data)
    except ValueError:
        return data  # the callback answers the provider in its own plain format


def one_order(conn: http.client.HTTPConnection, client: dict[str, Any], key: str, sandbox_key: bytes) -> None:
    from orders.payments.sandbox import SIGNATURE_HEADER, sandbox_payer_account, sandbox_trade_no

    auth = {"Authorization": f"Token {client['token']}"}
    _request(conn, "POST", "/api/v1/cart/", json.dumps({"sku": client["sku"], "quantity": 1}).encode(), auth)
    shipping = {
        "shipping_name": "压测",
        "shipping_phone": "13800000000",
        "shipping_address": "北京市朝阳区1号",
    }
    orders = _request(
        conn,
        "POST",
        "/api/v1/checkout/",
        json.dumps(shipping).encode(),
        {**auth, "Idempotency-Key": f"co-{key}"},
    )
    order = orders[0]
    payment = _request(
        conn,
        "POST",
        f"/api/v1/orders/{order['id']}/pay/",
        json.dumps({"provider": "sandbox"}).encode(),
        {**auth, "Idempotency-Key": f"pay-{key}"},
    )
    out_trade_no = payment["out_trade_no"]
    body = json.dumps(
        {
            "out_trade_no": out_trade_no,
            "trade_no": sandbox_trade_no(out_trade_no),
            "total_amount": order["total"],
            "trade_status": "TRADE_SUCCESS",
            "notify_time": datetime.now(UTC).isoformat(),
            "payer_account": sandbox_payer_account(client["customer"]),
        },
        sort_keys=True,
    ).encode()
    signature = hmac.new(sandbox_key, body, hashlib.sha256).hexdigest()
    _request(conn, "POST", "/api/v1/payments/callbacks/sandbox/", body, {SIGNATURE_HEADER: signature})


def run_http(port: int, clients: list[dict[str, Any]], seconds: float, sandbox_key: bytes) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)
    stop_at = [0.0]
    go = threading.Event()

    def customer(client: dict[str, Any]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        tag = uuid.uuid4().hex[:8]
        n = 0
        try:  # warm-up, not timed: the workers' first requests import and connect
            one_order(conn, client, f"{tag}-warm", sandbox_key)
        except Exception as exc:
            with lock:
                errors.append(f"warm-up: {exc!r}"[:300])
        barrier.wait()
        go.wait()
        while time.monotonic() < stop_at[0]:
            n += 1
            started = time.perf_counter()
            try:
                one_order(conn, client, f"{tag}-{n}", sandbox_key)
            except Exception as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    errors.append(repr(exc)[:300])
                continue
            with lock:
                latencies.append(time.perf_counter() - started)
        conn.close()

    threads = [threading.Thread(target=customer, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    barrier.wait()
    stop_at[0] = time.monotonic() + seconds
    started = time.monotonic()
    go.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "orders_per_s": len(latencies) / elapsed,
        "orders": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"),
        "errors": len(errors),
        "first_errors": errors[:3],
    }


def pgbench_scripts(clients: list[dict[str, Any]], directory: Path) -> list[Path]:
    """One script per client's SKU and template order (pgbench picks one at random per transaction)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            ["orders_order"],
        )
        order_columns = [r[0] for r in cursor.fetchall() if r[0] != "id"]
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            ["orders_orderline"],
        )
        line_columns = [r[0] for r in cursor.fetchall() if r[0] != "id"]
    order_values = {
        "number": "'PGB' || pg_current_xact_id()::text",
        "status": "'pending_payment'",
        "created_at": "now()",
        "paid_at": "NULL",
    }
    paths = []
    for index, client in enumerate(clients):
        select_order = ", ".join(order_values.get(c, c) for c in order_columns)
        select_line = ", ".join(":oid" if c == "order_id" else c for c in line_columns)
        script = f"""
BEGIN;
UPDATE catalog_sku SET stock = stock - 1 WHERE id = {client["sku"]} AND stock >= 1;
INSERT INTO orders_order ({", ".join(order_columns)}) SELECT {select_order} FROM orders_order WHERE id = {client["order"]} RETURNING id AS oid, total AS total \\gset
INSERT INTO orders_orderline ({", ".join(line_columns)}) SELECT {select_line} FROM orders_orderline WHERE id = {client["line"]};
INSERT INTO ledger_ledgertransaction (idempotency_key, kind, memo, subject_id, fingerprint, created_at) VALUES ('pgb-' || :oid, 'payment', '', :oid, 'pgbench', now()) RETURNING id AS tid \\gset
INSERT INTO ledger_ledgerentry (transaction_id, account_id, amount) VALUES (:tid, {client["escrow"]}, :total), (:tid, {client["clearing"]}, -:total);
UPDATE orders_order SET status = 'paid', paid_at = now() WHERE id = :oid;
COMMIT;
"""
        path = directory / f"client{index}.sql"
        path.write_text(script)
        paths.append(path)
    return paths


def run_pgbench(database_url: str, scripts: list[Path], clients: int, seconds: int) -> float:
    parsed = urlparse(database_url)
    args = [
        "-h",
        parsed.hostname or "127.0.0.1",
        "-p",
        str(parsed.port or 5432),
        "-U",
        parsed.username or "postgres",
    ]
    files = [arg for path in scripts for arg in ("-f", str(path))]
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
            *files,
            parsed.path.lstrip("/"),
        ],
        env={**os.environ, "PGPASSWORD": parsed.password or ""},
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", result.stdout) or re.search(
        r"tps = ([0-9.]+)", result.stdout
    )
    assert match is not None, result.stdout
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", default="bench_checkout")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=20, help="per phase")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    database_url, env = setup(args.database)
    from django.conf import settings
    from django.db import connection

    try:
        from platform_core.audit.services import audit_seal
    except ImportError:  # the code before issue 26 (chained under a lock): nothing to seal

        def audit_seal(*, batch: int | None = None) -> int:
            return 0

    clients = arrange(args.clients)
    connection.close()
    sandbox_key = settings.ORDERS_PAYMENT_SANDBOX_KEY.encode()
    server = Server(env)
    rounds: list[tuple[dict[str, Any], float]] = []
    try:
        with tempfile.TemporaryDirectory() as directory:
            scripts = pgbench_scripts(clients, Path(directory))
            connection.close()
            for number in range(1, args.rounds + 1):
                http_result = run_http(server.port, clients, args.seconds, sandbox_key)
                tps = run_pgbench(database_url, scripts, args.clients, args.seconds)
                sealed_at = time.monotonic()
                sealed = audit_seal()  # what beat's sealer would have done meanwhile (no worker here)
                connection.close()
                rounds.append((http_result, tps))
                print(
                    f"round {number}: HTTP {http_result['orders_per_s']:.2f} orders/s ({http_result['orders']} orders, "
                    f"p50 {http_result['p50_ms']:.0f} ms, p95 {http_result['p95_ms']:.0f} ms, errors "
                    f"{http_result['errors']}); pgbench {tps:.1f} TPS; ratio {http_result['orders_per_s'] / tps:.4f}; "
                    f"sealer: {sealed} audit entries in {time.monotonic() - sealed_at:.2f} s",
                    flush=True,
                )
                for error in http_result["first_errors"]:
                    print(f"  error: {error}", flush=True)
    finally:
        server.stop()
    http_rate = statistics.median(r["orders_per_s"] for r, _ in rounds)
    pg_rate = statistics.median(t for _, t in rounds)
    p50 = statistics.median(r["p50_ms"] for r, _ in rounds)
    p95 = statistics.median(r["p95_ms"] for r, _ in rounds)
    errors = sum(r["errors"] for r, _ in rounds)
    print(
        f"{args.clients} clients, {args.seconds} s per phase, {args.rounds} rounds, gunicorn "
        f"{env['WEB_CONCURRENCY']} workers (DJANGO_ENV=staging: production values, sandbox provider enabled)"
    )
    print(
        f"median HTTP checkout+pay+callback: {http_rate:.2f} orders/s, p50 {p50:.0f} ms, p95 {p95:.0f} ms, errors {errors}"
    )
    print(f"median pgbench essential transaction: {pg_rate:.1f} TPS")
    print(f"p95/p50: {p95 / p50:.2f}")
    print(f"ratio={http_rate / pg_rate:.4f}")


if __name__ == "__main__":
    main()
