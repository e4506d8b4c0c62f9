from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from platform_core.errors import Conflict, InvalidInput, Unprocessable
from platform_core.ledger.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from platform_core.ledger.selectors import (
    ledger_balance,
    ledger_entries_for,
    ledger_holds_open,
    ledger_transactions_for,
    ledger_verify,
)
from platform_core.ledger.services import (
    ledger_account_for,
    ledger_hold_open,
    ledger_hold_release,
    ledger_post,
    ledger_reverse,
)
from tests.factories.ledger import (
    escrow_account,
    fund_escrow,
    owner,
    payable_account,
    platform_account,
    unique_key,
)

pytestmark = pytest.mark.django_db

D = Decimal


def release(escrow: LedgerAccount, amount: str, key: str | None = None) -> LedgerTransaction:
    payable = payable_account()
    commission = platform_account(AccountKind.PLATFORM_COMMISSION)
    net = D(amount) - D("1.00")
    return ledger_post(
        idempotency_key=key or unique_key("release"),
        kind=TransactionKind.RELEASE,
        postings=[(escrow, -D(amount)), (payable, net), (commission, D("1.00"))],
    )


def refund(escrow: LedgerAccount, amount: str, key: str | None = None) -> LedgerTransaction:
    return ledger_post(
        idempotency_key=key or unique_key("refund"),
        kind=TransactionKind.REFUND,
        postings=[(escrow, -D(amount)), (platform_account(AccountKind.REFUNDS_CLEARING), D(amount))],
    )


def test_pay_1_account_for_is_get_or_create_and_kind_sets_allow_negative() -> None:
    order = owner()
    escrow = ledger_account_for(kind=AccountKind.ORDER_ESCROW, owner=order)
    assert ledger_account_for(kind=AccountKind.ORDER_ESCROW, owner=order) == escrow
    assert escrow.allow_negative is False
    assert escrow.owner == order
    clearing = ledger_account_for(kind=AccountKind.CUSTOMER_PAYMENTS_CLEARING)
    assert ledger_account_for(kind=AccountKind.CUSTOMER_PAYMENTS_CLEARING) == clearing
    assert clearing.allow_negative is True and clearing.owner is None
    assert LedgerAccount.objects.filter(kind=AccountKind.CUSTOMER_PAYMENTS_CLEARING).count() == 1
    with pytest.raises(InvalidInput):
        ledger_account_for(kind="wallet")


def test_pay_1_payment_moves_money_and_balances() -> None:
    escrow = escrow_account()
    clearing = platform_account(AccountKind.CUSTOMER_PAYMENTS_CLEARING)
    before = ledger_balance(clearing)
    txn = fund_escrow(escrow, "100.00")
    assert ledger_balance(escrow) == D("100.00")
    assert escrow.balance == D("100.00")  # the caller's instance is refreshed
    assert ledger_balance(clearing) == before - D("100.00")
    assert sorted(e.amount for e in txn.entries.all()) == [D("-100.00"), D("100.00")]
    assert [e.transaction for e in ledger_entries_for(escrow)] == [txn]
    assert ledger_verify().ok


@pytest.mark.parametrize(
    "amounts",
    [
        [D("10.00"), D("-9.99")],  # unbalanced
        [D("10.00")],  # one leg
        [D("0.00"), D("0.00")],  # zero legs
        [D("10.001"), D("-10.001")],  # sub-cent
        [10.0, -10.0],  # floats
        ["10.00", "-10.00"],  # strings
        [D("NaN"), D("NaN")],
    ],
)
def test_pay_1_invalid_postings_refused_and_nothing_written(amounts: list[object]) -> None:
    accounts = [escrow_account(), platform_account(AccountKind.CUSTOMER_PAYMENTS_CLEARING)]
    postings = list(zip(accounts, amounts, strict=False))
    with pytest.raises(InvalidInput):
        ledger_post(idempotency_key=unique_key(), kind=TransactionKind.PAYMENT, postings=postings)
    assert LedgerTransaction.objects.count() == 0
    assert LedgerEntry.objects.count() == 0


def test_pay_1_same_account_twice_and_unknown_kind_refused() -> None:
    escrow = escrow_account()
    clearing = platform_account(AccountKind.CUSTOMER_PAYMENTS_CLEARING)
    with pytest.raises(InvalidInput) as exc:
        ledger_post(
            idempotency_key=unique_key(),
            kind=TransactionKind.PAYMENT,
            postings=[(escrow, D("5")), (escrow, D("5")), (clearing, D("-10"))],
        )
    assert exc.value.code == "duplicate_account"
    with pytest.raises(InvalidInput):
        ledger_post(
            idempotency_key=unique_key(), kind="gift", postings=[(escrow, D("5")), (clearing, D("-5"))]
        )
    with pytest.raises(InvalidInput) as exc:
        ledger_post(
            idempotency_key=unique_key(),
            kind=TransactionKind.REVERSAL,
            postings=[(escrow, D("5")), (clearing, D("-5"))],
        )
    assert exc.value.code == "use_ledger_reverse"
    with pytest.raises(InvalidInput):
        ledger_post(
            idempotency_key="  ",
            kind=TransactionKind.PAYMENT,
            postings=[(escrow, D("5")), (clearing, D("-5"))],
        )
    assert LedgerTransaction.objects.count() == 0


def test_pay_7_same_key_same_postings_returns_first_transaction() -> None:
    escrow = escrow_account()
    first = fund_escrow(escrow, "50.00", key="order:1:payment")
    again = fund_escrow(escrow, D("50"), key="order:1:payment")
    assert again.pk == first.pk
    assert LedgerTransaction.objects.count() == 1
    assert LedgerEntry.objects.count() == 2
    assert ledger_balance(escrow) == D("50.00")


def test_pay_7_same_key_different_postings_is_unprocessable() -> None:
    escrow = escrow_account()
    fund_escrow(escrow, "50.00", key="order:1:payment")
    with pytest.raises(Unprocessable) as exc:
        fund_escrow(escrow, "60.00", key="order:1:payment")
    assert exc.value.code == "idempotency_key_reused"
    with pytest.raises(Unprocessable):
        fund_escrow(escrow_account(), "50.00", key="order:1:payment")  # another account
    assert ledger_balance(escrow) == D("50.00")
    assert LedgerTransaction.objects.count() == 1


def test_pay_2_escrow_cannot_go_negative_and_nothing_is_written() -> None:
    escrow = escrow_account()
    fund_escrow(escrow, "100.00")
    counts = LedgerTransaction.objects.count(), LedgerEntry.objects.count()
    with pytest.raises(Conflict) as exc:
        refund(escrow, "100.01")
    assert exc.value.code == "insufficient_funds"
    assert str(escrow) in exc.value.message
    assert (LedgerTransaction.objects.count(), LedgerEntry.objects.count()) == counts
    assert ledger_balance(escrow) == D("100.00")
    refund(escrow, "100.00")  # exactly to zero is fine
    assert ledger_balance(escrow) == D("0.00")
    assert ledger_verify().ok


def test_pay_6_hold_blocks_release_and_payout_but_not_refund() -> None:
    escrow = escrow_account()
    fund_escrow(escrow, "100.00")
    complaint = owner()
    hold = ledger_hold_open(account=escrow, reason="after-sales request #7 open", subject=complaint)
    assert list(ledger_holds_open(account=escrow)) == [hold]
    with pytest.raises(Conflict) as exc:
        release(escrow, "40.00")
    assert exc.value.code == "escrow_held"
    assert "after-sales request #7 open" in exc.value.message
    with pytest.raises(Conflict) as exc:
        ledger_post(
            idempotency_key=unique_key(),
            kind=TransactionKind.PAYOUT,
            postings=[(escrow, D("-10.00")), (platform_account(AccountKind.PAYOUT_CLEARING), D("10.00"))],
        )
    assert exc.value.code == "escrow_held"
    assert ledger_balance(escrow) == D("100.00")
    refund(escrow, "30.00")  # the refund resolves the cause: it passes
    assert ledger_balance(escrow) == D("70.00")
    # money INTO a held account is not a release out of it
    fund_escrow(escrow, "5.00")
    assert ledger_balance(escrow) == D("75.00")


def test_pay_6_release_works_after_hold_released() -> None:
    escrow = escrow_account()
    fund_escrow(escrow, "100.00")
    subject = owner()
    hold = ledger_hold_open(account=escrow, reason="dispute open", subject=subject)
    assert ledger_hold_open(account=escrow, reason="dispute open", subject=subject) == hold  # idempotent
    ledger_hold_release(hold=hold)
    assert hold.released_at is not None
    ledger_hold_release(hold=hold)  # idempotent
    assert list(ledger_holds_open(account=escrow)) == []
    txn = release(escrow, "100.00")
    assert ledger_balance(escrow) == D("0.00")
    assert txn.kind == TransactionKind.RELEASE


def test_pay_6_hold_needs_a_reason() -> None:
    with pytest.raises(InvalidInput):
        ledger_hold_open(account=escrow_account(), reason=" ", subject=owner())


def test_pay_1_reversal_restores_balances() -> None:
    escrow = escrow_account()
    clearing = platform_account(AccountKind.CUSTOMER_PAYMENTS_CLEARING)
    clearing_before = ledger_balance(clearing)
    order = owner()
    payment = ledger_post(
        idempotency_key=unique_key(),
        kind=TransactionKind.PAYMENT,
        postings=[(clearing, D("-80.00")), (escrow, D("80.00"))],
        subject=order,
    )
    reversal = ledger_reverse(transaction=payment, idempotency_key="rev-1", reason="duplicate callback")
    assert reversal.kind == TransactionKind.REVERSAL and reversal.reverses == payment
    assert ledger_balance(escrow) == D("0.00")
    assert ledger_balance(clearing) == clearing_before
    assert (
        ledger_reverse(transaction=payment, idempotency_key="rev-1", reason="duplicate callback") == reversal
    )
    with pytest.raises(Conflict) as exc:
        ledger_reverse(transaction=payment, idempotency_key="rev-2", reason="again")
    assert exc.value.code == "already_reversed"
    assert list(ledger_transactions_for(subject=order)) == [payment, reversal]
    assert ledger_verify().ok


def test_pay_1_reversal_cannot_overdraw_escrow() -> None:
    escrow = escrow_account()
    payment = fund_escrow(escrow, "50.00")
    refund(escrow, "20.00")
    with pytest.raises(Conflict) as exc:
        ledger_reverse(transaction=payment, idempotency_key=unique_key(), reason="wrong order")
    assert exc.value.code == "insufficient_funds"
    assert ledger_balance(escrow) == D("30.00")


def test_pay_1_verify_ledger_command_reports_ok_and_a_broken_cache(
    capsys: pytest.CaptureFixture[str],
) -> None:
    escrow = escrow_account()
    fund_escrow(escrow, "10.00")
    call_command("verify_ledger")
    assert "ledger OK: 1 transactions, 2 accounts" in capsys.readouterr().out
    LedgerAccount.objects.filter(pk=escrow.pk).update(balance=D("11.00"))  # the cache is updatable
    result = ledger_verify()
    assert not result.ok
    assert any("caches 11.00" in p for p in result.problems)
    with pytest.raises(CommandError, match=r"caches 11\.00"):
        call_command("verify_ledger")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL's trigger refuses the broken row")
def test_pay_1_verify_finds_unbalanced_transaction_sqlite() -> None:
    escrow = escrow_account()
    txn = LedgerTransaction.objects.create(
        idempotency_key="raw", kind=TransactionKind.ADJUSTMENT, fingerprint="x"
    )
    LedgerEntry.objects.create(transaction=txn, account=escrow, amount=D("5.00"))
    LedgerAccount.objects.filter(pk=escrow.pk).update(balance=D("5.00"))
    problems = ledger_verify().problems
    assert any("does not balance" in p for p in problems)
    assert any("sum of all entries is 5.00" in p for p in problems)
