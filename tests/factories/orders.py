"""Orders arrangement: shops with a deposit, listings with stock, carts, and orders taken through the
services (checkout, sandbox payment, shipping) so every arranged order went through its real lifecycle."""

from decimal import Decimal
from itertools import count
from typing import Any, cast

from django.contrib.auth.models import Permission

from catalog.models import Category, Sku
from merchants.models import Merchant
from orders.models import Order, Payment, Review
from orders.payments.sandbox import sandbox_complete
from orders.services.cart import cart_item_add
from orders.services.checkout import order_checkout
from orders.services.fulfilment import order_confirm_receipt, order_ship
from orders.services.payments import deposit_pay_start, order_pay_start, payment_callback_receive
from orders.services.reviews import review_create
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from tests.factories.accounts import CustomerFactory, StaffFactory
from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for

_n = count(1)


def shop_category(*, commission_rate: str = "0.0500", deposit: str = "1000.00", **kwargs: Any) -> Category:
    return CategoryFactory(
        commission_rate=Decimal(commission_rate), deposit_amount=Decimal(deposit), **kwargs
    )


def shop(category: Category | None = None) -> Merchant:
    """An active merchant holding its category's deposit (so it is visible and can compensate)."""
    return merchant_for(category or shop_category())


def _reviewer() -> User:
    """A listing reviewer holding the permission itself: transactional tests flush the group grants that
    catalog's data migration made (tests/helpers/reference_data does not restore them)."""
    user = cast(User, StaffFactory(role=Role.STAFF_OPERATIONS))
    user.user_permissions.add(
        Permission.objects.get(codename="review_listing", content_type__app_label="catalog")
    )
    return User.objects.get(pk=user.pk)  # a fresh instance: no stale permission cache


def sku_for_sale(
    *, merchant: Merchant | None = None, price: str = "100.00", stock: int = 10, **kwargs: Any
) -> Sku:
    merchant = merchant or shop()
    listing = approved_listing(
        merchant=merchant,
        by=_reviewer(),
        skus=[{"code": f"SKU{next(_n)}", "price": price, "stock": stock, "attributes": {}}],
        **kwargs,
    )
    sku = listing.skus.get()
    return sku


def checkout(*, customer: User | None = None, items: list[tuple[Sku, int]], **shipping: str) -> list[Order]:
    customer = customer or cast(User, CustomerFactory())
    for sku, quantity in items:
        cart_item_add(customer=customer, sku_id=sku.pk, quantity=quantity, actor=customer)
    return order_checkout(
        customer=customer,
        shipping_name=shipping.get("shipping_name", "张三"),
        shipping_phone=shipping.get("shipping_phone", "13800000000"),
        shipping_address=shipping.get("shipping_address", "北京市朝阳区建国路1号"),
        actor=customer,
    )


def pending_order(*, sku: Sku | None = None, quantity: int = 1, customer: User | None = None) -> Order:
    return checkout(customer=customer, items=[(sku or sku_for_sale(), quantity)])[0]


def start_payment(order: Order) -> Payment:
    return order_pay_start(order=order, provider="sandbox", actor=order.customer)


def pay(order: Order, *, payer_account: str | None = None) -> Order:
    """Pay through the sandbox: open a payment, deliver its signed callback once (from the customer's own
    sandbox account unless ``payer_account`` names another)."""
    payment = start_payment(order)
    headers, body = sandbox_complete(payment, payer_account=payer_account)
    payment_callback_receive(provider="sandbox", headers=headers, body=body)
    order.refresh_from_db()
    return order


def paid_order(*, payer_account: str | None = None, **kwargs: Any) -> Order:
    return pay(pending_order(**kwargs), payer_account=payer_account)


def deposit_paid(
    merchant: Merchant, *, payer_account: str | None = None, deposit: str = "5000.00"
) -> Payment:
    """MER-5: the shop joins a category whose deposit it lacks and pays the difference through the sandbox
    (from its owner's sandbox account unless ``payer_account`` names another)."""
    category = shop_category(deposit=deposit)
    merchant.categories.add(category)
    payment = deposit_pay_start(
        merchant=merchant, category_id=category.pk, provider="sandbox", actor=merchant.owner
    )
    headers, body = sandbox_complete(payment, payer_account=payer_account)
    payment_callback_receive(provider="sandbox", headers=headers, body=body)
    payment.refresh_from_db()
    return payment


def shipped_order(**kwargs: Any) -> Order:
    order = paid_order(**kwargs)
    return order_ship(
        order=order, carrier="sandbox", tracking_number=f"SF{next(_n):010d}", actor=order.merchant.owner
    )


def completed_order(**kwargs: Any) -> Order:
    """A product order shipped and confirmed received by its customer now (ORD-6)."""
    order = shipped_order(**kwargs)
    order_confirm_receipt(order=order, actor=order.customer)
    order.refresh_from_db()
    return order


REVIEW_DEFAULTS: dict[str, Any] = {
    "rating": 4,
    "description_rating": 4,
    "service_rating": 4,
    "logistics_rating": 4,
    "text": "保温效果不错，物流很快。",
}


def review_for(order: Order, **fields: Any) -> Review:
    """REP-1: the order's customer reviews its first line through the service (four stars unless told)."""
    line = order.lines.order_by("pk").first()
    assert line is not None
    return review_create(
        customer=order.customer,
        order_id=order.pk,
        line_id=line.pk,
        actor=order.customer,
        **{**REVIEW_DEFAULTS, **fields},
    )
