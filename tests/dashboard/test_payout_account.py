"""PAY-4 (decision 037): the payout account where people reach it — the seller centre's money page
(owner only, masked), ``GET/PUT /api/v1/merchant/payout-account/`` (owner role) and the admin (read-only,
masked)."""

import time
from typing import cast

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from merchants.models import Merchant
from orders.models import PayoutAccount
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from tests.conftest import client_for
from tests.dashboard.conftest import member_of
from tests.factories.accounts import DEFAULT_PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

NUMBER = "6225880123456789"


def _code(user: User) -> str:
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="phone", confirmed=True
    )
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def _form(shop: Merchant, **fields: str) -> dict[str, str]:
    return {
        "kind": "bank",
        "holder_name": shop.legal_name,
        "bank_name": "招商银行",
        "number": NUMBER,
        "code": _code(shop.owner),
        **fields,
    }


def test_pay_4_owner_sets_the_payout_account_in_the_seller_centre_and_sees_it_masked(
    owner_client: Client, shop: Merchant
) -> None:
    assert "/merchant/money/payout-account/" in owner_client.get("/merchant/money/").content.decode()
    refused = owner_client.post("/merchant/money/payout-account/", _form(shop, holder_name="张三"))
    assert refused.status_code == 400
    assert "holder_name" in refused.context["form"].errors
    assert not PayoutAccount.objects.exists()
    saved = owner_client.post("/merchant/money/payout-account/", _form(shop))
    assert saved.status_code == 302
    page = owner_client.get("/merchant/money/payout-account/").content.decode()
    assert "****6789" in page and NUMBER not in page
    account = PayoutAccount.objects.get(merchant=shop)
    assert account.number == NUMBER and account.created_by == shop.owner
    assert AuditEntry.objects.filter(
        action="merchant.payout_account_changed", subject_id=str(shop.pk)
    ).exists()


def test_pay_4_finance_sees_the_account_but_cannot_change_it(shop: Merchant) -> None:
    from tests.dashboard.conftest import client_as

    finance = client_as(member_of(shop, "finance"))
    shown = finance.get("/merchant/money/payout-account/")
    assert shown.status_code == 200 and b'name="number"' not in shown.content  # seen, no form
    assert finance.post("/merchant/money/payout-account/", _form(shop)).status_code == 403
    assert not PayoutAccount.objects.exists()


def test_pay_4_payout_account_api_owner_changes_finance_reads_masked(shop: Merchant) -> None:
    owner = client_for(shop.owner)
    assert owner.get("/api/v1/merchant/payout-account/").json() == {"account": None}
    bad = owner.put("/api/v1/merchant/payout-account/", _form(shop, code="12345x"), format="json")
    assert bad.status_code == 400 and "code" in bad.json()["errors"]
    response = owner.put("/api/v1/merchant/payout-account/", _form(shop), format="json")
    assert response.status_code == 200, response.content
    shown = response.json()["account"]
    assert shown["number_masked"] == "****6789" and shown["active"] is False
    assert NUMBER not in response.content.decode()
    assert NUMBER not in owner.get("/api/v1/merchant/payout-account/").content.decode()
    finance = client_for(
        member_of(shop, "finance")
    )  # reads it masked, as in the seller centre; never changes it
    read = finance.get("/api/v1/merchant/payout-account/")
    assert read.status_code == 200 and read.json()["account"]["number_masked"] == "****6789"
    assert NUMBER not in read.content.decode()
    service = client_for(member_of(shop, "customer_service"))
    assert service.get("/api/v1/merchant/payout-account/").status_code == 403
    assert finance.put("/api/v1/merchant/payout-account/", _form(shop), format="json").status_code == 403
    assert PayoutAccount.objects.count() == 1
    assert AuditEntry.objects.filter(action="merchant.payout_account_changed").count() == 1


def test_pay_4_staff_see_payout_accounts_read_only_and_masked_in_the_admin(
    settings, owner_client: Client, shop: Merchant
) -> None:
    assert owner_client.post("/merchant/money/payout-account/", _form(shop)).status_code == 302
    account = PayoutAccount.objects.get()
    staff = cast(User, StaffFactory(is_superuser=True))
    settings.STAFF_REQUIRE_OTP = True
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client = Client()
    signed_in = client.post(
        "/admin/login/",
        {
            "username": staff.email,
            "password": DEFAULT_PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": _code(staff),
        },
    )
    assert signed_in.status_code == 302
    listed = client.get("/admin/orders/payoutaccount/").content.decode()
    detail = client.get(f"/admin/orders/payoutaccount/{account.pk}/change/").content.decode()
    assert "****6789" in listed and "****6789" in detail
    assert NUMBER not in listed and NUMBER not in detail
    assert 'name="holder_name"' not in detail  # read-only
    assert client.post(f"/admin/orders/payoutaccount/{account.pk}/change/", {}).status_code == 403


def test_pay_4_sec_3_owner_enrols_an_authenticator_in_the_seller_centre_then_sets_the_account(
    owner_client: Client, shop: Merchant
) -> None:
    """An owner with no authenticator is refused with the way to get one; the seller centre's
    authenticator page shows a new one (QR code and key), confirms it with its current code (audited,
    backup codes shown once), and its codes then change the payout account."""
    assert not TOTPDevice.objects.filter(user=shop.owner).exists()
    fields = {k: v for k, v in _form(shop).items() if k != "code"}
    TOTPDevice.objects.filter(user=shop.owner).delete()  # _form made one to fill in a code: not this time
    refused = owner_client.post("/merchant/money/payout-account/", {**fields, "code": "123456"})
    assert refused.status_code == 400 and "/merchant/security/authenticator/" in refused.content.decode()
    assert "seller centre" in str(refused.context["form"].errors)
    shown = owner_client.get("/merchant/security/authenticator/")
    assert (
        shown.status_code == 200 and shown.context["secret"] and "otpauth://" in shown.context["otpauth_uri"]
    )
    device = TOTPDevice.objects.get(user=shop.owner, confirmed=False)
    wrong = owner_client.post("/merchant/security/authenticator/", {"code": "000000"})
    assert wrong.status_code == 400 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    # django-otp slows the next try down after a wrong code: the owner tries again a while later
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    done = owner_client.post("/merchant/security/authenticator/", {"code": f"{totp.token():06d}"})
    assert done.status_code == 200 and len(done.context["backup_codes"]) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert AuditEntry.objects.filter(
        action="account.second_factor_enrolled", subject_id=str(shop.owner.pk)
    ).exists()
    assert owner_client.get("/merchant/security/authenticator/").context["enrolled"]
    totp.time = time.time() + 30  # the next window: a code is accepted once (replay guard)
    saved = owner_client.post("/merchant/money/payout-account/", {**fields, "code": f"{totp.token():06d}"})
    assert saved.status_code == 302, saved.content.decode()[:500]
    assert PayoutAccount.objects.filter(merchant=shop).exists()
