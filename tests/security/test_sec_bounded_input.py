"""SEC (issue 20, item 11; decision 022): bad input is a 400 with field messages, never a 500.

Every test runs as production would: DEBUG off, and the test client returns the server's 500 instead of
raising the view's exception (``raise_request_exception=False``), so a 500 is seen as the client sees it.
The attacks: numbers the database columns cannot hold (cart quantity, stock, ids), prices that are not
money (``NaN``, ``Infinity``, ``1e20``, too many digits), a SKU without price, an over-long code, NUL in
attributes, JSON nested 5,000 levels deep (also unauthenticated, at login), an unknown URL under
/api/, a body over the cap, an agreement in the admin effective too soon.
"""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from catalog.models import Category, Listing, Sku
from merchants.models import Merchant, PlatformAgreement
from platform_core.accounts.models import User
from tests.factories.accounts import CustomerFactory, StaffFactory
from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for

pytestmark = pytest.mark.django_db

LISTINGS = "/api/v1/merchant/listings/"
DEEP = "[" * 5000 + "]" * 5000


@pytest.fixture(autouse=True)
def _production_like(settings: Settings) -> Iterator[None]:
    settings.DEBUG = False
    yield


def api_as(user: User | None) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.fixture
def category(db: None) -> Category:
    return CategoryFactory.create()


@pytest.fixture
def shop(category: Category) -> Merchant:
    return merchant_for(category)


@pytest.fixture
def listing(shop: Merchant) -> Listing:
    return approved_listing(merchant=shop, skus=[{"code": "A", "price": "59.00", "stock": 10}])


def assert_field_error(response: Any, field: str) -> None:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "invalid" and field in str(body.get("errors")), body


# --- cart -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", [2**31, 10**12])
def test_sec_bounded_cart_quantity_out_of_range_is_a_400(listing: Listing, quantity: int) -> None:
    client = api_as(CustomerFactory.create())
    sku = listing.skus.get()
    assert_field_error(
        client.post("/api/v1/cart/", {"sku": sku.pk, "quantity": quantity}, format="json"), "quantity"
    )
    assert client.post("/api/v1/cart/", {"sku": sku.pk, "quantity": 1}, format="json").status_code == 200
    response = client.patch(f"/api/v1/cart/items/{sku.pk}/", {"quantity": quantity}, format="json")
    assert_field_error(response, "quantity")


def test_sec_bounded_cart_lines_add_up_within_range(listing: Listing) -> None:
    client = api_as(CustomerFactory.create())
    sku = listing.skus.get()
    assert (
        client.post("/api/v1/cart/", {"sku": sku.pk, "quantity": 2**31 - 1}, format="json").status_code == 200
    )
    assert_field_error(
        client.post("/api/v1/cart/", {"sku": sku.pk, "quantity": 1}, format="json"), "quantity"
    )


def test_sec_bounded_cart_sku_id_beyond_bigint_is_a_400(listing: Listing) -> None:
    client = api_as(CustomerFactory.create())
    assert_field_error(client.post("/api/v1/cart/", {"sku": 10**20, "quantity": 1}, format="json"), "sku")


# --- SKUs through the merchant API -----------------------------------------------------------------------


def _new_listing(category: Category, **sku: Any) -> dict[str, Any]:
    return {
        "category": category.slug,
        "title": "保温杯",
        "skus": [{"code": "A", "price": "59.00", "stock": 1, **sku}],
    }


@pytest.mark.parametrize(
    ("sku", "field"),
    [
        ({"stock": 2**31}, "stock"),
        ({"stock": 10**20}, "stock"),
        ({"price": "NaN"}, "price"),
        ({"price": "Infinity"}, "price"),
        ({"price": "-Infinity"}, "price"),
        ({"price": "1e20"}, "price"),
        ({"price": 1e20}, "price"),
        ({"price": "99999999999999.99"}, "price"),
        ({"price": "0.001"}, "price"),
        ({"price": None}, "price"),
        ({"code": "C" * 65}, "code"),
        ({"attributes": {"颜色": "黑\u0000"}}, "attributes"),
        ({"attributes": {"\u0000": "黑"}}, "attributes"),
    ],
)
def test_sec_bounded_listing_create_with_bad_sku_is_a_400(
    shop: Merchant, category: Category, sku: dict[str, Any], field: str
) -> None:
    response = api_as(shop.owner).post(LISTINGS, _new_listing(category, **sku), format="json")
    assert_field_error(response, field)
    assert not Listing.objects.filter(merchant=shop).exists()


def test_sec_bounded_a_sku_without_price_is_a_400(shop: Merchant, category: Category) -> None:
    body = _new_listing(category)
    del body["skus"][0]["price"]
    assert_field_error(api_as(shop.owner).post(LISTINGS, body, format="json"), "price")


def test_sec_bounded_nan_in_raw_json_is_a_400(shop: Merchant, category: Category) -> None:
    raw = '{"category": "SLUG", "title": "t", "skus": [{"code": "A", "price": NaN, "stock": 1}]}'
    raw = raw.replace("SLUG", category.slug)
    response = api_as(shop.owner).post(LISTINGS, raw, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error", response.content


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stock": 2**31}, "stock"),
        ({"stock": 10**20}, "stock"),
        ({"price": "NaN"}, "price"),
        ({"price": "Infinity"}, "price"),
        ({"price": "1e20"}, "price"),
        ({"price": "99999999999999.99"}, "price"),
        ({"attributes": {"k": "\u0000"}}, "attributes"),
    ],
)
def test_sec_bounded_sku_edit_out_of_range_is_a_400(
    listing: Listing, change: dict[str, Any], field: str
) -> None:
    sku = listing.skus.get()
    response = api_as(listing.merchant.owner).patch(f"/api/v1/merchant/skus/{sku.pk}/", change, format="json")
    assert_field_error(response, field)
    sku.refresh_from_db()
    assert sku.stock == 10 and str(sku.price) == "59.00"


@pytest.mark.parametrize("item", [{"sku_id": 1, "stock": 2**31}, {"sku_id": 10**20, "stock": 1}])
def test_sec_bounded_bulk_stock_out_of_range_is_a_400(listing: Listing, item: dict[str, int]) -> None:
    item = {**item, "sku_id": listing.skus.get().pk if item["sku_id"] == 1 else item["sku_id"]}
    response = api_as(listing.merchant.owner).post(
        "/api/v1/merchant/listings/stock/", {"items": [item]}, format="json"
    )
    assert response.status_code == 400, response.content


# --- the same through the merchant dashboard ------------------------------------------------------------


def dashboard_as(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="platform_core.accounts.backends.PhoneOrEmailBackend")
    return client


@pytest.mark.parametrize(
    "sku",
    [
        {"stock": str(2**31)},
        {"stock": str(10**20)},
        {"price": "NaN"},
        {"price": "Infinity"},
        {"price": "1e20"},
        {"price": "99999999999999.99"},
        {"price": ""},
        {"code": "C" * 65},
        {"code": "A\u0000"},
        {"attributes": "颜色=黑\u0000"},
    ],
)
def test_sec_bounded_dashboard_listing_form_refuses_bad_skus(
    shop: Merchant, category: Category, sku: dict[str, str]
) -> None:
    row = {"code": "A", "price": "59.00", "stock": "1", "attributes": "", **sku}
    data = {
        "category": str(category.pk),
        "kind": "product",
        "title": "保温杯",
        "skus-TOTAL_FORMS": "1",
        "skus-INITIAL_FORMS": "0",
        "skus-MIN_NUM_FORMS": "0",
        "skus-MAX_NUM_FORMS": "20",
        **{f"skus-0-{k}": v for k, v in row.items()},
    }
    response = dashboard_as(shop.owner).post("/merchant/listings/new/", data)
    assert response.status_code < 500, response.status_code
    assert not Listing.objects.filter(merchant=shop).exists()


@pytest.mark.parametrize(
    "change", [{"stock": str(2**31)}, {"stock": str(10**20)}, {"price": "NaN"}, {"price": "1e20"}]
)
def test_sec_bounded_dashboard_sku_edit_refuses_out_of_range(
    listing: Listing, change: dict[str, str]
) -> None:
    sku = listing.skus.get()
    data = {f"sku{sku.pk}-price": "59.00", f"sku{sku.pk}-stock": "10"}
    data.update({f"sku{sku.pk}-{k}": v for k, v in change.items()})
    response = dashboard_as(listing.merchant.owner).post(f"/merchant/skus/{sku.pk}/", data)
    assert response.status_code < 500
    sku.refresh_from_db()
    assert sku.stock == 10 and str(sku.price) == "59.00"


@pytest.mark.parametrize("row", ["{sku},{big}", "99999999999999999999,1"])
def test_sec_bounded_dashboard_stock_csv_refuses_out_of_range(listing: Listing, row: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    sku = listing.skus.get()
    content = ("sku_id,stock\n" + row.format(sku=sku.pk, big=2**31) + "\n").encode()
    upload = SimpleUploadedFile("stock.csv", content, content_type="text/csv")
    response = dashboard_as(listing.merchant.owner).post("/merchant/listings/stock/", {"file": upload})
    assert response.status_code == 400, response.status_code
    assert Sku.objects.get(pk=sku.pk).stock == 10


# --- JSON: nesting, size, unknown URLs ------------------------------------------------------------------


def test_sec_bounded_deeply_nested_json_at_login_is_a_400() -> None:
    client = api_as(None)
    for body in (DEEP, '{"username": ' + DEEP + ', "password": "x"}'):
        response = client.post("/api/v1/auth/login/", body, content_type="application/json")
        assert response.status_code == 400, response.status_code
        assert response.json()["code"] == "parse_error"


def test_sec_bounded_deeply_nested_json_on_any_endpoint_is_a_400(listing: Listing) -> None:
    client = api_as(CustomerFactory.create())
    for url in ("/api/v1/cart/", "/api/v1/complaints/", "/api/v1/auth/register/"):
        response = client.post(url, '{"a": ' + DEEP + "}", content_type="application/json")
        assert response.status_code == 400, (url, response.status_code)
        assert response["Content-Type"].startswith("application/json")


def test_sec_bounded_nesting_within_the_limit_still_parses(shop: Merchant, category: Category) -> None:
    body = _new_listing(category, attributes={"a": {"b": {"c": ["d"]}}})
    response = api_as(shop.owner).post(LISTINGS, body, format="json")
    assert response.status_code == 201, response.content


def test_sec_bounded_json_body_over_the_cap_is_a_413(settings: Settings) -> None:
    settings.API_JSON_MAX_BYTES = 1024
    body = '{"username": "' + "x" * 2000 + '", "password": "x"}'
    response = api_as(None).post("/api/v1/auth/login/", body, content_type="application/json")
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"


def test_sec_bounded_unknown_api_url_is_the_json_404() -> None:
    response = api_as(None).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_sec_bounded_a_500_under_api_is_the_json_error_shape(client: Client) -> None:
    from django.test import RequestFactory

    from platform_core.api.error_views import server_error

    api = server_error(RequestFactory().get("/api/v1/orders/"))
    assert api.status_code == 500 and api["Content-Type"].startswith("application/json")
    page = server_error(RequestFactory().get("/merchant/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_sec_bounded_unknown_page_outside_api_stays_html() -> None:
    response = Client(raise_request_exception=False).get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


# --- the admin ------------------------------------------------------------------------------------------


def test_sec_bounded_admin_agreement_effective_too_soon_is_a_form_error(settings: Settings) -> None:
    settings.STAFF_REQUIRE_OTP = False
    publisher = StaffFactory.create(is_superuser=True)
    publisher.user_permissions.add(Permission.objects.get(codename="publish_announcement"))
    client = Client(raise_request_exception=False)
    client.force_login(publisher, backend="platform_core.accounts.backends.PhoneOrEmailBackend")
    from merchants.services.agreements import agreement_accept
    from tests.factories.merchants import MerchantFactory, PlatformAgreementFactory

    merchant = MerchantFactory.create()  # trading under an accepted version: a new one needs 7 days' notice
    agreement_accept(
        merchant=merchant, agreement=PlatformAgreementFactory.create(), actor=merchant.owner, ip=""
    )
    soon = timezone.localtime() + timedelta(days=3)
    response = client.post(
        "/admin/merchants/platformagreement/add/",
        {
            "version": "2027-01",
            "title": "平台服务协议",
            "body": "正文",
            "effective_at_0": soon.strftime("%Y-%m-%d"),
            "effective_at_1": soon.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 200, response.status_code
    assert "errornote" in response.content.decode() or "errorlist" in response.content.decode()
    assert not PlatformAgreement.objects.filter(version="2027-01").exists()
