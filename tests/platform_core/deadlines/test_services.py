"""OPS-1: starting, meeting, cancelling and enforcing deadlines; SLA figures."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from platform_core.calendar.services import add_working_days
from platform_core.deadlines.deadlines import CANARY_RULE
from platform_core.deadlines.models import Canary, CanaryHit, Deadline
from platform_core.deadlines.selectors import (
    deadline_overdue_count,
    deadline_pending_for,
    deadline_sla_figures,
    deadline_time_left,
)
from platform_core.deadlines.services import (
    deadline_cancel,
    deadline_enforce,
    deadline_extend,
    deadline_meet,
    deadline_restart,
    deadline_start,
    deadlines_sweep,
    retry_backoff,
)
from platform_core.deadlines.tasks import sweep_due_task
from platform_core.errors import Conflict
from tests.factories.deadlines import CanaryFactory, DeadlineFactory
from tests.platform_core.deadlines.conftest import FLAKY_RULE

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Asia/Shanghai


def test_ops_1_start_with_due_at_or_after(time_machine):
    time_machine.move_to(T0, tick=False)
    canary = CanaryFactory()
    by_time = deadline_start(rule=CANARY_RULE, subject=canary, due_at=T0 + timedelta(days=3))
    assert by_time.due_at == T0 + timedelta(days=3)
    assert by_time.started_at == T0
    assert by_time.status == Deadline.Status.PENDING

    other = CanaryFactory()
    by_duration = deadline_start(rule=CANARY_RULE, subject=other, after=timedelta(hours=72))
    assert by_duration.due_at == T0 + timedelta(hours=72)
    assert deadline_time_left(rule=CANARY_RULE, subject=other) == timedelta(hours=72)
    assert list(deadline_pending_for(subject=other)) == [by_duration]


def test_ops_1_start_with_working_days(time_machine):
    time_machine.move_to(T0, tick=False)
    canary = CanaryFactory()
    deadline = deadline_start(rule=CANARY_RULE, subject=canary, working_days=5)
    expected = add_working_days(timezone.localtime(T0), 5)
    assert deadline.due_at == expected
    assert timezone.localtime(deadline.due_at).time() == timezone.localtime(T0).time()
    assert deadline.due_at >= T0 + timedelta(days=7)  # five working days from a Monday end after a weekend


def test_ops_1_start_refuses_bad_calls():
    canary = CanaryFactory()
    with pytest.raises(ValueError, match="unknown deadline rule"):
        deadline_start(rule="orders.shipp_by", subject=canary, after=timedelta(hours=1))
    with pytest.raises(ValueError, match="exactly one"):
        deadline_start(rule=CANARY_RULE, subject=canary)
    with pytest.raises(ValueError, match="exactly one"):
        deadline_start(rule=CANARY_RULE, subject=canary, after=timedelta(hours=1), working_days=2)
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline_start(rule=CANARY_RULE, subject=canary, due_at=datetime(2026, 1, 1))
    assert not Deadline.objects.exists()


def test_ops_1_one_running_clock_per_rule_and_subject_extend_restart(time_machine):
    time_machine.move_to(T0, tick=False)
    canary = CanaryFactory()
    deadline_start(rule=CANARY_RULE, subject=canary, after=timedelta(hours=1))
    with pytest.raises(Conflict):
        deadline_start(rule=CANARY_RULE, subject=canary, after=timedelta(hours=2))

    extended = deadline_extend(rule=CANARY_RULE, subject=canary, by=timedelta(hours=24))
    assert extended.due_at == T0 + timedelta(hours=25)

    restarted = deadline_restart(rule=CANARY_RULE, subject=canary, after=timedelta(hours=5))
    assert restarted.due_at == T0 + timedelta(hours=5)
    assert [d.status for d in Deadline.objects.order_by("pk")] == ["cancelled", "pending"]

    deadline_cancel(rule=CANARY_RULE, subject=canary)
    with pytest.raises(Conflict):
        deadline_extend(rule=CANARY_RULE, subject=canary, by=timedelta(hours=1))


def test_ops_1_rolled_back_transaction_leaves_no_deadline():
    canary = CanaryFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        deadline_start(rule=CANARY_RULE, subject=canary, after=timedelta(hours=1))
        raise RuntimeError("the state change failed")
    assert not Deadline.objects.exists()


def test_ops_1_meet_and_cancel(time_machine):
    time_machine.move_to(T0, tick=False)
    shipped, withdrawn = CanaryFactory(), CanaryFactory()
    deadline_start(rule=CANARY_RULE, subject=shipped, after=timedelta(hours=72))
    deadline_start(rule=CANARY_RULE, subject=withdrawn, after=timedelta(hours=72))

    time_machine.move_to(T0 + timedelta(hours=10), tick=False)
    met = deadline_meet(rule=CANARY_RULE, subject=shipped)
    cancelled = deadline_cancel(rule=CANARY_RULE, subject=withdrawn, note="order cancelled")
    assert met is not None and met.status == "met" and met.resolved_at == T0 + timedelta(hours=10)
    assert (
        cancelled is not None
        and cancelled.status == "cancelled"
        and cancelled.last_error == "order cancelled"
    )
    assert deadline_meet(rule=CANARY_RULE, subject=shipped) is None  # nothing running: no-op
    assert deadline_time_left(rule=CANARY_RULE, subject=shipped) is None

    time_machine.move_to(T0 + timedelta(hours=73), tick=False)
    assert deadlines_sweep() == 0
    assert not CanaryHit.objects.exists()


def test_ops_1_sweep_enforces_due_deadline_once_and_records_lateness(time_machine):
    time_machine.move_to(T0, tick=False)
    late, not_due = CanaryFactory(), CanaryFactory()
    deadline = deadline_start(rule=CANARY_RULE, subject=late, after=timedelta(hours=72))
    future = deadline_start(rule=CANARY_RULE, subject=not_due, after=timedelta(hours=80))

    time_machine.move_to(T0 + timedelta(hours=72, seconds=30), tick=False)
    assert deadline_overdue_count() == 1
    assert deadlines_sweep() == 1
    assert sweep_due_task.delay().get() == 0  # the beat task: running again acts once

    deadline.refresh_from_db()
    assert deadline.status == "enforced"
    assert deadline.resolved_at == T0 + timedelta(hours=72, seconds=30)
    assert deadline.lateness == timedelta(seconds=30)
    assert CanaryHit.objects.filter(deadline=deadline).count() == 1
    future.refresh_from_db()
    assert future.status == "pending" and future.resolved_at is None
    assert deadline_meet(rule=CANARY_RULE, subject=late) is None  # too late to meet: already enforced


def test_ops_1_not_yet_due_is_not_touched(time_machine):
    time_machine.move_to(T0, tick=False)
    deadline = deadline_start(rule=CANARY_RULE, subject=CanaryFactory(), after=timedelta(minutes=5))
    time_machine.move_to(T0 + timedelta(minutes=4, seconds=59), tick=False)
    assert deadlines_sweep() == 0
    assert str(deadline_enforce(deadline_id=deadline.pk)) == "skipped"  # the ETA task fired early
    deadline.refresh_from_db()
    assert deadline.status == "pending" and deadline.attempts == 0
    assert not CanaryHit.objects.exists()


def test_ops_1_handler_error_is_rolled_back_and_retried_with_backoff(time_machine, flaky):
    flaky.failures_left = 2
    time_machine.move_to(T0, tick=False)
    deadline = deadline_start(rule=FLAKY_RULE, subject=CanaryFactory(), after=timedelta(hours=1))

    due = T0 + timedelta(hours=1)
    time_machine.move_to(due, tick=False)
    assert deadlines_sweep() == 0
    deadline.refresh_from_db()
    assert deadline.status == "pending"
    assert deadline.attempts == 1
    assert "carrier API down" in deadline.last_error
    assert deadline.next_attempt_at == due + retry_backoff(1) == due + timedelta(seconds=10)
    assert not CanaryHit.objects.exists()  # the failed handler's write was rolled back

    time_machine.move_to(due + timedelta(seconds=9), tick=False)
    assert deadlines_sweep() == 0
    assert flaky.calls == 1  # still backing off: not even tried

    time_machine.move_to(due + timedelta(seconds=10), tick=False)
    assert deadlines_sweep() == 0
    deadline.refresh_from_db()
    assert deadline.attempts == 2
    assert deadline.next_attempt_at == due + timedelta(seconds=10) + timedelta(seconds=20)

    time_machine.move_to(due + timedelta(seconds=30), tick=False)
    assert deadlines_sweep() == 1
    deadline.refresh_from_db()
    assert deadline.status == "enforced" and flaky.calls == 3
    assert deadline.lateness == timedelta(seconds=30)
    assert CanaryHit.objects.filter(deadline=deadline).count() == 1


def test_ops_1_backoff_is_capped():
    assert [retry_backoff(n).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
    assert retry_backoff(30) == timedelta(hours=1)


def test_ops_1_deleted_subject_cancels_the_deadline(time_machine):
    time_machine.move_to(T0, tick=False)
    canary = Canary.objects.create()
    deadline = deadline_start(rule=CANARY_RULE, subject=canary, after=timedelta(hours=1))
    Canary.objects.filter(pk=canary.pk).delete()
    time_machine.move_to(T0 + timedelta(hours=2), tick=False)
    assert deadlines_sweep() == 0
    deadline.refresh_from_db()
    assert deadline.status == "cancelled" and "no longer exists" in deadline.last_error


def test_ops_1_sweep_works_through_batches_and_limit(time_machine, settings):
    settings.DEADLINE_SWEEP_BATCH = 3
    time_machine.move_to(T0, tick=False)
    for _ in range(8):
        DeadlineFactory(due_at=T0 - timedelta(minutes=1))
    assert deadlines_sweep(limit=5) == 5
    assert deadlines_sweep() == 3
    assert CanaryHit.objects.count() == 8


def test_ops_1_broker_down_does_not_fail_the_callers_transaction(
    time_machine, monkeypatch, django_capture_on_commit_callbacks
):
    from platform_core.deadlines import tasks

    def broker_down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("redis is down")

    time_machine.move_to(T0, tick=False)
    published: list[tuple[tuple[int, ...], datetime]] = []
    monkeypatch.setattr(
        tasks.enforce_deadline_task, "apply_async", lambda args, eta: published.append((args, eta))
    )
    with django_capture_on_commit_callbacks(execute=True):
        soon = deadline_start(rule=CANARY_RULE, subject=CanaryFactory(), after=timedelta(minutes=2))
        deadline_start(rule=CANARY_RULE, subject=CanaryFactory(), after=timedelta(hours=2))
    assert published == [((soon.pk,), soon.due_at)]  # only the one inside DEADLINE_ETA_WINDOW

    monkeypatch.setattr(tasks.enforce_deadline_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        late = deadline_start(rule=CANARY_RULE, subject=CanaryFactory(), after=timedelta(minutes=1))
    assert len(callbacks) == 1
    late.refresh_from_db()
    assert late.status == "pending"  # kept; the sweep enforces it
    time_machine.move_to(T0 + timedelta(minutes=2), tick=False)
    assert deadlines_sweep() == 2


def test_ops_1_eta_task_enforces_when_due(time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(T0, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        # Eager Celery runs the ETA task at once: the deadline is not due, so it must not act.
        deadline = deadline_start(rule=CANARY_RULE, subject=CanaryFactory(), after=timedelta(minutes=2))
    deadline.refresh_from_db()
    assert deadline.status == "pending"
    time_machine.move_to(T0 + timedelta(minutes=2), tick=False)
    from platform_core.deadlines.tasks import enforce_deadline_task

    assert enforce_deadline_task.delay(deadline.pk).get() == "enforced"
    assert enforce_deadline_task.delay(deadline.pk).get() == "skipped"
    assert CanaryHit.objects.count() == 1


def test_ops_1_sla_figures_for_a_seeded_mix(time_machine, flaky):
    time_machine.move_to(T0, tick=False)
    due = T0 - timedelta(hours=1)
    for _ in range(2):
        DeadlineFactory(due_at=T0 + timedelta(hours=1))  # pending
    for minutes in (0, 30):  # met on time (exactly at due counts as on time)
        DeadlineFactory(due_at=due, status="met", resolved_at=due - timedelta(minutes=minutes))
    DeadlineFactory(due_at=due, status="met", resolved_at=due + timedelta(seconds=1))  # met late
    DeadlineFactory(due_at=due, status="cancelled", resolved_at=due - timedelta(minutes=5))
    for seconds in (10, 20, 30, 40, 100):
        DeadlineFactory(
            due_at=due,
            status="enforced",
            resolved_at=due + timedelta(seconds=seconds),
            lateness=timedelta(seconds=seconds),
        )
    DeadlineFactory(rule=FLAKY_RULE, due_at=due, status="enforced", lateness=timedelta(seconds=7))
    DeadlineFactory(due_at=T0 - timedelta(days=30), status="enforced", lateness=timedelta(hours=5))

    canary, other = deadline_sla_figures(since=T0 - timedelta(days=1))
    assert (canary.rule, other.rule) == (CANARY_RULE, FLAKY_RULE)
    assert (canary.pending, canary.met_on_time, canary.met_late, canary.enforced, canary.cancelled) == (
        2,
        2,
        1,
        5,
        1,
    )
    assert canary.total == 11
    assert canary.lateness_p50 == timedelta(seconds=30)
    assert canary.lateness_p95 == timedelta(seconds=88)  # 40 + 0.8 * (100 - 40)
    assert canary.lateness_max == timedelta(seconds=100)
    assert (other.enforced, other.lateness_p50, other.lateness_max) == (
        1,
        timedelta(seconds=7),
        timedelta(seconds=7),
    )
    (everything,) = deadline_sla_figures(rule=CANARY_RULE)
    assert everything.enforced == 6 and everything.lateness_max == timedelta(hours=5)
    assert deadline_sla_figures(rule=CANARY_RULE, until=T0 - timedelta(days=29))[0].total == 1


def test_ops_1_admin_lists_deadlines_and_sla(admin_client):
    DeadlineFactory(due_at=timezone.now() - timedelta(minutes=5))
    response = admin_client.get("/admin/deadlines/deadline/?overdue=yes")
    assert response.status_code == 200
    assert CANARY_RULE in response.content.decode()
    response = admin_client.get("/admin/deadlines/deadline/sla/")
    assert response.status_code == 200
    assert CANARY_RULE in response.content.decode()
