"""CAT-2, CAT-3, CAT-4 through the admin (issue 21, "the listing review page shows the whole listing … with
approve / reject buttons on the page itself"): a reviewer signed in with the second factor opens a listing
version waiting for review and sees the whole listing (price range, every SKU, images with alt text, the
pre-screen findings) and, when a version is on sale, the field-by-field diff against it in Chinese; approves
or rejects (with a reason picked from a list) on the page, which calls the review service (audit row) and
goes on to the next listing waiting. A version no longer waiting answers 409 with a message, never a 500;
staff without ``catalog.review_listing`` get 403."""

from decimal import Decimal

import pytest

from catalog.models import Listing, ListingVersion, Sku
from catalog.services.listings import listing_submit, listing_update
from catalog.services.review import listing_approve
from catalog.services.skus import sku_update
from merchants.models import Merchant
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.audit.models import AuditEntry
from tests.factories.accounts import StaffFactory
from tests.factories.catalog import BannedTermFactory, approved_listing, draft_listing, reviewer
from tests.helpers.admin_otp import otp_admin_client
from tests.helpers.queries import assert_max_queries
from tests.platform_core.console.test_stf_console_zh_hans import _problems, _translated_msgids

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform_default_language")]

TWO_SKUS = [
    {"code": "BLK", "price": "59.00", "stock": 10, "attributes": {"颜色": "黑", "容量": "500ml"}},
    {"code": "WHT", "price": "69.00", "stock": 4, "attributes": {"颜色": "白", "容量": "500ml"}},
]


@pytest.fixture(autouse=True)
def _second_factor(settings) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production


def _page(version: ListingVersion) -> str:
    return f"/admin/catalog/listingreview/{version.pk}/change/"


def _pending(listing: Listing) -> ListingVersion:
    listing.refresh_from_db()
    assert listing.candidate_version is not None
    return listing.candidate_version


def _price_change(merchant: Merchant, *, price: str = "99.00") -> tuple[Listing, ListingVersion]:
    """An approved listing with two SKUs whose merchant raised one price by more than half (CAT-2: back to
    review while the old price stays on sale)."""
    listing = approved_listing(merchant=merchant, skus=TWO_SKUS)
    black = Sku.objects.get(listing=listing, code="BLK")
    sku_update(sku_id=black.pk, merchant=merchant, actor=merchant.owner, price=Decimal(price))
    return listing, _pending(listing)


def _row(html: str, label: str) -> str:
    """The diff's table row whose header starts with ``label``."""
    html = html[html.index('class="module review-diff"') :]
    start = html.index(f'<th scope="row">{label}')
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_cat_4_reviewer_sees_the_diff_and_approves_on_the_review_page(merchant: Merchant) -> None:
    listing, version = _price_change(merchant)
    waiting_next = draft_listing(merchant=merchant, title="真空保温壶 1L")
    listing_submit(listing=waiting_next, actor=merchant.owner)
    staff = reviewer()
    client = otp_admin_client(staff)
    queue = client.get("/admin/catalog/listingreview/").content.decode()
    assert f'<a href="{_page(version)}" class="viewlink">审核最早提交的商品</a>' in queue  # the oldest first

    page = client.get(_page(version))
    assert page.status_code == 200
    html = page.content.decode()
    # the whole listing: title, price range, every SKU with its spec, price and stock, images with alt text
    assert '<td class="review-title">不锈钢保温杯 500ml</td>' in html
    assert '<td class="price-range">¥69.00 – ¥99.00</td>' in html  # the price range submitted
    assert "颜色：黑" in html and "颜色：白" in html and "容量：500ml" in html  # each SKU's spec
    assert '<td class="number">10</td>' in html and '<td class="number">4</td>' in html  # and stock
    assert '<img src="https://img.example.com/1.jpg" alt="保温杯正面"' in html
    # the diff against the version on sale, field by field in Chinese; the changed SKU price highlighted
    price_row = _row(html, "SKU BLK 的价格")
    assert 'class="changed"' in price_row and "¥59.00" in price_row and "¥99.00" in price_row
    range_row = _row(html, "价格区间")
    assert (
        'class="changed"' in range_row and "¥59.00 – ¥69.00" in range_row and "¥69.00 – ¥99.00" in range_row
    )
    assert 'class="same"' in _row(html, "标题")
    sku_row = html[html.index("<td>BLK</td>") - 40 : html.index("<td>BLK</td>")]
    assert 'class="changed' in sku_row

    approved = client.post(_page(version), {"_approve": "1", "approve-note": "价格合理"})
    # approve and next: on to the oldest listing still waiting
    assert approved.status_code == 302
    assert approved["Location"] == _page(_pending(waiting_next))
    listing.refresh_from_db()
    assert listing.on_sale and listing.live_version_id == version.pk
    assert Sku.objects.get(listing=listing, code="BLK").price == Decimal("99.00")
    entry = AuditEntry.objects.get(action="listing.approved", subject_id=str(listing.pk), actor=staff)
    assert (
        entry.reason == "价格合理" and entry.after is not None and entry.after["price"] == ["69.00", "99.00"]
    )
    following = client.get(approved["Location"])
    assert any("已通过" in m for m in _messages(following)), _messages(following)


def test_cat_2_reviewer_rejects_with_a_reason_chosen_on_the_review_page(merchant: Merchant) -> None:
    listing = draft_listing(merchant=merchant)
    listing_submit(listing=listing, actor=merchant.owner)
    version = _pending(listing)
    staff = reviewer()
    client = otp_admin_client(staff)
    html = client.get(_page(version)).content.decode()
    assert "首次提交" in html  # nothing on sale to compare with
    assert '<option value="not_as_described">描述与商品或图片不符</option>' in html

    no_reason = client.post(_page(version), {"_reject": "1", "reject-reason": "", "reject-detail": ""})
    other_unsaid = client.post(
        _page(version), {"_reject": "1", "reject-reason": "other", "reject-detail": " "}
    )
    assert (no_reason.status_code, other_unsaid.status_code) == (400, 400)
    assert _pending(listing) == version and not AuditEntry.objects.filter(action="listing.rejected").exists()

    rejected = client.post(
        _page(version),
        {"_reject": "1", "reject-reason": "not_as_described", "reject-detail": "容量与图片不符"},
    )
    assert rejected.status_code == 302 and rejected["Location"] == "/admin/catalog/listingreview/"
    listing.refresh_from_db()
    version.refresh_from_db()
    assert listing.status == Listing.Status.REJECTED and not listing.on_sale
    assert version.status == ListingVersion.Status.REJECTED and version.reviewer == staff
    assert (version.reject_reason, version.review_note) == ("not_as_described", "容量与图片不符")
    entry = AuditEntry.objects.get(action="listing.rejected", subject_id=str(listing.pk))
    assert entry.actor == staff and entry.reason == "容量与图片不符"
    assert entry.after is not None and entry.after["reject_reason"] == "not_as_described"


def test_cat_4_staff_without_the_review_permission_get_403_on_the_review_page(merchant: Merchant) -> None:
    listing = draft_listing(merchant=merchant)
    listing_submit(listing=listing, actor=merchant.owner)
    version = _pending(listing)
    finance = otp_admin_client(StaffFactory.create(role=Role.STAFF_FINANCE))
    assert finance.get(_page(version)).status_code == 403
    assert finance.post(_page(version), {"_approve": "1"}).status_code == 403
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING_REVIEW
    assert not AuditEntry.objects.filter(action="listing.approved", subject_id=str(listing.pk)).exists()


def test_cat_4_a_version_no_longer_waiting_answers_409_with_a_message(merchant: Merchant) -> None:
    listing, version = _price_change(merchant)
    first = version.listing.versions.get(number=1)
    client = otp_admin_client(reviewer())
    assert client.get(_page(version)).status_code == 200

    # the page of the version on sale, while another waits: deciding there must not decide the other one
    stale = client.post(_page(first), {"_approve": "1"})
    assert stale.status_code == 409
    assert "不再是等待审核的版本" in stale.content.decode()
    assert _pending(listing) == version

    approved_elsewhere: User = reviewer()
    listing_approve(listing=listing, actor=approved_elsewhere)
    late = client.post(_page(version), {"_reject": "1", "reject-reason": "price", "reject-detail": ""})
    assert late.status_code == 409
    html = late.content.decode()
    assert "没有待审核的内容" in html and "该版本已不在待审核状态" in html and 'name="_reject"' not in html
    listing.refresh_from_db()
    assert listing.on_sale and listing.live_version_id == version.pk
    assert not AuditEntry.objects.filter(action="listing.rejected").exists()
    shown = client.get(_page(version))
    assert shown.status_code == 200 and "该版本已不在待审核状态" in shown.content.decode()


def test_cat_3_review_page_shows_findings_and_speaks_zh_hans(merchant: Merchant) -> None:
    BannedTermFactory(phrase="顶级", severity="soft", reason="absolute claim")
    listing = approved_listing(merchant=merchant, skus=TWO_SKUS)
    listing_update(
        listing=listing, actor=merchant.owner, title="顶级保温杯", description="保温24小时\n送杯套"
    )
    version = _pending(listing)
    client = otp_admin_client(reviewer())
    html = client.get(_page(version)).content.decode()
    assert "<mark>顶级</mark>保温杯" in html
    title_row = _row(html, "标题")
    assert 'class="changed"' in title_row and "不锈钢保温杯 500ml" in title_row
    assert 'class="changed"' in _row(html, "描述")
    findings = html[html.index("预审发现") :]
    assert "<mark>顶级</mark>" in findings and "标题" in findings
    assert _problems(_page(version), html, _translated_msgids()) == []


def test_cat_4_review_page_queries_do_not_grow_with_skus(merchant: Merchant) -> None:
    many = [
        {"code": f"S{i}", "price": f"{50 + i}.00", "stock": i, "attributes": {"尺码": str(i)}}
        for i in range(12)
    ]
    one, _v = _price_change(merchant)
    big = approved_listing(merchant=merchant, skus=many)
    sku_update(
        sku_id=Sku.objects.get(listing=big, code="S3").pk, merchant=merchant, actor=None, price=Decimal("200")
    )
    client = otp_admin_client(reviewer())
    counts = []
    for listing in (one, big):
        version = _pending(listing)
        client.get(_page(version))  # warm the session and permission caches alike
        with assert_max_queries(11) as queries:
            assert client.get(_page(version)).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts
