"""PAY-8: the day's ledger movements compared with the payment providers' settlement records."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from orders.models import Payment, Payout, ProviderSettlementRecord, ReconciliationDifference, Refund
from orders.services._common import _payment_ledger_key
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import Forbidden, InvalidInput
from platform_core.ledger.models import LedgerEntry
from platform_core.locking import lock

# --- PAY-8: reconciliation -------------------------------------------------------------------------


def _ledger_amount(key: str) -> Decimal | None:
    entries = LedgerEntry.objects.filter(transaction__idempotency_key=key, amount__gt=0)
    amounts = list(entries.values_list("amount", flat=True))
    return sum(amounts, Decimal("0.00")) if amounts else None


@transaction.atomic
def reconciliation_run(*, day: date) -> list[ReconciliationDifference]:
    """PAY-8: compare the day's ledger movements with the providers' settlement records.

    Every payment, refund and payout the ledger holds must appear in the provider's records with the
    same amount, and the other way round; each difference becomes a ``ReconciliationDifference`` for the
    finance queue (once per day, provider, kind and reference).
    """
    ours: dict[tuple[str, str, str], Decimal | None] = {}
    for payment in Payment.objects.filter(status=Payment.Status.SUCCEEDED, succeeded_at__date=day):
        key = _payment_ledger_key(payment, payment.provider_trade_no)
        ours[(payment.provider, "payment", payment.provider_trade_no or "")] = _ledger_amount(key)
    for refund in Refund.objects.filter(created_at__date=day).select_related("payment"):
        provider = refund.payment.provider if refund.payment else ""
        ours[(provider, "refund", refund.refund_no)] = _ledger_amount(
            refund.ledger_key or f"order-refund:{refund.idempotency_key}"
        )
    for payout in Payout.objects.filter(created_at__date=day).select_related("statement"):
        key = f"payout:{payout.merchant_id}:{payout.statement.period.isoformat()}"
        ours[(payout.provider, "payout", payout.provider_reference)] = _ledger_amount(key)
    theirs = {
        (r.provider, r.kind, r.reference): r.amount
        for r in ProviderSettlementRecord.objects.filter(at__date=day)
    }
    differences = []
    for entry_key in sorted(set(ours) | set(theirs)):
        ledger_amount, provider_amount = ours.get(entry_key), theirs.get(entry_key)
        if ledger_amount == provider_amount:
            continue
        provider, kind, reference = entry_key
        difference, _created = ReconciliationDifference.objects.get_or_create(
            day=day,
            provider=provider,
            kind=kind,
            reference=reference,
            defaults={"ledger_amount": ledger_amount, "provider_amount": provider_amount},
        )
        differences.append(difference)
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
