"""SEC-3, issue 21 "Installing for real": ``bootstrap_platform`` creates the first administrator with an
authenticator and backup codes; every other staff member enrols their own authenticator on first sign-in
to the admin. Today only the shell could enrol a device, and ``createsuperuser`` locked the operator out."""

import io
import re
import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from tests.factories.accounts import DEFAULT_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_PASSWORD = "first-admin-Passw0rd-2026"


@pytest.fixture(autouse=True)
def _staff_otp_on(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production


def code_of(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def bootstrap(monkeypatch: pytest.MonkeyPatch, password: str = ADMIN_PASSWORD, **answers: str) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    out = io.StringIO()
    options = {"email": "admin@platform.example", "name": "平台管理员", **answers}
    call_command("bootstrap_platform", "--password-stdin", stdout=out, **options)
    return out.getvalue()


def admin_login(client: Client, user: User, password: str, device: Any = None, token: str = "") -> Any:
    data = {"username": user.email, "password": password}
    if device is not None:
        data |= {"otp_device": device.persistent_id, "otp_token": token}
    return client.post("/admin/login/", data)


def test_sec_3_bootstrap_platform_creates_the_first_administrator_with_authenticator_and_backup_codes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    printed = bootstrap(monkeypatch)
    administrator = User.objects.get(email="admin@platform.example")
    assert (
        administrator.is_superuser and administrator.is_staff and administrator.check_password(ADMIN_PASSWORD)
    )
    device = TOTPDevice.objects.get(user=administrator)
    assert device.confirmed
    # the enrolment: the otpauth URI with the device's key, the same as a QR code in the terminal
    assert device.config_url in printed
    assert "otpauth://totp/Marketplace%3Aadmin%40platform.example?secret=" in printed
    assert "█" in printed or "▀" in printed
    codes = re.findall(r"^  ([a-z0-9]{8})$", printed, re.M)
    assert len(codes) == 10
    assert sorted(
        StaticToken.objects.filter(device__user=administrator).values_list("token", flat=True)
    ) == sorted(codes)
    entry = AuditEntry.objects.get(action="platform.bootstrapped")
    assert (
        entry.subject_id == str(administrator.pk) and (entry.after or {})["email"] == "admin@platform.example"
    )

    # the administrator signs in to the admin with the password and the app's code
    browser = Client()
    assert admin_login(browser, administrator, ADMIN_PASSWORD).status_code == 200  # no code: refused
    response = admin_login(browser, administrator, ADMIN_PASSWORD, device, code_of(device))
    assert response.status_code == 302
    assert browser.get("/admin/").status_code == 200
    # or with a backup code, once
    backup_token = StaticToken.objects.filter(device__user=administrator).first()
    assert backup_token is not None
    backup_device = backup_token.device
    other = Client()
    assert admin_login(other, administrator, ADMIN_PASSWORD, backup_device, codes[0]).status_code == 302
    assert admin_login(Client(), administrator, ADMIN_PASSWORD, backup_device, codes[0]).status_code == 200


def test_sec_3_bootstrap_platform_is_idempotent_and_refuses_other_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bootstrap(monkeypatch)
    again = bootstrap(monkeypatch)
    assert "Nothing changed" in again and "otpauth://" not in again
    assert User.objects.filter(is_superuser=True).count() == 1
    assert TOTPDevice.objects.count() == 1
    for answers, password in (
        ({"email": "someone@platform.example"}, ADMIN_PASSWORD),
        ({"name": "另一个名字"}, ADMIN_PASSWORD),
        ({}, "another-Passw0rd-2026"),
    ):
        with pytest.raises(CommandError, match="different answers"):
            bootstrap(monkeypatch, password, **answers)
    assert User.objects.filter(is_superuser=True).count() == 1
    assert AuditEntry.objects.filter(action="platform.bootstrapped").count() == 1


def test_sec_3_bootstrap_platform_refuses_a_weak_password_and_an_installation_with_an_administrator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(CommandError):
        bootstrap(monkeypatch, "123")
    assert not User.objects.exists()
    User.objects.create_superuser(email="earlier@platform.example", password=ADMIN_PASSWORD)
    with pytest.raises(CommandError, match="already has an administrator"):
        bootstrap(monkeypatch)


def test_sec_3_staff_member_enrols_their_own_authenticator_on_first_sign_in() -> None:
    staff = StaffFactory.create()
    browser = Client()
    response = admin_login(browser, staff, DEFAULT_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/second-factor/"
    # signed in with the password only: nothing else opens; the admin sends them back to enrol
    assert browser.get("/admin/").status_code == 302
    assert browser.get("/admin/login/", follow=True).redirect_chain[-1][0] == "/admin/second-factor/"
    assert browser.get("/api/v1/me/privacy/").status_code == 403

    page = browser.get("/admin/second-factor/").content.decode()
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    assert 'src="data:image/svg+xml;base64,' in page
    assert device.config_url.replace("&", "&amp;") in page
    # reloading shows the same authenticator
    browser.get("/admin/second-factor/")
    assert TOTPDevice.objects.filter(user=staff).count() == 1

    wrong = f"{(int(code_of(device)) + 1) % 10**6:06d}"
    response = browser.post("/admin/second-factor/", {"code": wrong})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()

    response = browser.post("/admin/second-factor/", {"code": code_of(device)})
    assert response.status_code == 200
    page = response.content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]{8})</code></li>", page)
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    entry = AuditEntry.objects.get(action="account.second_factor_enrolled")
    assert entry.actor_id == staff.pk and entry.subject_id == str(staff.pk)
    # this session is verified now; a later sign-in needs the code
    assert browser.get("/admin/").status_code == 200
    assert browser.get("/admin/second-factor/")["Location"] == "/admin/"
    with time_machine.travel(timedelta(seconds=31)):
        later = Client()
        assert admin_login(later, staff, DEFAULT_PASSWORD).status_code == 200
        assert admin_login(later, staff, DEFAULT_PASSWORD, device, code_of(device)).status_code == 302


def test_sec_3_a_staff_member_with_an_authenticator_cannot_enrol_another_with_the_password_only() -> None:
    staff = StaffFactory.create()
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    browser = Client()
    response = admin_login(browser, staff, DEFAULT_PASSWORD)
    assert response.status_code == 200  # the sign-in form again, asking for the code
    assert "_auth_user_id" not in browser.session
    assert browser.get("/admin/second-factor/")["Location"] == "/admin/login/"
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_sec_3_no_one_makes_or_edits_a_second_factor_for_someone_else_in_the_admin(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = False  # the admin under test, not its sign-in
    operator = UserFactory.create(is_staff=True, is_superuser=True)
    staff = StaffFactory.create()
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    browser = Client()
    browser.force_login(operator)
    assert browser.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    assert browser.get("/admin/otp_static/staticdevice/add/").status_code == 403
    assert browser.get("/admin/knox/authtoken/add/").status_code == 403
    page = browser.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert 'name="key"' not in page and device.key not in page
    response = browser.post(
        f"/admin/otp_totp/totpdevice/{device.pk}/change/", {"key": "00" * 20, "user": operator.pk}
    )
    assert response.status_code == 403
    # a lost phone: the device is deleted (audited) and the person enrols again on their next sign-in
    assert browser.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    entry = AuditEntry.objects.get(action="account.second_factor_reset")
    assert entry.actor_id == operator.pk and entry.subject_id == str(staff.pk)
