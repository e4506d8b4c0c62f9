"""PAY-4, PAY-6: settlement of an order's escrow and the holds that keep it waiting.

Interface for other chapters (after-sales, disputes):

- ``order_escrow_hold(*, order, reason, subject, actor=None) -> LedgerHold`` — PAY-6: hold the order's
  escrow while ``subject`` (an after-sales request, complaint, dispute) is open; settlement waits.
- ``order_escrow_hold_release(*, hold, actor=None) -> LedgerHold`` — the cause is resolved; if the
  after-sales window has already closed and nothing else holds the escrow, the order settles now.

Settlement rules (PAY-4): when the after-sales window (``ORDERS_AFTERSALES_WINDOW``, 15 days after
completion) closes with no open hold, what is left in escrow moves to the merchant's payable minus the
commission (sum over lines of ``line_total × category commission rate`` at purchase, scaled by the
share of the order still in escrow), as one ``release`` transaction keyed ``order-settle:<order id>``.
The platform's own shop (``is_self_operated``, CAT-9/MER-9) settles whole into ``platform_revenue``.
"""

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from orders.models import Order
from orders.selectors.money import order_holds_open
from orders.services._common import S, _escrow, _event, _notify_merchant, _platform, _proceeds
from orders.services.locks import order_lock
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.errors import Conflict, InvalidInput
from platform_core.ledger.models import AccountKind, LedgerHold, TransactionKind
from platform_core.ledger.services import ledger_hold_open, ledger_hold_release, ledger_post
from platform_core.money import money_round

# --- PAY-4, PAY-6: settlement and holds ------------------------------------------------------------


def _commission(order: Order, released: Decimal) -> Decimal:
    full = sum((line.line_total * line.commission_rate for line in order.lines.all()), Decimal("0"))
    if order.total <= 0:
        return Decimal("0.00")
    return min(money_round(full * released / order.total), released)


def _settle(order: Order, *, actor: User | None) -> Order:
    escrow = _escrow(order)
    escrow.refresh_from_db(fields=["balance"])
    amount = escrow.balance
    self_operated = order.merchant.is_self_operated  # CAT-9, MER-9: all of it is the platform's revenue
    commission = _commission(order, amount) if amount > 0 and not self_operated else Decimal("0.00")
    if amount > 0:
        postings = [(escrow, -amount)]
        if amount - commission > 0:
            postings.append((_proceeds(order), amount - commission))
        if commission > 0:
            postings.append((_platform(AccountKind.PLATFORM_COMMISSION), commission))
        # Raises Conflict("escrow_held") while an after-sales request, complaint or dispute holds it.
        ledger_post(
            idempotency_key=f"order-settle:{order.pk}",
            kind=TransactionKind.RELEASE,
            postings=postings,
            memo=f"settlement of order {order.number}",
            subject=order,
            actor=actor,
        )
    order.settled_at = clock.now()
    order.save(update_fields=["settled_at"])
    _event(
        order,
        action="settled",
        actor=actor,
        data={
            "released": str(amount),
            "commission": str(commission),
            "net": str(amount - commission),
            "to": _proceeds(order).kind,
        },
    )
    if amount > 0 and not self_operated:
        _notify_merchant(
            order,
            event="order_settled",
            title=_("Order settled"),
            body=_("%(net)s CNY of order %(number)s is in your payable balance (commission %(c)s).")
            % {"net": amount - commission, "number": order.number, "c": commission},
        )
    return order


@transaction.atomic
def order_settle(*, order: Order, actor: User | None = None) -> Order:
    """PAY-4, PAY-6: release escrow to the merchant's payable minus commission, once.

    Only a completed order whose after-sales window has closed; ``Conflict escrow_held`` while a hold is
    open (the ledger refuses the release), ``Conflict not_settleable`` otherwise.
    """
    order = order_lock(order_id=order.pk)
    if order.settled_at is not None:
        return order
    if order.status != S.COMPLETED or order.aftersales_closed_at is None:
        raise Conflict(_("The order settles when its after-sales window closes."), code="not_settleable")
    return _settle(order, actor=actor)


@transaction.atomic
def order_aftersales_window_close(*, order: Order) -> Order:
    """PAY-4: the after-sales window closed (the deadline handler): settle unless a hold is open.

    A held escrow waits; releasing the last hold (``order_escrow_hold_release``) settles it then.
    """
    order = order_lock(order_id=order.pk)
    if order.status != S.COMPLETED or order.settled_at is not None:
        return order
    if order.aftersales_closed_at is None:
        order.aftersales_closed_at = clock.now()
        order.save(update_fields=["aftersales_closed_at"])
    holds = list(order_holds_open(order=order))
    if holds:
        _event(
            order,
            action="settlement_held",
            actor=None,
            reason="; ".join(hold.reason for hold in holds),
            data={"holds": [hold.pk for hold in holds]},
        )
        return order
    return _settle(order, actor=None)


@transaction.atomic
def order_escrow_hold(*, order: Order, reason: str, subject: Any, actor: User | None = None) -> LedgerHold:
    """PAY-6: hold the order's escrow because of ``subject`` (after-sales request, complaint, dispute).

    Idempotent per subject. The reason is shown to the merchant; settlement waits until every hold is
    released.
    """
    order = order_lock(order_id=order.pk)
    hold = ledger_hold_open(account=_escrow(order), reason=reason, subject=subject, actor=actor)
    _event(order, action="escrow_held", actor=actor, reason=reason, data={"hold": hold.pk})
    return hold


@transaction.atomic
def order_escrow_hold_release(*, hold: LedgerHold, actor: User | None = None) -> LedgerHold:
    """PAY-6: the hold's cause is resolved; settle now if the window has closed and nothing else holds."""
    account = hold.account
    if account.kind != AccountKind.ORDER_ESCROW or account.owner_type != ContentType.objects.get_for_model(
        Order
    ):
        raise InvalidInput(_("This hold is not on an order's escrow."), code="not_order_hold")
    assert account.owner_id is not None
    order = order_lock(order_id=account.owner_id)
    hold = ledger_hold_release(hold=hold, actor=actor)
    _event(order, action="escrow_hold_released", actor=actor, reason=hold.reason, data={"hold": hold.pk})
    if (
        order.status == S.COMPLETED
        and order.aftersales_closed_at is not None
        and order.settled_at is None
        and not order_holds_open(order=order).exists()
    ):
        _settle(order, actor=actor)
    return hold
