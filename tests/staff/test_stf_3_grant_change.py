"""STF-3, USR-3 (issue 21): staff change a grant's scope and end with reason and evidence, or revoke it at
once, through the admin (signed in with the second factor); revocation and a new scope end the holder's
sessions and API tokens; the service writes the audit row; staff without the right are refused."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.services import user_token_issue
from platform_core.audit.models import AuditEntry
from staff.models import Department, PermissionGrant
from staff.services.grants import permission_grant
from tests.factories.staff import staff_member
from tests.helpers.admin_otp import otp_admin_client, with_permissions
from tests.staff.conftest import perm

pytestmark = pytest.mark.django_db

OLD, NEW = "staff.publish_announcement", "merchants.review_merchantapplication"


@pytest.fixture(autouse=True)
def _otp(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production


@pytest.fixture
def hr_admin(db: None) -> User:
    return with_permissions(
        staff_member(Department.Code.HR), "staff.change_permissiongrant", "staff.view_permissiongrant"
    )


@pytest.fixture
def grant(applicant: User, hr_admin: User) -> PermissionGrant:
    return permission_grant(user=applicant, permission=perm(OLD), reason="公告编辑", actor=hr_admin)


def token_client(user: User) -> APIClient:
    _token, clear = user_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {clear}")
    return client


def change_form(
    permission: str, ends: Any, reason: str = "调岗至商家审核", evidence: str = "工单 HR-118"
) -> dict:
    local = timezone.localtime(ends)
    return {
        "permission": perm(permission).pk,
        "expires_at_0": local.strftime("%Y-%m-%d"),
        "expires_at_1": local.strftime("%H:%M:%S"),
        "reason": reason,
        "evidence": evidence,
    }


def test_stf_3_change_scope_and_end_in_the_admin_with_reason_and_evidence(
    applicant: User, hr_admin: User, grant: PermissionGrant
) -> None:
    browser = otp_admin_client(hr_admin)
    page = browser.get(f"/admin/staff/permissiongrant/{grant.pk}/change/").content.decode()
    assert f"/admin/staff/permissiongrant/{grant.pk}/change-grant/" in page
    api = token_client(applicant)
    assert api.get("/api/v1/me/").status_code == 200
    ends = (clock.now() + timedelta(days=30)).replace(microsecond=0, second=0)

    response = browser.post(f"/admin/staff/permissiongrant/{grant.pk}/change-grant/", change_form(NEW, ends))

    assert response.status_code == 302, response.content.decode()[:3000]
    grant.refresh_from_db()
    assert grant.is_active and grant.permission == perm(NEW) and grant.expires_at == ends
    holder = User.objects.get(pk=applicant.pk)
    assert holder.has_perm(NEW) and not holder.has_perm(OLD)
    assert api.get("/api/v1/me/").status_code == 401  # the old scope's token is dead at once
    entry = AuditEntry.objects.get(action="staff.permission_grant_changed", actor=hr_admin)
    assert entry.before is not None and entry.after is not None
    assert entry.before["permission"] == OLD and entry.after["permission"] == NEW
    assert entry.after["evidence"] == "工单 HR-118" and entry.reason == "调岗至商家审核"
    assert entry.after["tokens_revoked"] >= 1


def test_stf_3_change_needs_a_reason(hr_admin: User, grant: PermissionGrant) -> None:
    browser = otp_admin_client(hr_admin)
    ends = clock.now() + timedelta(days=30)
    response = browser.post(
        f"/admin/staff/permissiongrant/{grant.pk}/change-grant/", change_form(NEW, ends, reason="")
    )
    assert response.status_code == 200  # the form again, with the error
    grant.refresh_from_db()
    assert grant.permission == perm(OLD) and grant.expires_at is None
    assert not AuditEntry.objects.filter(action="staff.permission_grant_changed").exists()


def test_stf_3_revoke_at_once_in_the_admin_ends_sessions_and_tokens(
    applicant: User, hr_admin: User, grant: PermissionGrant
) -> None:
    api = token_client(applicant)
    assert api.get("/api/v1/me/").status_code == 200
    browser = otp_admin_client(hr_admin)
    response = browser.post(f"/admin/staff/permissiongrant/{grant.pk}/revoke/", {"reason": "滥用发布权限"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert not grant.is_active and grant.revoke_reason == "滥用发布权限"
    assert not User.objects.get(pk=applicant.pk).has_perm(OLD)
    assert api.get("/api/v1/me/").status_code == 401
    entry = AuditEntry.objects.get(action="staff.permission_revoked", actor=hr_admin)
    assert entry.after is not None
    assert entry.after["tokens_revoked"] >= 1 and entry.reason == "滥用发布权限"


def test_stf_3_staff_without_the_right_cannot_change_or_revoke(
    applicant: User, grant: PermissionGrant
) -> None:
    outsider = with_permissions(staff_member(Department.Code.OPERATIONS), "staff.view_permissiongrant")
    browser = otp_admin_client(outsider)
    ends = clock.now() + timedelta(days=30)
    assert (
        browser.post(
            f"/admin/staff/permissiongrant/{grant.pk}/change-grant/", change_form(NEW, ends)
        ).status_code
        == 403
    )
    assert (
        browser.post(f"/admin/staff/permissiongrant/{grant.pk}/revoke/", {"reason": "x"}).status_code == 403
    )
    grant.refresh_from_db()
    assert grant.is_active and grant.permission == perm(OLD)
    assert not AuditEntry.objects.filter(
        action__in=["staff.permission_grant_changed", "staff.permission_revoked"]
    ).exists()
