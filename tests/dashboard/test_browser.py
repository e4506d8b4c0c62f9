"""The dashboard in a real browser (Playwright driving Debian's Chromium against the live server).

A new merchant registers and onboards through the wizard, staff approve the application in the Django
admin, the merchant accepts the agreement, creates a listing (the pre-screen flags a banned phrase as
it is typed), the listing passes review, a customer buys it and the merchant ships within the ship-by
deadline; the customer asks for part of the money back and the merchant answers the after-sales request
with a click; once the order settles, the payout shows on the money page. Screenshots go to ``settings.VAR_DIR / "screenshots"`` (CI keeps them as artifacts).
"""

import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from aftersales.models import AfterSalesRequest
from aftersales.services.requests import request_create
from catalog.models import BannedTerm, Listing
from catalog.services.review import listing_approve
from merchants.models import Merchant, MerchantApplication
from orders.models import Order
from orders.payments.sandbox import sandbox_complete
from orders.services.cart import cart_item_add
from orders.services.checkout import order_checkout
from orders.services.fulfilment import order_confirm_receipt
from orders.services.payments import order_pay_start, payment_callback_receive
from orders.services.payouts import payouts_run
from orders.services.settlement import order_aftersales_window_close
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from tests.dashboard.conftest import CHROMIUM
from tests.factories.accounts import DEFAULT_PASSWORD, CustomerFactory, StaffFactory
from tests.factories.catalog import CategoryFactory
from tests.factories.merchants import PDF_BYTES, PlatformAgreementFactory, credit_code


def _zh(msgid: str, **params: object) -> str:
    """What the merchant's browser (zh-CN) shows for an English msgid: the dashboard's default language is
    Simplified Chinese, so the test clicks the translated names (and still reads as the English flow)."""
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return text % params if params else text


pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def _reviewer() -> User:
    staff = StaffFactory.create(role=Role.STAFF_COMPLIANCE)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="merchants",
            codename__in=[
                "view_merchantapplication",
                "change_merchantapplication",
                "review_merchantapplication",
            ],
        ),
        Permission.objects.get(content_type__app_label="catalog", codename="review_listing"),
    )
    return User.objects.get(pk=staff.pk)


def _totp_device(user: User) -> tuple[str, str]:
    """A TOTP device registered for ``user``: its id and its current code (what the app shows)."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return device.persistent_id, f"{totp.token():0{device.digits}d}"


def _buy(listing: Listing) -> Order:
    """A customer buys one unit and pays at the sandbox (the signed callback is delivered here)."""
    customer = CustomerFactory.create()
    sku = listing.skus.get()
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
    return order


def test_merchant_onboards_lists_ships_answers_aftersales_and_is_paid_in_the_browser(
    live_server: Any, browser: Any, shots: Path, tmp_path: Path, settings: Any
) -> None:
    settings.STAFF_REQUIRE_OTP = True  # the staff side as in production: the admin asks for the second factor
    category = CategoryFactory.create(name="家居日用", deposit_amount=Decimal("0.00"))
    PlatformAgreementFactory(version="2026.11", title="平台服务协议")
    BannedTerm.objects.update_or_create(
        phrase="最好", defaults={"severity": "hard", "reason": "absolute claim"}
    )
    reviewer = _reviewer()
    licence = tmp_path / "licence.pdf"
    licence.write_bytes(PDF_BYTES)
    base = live_server.url

    merchant_ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})  # a phone
    page = merchant_ctx.new_page()
    page.set_default_timeout(15000)

    # 1. register
    page.goto(f"{base}/merchant/login/")
    page.get_by_role("link", name=_zh("Create an account and open a shop")).click()
    page.fill("#id_name", "赵六")
    page.fill("#id_phone", "13612345678")
    page.fill("#id_password", "a-long-passphrase-42")
    page.screenshot(path=str(shots / "01-register.png"), full_page=True)
    page.get_by_role("button", name=_zh("Create account")).click()
    # issue 20 (low): sign-up signs no one in and says the same whether the number is taken or new
    page.wait_for_url(f"{base}/merchant/login/")
    signup_answer = "If this mobile number or email address can be registered, the account is ready: "
    assert page.get_by_role("status").inner_text() == _zh(
        signup_answer + "sign in with it and your password."
    )
    page.fill("#id_username", "13612345678")
    page.fill("#id_password", "a-long-passphrase-42")
    page.get_by_role("button", name=_zh("Sign in")).click()
    page.wait_for_url(f"{base}/merchant/onboarding/")

    # 2. the application
    page.get_by_role("link", name=_zh("Fill in the application")).click()
    page.fill("#id_shop_name", "赵六家居")
    page.fill("#id_legal_name", "赵六家居用品有限公司")
    page.fill("#id_credit_code", credit_code(920001))
    page.fill("#id_legal_representative", "赵六")
    page.fill("#id_registered_address", "杭州市西湖区文三路1号")
    page.fill("#id_contact_phone", "13612345678")
    page.fill("#id_contact_email", "zhao@example.com")
    page.get_by_label(category.name).check()
    page.get_by_role("button", name=_zh("Save the application")).click()
    page.wait_for_url(f"{base}/merchant/onboarding/")

    # 3. documents with validity dates, then submit
    today = timezone.localdate()
    for kind in ("business_licence", "tax_registration"):
        page.select_option("#id_kind", kind)
        page.fill("#id_number", f"NO-{kind}")
        page.fill("#id_issuer", "杭州市市场监督管理局")
        page.fill("#id_valid_from", (today - timedelta(days=100)).isoformat())
        page.fill("#id_valid_until", (today + timedelta(days=700)).isoformat())
        page.set_input_files("#id_file", str(licence))
        page.get_by_role("button", name=_zh("Upload"), exact=True).click()
        page.wait_for_load_state()
    page.screenshot(path=str(shots / "02-documents.png"), full_page=True)
    page.get_by_role("button", name=_zh("Submit for review")).click()
    page.wait_for_load_state()
    assert page.get_by_test_id("application-status").inner_text() != ""
    application = MerchantApplication.objects.get(shop_name="赵六家居")
    assert application.status == MerchantApplication.Status.SUBMITTED
    page.screenshot(path=str(shots / "03-submitted.png"), full_page=True)

    # 4. staff approve it in the Django admin (another browser context: another session)
    staff_ctx = browser.new_context(locale="zh-CN")
    admin = staff_ctx.new_page()
    admin.set_default_timeout(15000)
    admin.goto(f"{base}/admin/login/")
    device_id, token = _totp_device(reviewer)
    admin.fill("#id_username", reviewer.email)
    admin.fill("#id_password", DEFAULT_PASSWORD)
    admin.locator("input[type=submit]:not([name])").click()  # SEC-3: first the password, then the admin asks
    admin.wait_for_load_state()  # which second-factor device to use
    admin.select_option("#id_otp_device", value=device_id)
    admin.fill("#id_password", DEFAULT_PASSWORD)
    admin.fill("#id_otp_token", token)
    admin.locator("input[type=submit]:not([name])").click()
    admin.wait_for_load_state()
    assert admin.url == f"{base}/admin/", admin.locator(".errornote, .errorlist").all_inner_texts()
    admin.goto(f"{base}/admin/merchants/merchantapplication/{application.pk}/change/")
    admin.screenshot(path=str(shots / "04-admin-application.png"), full_page=True)
    admin.locator("button[name=_fsm_transition_to][value=approve]").click()
    admin.fill("textarea[name=reason]", "资料齐全，准予开店")
    admin.screenshot(path=str(shots / "04-admin-approve.png"), full_page=True)
    admin.locator("input[type=submit]:not([name])").click()
    admin.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == MerchantApplication.Status.APPROVED, admin.content()[:3000]

    # 5. the merchant sees the decision and accepts the agreement
    page.goto(f"{base}/merchant/onboarding/")
    assert "资料齐全" in page.get_by_test_id("reviewer-feedback").inner_text()
    page.get_by_role("link", name=_zh("Read and accept")).click()
    page.get_by_role("button", name=_zh("I accept the agreement")).click()
    page.wait_for_url(f"{base}/merchant/")
    merchant = Merchant.objects.get(applications=application)
    assert merchant.status == Merchant.Status.ACTIVE
    page.screenshot(path=str(shots / "05-home-active.png"), full_page=True)

    # 6. a listing: the pre-screen marks the banned phrase as it is typed (htmx), then a clean title
    page.goto(f"{base}/merchant/listings/new/")
    page.select_option("#id_category", str(category.pk))
    page.locator("#id_title").press_sequentially("全网最好的收纳盒", delay=20)
    page.locator("#prescreen mark").first.wait_for()
    assert page.locator("#prescreen mark").first.inner_text() == "最好"
    page.screenshot(path=str(shots / "06-prescreen.png"), full_page=True)
    page.fill("#id_title", "加厚塑料收纳盒 三层")
    page.fill("#id_description", "可叠放，带盖，适合衣物与杂物收纳。")
    page.fill("#id_skus-0-code", "BOX-3")
    page.fill("#id_skus-0-attributes", "颜色=白")
    page.fill("#id_skus-0-price", "39.90")
    page.fill("#id_skus-0-stock", "20")
    page.get_by_role("button", name=_zh("Save draft")).click()
    page.wait_for_url(f"{base}/merchant/listings/*/")
    page.get_by_role("button", name=_zh("Submit for review")).click()
    page.wait_for_load_state()
    listing = Listing.objects.get(merchant=merchant)
    assert listing.status == Listing.Status.PENDING_REVIEW
    # staff review through the catalog service (the admin review queue is the catalog app's)
    listing_approve(listing=listing, actor=reviewer, note="OK")
    page.reload()
    assert page.get_by_test_id("listing-status").inner_text() != ""
    listing.refresh_from_db()
    assert listing.on_sale
    page.screenshot(path=str(shots / "07-listing-approved.png"), full_page=True)

    # 7. a customer buys it; the merchant ships from the home page within the deadline
    order = _buy(listing)
    assert order.status == Order.Status.PAID and order.ship_by is not None
    page.goto(f"{base}/merchant/")
    page.get_by_role("link", name=_zh("Ship order %(number)s", number=order.number)).click()
    page.screenshot(path=str(shots / "08-order.png"), full_page=True)
    page.fill("#id_carrier", "顺丰")
    page.fill("#id_tracking_number", "SF1234567890")
    page.get_by_role("button", name=_zh("Mark as shipped")).click()
    page.wait_for_load_state()
    assert page.get_by_test_id("tracking-number").inner_text() == "SF1234567890"
    page.screenshot(path=str(shots / "09-shipped.png"), full_page=True)
    ship_by = order.ship_by
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    assert order.shipped_at is not None and order.shipped_at < ship_by

    # 8. the customer signs for it and asks for part of the money back (AFS-1); the merchant answers the
    #    request from the home page, within its 24-hour clock (AFS-3), and the refund goes out at once
    order_confirm_receipt(order=order, actor=order.customer)
    request = request_create(
        customer=order.customer,
        order_id=order.pk,
        line_id=order.lines.get().pk,
        kind="refund_only",
        reason_kind="quality",
        reason="盒盖有一道裂纹",
        amount=Decimal("5.00"),
        actor=order.customer,
    )
    page.goto(f"{base}/merchant/")
    page.get_by_role(
        "link",
        name=_zh("Answer after-sales request #%(id)s (order %(number)s)", id=request.pk, number=order.number),
    ).click()
    page.wait_for_url(f"{base}/merchant/aftersales/{request.pk}/")
    assert "盒盖有一道裂纹" in page.locator("main").inner_text()
    page.screenshot(path=str(shots / "10-aftersales-request.png"), full_page=True)
    page.fill("#id_note", "抱歉给您带来不便，已退款5元")
    page.get_by_role("button", name=_zh("Approve"), exact=True).click()
    page.get_by_test_id("refunded-at").wait_for()
    request.refresh_from_db()
    assert request.status == AfterSalesRequest.Status.REFUNDED and request.responded_in_time
    page.screenshot(path=str(shots / "11-aftersales-refunded.png"), full_page=True)

    # 9. the after-sales window closes (the deadline handler's service): the escrow settles into the
    #    payable balance, the daily payout run pays it out, and the merchant sees it on the money page
    order_aftersales_window_close(order=order)
    (payout,) = [p for p in payouts_run() if p.merchant_id == merchant.pk]
    assert payout.amount > 0
    page.goto(f"{base}/merchant/money/")
    page.get_by_text(f"¥{payout.amount} ·").wait_for()
    assert page.get_by_test_id("payable").inner_text() == "¥0.00"
    page.screenshot(path=str(shots / "12-money-payout.png"), full_page=True)

    staff_ctx.close()
    merchant_ctx.close()
