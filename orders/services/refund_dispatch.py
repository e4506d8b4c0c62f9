"""PAY-5, ORD-4 (decision 029): a refund or a compensation reaches the customer through the provider of
the original payment, exactly once.

- The ledger moves the money and the ``Refund`` row is written in one transaction (``refunds._refund``,
  ``fulfilment.order_ship_deadline_missed``); ``refund_dispatch`` then hands the row to the provider:
  an in-process provider (the sandbox) at once, in that transaction; a gateway after the commit
  (``orders.refund_send`` task), never inside a database transaction.
- ``refund_send`` claims the row under its lock and, before any request leaves, records ``sent_at`` and
  the next attempt's time (exponential back-off). A row that was sent before — the worker died, the
  answer was lost — is *queried* first and re-sent only if the provider says it never had it; the
  ``refund_no`` is the provider's idempotency number besides.
- ``refunds_sweep`` (beat, every minute) sends or queries every pending row whose next attempt is due:
  a task that never ran or a worker killed mid-way is picked up there.
- The answer: ``succeeded`` (the customer sees it in the API), still ``pending`` (queried again later),
  or ``failed`` (the provider refused: logged as an error and audited for finance; never retried by
  itself).
- A provider never returns more than a trade's amount: a refund that does not fit in what its payment's
  trade can still return (the late-shipment compensation on top of a full refund) is not sent as a
  refund; it is ``awaiting_transfer`` (audited). Where the platform has a transfer rail to the payer —
  the payment's provider is a configured transfer rail (``ORDERS_PAYOUT_PROVIDER`` names ``alipay`` and/or
  ``wechat_pay``, decisions 037 and 045) and the payment names its payer — it is then transferred to the
  payer from the platform's balance (Alipay: ``alipay.fund.trans.uni.transfer`` to the ``ALIPAY_USER_ID``
  ``buyer_id``, ``out_biz_no`` = ``refund_no``; WeChat Pay: a merchant transfer bill to the payer's
  openid, ``out_bill_no`` = ``refund_no``), with the same claim, back-off, query-before-resend and sweep
  as a refund, and becomes ``succeeded``. Otherwise it waits for finance, logged as an error; once a rail
  is configured the sweep picks it up (it was never attempted).
"""

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from orders.models import Payment, Refund
from orders.payments import RefundResult, provider_get
from orders.payments.http import ProviderUnreachable
from orders.payments.payouts import TransferResult, transfer_rails
from platform_core import clock
from platform_core.audit.services import audit_record
from platform_core.locking import lock

logger = logging.getLogger(__name__)

TOO_LARGE = "more than the payment's trade can still return: to be paid by a transfer"


def _backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: base · 2^(attempts-1) seconds, capped."""
    seconds = settings.ORDERS_REFUND_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.ORDERS_REFUND_RETRY_MAX_SECONDS))


def attempt_mark(row: Any) -> bool:
    """Record an attempt on a row about to be sent to a gateway (a refund, a transfer, a payout), before
    any request leaves: ``sent_at`` once, the attempt count and the next attempt's time (back-off).
    Returns whether it was sent before (then it is queried first, never re-sent blindly)."""
    sent_before = row.sent_at is not None
    now = clock.now()
    row.sent_at = row.sent_at or now
    row.attempts += 1
    row.next_attempt_at = now + _backoff(row.attempts)
    row.save(update_fields=["sent_at", "attempts", "next_attempt_at"])
    return sent_before


def refund_dispatch(*, refund: Refund) -> None:
    """Hand a new refund to its payment's provider: an in-process one now, a gateway after the commit."""
    if refund.payment is None:
        return
    try:
        provider = provider_get(refund.payment.provider)
    except KeyError:  # the provider is no longer enabled (decision 019): the sweep keeps trying
        logger.error("refund %s: provider %s is not enabled", refund.refund_no, refund.payment.provider)
        return
    if not provider.remote:
        _record(refund, provider.refund(refund))
        return
    refund_id = refund.pk
    transaction.on_commit(lambda: _enqueue(refund_id), robust=True)


def _enqueue(refund_id: int) -> None:
    from orders.tasks import refund_send_task

    refund_send_task.delay(refund_id)


def _trade_room(refund: Refund) -> Decimal:
    """What the payment's trade can still return before ``refund``: a provider never refunds more than the
    trade's amount in all. Earlier refunds on the payment, and any already sent, come first (unless refused
    or moved to a transfer)."""
    assert refund.payment is not None
    earlier = (
        Refund.objects.filter(payment=refund.payment)
        .filter(Q(pk__lt=refund.pk) | Q(sent_at__isnull=False))
        .exclude(pk=refund.pk)
        .exclude(status__in=[Refund.Status.FAILED, Refund.Status.AWAITING_TRANSFER])
    )
    return refund.payment.amount - sum(earlier.values_list("amount", flat=True), Decimal("0.00"))


@transaction.atomic
def _claim(refund_id: int) -> tuple[Refund, bool] | None:
    """Lock the row; ``None`` if it is no longer pending. Marks the attempt (and ``sent_at``) before any
    request leaves; says whether it was sent before (then it is queried first). A refund that no longer
    fits in its trade (a compensation on top of a full refund) waits for a transfer instead (audited)."""
    refund = lock(Refund.objects.select_related("payment", "order"), refund_id)
    if refund.status != Refund.Status.PENDING or refund.payment is None:
        return None
    lock(Payment, refund.payment.pk)  # refunds of one trade are sent one at a time (the room above)
    if refund.sent_at is None and refund.amount > _trade_room(refund):
        _record(refund, RefundResult(refund_no=refund.refund_no, succeeded=False, error=TOO_LARGE))
        return None
    return refund, attempt_mark(refund)


def refund_send(*, refund_id: int) -> Refund:
    """Send (or, if it may have been sent, query) one pending refund and record the answer. Outside any
    transaction: the provider call happens between two short ones."""
    if Refund.objects.filter(pk=refund_id, status=Refund.Status.AWAITING_TRANSFER).exists():
        return refund_transfer_send(refund_id=refund_id)
    claimed = _claim(refund_id)
    if claimed is None:
        return Refund.objects.get(pk=refund_id)
    refund, sent_before = claimed
    assert refund.payment is not None
    try:
        provider = provider_get(refund.payment.provider)
        result = provider.refund_query(refund) if sent_before else None
        if result is None or result.not_found:
            result = provider.refund(refund)
    except (ProviderUnreachable, NotImplementedError, KeyError) as exc:
        return _attempt_failed(refund_id, repr(exc))
    with transaction.atomic():
        return _record(lock(Refund, refund_id), result)


@transaction.atomic
def _attempt_failed(refund_id: int, error: str) -> Refund:
    refund = lock(Refund, refund_id)
    refund.last_error = error[:500]
    refund.save(update_fields=["last_error"])
    log = logger.error if refund.attempts >= settings.ORDERS_REFUND_MAX_ATTEMPTS else logger.warning
    log("refund %s: attempt %s got no answer: %s", refund.refund_no, refund.attempts, error)
    return refund


def _record(refund: Refund, result: RefundResult) -> Refund:
    """The provider's answer on the (locked or new) row; audited."""
    if refund.status != Refund.Status.PENDING:
        return refund
    if result.provider_reference:
        refund.provider_reference = result.provider_reference[:64]
    if result.succeeded:
        refund.status = Refund.Status.SUCCEEDED
        refund.completed_at = clock.now()
        refund.next_attempt_at = None
        refund.last_error = ""
    elif result.pending:
        refund.last_error = ""
    else:
        too_large = result.error == TOO_LARGE
        refund.status = Refund.Status.AWAITING_TRANSFER if too_large else Refund.Status.FAILED
        refund.paid_by_transfer = too_large
        refund.next_attempt_at = None
        refund.last_error = (result.error or "refused")[:500]
        if not (too_large and _transfer_possible(refund)):
            logger.error("refund %s not paid by the provider: %s", refund.refund_no, refund.last_error)
    if refund.status == Refund.Status.AWAITING_TRANSFER and _transfer_possible(refund):
        refund.next_attempt_at = clock.now()  # the sweep's, if the task below is lost
        refund_id = refund.pk
        transaction.on_commit(lambda: _enqueue(refund_id), robust=True)
    refund.save()
    if refund.status != Refund.Status.PENDING:
        audit_record(
            actor=None,
            action=f"order.refund_{refund.status}",
            subject=refund.order,
            after={
                "refund_no": refund.refund_no,
                "kind": refund.kind,
                "amount": refund.amount,
                "provider_reference": refund.provider_reference,
                "error": refund.last_error,
            },
        )
    return refund


def refunds_due(*, limit: int = 200) -> list[int]:
    """The pending refunds whose next attempt is due (never attempted ones first), and the ones awaiting
    a transfer that has a rail."""
    waiting = Q(status=Refund.Status.PENDING) | Q(
        status=Refund.Status.AWAITING_TRANSFER,
        payment__provider__in=transfer_rails(),
        payment__payer_account__gt="",
    )
    due = (
        Refund.objects.filter(waiting, payment__isnull=False)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=clock.now()))
        # a transfer the provider refused (attempted: ``sent_at``; nothing scheduled) stays for finance;
        # one never attempted — it began waiting before its rail was configured — is due now (decision 045)
        .exclude(status=Refund.Status.AWAITING_TRANSFER, next_attempt_at__isnull=True, sent_at__isnull=False)
    )
    return list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def refunds_sweep() -> int:
    """Send or query every due pending refund or transfer (beat); how many were handled."""
    handled = 0
    for refund_id in refunds_due():
        refund_send(refund_id=refund_id)
        handled += 1
    return handled


# --- what a trade can no longer return: a transfer to the payer ----------------------------------------


def _transfer_possible(refund: Refund) -> bool:
    """The refund's payer can be paid by a transfer: its payment's provider is a configured transfer rail
    (decisions 037, 045) and the payment names the payer (Alipay ``buyer_id``, WeChat Pay openid)."""
    payment = refund.payment
    return payment is not None and payment.provider in transfer_rails() and bool(payment.payer_account)


def _payer_transfer(refund: Refund, *, sent_before: bool) -> TransferResult:
    """Query (if it may have been sent) and send the payer transfer on the payment's own provider."""
    from orders.payments import transfers, wechat_transfers

    assert refund.payment is not None
    wechat = refund.payment.provider == "wechat_pay"
    if sent_before:
        result = (
            wechat_transfers.bill_query(out_bill_no=refund.refund_no)
            if wechat
            else transfers.payer_transfer_query(out_biz_no=refund.refund_no)
        )
        if not result.not_found:
            return result
    title = f"{refund.get_kind_display()} {refund.order.number}"
    if wechat:
        return wechat_transfers.payer_transfer_send(
            out_bill_no=refund.refund_no,
            amount=refund.amount,
            openid=refund.payment.payer_account,
            title=title,
        )
    return transfers.payer_transfer_send(
        out_biz_no=refund.refund_no,
        amount=refund.amount,
        payer_user_id=refund.payment.payer_account,
        title=title,
    )


@transaction.atomic
def _claim_transfer(refund_id: int) -> tuple[Refund, bool] | None:
    refund = lock(Refund.objects.select_related("payment", "order"), refund_id)
    if refund.status != Refund.Status.AWAITING_TRANSFER or not _transfer_possible(refund):
        return None
    return refund, attempt_mark(refund)


def refund_transfer_send(*, refund_id: int) -> Refund:
    """Send (or, if it may have been sent, query) the transfer of a refund its trade cannot return; the
    gateway call happens between two short transactions. A refusal stays ``awaiting_transfer`` for finance
    (logged as an error, audited); no answer is retried with back-off."""
    claimed = _claim_transfer(refund_id)
    if claimed is None:
        return Refund.objects.get(pk=refund_id)
    refund, sent_before = claimed
    try:
        result = _payer_transfer(refund, sent_before=sent_before)
    except (ProviderUnreachable, NotImplementedError, ValueError) as exc:
        return _attempt_failed(refund_id, repr(exc))
    with transaction.atomic():
        refund = lock(Refund.objects.select_related("order"), refund_id)
        if refund.status != Refund.Status.AWAITING_TRANSFER or result.pending:
            return refund
        refund.provider_reference = result.reference[:64] or refund.provider_reference
        refund.next_attempt_at = None
        if result.succeeded:
            refund.status, refund.completed_at, refund.last_error = Refund.Status.SUCCEEDED, clock.now(), ""
        else:
            refund.last_error = (result.error or "refused")[:500]
            logger.error(
                "refund %s: the transfer to the payer was refused: %s", refund.refund_no, refund.last_error
            )
        refund.save()
        audit_record(
            actor=None,
            action="order.refund_transferred" if result.succeeded else "order.refund_transfer_refused",
            subject=refund.order,
            after={
                "refund_no": refund.refund_no,
                "kind": refund.kind,
                "amount": refund.amount,
                "provider_reference": refund.provider_reference,
                "error": refund.last_error,
            },
        )
        return refund
