"""Training (STF-8): sessions and attendance, the learning record."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record, audited_save
from platform_core.errors import InvalidInput
from staff.models import TrainingAttendance, TrainingCourse, TrainingSession


@transaction.atomic
def training_session_schedule(
    *, course: TrainingCourse, starts_at: datetime, trainer: User, location: str, actor: User | None
) -> TrainingSession:
    """STF-8: operations staff schedule a session of a course."""
    if not location.strip():
        raise InvalidInput(_("Give the location."), errors={"location": [_("Required.")]})
    session = TrainingSession.objects.create(
        course=course, starts_at=starts_at, trainer=trainer, location=location
    )
    audit_record(
        actor=actor,
        action="staff.training_session_scheduled",
        subject=session,
        after={"course": course.code, "trainer": trainer.pk, "starts_at": starts_at},
    )
    return session


def training_session_change(
    *,
    session: TrainingSession,
    course: TrainingCourse,
    starts_at: datetime,
    trainer: User,
    location: str,
    actor: User,
) -> TrainingSession:
    """STF-8, issue 21: move a session (time, trainer, place); its course only while no attendance is recorded
    (the learning records name it). Audited with before and after."""
    if not location.strip():
        raise InvalidInput(_("Give the location."), errors={"location": [_("Required.")]})
    stored = TrainingSession.objects.get(pk=session.pk)
    if course.pk != stored.course_id and stored.attendances.exists():
        raise InvalidInput(
            _("Attendance is recorded for this course's session: schedule a new session instead."),
            errors={"course": [_("Attendance is recorded for this course's session.")]},
        )
    data = {"course": course, "starts_at": starts_at, "trainer": trainer, "location": location}
    return audited_save(
        model=TrainingSession,
        obj=session,
        data=data,
        fields=("course", "starts_at", "trainer", "location"),
        actor=actor,
        entity="staff.training_session",
    )


@transaction.atomic
def training_attendance_record(
    *, session: TrainingSession, person: User, attended: bool, score: int | None, actor: User
) -> TrainingAttendance:
    """STF-8: record (or correct) one person's attendance and assessment score; ``passed`` follows from the
    course's pass score. The entry becomes part of the person's learning record (学习档案).
    """
    if score is not None and not 0 <= score <= 100:
        raise InvalidInput(_("A score is between 0 and 100."), errors={"score": [_("Between 0 and 100.")]})
    if not attended and score is not None:
        raise InvalidInput(
            _("Someone who did not attend has no score."), errors={"score": [_("Leave empty if absent.")]}
        )
    session = TrainingSession.objects.select_related("course").get(pk=session.pk)
    attendance = TrainingAttendance.objects.select_for_update().filter(session=session, person=person).first()
    before = (
        {"attended": attendance.attended, "score": attendance.score, "passed": attendance.passed}
        if attendance
        else None
    )
    if attendance is None:
        attendance = TrainingAttendance(session=session, person=person)
    attendance.attended, attendance.score = attended, score
    attendance.recorded_by, attendance.recorded_at = actor, clock.now()
    attendance.assess(pass_score=session.course.pass_score)
    attendance.save()
    audit_record(
        actor=actor,
        action="staff.training_attendance_recorded",
        subject=attendance,
        before=before,
        after={
            "person": person.pk,
            "course": session.course.code,
            "attended": attended,
            "score": score,
            "passed": attendance.passed,
        },
    )
    return attendance
