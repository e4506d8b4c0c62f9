"""Report reads go to the read replica when one is configured; everything else stays on the primary."""

import pytest
from django.db import connections

from platform_core.ledger.models import LedgerEntry
from platform_core.operations import db_router
from platform_core.operations.db_router import ReportReplicaRouter, report_reads


@pytest.fixture
def replica(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)


def test_ops_5_without_a_replica_every_read_uses_the_default_database() -> None:
    router = ReportReplicaRouter()
    with report_reads():
        assert router.db_for_read(LedgerEntry) is None  # Django falls through to "default"
    assert router.db_for_write(LedgerEntry) == "default"


def test_ops_5_report_reads_go_to_the_replica_when_configured(
    replica: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    router = ReportReplicaRouter()
    assert router.db_for_read(LedgerEntry) is None  # an ordinary read: the primary
    with report_reads():
        assert router.db_for_read(LedgerEntry) == "replica"
        monkeypatch.setattr(connections["default"], "in_atomic_block", True)
        assert router.db_for_read(LedgerEntry) is None  # read-your-writes inside a transaction
        monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    assert router.db_for_read(LedgerEntry) is None
    assert router.db_for_write(LedgerEntry) == "default"


def test_ops_5_the_replica_is_never_migrated() -> None:
    router = ReportReplicaRouter()
    assert router.allow_migrate("default", "ledger") is True
    assert router.allow_migrate("replica", "ledger") is False
