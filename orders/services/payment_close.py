"""PAY-3 (decision 037): a cancelled or timed-out order's unpaid trades are closed at their gateway after
the commit, so the customer can no longer pay a QR code or cashier page of an order that is gone.

A trade the gateway says it cannot close (the customer paid in the meantime) is queried: a paid answer
is applied as its notification would be, and an order no longer payable refunds it (``_payment_apply``).
"""

import logging
from functools import partial

from django.db import transaction

from orders.models import Order, Payment
from orders.payments import provider_get
from orders.payments.http import ProviderRejected
from platform_core.audit.services import audit_record

logger = logging.getLogger(__name__)


def order_payments_close(*, order: Order) -> None:
    """Mark the order's open payments closed (in the caller's transaction) and close each gateway trade
    after the commit (an in-process provider, the sandbox, has nothing to close)."""
    open_payments = list(order.payments.filter(status=Payment.Status.CREATED).values_list("pk", "provider"))
    order.payments.filter(status=Payment.Status.CREATED).update(status=Payment.Status.CLOSED)
    for payment_id, provider in open_payments:
        try:
            remote = provider_get(provider).remote
        except KeyError:  # the provider is no longer enabled: nothing can be paid through it either
            continue
        if remote:
            transaction.on_commit(partial(_enqueue, payment_id), robust=True)


def _enqueue(payment_id: int) -> None:
    from orders.tasks import payment_close_task

    payment_close_task.delay(payment_id)


def payment_close_at_provider(*, payment_id: int) -> str:
    """Close one closed payment's trade at its gateway (``ProviderUnreachable`` propagates: the task
    retries). ``closed``, ``paid`` (it was paid first: applied, and so refunded) or ``skipped``."""
    payment = Payment.objects.select_related("order").get(pk=payment_id)
    if payment.status != Payment.Status.CLOSED:
        return "skipped"
    provider = provider_get(payment.provider)
    try:
        provider.payment_close(payment)
    except ProviderRejected as exc:
        logger.warning("trade %s could not be closed (%s): querying it", payment.out_trade_no, exc)
        from orders.services.payment_recovery import payment_query_apply

        return "paid" if payment_query_apply(payment=payment) else "skipped"
    with transaction.atomic():
        audit_record(
            actor=None,
            action="order.payment_closed_at_provider",
            subject=payment.order,
            after={"provider": payment.provider, "out_trade_no": payment.out_trade_no},
        )
    return "closed"
