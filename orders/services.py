"""Writes of the orders chapter: cart, checkout, payment, shipping, logistics, confirmation, refunds,
settlement, payouts, reconciliation, follow-up and retention (ORD-1 … ORD-8, PAY-1 … PAY-8).

Every service locks the order first (``order_lock``), then meets/cancels its deadlines and posts to the
ledger, so services and the deadline sweeper (which also locks the subject first) never deadlock.

Interface for other chapters (after-sales, disputes):

- ``order_escrow_hold(*, order, reason, subject, actor=None) -> LedgerHold`` — PAY-6: hold the order's
  escrow while ``subject`` (an after-sales request, complaint, dispute) is open; settlement waits.
- ``order_escrow_hold_release(*, hold, actor=None) -> LedgerHold`` — the cause is resolved; if the
  after-sales window has already closed and nothing else holds the escrow, the order settles now.
- ``order_refund(*, order, amount, reason, idempotency_key, actor) -> Refund`` — PAY-5: refund from
  escrow (or, once released, from the merchant's payable); never more than paid; a full refund closes
  the order. Holds do not block refunds (they block release/payout only).
- ``order_paid`` — ORD-9: the hook called with the locked order once it is paid (field work).
- ``order_schedule`` / ``order_start_service`` / ``order_complete_service`` — ORD-2's service branch.

Settlement rules (PAY-4): when the after-sales window (``ORDERS_AFTERSALES_WINDOW``, 15 days after
completion) closes with no open hold, what is left in escrow moves to the merchant's payable minus the
commission (sum over lines of ``line_total × category commission rate`` at purchase, scaled by the
share of the order still in escrow), as one ``release`` transaction keyed ``order-settle:<order id>``.
The platform's own shop (``is_self_operated``, CAT-9/MER-9) settles whole into ``platform_revenue``.
"""

import hashlib
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from catalog.models import Listing, Sku
from catalog.selectors import listing_visible_q
from catalog.services.skus import listing_sales_add, sku_release, sku_reserve
from merchants.models import Merchant
from merchants.selectors import agreement_current, merchant_deposit_balance, merchant_for_member
from merchants.services import (
    merchant_deposit_credit,
    merchant_deposit_deduct,
    merchant_deposit_drawn,
    merchant_lock,
    violation_record,
)
from orders.models import (
    Cart,
    CartItem,
    FollowUp,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentCallbackLog,
    Payout,
    PayoutStatement,
    ProviderSettlementRecord,
    ReconciliationDifference,
    Refund,
    Review,
    ReviewFlag,
    ReviewLike,
    ReviewPhoto,
    TrackingEvent,
)
from orders.payments import PROVIDERS, CallbackRejected, VerifiedNotification, provider_get
from orders.payments.payouts import payout_provider_get
from orders.payments.sandbox import sandbox_payer_account
from orders.selectors import (
    MODERATE_REVIEW_PERMISSION,
    RULE_SHIP_BY,
    order_holds_open,
    order_paid_amount,
    order_refund_details,
    order_refunded_amount,
    review_fake_signals,
    review_get_visible,
    review_like_count,
)
from platform_core.accounts.models import BasicPermission, User
from platform_core.accounts.services import basic_permission_require
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_cancel, deadline_extend, deadline_meet, deadline_start
from platform_core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Unprocessable
from platform_core.hooks import Hook
from platform_core.ledger.models import AccountKind, LedgerAccount, LedgerEntry, LedgerHold, TransactionKind
from platform_core.ledger.services import (
    ledger_account_for,
    ledger_hold_open,
    ledger_hold_release,
    ledger_post,
)
from platform_core.locking import lock, lock_first
from platform_core.money import is_whole_cents, money_round
from platform_core.notifications.services import notify
from platform_core.timeline import timeline_record
from platform_core.uploads import upload_sniff

logger = logging.getLogger(__name__)

RULE_PAYMENT_TIMEOUT = "orders.payment_timeout"
RULE_AUTO_CONFIRM = "orders.auto_confirm"
RULE_AFTERSALES_WINDOW = "orders.aftersales_window"

S = Order.Status

order_paid = Hook[Callable[[Order], object]](
    "orders.order_paid",
    doc=(
        "ORD-9: the order was paid; called with the locked order in the payment's transaction, after "
        "the ship-by clock started and the merchant was told (field work hands a service order to a "
        "coordinator). What a handler returns is ignored."
    ),
)


def order_lock(*, order_id: int) -> Order:
    """The order row, locked until the transaction ends (``NotFound`` if it does not exist)."""
    return lock(Order, order_id, missing=_("No such order."))


def _event(
    order: Order,
    *,
    action: str,
    actor: User | None,
    from_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    """ORD-2: the timeline row and the audit entry of one thing that happened to the order."""
    return timeline_record(
        OrderEvent,
        order=order,
        subject=order,
        actor=actor,
        action=action,
        audit_action=f"order.{action}",
        from_status=from_status,
        reason=reason,
        data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
    )


def _escrow(order: Order) -> LedgerAccount:
    return ledger_account_for(kind=AccountKind.ORDER_ESCROW, owner=order)


def _platform(kind: str) -> LedgerAccount:
    return ledger_account_for(kind=kind)


def _proceeds(order: Order) -> LedgerAccount:
    """PAY-4, CAT-9, MER-9: where a settled order's money goes: the merchant's payable, or for the
    platform's own (self-operated, 自营) shop the platform's revenue (no commission, no payout)."""
    if order.merchant.is_self_operated:
        return _platform(AccountKind.PLATFORM_REVENUE)
    return ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=order.merchant)


def _notify_merchant(order: Order, *, event: str, title: str, body: str) -> None:
    notify(recipient=order.merchant.owner, event=event, title=title, body=body, subject=order)


def _notify_customer(order: Order, *, event: str, title: str, body: str) -> None:
    notify(recipient=order.customer, event=event, title=title, body=body, subject=order)


# --- ORD-1: cart -------------------------------------------------------------------------------------


def _sku_for_sale(sku_id: int) -> Sku:
    sku = (
        Sku.objects.filter(pk=sku_id, is_active=True, listing__in=Listing.objects.filter(listing_visible_q()))
        .select_related("listing")
        .first()
    )
    if sku is None:
        raise NotFound(_("This item is not on sale."))
    return sku


@transaction.atomic
def cart_item_add(*, customer: User, sku_id: int, quantity: int, actor: User) -> CartItem:
    """ORD-1: put ``quantity`` more of a SKU on sale into the customer's cart."""
    if quantity < 1:
        raise InvalidInput(_("Quantity must be at least 1."), errors={"quantity": [_("Must be ≥ 1.")]})
    sku = _sku_for_sale(sku_id)
    cart, _created = Cart.objects.get_or_create(customer=customer)
    cart = Cart.objects.select_for_update().get(pk=cart.pk)
    item, created = CartItem.objects.get_or_create(cart=cart, sku=sku, defaults={"quantity": quantity})
    if not created:
        item.quantity += quantity
        item.save(update_fields=["quantity"])
    cart.updated_at = timezone.now()
    cart.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def cart_item_set(*, customer: User, sku_id: int, quantity: int, actor: User) -> CartItem | None:
    """ORD-1: change the quantity of a cart item; 0 removes it."""
    if quantity < 0:
        raise InvalidInput(_("Quantity cannot be negative."), errors={"quantity": [_("Must be ≥ 0.")]})
    item = CartItem.objects.select_for_update().filter(cart__customer=customer, sku_id=sku_id).first()
    if item is None:
        raise NotFound(_("This item is not in your cart."))
    if quantity == 0:
        item.delete()
        return None
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    return item


def cart_item_remove(*, customer: User, sku_id: int, actor: User) -> None:
    cart_item_set(customer=customer, sku_id=sku_id, quantity=0, actor=actor)


# --- ORD-1, ORD-3: checkout ------------------------------------------------------------------------


def _order_number() -> str:
    return f"{timezone.localtime():%Y%m%d}{uuid.uuid4().hex[:12].upper()}"


def _agreement_terms() -> dict[str, Any]:
    """ORD-1: the platform's standard consumer terms copied into every order's contract snapshot."""
    return {
        "ship_within_hours": int(settings.ORDERS_SHIP_WITHIN.total_seconds() // 3600),
        "auto_confirm_days": settings.ORDERS_AUTO_CONFIRM_AFTER.days,
        "confirm_extension_days": settings.ORDERS_CONFIRM_EXTENSION.days,
        "aftersales_window_days": settings.ORDERS_AFTERSALES_WINDOW.days,
        "no_reason_return_days": settings.AFTERSALES_NO_REASON_RETURN_DAYS,
        "late_shipment_compensation": {
            k: str(v) for k, v in settings.ORDERS_LATE_SHIPMENT_COMPENSATION.items()
        },
    }


def _contract(merchant: Merchant, lines: Sequence[tuple[CartItem, Sku]]) -> dict[str, Any]:
    """ORD-1: the contract (交易合同) as it stands at purchase; both parties can retrieve it later."""
    agreement = agreement_current()
    return {
        "agreement": (
            {"version": agreement.version, "title": agreement.title, "body": agreement.body}
            if agreement is not None
            else None
        ),
        "merchant": {
            "id": merchant.pk,
            "name": merchant.name,
            "legal_name": merchant.legal_name,
            "credit_code": merchant.credit_code,
            "is_self_operated": merchant.is_self_operated,
        },
        "terms": _agreement_terms(),
        "lines": [
            {
                "sku": sku.pk,
                "title": sku.listing.live_version.title if sku.listing.live_version else "",
                "category": sku.listing.category.name,
                "no_reason_return": not (
                    sku.listing.category.no_reason_return_excluded or sku.listing.is_non_returnable
                ),
                "non_returnable_confirmed": sku.listing.is_non_returnable,
                "aftersales_response_hours": 48 if sku.listing.category.aftersales_special else 24,
            }
            for _item, sku in lines
        ],
        "signed_at": timezone.now().isoformat(),
    }


@transaction.atomic
def order_checkout(
    *,
    customer: User,
    shipping_name: str,
    shipping_phone: str,
    shipping_address: str,
    expected_total: Decimal | None = None,
    actor: User,
) -> list[Order]:
    """ORD-1, ORD-3, CAT-5: turn the cart into one order per merchant (and kind), all or nothing.

    Re-checks every item (still on sale, merchant may take orders) and prices (``expected_total``, if
    the client sends what it showed, must match: ``Conflict price_changed``); reserves stock with the
    guarded decrement in SKU order (``Conflict out_of_stock`` rolls everything back); snapshots lines
    and the contract; starts the 30-minute payment clock on each order; empties the cart.
    """
    cart = Cart.objects.select_for_update().filter(customer=customer).first()
    items = (
        list(
            cart.items.select_related(
                "sku__listing__live_version", "sku__listing__category", "sku__listing__merchant"
            ).order_by("sku_id")
        )
        if cart
        else []
    )
    if not items:
        raise InvalidInput(_("Your cart is empty."), code="cart_empty")
    visible = set(
        Listing.objects.filter(listing_visible_q(), pk__in=[i.sku.listing_id for i in items]).values_list(
            "pk", flat=True
        )
    )
    groups: dict[tuple[int, str], list[tuple[CartItem, Sku]]] = defaultdict(list)
    for item in items:
        sku = item.sku
        if sku.listing_id not in visible or not sku.is_active:
            raise Conflict(
                _("An item in your cart is no longer on sale."),
                code="item_unavailable",
                errors={"sku": sku.pk},
            )
        if not sku.listing.merchant.may_take_orders:
            raise Conflict(
                _("The shop %(shop)s is not taking orders.") % {"shop": sku.listing.merchant.name},
                code="merchant_unavailable",
                errors={"sku": sku.pk},
            )
        kind = str(Order.Kind.SERVICE if sku.listing.is_service else Order.Kind.PRODUCT)
        groups[(sku.listing.merchant_id, kind)].append((item, sku))
    grand_total = sum((item.sku.price * item.quantity for item in items), Decimal("0.00"))
    if expected_total is not None and money_round(expected_total) != money_round(grand_total):
        raise Conflict(
            _("Prices have changed: the total is now %(total)s.") % {"total": grand_total},
            code="price_changed",
            errors={"total": str(grand_total)},
        )
    for item in items:  # already in SKU order: concurrent checkouts take row locks in the same order
        sku_reserve(sku_id=item.sku_id, quantity=item.quantity)

    reference = uuid.uuid4().hex
    orders: list[Order] = []
    for (_merchant_id, kind), lines in groups.items():
        merchant = lines[0][1].listing.merchant
        order = Order.objects.create(
            number=_order_number(),
            customer=customer,
            merchant=merchant,
            kind=kind,
            total=sum((sku.price * item.quantity for item, sku in lines), Decimal("0.00")),
            checkout_reference=reference,
            contract=_contract(merchant, lines),
            shipping_name=shipping_name,
            shipping_phone=shipping_phone,
            shipping_address=shipping_address,
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                sku=sku,
                listing=sku.listing,
                listing_version=sku.listing.live_version.number if sku.listing.live_version else 0,
                title=sku.listing.live_version.title if sku.listing.live_version else "",
                sku_code=sku.code,
                sku_attributes=sku.attributes,
                category_id_snapshot=sku.listing.category_id,
                commission_rate=sku.listing.category.commission_rate,
                unit_price=sku.price,
                quantity=item.quantity,
                line_total=sku.price * item.quantity,
            )
            for item, sku in lines
        )
        deadline_start(rule=RULE_PAYMENT_TIMEOUT, subject=order, after=settings.ORDERS_PAYMENT_TIMEOUT)
        _event(order, action="placed", actor=actor, data={"total": str(order.total)})
        orders.append(order)
    CartItem.objects.filter(cart=cart).delete()
    return orders


def _sales_count(order: Order, *, sign: int) -> None:
    """CAT-8: units sold count when the order is paid (``sign=1``) and are taken back (``-1``) when a paid
    order leaves unshipped (cancelled, or closed by a full refund) — returns after shipping stay sold."""
    units: dict[int, int] = defaultdict(int)
    for listing_id, quantity in order.lines.values_list("listing_id", "quantity"):
        units[listing_id] += sign * quantity
    listing_sales_add(units=units)


def _release_stock(order: Order) -> None:
    for line in order.lines.order_by("sku_id"):
        sku_release(sku_id=line.sku_id, quantity=line.quantity)


@transaction.atomic
def order_expire_unpaid(*, order: Order) -> Order:
    """ORD-3: the payment clock ran out: cancel and give the stock back (the deadline handler)."""
    order = order_lock(order_id=order.pk)
    if order.status != S.PENDING_PAYMENT:
        return order
    order.cancel()
    order.save()
    _release_stock(order)
    order.payments.filter(status=Payment.Status.CREATED).update(status=Payment.Status.CLOSED)
    _event(
        order,
        action="cancelled",
        actor=None,
        from_status=S.PENDING_PAYMENT,
        reason=_("Not paid within %(minutes)d minutes.")
        % {"minutes": settings.ORDERS_PAYMENT_TIMEOUT.total_seconds() // 60},
    )
    _notify_customer(
        order,
        event="order_cancelled",
        title=_("Order cancelled"),
        body=_("Order %(number)s was not paid in time and has been cancelled.") % {"number": order.number},
    )
    return order


# --- PAY-3: payments ------------------------------------------------------------------------------


def _payment_open(payment: Payment) -> Payment:
    """PAY-3: save the payment and ask its provider for what the payer needs (URL / QR payload)."""
    payment.save()
    try:
        payment.payload = provider_get(payment.provider).create_payment(payment)
    except NotImplementedError as exc:
        raise Unprocessable(_("This payment method is not available."), code="provider_unavailable") from exc
    payment.save(update_fields=["payload"])
    return payment


@transaction.atomic
def order_pay_start(*, order_id: int, provider: str, actor: User) -> Payment:
    """PAY-3: open a payment of the order's total with ``provider``; returns it with the pay payload."""
    if provider not in PROVIDERS:
        raise InvalidInput(_("Unknown payment provider."), errors={"provider": [_("Unknown.")]})
    order = order_lock(order_id=order_id)
    if order.status != S.PENDING_PAYMENT:
        raise Conflict(_("This order is not waiting for payment."), code="not_payable")
    attempt = order.payments.count() + 1
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
    if provider not in PROVIDERS:
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
    if provider not in PROVIDERS:
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
    head = Payment.objects.filter(provider=provider, out_trade_no=note.out_trade_no).values("pk", "order_id")
    found = head.first()
    if found is None:
        raise _CallbackRefused("unknown_trade", _("No such payment."))
    order = order_lock(order_id=found["order_id"]) if found["order_id"] is not None else None
    payment = Payment.objects.select_for_update().get(pk=found["pk"])
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
                (_escrow(order), note.amount),
            ],
            memo=f"payment {payment.out_trade_no}",
            subject=order,
        )
    payment.status = Payment.Status.SUCCEEDED
    payment.provider_trade_no = note.provider_trade_no
    payment.payer_account = note.payer_account  # REP-2, DSP-6: who paid (deposits: the shop's own account)
    payment.succeeded_at = timezone.now()
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


def _payment_ledger_key(payment: Payment, provider_trade_no: str | None) -> str:
    """PAY-7: the ledger key of a payment's posting (one per provider trade)."""
    prefix = "deposit-payment" if payment.purpose == Payment.Purpose.DEPOSIT else "order-payment"
    return f"{prefix}:{payment.provider}:{provider_trade_no}"


def _order_paid(order: Order, payment: Payment) -> None:
    """PAY-2, ORD-4: the money is in escrow: the order is paid and the ship-by clock starts; ORD-9: then
    every ``order_paid`` hook (field work: ``fieldwork/hooks.py``)."""
    now = timezone.now()
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
        body=_("Order %(number)s was paid; ship it by %(ship_by)s.")
        % {"number": order.number, "ship_by": ship_by},
    )
    for handler in order_paid:
        handler(order)


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
        refund_no=f"{order.number}R{order.refunds.count() + 1}",
        created_by=actor,
    )
    if payment is not None:
        try:
            result = provider_get(payment.provider).refund(refund)
        except NotImplementedError:
            logger.error("refund %s: provider %s cannot refund here", refund.refund_no, payment.provider)
        else:
            if result.succeeded:
                refund.status = Refund.Status.SUCCEEDED
                refund.save(update_fields=["status"])
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
        if before in (S.PAID, S.SCHEDULED):
            _sales_count(order, sign=-1)
        _event(order, action="closed", actor=actor, from_status=before, reason=reason)
        reviews_flag_refunded(order=order)  # REP-2
    return refund


@transaction.atomic
def order_cancel(*, order_id: int, reason: str, actor: User, as_merchant: bool = False) -> Order:
    """ORD-2, ORD-3, ORD-4: cancel before shipping; a paid order is refunded in full at once.

    The customer cancels an unpaid order any time, and a paid one only after the ship-by deadline passed
    (``customer_may_cancel_with_refund``); the merchant may cancel a paid order it cannot ship.
    """
    if not reason.strip():
        raise InvalidInput(_("Say why the order is cancelled."), code="reason_missing")
    order = order_lock(order_id=order_id)
    before = order.status
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
    order.payments.filter(status=Payment.Status.CREATED).update(status=Payment.Status.CLOSED)
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


# --- ORD-4: shipping -------------------------------------------------------------------------------


@transaction.atomic
def order_ship(*, order_id: int, carrier: str, tracking_number: str, actor: User) -> Order:
    """ORD-4, ORD-5: the merchant hands the parcel to a carrier; the confirmation clock starts."""
    if not carrier.strip() or not tracking_number.strip():
        raise InvalidInput(_("Carrier and tracking number are required."), code="tracking_missing")
    order = order_lock(order_id=order_id)
    order.ship(carrier=carrier.strip(), tracking_number=tracking_number.strip())
    order.save()
    deadline_meet(rule=RULE_SHIP_BY, subject=order)
    assert order.shipped_at is not None
    deadline_start(
        rule=RULE_AUTO_CONFIRM, subject=order, due_at=order.shipped_at + settings.ORDERS_AUTO_CONFIRM_AFTER
    )
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
            if not Order.objects.filter(pk=order_id, merchant=merchant).exists():
                raise NotFound(_("No such order."))
            order_ship(
                order_id=order_id,
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


@transaction.atomic
def order_ship_deadline_missed(*, order: Order) -> Order:
    """ORD-4, VIO-1, MER-5: 72 h after payment and not shipped — the system acts, no human needed.

    The customer may cancel with an immediate full refund; the merchant gets a late-shipment violation;
    the customer is compensated from the merchant's deposit (deposit → compensation → refunds clearing,
    i.e. paid out to the customer). If the deposit cannot cover it all, what it holds is paid and the
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
def order_schedule(*, order_id: int, scheduled_for: datetime, actor: User) -> Order:
    """ORD-2, ORD-9: a paid service order gets its appointment."""
    order = order_lock(order_id=order_id)
    order.schedule(scheduled_for=scheduled_for)
    order.save()
    _event(order, action="scheduled", actor=actor, from_status=S.PAID, data={"at": scheduled_for})
    return order


@transaction.atomic
def order_start_service(*, order_id: int, actor: User) -> Order:
    """ORD-2: the service begins; the customer confirms completion (or it confirms automatically)."""
    order = order_lock(order_id=order_id)
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
    return event


def logistics_callback_receive(*, carrier: str, headers: dict[str, str], body: bytes) -> TrackingEvent:
    """ORD-5: a carrier's signed webhook; ``InvalidInput`` if the signature or body is wrong."""
    from orders.logistics import CarrierRejected, carrier_get

    try:
        gateway = carrier_get(carrier)
    except KeyError:
        raise NotFound(_("Unknown carrier.")) from None
    try:
        update = gateway.verify_webhook(headers, body)
    except CarrierRejected as exc:
        logger.warning("carrier webhook from %s rejected: %s", carrier, exc)
        raise InvalidInput(_("The notification could not be verified."), code="callback_rejected") from exc
    order = (
        Order.objects.filter(carrier=carrier, tracking_number=update.tracking_number).order_by("-pk").first()
    )
    if order is None:
        raise NotFound(_("No order ships with this tracking number."))
    return tracking_event_record(
        order=order,
        kind=update.kind,
        at=update.at,
        location=update.location,
        description=update.description,
        source=TrackingEvent.Source.CARRIER,
        carrier=carrier,
        external_id=update.event_id,
        actor=None,
    )


# --- ORD-6, ORD-7: confirmation and follow-up ------------------------------------------------------


@transaction.atomic
def order_confirm_receipt(*, order_id: int, actor: User | None, automatic: bool = False) -> Order:
    """ORD-5, ORD-6, ORD-7: receipt confirmed (by the customer, or automatically): the order completes,
    the after-sales window opens and a customer-service follow-up is queued."""
    order = order_lock(order_id=order_id)
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
def order_complete_service(*, order_id: int, actor: User) -> Order:
    """ORD-2, ORD-9: the field coordinator reports the visit done: the service order completes (as on
    the customer's confirmation), the after-sales window opens and a follow-up is queued."""
    order = order_lock(order_id=order_id)
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
def order_extend_confirmation(*, order_id: int, actor: User) -> Order:
    """ORD-6: the customer extends the automatic confirmation once, by 5 days."""
    order = order_lock(order_id=order_id)
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
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    follow_up.outcome, follow_up.suggestion = outcome, suggestion
    follow_up.status, follow_up.done_at, follow_up.done_by = FollowUp.Status.DONE, timezone.now(), actor
    follow_up.save()
    audit_record(
        actor=actor, action="order.follow_up_recorded", subject=follow_up.order, after={"outcome": outcome}
    )
    return follow_up


# --- REP-1, REP-2, USR-1: reviews ----------------------------------------------------------------------

RATING_FIELDS = ("rating", "description_rating", "service_rating", "logistics_rating")
REVIEW_TEXT_MAX = 2000


def _ratings_check(ratings: dict[str, Any]) -> None:
    errors = {
        field: [_("A whole number from 1 to 5.")]
        for field, value in ratings.items()
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5
    }
    if errors:
        raise InvalidInput(_("Ratings are whole numbers from 1 to 5."), code="rating_invalid", errors=errors)


def _text_check(text: str, *, field: str, required: bool) -> str:
    text = text.strip()
    if required and not text:
        raise InvalidInput(_("Write the text."), code="text_missing", errors={field: [_("Required.")]})
    if len(text) > REVIEW_TEXT_MAX:
        raise InvalidInput(
            _("At most %(n)d characters.") % {"n": REVIEW_TEXT_MAX},
            code="text_too_long",
            errors={field: [_("Too long.")]},
        )
    return text


def _photos_check(photos: Sequence[Any]) -> list[str]:
    """SEC-4: every photo's content type (JPEG or PNG by content), before anything is written."""
    if len(photos) > settings.ORDERS_REVIEW_PHOTO_MAX_FILES:
        raise InvalidInput(
            _("At most %(n)d photos.") % {"n": settings.ORDERS_REVIEW_PHOTO_MAX_FILES},
            code="too_many_files",
            errors={"photos": [_("Too many photos.")]},
        )
    types = [
        upload_sniff(photo, max_bytes=settings.ORDERS_REVIEW_PHOTO_MAX_BYTES, field="photos")
        for photo in photos
    ]
    if any(not t.startswith("image/") for t in types):
        raise InvalidInput(
            _("Photos are JPEG or PNG images."),
            code="file_type_not_allowed",
            errors={"photos": [_("Not a photo.")]},
        )
    return types


def _photos_save(review: Review, photos: Sequence[Any], types: list[str], *, follow_up: bool) -> None:
    for photo, content_type in zip(photos, types, strict=True):
        ReviewPhoto.objects.create(
            review=review, file=photo, content_type=content_type, size=photo.size, follow_up=follow_up
        )


def _device_key(device_fingerprint: str) -> str:
    """REP-2: the client's device fingerprint is compared, never kept: only its SHA-256 is stored."""
    value = device_fingerprint.strip()[:500]
    return hashlib.sha256(value.encode()).hexdigest() if value else ""


def _line_of_customer(*, customer: User, order_id: int, line_id: int) -> tuple[Order, OrderLine]:
    """The customer's order (locked) and line; ``NotFound`` for anybody else's (SEC-1)."""
    order = order_lock(order_id=order_id)
    line = OrderLine.objects.filter(order=order, pk=line_id).first()
    if order.customer_id != customer.pk or line is None:
        raise NotFound(_("No such order line."))
    return order, line


def _review_flag(review_ids: Iterable[int], *, signal: str, details: dict[str, Any]) -> list[ReviewFlag]:
    """REP-2: one open flag per review and signal (a signal raised again on a review adds nothing)."""
    details = json.loads(json.dumps(details, cls=DjangoJSONEncoder))
    created = []
    for review_id in review_ids:
        flag, new = ReviewFlag.objects.get_or_create(
            review_id=review_id, signal=signal, defaults={"details": details}
        )
        if new:
            audit_record(
                actor=None, action="review.flagged", subject=flag.review, after={"signal": signal, **details}
            )
            created.append(flag)
    return created


@transaction.atomic
def review_create(
    *,
    customer: User,
    order_id: int,
    line_id: int,
    rating: int,
    description_rating: int,
    service_rating: int,
    logistics_rating: int,
    text: str = "",
    anonymous: bool = False,
    photos: Sequence[Any] = (),
    device_fingerprint: str = "",
    actor: User,
) -> Review:
    """REP-1: the customer of a completed order line reviews it, once, within 15 days of completion: an
    item rating and the detailed seller ratings (description, service, logistics), text and photos.
    REP-2: the fake-review signals it raises are flagged for moderation. USR-1: a restricted review
    permission refuses with the penalty's reason."""
    basic_permission_require(user=customer, permission=BasicPermission.REVIEW)
    order, line = _line_of_customer(customer=customer, order_id=order_id, line_id=line_id)
    ratings = {
        "rating": rating,
        "description_rating": description_rating,
        "service_rating": service_rating,
        "logistics_rating": logistics_rating,
    }
    _ratings_check(ratings)
    text = _text_check(text, field="text", required=False)
    types = _photos_check(photos)
    if order.completed_at is None:
        raise Conflict(
            _("An order line is reviewed once the order is completed."), code="order_not_completed"
        )
    if Review.objects.filter(order_line=line).exists():
        raise Conflict(
            _("This order line was already reviewed; you may add one follow-up."), code="already_reviewed"
        )
    closes = order.completed_at + settings.ORDERS_REVIEW_WINDOW
    if timezone.now() > closes:
        raise Conflict(
            _("Reviews are accepted within %(days)d days of completion (until %(date)s).")
            % {
                "days": settings.ORDERS_REVIEW_WINDOW.days,
                "date": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M"),
            },
            code="review_window_closed",
        )
    review = Review.objects.create(
        order_line=line,
        order=order,
        merchant_id=order.merchant_id,
        listing_id=line.listing_id,
        customer=customer,
        text=text,
        anonymous=anonymous,
        device_fingerprint=_device_key(device_fingerprint),
        **ratings,
    )
    _photos_save(review, photos, types, follow_up=False)
    audit_record(
        actor=actor,
        action="review.created",
        subject=review,
        after={
            "order": order.number,
            "line": line.pk,
            **ratings,
            "photos": len(photos),
            "anonymous": anonymous,
        },
    )
    notify(
        recipient=order.merchant.owner,
        event="review_received",
        title=_("New review"),
        body=_("%(title)s (order %(number)s) was rated %(rating)d/5.")
        % {"title": line.title, "number": order.number, "rating": rating},
        subject=review,
    )
    review = Review.objects.select_related("customer", "merchant", "order").get(pk=review.pk)
    for signal, details, review_ids in review_fake_signals(
        review=review, policy=settings.ORDERS_REVIEW_SIGNALS
    ):
        _review_flag(review_ids, signal=signal, details=details)
    return review


@transaction.atomic
def review_follow_up(
    *, customer: User, order_id: int, line_id: int, text: str, photos: Sequence[Any] = (), actor: User
) -> Review:
    """REP-1: one follow-up review (追评), later, until ``ORDERS_REVIEW_FOLLOW_UP_WITHIN`` after completion."""
    basic_permission_require(user=customer, permission=BasicPermission.REVIEW)
    order, line = _line_of_customer(customer=customer, order_id=order_id, line_id=line_id)
    text = _text_check(text, field="text", required=True)
    types = _photos_check(photos)
    review = Review.objects.select_for_update().filter(order_line=line).first()
    if review is None:
        raise Conflict(_("Review the order line before adding a follow-up."), code="not_reviewed")
    if review.followed_up_at is not None:
        raise Conflict(_("This review already has its follow-up."), code="already_followed_up")
    assert order.completed_at is not None
    if timezone.now() > order.completed_at + settings.ORDERS_REVIEW_FOLLOW_UP_WITHIN:
        raise Conflict(
            _("A follow-up is accepted within %(days)d days of completion.")
            % {"days": settings.ORDERS_REVIEW_FOLLOW_UP_WITHIN.days},
            code="follow_up_window_closed",
        )
    review.follow_up_text, review.followed_up_at = text, timezone.now()
    review.save(update_fields=["follow_up_text", "followed_up_at"])
    _photos_save(review, photos, types, follow_up=True)
    audit_record(actor=actor, action="review.followed_up", subject=review, after={"photos": len(photos)})
    return review


def _review_lock(**filters: Any) -> Review:
    review = lock_first(Review.objects.select_related("order"), **filters)
    if review is None:
        raise NotFound(_("No such review."))
    return review


@transaction.atomic
def review_reply(*, merchant: Merchant, review_id: int, text: str, actor: User) -> Review:
    """REP-1: the merchant answers a review of its shop, once; the customer is told."""
    review = _review_lock(pk=review_id, merchant=merchant)
    text = _text_check(text, field="text", required=True)
    if review.replied_at is not None:
        raise Conflict(_("This review was already answered."), code="already_replied")
    review.reply_text, review.replied_at, review.replied_by = text, timezone.now(), actor
    review.save(update_fields=["reply_text", "replied_at", "replied_by"])
    audit_record(actor=actor, action="review.replied", subject=review, after={"merchant": merchant.pk})
    notify(
        recipient=review.customer,
        event="review_replied",
        title=_("The shop answered your review"),
        body=_("%(shop)s answered your review of order %(number)s.")
        % {"shop": merchant.name, "number": review.order.number},
        subject=review,
    )
    return review


def _moderator_check(actor: User) -> None:
    if not (actor.is_active and actor.is_staff and actor.has_perm(MODERATE_REVIEW_PERMISSION)):
        raise Forbidden(_("You may not moderate reviews."), code="not_allowed")


@transaction.atomic
def review_hide(*, review_id: int, reason: str, note: str = "", actor: User) -> Review:
    """REP-2: staff hide a review only for a listed reason (abuse, privacy, advertising, proven fake); it
    stays, shown as hidden with the reason. Open flags of a review hidden as proven fake are confirmed
    and the merchant gets a fake-review violation (VIO-1)."""
    if reason not in Review.HideReason.values:
        raise InvalidInput(
            _("A review is hidden only for a listed reason."),
            code="hide_reason_not_listed",
            errors={
                "reason": [
                    _("Choose one of: %(reasons)s.")
                    % {"reasons": ", ".join(str(label) for label in Review.HideReason.labels)}
                ]
            },
        )
    _moderator_check(actor)
    review = _review_lock(pk=review_id)
    review.hide(reason=reason, note=note.strip()[:500], by=actor)
    review.save()
    audit_record(
        actor=actor,
        action="review.hidden",
        subject=review,
        before={"status": Review.Status.VISIBLE},
        after={"status": review.status, "reason": reason},
        reason=note,
    )
    notify(
        recipient=review.customer,
        event="review_hidden",
        title=_("Your review was hidden"),
        body=_("Your review of order %(number)s was hidden. Reason: %(reason)s")
        % {"number": review.order.number, "reason": review.get_hidden_reason_display()},
        subject=review,
    )
    if reason == Review.HideReason.PROVEN_FAKE:
        signals = list(review.flags.values_list("signal", flat=True))
        review.flags.filter(status=ReviewFlag.Status.OPEN).update(
            status=ReviewFlag.Status.CONFIRMED,
            resolved_at=timezone.now(),
            resolved_by=actor,
            resolution_note=note,
        )
        violation_record(
            merchant=review.merchant,
            kind="fake_reviews",
            evidence={"review": review.pk, "order": review.order.number, "signals": signals, "note": note},
            source="staff",
            actor=actor,
        )
    return review


@transaction.atomic
def review_flags_dismiss(*, review_id: int, note: str, actor: User) -> int:
    """REP-2: a moderator finds the review genuine: its open flags are dismissed with the reason."""
    if not note.strip():
        raise InvalidInput(
            _("Say why the flags are dismissed."), code="note_missing", errors={"note": [_("Required.")]}
        )
    _moderator_check(actor)
    review = _review_lock(pk=review_id)
    dismissed = review.flags.filter(status=ReviewFlag.Status.OPEN).update(
        status=ReviewFlag.Status.DISMISSED,
        resolved_at=timezone.now(),
        resolved_by=actor,
        resolution_note=note,
    )
    if dismissed:
        audit_record(
            actor=actor,
            action="review.flags_dismissed",
            subject=review,
            after={"flags": dismissed},
            reason=note,
        )
    return dismissed


def reviews_flag_refunded(*, order: Order) -> list[ReviewFlag]:
    """REP-2: an order refunded in full after it was reviewed: its reviews are flagged (called by
    ``order_refund`` in its transaction)."""
    review_ids = list(Review.objects.filter(order=order).values_list("pk", flat=True))
    if not review_ids:
        return []
    details = order_refund_details(order=order)
    return _review_flag(review_ids, signal=ReviewFlag.Signal.REFUNDED_IN_FULL, details=details)


@transaction.atomic
def review_like(*, user: User, review_id: int, actor: User) -> int:
    """USR-1: like a visible review, once (liking again changes nothing); the review's like count."""
    basic_permission_require(user=user, permission=BasicPermission.LIKE)
    review = review_get_visible(review_id=review_id)
    _like, created = ReviewLike.objects.get_or_create(review=review, user=user)
    if created:
        audit_record(actor=actor, action="review.liked", subject=review)
    return review_like_count(review_id=review.pk)


@transaction.atomic
def review_unlike(*, user: User, review_id: int, actor: User) -> int:
    """USR-1: take a like back (always allowed)."""
    deleted, _rows = ReviewLike.objects.filter(review_id=review_id, user=user).delete()
    if not deleted:
        raise NotFound(_("You have not liked this review."))
    audit_record(actor=actor, action="review.unliked", subject=user, after={"review": review_id})
    return review_like_count(review_id=review_id)


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
    order.settled_at = timezone.now()
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
def order_settle(*, order_id: int, actor: User | None = None) -> Order:
    """PAY-4, PAY-6: release escrow to the merchant's payable minus commission, once.

    Only a completed order whose after-sales window has closed; ``Conflict escrow_held`` while a hold is
    open (the ledger refuses the release), ``Conflict not_settleable`` otherwise.
    """
    order = order_lock(order_id=order_id)
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
        order.aftersales_closed_at = timezone.now()
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


# --- PAY-4: payouts and statements -----------------------------------------------------------------


def _statement_lines(entries: Sequence[LedgerEntry]) -> list[dict[str, Any]]:
    order_type = ContentType.objects.get_for_model(Order)
    order_ids = {e.transaction.subject_id for e in entries if e.transaction.subject_type_id == order_type.pk}
    numbers = dict(Order.objects.filter(pk__in=order_ids).values_list("pk", "number"))
    lines = []
    for entry in entries:
        txn = entry.transaction
        legs = {leg.account.kind: leg.amount for leg in txn.entries.all()}
        is_order = txn.subject_type_id == order_type.pk
        lines.append(
            {
                "transaction": txn.pk,
                "kind": txn.kind,
                "at": txn.created_at.isoformat(),
                "order": numbers.get(txn.subject_id, "") if is_order else "",
                "gross": str(-legs.get(AccountKind.ORDER_ESCROW, Decimal("0.00")))
                if txn.kind == TransactionKind.RELEASE
                else "0.00",
                "commission": str(legs.get(AccountKind.PLATFORM_COMMISSION, Decimal("0.00"))),
                "amount": str(entry.amount),
            }
        )
    return lines


@transaction.atomic
def payout_run_for_merchant(*, merchant: Merchant, period: date, actor: User | None = None) -> Payout | None:
    """PAY-4: one period's statement for the merchant and the payout of its payable balance.

    Payable → payout clearing (kind ``payout``, refused while a hold is open on the payable), then the
    payout provider transfers it. One statement and payout per merchant and period (``None`` if there is
    nothing to pay or it was already paid).
    """
    merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
    if PayoutStatement.objects.filter(merchant=merchant, period=period).exists():
        return None
    payable = ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=merchant)
    payable = LedgerAccount.objects.select_for_update().get(pk=payable.pk)
    if payable.balance <= 0 or payable.holds.filter(released_at__isnull=True).exists():
        return None
    last = PayoutStatement.objects.filter(merchant=merchant).aggregate(m=Max("last_entry_id"))["m"] or 0
    entries = list(
        LedgerEntry.objects.filter(account=payable, pk__gt=last)
        .select_related("transaction")
        .prefetch_related("transaction__entries__account")
        .order_by("pk")
    )
    lines = _statement_lines(entries)
    gross = sum((Decimal(line["gross"]) for line in lines), Decimal("0.00"))
    commission = sum((Decimal(line["commission"]) for line in lines), Decimal("0.00"))
    refunds = -sum(
        (Decimal(line["amount"]) for line in lines if line["kind"] == TransactionKind.REFUND), Decimal("0.00")
    )
    statement = PayoutStatement.objects.create(
        merchant=merchant,
        period=period,
        lines=lines,
        gross=gross,
        commission=commission,
        refunds=refunds,
        net=payable.balance,
        last_entry_id=entries[-1].pk if entries else last,
    )
    provider = payout_provider_get(settings.ORDERS_PAYOUT_PROVIDER)
    payout = Payout.objects.create(
        merchant=merchant, statement=statement, amount=payable.balance, provider=provider.name
    )
    ledger_post(
        idempotency_key=f"payout:{merchant.pk}:{period.isoformat()}",
        kind=TransactionKind.PAYOUT,
        postings=[(payable, -payout.amount), (_platform(AccountKind.PAYOUT_CLEARING), payout.amount)],
        memo=f"payout for {period.isoformat()}",
        subject=payout,
        actor=actor,
    )
    payout.provider_reference = provider.transfer(payout)
    payout.save(update_fields=["provider_reference"])
    audit_record(
        actor=actor,
        action="merchant.payout_made",
        subject=merchant,
        after={"payout": payout.pk, "amount": payout.amount, "period": period},
    )
    notify(
        recipient=merchant.owner,
        event="merchant_payout_made",
        title=_("Payout"),
        body=_("%(amount)s CNY was paid out for %(period)s.") % {"amount": payout.amount, "period": period},
        subject=payout,
    )
    return payout


def payouts_run(*, period: date | None = None) -> list[Payout]:
    """PAY-4: the daily payout run: every merchant with a positive payable balance (each on its own)."""
    period = period or timezone.localdate()
    merchant_type = ContentType.objects.get_for_model(Merchant)
    owner_ids = LedgerAccount.objects.filter(
        kind=AccountKind.MERCHANT_PAYABLE, owner_type=merchant_type, balance__gt=0
    ).values_list("owner_id", flat=True)
    payouts = []
    for merchant in Merchant.objects.filter(pk__in=list(owner_ids)).order_by("pk"):
        try:
            payout = payout_run_for_merchant(merchant=merchant, period=period)
        except DomainError:
            logger.exception("payout for merchant %s failed", merchant.pk)
            continue
        if payout is not None:
            payouts.append(payout)
    return payouts


# --- PAY-8: reconciliation -------------------------------------------------------------------------


def _ledger_amount(key: str) -> Decimal | None:
    entries = LedgerEntry.objects.filter(transaction__idempotency_key=key, amount__gt=0)
    amounts = list(entries.values_list("amount", flat=True))
    return sum(amounts, Decimal("0.00")) if amounts else None


@transaction.atomic
def reconciliation_run(*, day: date) -> list[ReconciliationDifference]:
    """PAY-8: compare the day's ledger movements with the providers' settlement records.

    Every payment, refund and payout the ledger holds must appear in the provider's records with the
    same amount, and the other way round; each difference becomes a ``ReconciliationDifference`` for the
    finance queue (once per day, provider, kind and reference).
    """
    ours: dict[tuple[str, str, str], Decimal | None] = {}
    for payment in Payment.objects.filter(status=Payment.Status.SUCCEEDED, succeeded_at__date=day):
        key = _payment_ledger_key(payment, payment.provider_trade_no)
        ours[(payment.provider, "payment", payment.provider_trade_no or "")] = _ledger_amount(key)
    for refund in Refund.objects.filter(created_at__date=day).select_related("payment"):
        provider = refund.payment.provider if refund.payment else ""
        ours[(provider, "refund", refund.refund_no)] = _ledger_amount(
            f"order-refund:{refund.idempotency_key}"
        )
    for payout in Payout.objects.filter(created_at__date=day).select_related("statement"):
        key = f"payout:{payout.merchant_id}:{payout.statement.period.isoformat()}"
        ours[(payout.provider, "payout", payout.provider_reference)] = _ledger_amount(key)
    theirs = {
        (r.provider, r.kind, r.reference): r.amount
        for r in ProviderSettlementRecord.objects.filter(at__date=day)
    }
    differences = []
    for entry_key in sorted(set(ours) | set(theirs)):
        ledger_amount, provider_amount = ours.get(entry_key), theirs.get(entry_key)
        if ledger_amount == provider_amount:
            continue
        provider, kind, reference = entry_key
        difference, _created = ReconciliationDifference.objects.get_or_create(
            day=day,
            provider=provider,
            kind=kind,
            reference=reference,
            defaults={"ledger_amount": ledger_amount, "provider_amount": provider_amount},
        )
        differences.append(difference)
    if differences:
        audit_record(
            actor=None,
            action="ledger.reconciliation_differences_found",
            after={"day": day, "count": len(differences)},
        )
    return differences


# --- ORD-8: retention ------------------------------------------------------------------------------


@transaction.atomic
def orders_anonymise_customer(*, user: User, actor: User | None = None) -> int:
    """ORD-8: the customer's account is deleted: remove personal data from their orders, keep the trade
    record (order, lines, amounts, payments, refunds, logistics, ledger) for at least 3 years."""
    orders = Order.objects.select_for_update().filter(customer=user, anonymised_at__isnull=True)
    count = orders.update(
        shipping_name="", shipping_phone="", shipping_address="", anonymised_at=timezone.now()
    )
    CartItem.objects.filter(cart__customer=user).delete()
    audit_record(actor=actor, action="order.customer_anonymised", subject=user, after={"orders": count})
    return count
