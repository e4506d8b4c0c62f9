"""Reads of the ledger: balances, entries, transactions, holds, and the whole-ledger check (PAY-1, PAY-6)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from platform_core.ledger.models import LedgerAccount, LedgerEntry, LedgerHold, LedgerTransaction
from platform_core.money import money_from

_ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=18, decimal_places=2))


def ledger_balance(account: LedgerAccount) -> Decimal:
    """The account's balance: the cached column, read fresh from the database (one indexed query); for an
    aggregated (platform-wide) account the sum of its entries (issue 26)."""
    if account.aggregated:
        total = LedgerEntry.objects.filter(account_id=account.pk).aggregate(
            total=Coalesce(Sum("amount"), _ZERO)
        )
        return money_from(total["total"])
    return LedgerAccount.objects.values_list("balance", flat=True).get(pk=account.pk)


def ledger_entries_for(account: LedgerAccount) -> models.QuerySet[LedgerEntry]:
    """The account's entries, oldest first, with their transactions."""
    return LedgerEntry.objects.filter(account=account).select_related("transaction").order_by("pk")


def ledger_transactions_for(*, subject: models.Model) -> models.QuerySet[LedgerTransaction]:
    """The transactions posted about ``subject`` (e.g. an order), oldest first, with their entries."""
    return (
        LedgerTransaction.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
            subject_id=subject.pk,
        )
        .prefetch_related("entries__account")
        .order_by("pk")
    )


def ledger_holds_open(*, account: LedgerAccount) -> models.QuerySet[LedgerHold]:
    """PAY-6: the open holds on the account, with their reasons, oldest first."""
    return LedgerHold.objects.filter(account=account, released_at__isnull=True).order_by("opened_at", "pk")


@dataclass
class LedgerVerifyResult:
    ok: bool
    problems: list[str] = field(default_factory=list)
    transactions: int = 0
    accounts: int = 0


def _verify() -> LedgerVerifyResult:
    problems: list[str] = []
    unbalanced = (
        LedgerEntry.objects.values("transaction_id")
        .annotate(total=Sum("amount"), legs=Count("pk"))
        .filter(~Q(total=0) | Q(legs__lt=2))
        .order_by("transaction_id")
    )
    # The database narrows, Python decides: SQLite sums decimals as floats (PostgreSQL is exact).
    problems += [
        f"transaction {row['transaction_id']} does not balance: {row['legs']} entries sum to {money_from(row['total'])}"
        for row in unbalanced[:100]
        if money_from(row["total"]) != 0 or row["legs"] < 2
    ]
    empty = LedgerTransaction.objects.filter(entries__isnull=True).values_list("pk", flat=True)[:100]
    problems += [f"transaction {pk} has no entries" for pk in empty]
    total = LedgerEntry.objects.aggregate(total=Coalesce(Sum("amount"), _ZERO))["total"]
    if money_from(total) != 0:
        problems.append(f"the sum of all entries is {money_from(total)}, not 0")
    entry_sum = (
        LedgerEntry.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    accounts = LedgerAccount.objects.annotate(entry_sum=Coalesce(Subquery(entry_sum), _ZERO))
    # An aggregated account's balance is its entries by definition: it must cache nothing (issue 26).
    for account in LedgerAccount.objects.filter(aggregated=True).exclude(balance=0).order_by("pk")[:100]:
        problems.append(
            f"account {account.pk} ({account}) is kept by aggregation but caches {account.balance}"
        )
    cached = accounts.filter(aggregated=False)
    for account in cached.filter(~Q(balance=models.F("entry_sum"))).order_by("pk")[:100]:
        if money_from(account.balance) != money_from(account.entry_sum):
            problems.append(
                f"account {account.pk} ({account}) caches {money_from(account.balance)}, "
                f"entries sum to {money_from(account.entry_sum)}"
            )
    for negative in LedgerAccount.objects.filter(allow_negative=False, balance__lt=0).order_by("pk")[:100]:
        problems.append(
            f"account {negative.pk} ({negative}) may not go negative but is at {negative.balance}"
        )
    for account in accounts.filter(allow_negative=False, entry_sum__lt=0).order_by("pk")[:100]:
        if money_from(account.entry_sum) < 0:
            problems.append(
                f"account {account.pk} ({account}) may not go negative but its entries sum to "
                f"{money_from(account.entry_sum)}"
            )
    return LedgerVerifyResult(
        ok=not problems,
        problems=problems,
        transactions=LedgerTransaction.objects.count(),
        accounts=LedgerAccount.objects.count(),
    )


def ledger_verify() -> LedgerVerifyResult:
    """PAY-1: every transaction balances, all entries sum to zero, every cached balance equals its entries,
    and no escrow, deposit or payable account is negative. For reports, health checks and backup drills.

    On PostgreSQL, outside a transaction, the checks read one REPEATABLE READ snapshot so that posts
    committing meanwhile cannot show up as false discrepancies.
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return _verify()
    return _verify()
