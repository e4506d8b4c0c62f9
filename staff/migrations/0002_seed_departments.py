"""STF-1: seed the platform's departments (heads are appointed later in the admin).

Self-contained on purpose: a migration must not import app code that can change.
"""

from django.db import migrations

DEPARTMENTS = [
    ("operations", "运营推广部", "Operations"),
    ("customer_service", "客服部", "Customer service"),
    ("finance", "财务部", "Finance"),
    ("technology", "技术部", "Technology"),
    ("hr", "人力资源部", "Human resources"),
    ("marketing", "市场部", "Marketing"),
    ("arbitration", "仲裁委员会", "Arbitration committee"),
    ("compliance", "合规部", "Compliance"),
]


def seed(apps, schema_editor):
    Department = apps.get_model("staff", "Department")
    for code, name, name_en in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})


def unseed(apps, schema_editor):
    Department = apps.get_model("staff", "Department")
    Department.objects.filter(code__in=[code for code, _, _ in DEPARTMENTS], head__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("staff", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
