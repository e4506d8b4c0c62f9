"""MER-5, MER-8 (issue 21): a merchant holding a deposit can close: the owner asks in the seller centre
(money page), finance approves in the admin (second factor) once nothing is pending, the deposit goes back
through the ledger and the shop closes; each step audited; refused for people without the right."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from catalog.models import Category
from merchants.models import Merchant, MerchantClosureRequest
from merchants.selectors.standing import merchant_deposit_balance
from orders.models import Order
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.audit.models import AuditEntry
from platform_core.ledger.models import LedgerTransaction, TransactionKind
from platform_core.ledger.selectors import ledger_verify
from tests.dashboard.conftest import client_as, member_of
from tests.factories.accounts import StaffFactory
from tests.factories.catalog import CategoryFactory
from tests.helpers.admin_otp import otp_admin_client, with_permissions

pytestmark = pytest.mark.django_db

DECIDE = ("merchants.change_merchantclosurerequest", "merchants.view_merchantclosurerequest")


@pytest.fixture(autouse=True)
def _otp(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production


@pytest.fixture
def category(db: None) -> Category:
    return CategoryFactory.create(deposit_amount=Decimal("500.00"))


@pytest.fixture
def finance(db: None) -> User:
    return with_permissions(StaffFactory.create(role=Role.STAFF_FINANCE), *DECIDE)


def request_closure(client: Client) -> Any:
    return client.post("/merchant/money/closure/", {"reason": "业务调整，停止经营"})


def approve(browser: Client, closure: MerchantClosureRequest) -> Any:
    return browser.post(
        f"/admin/merchants/merchantclosurerequest/{closure.pk}/approve/", {"reason": "订单售后均已完结"}
    )


def test_mer_5_mer_8_owner_requests_finance_approves_deposit_returned_shop_closed(
    shop: Merchant, owner_client: Client, finance: User
) -> None:
    assert merchant_deposit_balance(merchant=shop) == Decimal("500.00")
    assert 'href="/merchant/money/closure/"' in owner_client.get("/merchant/money/").content.decode()
    page = owner_client.get("/merchant/money/closure/").content.decode()
    assert "¥500.00" in page and "<form" in page

    assert request_closure(owner_client).status_code == 302
    closure = MerchantClosureRequest.objects.get(merchant=shop)
    assert closure.status == "requested"
    assert AuditEntry.objects.filter(action="merchant.closure_requested", actor=shop.owner).count() == 1
    page = owner_client.get("/merchant/money/closure/").content.decode()
    assert str(closure.get_status_display()) in page
    assert 'name="reason"' not in page  # one open request at a time
    assert 'data-testid="banner-closure"' in owner_client.get("/merchant/").content.decode()

    browser = otp_admin_client(finance)
    page = browser.get(f"/admin/merchants/merchantclosurerequest/{closure.pk}/change/").content.decode()
    assert f"/admin/merchants/merchantclosurerequest/{closure.pk}/approve/" in page
    assert approve(browser, closure).status_code == 302

    closure.refresh_from_db()
    shop.refresh_from_db()
    assert closure.status == "approved" and closure.decided_by == finance
    assert closure.deposit_refunded == Decimal("500.00")
    assert shop.status == Merchant.Status.CLOSED
    assert merchant_deposit_balance(merchant=shop) == Decimal("0.00")
    refund = LedgerTransaction.objects.get(kind=TransactionKind.DEPOSIT_REFUND)
    assert closure.refund_transaction == refund
    actions = set(AuditEntry.objects.filter(actor=finance).values_list("action", flat=True))
    assert {"merchant.closure_approved", "merchant.deposit_refunded", "merchant.closed"} <= actions
    assert ledger_verify().ok


def test_mer_5_mer_8_approval_refused_while_an_order_is_open(
    shop: Merchant, owner_client: Client, finance: User, make_paid_order: Callable[..., Order]
) -> None:
    make_paid_order()
    request_closure(owner_client)
    closure = MerchantClosureRequest.objects.get(merchant=shop)
    response = approve(otp_admin_client(finance), closure)
    assert response.status_code == 200  # the form again, saying what is pending
    assert "errornote" in response.content.decode() or "errorlist" in response.content.decode()
    closure.refresh_from_db()
    shop.refresh_from_db()
    assert closure.status == "requested" and shop.status != Merchant.Status.CLOSED
    assert merchant_deposit_balance(merchant=shop) == Decimal("500.00")
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.DEPOSIT_REFUND).exists()
    assert not AuditEntry.objects.filter(action="merchant.closure_approved").exists()


def test_mer_5_mer_8_only_the_owner_requests_and_only_finance_decides(
    shop: Merchant, owner_client: Client
) -> None:
    finance_member = client_as(member_of(shop, "finance"))
    assert request_closure(finance_member).status_code == 200  # the page again, with the refusal
    assert client_as(member_of(shop, "customer_service")).get("/merchant/money/closure/").status_code == 403
    assert not MerchantClosureRequest.objects.exists()
    assert not AuditEntry.objects.filter(action="merchant.closure_requested").exists()

    request_closure(owner_client)
    closure = MerchantClosureRequest.objects.get()
    outsider = with_permissions(StaffFactory.create(role=Role.STAFF_OPERATIONS), DECIDE[1])
    browser = otp_admin_client(outsider)
    assert approve(browser, closure).status_code == 403
    assert (
        browser.post(
            f"/admin/merchants/merchantclosurerequest/{closure.pk}/reject/", {"reason": "x"}
        ).status_code
        == 403
    )
    closure.refresh_from_db()
    shop.refresh_from_db()
    assert closure.status == "requested" and shop.status == Merchant.Status.ACTIVE
    assert merchant_deposit_balance(merchant=shop) == Decimal("500.00")


def test_mer_5_mer_8_finance_rejects_with_a_reason_the_owner_sees(
    shop: Merchant, owner_client: Client, finance: User
) -> None:
    request_closure(owner_client)
    closure = MerchantClosureRequest.objects.get()
    browser = otp_admin_client(finance)
    response = browser.post(
        f"/admin/merchants/merchantclosurerequest/{closure.pk}/reject/", {"reason": "尚有未结清的赔付"}
    )
    assert response.status_code == 302
    closure.refresh_from_db()
    assert closure.status == "rejected" and closure.decision_reason == "尚有未结清的赔付"
    assert AuditEntry.objects.filter(action="merchant.closure_rejected", actor=finance).count() == 1
    assert "尚有未结清的赔付" in owner_client.get("/merchant/money/closure/").content.decode()
