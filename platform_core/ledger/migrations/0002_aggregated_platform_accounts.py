# Issue 26: the platform-wide accounts keep their balance by aggregation (no cached column, no row lock per
# payment). The cached balance of the existing ones is dropped to 0: their entries are the balance.

from django.db import migrations, models


def aggregate_platform_accounts(apps, schema_editor):
    LedgerAccount = apps.get_model("ledger", "LedgerAccount")
    LedgerAccount.objects.filter(owner_type__isnull=True, allow_negative=True).update(
        aggregated=True, balance=0
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgeraccount",
            name="aggregated",
            field=models.BooleanField(default=False, editable=False, verbose_name="balance by aggregation"),
        ),
        migrations.RunPython(aggregate_platform_accounts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="ledgeraccount",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("aggregated", False), models.Q(("allow_negative", True), ("balance", 0)), _connector="OR"
                ),
                name="ledger_account_aggregated_caches_nothing",
            ),
        ),
    ]
