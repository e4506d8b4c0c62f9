"""STF-2, USR-2 over HTTP: applicants see their own, reviewers see the queue; SEC-1 scoping."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from platform_core.accounts.models import User
from staff.models import PermissionApplication
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory
from tests.factories.staff import identity, staff_member

pytestmark = pytest.mark.django_db

URL = "/api/v1/staff/permission-applications/"


def apply(user: User, key: str = "staff.publish_announcement", **extra):
    if key.startswith("staff.user_"):
        extra = {**identity(), **extra}  # USR-2: users apply with their real identity
    return client_for(user).post(
        URL, {"permission": key, "justification": "I write the notices", **extra}, format="json"
    )


def test_stf_2_apply_and_list_own(applicant):
    response = apply(applicant, material={"manager": "王经理"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted" and body["permission"] == "staff.publish_announcement"
    assert body["review_seconds_left"] > 0
    listed = client_for(applicant).get(URL).json()
    assert [a["id"] for a in listed["results"]] == [body["id"]]
    assert client_for(staff_member("finance")).get(URL).json()["results"] == []  # not theirs


def test_stf_2_queue_for_reviewers_only_oldest_first(applicant, reviewer):
    first = apply(applicant).json()["id"]
    second = apply(CustomerFactory(), "staff.user_jury").json()["id"]
    queue = client_for(reviewer).get(URL, {"scope": "queue"}).json()
    assert [a["id"] for a in queue["results"]] == [first, second]
    assert client_for(applicant).get(URL, {"scope": "queue"}).status_code == 403


def test_stf_2_approve_and_reject_over_api(applicant, reviewer):
    first = apply(applicant).json()["id"]
    response = client_for(reviewer).post(f"{URL}{first}/approve/", {"reason": "editor"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert response.json()["review_seconds_left"] is None

    customer = CustomerFactory()
    second = apply(customer, "staff.user_jury").json()["id"]
    response = client_for(reviewer).post(f"{URL}{second}/reject/", {"reason": "too new"}, format="json")
    assert response.status_code == 200 and response.json()["decision_reason"] == "too new"
    assert client_for(customer).get(f"{URL}{second}/").json()["status"] == "rejected"


def test_stf_2_applicant_cannot_review_own_over_api(applicant):
    from tests.staff.conftest import give

    me = give(applicant, "staff.review_permission_application")
    own = apply(me).json()["id"]
    response = client_for(me).post(f"{URL}{own}/approve/", {"reason": "me"}, format="json")
    assert response.status_code == 403
    assert PermissionApplication.objects.get(pk=own).status == "submitted"


def test_sec_1_other_people_get_404(applicant):
    own = apply(applicant).json()["id"]
    stranger = client_for(CustomerFactory())
    assert stranger.get(f"{URL}{own}/").status_code == 404
    assert stranger.post(f"{URL}{own}/approve/", {"reason": "x"}, format="json").status_code == 404
    assert stranger.post(f"{URL}{own}/withdraw/").status_code == 404
    assert client_for(applicant).post(f"{URL}{own}/withdraw/").json()["status"] == "withdrawn"


def test_stf_1_audience_and_unknown_permission_refused(applicant, customer_applicant):
    assert apply(applicant, "staff.user_jury").status_code == 403
    assert apply(customer_applicant, "staff.publish_announcement").status_code == 403
    assert apply(customer_applicant, "staff.no_such_thing").status_code == 400


def test_sec_4_attachment_checked_by_content(applicant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(applicant)
    fake = SimpleUploadedFile("cv.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        URL,
        {"permission": "staff.publish_announcement", "justification": "x", "attachment": fake},
        format="multipart",
    )
    assert response.status_code == 400
    real = SimpleUploadedFile("cv.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    response = client.post(
        URL,
        {"permission": "staff.publish_announcement", "justification": "x", "attachment": real},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["has_attachment"] is True


def test_anonymous_refused(api_client):
    assert api_client.get(URL).status_code == 401
