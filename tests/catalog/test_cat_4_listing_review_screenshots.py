"""CAT-4, issue 21 ("What it must show"): screenshots of the listing review page in a real browser
(Playwright driving Debian's Chromium against the live server, 1366 px wide, zh-hans) into
``var/screenshots/console-listing-review*.png``: a re-review with a changed title flagged by the pre-screen,
a re-review of a raised SKU price, a first submission, the page after "approve and next", and a rejection
sent without a reason. Each page is held to the console walk's rule: nothing on its chrome in English."""

import base64
import io
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image, ImageDraw

from catalog.models import Listing, Sku
from catalog.services.listings import listing_submit, listing_update
from catalog.services.skus import sku_update
from tests.dashboard.conftest import (  # noqa: F401  (fixtures: the browser, the folder, sync ORM)
    _allow_sync_orm_beside_playwright,
    browser,
    shots,
)
from tests.dashboard.test_browser import _totp_device
from tests.factories.accounts import DEFAULT_PASSWORD, UserFactory
from tests.factories.catalog import (
    BannedTermFactory,
    CategoryFactory,
    approved_listing,
    draft_listing,
    merchant_for,
)
from tests.platform_core.console.test_stf_console_zh_hans import _problems, _translated_msgids

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("platform_default_language"),
]


def _photo(colour: tuple[int, int, int]) -> str:
    """A small product photo as a data URL (the admin's CSP allows ``data:`` images; no network here)."""
    image = Image.new("RGB", (320, 320), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((110, 40, 210, 290), radius=30, fill=colour)
    draw.rectangle((120, 20, 200, 50), fill=(60, 60, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


SKUS = [
    {"code": "BLK-500", "price": "59.00", "stock": 120, "attributes": {"颜色": "黑", "容量": "500ml"}},
    {"code": "WHT-500", "price": "69.00", "stock": 35, "attributes": {"颜色": "白", "容量": "500ml"}},
    {"code": "RED-750", "price": "79.00", "stock": 0, "attributes": {"颜色": "红", "容量": "750ml"}},
]


def test_cat_4_listing_review_page_screenshots(live_server: Any, settings: Any, request: Any) -> None:
    chromium, shots_dir = request.getfixturevalue("browser"), request.getfixturevalue("shots")
    settings.STAFF_REQUIRE_OTP = True
    BannedTermFactory(phrase="顶级", severity="soft", reason="absolute claim")
    merchant = merchant_for(
        CategoryFactory(name="保温杯", deposit_amount=Decimal("0.00")), name="暖意家居旗舰店"
    )
    images = [
        {"url": _photo((30, 30, 30)), "alt": "黑色保温杯正面"},
        {"url": _photo((230, 230, 230)), "alt": "白色保温杯侧面"},
        {"url": _photo((190, 40, 40)), "alt": "红色保温杯与杯套"},
    ]
    retitled = approved_listing(merchant=merchant, skus=SKUS, images=images)
    listing_update(
        listing=retitled,
        actor=merchant.owner,
        title="顶级不锈钢保温杯 500ml",
        description="双层真空，保温24小时。\n赠送杯套一个。",
    )
    repriced = approved_listing(merchant=merchant, skus=SKUS, images=images[:1], title="旅行保温壶 750ml")
    sku = Sku.objects.get(listing=repriced, code="RED-750")
    sku_update(sku_id=sku.pk, merchant=merchant, actor=merchant.owner, price=Decimal("129.00"))
    fresh = draft_listing(merchant=merchant, title="儿童吸管保温杯 350ml", images=images[1:2])
    listing_submit(listing=fresh, actor=merchant.owner)
    versions = {x.pk: Listing.objects.get(pk=x.pk).candidate_version_id for x in (retitled, repriced, fresh)}
    user = UserFactory.create(is_staff=True, is_superuser=True, name="审核员小王")

    page = chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    page.set_default_timeout(15000)
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    device_id, token = _totp_device(user)
    page.fill("#id_username", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("input[type=submit]:not([name])").click()  # SEC-3: the password, then which device
    page.wait_for_load_state()
    page.select_option("#id_otp_device", value=device_id)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.fill("#id_otp_token", token)
    page.locator("input[type=submit]:not([name])").click()
    page.wait_for_load_state()
    assert page.url == f"{base}/admin/", page.locator(".errornote, .errorlist").all_inner_texts()

    msgids = _translated_msgids()
    problems: list[str] = []

    def shot(name: str) -> None:
        target = shots_dir / f"console-listing-review-{name}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
        problems.extend(_problems(page.url, page.content(), msgids))

    def review(listing: Listing) -> None:
        response = page.goto(f"{base}/admin/catalog/listingreview/{versions[listing.pk]}/change/")
        assert response is not None and response.status == 200

    review(retitled)
    shot("1-changed-title")
    review(repriced)
    shot("2-changed-price")
    review(fresh)
    shot("3-first-submission")

    review(retitled)
    page.fill("#id_approve-note", "标题用语已核实")
    page.locator("input[name=_approve]").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/admin/catalog/listingreview/{versions[repriced.pk]}/change/")  # and next
    shot("4-approved-and-next")
    page.locator("input[name=_reject]").click()  # no reason chosen: the form says so
    page.wait_for_load_state()
    shot("5-reject-needs-a-reason")
    assert Listing.objects.get(pk=repriced.pk).status == Listing.Status.PENDING_REVIEW
    assert Listing.objects.get(pk=retitled.pk).live_version_id == versions[retitled.pk]
    assert problems == []
