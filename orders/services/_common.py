"""Helpers shared by the orders services: the status alias, the timeline writer, an order's ledger
accounts, notifications, units sold and stock (CAT-8), and a payment's ledger key (PAY-7)."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from catalog.services.skus import listing_sales_add_lines, sku_release
from orders.models import Order, OrderEvent, Payment
from platform_core.accounts.models import User
from platform_core.ledger.models import AccountKind, LedgerAccount
from platform_core.ledger.services import ledger_account_for
from platform_core.notifications.services import notify
from platform_core.timeline import timeline_record

S = Order.Status


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


def _escrow(order: Order, *, probably_new: bool = False) -> LedgerAccount:
    return ledger_account_for(kind=AccountKind.ORDER_ESCROW, owner=order, probably_new=probably_new)


def _platform(kind: str) -> LedgerAccount:
    return ledger_account_for(kind=kind)


def _proceeds(order: Order) -> LedgerAccount:
    """PAY-4, CAT-9, MER-9: where a settled order's money goes: the merchant's payable, or for the
    platform's own (self-operated, 自营) shop the platform's revenue (no commission, no payout)."""
    if order.merchant.is_self_operated:
        return _platform(AccountKind.PLATFORM_REVENUE)
    return ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=order.merchant)


def _notify_merchant(
    order: Order, *, event: str, title: str, body: str, channels: tuple[str, ...] = ("inapp",)
) -> None:
    notify(
        recipient=order.merchant.owner, event=event, title=title, body=body, subject=order, channels=channels
    )


def _notify_customer(order: Order, *, event: str, title: str, body: str) -> None:
    notify(recipient=order.customer, event=event, title=title, body=body, subject=order)


def _sales_count(order: Order, *, sign: int) -> None:
    """CAT-8: units sold count when the order is paid (``sign=1``) and are taken back (``-1``) when a paid
    order leaves unshipped (cancelled, or closed by a full refund) — returns after shipping stay sold."""
    listing_sales_add_lines(lines=order.lines.all(), sign=sign)


def _release_stock(order: Order) -> None:
    for line in order.lines.order_by("sku_id"):
        sku_release(sku_id=line.sku_id, quantity=line.quantity)


def _payment_ledger_key(payment: Payment, provider_trade_no: str | None) -> str:
    """PAY-7: the ledger key of a payment's posting (one per provider trade)."""
    prefix = "deposit-payment" if payment.purpose == Payment.Purpose.DEPOSIT else "order-payment"
    return f"{prefix}:{payment.provider}:{provider_trade_no}"
