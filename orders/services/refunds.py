"""PAY-5: refunds, and ORD-2/ORD-3/ORD-4: cancelling an order before it ships.

- ``order_refund(*, order, amount, reason, idempotency_key, actor) -> Refund`` — PAY-5: refund from
  escrow (or, once released, from the merchant's payable); never more than paid; a full refund closes
  the order. Holds do not block refunds (they block release/payout only). After-sales and disputes
  call it.
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from merchants.services.deposits import merchant_deposit_drawn
from merchants.services.lifecycle import merchant_lock
from orders.clocks import RULE_AFTERSALES_WINDOW, RULE_AUTO_CONFIRM, RULE_PAYMENT_TIMEOUT, RULE_SHIP_BY
from orders.models import Order, Payment, Refund
from orders.selectors.money import order_paid_amount, order_refunded_amount
from orders.selectors.orders import REFUND_ORDER_PERMISSION
from orders.services._common import (
    S,
    _escrow,
    _event,
    _notify_customer,
    _notify_merchant,
    _platform,
    _proceeds,
    _release_stock,
    _sales_count,
)
from orders.services.delivery import delivery_cases_close_for_order
from orders.services.locks import order_lock
from orders.services.payment_close import order_payments_close
from orders.services.refund_dispatch import refund_dispatch
from orders.services.reviews import reviews_flag_refunded
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadline_cancel
from platform_core.errors import Conflict, Forbidden, InvalidInput, Unprocessable
from platform_core.ledger.models import AccountKind, LedgerAccount, TransactionKind
from platform_core.ledger.services import ledger_account_for, ledger_post
from platform_core.money import is_whole_cents

logger = logging.getLogger(__name__)


# --- PAY-5: refunds --------------------------------------------------------------------------------


def _refund_sources(order: Order, amount: Decimal) -> dict[str, tuple[LedgerAccount, Decimal]]:
    """PAY-5: how much of ``amount`` each account pays, in order: escrow, merchant payable, deposit.
    For the platform's own shop (自营, CAT-9) what escrow cannot cover comes from the platform's revenue,
    where its settlements went (``_proceeds``).

    Once escrow falls short the merchant row is locked before its balances are read (and before the
    ledger locks the accounts), as payouts and deposit services do, so the figures hold until the post.
    """
    escrow = _escrow(order)
    escrow.refresh_from_db(fields=["balance"])
    if order.merchant.is_self_operated:
        from_escrow = min(amount, max(escrow.balance, Decimal("0.00")))
        revenue = _proceeds(order)
        return {escrow.kind: (escrow, from_escrow), revenue.kind: (revenue, amount - from_escrow)}
    merchant_kinds = (AccountKind.MERCHANT_PAYABLE, AccountKind.MERCHANT_DEPOSIT)
    accounts = [escrow] + [ledger_account_for(kind=k, owner=order.merchant) for k in merchant_kinds]
    sources: dict[str, tuple[LedgerAccount, Decimal]] = {}
    left = amount
    for account in accounts:
        if account.kind == AccountKind.MERCHANT_PAYABLE and left > 0:
            merchant_lock(merchant_id=order.merchant_id)
        account.refresh_from_db(fields=["balance"])
        part = min(left, max(account.balance, Decimal("0.00")))
        sources[account.kind] = (account, part)
        left -= part
    if left > 0:
        logger.error("refund on order %s: %s CNY not covered by escrow, payable or deposit", order.pk, left)
        raise Conflict(
            _("The shop's funds cannot cover this refund (%(left)s CNY short); finance must step in.")
            % {"left": left},
            code="merchant_funds_short",
            errors={"shortfall": str(left)},
        )
    return sources


def _refund(
    order: Order,
    *,
    amount: Decimal,
    reason: str,
    key: str,
    actor: User | None,
    payment: Payment | None = None,
) -> Refund:
    """Refund ``amount`` of a locked order (PAY-5): escrow first; once released, the merchant's payable;
    what the payable cannot cover, the merchant's deposit (MER-5: a deposit left below the required
    amount restricts the merchant). One balanced ``refund`` transaction keyed ``order-refund:<key>``;
    ``Conflict merchant_funds_short`` (nothing moves) if even the deposit cannot cover it."""
    existing = Refund.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.order_id != order.pk or existing.amount != amount:
            raise Unprocessable(
                _("This idempotency key was used for another refund."), code="idempotency_key_reused"
            )
        return existing
    if not isinstance(amount, Decimal) or amount <= 0 or not is_whole_cents(amount):
        raise InvalidInput(_("A refund is a positive amount in yuan and fen."), code="invalid_amount")
    refundable = order_paid_amount(order=order) - order_refunded_amount(order=order)
    if amount > refundable:
        raise Conflict(
            _("A refund cannot exceed what the customer paid (%(left)s left).") % {"left": refundable},
            code="refund_exceeds_paid",
        )
    sources = _refund_sources(order, amount)
    postings = [(_platform(AccountKind.REFUNDS_CLEARING), amount)]
    postings += [(account, -part) for account, part in sources.values() if part > 0]
    ledger_post(
        idempotency_key=f"order-refund:{key}",
        kind=TransactionKind.REFUND,
        postings=postings,
        memo=reason[:500],
        subject=order,
        actor=actor,
    )
    from_deposit = sources.get(AccountKind.MERCHANT_DEPOSIT, (None, Decimal("0.00")))[1]
    if from_deposit > 0:
        merchant_deposit_drawn(
            merchant=order.merchant,
            amount=from_deposit,
            kind="refund",
            reason=_("Refund of %(amount)s CNY on order %(number)s (your payable balance was short).")
            % {"amount": amount, "number": order.number},
            actor=actor,
        )
    payment = payment or order.payments.filter(status=Payment.Status.SUCCEEDED).order_by("-pk").first()
    refund = Refund.objects.create(
        order=order,
        payment=payment,
        amount=amount,
        reason=reason[:500],
        idempotency_key=key,
        ledger_key=f"order-refund:{key}",
        refund_no=f"{order.number}R{order.refunds.filter(kind=Refund.Kind.REFUND).count() + 1}",
        created_by=actor,
    )
    refund_dispatch(refund=refund)  # decision 029: a gateway is called after the commit, with retries
    _event(
        order,
        action="refunded",
        actor=actor,
        reason=reason,
        data={"amount": str(amount), **{f"from_{kind}": str(part) for kind, (_a, part) in sources.items()}},
    )
    _notify_customer(
        order,
        event="order_refunded",
        title=_("Refund issued"),
        body=_("%(amount)s CNY of order %(number)s is on its way back to you.")
        % {"amount": amount, "number": order.number},
    )
    return refund


@transaction.atomic
def order_refund(
    *, order: Order, amount: Decimal, reason: str, idempotency_key: str, actor: User | None
) -> Refund:
    """PAY-5, PAY-7: refund ``amount`` to the customer (after-sales and disputes call this).

    Paid from escrow, or from the merchant's payable once released; never more than the customer paid
    (``Conflict refund_exceeds_paid``). The same key returns the first refund. A refund that leaves
    nothing paid closes the order (ORD-2) and stops its clocks.
    """
    if not reason.strip():
        raise InvalidInput(_("A refund needs a reason."), code="reason_missing")
    order = order_lock(order_id=order.pk)
    refund = _refund(order, amount=amount, reason=reason, key=idempotency_key, actor=actor)
    fully_refunded = order_refunded_amount(order=order) >= order_paid_amount(order=order)
    if fully_refunded and order.status not in (S.CANCELLED, S.CLOSED, S.PENDING_PAYMENT):
        before = order.status
        order.close()
        order.save()
        for rule in (RULE_SHIP_BY, RULE_AUTO_CONFIRM, RULE_AFTERSALES_WINDOW):
            deadline_cancel(rule=rule, subject=order, note="fully refunded")
        delivery_cases_close_for_order(order=order, actor=actor, reason=_("Refunded in full."))  # ORD-10
        if before in (S.PAID, S.SCHEDULED):
            _sales_count(order, sign=-1)
        _event(order, action="closed", actor=actor, from_status=before, reason=reason)
        reviews_flag_refunded(order=order)  # REP-2
    return refund


@transaction.atomic
def order_cancel(
    *, order: Order, reason: str, actor: User, as_merchant: bool = False, by_staff: bool = False
) -> Order:
    """ORD-2, ORD-3, ORD-4: cancel before shipping; a paid order is refunded in full at once.

    The customer cancels an unpaid order any time, and a paid one only after the ship-by deadline passed
    (``customer_may_cancel_with_refund``); the merchant may cancel a paid order it cannot ship. Staff
    (``by_staff``) cancel a paid order, and so refund it, only with ``orders.refund_order`` (PAY-5: finance
    moves money, operations does not).
    """
    if not reason.strip():
        raise InvalidInput(_("Say why the order is cancelled."), code="reason_missing")
    order = order_lock(order_id=order.pk)
    before = order.status
    if before == S.PAID and by_staff and not actor.has_perm(REFUND_ORDER_PERMISSION):
        raise Forbidden(
            _("Cancelling a paid order refunds it: that needs the refund permission (finance)."),
            code="refund_permission_missing",
        )
    if before == S.PAID and not as_merchant and not order.customer_may_cancel_with_refund:
        raise Conflict(
            _("A paid order can be cancelled by the shop, or by you once the shipping deadline has passed."),
            code="cancel_not_allowed",
        )
    order.cancel()  # TransitionNotAllowed (409) once shipped
    order.save()
    deadline_cancel(rule=RULE_PAYMENT_TIMEOUT, subject=order, note="cancelled")
    deadline_cancel(rule=RULE_SHIP_BY, subject=order, note="cancelled")
    _release_stock(order)
    order_payments_close(order=order)  # PAY-3: and closed at the gateway after the commit
    _event(order, action="cancelled", actor=actor, from_status=before, reason=reason)
    if before == S.PAID:
        _sales_count(order, sign=-1)
        refundable = order_paid_amount(order=order) - order_refunded_amount(order=order)
        if refundable > 0:
            _refund(order, amount=refundable, reason=reason, key=f"order-cancel:{order.pk}", actor=actor)
    notify_target = _notify_customer if as_merchant else _notify_merchant
    notify_target(
        order,
        event="order_cancelled",
        title=_("Order cancelled"),
        body=_("Order %(number)s was cancelled: %(reason)s") % {"number": order.number, "reason": reason},
    )
    return order
