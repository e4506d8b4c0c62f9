"""SEC-3: staff need a second factor for the admin; password policy; login lockout per account (the API side:
tests/security/test_sec_3_staff_second_factor.py and test_sec_3_account_lockout.py)."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories.accounts import DEFAULT_PASSWORD
from tests.factories.staff import staff_member

pytestmark = pytest.mark.django_db


def current_token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def test_sec_3_admin_requires_second_factor(settings):
    settings.STAFF_REQUIRE_OTP = True
    user = staff_member("operations")
    client = Client()

    # A staff member with an authenticator: a correct password alone does not open the admin (one without
    # an authenticator yet is sent to enrol one: tests/platform_core/accounts/test_sec_3_bootstrap_and_enrolment.py).
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post("/admin/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200  # the form again, with an error
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")

    # Logged in by other means (e.g. a session from the dashboard) but unverified: still refused.
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")

    # With the confirmed TOTP device and a valid token it opens.
    client = Client()
    response = client.post(
        "/admin/login/",
        {
            "username": user.email,
            "password": DEFAULT_PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": current_token(device),
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert client.get("/admin/").status_code == 200


def test_sec_3_wrong_token_refused(settings):
    settings.STAFF_REQUIRE_OTP = True
    user = staff_member("operations")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    wrong = f"{(int(current_token(device)) + 1) % 10**6:06d}"
    client = Client()
    client.post(
        "/admin/login/",
        {
            "username": user.email,
            "password": DEFAULT_PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": wrong,
        },
    )
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("password", ["Kx9#mQ2$vLp!"[:10], "password1234", "123456789012"])
def test_sec_3_password_policy_refuses_short_or_common(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_sec_3_password_policy_accepts_long_uncommon():
    validate_password("Kx9#mQ2$vLp!wR4t")


def test_sec_3_login_locked_after_repeated_failures(settings, api_client):
    settings.AXES_ENABLED = True
    user = staff_member("operations")
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [
        api_client.post(
            "/api/v1/auth/login/", {"login": user.email, "password": "wrong-password-0"}
        ).status_code
        for _ in range(limit)
    ]
    assert statuses == [400] * (limit - 1) + [429]  # the limit-th failure locks
    # Locked: even the right password is refused for this account from this address.
    response = api_client.post("/api/v1/auth/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "token" not in response.content.decode()
    # Another account from the same address is not locked (the lockout is per account, decision 020).
    other = staff_member("finance")
    response = api_client.post("/api/v1/auth/login/", {"login": other.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
