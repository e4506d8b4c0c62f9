"""Report reads go to a read replica when one is configured (docs/deployment.md, "Read replica").

``DATABASE_ROUTERS = ["platform_core.operations.db_router.ReportReplicaRouter"]`` and a ``replica`` entry
in ``DATABASES`` (``DATABASE_REPLICA_URL``). Only code that asks for it reads from the replica::

    with report_reads():
        rows = ledger_entries_for(account)   # SELECTs run on "replica"

Everything else (every write, every read outside the block, every read inside a transaction on the
primary) stays on ``default``: a replica lags, so a service that reads then writes must see its own
writes. Without a ``replica`` alias the router changes nothing, so the embedded mode and CI need no setup.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_ALIAS = "replica"
_report_reads: ContextVar[bool] = ContextVar("report_reads", default=False)


@contextmanager
def report_reads() -> Iterator[None]:
    """Inside this block, reads go to the replica (if configured). For exports and report pages."""
    token = _report_reads.set(True)
    try:
        yield
    finally:
        _report_reads.reset(token)


def replica_configured() -> bool:
    return REPLICA_ALIAS in settings.DATABASES


class ReportReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if not _report_reads.get() or not replica_configured():
            return None  # the default router: "default"
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # read-your-writes inside a transaction on the primary
        return REPLICA_ALIAS

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary; never migrate it
