"""USR-1 … USR-3, SEC-2: users apply for advanced permissions with real identity, through the staff mechanism."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from platform_core.accounts.deletion import user_account_delete
from platform_core.accounts.models import User
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadlines_sweep
from platform_core.notifications.models import Notification
from staff.clocks import REVIEW_RULE
from staff.models import IdentityVerification, PermissionApplication, PermissionGrant
from staff.services.applications import permission_application_approve
from staff.services.grants import permission_revoke
from tests.conftest import client_for
from tests.factories.accounts import DEFAULT_PASSWORD
from tests.factories.staff import resident_id, staff_member

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/permission-applications/"
ID_NUMBER = resident_id()
# Thursday 12 February 2026, 10:00 in Shanghai: the Spring Festival holiday runs 15-23 February.
BEFORE_SPRING_FESTIVAL = datetime(2026, 2, 12, 2, 0, tzinfo=UTC)


def apply(user: User, key: str = "staff.user_jury", **extra):
    body = {
        "permission": key,
        "justification": "I want to help settle small disputes",
        "real_name": "张三",
        "id_number": ID_NUMBER,
        "material": {"statement": "no link to any merchant"},
        **extra,
    }
    return client_for(user).post(URL, body, format="json")


def test_usr_2_invalid_id_number_refused_with_clear_message(customer_applicant):
    wrong_check = ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")
    response = apply(customer_applicant, id_number=wrong_check)
    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["id_number"] == [
        "The ID number's last character does not match its check digit: please check for a typo."
    ]
    assert "check digit" in body["detail"]
    short = apply(customer_applicant, id_number="1234").json()
    assert "18 characters" in short["errors"]["id_number"][0]
    nameless = apply(customer_applicant, real_name=" ").json()
    assert "real_name" in nameless["errors"]
    assert not PermissionApplication.objects.exists() and not IdentityVerification.objects.exists()


def test_usr_2_identity_required_even_through_the_staff_endpoint(customer_applicant):
    response = client_for(customer_applicant).post(
        "/api/v1/staff/permission-applications/",
        {"permission": "staff.user_jury", "justification": "help"},
        format="json",
    )
    assert response.status_code == 400 and "id_number" in response.json()["errors"]


def test_usr_2_application_shows_identity_masked(customer_applicant, reviewer):
    response = apply(customer_applicant)
    assert response.status_code == 201, response.json()
    identity = response.json()["identity"]
    assert identity == {
        "real_name": "张*",
        "id_number": ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:],
        "verified_at": None,
    }
    assert ID_NUMBER not in response.content.decode()
    queue = client_for(reviewer).get("/api/v1/staff/permission-applications/", {"scope": "queue"})
    assert ID_NUMBER not in queue.content.decode() and "张三" not in queue.content.decode()
    listed = client_for(customer_applicant).get(URL).json()["results"]
    assert [a["identity"]["id_number"] for a in listed] == [identity["id_number"]]


def test_sec_2_id_number_encrypted_at_rest(customer_applicant):
    apply(customer_applicant)
    identity = IdentityVerification.objects.get()
    assert identity.id_number == ID_NUMBER  # the model reads clear text
    table = IdentityVerification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number, id_number_masked FROM {table}")  # noqa: S608 (our own table name)
        stored, masked = cursor.fetchone()
    assert ID_NUMBER not in stored and ID_NUMBER[6:14] not in stored  # not even the birth date
    assert stored.startswith("gAAAAA")  # a Fernet token
    assert masked == ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:]
    assert identity.id_number_last4 == ID_NUMBER[-4:]


def test_usr_2_review_spans_spring_festival(customer_applicant, reviewer, time_machine):
    time_machine.move_to(BEFORE_SPRING_FESTIVAL, tick=False)
    application_id = apply(customer_applicant).json()["id"]
    deadline = Deadline.objects.get(rule=REVIEW_RULE, subject_id=str(application_id))
    # Working days: Fri 13, Sat 14 Feb (make-up day), then after the holiday Tue 24, Wed 25, Thu 26 Feb.
    due = timezone.localtime(deadline.due_at)
    assert (due.date().isoformat(), due.hour) == ("2026-02-26", 10)

    officer = staff_member("operations")  # STAFF_USER_APPLICATION_ESCALATION_GROUP (staff_operations)
    time_machine.move_to(datetime(2026, 2, 23, 15, 0, tzinfo=UTC), tick=False)  # last holiday day
    deadlines_sweep()
    assert PermissionApplication.objects.get(pk=application_id).escalated_at is None
    time_machine.move_to(deadline.due_at + timedelta(seconds=1), tick=False)
    deadlines_sweep()
    application = PermissionApplication.objects.get(pk=application_id)
    assert application.escalated_at is not None and application.status == "submitted"
    assert Notification.objects.filter(
        recipient=officer, event="staff.permission_application_escalated"
    ).exists()

    grant = permission_application_approve(application=application, reason="no links found", actor=reviewer)
    assert grant.user == customer_applicant
    assert IdentityVerification.objects.get(application=application).verified_by == reviewer
    note = Notification.objects.get(recipient=customer_applicant, event="staff.permission_granted")
    assert "no links found" in note.body  # the result is notified with its reason


def test_usr_1_me_permissions_shows_held_pending_available(customer_applicant, reviewer):
    jury = apply(customer_applicant).json()["id"]
    permission_application_approve(
        application=PermissionApplication.objects.get(pk=jury), reason="ok", actor=reviewer
    )
    apply(customer_applicant, "staff.user_delete_own_content")
    body = client_for(customer_applicant).get("/api/v1/me/permissions/").json()
    states = {p["key"]: p["state"] for p in body["advanced"]}
    assert states == {
        "staff.user_change_identity": "available",
        "staff.user_delete_own_content": "pending",
        "staff.user_jury": "held",
        "staff.user_privacy_beyond_defaults": "available",
    }  # and no staff permission is offered to a customer
    assert [p["key"] for p in body["basic"]] == [
        "browse", "search", "review", "comment", "like", "favourite", "follow"
    ]  # fmt: skip
    assert set(body["privacy"]) == {"show_purchase_history", "allow_follow", "personalised_recommendations"}


def test_usr_3_withdraw_change_and_give_up_over_api(customer_applicant, reviewer):
    client = client_for(customer_applicant)
    first = apply(customer_applicant).json()["id"]
    assert client.post(f"{URL}{first}/withdraw/").json()["status"] == "withdrawn"
    second = apply(customer_applicant).json()["id"]
    grant = permission_application_approve(
        application=PermissionApplication.objects.get(pk=second), reason="ok", actor=reviewer
    )
    until = (timezone.now() + timedelta(days=400)).isoformat()
    change = client.post(
        URL,
        {
            "permission": "staff.user_jury",
            "justification": "I moved city; please keep me on the jury list until next year",
            "change_of_grant": grant.pk,
            "requested_expires_at": until,
            "material": {"proof": "residence permit"},
        },
        format="json",
    )
    assert change.status_code == 201, change.json()
    assert change.json()["kind"] == "change"
    assert client.post(f"/api/v1/me/permission-grants/{grant.pk}/give-up/").status_code == 200
    assert not PermissionGrant.objects.get(pk=grant.pk).is_active
    assert not User.objects.get(pk=customer_applicant.pk).has_perm("staff.user_jury")
    other = client_for(staff_member("finance"))
    assert other.post(f"/api/v1/me/permission-grants/{grant.pk}/give-up/").status_code == 404


def test_usr_3_revocation_for_cause_with_notice_and_reason(customer_applicant, reviewer):
    application_id = apply(customer_applicant).json()["id"]
    grant = permission_application_approve(
        application=PermissionApplication.objects.get(pk=application_id), reason="ok", actor=reviewer
    )
    permission_revoke(grant=grant, reason="leaked a case file", actor=reviewer)
    note = Notification.objects.get(recipient=customer_applicant, event="staff.permission_revoked")
    assert "leaked a case file" in note.body
    body = client_for(customer_applicant).get("/api/v1/me/permissions/").json()
    assert {p["key"]: p["state"] for p in body["advanced"]}["staff.user_jury"] == "available"


def test_usr_4_deleting_the_account_erases_the_identity_and_ends_grants(customer_applicant, reviewer):
    application_id = apply(customer_applicant).json()["id"]
    grant = permission_application_approve(
        application=PermissionApplication.objects.get(pk=application_id), reason="ok", actor=reviewer
    )
    pending = apply(customer_applicant, "staff.user_change_identity").json()["id"]
    user_account_delete(user=customer_applicant, password=DEFAULT_PASSWORD, actor=customer_applicant)
    identity = IdentityVerification.objects.get(application_id=application_id)
    assert (identity.real_name, identity.id_number, identity.id_number_masked) == ("", "", "")
    assert identity.anonymised_at is not None
    assert not PermissionGrant.objects.get(pk=grant.pk).is_active
    assert PermissionApplication.objects.get(pk=pending).status == "withdrawn"


@pytest.mark.parametrize(
    "path", ["accounts/userrestriction", "accounts/privacysettings", "staff/identityverification"]
)
def test_usr_1_admin_screens_render(settings, customer_applicant, path):
    from django.test import Client

    from tests.factories.accounts import UserFactory

    settings.STAFF_REQUIRE_OTP = False
    apply(customer_applicant)
    client = Client()
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    assert client.get(f"/admin/{path}/").status_code == 200


def test_sec_2_identity_unmasked_only_for_permission_holders_and_audited(settings, customer_applicant):
    from django.test import Client

    from platform_core.audit.models import AuditEntry
    from tests.staff.conftest import give

    settings.STAFF_REQUIRE_OTP = False
    apply(customer_applicant)
    identity = IdentityVerification.objects.get()
    url = f"/admin/staff/identityverification/{identity.pk}/change/"
    viewer = give(staff_member("compliance"), "staff.view_identityverification")
    client = Client()
    client.force_login(viewer)
    page = client.get(url, follow=True).content.decode()
    assert ID_NUMBER not in page and identity.id_number_masked in page
    assert not AuditEntry.objects.filter(action="personal_data.viewed").exists()
    holder = give(viewer, "staff.view_personal_data")
    client.force_login(holder)
    page = client.get(url, follow=True).content.decode()
    assert ID_NUMBER in page
    assert AuditEntry.objects.filter(action="personal_data.viewed", actor=holder).count() == 1


def test_usr_1_restriction_imposed_in_admin_goes_through_the_service(settings, customer_applicant):
    from django.test import Client

    from platform_core.accounts.models import UserRestriction
    from tests.factories.accounts import UserFactory

    settings.STAFF_REQUIRE_OTP = False
    client = Client()
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    url = "/admin/accounts/userrestriction/add/"
    client.post(url, {"user": customer_applicant.pk, "permission": "comment", "reason": "abuse"})
    restriction = UserRestriction.objects.get()
    assert restriction.imposed_by is not None and restriction.reason == "abuse"
    assert Notification.objects.filter(
        recipient=customer_applicant, event="account.permission_restricted"
    ).exists()
