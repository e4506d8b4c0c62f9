"""Seed the PRC public holidays and make-up working days (调休) for 2025-2027 from ``chinesecalendar``.

Only dates that break the Monday-to-Friday rule are stored: holidays on weekdays, make-up working days
on weekends. The data is read from the installed ``chinese_calendar`` package when the migration runs
(its version is pinned in uv.lock; 1.11.0 has 2025 and 2026 but no 2027 arrangement yet, so 2027 is
seeded by whichever later version publishes it, or entered in the admin). Self-contained on purpose:
a migration must not import app code that can change.
"""

from django.db import migrations

YEARS = (2025, 2026, 2027)


def _seed_rows():
    import chinese_calendar

    def chinese(english):
        try:
            return chinese_calendar.Holiday(english).chinese
        except ValueError:
            return english

    rows = []
    for day, english in chinese_calendar.holidays.items():
        if day.year in YEARS and day.weekday() < 5:
            rows.append((day, "holiday", f"{chinese(english)} ({english})"))
    for day, english in chinese_calendar.workdays.items():
        if day.year in YEARS and day.weekday() >= 5:
            rows.append((day, "workday", f"{chinese(english)}调休 ({english} make-up working day)"))
    return sorted(rows)


def seed(apps, schema_editor):
    Holiday = apps.get_model("business_calendar", "Holiday")
    existing = set(Holiday.objects.values_list("date", flat=True))
    Holiday.objects.bulk_create(
        Holiday(date=day, kind=kind, name=name) for day, kind, name in _seed_rows() if day not in existing
    )


def unseed(apps, schema_editor):
    Holiday = apps.get_model("business_calendar", "Holiday")
    for day, kind, name in _seed_rows():
        Holiday.objects.filter(date=day, kind=kind, name=name).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("business_calendar", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
