"""What PostgreSQL guarantees on its own (triggers, row locks), tested against the real thing."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, InternalError, connection, transaction
from django.db.models import ProtectedError

from platform_core.errors import Conflict
from platform_core.ledger.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from platform_core.ledger.selectors import ledger_balance, ledger_verify
from platform_core.ledger.services import ledger_post
from tests.factories.ledger import escrow_account, fund_escrow, payable_account, platform_account, unique_key

pytestmark = pytest.mark.postgres

D = Decimal


@pytest.mark.django_db
def test_pay_1_entries_and_transactions_cannot_be_updated_or_deleted() -> None:
    txn = fund_escrow(escrow_account(), "10.00")
    entry = txn.entries.first()
    assert entry is not None
    for attempt in (
        lambda: LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("11.00")),
        lambda: LedgerEntry.objects.filter(pk=entry.pk).delete(),
        lambda: LedgerTransaction.objects.filter(pk=txn.pk).update(memo="edited"),
        lambda: LedgerTransaction.objects.filter(pk=txn.pk).delete(),  # Django's PROTECT answers first
    ):
        with pytest.raises((InternalError, ProtectedError)), transaction.atomic():
            attempt()
    for sql in (
        "UPDATE ledger_ledgerentry SET amount = 11 WHERE id = %s",
        "DELETE FROM ledger_ledgerentry WHERE id = %s",
        "UPDATE ledger_ledgertransaction SET memo = 'edited' WHERE id = %s",
        "DELETE FROM ledger_ledgertransaction WHERE id = %s",
    ):
        with (
            pytest.raises(InternalError, match="pgtrigger: Cannot"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk if "entry" in sql else txn.pk])
    entry.refresh_from_db()
    assert entry.amount in (D("10.00"), D("-10.00"))
    assert LedgerEntry.objects.filter(transaction=txn).count() == 2


@pytest.mark.django_db
def test_pay_2_non_negative_balance_is_a_database_constraint() -> None:
    escrow = escrow_account()
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerAccount.objects.filter(pk=escrow.pk).update(balance=D("-0.01"))


@pytest.mark.django_db(transaction=True)
def test_pay_1_unbalanced_raw_insert_fails_at_commit() -> None:
    escrow = escrow_account()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_ledgertransaction (idempotency_key, kind, memo, fingerprint, created_at)"
            " VALUES ('raw-1', 'adjustment', '', 'x', now()) RETURNING id"
        )
        (txn_id,) = cursor.fetchone()
    with pytest.raises(DatabaseError, match="does not balance"):  # noqa: SIM117
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO ledger_ledgerentry (transaction_id, account_id, amount) VALUES (%s, %s, 5.00)",
                    [txn_id, escrow.pk],
                )
            # The deferred trigger waits for the commit: inside the transaction the insert succeeds.
            assert LedgerEntry.objects.filter(transaction_id=txn_id).count() == 1
    assert LedgerEntry.objects.filter(transaction_id=txn_id).count() == 0
    # A balanced pair in one transaction commits.
    clearing = platform_account(AccountKind.CUSTOMER_PAYMENTS_CLEARING)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_ledgerentry (transaction_id, account_id, amount) VALUES (%s, %s, 5.00), (%s, %s, -5.00)",
            [txn_id, escrow.pk, txn_id, clearing.pk],
        )
    assert LedgerEntry.objects.filter(transaction_id=txn_id).count() == 2


@contextmanager
def balance_trigger_disabled() -> Iterator[None]:
    """Switch off the deferred ``ledger_entry_txn_balanced`` trigger for rows inserted meanwhile (use inside
    the test's transaction only: the ALTER TABLE rolls back with it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'ledger_ledgerentry'::regclass"
            " AND tgname LIKE 'pgtrigger_ledger_entry_txn_balanced_%%'"
        )
        (name,) = cursor.fetchone()
        cursor.execute(f'ALTER TABLE ledger_ledgerentry DISABLE TRIGGER "{name}"')
        try:
            yield
        finally:
            # run the pending (deferred) foreign-key checks first: PostgreSQL refuses to ALTER a table
            # with pending trigger events
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(f'ALTER TABLE ledger_ledgerentry ENABLE TRIGGER "{name}"')


@pytest.mark.django_db
def test_pay_1_verify_ledger_reports_unbalanced_transactions_even_when_all_entries_sum_to_zero() -> None:
    """Rows that slipped past the balance trigger (a restore, a trigger disabled by hand) are reported.

    The trigger is disabled inside the test's own transaction (DDL rolls back with it). Two transactions
    off by +0.01 and -0.01 cancel out in the grand total and in the cached balances: only the
    per-transaction check can see them."""
    escrow = escrow_account()
    clearing = platform_account(AccountKind.CUSTOMER_PAYMENTS_CLEARING)
    clearing_before = ledger_balance(clearing)
    txn_ids = []
    with balance_trigger_disabled(), connection.cursor() as cursor:
        for key, into, out_of in (("raw-plus", "5.00", "-4.99"), ("raw-minus", "1.00", "-1.01")):
            cursor.execute(
                "INSERT INTO ledger_ledgertransaction (idempotency_key, kind, memo, fingerprint, created_at)"
                " VALUES (%s, 'adjustment', '', 'x', now()) RETURNING id",
                [key],
            )
            (txn_id,) = cursor.fetchone()
            txn_ids.append(txn_id)
            cursor.execute(
                "INSERT INTO ledger_ledgerentry (transaction_id, account_id, amount)"
                " VALUES (%s, %s, %s), (%s, %s, %s)",
                [txn_id, escrow.pk, into, txn_id, clearing.pk, out_of],
            )
    # keep the cached balances equal to their entries, so that nothing but the imbalance is wrong (the
    # platform-wide clearing account caches nothing: its entries are its balance, issue 26)
    LedgerAccount.objects.filter(pk=escrow.pk).update(balance=D("6.00"))
    assert ledger_balance(clearing) == clearing_before - D("6.00")

    result = ledger_verify()
    assert not result.ok
    assert result.problems == [
        f"transaction {txn_ids[0]} does not balance: 2 entries sum to 0.01",
        f"transaction {txn_ids[1]} does not balance: 2 entries sum to -0.01",
    ]
    with pytest.raises(CommandError, match=f"transaction {txn_ids[0]} does not balance"):
        call_command("verify_ledger")


def run_threads(n: int, target: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    """Run ``target(i)`` in ``n`` threads released at once; each closes its own connection."""
    barrier = threading.Barrier(n)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            result = target(i)
            with lock:
                results.append(result)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_pay_7_concurrent_releases_and_refunds_never_overdraw_escrow(round_: int) -> None:
    escrow = escrow_account()
    fund_escrow(escrow, "100.00")
    payable = payable_account()
    commission = platform_account(AccountKind.PLATFORM_COMMISSION)
    refunds = platform_account(AccountKind.REFUNDS_CLEARING)

    def take_30(i: int) -> LedgerTransaction:
        if i % 2:
            return ledger_post(
                idempotency_key=f"r{round_}-release-{i}",
                kind=TransactionKind.RELEASE,
                postings=[(escrow, D("-30.00")), (payable, D("27.00")), (commission, D("3.00"))],
            )
        return ledger_post(
            idempotency_key=f"r{round_}-refund-{i}",
            kind=TransactionKind.REFUND,
            postings=[(escrow, D("-30.00")), (refunds, D("30.00"))],
        )

    results, errors = run_threads(10, take_30)
    assert len(results) == 3
    assert len(errors) == 7
    assert all(isinstance(e, Conflict) and e.code == "insufficient_funds" for e in errors), errors
    assert ledger_balance(escrow) == D("10.00")
    assert LedgerEntry.objects.filter(account=escrow).count() == 4
    assert ledger_verify().ok, ledger_verify().problems


@pytest.mark.django_db(transaction=True)
def test_pay_7_concurrent_posts_with_one_key_make_one_transaction() -> None:
    escrow = escrow_account()
    clearing = platform_account(AccountKind.CUSTOMER_PAYMENTS_CLEARING)

    def pay(i: int) -> int:
        txn = ledger_post(
            idempotency_key="callback-42",
            kind=TransactionKind.PAYMENT,
            postings=[(clearing, D("-25.00")), (escrow, D("25.00"))],
        )
        return txn.pk

    results, errors = run_threads(10, pay)
    assert errors == []
    assert len(set(results)) == 1 and len(results) == 10
    assert LedgerTransaction.objects.filter(idempotency_key="callback-42").count() == 1
    assert ledger_balance(escrow) == D("25.00")
    assert ledger_verify().ok


@pytest.mark.django_db(transaction=True)
def test_pay_7_concurrent_posts_in_opposite_account_order_do_not_deadlock() -> None:
    a, b = escrow_account(), escrow_account()
    fund_escrow(a, "100.00")
    fund_escrow(b, "100.00")

    def shuffle(i: int) -> LedgerTransaction:
        src, dst = (a, b) if i % 2 else (b, a)
        return ledger_post(
            idempotency_key=unique_key(f"move-{i}"),
            kind=TransactionKind.ADJUSTMENT,
            postings=[(src, D("-1.00")), (dst, D("1.00"))],
        )

    results, errors = run_threads(10, shuffle)
    assert errors == [] and len(results) == 10
    assert ledger_balance(a) + ledger_balance(b) == D("200.00")
    assert ledger_verify().ok
