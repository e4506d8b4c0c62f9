"""CAT-4 (issue 20, item 12): ``Sku.reviewed_price``, the baseline of the 50 % price-change review, filled
from the current price (every price on sale today was either reviewed or within the ratio of one)."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def fill_reviewed_price(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Sku = apps.get_model("catalog", "Sku")
    Sku.objects.filter(reviewed_price__isnull=True).update(reviewed_price=models.F("price"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0009_listing_recheck")]

    operations = [
        migrations.AddField(
            model_name="sku",
            name="reviewed_price",
            field=models.DecimalField(
                blank=True, decimal_places=2, max_digits=12, null=True, verbose_name="last reviewed price"
            ),
        ),
        migrations.RunPython(fill_reviewed_price, migrations.RunPython.noop, elidable=True),
    ]
