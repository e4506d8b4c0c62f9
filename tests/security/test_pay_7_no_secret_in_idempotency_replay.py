"""PAY-7, issue 20 item 9: no secret is ever stored in an idempotency replay body. Sign-up answers without a
token (so its replay holds none); sign-in is not replayed at all (nothing is stored for it)."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from platform_core.api.models import IdempotencyKey
from tests.factories.accounts import DEFAULT_PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db

BODY = {"email": "idem@example.com", "password": "a-long-enough-passphrase", "name": "顾客"}


def test_pay_7_register_with_idempotency_key_stores_no_token() -> None:
    api = APIClient()
    first = api.post("/api/v1/auth/register/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="signup-1")
    assert first.status_code == 202, first.content
    assert "token" not in first.json()
    record = IdempotencyKey.objects.get(key="signup-1")
    stored = bytes(record.response_body or b"").decode()
    assert "token" not in stored
    assert not AuthToken.objects.exists()  # no token was issued, so none can be in any row

    replay = api.post("/api/v1/auth/register/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="signup-1")
    assert replay.status_code == 202 and replay["Idempotent-Replayed"] == "true"
    assert replay.content == first.content
    assert api.post("/api/v1/auth/login/", {"login": BODY["email"], "password": BODY["password"]}).json()[
        "token"
    ]


def test_pay_7_login_with_idempotency_key_stores_nothing() -> None:
    user = CustomerFactory()
    api = APIClient()
    for _ in range(2):
        response = api.post(
            "/api/v1/auth/login/",
            {"login": user.email, "password": DEFAULT_PASSWORD},
            HTTP_IDEMPOTENCY_KEY="login-1",
        )
        assert response.status_code == 200 and "Idempotent-Replayed" not in response
    assert not IdempotencyKey.objects.exists()
    assert AuthToken.objects.filter(user=user).count() == 2  # each sign-in its own token, never a copy


def test_pay_7_register_fingerprint_is_keyed_not_a_bare_hash_of_the_password(settings) -> None:
    """The stored fingerprint of a sign-up is an HMAC under SECRET_KEY: a bare SHA-256 of the body would be a
    fast, unsalted hash of the password that anyone reading the table could brute-force."""
    import hashlib
    import json

    body = json.dumps(BODY).encode()
    APIClient().post(
        "/api/v1/auth/register/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="signup-fp"
    )
    stored = IdempotencyKey.objects.get(key="signup-fp").fingerprint
    bare = hashlib.sha256(b"\n".join([b"POST", b"/api/v1/auth/register/", body])).hexdigest()
    assert stored != bare
    settings.SECRET_KEY = "another-" + "k" * 50  # the same body under another key: another fingerprint
    APIClient().post(
        "/api/v1/auth/register/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="signup-fp2"
    )
    assert IdempotencyKey.objects.get(key="signup-fp2").fingerprint != stored
