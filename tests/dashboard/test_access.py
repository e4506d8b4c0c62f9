"""Sign-in, sign-out and who may open which page (a member sees only what the role allows)."""

import pytest
from django.test import Client
from django.urls import reverse

from merchants.models import Merchant, MerchantMember
from tests.dashboard.conftest import client_as, member_of
from tests.factories.accounts import DEFAULT_PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db

Role = MerchantMember.Role


@pytest.mark.usefixtures("platform_default_language")
def test_login_page_renders_with_labels_and_language_switch(client: Client) -> None:
    response = client.get("/merchant/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert 'action="/i18n/setlang/"' in html
    assert 'lang="zh-hans"' in html  # Chinese by default


@pytest.mark.parametrize("login_field", ["phone", "email"])
def test_merchant_signs_in_by_phone_or_email(client: Client, shop: Merchant, login_field: str) -> None:
    login = getattr(shop.owner, login_field)
    response = client.post("/merchant/login/", {"username": login, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("merchant:home")
    assert client.get("/merchant/").status_code == 200


def test_wrong_password_stays_on_login_page(client: Client, shop: Merchant) -> None:
    response = client.post(
        "/merchant/login/", {"username": shop.owner.email, "password": "wrong-password-123"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(owner_client: Client) -> None:
    response = owner_client.post("/merchant/logout/")
    assert response.status_code == 302
    assert owner_client.get("/merchant/").status_code == 302


def test_anonymous_visitor_is_sent_to_merchant_login(client: Client) -> None:
    response = client.get("/merchant/orders/")
    assert response.status_code == 302
    assert response["Location"].startswith("/merchant/login/?next=/merchant/orders/")


def test_signed_in_non_member_is_sent_to_onboarding(db: None) -> None:
    response = client_as(CustomerFactory.create()).get("/merchant/listings/")
    assert response.status_code == 302
    assert response["Location"] == "/merchant/onboarding/"


@pytest.mark.parametrize("path", ["/merchant/money/", "/merchant/members/"])
def test_customer_service_member_cannot_open_money_or_members_pages(shop: Merchant, path: str) -> None:
    client = client_as(member_of(shop, Role.CUSTOMER_SERVICE))
    response = client.get(path)
    assert response.status_code == 403
    assert "merchant/403.html" in [t.name for t in response.templates]
    home = client.get("/merchant/").content.decode()
    assert 'href="/merchant/money/"' not in home  # not even offered in the navigation


@pytest.mark.parametrize("path", ["/merchant/aftersales/", "/merchant/complaints/", "/merchant/disputes/"])
def test_customer_service_member_opens_aftersales_complaints_and_disputes(shop: Merchant, path: str) -> None:
    client = client_as(member_of(shop, Role.CUSTOMER_SERVICE))
    assert client.get(path).status_code == 200
    nav = client.get("/merchant/").content.decode()
    assert f'href="{path}"' in nav  # offered in the navigation
    assert 'href="/merchant/money/"' not in nav


@pytest.mark.parametrize("path", ["/merchant/aftersales/", "/merchant/complaints/", "/merchant/disputes/"])
def test_operations_member_opens_aftersales_complaints_and_disputes_but_not_money(
    shop: Merchant, path: str
) -> None:
    client = client_as(member_of(shop, Role.OPERATIONS))
    assert client.get(path).status_code == 200
    assert client.get("/merchant/money/").status_code == 403


def test_customer_service_cannot_download_a_statement(shop: Merchant) -> None:
    client = client_as(member_of(shop, Role.CUSTOMER_SERVICE))
    assert client.get("/merchant/money/statements/1.csv").status_code == 403


@pytest.mark.parametrize("role", [Role.OWNER, Role.FINANCE])
def test_owner_and_finance_open_the_money_page(shop: Merchant, role: str) -> None:
    user = shop.owner if role == Role.OWNER else member_of(shop, role)
    assert client_as(user).get("/merchant/money/").status_code == 200


def test_customer_service_cannot_ship_or_edit_listings(shop: Merchant) -> None:
    client = client_as(member_of(shop, Role.CUSTOMER_SERVICE))
    assert client.get("/merchant/orders/").status_code == 200  # may read orders
    assert (
        client.post("/merchant/orders/1/ship/", {"carrier": "SF", "tracking_number": "1"}).status_code == 403
    )
    assert client.get("/merchant/listings/new/").status_code == 403


def test_pages_of_a_suspended_shop_still_open_but_banned_shops_do_not(shop: Merchant) -> None:
    Merchant.objects.filter(pk=shop.pk).update(status=Merchant.Status.BANNED)
    response = client_as(shop.owner).get("/merchant/")
    assert response.status_code == 302 and response["Location"] == "/merchant/onboarding/"


def test_pages_need_no_inline_script_or_style_so_a_strict_csp_fits(owner_client: Client) -> None:
    """A Content-Security-Policy of script-src/style-src 'self' holds: no inline code, no CDN."""
    import re

    for path in [
        "/merchant/",
        "/merchant/listings/",
        "/merchant/listings/new/",
        "/merchant/orders/",
        "/merchant/money/",
        "/merchant/aftersales/",
        "/merchant/complaints/",
        "/merchant/disputes/",
        "/merchant/reverification/",
    ]:
        html = owner_client.get(path).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert " style=" not in html and "<style" not in html, path
        assert "//cdn" not in html and "https://unpkg" not in html, path
        assert "/static/merchant/vendor/htmx.min.js" in html
