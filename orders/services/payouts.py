"""PAY-4: the merchants' periodic statements and the payouts of their payable balances."""

import logging
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from merchants.models import Merchant
from merchants.selectors.standing import grade_policy_for_merchant
from orders.models import Order, Payout, PayoutStatement
from orders.payments.payouts import payout_provider_for
from orders.selectors.payout_accounts import payout_account_active
from orders.services._common import _platform
from orders.services.payout_dispatch import payout_dispatch
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import DomainError
from platform_core.ledger.models import AccountKind, LedgerAccount, LedgerEntry, TransactionKind
from platform_core.ledger.services import ledger_account_for, ledger_post
from platform_core.locking import lock
from platform_core.notifications.services import notify

logger = logging.getLogger(__name__)


# --- PAY-4: payouts and statements -----------------------------------------------------------------


def _statement_lines(entries: Sequence[LedgerEntry]) -> list[dict[str, Any]]:
    order_type = ContentType.objects.get_for_model(Order)
    order_ids = {e.transaction.subject_id for e in entries if e.transaction.subject_type_id == order_type.pk}
    numbers = dict(Order.objects.filter(pk__in=order_ids).values_list("pk", "number"))
    lines = []
    for entry in entries:
        txn = entry.transaction
        legs = {leg.account.kind: leg.amount for leg in txn.entries.all()}
        is_order = txn.subject_type_id == order_type.pk
        lines.append(
            {
                "transaction": txn.pk,
                "kind": txn.kind,
                "at": txn.created_at.isoformat(),
                "order": numbers.get(txn.subject_id, "") if is_order else "",
                "gross": str(-legs.get(AccountKind.ORDER_ESCROW, Decimal("0.00")))
                if txn.kind == TransactionKind.RELEASE
                else "0.00",
                "commission": str(legs.get(AccountKind.PLATFORM_COMMISSION, Decimal("0.00"))),
                "amount": str(entry.amount),
            }
        )
    return lines


@transaction.atomic
def payout_run_for_merchant(*, merchant: Merchant, period: date, actor: User | None = None) -> Payout | None:
    """PAY-4: one period's statement for the merchant and the payout of its payable balance.

    Payable → payout clearing (kind ``payout``, refused while a hold is open on the payable), then the
    payout provider transfers it. REP-3: only money that arrived at least the merchant's grade's
    ``payout_delay_days`` ago is paid (``CreditGradePolicy``); the rest waits for a later run. One statement and payout per merchant and period (``None`` if there is
    nothing to pay or it was already paid).
    """
    merchant = lock(Merchant, merchant.pk)
    if PayoutStatement.objects.filter(merchant=merchant, period=period).exists():
        return None
    payable = ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=merchant)
    payable = lock(LedgerAccount, payable.pk)
    if payable.balance <= 0 or payable.holds.filter(released_at__isnull=True).exists():
        return None
    # REP-3: money reaches a payout the grade policy's delay after it arrived; what left the payable
    # (refunds, earlier payouts) counts at once.
    delay = grade_policy_for_merchant(merchant=merchant)["payout_delay_days"]
    last = PayoutStatement.objects.filter(merchant=merchant).aggregate(m=Max("last_entry_id"))["m"] or 0
    entries_due = LedgerEntry.objects.filter(account=payable, pk__gt=last)
    amount = payable.balance
    if delay:
        cutoff = clock.now() - timedelta(days=delay)
        recent = LedgerEntry.objects.filter(account=payable, amount__gt=0, transaction__created_at__gt=cutoff)
        amount -= recent.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
        entries_due = entries_due.filter(transaction__created_at__lte=cutoff)
    if amount <= 0:
        return None
    account = payout_account_active(merchant=merchant)
    # decisions 037, 045: a transfer rail needs an account receiving payouts (none yet, or a new one
    # cooling off: the money waits) and pays it through the rail of its kind
    provider = payout_provider_for(account=account)
    if provider is None:
        logger.info("payout for merchant %s waits: no payout account a rail can pay", merchant.pk)
        return None
    entries = list(
        entries_due.select_related("transaction")
        .prefetch_related("transaction__entries__account")
        .order_by("pk")
    )
    lines = _statement_lines(entries)
    gross = sum((Decimal(line["gross"]) for line in lines), Decimal("0.00"))
    commission = sum((Decimal(line["commission"]) for line in lines), Decimal("0.00"))
    refunds = -sum(
        (Decimal(line["amount"]) for line in lines if line["kind"] == TransactionKind.REFUND), Decimal("0.00")
    )
    statement = PayoutStatement.objects.create(
        merchant=merchant,
        period=period,
        lines=lines,
        gross=gross,
        commission=commission,
        refunds=refunds,
        net=amount,
        last_entry_id=entries[-1].pk if entries else last,
    )
    payout = Payout.objects.create(
        merchant=merchant,
        statement=statement,
        amount=amount,
        provider=provider.name,
        account=account,
        status=Payout.Status.PENDING if provider.remote else Payout.Status.PAID,
        # decision 037: the gateway's idempotency number, one per merchant and period like the statement
        out_biz_no=f"PAYOUT{merchant.pk}D{period:%Y%m%d}" if provider.remote else None,
    )
    ledger_post(
        idempotency_key=f"payout:{merchant.pk}:{period.isoformat()}",
        kind=TransactionKind.PAYOUT,
        postings=[(payable, -payout.amount), (_platform(AccountKind.PAYOUT_CLEARING), payout.amount)],
        memo=f"payout for {period.isoformat()}",
        subject=payout,
        actor=actor,
    )
    if provider.remote:  # decision 037: the transfer leaves after the commit; the merchant is told then
        payout_dispatch(payout=payout)
        audit_record(
            actor=actor,
            action="merchant.payout_started",
            subject=merchant,
            after={
                "payout": payout.pk,
                "amount": payout.amount,
                "period": period,
                "out_biz_no": payout.out_biz_no,
            },
        )
        return payout
    payout.provider_reference = provider.transfer(payout)
    payout.save(update_fields=["provider_reference"])
    audit_record(
        actor=actor,
        action="merchant.payout_made",
        subject=merchant,
        after={"payout": payout.pk, "amount": payout.amount, "period": period},
    )
    notify(
        recipient=merchant.owner,
        event="merchant_payout_made",
        title=_("Payout"),
        body=_("%(amount)s CNY was paid out for %(period)s.") % {"amount": payout.amount, "period": period},
        subject=payout,
    )
    return payout


def payouts_run(*, period: date | None = None) -> list[Payout]:
    """PAY-4: the daily payout run: every merchant with a positive payable balance (each on its own)."""
    period = period or clock.localdate()
    merchant_type = ContentType.objects.get_for_model(Merchant)
    owner_ids = LedgerAccount.objects.filter(
        kind=AccountKind.MERCHANT_PAYABLE, owner_type=merchant_type, balance__gt=0
    ).values_list("owner_id", flat=True)
    payouts = []
    for merchant in Merchant.objects.filter(pk__in=list(owner_ids)).order_by("pk"):
        try:
            payout = payout_run_for_merchant(merchant=merchant, period=period)
        except DomainError:
            logger.exception("payout for merchant %s failed", merchant.pk)
            continue
        if payout is not None:
            payouts.append(payout)
    return payouts


def payouts_run_for_day(day: date) -> int:
    """PAY-4: the payout run of ``day`` (the sandbox clock's midnight, decision 026); how many were made."""
    return len(payouts_run(period=day))
