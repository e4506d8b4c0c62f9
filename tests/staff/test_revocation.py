"""STF-3, STF-5: revocation is effective at once; offboarding and department change revoke the same day."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.test import APIClient

from platform_core.accounts.models import User
from platform_core.accounts.services import user_sessions_end, user_token_issue
from platform_core.audit.models import AuditEntry
from platform_core.errors import Conflict, InvalidInput
from platform_core.notifications.models import Notification
from staff.models import CredentialRotationTask, Department, PermissionGrant, StaffProfile
from staff.services.grants import permission_grant, permission_revoke
from staff.services.offboarding import (
    credential_rotation_task_complete,
    staff_change_department,
    staff_offboard,
)
from tests.factories.staff import SharedCredentialFactory, department
from tests.staff.conftest import perm

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def token_client(user: User) -> APIClient:
    _token, clear = user_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {clear}")
    return client


def logged_in_browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_stf_3_token_dead_immediately_after_revocation(applicant, reviewer):
    grant = permission_grant(
        user=applicant, permission=perm("staff.publish_announcement"), reason="r", actor=reviewer
    )
    client = token_client(applicant)
    assert client.get("/api/v1/me/").status_code == 200

    permission_revoke(grant=grant, reason="left the notices team", actor=reviewer)

    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert not fresh(applicant).has_perm("staff.publish_announcement")


def test_stf_3_revocation_ends_sessions(applicant, reviewer):
    grant = permission_grant(
        user=applicant, permission=perm("staff.publish_announcement"), reason="r", actor=reviewer
    )
    mine, others = logged_in_browser(applicant), logged_in_browser(reviewer)
    assert Session.objects.count() == 2
    permission_revoke(grant=grant, reason="cause", actor=reviewer)
    assert Session.objects.count() == 1  # the reviewer's own session lives on
    assert mine.get("/api/v1/me/").status_code in (401, 403)
    assert others.get("/api/v1/me/").status_code == 200


def test_stf_3_revocation_recorded_and_notified_with_reason(applicant, reviewer):
    grant = permission_grant(
        user=applicant, permission=perm("staff.publish_announcement"), reason="r", actor=reviewer
    )
    permission_revoke(grant=grant, reason="misuse on 3 March", actor=reviewer)
    grant.refresh_from_db()
    assert grant.revoked_by == reviewer and grant.revoke_reason == "misuse on 3 March"
    assert "misuse on 3 March" in Notification.objects.get(event="staff.permission_revoked").body
    assert AuditEntry.objects.get(action="staff.permission_revoked").reason == "misuse on 3 March"
    with pytest.raises(Conflict):
        permission_revoke(grant=grant, reason="again", actor=reviewer)
    with pytest.raises(InvalidInput):
        permission_revoke(
            grant=permission_grant(
                user=applicant, permission=perm("staff.publish_announcement"), reason="r", actor=reviewer
            ),
            reason="",
            actor=reviewer,
        )


def test_stf_3_user_sessions_end_only_that_user(applicant, reviewer):
    logged_in_browser(applicant)
    logged_in_browser(applicant)
    logged_in_browser(reviewer)
    assert user_sessions_end(user=applicant) == 2
    assert Session.objects.count() == 1


def test_stf_5_offboarding_revokes_same_day_and_opens_rotation_task(applicant, reviewer):
    grant = permission_grant(
        user=applicant, permission=perm("staff.publish_announcement"), reason="r", actor=reviewer
    )
    known = SharedCredentialFactory.create(name="SMS gateway console")
    known.holders.add(applicant)
    SharedCredentialFactory.create(name="unrelated").holders.add(reviewer)
    client = token_client(applicant)
    browser = logged_in_browser(applicant)

    task = staff_offboard(user=applicant, reason="contract ended", actor=reviewer)

    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_at.date() == grant.granted_at.date()
    person = fresh(applicant)
    assert not person.has_perm("staff.publish_announcement")
    assert not person.is_staff and not person.groups.filter(name__startswith="staff_").exists()
    profile = StaffProfile.objects.get(user=applicant)
    assert not profile.is_active and profile.left_at is not None
    assert client.get("/api/v1/me/").status_code == 401
    assert browser.get("/api/v1/me/").status_code in (401, 403)
    assert task is not None
    assert task.assigned_department.code == Department.Code.TECHNOLOGY
    assert [c.name for c in task.credentials.all()] == ["SMS gateway console"]
    assert not known.holders.filter(pk=applicant.pk).exists()
    assert AuditEntry.objects.filter(action="staff.member_offboarded").exists()

    credential_rotation_task_complete(task=task, actor=reviewer)
    known.refresh_from_db()
    assert known.last_rotated_at is not None
    assert CredentialRotationTask.objects.get(pk=task.pk).completed_by == reviewer


def test_stf_5_department_change_revokes_and_rotates_old_department_credentials(applicant, reviewer):
    grant = permission_grant(
        user=applicant, permission=perm("staff.publish_announcement"), reason="r", actor=reviewer
    )
    ops_secret = SharedCredentialFactory.create(name="ads account", department=department("operations"))
    finance_secret = SharedCredentialFactory.create(name="bank portal", department=department("finance"))
    ops_secret.holders.add(applicant)
    finance_secret.holders.add(applicant)
    client = token_client(applicant)

    task = staff_change_department(
        user=applicant, department=department("finance"), reason="transfer", actor=reviewer
    )

    assert not PermissionGrant.objects.get(pk=grant.pk).is_active
    person = fresh(applicant)
    assert person.is_staff
    assert set(person.groups.values_list("name", flat=True)) == {"staff_finance"}
    assert StaffProfile.objects.get(user=applicant).department.code == "finance"
    assert client.get("/api/v1/me/").status_code == 401
    assert task is not None and [c.name for c in task.credentials.all()] == ["ads account"]
    with pytest.raises(Conflict):
        staff_change_department(
            user=applicant, department=department("finance"), reason="again", actor=reviewer
        )


def test_stf_5_offboarding_without_shared_credentials_opens_no_task(applicant, reviewer):
    assert staff_offboard(user=applicant, reason="left", actor=reviewer) is None


def test_stf_5_departing_head_no_longer_receives_escalations(operations_head, reviewer):
    staff_offboard(user=operations_head, reason="left", actor=reviewer)
    assert department("operations").head is None
