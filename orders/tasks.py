"""Celery tasks of the orders chapter; each is idempotent (safe to run twice)."""

import logging
from datetime import date, timedelta

from celery import Task, shared_task
from django.conf import settings

from orders.models import Payment
from orders.payments.sandbox import sandbox_complete
from platform_core import clock
from platform_core.errors import DomainError

logger = logging.getLogger(__name__)


@shared_task(name="orders.deliver_sandbox_callback")
def deliver_sandbox_callback_task(
    out_trade_no: str, succeeded: bool = True, payer_account: str | None = None
) -> str:
    """PAY-3 (sandbox): the provider's asynchronous notification, delivered to our callback service."""
    from orders.services.payments import payment_callback_receive

    payment = Payment.objects.filter(provider="sandbox", out_trade_no=out_trade_no).first()
    if payment is None:
        return "unknown"
    headers, body = sandbox_complete(payment, succeeded=succeeded, payer_account=payer_account)
    try:
        return payment_callback_receive(provider="sandbox", headers=headers, body=body).outcome
    except DomainError as exc:
        logger.warning("sandbox callback for %s refused: %s", out_trade_no, exc)
        return "rejected"


@shared_task(name="orders.run_payouts")
def run_payouts_task(period: str | None = None) -> int:
    """PAY-4: the daily payout run (beat)."""
    from orders.services.payouts import payouts_run

    return len(payouts_run(period=date.fromisoformat(period) if period else None))


@shared_task(name="orders.reconcile")
def reconcile_task(day: str | None = None) -> int:
    """PAY-8: the daily reconciliation of yesterday (beat)."""
    from orders.services.reconciliation import reconciliation_run

    the_day = date.fromisoformat(day) if day else clock.localdate() - timedelta(days=1)
    return len(reconciliation_run(day=the_day))


@shared_task(name="orders.reconcile_statements")
def reconcile_statements_task(day: str | None = None) -> int:
    """PAY-8 (decision 038): yesterday's statements of Alipay and WeChat Pay reconciled, and the segregated
    funds checked (beat, once the providers publish them); the differences found."""
    from orders.services.reconciliation_bills import reconciliation_statements_run

    the_day = date.fromisoformat(day) if day else clock.localdate() - timedelta(days=1)
    return len(reconciliation_statements_run(day=the_day))


@shared_task(name="orders.statements_sweep")
def statements_sweep_task() -> int:
    """PAY-8: statements that could not be had, downloaded again when their back-off is due (beat)."""
    from orders.services.reconciliation_bills import statements_sweep

    return statements_sweep()


@shared_task(name="orders.refund_send")
def refund_send_task(refund_id: int) -> str:
    """PAY-5, ORD-4: send (or, if it may have been sent, query) one refund after its transaction committed."""
    from orders.services.refund_dispatch import refund_send

    return refund_send(refund_id=refund_id).status


@shared_task(name="orders.refunds_sweep")
def refunds_sweep_task() -> int:
    """PAY-5, ORD-4: every pending refund whose next attempt is due (beat, every minute)."""
    from orders.services.refund_dispatch import refunds_sweep

    return refunds_sweep()


@shared_task(name="orders.payout_send")
def payout_send_task(payout_id: int) -> str:
    """PAY-4 (decision 037): send (or, if it may have been sent, query) one transfer after its commit."""
    from orders.services.payout_dispatch import payout_send

    return payout_send(payout_id=payout_id).status


@shared_task(name="orders.payouts_sweep")
def payouts_sweep_task() -> int:
    """PAY-4: every pending transfer whose next attempt is due (beat)."""
    from orders.services.payout_dispatch import payouts_sweep

    return payouts_sweep()


@shared_task(name="orders.payment_close", bind=True, max_retries=8)
def payment_close_task(self: Task, payment_id: int) -> str:
    """PAY-3 (decision 037): close a cancelled or timed-out order's trade at its gateway after the commit;
    retried with back-off while the gateway gives no answer."""
    from orders.payments.http import ProviderUnreachable
    from orders.services.payment_close import payment_close_at_provider

    try:
        return payment_close_at_provider(payment_id=payment_id)
    except ProviderUnreachable as exc:
        retries = self.request.retries or 0
        logger.warning("trade of payment %s not closed, attempt %s: %s", payment_id, retries + 1, exc)
        raise self.retry(exc=exc, countdown=settings.ORDERS_REFUND_RETRY_BASE_SECONDS * 2**retries) from exc


@shared_task(name="orders.payments_sweep")
def payments_sweep_task() -> int:
    """PAY-3 (decision 037): query the unpaid gateway trades whose notification never came (beat)."""
    from orders.services.payment_recovery import payments_sweep

    return payments_sweep()


@shared_task(name="orders.wechat_pay_certificates_refresh")
def wechat_pay_certificates_refresh_task() -> int:
    """PAY-3: download WeChat Pay's platform certificates (rotation) when WeChat Pay is enabled (beat)."""
    from django.conf import settings

    from orders.payments.http import ProviderUnreachable
    from orders.payments.wechat_pay_client import certificates_refresh

    if "wechat_pay" not in settings.ORDERS_PAYMENT_PROVIDERS:
        return 0
    try:
        return len(certificates_refresh())
    except ProviderUnreachable as exc:
        logger.error("WeChat Pay platform certificates not refreshed: %s", exc)
        return 0


@shared_task(name="orders.subscribe_tracking", bind=True, acks_late=True, max_retries=None)
def subscribe_tracking_task(self: Task, order_id: int, courier: str, tracking_number: str) -> str:
    """ORD-5: ask the tracker (快递100) to watch a shipped parcel; retried with back-off while it cannot be
    reached, then recorded as failed (staff entry is the fallback)."""
    from orders.logistics import CarrierUnavailable
    from orders.services.tracking import (
        order_tracking_subscribe,
        order_tracking_subscription_failed,
        tracking_retry_delay,
    )

    try:
        return order_tracking_subscribe(order_id=order_id, courier=courier, tracking_number=tracking_number)
    except CarrierUnavailable as exc:
        retries = self.request.retries or 0
        logger.warning("tracking subscription of order %s, attempt %s: %s", order_id, retries + 1, exc)
        if retries + 1 >= settings.ORDERS_TRACKING_SUBSCRIBE_ATTEMPTS:
            return order_tracking_subscription_failed(
                order_id=order_id, courier=courier, tracking_number=tracking_number, error=str(exc)
            )
        raise self.retry(exc=exc, countdown=tracking_retry_delay(retries).total_seconds()) from exc
