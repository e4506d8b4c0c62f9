"""The money of an order derived from the ledger (PAY-1, PAY-2): paid, refunded and released amounts
are sums of ledger entries, never fields; the open escrow holds (PAY-6); a shop's money and deposit
payments on its dashboard (MER-5)."""

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from merchants.models import Merchant
from orders.models import Order, Payment, Payout, Refund
from platform_core.accounts.models import User
from platform_core.errors import NotFound
from platform_core.ledger.models import AccountKind, LedgerAccount, LedgerEntry, LedgerHold, TransactionKind
from platform_core.money import money_from

# --- money of an order (from the ledger) -----------------------------------------------------------


def order_escrow_account(*, order: Order) -> LedgerAccount | None:
    return LedgerAccount.objects.filter(
        kind=AccountKind.ORDER_ESCROW,
        owner_type=ContentType.objects.get_for_model(Order),
        owner_id=order.pk,
    ).first()


def _order_entries(order: Order) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(
        transaction__subject_type=ContentType.objects.get_for_model(Order), transaction__subject_id=order.pk
    )


def _sum(entries: QuerySet[LedgerEntry]) -> Decimal:
    total = entries.aggregate(total=Sum("amount"))["total"]
    return money_from(total)


#: the order's money read from the ledger, by annotation name: (transaction kind, account kind)
_ORDER_SUMS = {
    "paid_amount_summed": (TransactionKind.PAYMENT, AccountKind.ORDER_ESCROW),
    "refunded_amount_summed": (TransactionKind.REFUND, AccountKind.REFUNDS_CLEARING),
}


def with_order_money(orders: QuerySet[Order], *, order_type_id: int | None = None) -> QuerySet[Order]:
    """Issue 26 (decision 049): the orders with ``order_paid_amount`` and ``order_refunded_amount`` read in
    their own statement (two scalar sub-selects over the same ledger entries), not two more round trips.
    ``order_type_id``: the order's content type (a ``PreparedQuery`` marker; looked up when not given)."""
    if order_type_id is None:
        order_type_id = ContentType.objects.get_for_model(Order).pk
    sums = {}
    for name, (transaction_kind, account_kind) in _ORDER_SUMS.items():
        entries = LedgerEntry.objects.filter(
            transaction__subject_type_id=order_type_id,
            transaction__subject_id=OuterRef("pk"),
            transaction__kind=transaction_kind,
            account__kind=account_kind,
        )
        total = entries.order_by().values("transaction__subject_id").annotate(total=Sum("amount"))
        sums[name] = Subquery(total.values("total"))
    return orders.annotate(**sums)


def _summed(order: Order, name: str) -> Decimal | None:
    """The sum ``with_order_money`` read with the order (``None``: it was not read so)."""
    return money_from(getattr(order, name)) if hasattr(order, name) else None


def order_paid_amount(*, order: Order) -> Decimal:
    """PAY-2: what the customer paid into the order's escrow."""
    summed = _summed(order, "paid_amount_summed")
    if summed is not None:
        return summed
    return _sum(
        _order_entries(order).filter(
            transaction__kind=TransactionKind.PAYMENT, account__kind=AccountKind.ORDER_ESCROW
        )
    )


def order_refunded_amount(*, order: Order) -> Decimal:
    """PAY-5: what went back to the customer for this order (refunds, not compensation)."""
    summed = _summed(order, "refunded_amount_summed")
    if summed is not None:
        return summed
    return _sum(
        _order_entries(order).filter(
            transaction__kind=TransactionKind.REFUND, account__kind=AccountKind.REFUNDS_CLEARING
        )
    )


def order_refunds(*, order: Order) -> QuerySet[Refund]:
    """PAY-5, ORD-4: the order's refunds and compensations, oldest first, with their provider status."""
    return Refund.objects.filter(order=order).order_by("created_at", "pk")


def order_released_amount(*, order: Order) -> Decimal:
    """PAY-4: what left escrow at settlement (to the merchant and the commission)."""
    return -_sum(
        _order_entries(order).filter(
            transaction__kind=TransactionKind.RELEASE, account__kind=AccountKind.ORDER_ESCROW
        )
    )


def order_holds_open(*, order: Order) -> QuerySet[LedgerHold]:
    """PAY-6: the open holds on the order's escrow with their reasons (shown to the merchant)."""
    return LedgerHold.objects.filter(
        account__kind=AccountKind.ORDER_ESCROW,
        account__owner_type=ContentType.objects.get_for_model(Order),
        account__owner_id=order.pk,
        released_at__isnull=True,
    ).order_by("opened_at", "pk")


def order_holds_open_by_order(*, order_ids: list[int]) -> dict[int, list[LedgerHold]]:
    """PAY-6: the open escrow holds of many orders in one query (list pages)."""
    holds: dict[int, list[LedgerHold]] = {order_id: [] for order_id in order_ids}
    for hold in (
        LedgerHold.objects.filter(
            account__kind=AccountKind.ORDER_ESCROW,
            account__owner_type=ContentType.objects.get_for_model(Order),
            account__owner_id__in=order_ids,
            released_at__isnull=True,
        )
        .select_related("account")
        .order_by("opened_at", "pk")
    ):
        assert hold.account.owner_id is not None
        holds.setdefault(int(hold.account.owner_id), []).append(hold)
    return holds


# --- PAY-1, PAY-2, MER-5: a shop's money on its dashboard -------------------------------------------------


def merchant_ledger_balances(*, merchant: Merchant) -> dict[str, Decimal]:
    """PAY-1, MER-5: the shop's own ledger balances (payable, deposit) in one read."""
    rows = LedgerAccount.objects.filter(
        owner_type=ContentType.objects.get_for_model(Merchant),
        owner_id=merchant.pk,
        kind__in=[AccountKind.MERCHANT_PAYABLE, AccountKind.MERCHANT_DEPOSIT],
    ).values_list("kind", "balance")
    return dict(rows)


def merchant_escrow_held(*, merchant: Merchant) -> tuple[Decimal, list[Any]]:
    """PAY-2, PAY-6: money held in the escrow of the shop's orders, and its first 50 open holds with
    reasons (each annotated with its order's number and id)."""
    order_type = ContentType.objects.get_for_model(Order)
    order_ids = Order.objects.filter(merchant=merchant).values("pk")
    escrow = LedgerAccount.objects.filter(
        kind=AccountKind.ORDER_ESCROW, owner_type=order_type, owner_id__in=order_ids
    )
    total = money_from(escrow.aggregate(total=Sum("balance"))["total"])  # a float on SQLite
    holds = list(
        LedgerHold.objects.filter(account__in=escrow, released_at__isnull=True)
        .annotate(
            order_number=Subquery(
                Order.objects.filter(pk=OuterRef("account__owner_id")).values("number")[:1]
            ),
            order_id=Subquery(Order.objects.filter(pk=OuterRef("account__owner_id")).values("pk")[:1]),
        )
        .order_by("opened_at", "pk")[:50]
    )
    return total, holds


def deposit_payment_get_for_merchant(*, merchant: Merchant, out_trade_no: str) -> Payment:
    """MER-5: one of the merchant's deposit payments (``NotFound`` for anyone else's)."""
    payment = (
        Payment.objects.filter(purpose=Payment.Purpose.DEPOSIT, merchant=merchant, out_trade_no=out_trade_no)
        .select_related("category")
        .first()
    )
    if payment is None:
        raise NotFound(_("No such payment."))
    return payment


# --- USR-4: payouts still on their way to a shop owner ------------------------------------------------


def owner_pending_payouts_reason(user: User) -> list[str]:
    """USR-4, PAY-4: a payout to a shop the user owns that is still being transferred holds back the
    owner's account deletion (``account_deletion_checks``; merchants checks the shop itself and its
    ledger; a failed payout is back on the payable, which merchants sees)."""
    pending = (
        Payout.objects.filter(merchant__owner=user, status=Payout.Status.PENDING)
        .values("merchant__name")
        .annotate(amount=Sum("amount"))
        .order_by("merchant__name")
    )
    return [
        _(
            "Payouts of %(amount)s CNY to your shop %(shop)s are still being transferred; the account can "
            "be deleted once they have arrived."
        )
        % {"amount": row["amount"], "shop": row["merchant__name"]}
        for row in pending
    ]
