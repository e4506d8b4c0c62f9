"""Prometheus metrics (OPS-5) beyond django-prometheus's request and response metrics.

Three kinds, three places:

- **Scrape-time figures from the database** (``PlatformCollector``): deadlines per rule and status,
  overdue deadlines, the lateness histogram of the last 24 hours, ledger transactions and entries, and
  the marks in ``heartbeats`` (worker, beat, last backup, last rehearsal, last integrity check). Computed
  by a few grouped queries when ``/metrics`` is scraped, so they are right whichever process wrote the
  rows; served only by the web ``/metrics`` view, from its own registry.
- **Celery task counters** (``TASK_RUNS`` …): incremented by signals in the worker processes that run the
  tasks. They are served by the worker itself (``worker_metrics_server``; docs/deployment.md): with the
  prefork pool the counters live in the pool's child processes, so the worker must run with
  ``PROMETHEUS_MULTIPROC_DIR`` set (an empty directory per worker host) and the server aggregates them.
- **Database queries per process** (``DB_QUERIES``): an execute wrapper on each new connection.
"""

import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import prometheus_client
from django.db import connections
from django.db.models import Count, Q, Sum
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from platform_core import clock
from platform_core.operations import heartbeats

# Lateness buckets (seconds): the sweep runs every minute, so most enforcements land under 60-120 s.
LATENESS_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0, 6 * 3600.0, 86400.0)
TASK_DURATION_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)

TASK_RUNS = Counter(
    "platform_celery_task_runs", "Celery task runs finished, by task and final state.", ["task", "state"]
)
TASK_FAILURES = Counter("platform_celery_task_failures", "Celery task runs that raised, by task.", ["task"])
TASK_DURATION = Histogram(
    "platform_celery_task_duration_seconds",
    "Wall time of Celery task runs, by task.",
    ["task"],
    buckets=TASK_DURATION_BUCKETS,
)
TASK_QUEUE_WAIT = Histogram(
    "platform_celery_task_queue_wait_seconds",
    "Time from publishing to the start of the run (the latency a backlog adds), by task.",
    ["task"],
    buckets=TASK_DURATION_BUCKETS,
)
DB_QUERIES = Counter("platform_db_queries", "SQL statements executed by this process.", ["alias", "vendor"])
DB_QUERY_ERRORS = Counter("platform_db_query_errors", "SQL statements that raised.", ["alias", "vendor"])


class PlatformCollector(Collector):
    """Business and platform figures read from the database at scrape time."""

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        ok = 1.0
        for part in (self._deadlines, self._lateness, self._ledger, self._exports, self._marks):
            try:
                yield from part()
            except Exception:  # a scrape must never 500: the failure shows as platform_collector_up 0
                ok = 0.0
        up = GaugeMetricFamily("platform_collector_up", "1 if every database figure could be read.")
        up.add_metric([], ok)
        yield up
        took = GaugeMetricFamily("platform_collector_seconds", "Time taken to read the database figures.")
        took.add_metric([], time.perf_counter() - started)
        yield took

    @staticmethod
    def _deadlines() -> Iterator[Metric]:
        from platform_core.deadlines.models import Deadline

        now = clock.now()
        status = Deadline.Status
        rows = Deadline.objects.values("rule").annotate(
            pending=Count("pk", filter=Q(status=status.PENDING)),
            overdue=Count("pk", filter=Q(status=status.PENDING, due_at__lte=now)),
            met=Count("pk", filter=Q(status=status.MET)),
            enforced=Count("pk", filter=Q(status=status.ENFORCED)),
            cancelled=Count("pk", filter=Q(status=status.CANCELLED)),
            failing=Count("pk", filter=Q(status=status.PENDING, attempts__gt=0)),
        )
        by_status = GaugeMetricFamily(
            "platform_deadlines", "Deadline rows by rule and status.", labels=["rule", "status"]
        )
        overdue = GaugeMetricFamily(
            "platform_deadlines_overdue", "Pending deadlines past their due time, by rule.", labels=["rule"]
        )
        failing = GaugeMetricFamily(
            "platform_deadlines_failing",
            "Pending deadlines whose handler has raised at least once (retrying), by rule.",
            labels=["rule"],
        )
        oldest = GaugeMetricFamily(
            "platform_deadlines_oldest_overdue_seconds",
            "How late the most overdue pending deadline is (0 when none is overdue).",
        )
        for row in rows.order_by("rule"):
            for name in ("pending", "met", "enforced", "cancelled"):
                by_status.add_metric([row["rule"], name], row[name])
            overdue.add_metric([row["rule"]], row["overdue"])
            failing.add_metric([row["rule"]], row["failing"])
        first_due = (
            Deadline.objects.filter(status=status.PENDING, due_at__lte=now)
            .order_by("due_at")
            .values_list("due_at", flat=True)
            .first()
        )
        oldest.add_metric([], (now - first_due).total_seconds() if first_due else 0.0)
        yield from (by_status, overdue, failing, oldest)

    @staticmethod
    def _lateness() -> Iterator[Metric]:
        """Lateness (enforced_at - due_at) of deadlines enforced in the last 24 hours, bucketed in SQL."""
        from platform_core.deadlines.models import Deadline

        since = clock.now() - timedelta(hours=24)
        enforced = Deadline.objects.filter(
            status=Deadline.Status.ENFORCED, resolved_at__gte=since, lateness__isnull=False
        )
        aggregates: dict[str, Any] = {
            f"le_{i}": Count("pk", filter=Q(lateness__lte=timedelta(seconds=bound)))
            for i, bound in enumerate(LATENESS_BUCKETS)
        }
        rows = enforced.values("rule").annotate(total=Count("pk"), sum=Sum("lateness"), **aggregates)
        family = HistogramMetricFamily(
            "platform_deadline_lateness_24h_seconds",
            "Lateness of deadlines enforced in the last 24 hours (a sliding window: use "
            "histogram_quantile on the buckets directly, not on rate()).",
            labels=["rule"],
        )
        for row in rows.order_by("rule"):
            buckets = [(_le(bound), float(row[f"le_{i}"])) for i, bound in enumerate(LATENESS_BUCKETS)]
            buckets.append(("+Inf", float(row["total"])))
            total = row["sum"]
            family.add_metric(
                [row["rule"]], buckets, sum_value=total.total_seconds() if total is not None else 0.0
            )
        yield family

    @staticmethod
    def _ledger() -> Iterator[Metric]:
        from platform_core.ledger.models import LedgerEntry, LedgerTransaction

        transactions = GaugeMetricFamily(
            "platform_ledger_transactions",
            "Ledger transactions posted, by kind (grows with postings; rate() shows posting speed).",
            labels=["kind"],
        )
        for row in LedgerTransaction.objects.values("kind").annotate(n=Count("pk")).order_by("kind"):
            transactions.add_metric([row["kind"]], row["n"])
        entries = GaugeMetricFamily("platform_ledger_entries", "Ledger entries (postings) in all.")
        entries.add_metric([], LedgerEntry.objects.count())
        yield from (transactions, entries)

    @staticmethod
    def _exports() -> Iterator[Metric]:
        from platform_core.reports.models import ExportLog

        exports = GaugeMetricFamily(
            "platform_exports",
            "Report exports by status (AUD-3); pending + running are in flight.",
            labels=["status"],
        )
        counts = dict(ExportLog.objects.values_list("status").annotate(n=Count("pk")).order_by("status"))
        for status in ExportLog.Status.values:
            exports.add_metric([status], counts.get(status, 0))
        yield exports

    @staticmethod
    def _marks() -> Iterator[Metric]:
        stamps = GaugeMetricFamily(
            "platform_mark_timestamp_seconds",
            "Unix time of the last heartbeat or success, by mark (worker, beat, backup, rehearsal, integrity).",
            labels=["mark"],
        )
        for name in (
            heartbeats.WORKER,
            heartbeats.BEAT,
            heartbeats.BACKUP,
            heartbeats.REHEARSAL,
            heartbeats.INTEGRITY,
        ):
            value = heartbeats.read(name)
            if value is not None:
                stamps.add_metric([name], float(value["at"]))
        yield stamps
        results = GaugeMetricFamily(
            "platform_check_ok",
            "1 if the last run of the check passed, 0 if it failed, by check.",
            labels=["check"],
        )
        for name, checks in (
            (heartbeats.REHEARSAL, ("restore_rehearsal",)),
            (heartbeats.INTEGRITY, ("ledger", "audit_chain")),
        ):
            value = heartbeats.read(f"{name}:last") or {}
            for check in checks:
                if check in value:
                    results.add_metric([check], 1.0 if value[check] else 0.0)
        yield results


def _le(bound: float) -> str:
    return prometheus_client.utils.floatToGoString(bound)


PLATFORM_REGISTRY = CollectorRegistry(auto_describe=False)
PLATFORM_REGISTRY.register(PlatformCollector())


def process_registry() -> CollectorRegistry:
    """This process's own metrics (django-prometheus, ours); all processes' under multiprocess mode."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


def exposition() -> bytes:
    """The whole ``/metrics`` page: process metrics, then the database figures."""
    return prometheus_client.generate_latest(process_registry()) + prometheus_client.generate_latest(
        PLATFORM_REGISTRY
    )


# --- database query counting ---------------------------------------------------------------------------


def _count_queries(alias: str, vendor: str) -> Callable[..., Any]:
    queries = DB_QUERIES.labels(alias, vendor)
    errors = DB_QUERY_ERRORS.labels(alias, vendor)

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.inc()
        try:
            return execute(sql, params, many, context)
        except Exception:
            errors.inc()
            raise

    return wrapper


def install_query_counter(sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
    """``connection_created`` receiver: count every statement on the new connection."""
    if connection is None or getattr(connection, "_platform_query_counter", False):
        return
    connection.execute_wrappers.append(_count_queries(connection.alias, connection.vendor))
    connection._platform_query_counter = True


def install_query_counter_on_open_connections() -> None:
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            install_query_counter(connection=conn)


# --- the worker's own endpoint ---------------------------------------------------------------------------

_worker_server_started = False


def worker_metrics_server(port: int, addr: str = "") -> None:
    """Serve this worker host's task metrics on ``port`` (idempotent; called on ``worker_ready``)."""
    global _worker_server_started
    if _worker_server_started:
        return
    prometheus_client.start_http_server(port, addr=addr, registry=process_registry())
    _worker_server_started = True
