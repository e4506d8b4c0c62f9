"""Issue 21, "Timed jobs that never run": every periodic job a rule needs is in the beat schedule that a
production process loads, and each entry names a task a worker knows.

The schedule is read in a fresh process under production settings (every secret generated, decision 019),
as beat itself would read it: a job scheduled only in development, or under a name no ``@shared_task``
carries, fails here. Re-verification (MER-6) and document expiry (MER-7) are deadline rules: they run
because the deadline sweep runs, so the sweep must be scheduled and their rules registered.
"""

import json

import pytest

from tests.security.production import production_env, run

#: the rule, the task that carries it out on a schedule, and whether it must run at least daily
REQUIRED_JOBS = {
    "PAY-4 payouts": ("orders.run_payouts", True),
    "PAY-4 transfers not confirmed (decision 037)": ("orders.payouts_sweep", True),
    "PAY-3 missed payment notifications (decision 037)": ("orders.payments_sweep", True),
    "PAY-5 refunds not confirmed": ("orders.refunds_sweep", True),
    "PAY-8 reconciliation": ("orders.reconcile", True),
    "PAY-8 reconciliation from the providers' statements": ("orders.reconcile_statements", True),
    "OPS-1 deadline sweep": ("deadlines.sweep_due", True),
    "OPS-2 outbox": ("notifications.requeue_pending", True),
    "OPS-4 backups": ("operations.backup", True),
    "OPS-4 restore rehearsal": ("operations.restore_rehearsal", False),
    "AUD-4 monthly report": ("reports.monthly_compliance", False),
    "VIO-6 KPI recompute": ("merchants.compute_kpis", True),
    "REP-3 credit recompute": ("merchants.recompute_credit", True),
    "CAT-10 re-check sample": ("catalog.recheck_sample", False),
    "AUD-1 audit chain anchor": ("audit.anchor_head", True),
}

#: deadline rules the sweep enforces for the jobs that are clocks rather than beat entries
REQUIRED_DEADLINE_RULES = {
    "MER-6 re-verification": "merchants.reverify_due",
    "MER-6 re-verification overdue": "merchants.reverify_overdue",
    "MER-7 document expiry": "merchants.document_expired",
    "MER-7 document expiry warning": "merchants.document_expiry_first_warning",
}

READ_SCHEDULE = """
import json
import django
django.setup()
from datetime import timedelta
from celery.schedules import crontab, maybe_schedule
from django.conf import settings
from platform_core.celery import app
from platform_core.deadlines.registry import rules_all
app.loader.import_default_modules()
registered = set(app.tasks.keys())
entries = {}
for key, entry in settings.CELERY_BEAT_SCHEDULE.items():
    schedule = maybe_schedule(entry["schedule"])
    if isinstance(schedule, crontab):
        daily_or_more = (
            len(schedule.day_of_week) == 7 and len(schedule.day_of_month) == 31 and len(schedule.month_of_year) == 12
        )
    else:
        daily_or_more = schedule.run_every <= timedelta(days=1)
    entries[key] = {"task": entry["task"], "registered": entry["task"] in registered, "daily": daily_or_more}
print(json.dumps({
    "env": settings.DJANGO_ENV, "entries": entries, "rules": sorted(rule.name for rule in rules_all()),
}))
"""


@pytest.fixture(scope="module")
def production_schedule() -> dict:
    result = run(["-c", READ_SCHEDULE], production_env())
    assert result.returncode == 0, result.stderr
    loaded: dict = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["env"] == "production"
    return loaded


def test_ops_1_pay_4_pay_8_every_rule_needing_a_timed_job_is_in_productions_beat_schedule(
    production_schedule: dict,
) -> None:
    scheduled = {entry["task"]: entry for entry in production_schedule["entries"].values()}
    missing = {rule: task for rule, (task, _daily) in REQUIRED_JOBS.items() if task not in scheduled}
    assert missing == {}
    not_daily = {
        rule: task for rule, (task, daily) in REQUIRED_JOBS.items() if daily and not scheduled[task]["daily"]
    }
    assert not_daily == {}


def test_ops_1_every_beat_entry_names_a_registered_celery_task(production_schedule: dict) -> None:
    unknown = {
        key: entry["task"] for key, entry in production_schedule["entries"].items() if not entry["registered"]
    }
    assert unknown == {}


def test_ops_1_mer_6_mer_7_reverification_and_document_expiry_run_through_the_scheduled_sweep(
    production_schedule: dict,
) -> None:
    assert "deadlines.sweep_due" in {entry["task"] for entry in production_schedule["entries"].values()}
    missing = {
        rule: name
        for rule, name in REQUIRED_DEADLINE_RULES.items()
        if name not in production_schedule["rules"]
    }
    assert missing == {}
