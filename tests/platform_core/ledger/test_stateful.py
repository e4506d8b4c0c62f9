"""PAY-1, PAY-2, PAY-6, PAY-7 under random sequences of operations (hypothesis stateful testing).

Each state machine instance makes fresh owners (users stand in for orders and merchants), so its own
accounts start empty inside the test's transaction; the shared platform accounts are checked by their
change since the instance started. After every step: every transaction balances, all entries sum to
zero, cached balances equal their entries, nothing non-negative is negative, and every balance matches
the model kept here.
"""

from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from platform_core.errors import Conflict, Unprocessable
from platform_core.ledger.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerHold,
    LedgerTransaction,
    TransactionKind,
)
from platform_core.ledger.selectors import ledger_balance, ledger_verify
from platform_core.ledger.services import (
    ledger_account_for,
    ledger_hold_open,
    ledger_hold_release,
    ledger_post,
)
from tests.factories.ledger import owner, unique_key

D = Decimal
amounts = st.decimals(min_value=D("0.01"), max_value=D("500.00"), places=2)
rates = st.sampled_from([D("0"), D("0.05"), D("0.1")])
indices = st.integers(min_value=0, max_value=1000)


def cents(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(D("0.01"))


PLATFORM_KINDS = [
    AccountKind.CUSTOMER_PAYMENTS_CLEARING,
    AccountKind.PLATFORM_COMMISSION,
    AccountKind.REFUNDS_CLEARING,
    AccountKind.PAYOUT_CLEARING,
]


class LedgerMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.platform = {kind: ledger_account_for(kind=kind) for kind in PLATFORM_KINDS}
        self.payable = ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=owner())
        self.escrows: list[LedgerAccount] = []
        self.expected: dict[int, Decimal] = {self.payable.pk: D("0.00")}
        self.baseline = {acc.pk: ledger_balance(acc) for acc in self.platform.values()}
        self.expected.update({pk: D("0.00") for pk in self.baseline})  # platform accounts: change since start
        self.holds: dict[int, list[LedgerHold]] = {}
        self.posted: list[tuple[str, str, list[tuple[LedgerAccount, Decimal]], int]] = []

    # --- helpers --------------------------------------------------------------------------------

    def escrow(self, i: int) -> LedgerAccount:
        return self.escrows[i % len(self.escrows)]

    def post(self, kind: str, postings: list[tuple[LedgerAccount, Decimal]]) -> None:
        key = unique_key(kind)
        txn = ledger_post(idempotency_key=key, kind=kind, postings=postings)
        for account, amount in postings:
            self.expected[account.pk] += amount
        self.posted.append((key, kind, postings, txn.pk))

    def refused(self, kind: str, postings: list[tuple[LedgerAccount, Decimal]], code: str) -> None:
        before = LedgerTransaction.objects.count(), LedgerEntry.objects.count()
        with pytest.raises(Conflict) as exc:
            ledger_post(idempotency_key=unique_key(kind), kind=kind, postings=postings)
        assert exc.value.code == code
        assert (LedgerTransaction.objects.count(), LedgerEntry.objects.count()) == before

    def held(self, escrow: LedgerAccount) -> bool:
        return bool(self.holds.get(escrow.pk))

    # --- rules ----------------------------------------------------------------------------------

    @rule(amount=amounts)
    def customer_pays_a_new_order(self, amount: Decimal) -> None:
        escrow = ledger_account_for(kind=AccountKind.ORDER_ESCROW, owner=owner())
        self.escrows.append(escrow)
        self.expected[escrow.pk] = D("0.00")
        self.post(
            TransactionKind.PAYMENT,
            [(self.platform[AccountKind.CUSTOMER_PAYMENTS_CLEARING], -amount), (escrow, amount)],
        )

    @precondition(lambda self: self.escrows)
    @rule(i=indices, amount=amounts)
    def customer_pays_more(self, i: int, amount: Decimal) -> None:
        escrow = self.escrow(i)
        self.post(
            TransactionKind.PAYMENT,
            [(self.platform[AccountKind.CUSTOMER_PAYMENTS_CLEARING], -amount), (escrow, amount)],
        )

    @precondition(lambda self: self.escrows)
    @rule(i=indices)
    def hold_open(self, i: int) -> None:
        escrow = self.escrow(i)
        hold = ledger_hold_open(account=escrow, reason="after-sales request open", subject=owner())
        self.holds.setdefault(escrow.pk, []).append(hold)

    @precondition(lambda self: any(self.holds.values()))
    @rule(i=indices)
    def hold_release(self, i: int) -> None:
        open_lists = [holds for holds in self.holds.values() if holds]
        holds = open_lists[i % len(open_lists)]
        ledger_hold_release(hold=holds.pop(0))

    @precondition(lambda self: self.escrows)
    @rule(i=indices, fraction=st.integers(min_value=1, max_value=100), rate=rates)
    def release_to_merchant(self, i: int, fraction: int, rate: Decimal) -> None:
        escrow = self.escrow(i)
        balance = self.expected[escrow.pk]
        amount = (balance * fraction / 100).quantize(D("0.01"))
        if amount <= 0:
            return
        commission = (amount * rate).quantize(D("0.01"))
        postings = [(escrow, -amount), (self.payable, amount - commission)]
        if commission:
            postings.append((self.platform[AccountKind.PLATFORM_COMMISSION], commission))
        if self.held(escrow):
            self.refused(TransactionKind.RELEASE, postings, "escrow_held")
        else:
            self.post(TransactionKind.RELEASE, postings)

    @precondition(lambda self: self.escrows)
    @rule(i=indices, fraction=st.integers(min_value=1, max_value=100))
    def refund_from_escrow(self, i: int, fraction: int) -> None:
        escrow = self.escrow(i)
        amount = (self.expected[escrow.pk] * fraction / 100).quantize(D("0.01"))
        if amount > 0:  # refunds pass holds: they resolve the cause
            self.post(
                TransactionKind.REFUND,
                [(escrow, -amount), (self.platform[AccountKind.REFUNDS_CLEARING], amount)],
            )

    @rule(fraction=st.integers(min_value=1, max_value=100))
    def payout_from_payable(self, fraction: int) -> None:
        amount = (self.expected[self.payable.pk] * fraction / 100).quantize(D("0.01"))
        if amount > 0:
            self.post(
                TransactionKind.PAYOUT,
                [(self.payable, -amount), (self.platform[AccountKind.PAYOUT_CLEARING], amount)],
            )

    @precondition(lambda self: self.posted)
    @rule(i=indices)
    def retry_with_same_key(self, i: int) -> None:
        key, kind, postings, txn_pk = self.posted[i % len(self.posted)]
        before = LedgerEntry.objects.count()
        assert ledger_post(idempotency_key=key, kind=kind, postings=postings).pk == txn_pk
        assert LedgerEntry.objects.count() == before

    @precondition(lambda self: self.posted)
    @rule(i=indices)
    def reuse_key_for_other_postings(self, i: int) -> None:
        key, kind, postings, _ = self.posted[i % len(self.posted)]
        (first, first_amount), (second, second_amount), *rest = postings
        changed = [(first, first_amount * 2), (second, second_amount * 2), *((a, x * 2) for a, x in rest)]
        with pytest.raises(Unprocessable):
            ledger_post(idempotency_key=key, kind=kind, postings=changed)

    @precondition(lambda self: self.escrows)
    @rule(i=indices, extra=amounts)
    def overdraw_escrow(self, i: int, extra: Decimal) -> None:
        escrow = self.escrow(i)
        amount = self.expected[escrow.pk] + extra
        self.refused(
            TransactionKind.REFUND,
            [(escrow, -amount), (self.platform[AccountKind.REFUNDS_CLEARING], amount)],
            "insufficient_funds",
        )

    @rule(extra=amounts)
    def overdraw_payable(self, extra: Decimal) -> None:
        amount = self.expected[self.payable.pk] + extra
        postings = [(self.payable, -amount), (self.platform[AccountKind.PAYOUT_CLEARING], amount)]
        self.refused(TransactionKind.PAYOUT, postings, "insufficient_funds")

    # --- invariants -----------------------------------------------------------------------------

    @invariant()
    def ledger_is_consistent(self) -> None:
        # Cheap checks on every step; the whole-ledger check (which scans everything) at the end.
        # quantized: SQLite sums decimals as floats
        assert cents(LedgerEntry.objects.aggregate(total=Sum("amount"))["total"]) == 0
        mine = [pk for pk in self.expected if pk not in self.baseline]
        for account in LedgerAccount.objects.filter(pk__in=mine).annotate(entry_sum=Sum("entries__amount")):
            # platform-wide accounts cache nothing: their entries are their balance (issue 26)
            assert account.balance == (0 if account.aggregated else cents(account.entry_sum)), account
            assert account.allow_negative or account.balance >= 0, account
        unbalanced = (
            LedgerEntry.objects.filter(transaction_id__in=[pk for *_, pk in self.posted[-3:]])
            .values("transaction_id")
            .annotate(total=Sum("amount"))
        )
        assert all(cents(row["total"]) == 0 for row in unbalanced)

    def teardown(self) -> None:
        result = ledger_verify()
        assert result.ok, result.problems

    @invariant()
    def balances_match_the_model(self) -> None:
        for pk, expected in self.expected.items():
            actual = ledger_balance(LedgerAccount.objects.get(pk=pk)) - self.baseline.get(pk, D("0.00"))
            assert actual == expected, (pk, actual, expected)
        for escrow in [*self.escrows, self.payable]:
            assert self.expected[escrow.pk] >= 0


NORMAL = settings(
    max_examples=25,
    stateful_step_count=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.django_db
def test_pay_1_pay_6_pay_7_random_operations_keep_the_ledger_consistent() -> None:
    run_state_machine_as_test(LedgerMachine, settings=NORMAL)


@pytest.mark.slow
@pytest.mark.soak
@pytest.mark.django_db
def test_pay_1_pay_6_pay_7_random_operations_keep_the_ledger_consistent_long() -> None:
    run_state_machine_as_test(
        LedgerMachine, settings=settings(NORMAL, max_examples=400, stateful_step_count=60, derandomize=False)
    )
