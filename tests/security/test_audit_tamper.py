"""AUD-1 (issue 20 item 4): the audit log cannot be wiped or rewritten undetected.

The attacker can run SQL on the database (and knows the code), but holds neither the chain key
(``AUDIT_CHAIN_KEYS``, never in the database) nor the anchor file outside the database.
"""

import hashlib
import json
import logging
from datetime import UTC, timedelta

import pgtrigger
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from platform_core.audit.chain import ANCHOR_FILE, canonical_json
from platform_core.audit.models import AuditEntry
from platform_core.audit.selectors import audit_chain_verify
from platform_core.audit.services import audit_anchor_write, audit_record, audit_seal
from platform_core.audit.tasks import anchor_head_task
from platform_core.checks import check_settings
from tests.factories.accounts import StaffFactory

pytestmark = pytest.mark.django_db

APPEND_ONLY = "audit.AuditEntry:append_only"


def _sql(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _payments(n: int = 3) -> list[AuditEntry]:
    staff = StaffFactory()
    written = [
        audit_record(actor=staff, action="order.paid", after={"amount": f"{8999 + i}.00"}) for i in range(n)
    ]
    audit_seal()  # as the sealer does seconds after the commit
    return [AuditEntry.objects.get(pk=entry.pk) for entry in written]


def _unkeyed_sha256(entry: AuditEntry, prev_hash: str) -> str:
    """What an attacker who read the code but has no key computes: the plain SHA-256 chain."""
    payload = [
        entry.key_id,
        prev_hash,
        entry.at.astimezone(UTC).isoformat(),
        entry.actor_id,
        entry.actor_repr,
        entry.action,
        entry.subject_type_label,
        entry.subject_id,
        entry.subject_repr,
        entry.before,
        entry.after,
        entry.reason,
    ]
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # committed rows, as in production (no pending trigger events)
def test_aud_1_truncate_of_the_audit_log_is_refused() -> None:
    _payments(2)
    count = AuditEntry.objects.count()
    with pytest.raises(DatabaseError, match="Cannot truncate"), transaction.atomic():
        _sql("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.count() == count
    assert audit_chain_verify().ok


@pytest.mark.postgres
def test_aud_1_amount_changed_and_chain_recomputed_without_the_key_is_detected() -> None:
    entries = _payments(3)
    # The attack: lower the amount of the first payment and recompute every hash after it, SHA-256 as the
    # code spells the payload, with the triggers out of the way.
    prev = entries[0].prev_hash
    with pgtrigger.ignore(APPEND_ONLY):
        for entry in AuditEntry.objects.filter(id__gte=entries[0].pk).order_by("id"):
            if entry.pk == entries[0].pk:
                entry.after = {"amount": "0.01"}
            forged = _unkeyed_sha256(entry, prev)
            _sql(
                "UPDATE audit_auditentry SET after = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [json.dumps(entry.after), prev, forged, entry.pk],
            )
            prev = forged
    assert AuditEntry.objects.get(pk=entries[0].pk).after == {"amount": "0.01"}

    result = audit_chain_verify()
    assert not result.ok
    assert result.first_broken_id == entries[0].pk
    assert result.reason.startswith("hash mismatch")
    with pytest.raises(CommandError, match=rf"entry {entries[0].pk}: hash mismatch"):
        call_command("verify_audit_log")


@pytest.mark.postgres
def test_aud_1_tail_deleted_with_triggers_disabled_is_detected_via_the_anchor(caplog) -> None:
    entries = _payments(3)
    with caplog.at_level(logging.INFO, logger="platform_core.audit.services"):
        anchor = anchor_head_task()  # beat: the head goes to the file under AUDIT_ANCHOR_DIR and the log
    assert anchor is not None and anchor["entry_id"] == entries[-1].pk and anchor["hash"] == entries[-1].hash
    assert any(getattr(r, "audit_anchor", None) == anchor for r in caplog.records)
    assert audit_chain_verify().ok and audit_chain_verify().anchors_checked == 1

    # The attack: the owner disables the triggers and deletes the last two entries; what is left is a
    # perfectly valid chain (the issue: "OK: 1 entries").
    with transaction.atomic():
        _sql("SET LOCAL session_replication_role = replica")  # no trigger fires
        _sql("DELETE FROM audit_auditentry WHERE id >= %s", [entries[1].pk])

    result = audit_chain_verify()
    assert not result.ok
    assert result.first_broken_id == entries[-1].pk
    assert "truncated or its tail deleted" in result.reason
    with pytest.raises(CommandError, match="missing"):
        call_command("verify_audit_log")

    # New entries written on top (a valid chain again) do not hide it: the anchored entry stays missing.
    _payments(2)
    assert not audit_chain_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_aud_1_whole_log_wiped_with_triggers_disabled_is_detected() -> None:
    _payments(2)
    audit_anchor_write()
    with transaction.atomic():
        _sql("SET LOCAL session_replication_role = replica")
        _sql("TRUNCATE audit_auditentry")
    result = audit_chain_verify()
    assert not result.ok and result.count == 0


def test_aud_1_a_forged_anchor_is_refused(settings) -> None:
    _payments(1)
    anchor = audit_anchor_write()
    assert anchor is not None
    path = settings.AUDIT_ANCHOR_DIR / ANCHOR_FILE
    forged = {**anchor, "entry_id": anchor["entry_id"] + 1000}
    path.write_text(path.read_text() + canonical_json(forged) + "\n")
    result = audit_chain_verify()
    assert not result.ok and "not authentic" in result.reason


def test_aud_1_anchor_is_written_only_when_the_head_moved(settings) -> None:
    audit_record(actor=None, action="order.paid")
    assert audit_anchor_write() is not None
    assert audit_anchor_write() is None
    audit_record(actor=None, action="order.paid")
    assert audit_anchor_write() is not None
    assert len((settings.AUDIT_ANCHOR_DIR / ANCHOR_FILE).read_text().splitlines()) == 2


def test_aud_1_a_restored_backup_is_compared_with_the_anchors_written_before_it(settings) -> None:
    entries = _payments(1)
    audit_anchor_write()
    taken_at = timezone.now()
    future = {
        "at": (taken_at + timedelta(hours=1)).isoformat(),
        "entry_id": entries[0].pk + 50,
        "hash": "f" * 64,
        "key_id": "dev",
    }
    from platform_core.audit.chain import keyed_digest, signing_key

    future["mac"] = keyed_digest(signing_key()[1], [future["at"], future["entry_id"], future["hash"], "dev"])
    path = settings.AUDIT_ANCHOR_DIR / ANCHOR_FILE
    path.write_text(path.read_text() + canonical_json(future) + "\n")
    assert not audit_chain_verify().ok
    assert audit_chain_verify(anchors_until=taken_at).ok


def test_aud_1_keys_rotate_by_prepending(settings) -> None:
    k1, k2 = ("k1", "first-key-" + "x" * 30), ("k2", "second-key-" + "y" * 30)
    dev = ("dev", settings.AUDIT_CHAIN_DEV_KEY)  # what the test database's earlier entries were signed with
    settings.AUDIT_CHAIN_KEYS = [k1, dev]
    old = audit_record(actor=None, action="order.paid")
    settings.AUDIT_CHAIN_KEYS = [k2, k1, dev]
    new = audit_record(actor=None, action="order.paid")
    assert (old.key_id, new.key_id) == ("k1", "k2")
    assert audit_chain_verify().ok
    settings.AUDIT_CHAIN_KEYS = [k2, dev]  # k1 dropped too early
    result = audit_chain_verify()
    assert not result.ok and "key id 'k1'" in result.reason


def test_aud_1_production_refuses_a_missing_or_public_chain_key(settings) -> None:
    settings.DJANGO_ENV = "production"
    settings.AUDIT_CHAIN_KEYS = []
    assert any("AUDIT_CHAIN_KEYS" in e.msg for e in check_settings())
    settings.AUDIT_CHAIN_KEYS = [("dev", settings.AUDIT_CHAIN_DEV_KEY)]
    assert any("AUDIT_CHAIN_KEYS" in e.msg for e in check_settings())
    settings.AUDIT_CHAIN_KEYS = [("2026a", "z" * 40)]
    assert not [e for e in check_settings() if "AUDIT_CHAIN_KEYS" in e.msg]
