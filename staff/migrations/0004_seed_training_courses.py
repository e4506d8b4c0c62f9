"""STF-8: seed the training that ``staff.view_personal_data`` requires (see staff/permission_registry.py).

Self-contained on purpose: a migration must not import app code that can change.
"""

from django.db import migrations

COURSES = [
    (
        "personal_data_protection",
        "个人信息保护培训 / Personal data protection",
        "staff",
        80,
        "PIPL duties when seeing customers' names, phones, addresses and ID numbers unmasked (SEC-2).",
    ),
]


def seed(apps, schema_editor):
    TrainingCourse = apps.get_model("staff", "TrainingCourse")
    for code, title, audience, pass_score, description in COURSES:
        TrainingCourse.objects.get_or_create(
            code=code,
            defaults={
                "title": title,
                "audience": audience,
                "pass_score": pass_score,
                "description": description,
            },
        )


def unseed(apps, schema_editor):
    TrainingCourse = apps.get_model("staff", "TrainingCourse")
    TrainingCourse.objects.filter(code__in=[c[0] for c in COURSES], sessions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("staff", "0003_identity_and_training")]

    operations = [migrations.RunPython(seed, unseed)]
