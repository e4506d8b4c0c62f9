"""AUD-3 benchmark: a 1,000,000-row ledger CSV export streams with flat memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/reports_ledger_export.py

Needs a migrated PostgreSQL database. Everything happens in ONE transaction that is rolled back at the
end: 1,000,000 scratch ledger entries (500,000 balanced two-leg transactions keyed ``bench:…``, made with
``generate_series``), the export log rows and audit entries. Nothing is left behind and no append-only
trigger is bypassed (the deferred balance check never fires: there is no commit).

It streams the CSV of 100,000 rows (a date filter) and of all 1,000,000 rows through the real export
code (``export_start`` + ``export_csv_stream``, the generator the HTTP response iterates), sampling the
process's resident memory at every chunk, and prints per run: peak RSS growth over the run's start,
time to first byte and to the first data rows, total time, throughput; then the ratio of the two RSS
growths (target <= 1.2: memory does not follow the row count).
"""

import argparse
import os
import resource
import sys
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_core.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from platform_core.accounts.models import User  # noqa: E402
from platform_core.ledger.models import AccountKind  # noqa: E402
from platform_core.ledger.services import ledger_account_for  # noqa: E402
from platform_core.reports.registry import ReportFilters  # noqa: E402
from platform_core.reports.services import (  # noqa: E402
    export_csv_stream,
    export_start,
    report_permissions_sync,
)

PAGE = os.sysconf("SC_PAGE_SIZE")
SMALL_DAY, BIG_DAY = date(2001, 1, 1), date(2001, 1, 2)  # far from real data


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def seed(total_entries: int, small_entries: int) -> None:
    clearing = ledger_account_for(kind=AccountKind.CUSTOMER_PAYMENTS_CLEARING)
    revenue = ledger_account_for(kind=AccountKind.PLATFORM_REVENUE)
    with connection.cursor() as cursor:
        for day, n_txn, offset in (
            (SMALL_DAY, small_entries // 2, 0),
            (BIG_DAY, (total_entries - small_entries) // 2, small_entries // 2),
        ):
            at = timezone.make_aware(datetime(day.year, day.month, day.day, 12))
            cursor.execute(
                """
                INSERT INTO ledger_ledgertransaction (idempotency_key, kind, memo, fingerprint, created_at)
                SELECT 'bench:' || (g + %s), 'adjustment', 'benchmark scratch row', '', %s
                FROM generate_series(1, %s) AS g
                """,
                [offset, at, n_txn],
            )
        cursor.execute(
            """
            INSERT INTO ledger_ledgerentry (transaction_id, account_id, amount)
            SELECT t.id, legs.account_id, legs.amount
            FROM ledger_ledgertransaction t
            CROSS JOIN (VALUES (%s::bigint, 12.34::numeric), (%s::bigint, -12.34::numeric)) AS legs(account_id, amount)
            WHERE t.idempotency_key LIKE 'bench:%%'
            """,
            [clearing.pk, revenue.pk],
        )
        cursor.execute("ANALYZE ledger_ledgerentry")
        cursor.execute("ANALYZE ledger_ledgertransaction")


def run(actor: User, filters: ReportFilters, label: str) -> dict[str, float]:
    export = export_start(code="ledger_entries", filters=filters, fmt="csv", actor=actor)
    start_rss = rss_bytes()
    peak = start_rss
    started = time.perf_counter()
    first_byte = first_rows = None
    size = 0
    stream = export_csv_stream(export=export)
    for data in stream:
        now = time.perf_counter()
        if first_byte is None:
            first_byte = now - started
        elif first_rows is None:
            first_rows = now - started
        size += len(data)
        peak = max(peak, rss_bytes())
    stream.close()
    elapsed = time.perf_counter() - started
    export.refresh_from_db()
    result = {
        "rows": export.row_count,
        "rss_growth_mb": (peak - start_rss) / 2**20,
        "ttfb_ms": (first_byte or 0) * 1000,
        "first_rows_ms": (first_rows or 0) * 1000,
        "seconds": elapsed,
        "mb": size / 2**20,
    }
    print(
        f"{label:>5}: {export.row_count:>9,} rows  {result['mb']:7.1f} MiB  status={export.status}  "
        f"sha256={export.sha256[:12]}…  peak RSS growth {result['rss_growth_mb']:6.2f} MiB  "
        f"TTFB {result['ttfb_ms']:.1f} ms (first rows {result['first_rows_ms']:.1f} ms)  "
        f"{elapsed:6.1f} s ({export.row_count / elapsed:,.0f} rows/s)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    args = parser.parse_args()
    if not settings.IS_POSTGRES:
        sys.exit("set DATABASE_URL to a migrated PostgreSQL database")
    print(f"chunk size {settings.REPORTS_CHUNK_SIZE}; python RSS at start {rss_bytes() / 2**20:.1f} MiB")
    with transaction.atomic():
        report_permissions_sync()
        actor = User.objects.create(email="bench-reports@example.invalid", is_staff=True)
        # given directly: the auditor group may not exist in a bare database
        actor.user_permissions.add(Permission.objects.get(codename="export_ledger_entries"))
        actor = User.objects.get(pk=actor.pk)
        t0 = time.perf_counter()
        seed(args.rows, args.small)
        print(
            f"seeded {args.rows:,} ledger entries in {time.perf_counter() - t0:.1f} s (rolled back at the end)"
        )
        run(actor, ReportFilters(date_from=SMALL_DAY, date_to=SMALL_DAY), "warm")  # allocator, caches, plans
        small = run(actor, ReportFilters(date_from=SMALL_DAY, date_to=SMALL_DAY), "100k")
        big = run(actor, ReportFilters(date_from=SMALL_DAY, date_to=BIG_DAY), "1M")
        floor = 1.0  # MiB: below this the growth is noise (allocator pages), count it as 1 MiB
        ratio = max(big["rss_growth_mb"], floor) / max(small["rss_growth_mb"], floor)
        print(
            f"RSS growth ratio 1M/100k = {ratio:.2f} (target <= 1.2) -> {'OK' if ratio <= 1.2 else 'FAIL'}; "
            f"ru_maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB"
        )
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
