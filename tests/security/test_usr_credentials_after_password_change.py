"""Issue 20 item 7: a password change or reset ends every API token of the account and its other sessions."""

from typing import Any, cast

import pytest
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from platform_core.accounts.models import User
from tests.factories.accounts import DEFAULT_PASSWORD, CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-77"


def token_for(login: str, password: str = DEFAULT_PASSWORD) -> APIClient:
    response = APIClient().post("/api/v1/auth/login/", {"login": login, "password": password})
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_usr_password_change_revokes_every_token_and_other_session(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = False  # the admin's own password-change page, without the second factor
    user = StaffFactory()
    phone, laptop = token_for(user.email), token_for(user.phone)
    other_browser = Client()
    other_browser.force_login(user)
    assert phone.get("/api/v1/me/").status_code == 200
    assert other_browser.get("/api/v1/me/").status_code == 200

    # The stolen-password owner changes it in the admin.
    admin = Client()
    admin.force_login(user)
    response = admin.post(
        "/admin/password_change/",
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content[:2000]

    assert not AuthToken.objects.filter(user=user).exists()
    assert phone.get("/api/v1/me/").status_code == 401
    assert laptop.get("/api/v1/me/").status_code == 401
    assert other_browser.get("/api/v1/me/").status_code in (401, 403)  # the other session is over
    assert admin.get("/api/v1/me/").status_code == 200  # the session that changed it goes on
    assert token_for(user.email, NEW_PASSWORD).get("/api/v1/me/").status_code == 200


def test_usr_password_reset_by_set_password_revokes_tokens() -> None:
    user = cast(User, CustomerFactory())
    api = token_for(user.email)
    user.set_password(NEW_PASSWORD)  # what every reset and administrator's change does
    user.save()
    assert api.get("/api/v1/me/").status_code == 401


def test_usr_saving_other_fields_keeps_tokens() -> None:
    user = cast(User, CustomerFactory())
    api = token_for(user.email)
    user.name = "新名字"
    user.save()
    assert api.get("/api/v1/me/").status_code == 200
