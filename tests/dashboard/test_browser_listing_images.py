"""SEC-4, CAT-1 (issue 22) in a real browser (Playwright, Debian's Chromium): the listing form uploads a
PNG — previewed before it is sent — saves the draft, and the saved listing shows the image's thumbnail,
served by the permission-checking image route. Screenshots at 1366 px and 390 px go to
``settings.VAR_DIR / "screenshots"``."""

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from catalog.models import Category, Listing, ListingImage
from merchants.models import Merchant
from tests.dashboard.conftest import CHROMIUM
from tests.dashboard.test_browser import _zh
from tests.dashboard.test_browser_workbench import LAPTOP, PHONE, _signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 140, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def _loaded(page: Any, selector: str) -> bool:
    """The image has been fetched and decoded (scrolled to first: thumbnails load lazily)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.locator(selector).first.scroll_into_view_if_needed()
    try:
        page.wait_for_function(
            "s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0; }",
            arg=selector,
            timeout=5000,
        )
    except PlaywrightTimeout:
        return False
    return True


def test_sec_4_cat_1_upload_a_png_on_the_listing_form_and_see_its_thumbnail(
    transactional_db: None, live_server: Any, browser: Any, shots: Path, shop: Merchant, category: Category
) -> None:
    base = live_server.url
    page = _signed_in(browser, base, shop, LAPTOP)
    page.goto(f"{base}/merchant/listings/new/")
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_title", "竹制砧板 大号")
    page.fill("#id_description", "整竹压制，防霉易清洗。")
    page.set_input_files(
        "#id_newimg-uploads", files=[{"name": "board.png", "mimeType": "image/png", "buffer": _png()}]
    )
    page.locator("[data-image-previews] img").first.wait_for()  # previewed before it is uploaded
    page.fill("#id_newimg-alt", "砧板正面")
    page.fill("#id_skus-0-code", "BRD-L")
    page.fill("#id_skus-0-price", "49.00")
    page.fill("#id_skus-0-stock", "30")
    page.screenshot(path=str(shots / "listing-images-new-1366.png"), full_page=True)
    page.get_by_role("button", name=_zh("Save draft")).click()
    page.wait_for_url(f"{base}/merchant/listings/*/")

    listing = Listing.objects.get(merchant=shop)
    image = ListingImage.objects.get(shop=shop)
    assert listing.candidate_version is not None
    assert listing.candidate_version.images == [{"url": image.url, "alt": "砧板正面"}]
    thumb = page.get_by_test_id("image-thumb")
    assert thumb.count() == 1 and thumb.get_attribute("src") == image.url
    assert _loaded(page, '[data-testid="image-thumb"]')  # the shop sees its own draft's image
    assert page.get_by_label(_zh("Image description (alt text)")).input_value() == "砧板正面"
    page.screenshot(path=str(shots / "listing-images-saved-1366.png"), full_page=True)

    phone = _signed_in(browser, base, shop, PHONE)
    phone.goto(f"{base}/merchant/listings/{listing.pk}/")
    assert _loaded(phone, '[data-testid="image-thumb"]')
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    phone.screenshot(path=str(shots / "listing-images-saved-390.png"), full_page=True)
    phone.goto(f"{base}/merchant/listings/new/")
    phone.screenshot(path=str(shots / "listing-images-new-390.png"), full_page=True)
