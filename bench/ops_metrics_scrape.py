"""Benchmark: what one ``/metrics`` scrape costs the database as the deadline table grows (OPS-5).

The deadline figures are computed at scrape time by grouped queries (``PlatformCollector``). This inserts
10,000 then 1,000,000 deadline rows (90 % resolved, 10 % pending, a few hundred enforced in the last day)
and prints the median collector time for each. Prometheus scrapes every 15-60 s; the target is under a
second at a million rows. Measured on the 2-core dev box (another test run in parallel): 75 ms at 10,000
rows, 820 ms at 1,000,000 — the per-status totals scan the table; if that grows past a few million rows,
count resolved rows over a window (as the lateness histogram does) instead of over all history.

Needs PostgreSQL: ``DATABASE_URL=postgres://… .venv/bin/python bench/ops_metrics_scrape.py``.
Everything happens inside one transaction that is rolled back at the end: nothing is left behind.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_core.settings")

import django

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from platform_core.deadlines.models import Canary  # noqa: E402
from platform_core.operations.metrics import PlatformCollector  # noqa: E402

REPETITIONS = 7


class Rollback(Exception):
    pass


def insert(cursor, *, first: int, count: int, content_type_id: int) -> None:
    cursor.execute(
        """
        INSERT INTO deadlines_deadline
            (rule, subject_type_id, subject_id, due_at, status, started_at, resolved_at, attempts,
             last_error, lateness)
        SELECT 'bench.rule_' || (g %% 12), %s, 'bench-' || g,
               now() - (g %% 1000) * interval '1 minute',
               CASE WHEN g %% 10 = 0 THEN 'pending' WHEN g %% 10 < 6 THEN 'met' ELSE 'enforced' END,
               now() - interval '2 days',
               CASE WHEN g %% 10 = 0 THEN NULL ELSE now() - (g %% 2000) * interval '1 minute' END,
               0, '',
               CASE WHEN g %% 10 >= 6 THEN (g %% 300) * interval '1 second' ELSE NULL END
        FROM generate_series(%s, %s) AS g
        """,
        [content_type_id, first, first + count - 1],
    )
    cursor.execute("ANALYZE deadlines_deadline")


def scrape_seconds() -> float:
    collector = PlatformCollector()
    times = []
    for _ in range(REPETITIONS):
        started = time.perf_counter()
        families = list(collector.collect())
        times.append(time.perf_counter() - started)
    up = next(f for f in families if f.name == "platform_collector_up")
    assert up.samples[0].value == 1, "the collector failed"
    return statistics.median(times)


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("needs PostgreSQL (DATABASE_URL)")
    ct = ContentType.objects.get_for_model(Canary).pk
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # the partial unique index allows one pending row per (rule, subject): subject ids differ
                insert(cursor, first=1, count=10_000, content_type_id=ct)
                small = scrape_seconds()
                print(f"10,000 deadlines:    median scrape {small * 1000:7.1f} ms")
                insert(cursor, first=10_001, count=990_000, content_type_id=ct)
                large = scrape_seconds()
                print(f"1,000,000 deadlines: median scrape {large * 1000:7.1f} ms")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
