"""STF-8: training courses, sessions, attendance and scores per person; a permission requiring a training
is granted only to people who passed it."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from platform_core.audit.models import AuditEntry
from platform_core.errors import Conflict, InvalidInput
from staff.models import PermissionApplication, TrainingCourse
from staff.selectors import learning_record_for, training_passed_by
from staff.services.applications import permission_application_approve, permission_application_submit
from staff.services.training import training_attendance_record, training_session_schedule
from tests.conftest import client_for
from tests.factories.accounts import UserFactory
from tests.factories.staff import staff_member
from tests.staff.conftest import perm

pytestmark = pytest.mark.django_db

COURSE = "personal_data_protection"


@pytest.fixture
def trainer(db: None):
    return staff_member("operations", name="培训讲师")


def session_of(code: str, trainer, day: int = 2):
    return training_session_schedule(
        course=TrainingCourse.objects.get(code=code),
        starts_at=datetime(2026, 3, day, 6, 0, tzinfo=UTC),
        trainer=trainer,
        location="总部 3 楼会议室",
        actor=trainer,
    )


def test_stf_8_course_seeded_for_the_permission_that_requires_it():
    from platform_core.org.permissions import permission_spec_get

    spec = permission_spec_get("staff.view_personal_data")
    assert spec is not None and spec.requires_training == COURSE
    course = TrainingCourse.objects.get(code=COURSE)
    assert course.audience == "staff" and course.pass_score == 80


def test_stf_8_training_required_before_grant(applicant, reviewer, trainer):
    application = permission_application_submit(
        applicant=applicant,
        permission=perm("staff.view_personal_data"),
        justification="I handle after-sales cases with customers' addresses",
        actor=applicant,
    )
    first = session_of(COURSE, trainer, day=2)
    training_attendance_record(session=first, person=applicant, attended=True, score=65, actor=trainer)
    with pytest.raises(Conflict, match="has not passed"):
        permission_application_approve(application=application, reason="needed", actor=reviewer)
    application.refresh_from_db()
    assert application.status == PermissionApplication.Status.SUBMITTED
    assert not type(applicant).objects.get(pk=applicant.pk).has_perm("staff.view_personal_data")

    retake = session_of(COURSE, trainer, day=9)
    training_attendance_record(session=retake, person=applicant, attended=True, score=92, actor=trainer)
    grant = permission_application_approve(application=application, reason="needed", actor=reviewer)
    assert grant.user == applicant
    assert type(applicant).objects.get(pk=applicant.pk).has_perm("staff.view_personal_data")


def test_stf_8_pass_is_judged_against_the_course_pass_score(trainer):
    person = UserFactory.create()
    session = session_of(COURSE, trainer)
    absent = training_attendance_record(
        session=session, person=person, attended=False, score=None, actor=trainer
    )
    assert not absent.passed and not training_passed_by(person, COURSE)
    exact = training_attendance_record(session=session, person=person, attended=True, score=80, actor=trainer)
    assert exact.pk == absent.pk and exact.passed  # corrected in place, one entry per session
    assert training_passed_by(person, COURSE) and not training_passed_by(person, "another_course")
    assert AuditEntry.objects.filter(action="staff.training_attendance_recorded").count() == 2
    with pytest.raises(InvalidInput):
        training_attendance_record(session=session, person=person, attended=True, score=101, actor=trainer)
    with pytest.raises(InvalidInput):
        training_attendance_record(session=session, person=person, attended=False, score=70, actor=trainer)


def test_stf_8_learning_record_per_person(trainer):
    partner_course = TrainingCourse.objects.create(
        code="service_orders_for_partners", title="服务订单操作培训", audience="partner", pass_score=60
    )
    person, other = UserFactory.create(), UserFactory.create()
    training_attendance_record(
        session=session_of(COURSE, trainer, day=2), person=person, attended=True, score=50, actor=trainer
    )
    training_attendance_record(
        session=session_of(partner_course.code, trainer, day=16),
        person=person,
        attended=True,
        score=75,
        actor=trainer,
    )
    training_attendance_record(
        session=session_of(COURSE, trainer, day=23), person=other, attended=True, score=99, actor=trainer
    )
    record = list(learning_record_for(user=person))
    assert [(a.session.course.code, a.score, a.passed) for a in record] == [
        ("service_orders_for_partners", 75, True),
        (COURSE, 50, False),
    ]
    body = client_for(person).get("/api/v1/me/learning-record/").json()
    assert [(r["course"], r["passed"]) for r in body["results"]] == [
        ("service_orders_for_partners", True),
        (COURSE, False),
    ]


@pytest.mark.parametrize(
    "model",
    [
        "trainingcourse",
        "trainingsession",
        "trainingattendance",
        "identityverification",
    ],
)
def test_stf_8_admin_screens_render(settings, trainer, model):
    settings.STAFF_REQUIRE_OTP = False
    boss = UserFactory.create(is_staff=True, is_superuser=True)
    session = session_of(COURSE, trainer)
    training_attendance_record(session=session, person=boss, attended=True, score=90, actor=trainer)
    client = Client()
    client.force_login(boss)
    assert client.get(f"/admin/staff/{model}/").status_code == 200
    if model == "trainingsession":
        assert client.get(f"/admin/staff/trainingsession/{session.pk}/change/").status_code == 200


def test_stf_8_attendance_recorded_through_admin(settings, trainer):
    settings.STAFF_REQUIRE_OTP = False
    boss = UserFactory.create(is_staff=True, is_superuser=True)
    person = UserFactory.create()
    session = session_of(COURSE, trainer)
    client = Client()
    client.force_login(boss)
    response = client.post(
        "/admin/staff/trainingattendance/add/",
        {"session": session.pk, "person": person.pk, "attended": "on", "score": "85"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert training_passed_by(person, COURSE)
