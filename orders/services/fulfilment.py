"""After payment until completion: ORD-4 shipping, ORD-2 the service branch, ORD-5 logistics,
ORD-6/ORD-7 confirmation and follow-up.

- ``order_schedule`` / ``order_start_service`` / ``order_complete_service`` — ORD-2's service branch
  (field work calls them).
"""

import json
import logging
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from merchants.models import Merchant
from merchants.services.deposits import merchant_deposit_deduct
from merchants.services.violations import violation_record
from orders.clocks import RULE_AFTERSALES_WINDOW, RULE_AUTO_CONFIRM, RULE_DELIVERY_STALL, RULE_SHIP_BY
from orders.models import FollowUp, Order, Payment, Refund, TrackingEvent
from orders.services._common import S, _event, _notify_customer, _notify_merchant, _platform
from orders.services.delivery import (
    delivery_cases_close_for_order,
    delivery_on_tracking_event,
    delivery_stall_clock_restart,
)
from orders.services.locks import order_lock
from orders.services.refund_dispatch import refund_dispatch
from orders.services.tracking import tracking_subscribe_on_commit
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_cancel, deadline_extend, deadline_meet, deadline_start
from platform_core.errors import Conflict, DomainError, InvalidInput, NotFound
from platform_core.ledger.models import AccountKind, TransactionKind
from platform_core.ledger.services import ledger_account_for, ledger_post
from platform_core.locking import lock
from platform_core.money import money_round

logger = logging.getLogger(__name__)


# --- ORD-4: shipping -------------------------------------------------------------------------------


@transaction.atomic
def order_ship(*, order: Order, carrier: str, tracking_number: str, actor: User) -> Order:
    """ORD-4, ORD-5: the merchant hands the parcel to a carrier; the confirmation clock starts."""
    if not carrier.strip() or not tracking_number.strip():
        raise InvalidInput(_("Carrier and tracking number are required."), code="tracking_missing")
    order = order_lock(order_id=order.pk)
    order.ship(carrier=carrier.strip(), tracking_number=tracking_number.strip())
    order.save()
    deadline_meet(rule=RULE_SHIP_BY, subject=order)
    assert order.shipped_at is not None
    deadline_start(
        rule=RULE_AUTO_CONFIRM, subject=order, due_at=order.shipped_at + settings.ORDERS_AUTO_CONFIRM_AFTER
    )
    delivery_stall_clock_restart(order=order)  # ORD-10: 72 h without movement opens a delivery case
    tracking_subscribe_on_commit(order=order)  # ORD-5: the tracker (快递100) pushes the parcel's events
    _event(
        order,
        action="shipped",
        actor=actor,
        from_status=S.PAID,
        data={"carrier": order.carrier, "tracking_number": order.tracking_number},
    )
    _notify_customer(
        order,
        event="order_shipped",
        title=_("Your order has shipped"),
        body=_("Order %(number)s is on its way: %(carrier)s %(tracking)s")
        % {"number": order.number, "carrier": order.carrier, "tracking": order.tracking_number},
    )
    return order


def order_ship_bulk(
    *, merchant: Merchant, items: Iterable[dict[str, Any]], actor: User
) -> list[dict[str, Any]]:
    """ORD-4: ship many orders; each succeeds or fails on its own (one transaction per order)."""
    results: list[dict[str, Any]] = []
    for item in items:
        order_id = int(item["order_id"])
        try:
            order = Order.objects.filter(pk=order_id, merchant=merchant).first()
            if order is None:
                raise NotFound(_("No such order."))
            order_ship(
                order=order,
                carrier=item["carrier"],
                tracking_number=item["tracking_number"],
                actor=actor,
            )
            results.append({"order_id": order_id, "ok": True, "error": ""})
        except (DomainError, TransitionNotAllowed) as exc:
            results.append({"order_id": order_id, "ok": False, "error": str(exc)})
    return results


def late_shipment_compensation_amount(total: Decimal) -> Decimal:
    """ORD-4: 5 % of the order, at least ¥5, at most ¥30 (settings-driven)."""
    policy = settings.ORDERS_LATE_SHIPMENT_COMPENSATION
    return money_round(min(max(total * policy["rate"], policy["min"]), policy["max"]))


def _compensation_refund(order: Order, amount: Decimal) -> None:
    """ORD-4 (decision 029): the compensation reaches the customer as a refund through the provider of the
    order's payment (once: one row per order, the provider's idempotent ``refund_no``); the customer sees
    it and its status among the order's refunds."""
    payment = order.payments.filter(status=Payment.Status.SUCCEEDED).order_by("-pk").first()
    refund, created = Refund.objects.get_or_create(
        idempotency_key=f"order-late-shipment:{order.pk}",
        defaults={
            "order": order,
            "payment": payment,
            "amount": amount,
            "kind": Refund.Kind.COMPENSATION,
            "reason": _("Late shipment of order %(number)s: compensation.") % {"number": order.number},
            "ledger_key": f"order-late-shipment-payout:{order.pk}",
            "refund_no": f"{order.number}C1",
        },
    )
    if created:
        refund_dispatch(refund=refund)


@transaction.atomic
def order_ship_deadline_missed(*, order: Order) -> Order:
    """ORD-4, VIO-1, MER-5: 72 h after payment and not shipped — the system acts, no human needed.

    The customer may cancel with an immediate full refund; the merchant gets a late-shipment violation;
    the customer is compensated from the merchant's deposit (deposit → compensation → refunds clearing,
    i.e. paid out to the customer, as a refund through the order's payment provider: decision 029).
    If the deposit cannot cover it all, what it holds is paid and the
    shortfall is recorded on the order's timeline. Running twice acts once.
    """
    order = order_lock(order_id=order.pk)
    if order.status != S.PAID or order.customer_may_cancel_with_refund:
        return order
    order.customer_may_cancel_with_refund = True
    order.save(update_fields=["customer_may_cancel_with_refund"])
    violation = violation_record(
        merchant=order.merchant,
        kind="late_shipment",
        evidence=json.loads(
            json.dumps(
                {"order": order.number, "paid_at": order.paid_at, "ship_by": order.ship_by},
                cls=DjangoJSONEncoder,
            )
        ),
        source="system",
        actor=None,
    )
    amount = late_shipment_compensation_amount(order.total)
    deposit = ledger_account_for(kind=AccountKind.MERCHANT_DEPOSIT, owner=order.merchant)
    deposit.refresh_from_db(fields=["balance"])
    paid = min(amount, deposit.balance)
    if paid > 0:
        merchant_deposit_deduct(
            merchant=order.merchant,
            amount=paid,
            reason=_("Late shipment of order %(number)s: compensation to the customer.")
            % {"number": order.number},
            kind="compensation",
            idempotency_key=f"order-late-shipment:{order.pk}",
            actor=None,
        )
        ledger_post(
            idempotency_key=f"order-late-shipment-payout:{order.pk}",
            kind=TransactionKind.COMPENSATION,
            postings=[
                (_platform(AccountKind.COMPENSATION), -paid),
                (_platform(AccountKind.REFUNDS_CLEARING), paid),
            ],
            memo=f"late shipment compensation for order {order.number}",
            subject=order,
        )
        _compensation_refund(order, paid)
    _event(
        order,
        action="ship_by_missed",
        actor=None,
        reason=_("Not shipped within %(hours)d hours of payment.")
        % {"hours": settings.ORDERS_SHIP_WITHIN.total_seconds() // 3600},
        data={
            "violation": violation.pk,
            "compensation": str(paid),
            "compensation_shortfall": str(amount - paid),
        },
    )
    _notify_customer(
        order,
        event="order_ship_by_missed",
        title=_("Your order was not shipped in time"),
        body=_(
            "Order %(number)s was not shipped in time. You receive %(amount)s CNY compensation and may "
            "cancel it now for a full refund."
        )
        % {"number": order.number, "amount": paid},
    )
    return order


# --- ORD-2: the service branch ----------------------------------------------------------------------


@transaction.atomic
def order_schedule(*, order: Order, scheduled_for: datetime, actor: User) -> Order:
    """ORD-2, ORD-9: a paid service order gets its appointment."""
    order = order_lock(order_id=order.pk)
    order.schedule(scheduled_for=scheduled_for)
    order.save()
    _event(order, action="scheduled", actor=actor, from_status=S.PAID, data={"at": scheduled_for})
    return order


@transaction.atomic
def order_start_service(*, order: Order, actor: User) -> Order:
    """ORD-2: the service begins; the customer confirms completion (or it confirms automatically)."""
    order = order_lock(order_id=order.pk)
    order.start_service()
    order.save()
    deadline_start(rule=RULE_AUTO_CONFIRM, subject=order, after=settings.ORDERS_AUTO_CONFIRM_AFTER)
    _event(order, action="service_started", actor=actor, from_status=S.SCHEDULED)
    return order


# --- ORD-5: logistics ------------------------------------------------------------------------------


@transaction.atomic
def tracking_event_record(
    *,
    order: Order,
    kind: str,
    at: datetime,
    location: str = "",
    description: str = "",
    source: str,
    carrier: str = "",
    external_id: str | None = None,
    actor: User | None,
) -> TrackingEvent:
    """ORD-5: record a parcel event (carrier webhook or staff); ``delivered`` makes the order delivered.

    The carrier's event id makes a repeated webhook record once.
    """
    if kind not in TrackingEvent.Kind.values:
        raise InvalidInput(_("Unknown tracking event."), errors={"kind": [_("Unknown.")]})
    order = order_lock(order_id=order.pk)
    if external_id:
        existing = TrackingEvent.objects.filter(carrier=carrier, external_id=external_id).first()
        if existing is not None:
            return existing
    if order.status not in (S.SHIPPED, S.DELIVERED, S.COMPLETED):
        raise Conflict(_("This order has not shipped."), code="not_shipped")
    event = TrackingEvent.objects.create(
        order=order,
        kind=kind,
        at=at,
        location=location,
        description=description,
        source=source,
        carrier=carrier or order.carrier,
        external_id=external_id or None,
        recorded_by=actor,
    )
    if kind == TrackingEvent.Kind.DELIVERED and order.status == S.SHIPPED:
        order.deliver()
        order.save()
        _event(order, action="delivered", actor=actor, from_status=S.SHIPPED, reason=f"{source}: {location}")
        _notify_customer(
            order,
            event="order_delivered",
            title=_("Delivered"),
            body=_("Order %(number)s was delivered. Please confirm receipt.") % {"number": order.number},
        )
    delivery_on_tracking_event(order=order, event=event, actor=actor)  # ORD-10
    return event


@transaction.atomic
def logistics_callback_receive(*, carrier: str, headers: dict[str, str], body: bytes) -> list[TrackingEvent]:
    """ORD-5: a tracker's signed push (``InvalidInput`` if its signature or body is wrong): each update is
    recorded once (a repeated push records nothing new), oldest first, on the order that ships the parcel
    with that courier (404 if none does)."""
    from orders.logistics import CarrierRejected, carrier_get

    try:
        gateway = carrier_get(carrier)
    except KeyError:
        raise NotFound(_("Unknown carrier.")) from None
    try:
        push = gateway.verify_webhook(headers, body)
    except CarrierRejected as exc:
        logger.warning("carrier webhook from %s rejected: %s", carrier, exc)
        raise InvalidInput(_("The notification could not be verified."), code="callback_rejected") from exc
    couriers = [c for c in (push.courier, push.courier_before) if c]
    order = (
        Order.objects.filter(carrier__in=couriers, tracking_number=push.tracking_number)
        .order_by("-pk")
        .first()
    )
    if order is None:
        raise NotFound(_("No order ships with this tracking number."))
    return [
        tracking_event_record(
            order=order,
            kind=update.kind,
            at=update.at,
            location=update.location,
            description=update.description,
            source=TrackingEvent.Source.CARRIER,
            carrier=order.carrier,
            external_id=update.event_id,
            actor=None,
        )
        for update in push.updates
    ]


# --- ORD-6, ORD-7: confirmation and follow-up ------------------------------------------------------


@transaction.atomic
def order_confirm_receipt(*, order: Order, actor: User | None, automatic: bool = False) -> Order:
    """ORD-5, ORD-6, ORD-7: receipt confirmed (by the customer, or automatically): the order completes,
    the after-sales window opens and a customer-service follow-up is queued."""
    order = order_lock(order_id=order.pk)
    if automatic and order.status not in (S.SHIPPED, S.DELIVERED, S.IN_SERVICE):
        return order
    how = (
        _("automatically, %(days)d days after shipping") % {"days": settings.ORDERS_AUTO_CONFIRM_AFTER.days}
        if automatic
        else _("by the customer")
    )
    if order.status == S.SHIPPED:
        order.deliver()
        order.save()
        _event(order, action="delivered", actor=actor, from_status=S.SHIPPED, reason=how)
    return _complete(order, actor=actor, how=how, automatic=automatic)


@transaction.atomic
def order_complete_service(*, order: Order, actor: User) -> Order:
    """ORD-2, ORD-9: the field coordinator reports the visit done: the service order completes (as on
    the customer's confirmation), the after-sales window opens and a follow-up is queued."""
    order = order_lock(order_id=order.pk)
    if order.kind != Order.Kind.SERVICE:
        raise Conflict(_("Only a service order is completed by its visit."), code="not_a_service")
    return _complete(order, actor=actor, how=_("visit done, reported by the field coordinator"))


def _complete(order: Order, *, actor: User | None, how: str, automatic: bool = False) -> Order:
    """ORD-6, ORD-7: a locked, delivered or in-service order completes."""
    before = order.status
    order.complete()
    order.save()
    if not automatic:  # the sweeper resolves the deadline it is enforcing itself
        deadline_meet(rule=RULE_AUTO_CONFIRM, subject=order)
        # ORD-10: the customer has the parcel: a running delivery case ends with it
        delivery_cases_close_for_order(
            order=order, actor=actor, reason=_("Receipt confirmed by the customer.")
        )
    else:
        # ORD-10: no parcel to watch any more; a running case keeps the escrow held (PAY-6) until it ends
        deadline_cancel(rule=RULE_DELIVERY_STALL, subject=order, note="receipt confirmed automatically")
    assert order.completed_at is not None
    deadline_start(
        rule=RULE_AFTERSALES_WINDOW,
        subject=order,
        due_at=order.completed_at + settings.ORDERS_AFTERSALES_WINDOW,
    )
    FollowUp.objects.get_or_create(order=order)
    _event(order, action="completed", actor=actor, from_status=before, reason=how)
    _notify_merchant(
        order,
        event="order_completed",
        title=_("Order completed"),
        body=_("Order %(number)s was confirmed received.") % {"number": order.number},
    )
    return order


@transaction.atomic
def order_extend_confirmation(*, order: Order, actor: User) -> Order:
    """ORD-6: the customer extends the automatic confirmation once, by 5 days."""
    order = order_lock(order_id=order.pk)
    if order.status not in (S.SHIPPED, S.DELIVERED, S.IN_SERVICE):
        raise Conflict(_("Only an order awaiting confirmation can be extended."), code="not_awaiting_receipt")
    if order.confirmation_extended:
        raise Conflict(_("The confirmation was already extended once."), code="already_extended")
    deadline = deadline_extend(rule=RULE_AUTO_CONFIRM, subject=order, by=settings.ORDERS_CONFIRM_EXTENSION)
    order.confirmation_extended = True
    order.save(update_fields=["confirmation_extended"])
    _event(order, action="confirmation_extended", actor=actor, data={"due_at": deadline.due_at})
    return order


@transaction.atomic
def follow_up_record(*, follow_up: FollowUp, outcome: str, suggestion: str, actor: User) -> FollowUp:
    """ORD-7: customer service records the follow-up's result and the customer's suggestion."""
    if not outcome.strip():
        raise InvalidInput(_("Record the outcome."), code="outcome_missing")
    follow_up = lock(FollowUp, follow_up.pk)
    follow_up.outcome, follow_up.suggestion = outcome, suggestion
    follow_up.status, follow_up.done_at, follow_up.done_by = FollowUp.Status.DONE, clock.now(), actor
    follow_up.save()
    audit_record(
        actor=actor, action="order.follow_up_recorded", subject=follow_up.order, after={"outcome": outcome}
    )
    return follow_up
