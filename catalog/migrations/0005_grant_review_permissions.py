"""STF-1: listing review and takedown are advanced permissions of operations; compliance takes down
and inspects too. Granted to the role groups created by accounts' roles migration."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "staff_operations": ["review_listing", "takedown_listing", "inspect_listing"],
    "staff_compliance": ["takedown_listing", "inspect_listing"],
}


def grant(apps, schema_editor):
    grant_all(apps, GRANTS)


def revoke(apps, schema_editor):
    revoke_all(apps, GRANTS)


def grant_all(apps, grants):
    """Create catalog's permissions (they may be newer than the app's last run) and grant them."""
    app_config = apps.get_app_config("catalog")
    app_config.models_module = True  # create_permissions skips apps without a models module
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames))


def revoke_all(apps, grants):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in grants.items():
        for group in Group.objects.filter(name=group_name):
            group.permissions.remove(*Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_seed_banned_terms"),
        ("accounts", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
