"""Issue 22 in a real browser (Playwright, Debian's Chromium): the rough edges a merchant met, on a phone
(390 px) and a laptop (1366 px). The navigation wraps instead of hiding 资金 / 店铺信誉 / 成员; a saved draft
with a banned phrase shows it on opening, above the Save button; cancelling an order (ORD-2) asks first and
needs a reason; the after-sales policy (ORD-1) is a form; the listing form adds and removes SKU rows and
shows the service fields only for a service. Screenshots of every page touched at both widths
go to ``settings.VAR_DIR / "screenshots"``."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aftersales.models import MerchantAfterSalesPolicy
from catalog.models import Category
from merchants.models import Merchant
from orders.models import Order
from platform_core.audit.models import AuditEntry
from tests.dashboard.conftest import CHROMIUM
from tests.dashboard.test_browser import _zh
from tests.factories.accounts import DEFAULT_PASSWORD
from tests.factories.catalog import draft_listing

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]

PHONE, LAPTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}


def _signed_in(browser: Any, base: str, merchant: Merchant, viewport: dict[str, int]) -> Any:
    page = browser.new_context(locale="zh-CN", viewport=viewport).new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/merchant/login/")
    page.fill("#id_username", str(merchant.owner.phone))
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name=_zh("Sign in")).click()
    page.wait_for_url(f"{base}/merchant/")
    return page


def test_ord_1_ord_2_cat_3_the_workbench_on_a_phone_and_a_laptop(
    transactional_db: None,
    live_server: Any,
    browser: Any,
    shots: Path,
    shop: Merchant,
    category: Category,
    make_paid_order: Callable[..., Order],
) -> None:
    order = make_paid_order()
    draft = draft_listing(merchant=shop, category=category, title="最佳保温杯 500ml")
    base = live_server.url
    phone = _signed_in(browser, base, shop, PHONE)

    # the navigation wraps at 390 px: nothing scrolls sideways, every item is on screen
    nav = phone.locator("nav.mainnav")
    assert nav.evaluate("n => n.scrollWidth <= n.clientWidth")
    for name in ("Money", "Standing", "Members", "Re-verification", "Agreement"):
        box = phone.get_by_role("link", name=_zh(name), exact=True).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
    assert phone.get_by_role("combobox", name=_zh("Language")).locator("option").all_inner_texts() == [
        "简体中文",
        "English",
    ]

    # CAT-3: the saved draft's banned phrase is flagged on opening, and the panel sits above "Save"
    phone.goto(f"{base}/merchant/listings/{draft.pk}/")
    assert phone.locator("#prescreen mark").first.inner_text() == "最佳"
    panel = phone.locator("#prescreen").bounding_box()
    save = phone.locator('button[form="listing-form"].btn-primary').bounding_box()
    assert panel is not None and save is not None and panel["y"] < save["y"]

    # ORD-2: cancelling asks first; dismissed, nothing happens; confirmed, the order is cancelled
    phone.goto(f"{base}/merchant/orders/{order.pk}/")
    phone.get_by_text(_zh("Cancel the order"), exact=True).first.click()
    phone.fill("#id_reason", "仓库缺货")
    phone.once("dialog", lambda dialog: dialog.dismiss())
    phone.get_by_role("button", name=_zh("Cancel the order")).click()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name=_zh("Cancel the order")).click()
    phone.wait_for_selector(".msg-success")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert AuditEntry.objects.filter(action="order.cancelled", subject_id=str(order.pk)).exists()

    # ORD-1: the after-sales policy form
    phone.goto(f"{base}/merchant/aftersales/policy/")
    phone.check("#id_pays_no_reason_return_shipping")
    phone.fill("#id_warranty_days", "180")
    phone.get_by_role("button", name=_zh("Save the policy")).click()
    phone.wait_for_selector(".msg-success")
    policy = MerchantAfterSalesPolicy.objects.get(merchant=shop)
    assert policy.pays_no_reason_return_shipping and policy.warranty_days == 180

    laptop = _signed_in(browser, base, shop, LAPTOP)

    # CAT-1 (issue 22): SKU rows are added and removed, service fields show only for a service
    laptop.goto(f"{base}/merchant/listings/new/")
    rows = laptop.locator("fieldset.skus .sku-row:visible")
    assert rows.count() == 1
    laptop.get_by_role("button", name=_zh("Add a SKU")).click()
    laptop.get_by_role("button", name=_zh("Add a SKU")).click()
    assert rows.count() == 3 and laptop.locator("#id_skus-2-code").is_visible()
    laptop.get_by_role("button", name=_zh("Remove this SKU")).nth(1).click()
    assert rows.count() == 2
    assert not laptop.locator("#id_service_area").is_visible()
    laptop.select_option("#id_kind", "service")
    assert laptop.locator("#id_service_area").is_visible()
    pages = {
        "home": "/merchant/",
        "orders": "/merchant/orders/?filter=all",
        "order": f"/merchant/orders/{order.pk}/",
        "listing-draft": f"/merchant/listings/{draft.pk}/",
        "listing-new": "/merchant/listings/new/",
        "aftersales-policy": "/merchant/aftersales/policy/",
        "standing": "/merchant/standing/",
        "members": "/merchant/members/",
        "money": "/merchant/money/",
    }
    for name, path in pages.items():
        for width, page in (("390", phone), ("1366", laptop)):
            page.goto(f"{base}{path}")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
                name,
                width,
            )
            page.screenshot(path=str(shots / f"issue22-{name}-{width}.png"), full_page=True)
