"""PAY-3 (decision 037): the notification that never came. ``payments_sweep`` (beat, every few minutes)
queries the gateway for each unpaid trade older than ``ORDERS_PAYMENT_QUERY_AFTER_SECONDS``; a paid answer
is applied exactly as the notification would be (``_payment_apply``: the same amount checks, the same
ledger key, the callback log marked as recovered by a query), so a late notification is then a duplicate.
"""

import json
import logging
from datetime import timedelta

from django.conf import settings

from orders.models import Payment
from orders.payments import VerifiedNotification, provider_get, providers_enabled
from orders.payments.http import ProviderRejected, ProviderUnreachable
from orders.services.payments import _CallbackRefused, _payment_apply
from platform_core import clock

logger = logging.getLogger(__name__)

#: a trade older than this is no longer queried (the order timed out long ago; reconciliation sees it)
QUERY_HORIZON = timedelta(days=2)


def payment_query_apply(*, payment: Payment) -> bool:
    """Ask the gateway for ``payment``'s trade; if it is paid, apply it as its notification. Whether it
    was found paid."""
    provider = provider_get(payment.provider)
    state = provider.payment_query(payment)
    if state.state != "paid":
        return False
    amount = state.amount if state.amount is not None else payment.amount
    raw = {"source": "query", "out_trade_no": state.out_trade_no, "trade_no": state.provider_trade_no}
    note = VerifiedNotification(
        out_trade_no=payment.out_trade_no,
        provider_trade_no=state.provider_trade_no,
        amount=amount,
        succeeded=True,
        raw=raw,
    )
    try:
        _payment_apply(
            provider=payment.provider,
            note=note,
            headers={"X-Recovered-By": "query"},
            body=json.dumps({**raw, "amount": str(amount)}).encode(),
        )
    except _CallbackRefused as exc:
        logger.error("queried trade %s refused: %s %s", payment.out_trade_no, exc.code, exc.message)
        return False
    return True


def payments_sweep(*, limit: int = 200) -> int:
    """Query every unpaid gateway trade whose notification is overdue; how many were found paid."""
    now = clock.now()
    remote = [name for name in providers_enabled() if provider_get(name).remote]
    due = Payment.objects.filter(
        status=Payment.Status.CREATED,
        provider__in=remote,
        created_at__lte=now - timedelta(seconds=settings.ORDERS_PAYMENT_QUERY_AFTER_SECONDS),
        created_at__gte=now - QUERY_HORIZON,
    ).order_by("pk")[:limit]
    found = 0
    for payment in due:
        try:
            found += payment_query_apply(payment=payment)
        except (ProviderUnreachable, ProviderRejected, NotImplementedError) as exc:
            logger.warning("trade %s not queried: %r", payment.out_trade_no, exc)
    return found
