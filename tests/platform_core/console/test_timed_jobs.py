"""Issue 21, PAY-4, PAY-8: the operations console shows every timed job with its last and next run, so an
operator sees that payouts and reconciliation run (and when one stopped)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orders.tasks import reconcile_task, run_payouts_task
from platform_core.console.timed_jobs import task_mark_name, timed_jobs
from platform_core.operations import heartbeats
from tests.factories.accounts import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ROW = re.compile(
    r'<tr class="timed-job( is-late)?" data-task="([\w.]+)">\s*<th[^>]*>.*?</th>\s*'
    r'<td class="last-run[^"]*">\s*(.*?)\s*</td>\s*<td class="next-run">(.*?)</td>',
    re.S,
)


@pytest.fixture(autouse=True)
def _no_marks() -> None:
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        heartbeats.clear(task_mark_name(entry["task"]))


def _console_rows(user) -> dict[str, tuple[bool, str, str]]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {task: (bool(late), last, nxt) for late, task, last, nxt in ROW.findall(response.content.decode())}


def test_pay_4_pay_8_console_shows_payouts_and_reconciliation_last_and_next_run() -> None:
    superuser = UserFactory.create(is_staff=True, is_superuser=True)
    rows = _console_rows(superuser)
    assert set(rows) == {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    # never ran: late, "never", and beat's next time (payouts at 02:00, reconciliation at 00:30 platform time)
    late, last, next_run = rows["orders.run_payouts"]
    assert late and last in ("never", "从未运行")
    assert next_run.endswith("02:00")
    assert rows["orders.reconcile"][2].endswith("00:30")

    # a worker runs both (as beat would have them): the signal records the run
    run_payouts_task.apply()
    reconcile_task.apply()
    rows = _console_rows(superuser)
    today = timezone.localtime().strftime("%Y-%m-%d")
    for task in ("orders.run_payouts", "orders.reconcile"):
        late, last, _next = rows[task]
        assert not late, task
        assert last.startswith(today), (task, last)


def test_pay_4_a_failed_or_stale_payout_run_shows_late() -> None:
    jobs = {job.task: job for job in timed_jobs()}
    assert jobs["orders.run_payouts"].is_late  # never ran
    heartbeats.mark(task_mark_name("orders.run_payouts"), state="FAILURE")
    assert {job.task: job for job in timed_jobs()}["orders.run_payouts"].is_late
    heartbeats.mark(task_mark_name("orders.run_payouts"), state="SUCCESS")
    assert not {job.task: job for job in timed_jobs()}["orders.run_payouts"].is_late
    three_days_ago = (timezone.now() - timedelta(days=3)).timestamp()
    heartbeats.mark(task_mark_name("orders.run_payouts"), at=three_days_ago, state="SUCCESS")
    job = {job.task: job for job in timed_jobs()}["orders.run_payouts"]
    assert job.is_late
    # overdue since: beat sends it at its next tick
    assert job.next_run_at - timezone.now() < timedelta(minutes=1)


def test_pay_4_next_payout_run_follows_the_crontab() -> None:
    job = {job.task: job for job in timed_jobs()}["orders.run_payouts"]
    local = job.next_run_at.astimezone(ZoneInfo(settings.TIME_ZONE))
    assert (local.hour, local.minute) == (2, 0)
    assert timedelta(0) <= job.next_run_at - timezone.now() <= timedelta(days=1)
    assert job.period == timedelta(days=1)
    assert isinstance(job.next_run_at, datetime)


def test_aud_2_timed_jobs_are_not_shown_to_staff_without_the_deadline_view() -> None:
    assert _console_rows(StaffFactory.create()) == {}
