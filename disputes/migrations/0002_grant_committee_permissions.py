"""STF-1, DSP-2, DSP-3: the arbitration committee mediates and arbitrates; customer service mediates.
Granted to the role groups created by accounts' roles migration."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "staff_arbitration": ["mediate_dispute", "arbitrate_dispute"],
    "staff_customer_service": ["mediate_dispute"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("disputes")
    app_config.models_module = True  # create_permissions skips apps without a models module
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="disputes", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=group_name):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="disputes", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0001_initial"),
        ("accounts", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
