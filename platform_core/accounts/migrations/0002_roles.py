"""Create the role groups (a frozen copy of ``platform_core.accounts.roles.Role``)."""

from django.db import migrations

ROLES = [
    "customer", "merchant_owner", "merchant_staff", "staff_operations", "staff_customer_service",
    "staff_finance", "staff_technology", "staff_hr", "staff_marketing", "staff_arbitration",
    "staff_compliance", "auditor",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
