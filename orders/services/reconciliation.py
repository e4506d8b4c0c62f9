"""PAY-8: the day's ledger movements compared with the payment providers' settlement records."""

from collections.abc import Callable, Collection
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from orders.models import Payment, Payout, ProviderSettlementRecord, ReconciliationDifference, Refund
from orders.payments.bills import STATEMENTS
from orders.services._common import _payment_ledger_key
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import Forbidden, InvalidInput
from platform_core.ledger.models import LedgerEntry
from platform_core.locking import lock

# --- PAY-8: reconciliation -------------------------------------------------------------------------


def _ledger_amounts(keys: Collection[str]) -> dict[str, Decimal]:
    """What the ledger transactions of ``keys`` moved (the sum of their positive entries), in one query;
    a key the ledger has no posting for is absent."""
    amounts: dict[str, Decimal] = {}
    entries = LedgerEntry.objects.filter(transaction__idempotency_key__in=keys, amount__gt=0)
    for key, amount in entries.values_list("transaction__idempotency_key", "amount"):
        amounts[key] = amounts.get(key, Decimal("0.00")) + amount
    return amounts


def _fee_rates() -> dict[str, object]:
    """The contracted service fee rate of each provider whose statements state fees (decision 038)."""
    return {"alipay": settings.ORDERS_ALIPAY_FEE_RATE, "wechat_pay": settings.ORDERS_WECHAT_PAY_FEE_RATE}


def expected_fee(provider: str, amount: Decimal) -> Decimal | None:
    """PAY-8: the fee the provider's contract charges on ``amount`` (returned in proportion on a refund),
    rounded half up to the fen; ``None`` for a provider that charges none we know of."""
    rate = _fee_rates().get(provider)
    if rate is None:
        return None
    return (amount * Decimal(str(rate))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _reason(ledger_amount: Decimal | None, provider_amount: Decimal | None) -> str:
    if ledger_amount is None:
        return ReconciliationDifference.Reason.MISSING_OURS
    if provider_amount is None:
        return ReconciliationDifference.Reason.MISSING_THEIRS
    return ReconciliationDifference.Reason.AMOUNT


Entry = tuple[str, str, str]  # provider, kind, reference


def _ours(day: date, wanted: Callable[[str], bool], *, payouts: bool) -> dict[Entry, Decimal | None]:
    """The day's payments, refunds (and payouts) the ledger booked: what each moved (``None``: no posting).
    Refunds paid by a transfer to the payer are not reconciled from statements yet: no transfer bill is read
    (decision 038); their ledger postings remain, and so does the audit of each transfer."""
    keys: dict[Entry, str] = {}  # each movement's ledger transaction, read in one query at the end
    for payment in Payment.objects.filter(status=Payment.Status.SUCCEEDED, succeeded_at__date=day):
        if wanted(payment.provider):
            key = _payment_ledger_key(payment, payment.provider_trade_no)
            keys[(payment.provider, "payment", payment.provider_trade_no or "")] = key
    # only refunds the trade's refund API executed are on its bill: not one refused (``failed``) nor one
    # that did not fit in the trade and waits for, or was paid by, a transfer to the payer (decision 038)
    refunds = Refund.objects.filter(created_at__date=day).exclude(status=Refund.Status.FAILED)
    for refund in refunds.exclude(paid_by_transfer=True).select_related("payment"):
        provider = refund.payment.provider if refund.payment else ""
        if wanted(provider):
            keys[(provider, "refund", refund.refund_no)] = (
                refund.ledger_key or f"order-refund:{refund.idempotency_key}"
            )
    # a failed payout's posting was reversed (the money is back in the payable): nothing to match
    day_payouts = Payout.objects.filter(created_at__date=day) if payouts else Payout.objects.none()
    for payout in day_payouts.exclude(status=Payout.Status.FAILED).select_related("statement"):
        key = f"payout:{payout.merchant_id}:{payout.statement.period.isoformat()}"
        keys[(payout.provider, "payout", payout.provider_reference)] = key
    amounts = _ledger_amounts(set(keys.values())) if keys else {}
    return {entry: amounts.get(key) for entry, key in keys.items()}


def _theirs(
    day: date, wanted: Callable[[str], bool], *, payouts: bool
) -> dict[Entry, ProviderSettlementRecord]:
    """The day's lines of the providers' settlement records (statements)."""
    return {
        (r.provider, r.kind, r.reference): r
        for r in ProviderSettlementRecord.objects.filter(at__date=day)
        if (r.kind == "payout" and payouts) or (r.kind != "payout" and wanted(r.provider))
    }


def _crossed_midnight_resolve(*, day: date, entries: set[Entry]) -> None:
    """PAY-8: a "missing" case the adjacent day opened for a movement this day's statement (or ledger) now
    carries is resolved — the movement only crossed midnight between the provider's books and ours."""
    for provider, kind, reference in sorted(entries):
        for difference in ReconciliationDifference.objects.filter(
            day__in=(day - timedelta(days=1), day + timedelta(days=1)),
            provider=provider,
            kind=kind,
            reference=reference,
            reason__in=(
                ReconciliationDifference.Reason.MISSING_OURS,
                ReconciliationDifference.Reason.MISSING_THEIRS,
            ),
            status=ReconciliationDifference.Status.OPEN,
        ):
            difference.status = ReconciliationDifference.Status.RESOLVED
            difference.note = _("Found on %(day)s: the movement crossed midnight between the two books.") % {
                "day": day.isoformat()
            }
            difference.save(update_fields=["status", "note"])
            audit_record(
                actor=None,
                action="reconciliation.difference_settled",
                subject=difference,
                before={"status": ReconciliationDifference.Status.OPEN},
                after={"status": difference.status, "note": difference.note},
            )


@transaction.atomic
def reconciliation_run(
    *, day: date, statements_of: Collection[str] | None = None
) -> list[ReconciliationDifference]:
    """PAY-8: compare the day's ledger movements with the providers' settlement records.

    Every payment, refund and payout the ledger holds must appear in the provider's records with the
    same amount (and, where the record states a fee, the contracted fee), and the other way round; each
    difference becomes a ``ReconciliationDifference`` for the finance queue (once per day, provider,
    kind, reference and reason: missing on our side, missing at the provider, amount or fee differs).

    Payments and refunds of the providers that publish a daily statement (decision 038) are reconciled
    from it, in a run of their own (``statements_of``: those providers, payments and refunds only); the
    default run covers the rest (the sandbox's records) and every payout.
    """

    def wanted(provider: str) -> bool:
        return provider in statements_of if statements_of is not None else provider not in STATEMENTS

    payouts = statements_of is None
    ours, theirs = _ours(day, wanted, payouts=payouts), _theirs(day, wanted, payouts=payouts)
    # a movement booked at 23:59:59 on one side and 00:00:01 on the other (or a provider settling by its own
    # cut-off) is on the adjacent day's statement: matched there, never two "missing" cases
    near_ours: dict[Entry, Decimal | None] = {}
    near_theirs: set[Entry] = set()
    for other in (day - timedelta(days=1), day + timedelta(days=1)):
        near_ours.update(_ours(other, wanted, payouts=payouts))
        near_theirs.update(_theirs(other, wanted, payouts=payouts))
    crossed: set[Entry] = set()
    differences = []
    for entry_key in sorted(set(ours) | set(theirs)):
        record = theirs.get(entry_key)
        if record is None and entry_key in near_theirs:
            crossed.add(entry_key)  # the provider billed it the day before or after: compared on that day
            continue
        if record is not None and entry_key not in ours and entry_key in near_ours:
            crossed.add(entry_key)  # we booked it the day before or after
            ledger_amount = near_ours[entry_key]
        else:
            ledger_amount = ours.get(entry_key)
        provider_amount = record.amount if record else None
        provider, kind, reference = entry_key
        values: dict[str, object] = {"ledger_amount": ledger_amount, "provider_amount": provider_amount}
        if ledger_amount != provider_amount:
            reason = _reason(ledger_amount, provider_amount)
        elif record is not None and record.fee is not None:
            fee = expected_fee(provider, record.amount)
            if fee is None or fee == record.fee:
                continue
            reason = ReconciliationDifference.Reason.FEE
            values.update(expected_fee=fee, provider_fee=record.fee)
        else:
            continue
        difference, _created = ReconciliationDifference.objects.get_or_create(
            day=day, provider=provider, kind=kind, reference=reference, reason=reason, defaults=values
        )
        differences.append(difference)
    _crossed_midnight_resolve(day=day, entries=crossed)
    if differences:
        audit_record(
            actor=None,
            action="ledger.reconciliation_differences_found",
            after={"day": day, "count": len(differences)},
        )
    return differences


@transaction.atomic
def reconciliation_difference_settle(
    *, difference: ReconciliationDifference, status: str, note: str, actor: User
) -> ReconciliationDifference:
    """PAY-8: finance records what a difference was and whether it is resolved (the admin's only write)."""
    if not actor.has_perm("orders.change_reconciliationdifference"):
        raise Forbidden(_("Only finance staff settle reconciliation differences."), code="not_finance")
    if status not in ReconciliationDifference.Status.values:
        raise InvalidInput(
            _("Unknown status."), code="invalid_status", errors={"status": [_("Unknown status.")]}
        )
    difference = lock(ReconciliationDifference, difference.pk)
    before = {"status": difference.status, "note": difference.note}
    difference.status, difference.note = status, note
    difference.save(update_fields=["status", "note"])
    audit_record(
        actor=actor,
        action="reconciliation.difference_settled",
        subject=difference,
        before=before,
        after={"status": status, "note": note},
    )
    return difference
