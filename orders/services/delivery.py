"""ORD-10: delivery problems — opening a delivery case, its clocks, its lapse, and closing it when the
order ends otherwise. The merchant's and the customer's actions on a case (reship, agree a refund, take the
refund) are in ``orders.services.delivery_resolution``.

Clocks (both on the order, so the engine and the services lock the order first):

- ``orders.delivery_stall`` (``ORDERS_DELIVERY_STALL_AFTER``, 72 h): started at shipping and restarted on
  every tracking movement (from the latest movement's time); when it runs out on a shipped order with no
  case running, a ``no_movement`` case opens. Met on delivery, cancelled when the order ends.
- ``orders.delivery_case`` (``ORDERS_DELIVERY_CASE_WITHIN``, 48 h): started when a case opens; met when
  the merchant resolves it; when it runs out the case lapses: it counts against the merchant (VIO-6) and
  the customer may take a full refund at once.

While a case is open or lapsed the order's escrow is held (PAY-6, the case is the hold's subject), so the
automatic confirmation (ORD-6) cannot lead to its release.
"""

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.clocks import RULE_DELIVERY_CASE, RULE_DELIVERY_STALL
from orders.models import DeliveryCase, DeliveryCaseEvent, Order, TrackingEvent
from orders.services._common import S, _event, _notify_customer, _notify_merchant
from orders.services.locks import order_lock
from orders.services.settlement import order_escrow_hold, order_escrow_hold_release
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadline_cancel, deadline_meet, deadline_restart
from platform_core.locking import lock_first
from platform_core.timeline import timeline_record

C = DeliveryCase.Status


def _case_event(
    case: DeliveryCase,
    *,
    action: str,
    actor: User | None,
    from_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> DeliveryCaseEvent:
    """ORD-10, AUD-1: the case's timeline row and its audit entry."""
    return timeline_record(
        DeliveryCaseEvent,
        case=case,
        subject=case,
        actor=actor,
        action=action,
        audit_action=f"delivery_case.{action}",
        from_status=from_status,
        reason=reason,
        data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
    )


def delivery_case_active(*, order: Order) -> DeliveryCase | None:
    """The order's open or lapsed case, locked (call with the order locked)."""
    return lock_first(DeliveryCase.objects.filter(order=order, status__in=DeliveryCase.ACTIVE_STATUSES))


# --- the stall clock ---------------------------------------------------------------------------------


def _latest(rows: QuerySet[Any], field: str) -> Subquery:
    """``MAX(field)`` of the order's ``rows`` (NULL when there are none), as a subquery of the order."""
    return Subquery(rows.order_by().values("order").annotate(latest=Max(field)).values("latest")[:1])


def delivery_stall_clock_restart(*, order: Order) -> None:
    """ORD-10: (re)start the no-movement clock of a locked, shipped order: 72 h after the latest of its
    shipping, its last reshipment and its latest tracking movement. Not while a case is running (that case is the problem)."""
    facts = None
    if order.status == S.SHIPPED:  # a running case, the latest movement and reshipment: one query
        cases = DeliveryCase.objects.filter(order=OuterRef("pk"))
        facts = (
            Order.objects.filter(pk=order.pk)
            .values(
                active=Exists(cases.filter(status__in=DeliveryCase.ACTIVE_STATUSES)),
                moved=_latest(TrackingEvent.objects.filter(order=OuterRef("pk")), "at"),
                reshipped=_latest(cases.filter(status=C.RESHIPPED), "resolved_at"),
            )
            .get()
        )
    if facts is None or facts["active"]:
        deadline_cancel(rule=RULE_DELIVERY_STALL, subject=order, note="no shipped parcel to watch")
        return
    shipped = order.shipped_at or clock.now()
    since = max(at for at in (shipped, facts["moved"], facts["reshipped"]) if at is not None)
    deadline_restart(
        rule=RULE_DELIVERY_STALL, subject=order, due_at=since + settings.ORDERS_DELIVERY_STALL_AFTER
    )


@transaction.atomic
def order_delivery_stalled(*, order: Order) -> DeliveryCase | None:
    """ORD-10 (the ``orders.delivery_stall`` handler): no tracking movement for 72 h — open a case."""
    order = order_lock(order_id=order.pk)
    if order.status != S.SHIPPED:
        return None
    return delivery_case_open(order=order, cause=DeliveryCase.Cause.NO_MOVEMENT, actor=None)


# --- opening -----------------------------------------------------------------------------------------


def delivery_case_open(
    *, order: Order, cause: str, tracking_event: TrackingEvent | None = None, actor: User | None
) -> DeliveryCase | None:
    """ORD-10: open a delivery case on a locked, shipped order (``None`` if one is already running): the
    48-hour clock starts, the escrow is held with the case's reason, merchant and customer are told."""
    if order.status != S.SHIPPED:
        return None
    if delivery_case_active(order=order) is not None:
        return None
    now = clock.now()
    case = DeliveryCase.objects.create(
        order=order,
        cause=cause,
        tracking_event=tracking_event,
        opened_at=now,
        respond_by=now + settings.ORDERS_DELIVERY_CASE_WITHIN,
        note=(tracking_event.description if tracking_event else "")[:500],
    )
    if cause == DeliveryCase.Cause.EXCEPTION:  # (a stall case is opened by that clock's own handler)
        deadline_cancel(rule=RULE_DELIVERY_STALL, subject=order, note="delivery case opened")
    deadline_restart(rule=RULE_DELIVERY_CASE, subject=order, due_at=case.respond_by)
    reason = _("Delivery problem (case %(case)d): %(cause)s") % {
        "case": case.pk,
        "cause": DeliveryCase.Cause(cause).label,
    }
    case.hold = order_escrow_hold(order=order, reason=reason, subject=case, actor=actor)
    case.save(update_fields=["hold"])
    _case_event(case, action="opened", actor=actor, reason=reason, data={"cause": cause})
    _event(order, action="delivery_case_opened", actor=actor, reason=reason, data={"case": case.pk})
    hours = int(settings.ORDERS_DELIVERY_CASE_WITHIN.total_seconds() // 3600)
    _notify_merchant(
        order,
        event="delivery_case_opened",
        channels=("inapp", "sms"),  # OPS-3: the 48-hour clock runs; the shop must act
        title=_("Delivery problem on order %(number)s") % {"number": order.number},
        body=_(
            "%(cause)s. Resolve it within %(hours)d hours (by %(due)s): reship with a new tracking number, "
            "or agree a refund. Otherwise the customer may take a full refund."
        )
        % {
            "cause": DeliveryCase.Cause(cause).label,
            "hours": hours,
            "due": timezone.localtime(case.respond_by).strftime("%Y-%m-%d %H:%M"),
        },
    )
    _notify_customer(
        order,
        event="delivery_case_opened",
        title=_("We are looking into the delivery of your order"),
        body=_(
            "Order %(number)s: %(cause)s. The shop has %(hours)d hours to reship or refund; otherwise you "
            "may take a full refund at once."
        )
        % {"number": order.number, "cause": DeliveryCase.Cause(cause).label, "hours": hours},
    )
    return case


# --- the 48-hour clock runs out ------------------------------------------------------------------------


@transaction.atomic
def delivery_case_lapse(*, order: Order) -> DeliveryCase | None:
    """ORD-10, VIO-6 (the ``orders.delivery_case`` handler): the merchant did not resolve the case in 48 h.

    The case lapses (it counts against the merchant's KPIs) and the customer may take a full refund at
    once. Running twice acts once.
    """
    order = order_lock(order_id=order.pk)
    case = lock_first(DeliveryCase.objects.filter(order=order, status=C.OPEN))
    if case is None:
        return None
    case.lapse()
    case.save()
    _case_event(case, action="lapsed", actor=None, from_status=C.OPEN, reason=_("Not resolved in time."))
    _event(order, action="delivery_case_lapsed", actor=None, data={"case": case.pk})
    _notify_customer(
        order,
        event="delivery_case_lapsed",
        title=_("You may take a full refund"),
        body=_(
            "The shop did not resolve the delivery problem of order %(number)s in time. You may take a "
            "full refund now."
        )
        % {"number": order.number},
    )
    _notify_merchant(
        order,
        event="delivery_case_lapsed",
        title=_("Delivery problem not resolved in time"),
        body=_(
            "The delivery problem of order %(number)s was not resolved in time; it counts against your "
            "performance and the customer may take a full refund."
        )
        % {"number": order.number},
    )
    return case


# --- ending ------------------------------------------------------------------------------------------


def delivery_case_end(
    case: DeliveryCase,
    *,
    from_status: str,
    actor: User | None,
    reason: str,
    data: dict[str, Any] | None = None,
) -> DeliveryCase:
    """ORD-10: a locked case has just left ``from_status`` (the caller applied the transition): save it,
    meet the 48-hour clock when the merchant's side resolved it (cancel it otherwise), release the escrow
    hold, and record the step. The order must be locked."""
    case.save()
    if case.status in (C.RESHIPPED, C.REFUND_AGREED, C.DELIVERED):
        deadline_meet(rule=RULE_DELIVERY_CASE, subject=case.order)  # resolved in time
    else:
        deadline_cancel(rule=RULE_DELIVERY_CASE, subject=case.order, note=f"delivery case {case.status}")
    if case.hold is not None and case.hold.released_at is None:
        order_escrow_hold_release(hold=case.hold, actor=actor)
    _case_event(case, action=case.status, actor=actor, from_status=from_status, reason=reason, data=data)
    _event(
        case.order,
        action=f"delivery_case_{case.status}",
        actor=actor,
        reason=reason,
        data={"case": case.pk, **(data or {})},
    )
    return case


def delivery_cases_close_for_order(*, order: Order, actor: User | None, reason: str) -> None:
    """ORD-10: the locked order ended otherwise (refunded in full, receipt confirmed by the customer):
    close its running case and stop its delivery clocks."""
    deadline_cancel(rule=RULE_DELIVERY_STALL, subject=order, note=reason)
    case = delivery_case_active(order=order)
    if case is not None:
        before = case.status
        case.close()
        delivery_case_end(case, from_status=before, actor=actor, reason=reason)


@transaction.atomic
def delivery_case_expire_with_window(*, order: Order) -> DeliveryCase | None:
    """ORD-10, PAY-6: the after-sales window of a completed order closed (its deadline handler, before
    settlement): a lapsed case whose customer never took the refund ends with it, so its hold does not
    keep the escrow frozen without end. (With the defaults the window, 15 days after completion, always
    outlasts the case's 48 hours.)"""
    order = order_lock(order_id=order.pk)
    case = lock_first(DeliveryCase.objects.filter(order=order, status=C.LAPSED))
    if case is None or order.status != S.COMPLETED:
        return None
    case.close()
    return delivery_case_end(
        case,
        from_status=C.LAPSED,
        actor=None,
        reason=_("The after-sales window closed; the refund was not taken."),
    )


def delivery_on_tracking_event(*, order: Order, event: TrackingEvent, actor: User | None) -> None:
    """ORD-5, ORD-10: after a tracking event on a locked order: an exception opens a case; delivery
    resolves an open one and stops the stall clock; any other movement restarts the stall clock."""
    if event.kind == TrackingEvent.Kind.EXCEPTION:
        delivery_case_open(order=order, cause=DeliveryCase.Cause.EXCEPTION, tracking_event=event, actor=actor)
        return
    if event.kind == TrackingEvent.Kind.DELIVERED:
        deadline_meet(rule=RULE_DELIVERY_STALL, subject=order)
        case = lock_first(DeliveryCase.objects.filter(order=order, status=C.OPEN))
        if case is not None:
            case.delivered()
            delivery_case_end(
                case, from_status=C.OPEN, actor=actor, reason=_("The carrier delivered the parcel.")
            )
        return
    delivery_stall_clock_restart(order=order)
