"""USR-4, MER-8: the owner of a shop that is not closed, or of one still holding money, cannot delete the
account (it would anonymise the owner of a trading shop). Both ways in say so: the customer API
(``/api/v1/me/delete/`` → 409 with the reason) and the staff "注销账户" page (refused with the reason)."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from merchants.models import Merchant
from merchants.services.lifecycle import merchant_close
from orders.models import Payout, PayoutStatement
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from platform_core.ledger.models import AccountKind, TransactionKind
from platform_core.ledger.services import ledger_account_for, ledger_post
from tests.conftest import client_for
from tests.factories.accounts import DEFAULT_PASSWORD, StaffFactory
from tests.factories.ledger import escrow_account, fund_escrow, unique_key
from tests.factories.merchants import MerchantFactory
from tests.helpers.admin_otp import otp_admin_client, with_permissions

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/delete/"
REASON = "店主来电要求注销账户，工单 #9021"


def _page(user: User) -> str:
    return f"/admin/accounts/user/{user.pk}/delete-account/"


def _untouched(user: User) -> bool:
    user.refresh_from_db()
    return user.anonymised_at is None and user.is_active and bool(user.name)


def _payable(merchant: Merchant, amount: str) -> None:
    """Money released to the shop's payable (a completed order's share)."""
    escrow = escrow_account()
    fund_escrow(escrow, amount)
    payable = ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=merchant)
    ledger_post(
        idempotency_key=unique_key("release"),
        kind=TransactionKind.RELEASE,
        postings=[(escrow, -Decimal(amount)), (payable, Decimal(amount))],
    )


def _operator_client() -> Any:
    operator = with_permissions(
        StaffFactory.create(), "accounts.view_user", "accounts.change_user", "accounts.delete_user"
    )
    return otp_admin_client(operator)


def test_usr_4_owner_of_an_open_shop_is_refused_by_the_api_with_the_reason_then_deleted_once_closed() -> None:
    shop = MerchantFactory.create(name="张记茶行")
    owner = shop.owner
    api = client_for(owner)

    response = api.post(URL, {"password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "account_deletion_blocked"
    (reason,) = body["errors"]["reasons"]
    assert "张记茶行" in reason and "close the shop first" in reason
    assert _untouched(owner)
    assert not AuditEntry.objects.filter(action="account.deleted").exists()

    merchant_close(merchant=shop, reason="店主关店", actor=None)
    assert api.post(URL, {"password": DEFAULT_PASSWORD}, format="json").status_code == 204
    owner.refresh_from_db()
    assert owner.anonymised_at is not None
    shop.refresh_from_db()
    assert shop.status == Merchant.Status.CLOSED and shop.owner_id == owner.pk  # MER-10: the shop stays


@pytest.mark.parametrize(
    "status", [Merchant.Status.ONBOARDING, Merchant.Status.RESTRICTED, Merchant.Status.SUSPENDED]
)
def test_usr_4_every_state_before_closed_holds_the_owner_back(status: str) -> None:
    owner = MerchantFactory.create(status=status).owner
    assert client_for(owner).post(URL, {"password": DEFAULT_PASSWORD}, format="json").status_code == 409
    assert _untouched(owner)


def test_usr_4_staff_page_refuses_the_owner_of_an_open_shop_with_the_reason(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = True
    shop = MerchantFactory.create(name="李记面馆")
    owner = shop.owner
    client = _operator_client()

    page = client.get(_page(owner)).content.decode()
    assert "李记面馆" in page and "close the shop first" in page
    refused = client.post(_page(owner), {"reason": REASON})
    assert refused.status_code == 200
    assert "李记面馆" in refused.content.decode() and "close the shop first" in refused.content.decode()
    assert _untouched(owner)

    merchant_close(merchant=shop, reason="店主关店", actor=None)
    assert client.post(_page(owner), {"reason": REASON}).status_code == 302
    owner.refresh_from_db()
    assert owner.anonymised_at is not None


def test_usr_4_closed_or_banned_shop_still_holding_money_holds_the_owner_back(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = True
    shop = MerchantFactory.create(name="王记果铺", status=Merchant.Status.BANNED)
    owner = shop.owner
    _payable(shop, "88.00")

    response = client_for(owner).post(URL, {"password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 409
    (reason,) = response.json()["errors"]["reasons"]
    assert "王记果铺" in reason and "88.00" in reason
    refused = _operator_client().post(_page(owner), {"reason": REASON})
    assert refused.status_code == 200 and "88.00" in refused.content.decode()
    assert _untouched(owner)


def test_usr_4_payout_still_being_transferred_holds_the_owner_back() -> None:
    shop = MerchantFactory.create(name="赵记布庄", status=Merchant.Status.CLOSED)
    owner = shop.owner
    statement = PayoutStatement.objects.create(merchant=shop, period=date(2026, 12, 1), net=Decimal("120.00"))
    payout = Payout.objects.create(
        merchant=shop,
        statement=statement,
        amount=Decimal("120.00"),
        status=Payout.Status.PENDING,
        provider="alipay",
    )
    api = client_for(owner)

    response = api.post(URL, {"password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 409
    (reason,) = response.json()["errors"]["reasons"]
    assert "赵记布庄" in reason and "120.00" in reason

    payout.status = Payout.Status.PAID
    payout.save()
    assert api.post(URL, {"password": DEFAULT_PASSWORD}, format="json").status_code == 204


def test_usr_4_the_owner_reads_the_reason_in_chinese_first(platform_default_language: str) -> None:
    owner = MerchantFactory.create(name="陈记米铺").owner
    response = client_for(owner).post(URL, {"password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 409
    (reason,) = response.json()["errors"]["reasons"]
    assert "陈记米铺" in reason and "请先关闭店铺" in reason
