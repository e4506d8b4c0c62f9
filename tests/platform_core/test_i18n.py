"""The platform speaks Simplified Chinese by default (LANGUAGE_CODE zh-hans, locale/zh_Hans) and English
when the client asks for it: the merchant dashboard's language switch (the ``django_language`` cookie set
by /i18n/setlang/) or ``Accept-Language: en``. API error messages follow the same choice.

The suite's conftest makes English the default for every other test; these tests put the platform's
real default back."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from platform_core import settings as platform_settings
from tests.dashboard.conftest import client_as
from tests.factories.accounts import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform_default_language")]


def test_the_platform_default_is_simplified_chinese() -> None:
    assert platform_settings.LANGUAGE_CODE == "zh-hans"
    assert settings.LANGUAGE_CODE == "zh-hans"


def test_every_message_has_a_chinese_translation() -> None:
    """The compiled catalogue is shipped: a msgid from each layer has its Chinese text."""
    with translation.override("zh-hans"):
        assert translation.gettext("Sign in to the seller centre") == "登录卖家中心"  # template
        assert translation.gettext("Awaiting shipment") == "待发货"  # TextChoices label
        assert translation.gettext("The request has invalid fields.") == "请求中有无效字段。"  # API
        assert translation.gettext("Order %(number)s was paid; ship it by %(ship_by)s.") == (
            "订单 %(number)s 已付款，请在 %(ship_by)s 前发货。"  # notification, placeholders kept
        )


def test_login_page_is_chinese_by_default_and_english_on_request() -> None:
    chinese = Client().get("/merchant/login/")
    assert chinese.status_code == 200
    html = chinese.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录卖家中心" in html and "Sign in to the seller centre" not in html

    english = Client(headers={"accept-language": "en"}).get("/merchant/login/").content.decode()
    assert '<html lang="en">' in english
    assert "Sign in to the seller centre" in english and "登录卖家中心" not in english


def test_the_dashboard_language_switch_turns_the_home_page_english(shop_owner_client: Client) -> None:
    home = shop_owner_client.get("/merchant/").content.decode()
    assert "<h1>首页</h1>" in home and "卖家中心" in home

    switched = shop_owner_client.post("/i18n/setlang/", {"language": "en", "next": "/merchant/"})
    assert switched.status_code == 302
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    home = shop_owner_client.get("/merchant/").content.decode()
    assert "<h1>Home</h1>" in home and "Seller centre" in home and "卖家中心" not in home


@pytest.fixture
def shop_owner_client() -> Client:
    from tests.factories.catalog import CategoryFactory, merchant_for

    return client_as(merchant_for(CategoryFactory.create()).owner)


def test_api_validation_error_in_chinese_by_default_and_english_on_request() -> None:
    body = {"password": "a-long-passphrase-42"}  # neither a mobile number nor an email address

    chinese = APIClient().post("/api/v1/auth/register/", body, format="json")
    assert chinese.status_code == 400
    assert chinese.json()["detail"] == "请求中有无效字段。"
    assert chinese.json()["errors"]["phone"] == ["请填写手机号或邮箱。"]

    english = APIClient(headers={"accept-language": "en"}).post("/api/v1/auth/register/", body, format="json")
    assert english.status_code == 400
    assert english.json()["detail"] == "The request has invalid fields."
    assert english.json()["errors"]["phone"] == ["Give a mobile number or an email address."]


def test_api_not_found_follows_the_language_cookie() -> None:
    """Selectors' NotFound messages are translated too (they were plain English literals)."""
    client = APIClient()
    client.force_authenticate(user=UserFactory.create())
    assert client.get("/api/v1/orders/999999999/").json()["detail"] == "订单不存在。"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get("/api/v1/orders/999999999/").json()["detail"] == "No such order."
