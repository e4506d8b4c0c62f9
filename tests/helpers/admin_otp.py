"""Staff act through the admin as in production: password and second factor (SEC-3)."""

import time

from django.contrib.auth.models import Permission
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from platform_core.accounts.models import User
from tests.factories.accounts import DEFAULT_PASSWORD


def otp_admin_client(user: User) -> Client:
    """A browser signed in to ``/admin/`` by ``user`` with password and a TOTP code (settings'
    ``STAFF_REQUIRE_OTP`` as in production)."""
    user.set_password(DEFAULT_PASSWORD)
    user.save(update_fields=["password"])
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    browser = Client()
    response = browser.post(
        "/admin/login/",
        {
            "username": user.email,
            "password": DEFAULT_PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": f"{totp.token():0{device.digits}d}",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return browser


def with_permissions(user: User, *keys: str) -> User:
    """``user`` holding the Django permissions ``"app_label.codename"`` directly (a fresh permission cache)."""
    for key in keys:
        app_label, codename = key.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return User.objects.get(pk=user.pk)
