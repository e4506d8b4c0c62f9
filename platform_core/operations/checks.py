"""Readiness checks (OPS-5): database, migrations, cache, broker, worker and beat heartbeats, deadline
backlog.

Each check returns a ``CheckResult`` and never raises; ``/readyz`` and ``manage.py readiness`` run them.
Liveness (``/healthz``) runs none of them: a process that answers is alive, even when PostgreSQL is down,
and restarting it would not help.
"""

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from platform_core import clock
from platform_core.operations import heartbeats


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    ms: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


# --- database -------------------------------------------------------------------------------------------

_MIGRATIONS_CACHE_SECONDS = 60.0
_migrations_checked: dict[str, tuple[float, int]] = {}  # alias -> (monotonic time, unapplied count)


def _unapplied_migrations(alias: str) -> int:
    """The number of migrations the code has and the database lacks; cached for a minute per process."""
    cached = _migrations_checked.get(alias)
    if cached is not None and time.monotonic() - cached[0] < _MIGRATIONS_CACHE_SECONDS:
        return cached[1]
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    unapplied = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _migrations_checked[alias] = (time.monotonic(), unapplied)
    return unapplied


def check_database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    unapplied = _unapplied_migrations(DEFAULT_DB_ALIAS)
    if unapplied:
        raise CheckFailed(f"{unapplied} unapplied migration(s)")
    return f"{connections[DEFAULT_DB_ALIAS].vendor} reachable, migrated"


# --- broker -----------------------------------------------------------------------------------------------


def check_broker() -> str:
    """Connect to the broker the Celery app is configured with (2 s, one try)."""
    from platform_core.celery import app as celery_app

    with celery_app.connection_for_write() as connection:
        conn: Any = connection  # kombu's stubs lack most attributes
        conn.ensure_connection(max_retries=1, timeout=2)
        client = getattr(conn.default_channel, "client", None)
        if client is not None and hasattr(client, "ping"):
            client.ping()  # Redis: a round trip, not just an open socket
        return f"{conn.transport_cls} broker reachable"


# --- cache -------------------------------------------------------------------------------------------------


def check_cache() -> str:
    """Issue 20 item 8: a round trip to the Redis cache. The cache fails open (the API keeps answering,
    unthrottled), so this check is where a Redis outage shows: /readyz answers 503 naming it."""
    from django.core.cache import caches

    backend = caches["default"]
    ping = getattr(backend, "ping", None)
    if ping is None:
        return f"{type(backend).__name__} (in-process, nothing to reach)"
    try:
        ping()
    except Exception as exc:
        raise CheckFailed(
            f"Redis cache unreachable ({type(exc).__name__}: {exc}); throttles fail open"
        ) from exc
    return "Redis cache reachable"


# --- heartbeats -------------------------------------------------------------------------------------------


def _check_heartbeat(name: str, what: str) -> str:
    age = heartbeats.age_seconds(name)
    limit = settings.OPS_HEARTBEAT_MAX_AGE_SECONDS
    if age is None:
        raise CheckFailed(f"no {what} heartbeat recorded")
    if age > limit:
        raise CheckFailed(f"{what} heartbeat is {age:.0f} s old (limit {limit:.0f} s)")
    return f"{what} heartbeat {max(age, 0):.0f} s ago"


def check_worker_heartbeat() -> str:
    return _check_heartbeat(heartbeats.WORKER, "worker")


def check_this_worker_heartbeat() -> str:
    """The worker on this machine (a worker container's healthcheck), not just any worker."""
    import socket

    return _check_heartbeat(f"{heartbeats.WORKER}:host:{socket.gethostname()}", "this host's worker")


def check_beat_heartbeat() -> str:
    return _check_heartbeat(heartbeats.BEAT, "beat")


# --- deadlines --------------------------------------------------------------------------------------------


def check_deadline_backlog() -> str:
    from platform_core.deadlines.selectors import deadline_overdue_count

    grace = timedelta(seconds=settings.OPS_DEADLINE_OVERDUE_GRACE_SECONDS)
    overdue = deadline_overdue_count(now=clock.now() - grace)
    limit = settings.OPS_DEADLINE_BACKLOG_MAX
    text = f"{overdue} deadline(s) overdue by more than {_human(grace)} (limit {limit})"
    if overdue > limit:
        raise CheckFailed(text)
    return text


def _human(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


# --- running them -----------------------------------------------------------------------------------------


class CheckFailed(Exception):
    """A check ran and found the platform not ready (as opposed to crashing while checking)."""


READINESS_CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "worker_heartbeat": check_worker_heartbeat,
    "beat_heartbeat": check_beat_heartbeat,
    "deadline_backlog": check_deadline_backlog,
}


def run_check(name: str, check: Callable[[], str]) -> CheckResult:
    started = time.perf_counter()
    try:
        detail, ok = check(), True
    except CheckFailed as exc:
        detail, ok = str(exc), False
    except Exception as exc:  # any error means "not ready"; its class and text say why
        detail, ok = f"{type(exc).__name__}: {exc}"[:500], False
    return CheckResult(name=name, ok=ok, detail=detail, ms=round((time.perf_counter() - started) * 1000, 1))


def readiness(only: list[str] | None = None) -> list[CheckResult]:
    """Run the readiness checks (all, or those named in ``only``), in order."""
    names = only or list(READINESS_CHECKS)
    unknown = set(names) - set(READINESS_CHECKS)
    if unknown:
        raise ValueError(f"unknown checks: {sorted(unknown)}")
    results = [run_check(name, READINESS_CHECKS[name]) for name in names]
    if any(r.name == "database" and not r.ok for r in results):
        # A broken connection must not poison the next request of this process.
        connections[DEFAULT_DB_ALIAS].close_if_unusable_or_obsolete()
    return results
