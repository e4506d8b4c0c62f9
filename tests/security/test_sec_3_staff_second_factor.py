"""SEC-3, issue 20 item 2: staff and auditors reach staff powers through the REST API only after a verified
second factor — with a token from the password login, and with any session (the seller centre's too)."""

import time
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from platform_core.accounts.models import TokenSecondFactor, User
from platform_core.reports.models import ExportLog
from staff.models import PermissionApplication
from tests.conftest import client_for
from tests.factories.accounts import DEFAULT_PASSWORD, CustomerFactory, UserFactory
from tests.factories.reports import auditor_factory
from tests.factories.staff import staff_member

pytestmark = pytest.mark.django_db

APPLICATIONS = "/api/v1/staff/permission-applications/"
AUDIT_EXPORT = "/api/v1/reports/audit_log/export/?format=csv"
VERIFY = "/api/v1/auth/otp/verify/"


@pytest.fixture(autouse=True)
def _staff_otp_on(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production


def code_of(device: TOTPDevice, shift: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{(totp.token() + shift) % 10**device.digits:0{device.digits}d}"


def token_client(login: str) -> tuple[APIClient, dict[str, Any]]:
    response = APIClient().post("/api/v1/auth/login/", {"login": login, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client, response.json()


def submitted_application() -> int:
    applicant = staff_member("operations")
    response = client_for(applicant).post(
        APPLICATIONS, {"permission": "staff.publish_announcement", "justification": "notices"}, format="json"
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def consume(response: Any) -> None:
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)


def test_sec_3_superuser_password_only_token_cannot_approve_or_export_until_otp() -> None:
    superuser = UserFactory(is_staff=True, is_superuser=True)
    application = submitted_application()
    api, login = token_client(superuser.email)
    assert login["second_factor_required"] is True

    # The attack: a password alone, then staff powers.
    refused = api.post(f"{APPLICATIONS}{application}/approve/", {"reason": "ok"}, format="json")
    assert refused.status_code == 403 and refused["Content-Type"].startswith("application/json")
    assert refused.json()["code"] == "second_factor_required"
    assert PermissionApplication.objects.get(pk=application).status == "submitted"
    assert api.get(AUDIT_EXPORT).status_code == 403
    assert not ExportLog.objects.exists()
    assert api.get("/api/v1/me/").status_code == 200  # who am I stays open

    # A wrong code does not verify the token.
    device = TOTPDevice.objects.create(user=superuser, name="phone", confirmed=True)
    wrong = api.post(VERIFY, {"code": code_of(device, shift=1)}, format="json")
    assert wrong.status_code == 400 and "code" in wrong.json()["errors"]
    assert api.get(AUDIT_EXPORT).status_code == 403

    # After the second factor the same token reaches the staff powers.
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    assert api.post(VERIFY, {"code": code_of(device)}, format="json").status_code == 200
    approved = api.post(f"{APPLICATIONS}{application}/approve/", {"reason": "ok"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    exported = api.get(AUDIT_EXPORT)
    assert exported.status_code == 200
    consume(exported)

    # Another password login is a new, unverified token.
    other, _ = token_client(superuser.email)
    assert other.get(AUDIT_EXPORT).status_code == 403
    assert TokenSecondFactor.objects.count() == 1


def test_sec_3_auditor_password_only_cannot_export_the_audit_log() -> None:
    auditor = auditor_factory()
    auditor.set_password(DEFAULT_PASSWORD)
    auditor.save()
    api, login = token_client(auditor.email)
    assert login["second_factor_required"] is True
    assert api.get(AUDIT_EXPORT).status_code == 403
    assert api.get("/api/v1/reports/").status_code == 403
    assert not ExportLog.objects.exists()


def test_sec_3_dashboard_session_without_otp_is_refused_by_the_api() -> None:
    reviewer = staff_member("hr")
    browser = Client()
    signed_in = browser.post("/merchant/login/", {"username": reviewer.email, "password": DEFAULT_PASSWORD})
    assert signed_in.status_code == 302  # the seller centre took the password alone

    refused = browser.get(APPLICATIONS, {"scope": "queue"})
    assert refused.status_code == 403 and refused.json()["code"] == "second_factor_required"

    # The session passes OTP (here through the API's own verification) and is then accepted.
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    verified = browser.post(VERIFY, {"code": code_of(device)}, content_type="application/json")
    assert verified.status_code == 200, verified.content
    assert browser.get("/api/v1/me/permissions/").status_code == 200


def test_sec_3_admin_session_with_otp_is_accepted_by_the_api() -> None:
    auditor = auditor_factory()
    auditor.set_password(DEFAULT_PASSWORD)
    auditor.save()
    device = TOTPDevice.objects.create(user=auditor, name="phone", confirmed=True)
    browser = Client()
    response = browser.post(
        "/admin/login/",
        {
            "username": auditor.email,
            "password": DEFAULT_PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": code_of(device),
        },
    )
    assert response.status_code == 302
    assert browser.get("/api/v1/reports/").status_code == 200


def test_sec_3_customers_and_merchants_need_no_second_factor() -> None:
    customer = CustomerFactory()
    api, login = token_client(customer.phone)
    assert login["second_factor_required"] is False
    assert api.get("/api/v1/me/privacy/").status_code == 200
    browser = Client()
    browser.force_login(customer)
    assert browser.get("/api/v1/me/privacy/").status_code == 200


def test_sec_3_refusal_is_translated(platform_default_language: str) -> None:
    staff: User = staff_member("finance")
    api, _ = token_client(staff.email)
    refused = api.get("/api/v1/me/permissions/")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("员工账号需要第二重验证")


@pytest.mark.django_db(transaction=True)
def test_sec_3_second_factor_verifies_outside_a_test_transaction() -> None:
    """As in production, a request has no surrounding transaction (``ATOMIC_REQUESTS`` is off): django-otp's
    device lock must be taken inside the service's own transaction, or every verification answers 500
    (found by the production fuzzing of ``.ci/prod_fuzz.sh``)."""
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    customer = CustomerFactory()
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    api, _ = token_client(staff.email)
    wrong = api.post(VERIFY, {"code": code_of(device, shift=1)}, format="json")
    assert wrong.status_code == 400 and "code" in wrong.json()["errors"]
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    assert api.post(VERIFY, {"code": code_of(device)}, format="json").status_code == 200
    assert TokenSecondFactor.objects.filter(token__user_id=staff.pk).count() == 1
    nobody, _ = token_client(customer.email)
    no_device = nobody.post(VERIFY, {"code": "123456"}, format="json")
    assert no_device.status_code == 400 and no_device.json()["code"] == "no_otp_device"
