"""The timed jobs of the operations console (issue 21): every entry of ``CELERY_BEAT_SCHEDULE`` with its
last run and its next run.

- **Last run.** When a worker finishes a task that the beat schedule names, ``task_postrun``
  (``platform_core.operations.signals``) writes the mark ``task:<task name>`` with the run's state in the
  heartbeat store (Redis, or files in embedded mode: docs/runbook.md, "Heartbeats"). No table: the
  console must still say when payouts last ran while the database is what fails.
- **Next run.** Computed from the schedule the way beat does it: the entry's schedule (a ``crontab`` or
  an interval) after the last run, or after now when it never ran.

A job whose last run is older than two of its periods (or never ran) is *late*: beat or the workers are
missing, or the task keeps failing. The console shows it red.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from celery.schedules import crontab, maybe_schedule
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from platform_core import clock
from platform_core.operations import heartbeats

MARK_PREFIX = "task:"

#: Issue 21: what each timed job does, in the operator's language (the task name stays beside it, in code)
TIMED_JOB_TITLES = {
    "api.purge_idempotency_keys": _("Purge expired idempotency keys"),
    "audit.anchor_head": _("Anchor the audit log's head"),
    "audit.seal": _("Seal the audit log"),
    "catalog.recheck_sample": _("Sample live listings for re-check"),
    "deadlines.sweep_due": _("Enforce due deadlines"),
    "merchants.compute_kpis": _("Compute merchant KPIs"),
    "merchants.recompute_credit": _("Recompute merchant credit"),
    "notifications.requeue_pending": _("Re-send pending notifications"),
    "operations.backup": _("Back up the database and uploads"),
    "operations.beat_heartbeat": _("Scheduler heartbeat"),
    "operations.restore_rehearsal": _("Restore rehearsal"),
    "operations.verify_integrity": _("Verify data integrity"),
    "orders.payments_sweep": _("Query unpaid trades whose notification never came"),
    "orders.payouts_sweep": _("Send or query pending payout transfers"),
    "orders.reconcile": _("Reconcile with the payment providers"),
    "orders.reconcile_statements": _("Reconcile with the providers' daily statements"),
    "orders.refunds_sweep": _("Retry pending refunds"),
    "orders.run_payouts": _("Pay merchants out"),
    "orders.statements_sweep": _("Download the providers' statements not yet had"),
    "orders.wechat_pay_certificates_refresh": _("Refresh WeChat Pay certificates"),
    "reports.monthly_compliance": _("Monthly compliance report"),
}


def task_mark_name(task_name: str) -> str:
    return f"{MARK_PREFIX}{task_name}"


def scheduled_task_names() -> set[str]:
    """The Celery task names of every beat entry."""
    return {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def timed_job_ran(task_name: str, *, state: str) -> None:
    """Record that a worker finished ``task_name`` (a beat-scheduled task) now, in ``state``."""
    heartbeats.mark(task_mark_name(task_name), state=state)


def next_run_after(schedule: Any, since: datetime) -> datetime:
    """The schedule's first time after ``since`` (beat's own arithmetic, without its "now")."""
    if isinstance(schedule, crontab):
        start, delta, _now = schedule.remaining_delta(since)
        moment: datetime = start + delta
        return moment
    run_every: timedelta = schedule.run_every
    return since + run_every


@dataclass(frozen=True)
class TimedJob:
    """One beat entry as the console shows it, at ``now``."""

    key: str
    task: str
    schedule: Any  # celery.schedules.schedule | crontab
    last_run_at: datetime | None
    last_state: str
    now: datetime

    @property
    def title(self) -> str:
        return str(TIMED_JOB_TITLES.get(self.task, self.task))

    @property
    def next_run_at(self) -> datetime:
        """When beat sends it next: the schedule's next time after the last run (after now if it never ran);
        a run that is already due goes at beat's next tick, i.e. now."""
        return max(next_run_after(self.schedule, self.last_run_at or self.now), self.now)

    @property
    def period(self) -> timedelta:
        """The time between two runs (a crontab's: from its next run to the one after)."""
        first = next_run_after(self.schedule, self.now)
        return next_run_after(self.schedule, first) - first

    @property
    def is_late(self) -> bool:
        if self.last_run_at is None:
            return True
        return self.now - self.last_run_at > 2 * self.period or self.last_state not in ("", "SUCCESS")


def timed_jobs(*, now: datetime | None = None) -> list[TimedJob]:
    """Every beat entry, by key: its task, last run and state (one heartbeat read each)."""
    now = now or clock.now()
    jobs = []
    for key, entry in sorted(settings.CELERY_BEAT_SCHEDULE.items()):
        mark = heartbeats.read(task_mark_name(entry["task"])) or {}
        last_run_at = datetime.fromtimestamp(float(mark["at"]), tz=UTC) if "at" in mark else None
        jobs.append(
            TimedJob(
                key=key,
                task=entry["task"],
                schedule=maybe_schedule(entry["schedule"]),
                last_run_at=last_run_at,
                last_state=str(mark.get("state", "")),
                now=now,
            )
        )
    return jobs


def timed_jobs_visible_to(user: Any) -> bool:
    """Operations' view: superusers and whoever may look at the deadline engine (operations, auditors)."""
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "is_staff", False):
        return False
    return bool(user.is_superuser or user.has_perm("deadlines.view_deadline"))
