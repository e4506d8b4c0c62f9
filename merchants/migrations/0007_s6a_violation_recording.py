"""VIO-1, issue 21: compliance records violations by hand (the Violation model's add permission, an advanced
staff permission that others receive through a reviewed grant, STF-2)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {"staff_compliance": ["add_violation"]}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("merchants")
    app_config.models_module = True  # create_permissions skips apps without a models module
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="merchants", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=group_name):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="merchants", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0006_r24b_clock_now_defaults"),
        ("accounts", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
