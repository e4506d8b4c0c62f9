"""ORD-5: asking a tracker (快递100) to watch a shipped parcel, after the shipping commits.

``tracking_subscribe_on_commit`` is called by shipping and by a delivery case's reshipment (ORD-10); the
task ``orders.subscribe_tracking`` calls the tracker outside any transaction and records the outcome on
the order's timeline: ``tracking_subscribed``; ``tracking_refused`` (the aggregator will never track this
number or courier: staff enter the events, the 72-hour clock still watches); after
``ORDERS_TRACKING_SUBSCRIBE_ATTEMPTS`` failed tries with back-off, ``tracking_subscription_failed``.
Subscribing twice is harmless (快递100 answers 501, which counts as subscribed).
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError

from orders.logistics import CarrierRefused, Kuaidi100Carrier, tracker_for
from orders.models import Order
from orders.services._common import _event
from orders.services.locks import order_lock

logger = logging.getLogger(__name__)

SUBSCRIBED, REFUSED, FAILED, SKIPPED = "subscribed", "refused", "failed", "skipped"


def tracking_retry_delay(retries: int) -> timedelta:
    """Back-off between subscription attempts: 1 min, 2, 4, … at most an hour."""
    return min(timedelta(minutes=2**retries), timedelta(hours=1))


def tracking_subscribe_on_commit(*, order: Order) -> None:
    """ORD-5: once the caller's transaction commits, ask the order's tracker to watch its parcel (if an
    enabled tracker subscribes parcels of its courier). A broker outage is logged, not raised: the
    shipping stands, and the 72-hour no-movement clock (ORD-10) still catches a parcel nobody watches."""
    tracker = tracker_for(order.carrier)
    if not isinstance(tracker, Kuaidi100Carrier):
        return
    args = (order.pk, order.carrier, order.tracking_number)

    def publish() -> None:
        from orders.tasks import subscribe_tracking_task  # tasks import services

        try:
            subscribe_tracking_task.apply_async(args=args, retry=False)
        except (KombuError, OSError):
            logger.warning("Broker unavailable: tracking of order %s not subscribed", args[0], exc_info=True)

    transaction.on_commit(publish)


def order_tracking_subscribe(*, order_id: int, courier: str, tracking_number: str) -> str:
    """ORD-5: subscribe the parcel at its tracker (network call first, no lock held) and record the outcome.
    ``CarrierUnavailable`` propagates for the task to retry."""
    order = Order.objects.filter(pk=order_id).first()
    tracker = tracker_for(courier)
    if order is None or not isinstance(tracker, Kuaidi100Carrier):
        return SKIPPED
    if (order.carrier, order.tracking_number) != (courier, tracking_number):
        return SKIPPED  # reshipped since: the new parcel has its own subscription
    try:
        message = tracker.subscribe(
            courier=courier, tracking_number=tracking_number, phone=order.shipping_phone
        )
    except CarrierRefused as exc:
        _record(
            order,
            action="tracking_refused",
            reason=_("The tracking service will not follow this parcel (%(error)s): staff enter its events.")
            % {"error": exc},
            courier=courier,
            tracking_number=tracking_number,
        )
        return REFUSED
    _record(
        order,
        action="tracking_subscribed",
        reason=message,
        courier=courier,
        tracking_number=tracking_number,
    )
    return SUBSCRIBED


def order_tracking_subscription_failed(
    *, order_id: int, courier: str, tracking_number: str, error: str
) -> str:
    """ORD-5: the tracker could not be reached after every attempt: staff entry is the fallback."""
    order = Order.objects.filter(pk=order_id).first()
    if order is not None:
        _record(
            order,
            action="tracking_subscription_failed",
            reason=_(
                "The tracking service could not be reached (%(error)s): staff enter the parcel's events."
            )
            % {"error": error},
            courier=courier,
            tracking_number=tracking_number,
        )
    return FAILED


@transaction.atomic
def _record(order: Order, *, action: str, reason: str, courier: str, tracking_number: str) -> None:
    order = order_lock(order_id=order.pk)
    _event(
        order,
        action=action,
        actor=None,
        reason=reason[:500],
        data={"tracker": Kuaidi100Carrier.name, "carrier": courier, "tracking_number": tracking_number},
    )
