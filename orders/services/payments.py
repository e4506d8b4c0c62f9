"""PAY-3: paying an order or a merchant's deposit (MER-5) through a provider, the providers' verified
notifications posted to the ledger exactly once (PAY-2, PAY-7), and what happens when an order is paid.

- ``order_paid`` — ORD-9: the hook called with the locked order once it is paid (field work).
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Merchant
from merchants.selectors.members import merchant_for_member
from merchants.selectors.standing import merchant_deposit_balance
from merchants.services.deposits import merchant_deposit_credit
from merchants.services.lifecycle import merchant_lock
from orders.clocks import RULE_PAYMENT_TIMEOUT, RULE_SHIP_BY
from orders.models import Order, Payment, PaymentCallbackLog
from orders.payments import CallbackRejected, VerifiedNotification, provider_get, providers_enabled
from orders.payments.sandbox import sandbox_payer_account
from orders.services._common import (
    S,
    _escrow,
    _event,
    _notify_merchant,
    _payment_ledger_key,
    _platform,
    _sales_count,
)
from orders.services.refunds import _refund
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_meet, deadline_start
from platform_core.errors import Conflict, InvalidInput, NotFound, Unprocessable
from platform_core.hooks import Hook
from platform_core.ledger.models import AccountKind, TransactionKind
from platform_core.ledger.services import ledger_post
from platform_core.locking import first_locked, lock
from platform_core.prepared import PreparedQuery
from platform_core.upsert import atomic_service

logger = logging.getLogger(__name__)


order_paid = Hook[Callable[[Order], object]](
    "orders.order_paid",
    doc=(
        "ORD-9: the order was paid; called with the locked order in the payment's transaction, after "
        "the ship-by clock started and the merchant was told (field work hands a service order to a "
        "coordinator). What a handler returns is ignored."
    ),
)


# --- PAY-3: payments ------------------------------------------------------------------------------


def _orders_with_payments_so_far() -> "QuerySet[Order]":
    return Order.objects.annotate(
        payments_so_far=Coalesce(
            Subquery(
                Payment.objects.filter(order=OuterRef("pk"))
                .order_by()
                .values("order")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        )
    )


# The hot statements of pay and callback, compiled once per thread (issue 26, decision 052); each is what
# ``platform_core.locking`` (``lock``, ``lock_first``) would run: ``FOR UPDATE OF`` the model's table, the
# first row in the model's ordering.
_CUSTOMER_ORDER_LOCKED: PreparedQuery[Any] = PreparedQuery(
    lambda order_id, customer_id: first_locked(
        _orders_with_payments_so_far().filter(customer_id=customer_id), pk=order_id
    ),
    order_id=int,
    customer_id=int,
)
_ORDER_OF_TRADE_LOCKED = PreparedQuery(
    lambda provider, out_trade_no: first_locked(
        Order.objects.select_related("merchant__owner"),
        pk__in=Payment.objects.filter(provider=provider, out_trade_no=out_trade_no).values("order_id"),
    ),
    provider=str,
    out_trade_no=str,
)
_PAYMENT_OF_TRADE_LOCKED = PreparedQuery(
    lambda provider, out_trade_no: first_locked(Payment, provider=provider, out_trade_no=out_trade_no),
    provider=str,
    out_trade_no=str,
)


def _payment_open(payment: Payment) -> Payment:
    """PAY-3: save the payment and ask its provider for what the payer needs (URL / QR payload)."""
    try:
        payment.payload = provider_get(payment.provider).create_payment(payment)
    except NotImplementedError as exc:
        raise Unprocessable(_("This payment method is not available."), code="provider_unavailable") from exc
    payment.save()  # one INSERT with the payload (issue 26); the provider needs no id of ours
    return payment


def order_pay_start(*, order: Order, provider: str, actor: User) -> Payment:
    """PAY-3: open a payment of the order's total with ``provider``; returns it with the pay payload."""
    return _pay_start(order_id=order.pk, customer=None, provider=provider, actor=actor)


def order_pay_start_for_customer(*, customer: User, order_id: int, provider: str, actor: User) -> Payment:
    """PAY-3, SEC-1: ``order_pay_start`` for the customer's own order: ``NotFound`` for anybody else's,
    read once, under the lock (issue 26: the view does not read it first)."""
    return _pay_start(order_id=order_id, customer=customer, provider=provider, actor=actor)


@atomic_service
def _pay_start(*, order_id: int, customer: User | None, provider: str, actor: User) -> Payment:
    if provider not in providers_enabled():  # PAY-3: only an enabled provider (never sandbox in production)
        raise InvalidInput(_("Unknown payment provider."), errors={"provider": [_("Unknown.")]})
    # the order locked with the number of its payments so far, in one statement (issue 26); the
    # customer's own (the hot path) by a statement compiled once per thread
    order: Any
    if customer is not None:
        order = _CUSTOMER_ORDER_LOCKED.first(order_id=order_id, customer_id=customer.pk)
        if order is None:
            raise NotFound(_("No such order."))
    else:
        order = lock(_orders_with_payments_so_far(), order_id, missing=_("No such order."))
    if order.status != S.PENDING_PAYMENT:
        raise Conflict(_("This order is not waiting for payment."), code="not_payable")
    attempt = order.payments_so_far + 1
    payment = _payment_open(
        Payment(order=order, provider=provider, amount=order.total, out_trade_no=f"{order.number}P{attempt}")
    )
    audit_record(
        actor=actor,
        action="order.payment_started",
        subject=order,
        after={"provider": provider, "out_trade_no": payment.out_trade_no, "amount": payment.amount},
    )
    return payment


@transaction.atomic
def deposit_pay_start(*, merchant: Merchant, category_id: int, provider: str, actor: User) -> Payment:
    """MER-5, PAY-3: the merchant pays what its deposit lacks for ``category_id`` through the gateway.

    The category must be one the merchant is approved for (``InvalidInput``); ``Conflict
    deposit_covered`` if the deposit already holds the category's amount. The provider's verified
    callback credits the deposit once (``payment_callback_receive``).
    """
    if provider not in providers_enabled():  # PAY-3: only an enabled provider (never sandbox in production)
        raise InvalidInput(_("Unknown payment provider."), errors={"provider": [_("Unknown.")]})
    merchant = merchant_lock(merchant_id=merchant.pk)
    category = merchant.categories.filter(pk=category_id).first()
    if category is None:
        raise InvalidInput(
            _("Choose one of your shop's categories."),
            errors={"category": [_("Not one of your categories.")]},
        )
    amount = category.deposit_amount - merchant_deposit_balance(merchant=merchant)
    if amount <= 0:
        raise Conflict(
            _("Your deposit already covers the category %(category)s.") % {"category": category.name},
            code="deposit_covered",
        )
    attempt = Payment.objects.filter(merchant=merchant).count() + 1
    payment = _payment_open(
        Payment(
            purpose=Payment.Purpose.DEPOSIT,
            merchant=merchant,
            category=category,
            provider=provider,
            amount=amount,
            out_trade_no=f"DEP{merchant.pk}C{category.pk}P{attempt}",
        )
    )
    audit_record(
        actor=actor,
        action="merchant.deposit_payment_started",
        subject=merchant,
        after={"provider": provider, "out_trade_no": payment.out_trade_no, "amount": amount},
    )
    return payment


def _may_pay(payment: Payment, user: User) -> bool:
    """Who may pay ``payment`` at the sandbox cashier: the order's customer, or a member of the shop."""
    if payment.order is not None:
        return bool(payment.order.customer_id == user.pk)
    found = merchant_for_member(user=user)
    return found is not None and found[0].pk == payment.merchant_id


@transaction.atomic
def sandbox_cashier_pay(*, out_trade_no: str, actor: User | None) -> Payment:
    """PAY-3 (sandbox): the customer pays at the sandbox cashier; the provider notifies us asynchronously.

    Queues the signed callback after commit, as ``ORDERS_PAYMENT_SANDBOX`` says (delay, duplicates,
    failure); the sandbox writes its settlement file when it signs a successful notification.
    """
    from orders.tasks import deliver_sandbox_callback_task

    if "sandbox" not in providers_enabled():  # PAY-3, decision 019: no sandbox cashier in production
        raise NotFound(_("No such payment."))
    payment = (
        Payment.objects.filter(provider="sandbox", out_trade_no=out_trade_no).select_related("order").first()
    )
    if payment is None or (actor is not None and not _may_pay(payment, actor)):
        raise NotFound(_("No such payment."))
    behaviour = settings.ORDERS_PAYMENT_SANDBOX
    succeeded = not behaviour["fail"]
    # REP-2, DSP-6: the sandbox account of who pays at the cashier (default: the customer / shop owner)
    payer = sandbox_payer_account(actor.pk) if actor is not None else None
    if behaviour["auto"]:
        for _copy in range(1 + int(behaviour["duplicates"])):
            transaction.on_commit(
                lambda: deliver_sandbox_callback_task.apply_async(
                    args=(out_trade_no, succeeded, payer), countdown=int(behaviour["delay_seconds"])
                )
            )
    return payment


def _callback_log(
    *,
    provider: str,
    headers: dict[str, str],
    body: bytes,
    outcome: str,
    error: str = "",
    payment: Payment | None = None,
) -> PaymentCallbackLog:
    return PaymentCallbackLog.objects.create(
        provider=provider,
        headers={k: v for k, v in headers.items() if k.lower().startswith(("x-", "content-", "wechatpay-"))},
        body=body.decode("utf-8", errors="replace")[:20000],
        outcome=outcome,
        error=error[:500],
        payment=payment,
    )


class _CallbackRefused(Exception):
    def __init__(self, code: str, message: str, payment: Payment | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.payment = code, message, payment


def payment_callback_receive(*, provider: str, headers: dict[str, str], body: bytes) -> PaymentCallbackLog:
    """PAY-3: a provider's payment notification: verified, amount-checked, posted to escrow exactly once.

    Bad signature, unknown trade or wrong amount: ``InvalidInput`` (400), no money moves, and the
    callback is logged as rejected. A repeat of an accepted callback is logged as a duplicate and
    moves nothing (the order lock serialises concurrent repeats; the ledger key backs it up).
    """
    if provider not in providers_enabled():  # PAY-3: a disabled provider's callbacks are not routed (404)
        raise NotFound(_("Unknown payment provider."))
    try:
        note = provider_get(provider).verify_callback(headers, body)
    except (CallbackRejected, NotImplementedError) as exc:
        _callback_log(
            provider=provider,
            headers=headers,
            body=body,
            outcome=PaymentCallbackLog.Outcome.REJECTED,
            error=str(exc) or exc.__class__.__name__,
        )
        logger.warning("payment callback from %s rejected: %s", provider, exc)
        raise InvalidInput(_("The notification could not be verified."), code="callback_rejected") from exc
    try:
        return _payment_apply(provider=provider, note=note, headers=headers, body=body)
    except _CallbackRefused as exc:
        _callback_log(
            provider=provider,
            headers=headers,
            body=body,
            outcome=PaymentCallbackLog.Outcome.REJECTED,
            error=f"{exc.code}: {exc.message}",
            payment=exc.payment,
        )
        logger.warning("payment callback from %s refused: %s %s", provider, exc.code, exc.message)
        raise InvalidInput(exc.message, code=exc.code) from exc


@transaction.atomic
def _payment_apply(
    *, provider: str, note: VerifiedNotification, headers: dict[str, str], body: bytes
) -> PaymentCallbackLog:
    trade = {"provider": provider, "out_trade_no": note.out_trade_no}
    # The order first, found through its payment in the same statement (issue 26), with the shop and its
    # owner (the merchant is told of the payment); then the payment, read under that lock. A deposit's
    # payment has no order.
    order = _ORDER_OF_TRADE_LOCKED.first(**trade)
    payment = _PAYMENT_OF_TRADE_LOCKED.first(**trade)
    if payment is None:
        raise _CallbackRefused("unknown_trade", _("No such payment."))
    due = order.total if order is not None else payment.amount
    if note.amount != payment.amount or payment.amount != due:
        raise _CallbackRefused(
            "amount_mismatch",
            _("The amount %(given)s does not match the amount due %(total)s.")
            % {"given": note.amount, "total": due},
            payment,
        )
    Outcome = PaymentCallbackLog.Outcome
    if payment.status == Payment.Status.SUCCEEDED:
        if payment.provider_trade_no != note.provider_trade_no:
            raise _CallbackRefused("trade_mismatch", _("Another trade for an already paid payment."), payment)
        return _callback_log(
            provider=provider, headers=headers, body=body, outcome=Outcome.DUPLICATE, payment=payment
        )
    if not note.succeeded:
        if payment.status == Payment.Status.CREATED:
            payment.status = Payment.Status.FAILED
            payment.save(update_fields=["status"])
        return _callback_log(
            provider=provider, headers=headers, body=body, outcome=Outcome.FAILED, payment=payment
        )

    if order is None:  # MER-5: a deposit payment
        assert payment.merchant is not None
        merchant_deposit_credit(
            merchant=payment.merchant,
            amount=note.amount,
            payment_reference=payment.out_trade_no,
            idempotency_key=_payment_ledger_key(payment, note.provider_trade_no),
            actor=None,
        )
    else:
        ledger_post(
            idempotency_key=_payment_ledger_key(payment, note.provider_trade_no),
            kind=TransactionKind.PAYMENT,
            postings=[
                (_platform(AccountKind.CUSTOMER_PAYMENTS_CLEARING), -note.amount),
                (_escrow(order, probably_new=True), note.amount),  # made by the order's first payment
            ],
            memo=f"payment {payment.out_trade_no}",
            subject=order,
        )
    payment.status = Payment.Status.SUCCEEDED
    payment.provider_trade_no = note.provider_trade_no
    payment.payer_account = note.payer_account  # REP-2, DSP-6: who paid (deposits: the shop's own account)
    payment.succeeded_at = clock.now()
    payment.save(update_fields=["status", "provider_trade_no", "payer_account", "succeeded_at"])
    log = _callback_log(
        provider=provider, headers=headers, body=body, outcome=Outcome.ACCEPTED, payment=payment
    )
    if order is None:
        return log
    if order.status == S.PENDING_PAYMENT:
        _order_paid(order, payment)
    else:
        # Paid after the order was cancelled, or paid twice: the money goes straight back (PAY-5).
        _refund(
            order,
            amount=note.amount,
            reason=_("Payment received for an order that is no longer payable."),
            key=f"unpayable-payment:{payment.pk}",
            actor=None,
            payment=payment,
        )
    return log


def _order_paid(order: Order, payment: Payment) -> None:
    """PAY-2, ORD-4: the money is in escrow: the order is paid and the ship-by clock starts; ORD-9: then
    every ``order_paid`` hook (field work: ``fieldwork/hooks.py``)."""
    now = clock.now()
    ship_by = now + settings.ORDERS_SHIP_WITHIN if order.kind == Order.Kind.PRODUCT else None
    order.pay(at=now, ship_by=ship_by)
    order.save()
    deadline_meet(rule=RULE_PAYMENT_TIMEOUT, subject=order)
    if ship_by is not None:
        deadline_start(rule=RULE_SHIP_BY, subject=order, due_at=ship_by)
    _sales_count(order, sign=1)
    _event(
        order,
        action="paid",
        actor=None,
        from_status=S.PENDING_PAYMENT,
        data={"payment": payment.out_trade_no, "amount": str(payment.amount)},
    )
    _notify_merchant(
        order,
        event="order_paid",
        title=_("New order to ship"),
        body=(
            _("Order %(number)s was paid; ship it by %(ship_by)s.")
            % {"number": order.number, "ship_by": f"{timezone.localtime(ship_by):%Y-%m-%d %H:%M}"}
            if ship_by is not None
            else _("Order %(number)s was paid.") % {"number": order.number}
        ),
    )
    for handler in order_paid:
        handler(order)
