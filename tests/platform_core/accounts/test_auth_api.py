import pytest
from django.urls import reverse
from knox.models import AuthToken

from platform_core.accounts.models import User
from tests.factories.accounts import DEFAULT_PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db


def test_register_with_mobile_then_sign_in_as_customer(api_client):
    """Sign-up answers 202 without a token (issue 20: nothing secret to replay, nothing revealed); the
    person then signs in."""
    response = api_client.post(
        reverse("auth-register"), {"phone": "+86 138-0013-8000", "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 202, response.json()
    assert "token" not in response.json()
    signed_in = api_client.post(reverse("auth-login"), {"login": "13800138000", "password": DEFAULT_PASSWORD})
    body = signed_in.json()
    assert body["user"]["phone"] == "13800138000"
    assert body["user"]["roles"] == ["customer"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api_client.get(reverse("me")).json()["id"] == body["user"]["id"]


def test_register_rejects_invalid_mobile_and_weak_password_with_field_messages(api_client):
    response = api_client.post(reverse("auth-register"), {"phone": "12345", "password": "123"}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "phone" in errors and "password" in errors
    assert User.objects.count() == 0


def test_register_with_a_taken_email_creates_nothing_and_says_nothing(api_client):
    CustomerFactory(email="taken@example.com")
    response = api_client.post(
        reverse("auth-register"),
        {"email": "Taken@Example.com", "password": "another-long-passphrase"},
        format="json",
    )
    assert response.status_code == 202  # the same answer as for a new address (issue 20, low)
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    assert User.objects.get(email="taken@example.com").check_password(DEFAULT_PASSWORD)  # untouched


def test_tokens_are_stored_hashed_and_logout_revokes_them(api_client):
    user = CustomerFactory(phone="13900001111")
    response = api_client.post(reverse("auth-login"), {"login": "13900001111", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    clear = response.json()["token"]
    stored = AuthToken.objects.get(user=user)
    assert clear not in (stored.digest, stored.token_key)  # only a digest and an 8-char prefix are kept
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {clear}")
    assert api_client.post(reverse("auth-logout")).status_code == 204
    assert api_client.get(reverse("me")).status_code == 401


def test_login_by_email_and_wrong_password_message(api_client):
    CustomerFactory(email="a@example.com")
    ok = api_client.post(reverse("auth-login"), {"login": "A@example.com", "password": DEFAULT_PASSWORD})
    assert ok.status_code == 200
    bad = api_client.post(reverse("auth-login"), {"login": "a@example.com", "password": "nope-nope-nope"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_credentials"
