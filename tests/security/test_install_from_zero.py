"""Issue 21, "What it must show": an operator installs the platform from nothing and one merchant goes
from sign-up to a listing on sale, using only ``bootstrap_platform``, the admin and the seller centre over
HTTP — no service call, no shell, no demo data (SEC-3, MER-1, MER-2, MER-4, MER-5, CAT-2, CAT-4).

In process, on the freshly migrated test database, with production's staff second factor and payment
providers (no sandbox): the administrator scans the enrolment ``bootstrap_platform`` printed (the test
reads the key from the otpauth URI as an authenticator app would) and signs in with its codes.
"""

import io
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from catalog.models import Category, Listing
from merchants.models import Merchant, MerchantApplication, PlatformAgreement
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from tests.factories.merchants import credit_code, pdf_upload
from tests.helpers.install import Authenticator, FormValues, png_bytes

pytestmark = pytest.mark.django_db

ADMIN_EMAIL = "ops@marketplace.example"
ADMIN_PASSWORD = "install-Passw0rd-2026"
SELLER_PHONE = "13912345678"
SELLER_PASSWORD = "a-long-passphrase-42"


@pytest.fixture(autouse=True)
def _production(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = True
    settings.ORDERS_PAYMENT_PROVIDERS = ["alipay", "wechat_pay"]
    settings.ORDERS_LOGISTICS_CARRIERS = []
    settings.ORDERS_PAYOUT_PROVIDER = "manual"


def _ok(response: Any, status: int = 302) -> Any:
    assert response.status_code == status, response.content.decode()[:3000]
    return response


def _change_form(client: Client, url: str, form_id: str) -> dict[str, str]:
    parser = FormValues(form_id)
    parser.feed(_ok(client.get(url), 200).content.decode())
    return dict(parser.values)


def _admin_messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_sec_3_mer_1_mer_2_mer_4_mer_5_cat_4_install_from_zero_to_a_listing_on_sale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert (
        not User.objects.exists() and not Category.objects.exists() and not PlatformAgreement.objects.exists()
    )

    # 1. bootstrap: the first administrator and their authenticator, printed once
    monkeypatch.setattr("sys.stdin", io.StringIO(ADMIN_PASSWORD + "\n"))
    out = io.StringIO()
    call_command("bootstrap_platform", "--password-stdin", email=ADMIN_EMAIL, name="运营负责人", stdout=out)
    uri = re.search(r"otpauth URI: (\S+)", out.getvalue()).group(1)  # type: ignore[union-attr]
    phone = Authenticator(uri)

    # 2. the administrator signs in to the admin with the app's code (the device is in the sign-in form)
    admin = Client()
    login_page = admin.get("/admin/login/").content.decode()
    assert re.search(r'<option value="([^"]+)"', login_page) is None  # devices are listed after the password
    response = admin.post("/admin/login/", {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    device_id = re.search(r'<option value="(otp_totp[^"]+)"', response.content.decode()).group(1)  # type: ignore[union-attr]
    _ok(
        admin.post(
            "/admin/login/",
            {
                "username": ADMIN_EMAIL,
                "password": ADMIN_PASSWORD,
                "otp_device": device_id,
                "otp_token": phone.code(),
            },
        )
    )
    assert _ok(admin.get("/admin/"), 200)

    # 3. a category with a deposit and a licence, through the admin
    _ok(
        admin.post(
            "/admin/catalog/category/add/",
            {
                "name": "家居日用",
                "name_en": "Home",
                "slug": "home",
                "parent": "",
                "deposit_amount": "1000.00",
                "commission_rate": "0.0500",
                "required_listing_fields": ["images"],
            },
        )
    )
    category = Category.objects.get(slug="home")

    # 4. the first agreement, in force at once, through the admin
    now = timezone.localtime()
    _ok(
        admin.post(
            "/admin/merchants/platformagreement/add/",
            {
                "version": "1.0",
                "title": "平台服务协议",
                "body": "商品质量、售后与责任条款。",
                "effective_at_0": now.strftime("%Y-%m-%d"),
                "effective_at_1": now.strftime("%H:%M:%S"),
            },
        )
    )

    # 5. a seller signs up and applies in the seller centre
    seller = Client()
    _ok(
        seller.post(
            "/merchant/register/",
            {"name": "赵六", "phone": SELLER_PHONE, "email": "", "password": SELLER_PASSWORD},
        )
    )
    _ok(seller.post("/merchant/login/", {"username": SELLER_PHONE, "password": SELLER_PASSWORD}))
    code = credit_code(920001)
    _ok(
        seller.post(
            "/merchant/onboarding/application/",
            {
                "shop_name": "赵六家居",
                "legal_name": "赵六家居有限公司",
                "credit_code": code,
                "legal_representative": "赵六",
                "registered_address": "上海市浦东新区世纪大道1号",
                "contact_phone": SELLER_PHONE,
                "contact_email": "shop@example.com",
                "categories": [category.pk],
            },
        )
    )
    today = timezone.localdate()
    for kind in ("business_licence", "tax_registration"):
        _ok(
            seller.post(
                "/merchant/onboarding/documents/",
                {
                    "kind": kind,
                    "number": f"NO-{kind}",
                    "issuer": "上海市市场监督管理局",
                    "valid_from": (today - timedelta(days=30)).isoformat(),
                    "valid_until": "",
                    "file": pdf_upload(),
                },
            )
        )
    _ok(seller.post("/merchant/onboarding/submit/"))
    application = MerchantApplication.objects.get(credit_code=code)
    assert application.status == MerchantApplication.Status.SUBMITTED

    # 6. the administrator reviews and approves it in the admin
    change = f"/admin/merchants/merchantapplication/{application.pk}/change/"
    form = _change_form(admin, change, "merchantapplication_form")
    _ok(admin.post(change, {**form, "_fsm_transition_to": "start_review"}))
    _ok(
        admin.post(
            f"/admin/merchants/merchantapplication/{application.pk}/transition/approve/",
            {"reason": "资料齐全"},
        )
    )
    merchant = Merchant.objects.get(applications=application)

    # 7. the seller accepts the agreement in force; finance records the deposit the shop paid by bank
    _ok(seller.post("/merchant/agreement/"))
    _ok(
        admin.post(
            f"/admin/merchants/merchant/{merchant.pk}/deposit/",
            {"amount": "1000.00", "payment_reference": "BANK-20261207-001"},
        )
    )
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE

    # 8. the seller writes a listing and submits it; the administrator approves it from the review queue
    _ok(
        seller.post(
            "/merchant/listings/new/",
            {
                "category": category.pk,
                "kind": "product",
                "title": "纯棉毛巾三条装",
                "description": "新疆长绒棉，吸水柔软。",
                "skus-TOTAL_FORMS": 1,
                "skus-INITIAL_FORMS": 0,
                "skus-MIN_NUM_FORMS": 0,
                "skus-MAX_NUM_FORMS": 20,
                "skus-0-code": "WHT",
                "skus-0-attributes": "颜色=白",
                "skus-0-price": "39.90",
                "skus-0-stock": "100",
                # the category requires a picture: uploaded with the form (decision 043)
                "newimg-uploads": [SimpleUploadedFile("towel.png", png_bytes(), content_type="image/png")],
                "newimg-alt": "毛巾三条装",
            },
        )
    )
    listing = Listing.objects.get(merchant=merchant)
    _ok(seller.post(f"/merchant/listings/{listing.pk}/submit/"))
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING_REVIEW
    response = _ok(
        admin.post(
            "/admin/catalog/listingreview/",
            {
                "action": "approve_selected",
                "_selected_action": [listing.candidate_version_id],
                "reason": "合规",
            },
            follow=True,
        ),
        200,
    )
    listing.refresh_from_db()
    assert listing.on_sale, _admin_messages(response)
    assert listing.price_min == Decimal("39.90")

    # every step left its audit row, by the person who took it
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "platform.bootstrapped",
        "catalog.category_created",
        "merchant.agreement_published",
    } <= actions
    administrator = User.objects.get(email=ADMIN_EMAIL)
    assert AuditEntry.objects.filter(actor=administrator, action="catalog.category_created").exists()

    # a shell-free install also means the admin's session ends like any other: the next sign-in needs a
    # fresh code (the one used above is spent)
    with time_machine.travel(timedelta(seconds=31)):
        again = Client()
        _ok(
            again.post(
                "/admin/login/",
                {
                    "username": ADMIN_EMAIL,
                    "password": ADMIN_PASSWORD,
                    "otp_device": device_id,
                    "otp_token": phone.code(),
                },
            )
        )
