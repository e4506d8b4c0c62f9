"""After-sales factories.

Orders are built through the orders chapter's own services (cart → checkout → sandbox payment → ship →
delivery/confirmation), so every arranged order has real escrow money in the ledger; there is no
``tests/factories/orders.py`` yet. The sandbox callback is delivered by calling its Celery task
function directly (in a ``db`` test the on-commit delivery never fires).
"""

from decimal import Decimal
from typing import Any, cast

import factory

from aftersales.models import CannedResponse, SpecialPeriod
from aftersales.services.complaints import complaint_file
from aftersales.services.requests import request_create
from catalog.models import Category
from orders.models import Order, OrderLine
from orders.services.cart import cart_item_add
from orders.services.checkout import order_checkout
from orders.services.fulfilment import order_confirm_receipt, order_ship
from orders.services.payments import order_pay_start, sandbox_cashier_pay
from orders.tasks import deliver_sandbox_callback_task
from platform_core.accounts.models import User
from tests.factories.accounts import CustomerFactory
from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def paid_order(
    *,
    customer: User | None = None,
    category: Category | None = None,
    prices: tuple[str, ...] = ("100.00",),
    quantity: int = 1,
    non_returnable: bool = False,
) -> Order:
    """A paid product order of one merchant with one line per price (money in escrow)."""
    buyer = customer or cast(User, CustomerFactory())
    kind = category or cast(Category, CategoryFactory())
    merchant = merchant_for(kind)
    skus = []
    for price in prices:
        listing = approved_listing(
            merchant=merchant, category=kind, price=price, stock=100, is_non_returnable=non_returnable
        )
        sku = listing.skus.get()
        skus.append(sku.pk)
        cart_item_add(customer=buyer, sku_id=sku.pk, quantity=quantity, actor=buyer)
    (order,) = order_checkout(
        customer=buyer,
        confirm_non_returnable=skus if non_returnable else (),  # AFS-2: the customer confirms them
        shipping_name="李四",
        shipping_phone="13900000000",
        shipping_address="上海市浦东新区世纪大道1号",
        actor=buyer,
    )
    payment = order_pay_start(order=order, provider="sandbox", actor=buyer)
    sandbox_cashier_pay(out_trade_no=payment.out_trade_no, actor=buyer)
    deliver_sandbox_callback_task(payment.out_trade_no, True)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID, order.status
    return order


def completed_order(**kwargs: Any) -> Order:
    """A paid order shipped and confirmed received now (signed for today)."""
    order = paid_order(**kwargs)
    order_ship(order=order, carrier="SF", tracking_number=f"SF{order.pk:010d}", actor=order.merchant.owner)
    order_confirm_receipt(order=order, actor=order.customer)
    order.refresh_from_db()
    return order


def first_line(order: Order) -> OrderLine:
    line = order.lines.order_by("pk").first()
    assert line is not None
    return line


def open_request(
    order: Order,
    *,
    line: OrderLine | None = None,
    kind: str = "return_refund",
    reason_kind: str = "quality",
    amount: str | Decimal | None = None,
    reason: str = "杯盖漏水",
) -> Any:
    line = line or first_line(order)
    return request_create(
        customer=order.customer,
        order_id=order.pk,
        line_id=line.pk,
        kind=kind,
        reason_kind=reason_kind,
        reason=reason,
        amount=Decimal(str(amount if amount is not None else line.line_total)),
        actor=order.customer,
    )


def file_complaint(*, complainant: User, order: Order | None = None, **kwargs: Any) -> Any:
    defaults: dict[str, Any] = {
        "target_kind": "order" if order else "platform",
        "category": "aftersales" if order else "platform_service",
        "description": "客服一直不回复",
        "order_id": order.pk if order else None,
    }
    return complaint_file(complainant=complainant, actor=complainant, **{**defaults, **kwargs})


class SpecialPeriodFactory(factory.django.DjangoModelFactory[SpecialPeriod]):
    class Meta:
        model = SpecialPeriod

    reason = "春节"


class CannedResponseFactory(factory.django.DjangoModelFactory[CannedResponse]):
    class Meta:
        model = CannedResponse

    title = factory.Sequence(lambda n: f"模板{n}")
    body = "您好，我们已收到您的反馈，将尽快处理。"
    applies_to = CannedResponse.AppliesTo.COMPLAINT
