"""PAY-4 (decision 037): a payout through a transfer gateway (Alipay) leaves after the commit, exactly once.

- The payout run moves payable → payout clearing and writes the ``Payout`` (``pending``, its
  ``out_biz_no``) in one transaction; ``payout_dispatch`` queues ``orders.payout_send`` on commit.
- ``payout_send`` claims the row under its lock and records ``sent_at`` and the next attempt's time
  (the refunds' back-off) before any request leaves. A payout sent before — the worker died, the answer
  was lost — is *queried* first and re-sent only if the gateway says it never had it; ``out_biz_no`` is
  the gateway's idempotency number besides.
- ``payouts_sweep`` (beat) sends or queries every pending payout whose next attempt is due.
- The answer: ``paid`` (the merchant is told), still pending (queried later), or ``failed`` (a refusal:
  wrong payee, closed account…): the money goes back to the merchant's payable (a reversal posting) and
  the merchant is told to check the payout account; audited, logged as an error.
"""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from orders.models import Payout, ProviderSettlementRecord
from orders.payments.http import ProviderUnreachable
from orders.payments.payouts import TransferResult, payout_provider_get
from orders.services.refund_dispatch import attempt_mark
from platform_core import clock
from platform_core.audit.services import audit_record
from platform_core.ledger.models import LedgerTransaction
from platform_core.ledger.services import ledger_reverse
from platform_core.locking import lock
from platform_core.notifications.services import notify

logger = logging.getLogger(__name__)


def payout_dispatch(*, payout: Payout) -> None:
    """Queue the transfer of a new pending payout for after the commit."""
    payout_id = payout.pk
    transaction.on_commit(lambda: _enqueue(payout_id), robust=True)


def _enqueue(payout_id: int) -> None:
    from orders.tasks import payout_send_task

    payout_send_task.delay(payout_id)


@transaction.atomic
def _claim(payout_id: int) -> tuple[Payout, bool] | None:
    payout = lock(Payout.objects.select_related("account", "statement", "merchant"), payout_id)
    if payout.status != Payout.Status.PENDING:
        return None
    return payout, attempt_mark(payout)


def payout_send(*, payout_id: int) -> Payout:
    """Send (or, if it may have been sent, query) one pending payout and record the answer; the gateway
    call happens between two short transactions, never inside one."""
    claimed = _claim(payout_id)
    if claimed is None:
        return Payout.objects.get(pk=payout_id)
    payout, sent_before = claimed
    try:
        provider = payout_provider_get(payout.provider)
        result = provider.transfer_query(payout) if sent_before else None
        if result is None or result.not_found:
            result = provider.transfer_send(payout)
    except (ProviderUnreachable, NotImplementedError, ValueError) as exc:
        with transaction.atomic():
            payout = lock(Payout, payout_id)
            payout.last_error = repr(exc)[:500]
            payout.save(update_fields=["last_error"])
        logger.warning("payout %s: attempt %s got no answer: %r", payout.out_biz_no, payout.attempts, exc)
        return payout
    with transaction.atomic():
        return _record(lock(Payout.objects.select_related("merchant", "statement"), payout_id), result)


def _record(payout: Payout, result: TransferResult) -> Payout:
    if payout.status != Payout.Status.PENDING:
        return payout
    if result.reference:
        payout.provider_reference = result.reference[:64]
    if result.pending:
        payout.last_error = ""
        payout.save()
        return payout
    payout.next_attempt_at = None
    payout.completed_at = clock.now()
    merchant = payout.merchant
    if result.succeeded:
        payout.status = Payout.Status.PAID
        payout.last_error = ""
        payout.save()
        # PAY-8: the gateway's signed answer is its record of the transfer (its trade bill lists no
        # transfers): the 00:30 reconciliation matches the payout's ledger posting against it
        ProviderSettlementRecord.objects.get_or_create(
            provider=payout.provider,
            kind=ProviderSettlementRecord.Kind.PAYOUT,
            reference=payout.provider_reference,
            defaults={"amount": result.amount if result.amount is not None else payout.amount},
        )
        audit_record(
            actor=None,
            action="merchant.payout_paid",
            subject=merchant,
            after={"payout": payout.pk, "amount": payout.amount, "reference": payout.provider_reference},
        )
        notify(
            recipient=merchant.owner,
            event="merchant_payout_made",
            title=_("Payout"),
            body=_("%(amount)s CNY was paid out for %(period)s.")
            % {"amount": payout.amount, "period": payout.statement.period},
            subject=payout,
        )
        return payout
    payout.status = Payout.Status.FAILED
    payout.last_error = (result.error or "refused")[:500]
    payout.save()
    # the money was never transferred: it returns from payout clearing to the merchant's payable
    original = LedgerTransaction.objects.get(
        idempotency_key=f"payout:{payout.merchant_id}:{payout.statement.period.isoformat()}"
    )
    ledger_reverse(
        transaction=original,
        idempotency_key=f"payout-return:{payout.pk}",
        reason=f"payout {payout.out_biz_no} failed: returned to the payable",
    )
    logger.error("payout %s failed at %s: %s", payout.out_biz_no, payout.provider, payout.last_error)
    audit_record(
        actor=None,
        action="merchant.payout_failed",
        subject=merchant,
        after={"payout": payout.pk, "amount": payout.amount, "error": payout.last_error},
    )
    notify(
        recipient=merchant.owner,
        event="merchant_payout_failed",
        title=_("Payout failed"),
        body=_(
            "The payout of %(amount)s CNY could not be transferred (%(error)s). The money is back in your "
            "balance; check your payout account."
        )
        % {"amount": payout.amount, "error": payout.last_error},
        subject=payout,
    )
    return payout


def payouts_due(*, limit: int = 200) -> list[int]:
    due = Payout.objects.filter(status=Payout.Status.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=clock.now())
    )
    return list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def payouts_sweep() -> int:
    """Send or query every due pending payout (beat); how many were handled."""
    handled = 0
    for payout_id in payouts_due():
        payout_send(payout_id=payout_id)
        handled += 1
    return handled
