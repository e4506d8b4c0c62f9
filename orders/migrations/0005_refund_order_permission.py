"""PAY-5, STF-1: cancelling a paid order with a full refund is its own permission, finance's (operations
does not move money). Granted to the finance role group created by accounts' roles migration."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {"staff_finance": ["refund_order"]}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("orders")
    app_config.models_module = True  # create_permissions skips apps without a models module
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="orders", codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=group_name):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="orders", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_payment_payer_account"),
        ("accounts", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="order",
            options={
                "ordering": ["-created_at", "-pk"],
                "permissions": [("refund_order", "Cancel and refund a paid order (finance)")],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
