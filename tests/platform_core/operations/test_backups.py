"""OPS-4: backups with a manifest, and a restore rehearsal that verifies the ledger and the audit chain."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from platform_core.audit.models import AuditEntry
from platform_core.audit.services import audit_record
from platform_core.ledger.models import AccountKind, TransactionKind
from platform_core.ledger.services import ledger_account_for, ledger_post
from platform_core.operations import heartbeats
from platform_core.operations.backups import (
    MANIFEST,
    backup_create,
    backups_list,
    restore_rehearse,
    sha256_of,
)
from platform_core.operations.management.commands.backup import Command as BackupCommand
from platform_core.operations.management.commands.restore_rehearsal import Command as RehearsalCommand
from tests.factories.accounts import UserFactory


def _seed(settings, tmp_path: Path) -> None:
    """A few ledger transactions, audit entries and an uploaded file."""
    clearing = ledger_account_for(kind=AccountKind.CUSTOMER_PAYMENTS_CLEARING)
    payable = ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=UserFactory(password=None))
    for i in range(3):
        escrow = ledger_account_for(kind=AccountKind.ORDER_ESCROW, owner=UserFactory(password=None))
        ledger_post(
            idempotency_key=f"ops-backup-pay-{i}",
            kind=TransactionKind.PAYMENT,
            postings=[(clearing, Decimal("-99.50")), (escrow, Decimal("99.50"))],
        )
        ledger_post(
            idempotency_key=f"ops-backup-release-{i}",
            kind=TransactionKind.RELEASE,
            postings=[(escrow, Decimal("-99.50")), (payable, Decimal("99.50"))],
        )
        audit_record(actor=None, action="order.settled", after={"n": i})
    media = tmp_path / "media"
    (media / "licences").mkdir(parents=True)
    (media / "licences" / "acme.pdf").write_bytes(b"%PDF-1.4 licence of ACME")
    (media / "evidence.jpg").write_bytes(b"\xff\xd8\xff jpeg bytes")
    settings.MEDIA_ROOT = media


def _scratch_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", ["%\\_rehearsal\\_%"])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres
def test_ops_4_backup_then_restore_rehearsal_verifies_ledger_and_audit_chain(
    transactional_db: None, settings, tmp_path: Path
) -> None:
    _seed(settings, tmp_path)
    dest = tmp_path / "backups"
    call_command(BackupCommand(), "--dest", str(dest))
    (backup,) = backups_list(root=dest)

    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["database"]["vendor"] == "postgresql"
    assert set(manifest["files"]) == {"db.dump", "media.tar.gz"}
    for name, facts in manifest["files"].items():
        assert facts["sha256"] == sha256_of(backup / name)
        assert facts["size"] == (backup / name).stat().st_size > 0
    assert (backup / "db.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert manifest["media"]["files"] == 2
    assert manifest["migrations"]["ledger"].startswith("00")
    assert heartbeats.read(heartbeats.BACKUP) is not None

    report = restore_rehearse(root=dest)
    steps = {step.name: step for step in report.steps}
    assert report.ok, report.as_dict()
    assert list(steps) == [
        "checksums",
        "media_archive",
        "createdb",
        "pg_restore",
        "verify_ledger",
        "verify_audit_log",
        "dropdb",
    ]
    assert "ledger OK: 6 transactions" in steps["verify_ledger"].output
    # the seed's 3 entries and the rights.changed entries of its users' roles (AUD-1, issue 20)
    assert f"audit log OK: {AuditEntry.objects.count()} entries" in steps["verify_audit_log"].output
    assert report.scratch_database.startswith(connection.settings_dict["NAME"][:20])
    assert report.scratch_database not in _scratch_databases()  # dropped
    assert heartbeats.read(heartbeats.REHEARSAL) is not None

    call_command(RehearsalCommand(), "--root", str(dest))  # the command: exit 0

    # Tampering with the dump is caught by the manifest's checksum, before anything is restored.
    with (backup / "db.dump").open("ab") as dump:
        dump.write(b"\x00tampered")
    report = restore_rehearse(backup=backup)
    assert not report.ok
    assert [s.name for s in report.steps] == ["checksums"]
    assert "db.dump: sha256" in report.steps[0].output
    with pytest.raises(CommandError, match="restore rehearsal FAILED at checksums"):
        call_command(RehearsalCommand(), "--backup", str(backup))
    assert (heartbeats.read("rehearsal:last") or {})["restore_rehearsal"] is False


@pytest.mark.postgres
def test_ops_4_a_corrupt_dump_with_a_matching_manifest_fails_the_restore_and_drops_the_scratch_db(
    transactional_db: None, settings, tmp_path: Path
) -> None:
    _seed(settings, tmp_path)
    backup = backup_create(dest=tmp_path / "backups").path
    dump = backup / "db.dump"
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])  # truncated, e.g. disk full
    manifest = json.loads((backup / MANIFEST).read_text())
    manifest["files"]["db.dump"] = {"sha256": sha256_of(dump), "size": dump.stat().st_size}
    (backup / MANIFEST).write_text(json.dumps(manifest))

    report = restore_rehearse(backup=backup)
    steps = {step.name: step for step in report.steps}
    assert not report.ok
    assert steps["checksums"].ok and steps["createdb"].ok
    assert not steps["pg_restore"].ok
    assert "verify_ledger" not in steps
    assert steps["dropdb"].ok
    assert report.scratch_database not in _scratch_databases()


def test_ops_4_only_the_newest_backups_are_kept(db: None, settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "no-media-yet"
    dest = tmp_path / "backups"
    made = [backup_create(dest=dest, keep=2).path for _ in range(3)]
    assert backups_list(root=dest) == made[1:]
    (dest / "20000101T000000.000000Z.partial").mkdir()  # an interrupted backup is never "the latest"
    assert backups_list(root=dest)[-1] == made[-1]


def test_ops_4_rehearsal_without_any_backup_fails(db: None, tmp_path: Path) -> None:
    report = restore_rehearse(root=tmp_path / "empty")
    assert not report.ok
    assert report.steps[0].name == "find_backup"


def test_ops_4_sqlite_backup_is_a_consistent_copy_and_its_rehearsal_verifies_it(
    transactional_db: None, settings, tmp_path: Path
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite path (embedded mode); PostgreSQL is covered above")
    _seed(settings, tmp_path)
    backup = backup_create(dest=tmp_path / "backups").path
    assert (backup / "db.sqlite3").read_bytes()[:15] == b"SQLite format 3"
    report = restore_rehearse(backup=backup)
    steps = {step.name: step for step in report.steps}
    assert report.ok, report.as_dict()
    assert list(steps) == ["checksums", "media_archive", "restore_copy", "verify_ledger", "verify_audit_log"]
    assert "ledger OK: 6 transactions" in steps["verify_ledger"].output
    # the seed's 3 entries and the rights.changed entries of its users' roles (AUD-1, issue 20)
    assert f"audit log OK: {AuditEntry.objects.count()} entries" in steps["verify_audit_log"].output
