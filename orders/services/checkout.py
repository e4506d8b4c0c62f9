"""ORD-1, ORD-3, AFS-2: checkout (one order per merchant, the contract snapshot, the customer's confirmation
of non-returnable items) and the unpaid order's timeout.

Hooks other apps register on (from their ``hooks.py``; ``platform_core.hooks``): ``contract_policy_sources``
(ORD-1: the after-sales app gives the merchant's own after-sales policy for the contract).
"""

import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from catalog.models import Listing, Sku
from catalog.selectors import listing_visible_q, merchant_type_id
from catalog.services.skus import sku_reserve
from merchants.models import Merchant
from merchants.selectors.standing import agreement_current_terms
from orders.clocks import RULE_PAYMENT_TIMEOUT
from orders.models import CartItem, Order, OrderLine
from orders.services._common import S, _event, _notify_customer, _release_stock
from orders.services.locks import order_lock
from orders.services.payment_close import order_payments_close
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadline_start
from platform_core.errors import Conflict, InvalidInput
from platform_core.hooks import Hook
from platform_core.money import money_round
from platform_core.prepared import PreparedQuery
from platform_core.upsert import atomic_service

contract_policy_sources = Hook[Callable[[Merchant], Mapping[str, Any]]](
    "orders.contract_policy_sources",
    doc=(
        "ORD-1: the merchant's own after-sales policy at purchase (return-shipping payer, warranty days, "
        "exchange and repair terms), copied into the order's contract as `aftersales_policy`; called in "
        "checkout's transaction, once per order. Every later reader of the order uses that copy."
    ),
)

contract_policy_relations = Hook[Callable[[], str]](
    "orders.contract_policy_relations",
    doc=(
        "ORD-1: the name of a one-to-one relation of the merchant that a `contract_policy_sources` "
        "function reads (e.g. its after-sales policy): checkout loads it with the cart's lines, in the "
        "same statement (issue 26), so the source finds it on the merchant instead of reading it."
    ),
)

# --- ORD-1, ORD-3: checkout ------------------------------------------------------------------------


def _cart_lines_locked(customer_id: int, now: datetime, merchant_type_id: int) -> "QuerySet[CartItem]":
    """The customer's cart lines locked in SKU order, each with its SKU, listing (live version, category,
    merchant and the relations ``contract_policy_relations`` names), whether the listing is on sale and
    the platform agreement in force at ``now``."""
    return (
        CartItem.objects.filter(cart__customer_id=customer_id)
        .select_related(
            "sku__listing__live_version",
            "sku__listing__category",
            "sku__listing__merchant",
            *(f"sku__listing__merchant__{relation()}" for relation in contract_policy_relations),
        )
        .annotate(
            on_sale=Exists(
                Listing.objects.filter(
                    listing_visible_q(merchant_type_id=merchant_type_id), pk=OuterRef("sku__listing_id")
                )
            ),
            agreement=agreement_current_terms(at=now),
        )
        .select_for_update(of=("self",))
        .order_by("sku_id")
    )


# compiled once per thread (issue 26, decision 052): a quarter of the checkout's CPU was compiling it.
# The policy relations are the hooks registered at start-up (``hooks.py``), read at the first call.
_CART_LINES_LOCKED: PreparedQuery[Any] = PreparedQuery(
    _cart_lines_locked, customer_id=int, now=datetime, merchant_type_id=int
)


def _order_number() -> str:
    return f"{clock.localtime():%Y%m%d}{uuid.uuid4().hex[:12].upper()}"


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


def _aftersales_policy(merchant: Merchant) -> dict[str, Any]:
    """ORD-1: the merchant's after-sales policy as it stands now, from every registered source."""
    policy: dict[str, Any] = {}
    for source in contract_policy_sources:
        policy.update(source(merchant))
    return policy


def _contract(
    merchant: Merchant,
    lines: Sequence[tuple[CartItem, Sku]],
    *,
    confirmed_at: str,
    agreement: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """ORD-1, AFS-2: the contract (交易合同) as it stands at purchase; both parties can retrieve it later.

    ``agreement``: the platform agreement in force (``agreement_current_terms``), read with the cart.
    A line the listing marks non-returnable reaches here only confirmed by the customer (checkout refused
    it otherwise): the line records the confirmation and its time, which is what AFS-2 checks later."""
    return {
        "agreement": dict(agreement) if agreement is not None else None,
        "merchant": {
            "id": merchant.pk,
            "name": merchant.name,
            "legal_name": merchant.legal_name,
            "credit_code": merchant.credit_code,
            "is_self_operated": merchant.is_self_operated,
        },
        "terms": _agreement_terms(),
        "aftersales_policy": _aftersales_policy(merchant),
        "lines": [
            {
                "sku": sku.pk,
                "title": sku.listing.live_version.title if sku.listing.live_version else "",
                "category": sku.listing.category.name,
                "no_reason_return": not (
                    sku.listing.category.no_reason_return_excluded or sku.listing.is_non_returnable
                ),
                "non_returnable_confirmed": sku.listing.is_non_returnable,
                "non_returnable_confirmed_at": confirmed_at if sku.listing.is_non_returnable else None,
                "aftersales_response_hours": 48 if sku.listing.category.aftersales_special else 24,
            }
            for _item, sku in lines
        ],
        "signed_at": confirmed_at,
    }


def _check_non_returnable_confirmed(items: Sequence[CartItem], confirmed: Collection[int]) -> None:
    """AFS-2 (7DR Art. 6-7): a listing marked non-returnable is bought only with the customer's explicit
    confirmation, naming its SKU in ``confirm_non_returnable``; else 400 naming the SKUs to confirm."""
    missing = sorted(
        item.sku_id for item in items if item.sku.listing.is_non_returnable and item.sku_id not in confirmed
    )
    if missing:
        raise InvalidInput(
            _("Some items cannot be returned without a reason; confirm them to buy them."),
            code="non_returnable_not_confirmed",
            errors={
                "confirm_non_returnable": [
                    _(
                        "Item %(sku)s is marked non-returnable (no 7-day no-reason return): confirm it by "
                        "listing its SKU id here."
                    )
                    % {"sku": sku_id}
                    for sku_id in missing
                ]
            },
        )


@atomic_service
def order_checkout(
    *,
    customer: User,
    shipping_name: str,
    shipping_phone: str,
    shipping_address: str,
    expected_total: Decimal | None = None,
    confirm_non_returnable: Collection[int] = (),
    actor: User,
) -> list[Order]:
    """ORD-1, ORD-3, CAT-5, AFS-2: turn the cart into one order per merchant (and kind), all or nothing.

    Re-checks every item (still on sale, merchant may take orders) and prices (``expected_total``, if
    the client sends what it showed, must match: ``Conflict price_changed``); reserves stock with the
    guarded decrement in SKU order (``Conflict out_of_stock`` rolls everything back); snapshots lines
    and the contract (with the merchant's after-sales policy of the moment, ORD-1); starts the 30-minute
    payment clock on each order; empties the cart. AFS-2: an item the listing marks non-returnable needs
    its SKU id in ``confirm_non_returnable`` (``InvalidInput`` naming it otherwise); the contract records
    the confirmation.
    """
    # The cart's lines, locked in SKU order, each with whether its listing is still on sale: one statement
    # (issue 26). A concurrent checkout of the same cart waits here, then finds the lines it deleted gone;
    # a line added meanwhile is not read, and stays in the cart (only the lines read are deleted below).
    # The platform agreement in force and the merchant's relations the contract's policy sources read
    # come with them.
    items = _CART_LINES_LOCKED.all(
        customer_id=customer.pk, now=clock.now(), merchant_type_id=merchant_type_id()
    )
    if not items:
        raise InvalidInput(_("Your cart is empty."), code="cart_empty")
    groups: dict[tuple[int, str], list[tuple[CartItem, Sku]]] = defaultdict(list)
    for item in items:
        sku = item.sku
        if not item.on_sale or not sku.is_active:
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
    _check_non_returnable_confirmed(items, set(confirm_non_returnable))
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
    signed_at = clock.now().isoformat()
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
            contract=_contract(merchant, lines, confirmed_at=signed_at, agreement=items[0].agreement),
            shipping_name=shipping_name,
            shipping_phone=shipping_phone,
            shipping_address=shipping_address,
        )
        created_lines = OrderLine.objects.bulk_create(
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
        # the caller shows the orders with their lines: hand them over as if prefetched (issue 26)
        prefetched = order.lines.all()
        prefetched._result_cache, prefetched._prefetch_done = created_lines, True
        order._prefetched_objects_cache = {"lines": prefetched}
        deadline_start(rule=RULE_PAYMENT_TIMEOUT, subject=order, after=settings.ORDERS_PAYMENT_TIMEOUT)
        _event(order, action="placed", actor=actor, data={"total": str(order.total)})
        orders.append(order)
    CartItem.objects.filter(pk__in=[item.pk for item in items]).delete()
    return orders


@transaction.atomic
def order_expire_unpaid(*, order: Order) -> Order:
    """ORD-3: the payment clock ran out: cancel and give the stock back (the deadline handler)."""
    order = order_lock(order_id=order.pk)
    if order.status != S.PENDING_PAYMENT:
        return order
    order.cancel()
    order.save()
    _release_stock(order)
    order_payments_close(order=order)  # PAY-3: and closed at the gateway after the commit
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
