"""Issue 21, "What it must show": screenshots of the console's pages in a real browser (Playwright driving
Debian's Chromium against the live server), in the platform's default language, into
``settings.VAR_DIR / "screenshots"`` (``console-*.png``): the index (work queues, timed jobs, the apps),
a changelist, a change page with its transition buttons, the listing review queue and the reports page.
Each page is also held to the walk's rule (``test_stf_console_zh_hans``): nothing on its chrome in English.
"""

from typing import Any

import pytest

from catalog.models import Listing
from merchants.models import Merchant
from tests.dashboard.conftest import (  # noqa: F401  (fixtures: the browser, the folder, sync ORM)
    _allow_sync_orm_beside_playwright,
    browser,
    shots,
)
from tests.dashboard.test_browser import _totp_device
from tests.factories.accounts import DEFAULT_PASSWORD, UserFactory
from tests.factories.orders import paid_order
from tests.platform_core.console.seed import seed_queues
from tests.platform_core.console.test_stf_console_zh_hans import _problems, _translated_msgids

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("platform_default_language"),
]


def test_stf_console_screenshots_in_chinese(live_server: Any, settings: Any, request: Any) -> None:
    chromium, shots_dir = request.getfixturevalue("browser"), request.getfixturevalue("shots")
    settings.STAFF_REQUIRE_OTP = True
    seed_queues(1)
    paid_order()
    user = UserFactory.create(is_staff=True, is_superuser=True)
    merchant = Merchant.objects.order_by("pk").first()
    listing = Listing.objects.filter(status=Listing.Status.PENDING_REVIEW).order_by("pk").first()
    assert merchant is not None and listing is not None

    page = chromium.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900}).new_page()
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
    pages = {
        "console-01-index": "/admin/",
        "console-02-merchants": "/admin/merchants/merchant/",
        "console-03-merchant": f"/admin/merchants/merchant/{merchant.pk}/change/",
        "console-04-listing-review": "/admin/catalog/listingreview/",
        "console-05-listing": f"/admin/catalog/listing/{listing.pk}/change/",
        "console-06-reports": "/admin/reports/report/",
    }
    problems = []
    for name, path in pages.items():
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)
        target = shots_dir / f"{name}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
        problems += _problems(path, page.content(), msgids, str(merchant if "merchant/" in path else listing))
    assert problems == []
