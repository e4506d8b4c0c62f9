"""Decision 048: a working-day clock keeps its count of working days, so that a change of the business calendar
can recompute its due time from its start.

Backfill: a running clock of a rule that counts working days (the rules below, as started by the code when
this migration was written) gets the count of working days from its start's date to its due date on the
calendar as it stands, when that count gives back its due time exactly (same time of day, due on a working
day). Any other clock keeps a fixed due time (``working_days`` NULL), as before. Self-contained on purpose: a
migration must not import app code that can change.
"""

from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone

#: the rules whose clocks count working days (MER-2, MER-6a, VIO-4, VIO-5, STF-2)
WORKING_DAY_RULES = (
    "merchants.application_review",
    "merchants.change_verify",
    "merchants.appeal_review",
    "merchants.penalty_publish",
    "staff.permission_review_due",
)


def backfill(apps, schema_editor):
    Deadline = apps.get_model("deadlines", "Deadline")
    Holiday = apps.get_model("business_calendar", "Holiday")
    running = list(Deadline.objects.filter(status="pending", rule__in=WORKING_DAY_RULES))
    if not running:
        return
    kinds = dict(Holiday.objects.values_list("date", "kind"))

    def working(day):
        kind = kinds.get(day)
        return kind == "workday" if kind is not None else day.weekday() < 5

    for deadline in running:
        start, due = timezone.localtime(deadline.started_at), timezone.localtime(deadline.due_at)
        if start.time() != due.time() or due.date() <= start.date() or not working(due.date()):
            continue
        days = (due.date() - start.date()).days
        count = sum(1 for offset in range(1, days + 1) if working(start.date() + timedelta(days=offset)))
        if 0 < count < 2**15:
            deadline.working_days = count
            deadline.save(update_fields=["working_days"])


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0001_initial"),
        ("business_calendar", "0002_seed_prc_holidays"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadline",
            name="working_days",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="working days"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
