"""Issue 22 pages in a real browser (Playwright driving Debian's Chromium against the live server): the
merchant answers a customer's message with a quick reply and a picture (MSG-1, MSG-2), replies to a
review and reports another (REP-1, REP-2), files a counter-notice with evidence (CAT-7), uploads a
replaced licence and reports the change (MER-6a), and reads a notification (the notifications centre).
Each page is screenshotted at 1366 px and at 390 px into ``settings.VAR_DIR / "screenshots"``.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from aftersales.models import Conversation, Message
from aftersales.services.conversations import conversation_start
from catalog.models import IpNotice, Listing
from merchants.models import Merchant, MerchantChange
from orders.models import Review, ReviewFlag
from platform_core.accounts.models import User
from platform_core.notifications.models import Notification
from platform_core.notifications.services import notify
from tests.dashboard.test_browser import CHROMIUM, _zh
from tests.factories.accounts import DEFAULT_PASSWORD, CustomerFactory
from tests.factories.aftersales import PNG
from tests.factories.catalog import CategoryFactory, approved_listing, ip_notice_taken_down, merchant_for
from tests.factories.merchants import PDF_BYTES
from tests.factories.orders import completed_order, review_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


#: the Chromium fixtures of the dashboard's browser test, shared (module-level names make them fixtures here)


@pytest.fixture
def shop() -> Merchant:
    return merchant_for(
        CategoryFactory.create(name="家居日用", deposit_amount=Decimal("0.00")), name="好物小店"
    )


@pytest.fixture
def listing(shop: Merchant) -> Listing:
    return approved_listing(
        merchant=shop, title="不锈钢保温杯 500ml", skus=[{"code": "CUP", "price": "59.00", "stock": 50}]
    )


def _signed_in(browser: Any, base: str, user: User) -> Any:
    page = browser.new_context(locale="zh-CN", viewport=WIDE).new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/merchant/login/")
    page.fill("#id_username", user.phone)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name=_zh("Sign in")).click()
    page.wait_for_url(f"{base}/merchant/")
    return page


def _shots(page: Any, name: str) -> None:
    """The page at 1366 px and at 390 px (a phone), full length."""
    path = Path(settings.VAR_DIR) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(WIDE)
    page.screenshot(path=str(path / f"s6d-{name}-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(path / f"s6d-{name}-390.png"), full_page=True)
    page.set_viewport_size(WIDE)


def test_msg_1_msg_2_merchant_answers_a_message_with_a_quick_reply_and_a_picture_in_the_browser(
    live_server: Any, browser: Any, shop: Merchant, listing: Listing, tmp_path: Path
) -> None:
    customer = CustomerFactory.create()
    conversation = conversation_start(
        customer=customer,
        kind="presale",
        text="请问有现货吗？我的电话13912345678",
        listing_id=listing.pk,
        actor=customer,
    )
    page = _signed_in(browser, live_server.url, shop.owner)
    page.get_by_role("link", name=_zh("Messages"), exact=True).click()
    page.get_by_role("link", name=f"#{conversation.pk}").click()
    main = page.locator("main").inner_text()
    assert "139****5678" in main and "13912345678" not in main  # masked as the API masks it
    assert page.locator("time[data-countdown]").count() == 1  # the 24-hour clock
    picture = tmp_path / "photo.png"
    picture.write_bytes(PNG)
    page.select_option("#id_quick_reply", label=_zh("In stock"))  # the shop's seeded quick reply
    assert "现货" in page.input_value("#id_text")  # the quick reply filled the text
    page.set_input_files("#id_images", str(picture))
    _shots(page, "messages-detail")
    page.get_by_role("button", name=_zh("Send"), exact=True).click()
    page.get_by_text(_zh("Answer sent.")).wait_for()
    reply = Message.objects.get(conversation=conversation, side=Message.Side.MERCHANT)
    assert "现货" in reply.text and reply.images.count() == 1
    conversation.refresh_from_db()
    assert conversation.reply_due_at is None  # MSG-2: the clock is met
    page.goto(f"{live_server.url}/merchant/messages/?filter=all")
    _shots(page, "messages-list")
    assert Conversation.objects.get().pk == conversation.pk


def test_rep_1_rep_2_merchant_replies_to_a_review_and_reports_another_in_the_browser(
    live_server: Any, browser: Any, shop: Merchant, listing: Listing
) -> None:
    kind = review_for(completed_order(sku=listing.skus.get()), rating=5, text="杯子很好，保温一整天")
    rude = review_for(completed_order(sku=listing.skus.get()), rating=1, text="垃圾店铺，骗子")
    page = _signed_in(browser, live_server.url, shop.owner)
    page.get_by_role("link", name=_zh("Reviews"), exact=True).click()
    _shots(page, "reviews-list")
    page.get_by_role("link", name=f"#{kind.pk}").click()
    page.fill("#id_text", "感谢您的好评，欢迎再次光临！")
    page.get_by_role("button", name=_zh("Publish the reply")).click()
    page.get_by_test_id("reply").wait_for()
    kind.refresh_from_db()
    assert kind.reply_text == "感谢您的好评，欢迎再次光临！"
    page.goto(f"{live_server.url}/merchant/reviews/{rude.pk}/")
    page.select_option("#id_reason", "abuse")
    page.fill("#id_note", "评价中含有辱骂内容")
    _shots(page, "reviews-detail")
    page.once("dialog", lambda dialog: dialog.accept())  # the confirmation
    page.get_by_role("button", name=_zh("Report the review")).click()
    page.get_by_test_id("reported").wait_for()
    flag = ReviewFlag.objects.get(review=rude)
    assert flag.signal == ReviewFlag.Signal.MERCHANT_REPORT and flag.details["reason"] == "abuse"
    rude.refresh_from_db()
    assert rude.status == Review.Status.VISIBLE


def test_cat_7_merchant_files_a_counter_notice_with_evidence_in_the_browser(
    live_server: Any, browser: Any, shop: Merchant, listing: Listing, tmp_path: Path
) -> None:
    notice = ip_notice_taken_down(listing)
    licence = tmp_path / "licence.pdf"
    licence.write_bytes(PDF_BYTES)
    page = _signed_in(browser, live_server.url, shop.owner)
    page.get_by_role("link", name=_zh("IP notices"), exact=True).click()
    page.get_by_role("link", name=f"#{notice.pk}").click()
    page.fill("#id_statement", "我方拥有该商标的授权，附授权书。")
    page.set_input_files("#id_evidence", str(licence))
    page.get_by_role("button", name=_zh("File the counter-notice")).click()
    page.get_by_test_id("counter-forwarded").wait_for()
    assert page.locator("time[data-countdown]").count() == 1  # the rights holder's 15 days
    _shots(page, "ip-notice-detail")
    notice.refresh_from_db()
    assert notice.status == IpNotice.Status.COUNTER_NOTICED and len(notice.counter_proof) == 1
    page.goto(f"{live_server.url}/merchant/ip-notices/")
    _shots(page, "ip-notices-list")


def test_mer_6a_merchant_uploads_a_replaced_licence_and_reports_the_change_in_the_browser(
    live_server: Any, browser: Any, shop: Merchant, tmp_path: Path
) -> None:
    licence = tmp_path / "licence.pdf"
    licence.write_bytes(PDF_BYTES)
    page = _signed_in(browser, live_server.url, shop.owner)
    page.get_by_role("link", name=_zh("Change reports"), exact=True).click()
    page.select_option("#id_kind", "business_licence")
    page.fill("#id_number", "91310000MA1NEW0001")
    page.fill("#id_issuer", "上海市市场监督管理局")
    page.fill("#id_valid_from", date(2026, 12, 1).isoformat())
    page.set_input_files("#id_file", str(licence))
    page.get_by_role("button", name=_zh("Upload"), exact=True).click()
    page.get_by_test_id("change-duty").wait_for()  # the 3-working-day duty, as a countdown
    assert page.get_by_test_id("change-duty").locator("time[data-countdown]").count() == 1
    _shots(page, "changes-duty")
    page.fill("#id_legal_name", "上海好物新名称贸易有限公司")
    page.get_by_role("button", name=_zh("Report the change")).click()
    page.get_by_text(_zh("Change reported. Staff verify it within 7 working days.")).wait_for()
    change = MerchantChange.objects.get(merchant=shop)
    assert change.changes == {"legal_name": "上海好物新名称贸易有限公司"}
    assert page.get_by_test_id("change-duty").count() == 0
    _shots(page, "changes-reported")


def test_notifications_centre_shows_the_unread_count_and_marks_read_in_the_browser(
    live_server: Any, browser: Any, shop: Merchant
) -> None:
    (first,) = notify(
        recipient=shop.owner, event="order_paid", title="新订单待发货", body="订单已付款，请在 48 小时内发货"
    )
    notify(
        recipient=shop.owner, event="conversation_message", title="顾客消息待回复", body="会话 #1 等待回复"
    )
    page = _signed_in(browser, live_server.url, shop.owner)
    badge = page.get_by_test_id("unread-notifications")
    assert badge.locator(".count-badge").inner_text() == "2"
    badge.click()
    _shots(page, "notifications")
    page.get_by_role("button", name=_zh("Mark as read"), exact=True).first.click()
    page.get_by_text(_zh("Notification marked read.")).wait_for()
    assert page.get_by_test_id("unread-notifications").locator(".count-badge").inner_text() == "1"
    page.get_by_role("button", name=_zh("Mark all as read")).click()
    page.wait_for_load_state()
    assert page.get_by_test_id("unread-notifications").locator(".count-badge").count() == 0
    assert not Notification.objects.filter(recipient=shop.owner, read_at__isnull=True).exists()
    assert first.pk in set(Notification.objects.values_list("pk", flat=True))
