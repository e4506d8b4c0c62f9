"""CAT-1..CAT-5 through the dashboard: create with the live pre-screen, submit, delist, SKUs, stock CSV."""

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from catalog.models import BannedTerm, Category, Listing
from merchants.models import Merchant
from tests.dashboard.conftest import client_as, member_of

pytestmark = pytest.mark.django_db


def _form(category: Category, **overrides: str) -> dict[str, str | int]:
    data: dict[str, str | int] = {
        "category": category.pk,
        "kind": "product",
        "title": "不锈钢保温杯 500ml",
        "description": "双层真空，保温12小时。",
        "skus-TOTAL_FORMS": 3,
        "skus-INITIAL_FORMS": 0,
        "skus-MIN_NUM_FORMS": 0,
        "skus-MAX_NUM_FORMS": 20,
        "skus-0-code": "BLK",
        "skus-0-attributes": "颜色=黑",
        "skus-0-price": "59.00",
        "skus-0-stock": "10",
    }
    data.update(overrides)
    return data


def test_cat_3_prescreen_partial_highlights_banned_phrases_as_you_type(
    owner_client: Client, category: Category
) -> None:
    BannedTerm.objects.update_or_create(
        phrase="最好", defaults={"severity": "hard", "reason": "absolute claim"}
    )
    response = owner_client.post(
        "/merchant/listings/prescreen/",
        _form(category, title="全网最好的保温杯"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>最好</mark>" in html
    assert "<html" not in html  # a partial, not a page
    assert 'data-testid="prescreen"' in html


def test_cat_3_prescreen_escapes_the_merchants_text(owner_client: Client, category: Category) -> None:
    response = owner_client.post("/merchant/listings/prescreen/", _form(category, title="<script>x</script>"))
    assert "<script>x</script>" not in response.content.decode()


def test_cat_1_create_a_draft_then_submit_it_for_review(
    owner_client: Client, shop: Merchant, category: Category
) -> None:
    response = owner_client.post("/merchant/listings/new/", _form(category))
    assert response.status_code == 302, response.content.decode()[:3000]
    listing = Listing.objects.get(merchant=shop)
    assert listing.status == Listing.Status.DRAFT
    assert list(listing.skus.values_list("code", "stock")) == [("BLK", 10)]
    assert listing.skus.get().attributes == {"颜色": "黑"}

    assert owner_client.post(f"/merchant/listings/{listing.pk}/submit/").status_code == 302
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING_REVIEW
    page = owner_client.get(f"/merchant/listings/{listing.pk}/").content.decode()
    assert 'data-testid="listing-status"' in page


def test_cat_3_check_text_without_js_shows_findings_and_saves_nothing(
    owner_client: Client, shop: Merchant, category: Category
) -> None:
    BannedTerm.objects.update_or_create(
        phrase="国家级", defaults={"severity": "hard", "reason": "absolute claim"}
    )
    response = owner_client.post("/merchant/listings/new/", _form(category, title="国家级保温杯", _check="1"))
    assert response.status_code == 200
    assert "<mark>国家级</mark>" in response.content.decode()
    assert not Listing.objects.filter(merchant=shop).exists()


def test_cat_3_submitting_a_banned_phrase_is_refused_with_the_phrase(
    owner_client: Client, shop: Merchant, category: Category
) -> None:
    BannedTerm.objects.update_or_create(
        phrase="特效", defaults={"severity": "hard", "reason": "medical claim"}
    )
    owner_client.post("/merchant/listings/new/", _form(category, title="特效保温杯"))
    listing = Listing.objects.get(merchant=shop)
    response = owner_client.post(f"/merchant/listings/{listing.pk}/submit/", follow=True)
    assert "特效" in response.content.decode()
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DRAFT


def test_cat_2_delist_and_price_stock_edit(
    owner_client: Client, make_listing: Callable[..., Listing]
) -> None:
    listing = make_listing()
    sku = listing.skus.get()
    response = owner_client.post(
        f"/merchant/skus/{sku.pk}/",
        {f"sku{sku.pk}-price": "60.00", f"sku{sku.pk}-stock": "7", "listing": listing.pk},
    )
    assert response.status_code == 302
    sku.refresh_from_db()
    assert (sku.price, sku.stock) == (60, 7)
    assert (
        owner_client.post(f"/merchant/listings/{listing.pk}/delist/", {"reason": "停产"}).status_code == 302
    )
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DELISTED and not listing.on_sale


def test_cat_5_bulk_stock_upload_sets_every_row(
    owner_client: Client, make_listing: Callable[..., Listing]
) -> None:
    a, b = make_listing().skus.get(), make_listing().skus.get()
    csv = f"sku_id,stock\n{a.pk},3\n{b.pk},0\n".encode()
    response = owner_client.post("/merchant/listings/stock/", {"file": SimpleUploadedFile("s.csv", csv)})
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.stock, b.stock) == (3, 0)


def test_cat_5_bulk_stock_upload_is_all_or_nothing(
    owner_client: Client, make_listing: Callable[..., Listing]
) -> None:
    sku = make_listing().skus.get()
    csv = f"sku_id,stock\n{sku.pk},3\n999999,1\n".encode()
    response = owner_client.post("/merchant/listings/stock/", {"file": SimpleUploadedFile("s.csv", csv)})
    assert response.status_code == 400
    sku.refresh_from_db()
    assert sku.stock == 100


def test_cat_5_stock_csv_download_round_trips(
    owner_client: Client, make_listing: Callable[..., Listing]
) -> None:
    sku = make_listing().skus.get()
    response = owner_client.get("/merchant/listings/stock.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert body.splitlines()[0] == "sku_id,stock,listing_id,code,title"
    assert f"{sku.pk},100," in body


def test_sec_1_another_shops_listing_is_not_found(
    shop: Merchant, category: Category, make_listing: Callable[..., Listing]
) -> None:
    from tests.factories.catalog import merchant_for

    other = merchant_for(category)
    listing = make_listing()
    response = client_as(other.owner).get(f"/merchant/listings/{listing.pk}/")
    assert response.status_code == 404


def test_operations_member_may_edit_listings_finance_may_not(shop: Merchant) -> None:
    assert client_as(member_of(shop, "operations")).get("/merchant/listings/new/").status_code == 200
    assert client_as(member_of(shop, "finance")).get("/merchant/listings/new/").status_code == 403
