"""ORD-10: what the people involved do with a delivery case (opening, clocks and lapse are in
``orders.services.delivery``).

- ``delivery_case_reship(*, case, carrier, tracking_number, actor)`` — the merchant sends a new parcel
  within the 48 hours: the order ships under the new tracking number, the case is resolved.
- ``delivery_case_agree_refund(*, case, actor)`` — the merchant agrees a refund within the 48 hours: the
  customer is refunded in full at once (PAY-5), the case is resolved.
- ``delivery_case_refund(*, case, idempotency_key, actor)`` — the case lapsed: the customer takes a full
  refund at once (PAY-5, PAY-7: keyed by the case, so it is paid exactly once).
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from orders.clocks import RULE_AUTO_CONFIRM
from orders.models import DeliveryCase
from orders.selectors.money import order_paid_amount, order_refunded_amount
from orders.services._common import S, _notify_customer, _notify_merchant
from orders.services.delivery import delivery_case_end, delivery_stall_clock_restart
from orders.services.locks import order_lock
from orders.services.refunds import order_refund
from orders.services.tracking import tracking_subscribe_on_commit
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadline_restart
from platform_core.errors import Conflict, InvalidInput
from platform_core.locking import lock

C = DeliveryCase.Status


def _locked(case: DeliveryCase) -> DeliveryCase:
    """Decision 018: the order first, then the case, re-read under their locks."""
    order_lock(order_id=case.order_id)
    return lock(DeliveryCase.objects.select_related("order", "hold"), case.pk, missing=_("No such case."))


def _refund_full(case: DeliveryCase, *, key: str, reason: str, actor: User | None) -> None:
    """What is still refundable on the case's order, refunded at once (PAY-5); the case is already out of
    the active states, so closing the order does not close it again."""
    order = case.order
    left = order_paid_amount(order=order) - order_refunded_amount(order=order)
    if left <= 0:
        raise Conflict(_("Nothing is left to refund on this order."), code="nothing_to_refund")
    case.refund = order_refund(order=order, amount=left, reason=reason, idempotency_key=key, actor=actor)
    case.save(update_fields=["refund"])


@transaction.atomic
def delivery_case_reship(
    *, case: DeliveryCase, carrier: str, tracking_number: str, actor: User
) -> DeliveryCase:
    """ORD-10: the merchant reships with a new carrier tracking number (``InvalidInput`` without one;
    409 unless the case is open). The order's tracking follows the new parcel, the stall clock restarts,
    and the automatic confirmation (ORD-6) counts from the reshipment."""
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if not carrier or not tracking_number:
        raise InvalidInput(
            _("Carrier and tracking number are required."),
            code="tracking_missing",
            errors={
                **({"carrier": [_("Required.")]} if not carrier else {}),
                **({"tracking_number": [_("Required.")]} if not tracking_number else {}),
            },
        )
    case = _locked(case)
    order = case.order
    if tracking_number == order.tracking_number and carrier == order.carrier:
        raise InvalidInput(
            _("A reshipment needs a new tracking number."),
            code="tracking_unchanged",
            errors={"tracking_number": [_("This is the parcel that went wrong.")]},
        )
    case.reship(carrier=carrier, tracking_number=tracking_number)  # 409 unless open
    old = {"carrier": order.carrier, "tracking_number": order.tracking_number}
    order.carrier, order.tracking_number = carrier, tracking_number
    order.save(update_fields=["carrier", "tracking_number"])
    delivery_case_end(
        case,
        from_status=C.OPEN,
        actor=actor,
        reason=_("Reshipped: %(carrier)s %(tracking)s") % {"carrier": carrier, "tracking": tracking_number},
        data={"previous": old, "carrier": carrier, "tracking_number": tracking_number},
    )
    if order.status == S.SHIPPED:
        deadline_restart(rule=RULE_AUTO_CONFIRM, subject=order, after=settings.ORDERS_AUTO_CONFIRM_AFTER)
    delivery_stall_clock_restart(order=order)
    tracking_subscribe_on_commit(order=order)  # ORD-5: the new parcel is watched like the first
    _notify_customer(
        order,
        event="delivery_case_reshipped",
        title=_("Your order was sent again"),
        body=_("Order %(number)s was sent again: %(carrier)s %(tracking)s")
        % {"number": order.number, "carrier": carrier, "tracking": tracking_number},
    )
    return case


@transaction.atomic
def delivery_case_agree_refund(*, case: DeliveryCase, actor: User) -> DeliveryCase:
    """ORD-10, PAY-5: the merchant agrees a refund within the 48 hours: the customer gets a full refund
    at once (keyed by the case: exactly once) and the order closes."""
    case = _locked(case)
    case.agree_refund()  # 409 unless open
    case.save()  # out of the active states first: the refund's closing of the order leaves it alone
    _refund_full(
        case,
        key=f"delivery-case:{case.pk}:agreed",
        reason=_("Delivery problem on order %(number)s: refund agreed by the shop.")
        % {"number": case.order.number},
        actor=actor,
    )
    delivery_case_end(case, from_status=C.OPEN, actor=actor, reason=_("The shop agreed a refund."))
    return case


@transaction.atomic
def delivery_case_refund(*, case: DeliveryCase, actor: User) -> DeliveryCase:
    """ORD-10, PAY-5, PAY-7: the case lapsed; the customer takes a full refund at once. 409 unless lapsed
    (a refunded case answers 409 too: the API's Idempotency-Key replays the first answer)."""
    case = _locked(case)
    case.refund_customer()  # 409 unless lapsed
    case.save()  # out of the active states first: the refund's closing of the order leaves it alone
    _refund_full(
        case,
        key=f"delivery-case:{case.pk}:refund",
        reason=_("Delivery problem on order %(number)s not resolved in time: full refund.")
        % {"number": case.order.number},
        actor=actor,
    )
    delivery_case_end(case, from_status=C.LAPSED, actor=actor, reason=_("The customer took a full refund."))
    _notify_merchant(
        case.order,
        event="delivery_case_refunded",
        title=_("Order refunded after a delivery problem"),
        body=_("The customer of order %(number)s took a full refund after the delivery problem lapsed.")
        % {"number": case.order.number},
    )
    return case
