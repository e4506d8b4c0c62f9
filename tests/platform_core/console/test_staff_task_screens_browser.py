"""Issue 21: the staff tasks' pages (CAT-6, VIO-1, DSP-1) in a real browser, as a zh-CN staff member signed in
with the second factor; screenshots go to ``settings.VAR_DIR / "screenshots"`` (looked at, kept by CI)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from catalog.services.inspections import inspection_batch_create
from tests.dashboard.conftest import (  # noqa: F401 (fixtures)
    _allow_sync_orm_beside_playwright,
    browser,
    shots,
)
from tests.factories.accounts import UserFactory
from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for
from tests.helpers.admin_otp import otp_admin_client as admin_signed_in

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


@pytest.fixture
def staff_page(live_server: Any, browser: Any, settings: Any) -> Iterator[Any]:  # noqa: F811
    settings.STAFF_REQUIRE_OTP = True
    root = UserFactory.create(is_staff=True, is_superuser=True, name="运营主管")
    client = admin_signed_in(root)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page, root
    context.close()


def test_issue_21_staff_task_pages_in_the_browser(
    live_server: Any,
    staff_page: Any,
    shots: Path,  # noqa: F811
) -> None:
    page, root = staff_page
    base = live_server.url
    category = CategoryFactory.create(name="家居日用")
    listing = approved_listing(merchant=merchant_for(category))
    batch = inspection_batch_create(size=1, actor=root)
    inspection = batch.inspections.get()
    assert inspection.listing_id == listing.pk

    page.goto(f"{base}/admin/catalog/inspection/create-batch/")
    assert "创建抽检批次" in page.content()
    page.screenshot(path=str(shots / "s6a-01-inspection-batch.png"), full_page=True)

    page.goto(f"{base}/admin/catalog/inspection/?state=open")
    assert f"/admin/catalog/inspection/{inspection.pk}/record/" in page.content()
    page.screenshot(path=str(shots / "s6a-02-inspections-open.png"), full_page=True)

    page.goto(f"{base}/admin/catalog/inspection/{inspection.pk}/record/")
    page.check("input[name=result][value=fail]")
    page.locator("input[type=submit]").click()
    page.wait_for_load_state()
    assert "请说明发现的问题" in page.content()  # a failure needs its findings
    page.screenshot(path=str(shots / "s6a-03-inspection-record-error.png"), full_page=True)

    page.goto(f"{base}/admin/merchants/violation/add/")
    assert "违规类型" in page.content()
    page.screenshot(path=str(shots / "s6a-04-violation-add.png"), full_page=True)

    page.goto(f"{base}/admin/disputes/dispute/add/")
    assert "平台主动发起争议" in page.content()
    page.screenshot(path=str(shots / "s6a-05-dispute-add.png"), full_page=True)
    assert Path(settings.VAR_DIR, "screenshots", "s6a-05-dispute-add.png").exists()
