"""Benchmark: the deadline sweep's claim query costs O(due rows), not O(pending rows) (OPS-1).

Finds-and-claims the 1,000 due deadlines among 10,000 and among 1,000,000 not-yet-due pending ones,
using the sweep's own query (``deadline_ids_claim_due``), and prints both medians and their ratio
(target < 2).

Needs PostgreSQL: ``DATABASE_URL=postgres://… .venv/bin/python bench/deadlines_claim.py``.
It WRITES to that database, but only inside a scratch schema ``bench_deadlines`` that it creates (with
its own copy of the tables, built from the models) and drops at the end; nothing else is touched and no
migrations are needed. Rows are generated server-side with ``generate_series``.
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

from django.conf import settings  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from platform_core.deadlines.models import Deadline  # noqa: E402
from platform_core.deadlines.selectors import deadlines_due  # noqa: E402
from platform_core.deadlines.services import deadline_ids_claim_due  # noqa: E402

SCHEMA = "bench_deadlines"
DUE = 1_000
REPETITIONS = 31


def insert_pending(cursor, *, first: int, count: int, due_in_seconds: int, content_type_id: int) -> None:
    """``count`` pending rows with subject ids from ``first``, due ``due_in_seconds`` (+ i ms) from now."""
    cursor.execute(
        """
        INSERT INTO deadlines_deadline
            (rule, subject_type_id, subject_id, due_at, status, started_at, attempts, last_error)
        SELECT 'bench.rule', %s, i::text, now() + make_interval(secs => %s + i / 1000.0),
               'pending', now(), 0, ''
        FROM generate_series(%s, %s) AS i
        """,
        [content_type_id, due_in_seconds, first, first + count - 1],
    )
    # As in production after autovacuum: visibility map and hint bits set, statistics fresh.
    cursor.execute("VACUUM ANALYZE deadlines_deadline")


def server_time_ms() -> float:
    """The claim's execution time inside PostgreSQL (EXPLAIN ANALYZE), without client overhead."""
    with transaction.atomic():
        claim = deadlines_due(now=timezone.now()).select_for_update(skip_locked=True)
        plan = claim.values_list("pk", flat=True)[:DUE].explain(analyze=True)
    return float(plan.rsplit("Execution Time: ", 1)[1].split(" ms")[0])


def measure() -> tuple[float, float]:
    now = timezone.now()
    timings = []
    for _ in range(REPETITIONS + 1):
        started = time.perf_counter()
        ids = deadline_ids_claim_due(now=now, size=DUE)
        timings.append(time.perf_counter() - started)
        assert len(ids) == DUE, len(ids)
    server = statistics.median(server_time_ms() for _ in range(REPETITIONS))
    return statistics.median(timings[1:]), server  # the first run warms the cache


def main() -> None:
    if not settings.IS_POSTGRES:
        sys.exit("needs PostgreSQL: set DATABASE_URL=postgres://…")
    print(f"writing to database {connection.settings_dict['NAME']!r}, scratch schema {SCHEMA!r} only")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
        cursor.execute(f"SET search_path TO {SCHEMA}")
    try:
        with connection.schema_editor() as editor:
            editor.create_model(ContentType)
            editor.create_model(Deadline)
        content_type = ContentType.objects.create(app_label="bench", model="subject")
        results = {}
        with connection.cursor() as cursor:
            insert_pending(cursor, first=1, count=DUE, due_in_seconds=-3600, content_type_id=content_type.pk)
            done = 0
            for total in (10_000, 1_000_000):
                started = time.perf_counter()
                insert_pending(
                    cursor,
                    first=DUE + done + 1,
                    count=total - done,
                    due_in_seconds=86_400,
                    content_type_id=content_type.pk,
                )
                done = total
                print(
                    f"{total:>9,} pending not due + {DUE:,} due: inserted in {time.perf_counter() - started:.1f}s"
                )
                results[total] = measure()
            with transaction.atomic():
                claim = deadlines_due(now=timezone.now()).select_for_update(skip_locked=True)
                plan_text = claim.values_list("pk", flat=True)[:DUE].explain(analyze=True, buffers=True)
            plan = "\n".join(f"    {line}" for line in plan_text.splitlines())
        (small, small_server), (large, large_server) = results[10_000], results[1_000_000]
        print(f"median of {REPETITIONS} claims of {DUE:,} due rows (whole call / inside PostgreSQL):")
        print(f"  among    10,000 pending: {small * 1000:7.2f} ms / {small_server:6.2f} ms")
        print(f"  among 1,000,000 pending: {large * 1000:7.2f} ms / {large_server:6.2f} ms")
        print(
            f"ratio {large / small:.2f} whole call, {large_server / small_server:.2f} in PostgreSQL (target < 2)"
        )
        print("plan of the claim query (1,000,000 pending):\n" + plan)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"SET search_path TO public; DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        print(f"dropped schema {SCHEMA}")


if __name__ == "__main__":
    main()
