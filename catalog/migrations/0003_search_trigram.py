"""CAT-8: pg_trgm and trigram GIN indexes for Chinese substring search (PostgreSQL only).

The indexes are on UPPER(col) because Django's ``icontains`` compiles to ``UPPER(col::text) LIKE
UPPER(%s)``; Chinese has no case, so UPPER costs nothing and the index serves the query as written.
SQLite has no GIN: there the search falls back to a plain scan with the same ``icontains``.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "listing_version_title_trgm": "title",
    "listing_version_desc_trgm": "description",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "catalog_listingversion" '
            f'USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_listings")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
