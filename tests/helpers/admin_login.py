"""SEC-3, issue 21: a staff member signs in to the admin as in production — password and a TOTP code from a
confirmed authenticator — so the admin tests of staff tasks act through the real sign-in."""

import time

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from platform_core.accounts.models import User
from tests.factories.accounts import DEFAULT_PASSWORD


def admin_signed_in(user: User) -> Client:
    """A client signed in to ``/admin/`` with ``user``'s password and a valid code of a new TOTP device
    (the test must run with ``settings.STAFF_REQUIRE_OTP = True``)."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    client = Client()
    response = client.post(
        "/admin/login/",
        {
            "username": user.email,
            "password": DEFAULT_PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": f"{totp.token():0{device.digits}d}",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    return client
