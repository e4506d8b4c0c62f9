"""The staff administration screens render and act through the services (STF-2, STF-3, STF-5, STF-6)."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from platform_core.accounts.models import User
from staff.models import Announcement, PermissionApplication, PermissionGrant, StaffProfile
from staff.services.applications import permission_application_submit
from staff.services.grants import permission_grant
from tests.factories.accounts import UserFactory
from tests.staff.conftest import perm

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(settings) -> tuple[Client, User]:
    settings.STAFF_REQUIRE_OTP = False  # SEC-3 is tested in test_security; here the screens
    boss = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(boss)
    return client, boss


@pytest.mark.parametrize(
    "model",
    [
        "department",
        "staffprofile",
        "permissionapplication",
        "permissiongrant",
        "sharedcredential",
        "credentialrotationtask",
        "announcement",
    ],
)
def test_screens_render(admin_browser, applicant, model):
    client, _boss = admin_browser
    permission_application_submit(
        applicant=applicant, permission=perm("staff.publish_announcement"), justification="x", actor=applicant
    )
    assert client.get(f"/admin/staff/{model}/").status_code == 200


def test_stf_2_queue_approve_with_reason(admin_browser, applicant):
    client, boss = admin_browser
    application = permission_application_submit(
        applicant=applicant, permission=perm("staff.publish_announcement"), justification="x", actor=applicant
    )
    page = client.get("/admin/staff/permissionapplication/").content.decode()
    assert "5 d" in page or "4 d" in page or "6 d" in page  # time left shown
    client.post(
        "/admin/staff/permissionapplication/",
        {"action": "approve", ACTION_CHECKBOX_NAME: [application.pk], "reason": "editor"},
    )
    application.refresh_from_db()
    assert application.status == PermissionApplication.Status.APPROVED
    assert application.reviewer == boss and application.decision_reason == "editor"


def test_stf_3_revoke_action_requires_reason(admin_browser, applicant):
    client, boss = admin_browser
    grant = permission_grant(
        user=applicant, permission=perm("staff.publish_announcement"), reason="r", actor=boss
    )
    client.post(
        "/admin/staff/permissiongrant/", {"action": "revoke", ACTION_CHECKBOX_NAME: [grant.pk], "reason": ""}
    )
    assert PermissionGrant.objects.get(pk=grant.pk).is_active  # refused without a reason
    client.post(
        "/admin/staff/permissiongrant/",
        {"action": "revoke", ACTION_CHECKBOX_NAME: [grant.pk], "reason": "misuse"},
    )
    assert not PermissionGrant.objects.get(pk=grant.pk).is_active


def test_stf_5_offboard_action(admin_browser, applicant):
    client, _boss = admin_browser
    profile = StaffProfile.objects.get(user=applicant)
    client.post(
        "/admin/staff/staffprofile/",
        {"action": "offboard", ACTION_CHECKBOX_NAME: [profile.pk], "reason": "left"},
    )
    profile.refresh_from_db()
    assert not profile.is_active


def test_stf_6_announcement_added_through_publish(admin_browser):
    client, boss = admin_browser
    response = client.post("/admin/staff/announcement/add/", {"title": "Notice", "body": "Holiday hours"})
    assert response.status_code == 302
    assert Announcement.objects.get().published_by == boss
