"""Dashboard fixtures: a shop with members per role, listings and paid orders made through the services."""

import os
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.test import Client
from pytest_django.fixtures import Settings

from aftersales.models import AfterSalesRequest
from catalog.models import Category, Listing
from disputes.models import Dispute
from merchants.models import Merchant, MerchantMember
from orders.models import Order
from orders.payments.sandbox import sandbox_complete
from orders.services.cart import cart_item_add
from orders.services.checkout import order_checkout
from orders.services.fulfilment import order_confirm_receipt, order_ship
from orders.services.payments import order_pay_start, payment_callback_receive
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from tests.factories.accounts import CustomerFactory, StaffFactory, UserFactory
from tests.factories.aftersales import open_request
from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for
from tests.factories.disputes import dispute_from_refusal

_n = count(1)


@pytest.fixture(autouse=True)
def _dashboard_static(settings: Settings) -> None:
    """The dashboard's CSS and JS live in the repository's static/ directory."""
    settings.STATICFILES_DIRS = [django_settings.BASE_DIR / "static"]


@pytest.fixture
def category(db: None) -> Category:
    return CategoryFactory.create(deposit_amount=Decimal("0.00"))


@pytest.fixture
def shop(category: Category) -> Merchant:
    return merchant_for(category)


def member_of(merchant: Merchant, role: str) -> User:
    user = UserFactory.create(role=Role.MERCHANT_STAFF)
    MerchantMember.objects.create(merchant=merchant, user=user, role=role)
    return user


def client_as(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="platform_core.accounts.backends.PhoneOrEmailBackend")
    return client


@pytest.fixture
def owner_client(shop: Merchant) -> Client:
    return client_as(shop.owner)


@pytest.fixture
def make_listing(shop: Merchant) -> Callable[..., Listing]:
    def make(**kwargs: Any) -> Listing:
        return approved_listing(
            merchant=shop, skus=[{"code": f"S{next(_n)}", "price": "59.00", "stock": 100}], **kwargs
        )

    return make


@pytest.fixture
def make_paid_order(shop: Merchant, make_listing: Callable[..., Listing]) -> Callable[..., Order]:
    """A paid order of ``shop``: cart → checkout → sandbox payment → signed callback (all services)."""
    listing = make_listing()
    sku = listing.skus.get()

    def make(customer: User | None = None) -> Order:
        customer = customer or CustomerFactory.create()
        cart_item_add(customer=customer, sku_id=sku.pk, quantity=1, actor=customer)
        (order,) = order_checkout(
            customer=customer,
            shipping_name="李四",
            shipping_phone="13900000000",
            shipping_address="上海市浦东新区世纪大道1号",
            actor=customer,
        )
        payment = order_pay_start(order=order, provider="sandbox", actor=customer)
        headers, body = sandbox_complete(payment)
        payment_callback_receive(provider="sandbox", headers=headers, body=body)
        order.refresh_from_db()
        assert order.status == Order.Status.PAID
        return order

    return make


def merchant_reviewer() -> User:
    """Compliance staff holding the merchant-review permission (MER-2)."""
    reviewer = StaffFactory.create(role=Role.STAFF_COMPLIANCE)
    reviewer.user_permissions.add(Permission.objects.get(codename="review_merchantapplication"))
    return User.objects.get(pk=reviewer.pk)  # a fresh permission cache


@pytest.fixture
def make_completed_order(make_paid_order: Callable[..., Order]) -> Callable[..., Order]:
    """A paid order of ``shop`` shipped and confirmed received (after-sales requests may be opened)."""

    def make() -> Order:
        order = make_paid_order()
        order_ship(
            order=order, carrier="SF", tracking_number=f"SF{order.pk:010d}", actor=order.merchant.owner
        )
        order_confirm_receipt(order=order, actor=order.customer)
        order.refresh_from_db()
        return order

    return make


@pytest.fixture
def make_request(make_completed_order: Callable[..., Order]) -> Callable[..., AfterSalesRequest]:
    """An after-sales request opened by the customer on a completed order of ``shop`` (through the service)."""

    def make(**kwargs: Any) -> AfterSalesRequest:
        return cast(AfterSalesRequest, open_request(make_completed_order(), **kwargs))

    return make


@pytest.fixture
def make_dispute(make_completed_order: Callable[..., Order]) -> Callable[..., Dispute]:
    """DSP-1: a case opened by the customer's escalation of the shop's refusal (in the evidence stage)."""

    def make() -> Dispute:
        return dispute_from_refusal(make_completed_order())

    return make


# --- the browser tests (Playwright driving Debian's Chromium against the live server) -------------------

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def _allow_sync_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an event loop in this thread; the ORM calls the test makes here are
    ordinary synchronous ones, so Django's async-safety guard is lifted for this module only."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser(_allow_sync_orm_beside_playwright: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shots() -> Path:
    path = Path(django_settings.VAR_DIR) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
