"""Demo trade for ``seed_demo`` (issue 24): the flagship shop's listings in every review state, and the
demo customer's orders in every state — paid, late (compensated, the shop penalised), shipped, delivered,
completed and reviewed, settled and paid out, cancelled and refunded, awaiting payment.

Everything goes through the services while time-machine moves the clock back over the last three weeks,
and the deadline sweep enforces what fell due on the way, so the data carries the same events, deadlines,
violations, ledger entries and statements as real trade; the clock ends at the present. Idempotent: skipped
when the flagship shop already has its demo listings.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import time_machine
from django.core.management.base import OutputWrapper

from catalog.models import Listing
from catalog.services.listings import listing_create, listing_submit
from catalog.services.review import listing_approve, listing_delist, listing_reject
from merchants.models import Merchant
from merchants.services.deposits import merchant_deposit_credit
from orders.models import Order
from orders.payments.sandbox import sandbox_complete
from orders.services.cart import cart_item_add
from orders.services.checkout import order_checkout
from orders.services.fulfilment import order_confirm_receipt, order_ship
from orders.services.payments import order_pay_start, payment_callback_receive
from orders.services.payouts import payouts_run
from orders.services.refunds import order_cancel
from orders.services.reviews import review_create
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadlines_sweep

MARKER = "演示保温杯"
LISTINGS = (  # title, price, target review state
    (MARKER, "89.00", "approved"),
    ("演示帆布包", "129.00", "approved"),
    ("演示陶瓷马克杯", "39.00", "approved"),
    ("演示纯棉毛巾", "25.00", "approved"),
    ("演示竹制砧板", "69.00", "pending_review"),
    ("演示“最好”的净水器", "999.00", "rejected"),
    ("演示草稿台灯", "159.00", "draft"),
    ("演示下架电热水壶", "199.00", "delisted"),
)


@contextmanager
def demo_at(moment: datetime) -> Iterator[None]:
    """Run at ``moment`` (in the past), enforcing first whatever fell due by then."""
    with time_machine.travel(moment, tick=False):
        deadlines_sweep()
        yield


def _listings(shop: Merchant, reviewer: User) -> dict[str, Listing]:
    category = shop.categories.order_by("pk").first()
    assert category is not None
    made = {}
    for n, (title, price, state) in enumerate(LISTINGS, start=1):
        listing = listing_create(
            merchant=shop,
            category=category,
            title=title,
            description=f"{title}：演示商品，品质保证。",
            images=[{"url": "https://img.example.com/demo.jpg", "alt": title}],
            skus=[{"code": f"DEMO-{n}", "price": price, "stock": 500, "attributes": {}}],
            actor=shop.owner,
        )
        if state != "draft":
            listing = listing_submit(listing=listing, actor=shop.owner)
        if state in ("approved", "delisted"):
            listing = listing_approve(listing=listing, actor=reviewer, note="演示：信息完整")
        if state == "rejected":
            listing = listing_reject(
                listing=listing, actor=reviewer, code="banned_claims", reason="演示：使用了绝对化用语“最好”"
            )
        if state == "delisted":
            listing = listing_delist(
                listing=listing, actor=reviewer, reason="演示：抽检不合格", source="staff"
            )
        made[title] = listing
    return made


def _order(customer: User, listing: Listing, *, pay: bool = True) -> Order:
    sku = listing.skus.get()
    cart_item_add(customer=customer, sku_id=sku.pk, quantity=1, actor=customer)
    order = order_checkout(
        customer=customer,
        shipping_name="演示顾客",
        shipping_phone="13800138000",
        shipping_address="上海市浦东新区世纪大道100号",
        actor=customer,
    )[0]
    if pay:
        payment = order_pay_start(order=order, provider="sandbox", actor=customer)
        headers, body = sandbox_complete(payment)
        payment_callback_receive(provider="sandbox", headers=headers, body=body)
        order.refresh_from_db()
    return order


def _ship(order: Order, n: int) -> Order:
    return order_ship(
        order=order, carrier="sandbox", tracking_number=f"DEMO{n:08d}", actor=order.merchant.owner
    )


def demo_delivered_order(customer: User, listing: Listing, n: int) -> Order:
    """An order of ``listing`` paid, shipped and confirmed by ``customer`` now (on the demo's moved clock):
    what the after-sales and disputes demos build their requests and cases on."""
    order = _ship(_order(customer, listing), n)
    return order_confirm_receipt(order=order, actor=customer)


def demo_shop_listing(shop: Merchant) -> Listing | None:
    """The flagship shop's approved demo listing the after-sales and disputes demos sell."""
    return Listing.objects.filter(
        merchant=shop, status=Listing.Status.APPROVED, versions__title="演示帆布包"
    ).first()


def _review(order: Order, text: str, **ratings: Any) -> None:
    scores = {"rating": 5, "description_rating": 5, "service_rating": 5, "logistics_rating": 4, **ratings}
    review_create(
        customer=order.customer,
        order_id=order.pk,
        line_id=order.lines.get().pk,
        text=text,
        actor=order.customer,
        **scores,
    )


def seed(*, stdout: OutputWrapper) -> None:
    reviewer = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    customer = User.objects.filter(email="customer@demo.local").first()
    shop = Merchant.objects.filter(owner__email="merchant@demo.local", status=Merchant.Status.ACTIVE).first()
    if reviewer is None or customer is None or shop is None:
        stdout.write("orders demo: no superuser, demo customer or active demo shop; skipped")
        return
    if Listing.objects.filter(merchant=shop, versions__title=MARKER).exists():
        return
    now = clock.now()
    start = now - timedelta(days=22)
    with demo_at(start):
        # MER-5: a margin above the required deposit, so the late shipment's compensation (ORD-4) leaves
        # the shop active and its listings on sale
        merchant_deposit_credit(
            merchant=shop,
            amount=Decimal("500.00"),
            payment_reference="DEMO-DEPOSIT-MARGIN",
            idempotency_key="demo:orders:deposit-margin",
            actor=None,
        )
        listings = _listings(shop, reviewer)
    cup, bag, mug, towel = (listings[t] for t, _p, s in LISTINGS if s == "approved")

    # settled and paid out: bought three weeks ago, confirmed, the 15-day after-sales window closed
    with demo_at(start + timedelta(hours=2)):
        settled = _ship(_order(customer, cup), 1)
    with demo_at(start + timedelta(days=2)):
        order_confirm_receipt(order=settled, actor=customer)
        _review(settled, "保温效果很好，物流也快。")
    # auto-confirmed (ORD-6): shipped 12 days ago, never confirmed by the customer
    with demo_at(now - timedelta(days=12)):
        _ship(_order(customer, bag), 2)
    # the window closed five days ago (the sweep settles it); that night's payout run
    with demo_at(start + timedelta(days=17, hours=3)):
        payouts_run()
    # late (ORD-4): paid four days ago and never shipped — compensated, the shop has a violation
    with demo_at(now - timedelta(days=4)):
        _order(customer, mug)
    # completed and reviewed, still inside its after-sales window
    with demo_at(now - timedelta(days=3)):
        recent = _ship(_order(customer, towel), 3)
    with demo_at(now - timedelta(days=2)):
        order_confirm_receipt(order=recent, actor=customer)
        _review(recent, "毛巾有点掉毛，一般。", rating=3, description_rating=3)
    # cancelled by the shop after payment: refunded in full
    with demo_at(now - timedelta(days=2)):
        refunded = _order(customer, cup)
        order_cancel(order=refunded, reason="演示：库存不足，无法发货", actor=shop.owner, as_merchant=True)
    # shipped yesterday; paid an hour ago (to ship); awaiting payment
    with demo_at(now - timedelta(days=1)):
        _ship(_order(customer, mug), 4)
    with demo_at(now - timedelta(hours=1)):
        _order(customer, bag)
    _order(customer, towel, pay=False)
    deadlines_sweep()
    states = sorted(Order.objects.filter(customer=customer, merchant=shop).values_list("status", flat=True))
    stdout.write(f"orders demo: {len(listings)} listings, orders {', '.join(states)}")
