"""DSP-1 in a real browser (Playwright, Debian's Chromium): the shop opens a dispute from an order with an
unresolved complaint — "发起纠纷" on the order's page and on its after-sales request's page, the form with
the reason and an evidence file, the confirmation — and lands on the case, with the payment held.
Screenshots at 390 px and 1366 px go to ``settings.VAR_DIR / "screenshots"``."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aftersales.models import AfterSalesRequest
from disputes.models import Dispute, DisputeEvidenceFile
from merchants.models import Merchant
from tests.dashboard.conftest import CHROMIUM
from tests.dashboard.test_browser import _zh
from tests.dashboard.test_browser_workbench import LAPTOP, PHONE, _signed_in
from tests.factories.aftersales import PNG, file_complaint

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def test_dsp_1_the_shop_opens_a_dispute_from_the_order_page(
    transactional_db: None,
    live_server: Any,
    browser: Any,
    shots: Path,
    shop: Merchant,
    make_request: Callable[..., AfterSalesRequest],
) -> None:
    request = make_request()
    order = request.order
    file_complaint(complainant=order.customer, order=order, description="商品与描述不符，客服不处理")
    base = live_server.url

    phone = _signed_in(browser, base, shop, PHONE)
    phone.goto(f"{base}/merchant/aftersales/{request.pk}/")  # offered on the after-sales page too
    assert phone.get_by_test_id("open-dispute").inner_text() == _zh("Open a dispute")
    phone.get_by_test_id("open-dispute").click()
    phone.wait_for_url(f"{base}/merchant/orders/{order.pk}/dispute/")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(shots / "dsp-1-open-dispute-390.png"), full_page=True)

    laptop = _signed_in(browser, base, shop, LAPTOP)
    laptop.goto(f"{base}/merchant/orders/{order.pk}/")
    laptop.get_by_test_id("open-dispute").click()
    laptop.wait_for_url(f"{base}/merchant/orders/{order.pk}/dispute/")
    laptop.fill("#id_reason", "顾客投诉与事实不符：商品签收时完好，附签收照片。")
    laptop.set_input_files(
        "#id_evidence_files", files=[{"name": "签收照片.png", "mimeType": "image/png", "buffer": PNG}]
    )
    laptop.screenshot(path=str(shots / "dsp-1-open-dispute-1366.png"), full_page=True)
    laptop.once("dialog", lambda dialog: dialog.accept())
    laptop.get_by_role("button", name=_zh("Open the dispute")).click()
    laptop.wait_for_selector(".msg-success")
    dispute = Dispute.objects.get(order=order)
    assert laptop.url == f"{base}/merchant/disputes/{dispute.pk}/"
    assert dispute.opener_role == Dispute.OpenerRole.MERCHANT and dispute.status == Dispute.Status.EVIDENCE
    assert dispute.hold is not None  # PAY-6: the escrow is held at once
    (evidence,) = dispute.evidence.all()
    assert evidence.statement.startswith("顾客投诉与事实不符") and evidence.party == "merchant"
    assert DisputeEvidenceFile.objects.filter(evidence=evidence, content_type="image/png").count() == 1
    laptop.screenshot(path=str(shots / "dsp-1-dispute-opened-1366.png"), full_page=True)

    # the case is open: the order's page no longer offers a second one
    laptop.goto(f"{base}/merchant/orders/{order.pk}/")
    assert laptop.get_by_test_id("open-dispute").count() == 0


def test_dsp_6_msg_1_the_jury_page_and_the_quick_replies_page_on_a_phone_and_a_laptop(
    transactional_db: None,
    live_server: Any,
    browser: Any,
    shots: Path,
    shop: Merchant,
    make_dispute: Callable[[], Dispute],
) -> None:
    """DSP-6: the shop consents on the jury page, which then says when; MSG-1: a quick reply is added on
    the quick replies page. Both pages at 390 px and 1366 px, nothing scrolling sideways."""
    from aftersales.models import QuickReply
    from jury.models import JuryCase

    dispute = make_dispute()
    base = live_server.url
    for name, viewport in (("390", PHONE), ("1366", LAPTOP)):
        page = _signed_in(browser, base, shop, viewport)
        page.goto(f"{base}/merchant/disputes/{dispute.pk}/")
        page.get_by_test_id("jury-consent").get_by_role("link").click()
        page.wait_for_url(f"{base}/merchant/disputes/{dispute.pk}/jury-consent/")
        if name == "390":
            assert page.get_by_test_id("shop-consent").inner_text() == _zh("Not consented")
            page.once("dialog", lambda dialog: dialog.accept())
            page.get_by_role("button", name=_zh("Consent to a public jury")).click()
            page.wait_for_selector(".msg-success")
        assert JuryCase.objects.get(dispute=dispute).merchant_consented_at is not None
        assert page.get_by_test_id("shop-consent").inner_text().startswith("已于")
        assert page.get_by_role("button", name=_zh("Consent to a public jury")).count() == 0
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(shots / f"dsp-6-jury-consent-{name}.png"), full_page=True)

        page.goto(f"{base}/merchant/messages/quick-replies/")
        if name == "390":
            page.fill("#id_title", "包邮")
            page.fill("#id_text", "全国包邮（偏远地区除外）。")
            page.get_by_role("button", name=_zh("Add"), exact=True).click()
            page.wait_for_selector(".msg-success")
        rows = page.get_by_test_id("quick-reply-row")
        assert rows.count() == 7 and "包邮" in rows.last.inner_text()
        assert QuickReply.objects.filter(merchant=shop, title="包邮").exists()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(shots / f"msg-1-quick-replies-{name}.png"), full_page=True)
