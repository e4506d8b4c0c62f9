"""AUD-1: the append-only, hash-chained audit log and its verify command."""

import threading
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pgtrigger
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from platform_core.audit.chain import GENESIS_HASH
from platform_core.audit.models import AuditEntry
from platform_core.audit.selectors import audit_chain_verify
from platform_core.audit.services import audit_record, audit_seal
from tests.factories.accounts import CustomerFactory, StaffFactory
from tests.factories.audit import AuditEntryFactory

pytestmark = pytest.mark.django_db

APPEND_ONLY = "audit.AuditEntry:append_only"


def _raw_sql(sql: str, params: list[object]) -> None:
    with pgtrigger.ignore(APPEND_ONLY), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_aud_1_entries_chain_in_order_and_keep_before_after() -> None:
    staff = StaffFactory()
    customer = CustomerFactory.create()
    shipped_at = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

    first = audit_record(actor=staff, action="user.suspended", subject=customer, reason="fraud report")
    second = audit_record(
        actor=staff,
        action="order.shipped",
        subject=customer,
        before={"status": "paid", "amount": Decimal("12.50")},
        after={"status": "shipped", "shipped_at": shipped_at},
    )
    third = audit_record(actor=None, action="deadline.enforced")
    assert (first.seq, first.hash, first.prev_hash) == (None, None, None)  # written without a place yet
    audit_seal()

    # the factories' role changes are audited too (rights.changed, issue 20): the chain starts before these
    earlier = (
        AuditEntry.objects.filter(pk__lt=first.pk).order_by("-pk").values_list("hash", flat=True).first()
    )
    entries = list(AuditEntry.objects.filter(pk__gte=first.pk))
    assert [e.pk for e in entries] == [first.pk, second.pk, third.pk]
    assert entries[0].prev_hash == (earlier or GENESIS_HASH)
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert len({e.hash for e in entries}) == 3
    assert all(e.compute_hash() == e.hash for e in entries)  # as read back from the database

    stored = entries[1]
    assert stored.actor == staff
    assert stored.actor_repr == str(staff)
    assert stored.subject_type is not None
    assert (stored.subject_type.app_label, stored.subject_type.model) == ("accounts", "user")
    assert stored.subject_id == str(customer.pk)
    assert stored.subject_repr == str(customer)
    assert stored.before == {"status": "paid", "amount": "12.50"}
    assert stored.after == {"status": "shipped", "shipped_at": "2026-03-02T09:30:00+08:00"}
    assert entries[2].actor is None
    assert entries[2].actor_repr == "system"
    assert entries[2].subject_type is None

    assert audit_chain_verify().ok


def test_aud_1_verify_command_reports_ok(capsys: pytest.CaptureFixture[str]) -> None:
    AuditEntryFactory.create_batch(3)
    call_command("verify_audit_log")
    assert f"audit log OK: {AuditEntry.objects.count()} entries" in capsys.readouterr().out


def test_aud_1_verify_empty_log_is_ok() -> None:
    _raw_sql("DELETE FROM audit_auditentry", [])  # the reference data's rights.changed entries
    result = audit_chain_verify()
    assert result.ok
    assert result.count == 0


def test_aud_1_record_rolls_back_with_the_acting_transaction() -> None:
    staff = StaffFactory()
    kept = audit_record(actor=staff, action="order.paid")

    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=staff, action="order.shipped")
        raise RuntimeError("the acting service failed after auditing")

    assert list(AuditEntry.objects.filter(pk__gte=kept.pk).values_list("pk", flat=True)) == [kept.pk]
    after_rollback = audit_record(actor=staff, action="order.cancelled")
    audit_seal()
    kept, after_rollback = AuditEntry.objects.get(pk=kept.pk), AuditEntry.objects.get(pk=after_rollback.pk)
    assert after_rollback.prev_hash == kept.hash  # the rolled-back entry left no gap in the chain
    assert kept.seq is not None and after_rollback.seq == kept.seq + 1
    assert audit_chain_verify().ok


def test_aud_1_action_must_be_entity_dot_past_tense() -> None:
    with pytest.raises(ValueError, match=r"entity\.past_tense_verb"):
        audit_record(actor=None, action="Ship Order")


def test_aud_1_model_refuses_edit_and_delete_on_any_database() -> None:
    entry = AuditEntryFactory.create()
    entry.reason = "changed my mind"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


def test_aud_1_verify_detects_corrupted_prev_hash() -> None:
    entries = AuditEntryFactory.create_batch(3)
    _raw_sql("UPDATE audit_auditentry SET prev_hash = %s WHERE id = %s", ["f" * 64, entries[1].pk])

    result = audit_chain_verify()
    assert not result.ok
    assert result.first_broken_id == entries[1].pk
    assert result.reason.startswith("prev_hash mismatch")
    with pytest.raises(CommandError, match=rf"entry {entries[1].pk}: prev_hash mismatch"):
        call_command("verify_audit_log")


def test_aud_1_verify_detects_a_removed_entry() -> None:
    entries = AuditEntryFactory.create_batch(3)
    _raw_sql("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    after_gap = AuditEntry.objects.filter(pk__gt=entries[1].pk).order_by("pk").values_list("pk", flat=True)[0]

    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id) == (False, after_gap)
    assert result.reason.startswith("prev_hash mismatch")


def test_aud_1_verify_detects_edited_content_on_any_database() -> None:
    entries = AuditEntryFactory.create_batch(3)
    _raw_sql("UPDATE audit_auditentry SET actor_repr = %s WHERE id = %s", ["someone else", entries[2].pk])

    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id) == (False, entries[2].pk)
    assert result.reason.startswith("hash mismatch")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("before", '{"status": "shipped", "amount": "0.01"}'),
        ("after", '{"status": "paid", "amount": "0.01"}'),
        ("action", "order.cancelled"),
        ("reason", "no reason"),
        ("actor_repr", "someone else"),
        ("subject_id", "999999"),
        ("subject_repr", "someone else"),
    ],
)
def test_aud_1_the_hash_covers_every_field_an_entry_states(column: str, value: str) -> None:
    """Before/after are what a tamperer would change: editing any stated field breaks the chain."""
    staff, customer = StaffFactory(), CustomerFactory.create()
    entry = audit_record(
        actor=staff,
        action="order.refunded",
        subject=customer,
        before={"status": "paid", "amount": "59.00"},
        after={"status": "refunded", "amount": "59.00"},
        reason="customer asked",
    )
    later = audit_record(actor=staff, action="order.shipped", subject=customer)
    audit_seal()
    entry, later = AuditEntry.objects.get(pk=entry.pk), AuditEntry.objects.get(pk=later.pk)
    assert audit_chain_verify().ok
    cast = "::jsonb" if column in {"before", "after"} and connection.vendor == "postgresql" else ""
    _raw_sql(f"UPDATE audit_auditentry SET {column} = %s{cast} WHERE id = %s", [value, entry.pk])  # noqa: S608

    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id) == (False, entry.pk)
    assert result.reason.startswith("hash mismatch")
    assert later.prev_hash == entry.hash  # the next entry still points at the hash the edit no longer matches


@pytest.mark.postgres
@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda pk: AuditEntry.objects.filter(pk=pk).update(reason="x"), id="orm-update"),
        pytest.param(lambda pk: AuditEntry.objects.filter(pk=pk).delete(), id="orm-delete"),
        pytest.param(
            lambda pk: connection.cursor().execute(
                "UPDATE audit_auditentry SET after = '{}'::jsonb WHERE id = %s", [pk]
            ),
            id="sql-update",
        ),
        pytest.param(
            lambda pk: connection.cursor().execute("DELETE FROM audit_auditentry WHERE id = %s", [pk]),
            id="sql-delete",
        ),
    ],
)
def test_aud_1_postgres_refuses_update_and_delete(tamper: Callable[[int], object]) -> None:
    entry = AuditEntryFactory.create()
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot update or delete rows"), transaction.atomic():
        tamper(entry.pk)
    assert AuditEntry.objects.get(pk=entry.pk).hash == entry.hash
    assert audit_chain_verify().ok


@pytest.mark.postgres
def test_aud_1_postgres_verify_command_detects_tampered_after() -> None:
    entries = AuditEntryFactory.create_batch(3)
    _raw_sql(
        "UPDATE audit_auditentry SET after = %s::jsonb WHERE id = %s", ['{"amount": "0.01"}', entries[1].pk]
    )

    with pytest.raises(CommandError, match=rf"entry {entries[1].pk}: hash mismatch"):
        call_command("verify_audit_log")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_aud_1_postgres_concurrent_appends_never_fork_the_chain() -> None:
    """Without the advisory lock two writers read the same last entry; unique prev_hash would then fail."""
    staff = StaffFactory()
    already = AuditEntry.objects.count()  # the reference data's and the factory's rights.changed entries
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def append_many() -> None:
        try:
            start.wait()
            for _ in range(5):
                with transaction.atomic():
                    audit_record(
                        actor=staff, action="thing.happened", after={"thread": threading.get_ident()}
                    )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append_many) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    result = audit_chain_verify()
    assert (result.ok, result.count) == (True, already + 30)


@pytest.mark.postgres
@pytest.mark.parametrize("column", ["action", "reason"])
def test_aud_1_an_unsealed_entry_edited_is_detected_by_its_content_mac(column: str) -> None:
    """Between the commit and the sealer's run an entry is covered by its content MAC alone."""
    entry = audit_record(actor=None, action="order.paid", reason="paid")
    _raw_sql(f"UPDATE audit_auditentry SET {column} = %s WHERE id = %s", ["order.refunded", entry.pk])  # noqa: S608
    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id) == (False, entry.pk)
    assert result.reason.startswith("hash mismatch")


@pytest.mark.postgres
def test_aud_1_a_row_inserted_without_the_key_is_sealed_but_never_verifies() -> None:
    """Someone with SQL access inserts an entry; the sealer chains it, its content MAC gives it away."""
    AuditEntryFactory.create()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (at, actor_repr, action, subject_repr, reason, key_id, mac)"
            " VALUES (now(), 'system', 'payout.approved', '', '', 'dev', %s) RETURNING id",
            ["0" * 64],
        )
        forged_id = cursor.fetchone()[0]
    assert audit_seal() == 1
    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id) == (False, forged_id)
    assert result.reason.startswith("hash mismatch")


@pytest.mark.postgres
def test_aud_1_reordered_entries_are_detected() -> None:
    entries = AuditEntryFactory.create_batch(3)
    _raw_sql("UPDATE audit_auditentry SET seq = -seq WHERE id IN (%s, %s)", [entries[0].pk, entries[1].pk])
    _raw_sql("UPDATE audit_auditentry SET seq = %s WHERE id = %s", [entries[1].seq, entries[0].pk])
    _raw_sql("UPDATE audit_auditentry SET seq = %s WHERE id = %s", [entries[0].seq, entries[1].pk])
    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id) == (False, entries[1].pk)
    assert result.reason.startswith("prev_hash mismatch")


@pytest.mark.postgres
def test_aud_1_a_gap_in_the_sequence_is_detected() -> None:
    """The hashes still chain, but a sequence number is missing (the sealer counts without gaps)."""
    entries = AuditEntryFactory.create_batch(2)
    _raw_sql("UPDATE audit_auditentry SET seq = seq + 1 WHERE id = %s", [entries[1].pk])
    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id) == (False, entries[1].pk)
    assert result.reason.startswith("sequence mismatch")


@pytest.mark.postgres
def test_aud_1_the_sealer_may_set_the_chain_once_and_nothing_else() -> None:
    entry = audit_record(actor=None, action="order.paid")
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot update or delete rows"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(
            seq=10**9, prev_hash="a" * 64, hash="b" * 64, reason="x"
        )
    audit_seal()
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot update or delete rows"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(hash="c" * 64)
    assert audit_chain_verify().ok


def test_aud_1_admin_is_read_only(admin_client: Client) -> None:
    entry = audit_record(actor=None, action="order.shipped", reason="carrier pickup")

    changelist = admin_client.get(reverse("admin:audit_auditentry_changelist"), {"q": "order.shipped"})
    assert changelist.status_code == 200
    assert "order.shipped" in changelist.content.decode()
    assert admin_client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert admin_client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    detail = admin_client.post(
        reverse("admin:audit_auditentry_change", args=[entry.pk]), {"reason": "edited"}
    )
    assert detail.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).reason == "carrier pickup"


@pytest.mark.parametrize("nudge", [True, False])
def test_aud_1_the_sealer_is_nudged_after_commit_unless_the_setting_is_off(
    nudge: bool, settings: Settings, django_capture_on_commit_callbacks: Any
) -> None:
    """Decision 050: ``AUDIT_SEAL_NUDGE`` off (the simulator, which seals once per sweep as beat does)
    registers no after-commit nudge; the entry is written, with its MAC, exactly as with the nudge."""
    settings.AUDIT_SEAL_NUDGE = nudge
    subject = CustomerFactory.create()
    with django_capture_on_commit_callbacks() as callbacks:
        entry = audit_record(actor=None, action="user.suspended", subject=subject)
    nudges = [c for c in callbacks if getattr(c, "__name__", "") == "_nudge_sealer"]
    assert len(nudges) == (1 if nudge else 0)
    assert entry.mac and entry.seq is None
    audit_seal()
    entry.refresh_from_db()
    assert entry.seq is not None and audit_chain_verify().ok
