"""STF-2, USR-2: one application mechanism for staff and users: apply, review in 5 working days, grant, lapse."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from platform_core.audit.models import AuditEntry
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.notifications.models import Notification
from platform_core.org.permissions import training_checks
from staff.clocks import REVIEW_RULE
from staff.models import PermissionApplication, PermissionGrant
from staff.selectors import permission_application_time_left
from staff.services.applications import (
    permission_application_approve,
    permission_application_reject,
    permission_application_submit,
    permission_application_withdraw,
)
from tests.factories.staff import identity
from tests.staff.conftest import give, perm

pytestmark = pytest.mark.django_db

# Tuesday 29 September 2026, 10:00 in Shanghai: National Day (1-7 October) is two days away.
BEFORE_NATIONAL_DAY = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)


def submit(applicant, key="staff.publish_announcement", **kwargs):
    if key.startswith("staff.user_") and "change_of" not in kwargs:
        kwargs = {**identity(), **kwargs}  # USR-2: users apply with their real identity
    return permission_application_submit(
        applicant=applicant,
        permission=perm(key),
        justification="I edit the weekly notice",
        actor=applicant,
        **kwargs,
    )


def test_stf_2_review_deadline_spans_national_day_holiday(applicant, operations_head, time_machine):
    time_machine.move_to(BEFORE_NATIONAL_DAY, tick=False)
    application = submit(applicant)
    deadline = Deadline.objects.get(rule=REVIEW_RULE, subject_id=str(application.pk))
    # Working days: 30 Sep, 8 Oct, 9 Oct, Sat 10 Oct (make-up day, 调休), Mon 12 Oct.
    due = timezone.localtime(deadline.due_at)
    assert (due.date().isoformat(), due.hour) == ("2026-10-12", 10)

    time_machine.move_to(deadline.due_at - timedelta(minutes=1), tick=False)
    assert permission_application_time_left(application) == timedelta(minutes=1)
    deadlines_sweep()
    application.refresh_from_db()
    assert application.escalated_at is None

    time_machine.move_to(deadline.due_at + timedelta(seconds=1), tick=False)
    deadlines_sweep()
    application.refresh_from_db()
    assert application.status == PermissionApplication.Status.SUBMITTED  # still open, now before the head
    assert application.escalated_to == operations_head
    assert (
        Notification.objects.filter(
            recipient=operations_head, event="staff.permission_application_escalated"
        ).count()
        == 1
    )
    deadlines_sweep()  # idempotent
    assert Notification.objects.filter(event="staff.permission_application_escalated").count() == 1


def test_stf_2_head_may_decide_escalated_application(applicant, operations_head, time_machine):
    time_machine.move_to(BEFORE_NATIONAL_DAY, tick=False)
    application = submit(applicant)
    with pytest.raises(Forbidden):  # not yet escalated, and the head holds no review permission
        permission_application_reject(application=application, reason="no", actor=operations_head)
    time_machine.move_to(BEFORE_NATIONAL_DAY + timedelta(days=30), tick=False)
    deadlines_sweep()
    grant = permission_application_approve(
        application=application, reason="needed for notices", actor=operations_head
    )
    assert grant.user == applicant


def test_usr_2_user_application_escalates_to_configured_group(customer_applicant, settings, time_machine):
    from tests.factories.staff import staff_member

    settings.STAFF_USER_APPLICATION_ESCALATION_GROUP = "staff_compliance"
    officer = staff_member("compliance")
    time_machine.move_to(BEFORE_NATIONAL_DAY, tick=False)
    application = submit(customer_applicant, "staff.user_jury")
    time_machine.move_to(BEFORE_NATIONAL_DAY + timedelta(days=30), tick=False)
    deadlines_sweep()
    application.refresh_from_db()
    assert application.escalated_at is not None
    assert Notification.objects.filter(
        recipient=officer, event="staff.permission_application_escalated"
    ).exists()


def test_stf_2_applicant_cannot_review_own(applicant):
    me = give(applicant, "staff.review_permission_application")
    application = submit(me)
    with pytest.raises(Forbidden, match="own"):
        permission_application_approve(application=application, reason="fine", actor=me)
    with pytest.raises(Forbidden, match="own"):
        permission_application_reject(application=application, reason="meh", actor=me)
    application.refresh_from_db()
    assert application.status == PermissionApplication.Status.SUBMITTED
    assert not me.has_perm("staff.publish_announcement")


def test_stf_2_reviewer_needs_staff_administration_permission(applicant):
    from tests.factories.staff import staff_member

    application = submit(applicant)
    with pytest.raises(Forbidden):
        permission_application_approve(application=application, reason="ok", actor=staff_member("finance"))


def test_stf_2_approval_grants_and_notifies_with_reason(applicant, reviewer):
    application = submit(applicant)
    grant = permission_application_approve(
        application=application, reason="editor of notices", actor=reviewer
    )
    application.refresh_from_db()
    assert application.status == PermissionApplication.Status.APPROVED
    assert application.reviewer == reviewer and application.decided_at is not None
    assert grant.granted_by == reviewer and grant.application == application
    fresh = type(applicant).objects.get(pk=applicant.pk)
    assert fresh.has_perm("staff.publish_announcement")
    note = Notification.objects.get(recipient=applicant, event="staff.permission_granted")
    assert "editor of notices" in note.body
    assert (
        Deadline.objects.get(rule=REVIEW_RULE, subject_id=str(application.pk)).status == Deadline.Status.MET
    )
    assert AuditEntry.objects.filter(action="staff.permission_application_approved").exists()


def test_stf_2_rejection_needs_reason_and_notifies_it(applicant, reviewer):
    application = submit(applicant)
    with pytest.raises(InvalidInput):
        permission_application_reject(application=application, reason=" ", actor=reviewer)
    permission_application_reject(application=application, reason="not in your duties", actor=reviewer)
    note = Notification.objects.get(recipient=applicant, event="staff.permission_application_rejected")
    assert "not in your duties" in note.body
    assert not PermissionGrant.objects.exists()


def test_stf_2_withdraw_stops_the_clock(applicant):
    application = submit(applicant)
    permission_application_withdraw(application=application, actor=applicant)
    assert (
        Deadline.objects.get(rule=REVIEW_RULE, subject_id=str(application.pk)).status
        == Deadline.Status.CANCELLED
    )
    submit(applicant)  # may apply again


def test_stf_2_grant_expires_and_lapses_automatically(applicant, reviewer, time_machine):
    t0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    time_machine.move_to(t0, tick=False)
    application = submit(applicant, requested_expires_at=t0 + timedelta(days=7))
    grant = permission_application_approve(
        application=application, reason="cover for a holiday", actor=reviewer
    )
    assert type(applicant).objects.get(pk=applicant.pk).has_perm("staff.publish_announcement")
    time_machine.move_to(t0 + timedelta(days=7, seconds=1), tick=False)
    deadlines_sweep()
    grant.refresh_from_db()
    assert grant.lapsed_at is not None and not grant.is_active
    assert not type(applicant).objects.get(pk=applicant.pk).has_perm("staff.publish_announcement")
    assert Notification.objects.filter(recipient=applicant, event="staff.permission_lapsed").count() == 1


def test_stf_1_staff_cannot_apply_for_user_permission_and_vice_versa(applicant, customer_applicant):
    with pytest.raises(Forbidden, match="for users"):
        submit(applicant, "staff.user_jury")
    with pytest.raises(Forbidden, match="for staff"):
        submit(customer_applicant, "staff.publish_announcement")


def test_usr_2_user_applies_through_the_same_mechanism(customer_applicant, reviewer):
    application = submit(customer_applicant, "staff.user_jury", material={"note": "ID checked by issue 14"})
    assert Deadline.objects.filter(rule=REVIEW_RULE, subject_id=str(application.pk)).exists()
    permission_application_approve(application=application, reason="eligible", actor=reviewer)
    assert type(customer_applicant).objects.get(pk=customer_applicant.pk).has_perm("staff.user_jury")


def test_stf_1_basic_permission_is_not_applied_for(applicant):
    with pytest.raises(InvalidInput):
        submit(applicant, "staff.view_department")


def test_stf_2_one_open_application_per_permission(applicant):
    submit(applicant)
    with pytest.raises(Conflict):
        submit(applicant)


def test_stf_8_training_required_refused_without_training_hook(applicant, reviewer):
    application = submit(applicant, "staff.view_personal_data")
    with pytest.raises(Conflict, match="personal_data_protection"):
        permission_application_approve(application=application, reason="ok", actor=reviewer)
    application.refresh_from_db()
    assert application.status == PermissionApplication.Status.SUBMITTED  # rolled back, still open


def test_stf_8_training_hook_decides(applicant, reviewer):
    passed: set[tuple[int, str]] = set()
    with training_checks.replaced(lambda user, code: (user.pk, code) in passed):
        application = submit(applicant, "staff.view_personal_data")
        with pytest.raises(Conflict, match="has not passed"):
            permission_application_approve(application=application, reason="ok", actor=reviewer)
        passed.add((applicant.pk, "personal_data_protection"))
        permission_application_approve(application=application, reason="ok", actor=reviewer)
    assert type(applicant).objects.get(pk=applicant.pk).has_perm("staff.view_personal_data")


def test_usr_3_change_application_extends_a_held_grant(customer_applicant, reviewer, time_machine):
    t0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    time_machine.move_to(t0, tick=False)
    first = submit(customer_applicant, "staff.user_jury", requested_expires_at=t0 + timedelta(days=30))
    grant = permission_application_approve(application=first, reason="eligible", actor=reviewer)
    change = submit(
        customer_applicant, "staff.user_jury", requested_expires_at=t0 + timedelta(days=365), change_of=grant
    )
    assert change.kind == PermissionApplication.Kind.CHANGE
    changed = permission_application_approve(application=change, reason="still eligible", actor=reviewer)
    assert changed.pk == grant.pk and changed.expires_at == t0 + timedelta(days=365)
    time_machine.move_to(t0 + timedelta(days=31), tick=False)
    deadlines_sweep()  # the old end no longer applies
    assert PermissionGrant.objects.get(pk=grant.pk).is_active


def test_usr_3_change_only_own_active_grant(customer_applicant, reviewer):
    from tests.factories.accounts import CustomerFactory

    grant = permission_application_approve(
        application=submit(customer_applicant, "staff.user_jury"), reason="ok", actor=reviewer
    )
    with pytest.raises(InvalidInput):
        submit(CustomerFactory.create(), "staff.user_jury", change_of=grant)


def test_usr_3_holder_gives_permission_up(customer_applicant, reviewer):
    from staff.services.grants import permission_give_up

    grant = permission_application_approve(
        application=submit(customer_applicant, "staff.user_jury"), reason="ok", actor=reviewer
    )
    with pytest.raises(Forbidden):
        permission_give_up(grant=grant, actor=reviewer)
    permission_give_up(grant=grant, actor=customer_applicant)
    assert not type(customer_applicant).objects.get(pk=customer_applicant.pk).has_perm("staff.user_jury")
