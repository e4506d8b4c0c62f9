"""CAT-8 (issue 26, decision 008): search on the listing's own row, through one trigram index.

``Listing.search_text`` holds the live version's title and description (``Listing.approve`` keeps it in
sync; versions are immutable). On PostgreSQL a partial GIN trigram index on ``UPPER(search_text)`` of the
listings on sale serves ``search_text__icontains`` (Django compiles it to ``UPPER(col::text) LIKE
UPPER(%s)``), so a search no longer joins every visible listing to its version to test ``LIKE`` row by
row. SQLite has no GIN: there the same ``icontains`` is a plain scan.
"""

from django.db import migrations, models

INDEX = "listing_search_trgm"
SHORT_INDEX = "listing_search_bigram"

# Every one- and two-character substring of the (upper-cased) text, separated by spaces: the words of the
# ``simple`` text-search config for queries too short for a trigram (``catalog.selectors``).
BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_bigrams(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT coalesce(string_agg(substr(t, i, 2), ' ' ORDER BY i), '')
    FROM generate_series(1, char_length(t)) AS i
$$
"""


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE catalog_listing l SET search_text = v.title || E'\\n' || v.description "
            "FROM catalog_listingversion v WHERE v.id = l.live_version_id"
        )
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "catalog_listing" '
            'USING gin (UPPER("search_text") gin_trgm_ops) WHERE "on_sale"'
        )
        schema_editor.execute(BIGRAMS_FUNCTION)
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{SHORT_INDEX}" ON "catalog_listing" '
            "USING gin (to_tsvector('simple'::regconfig, catalog_bigrams(UPPER(\"search_text\")))) "
            'WHERE "on_sale"'
        )
        return
    Listing = apps.get_model("catalog", "Listing")
    for listing in Listing.objects.filter(live_version__isnull=False).select_related("live_version"):
        version = listing.live_version
        Listing.objects.filter(pk=listing.pk).update(search_text=f"{version.title}\n{version.description}")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')
        schema_editor.execute(f'DROP INDEX IF EXISTS "{SHORT_INDEX}"')
        schema_editor.execute("DROP FUNCTION IF EXISTS catalog_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0010_sku_reviewed_price")]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="search_text",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.RunPython(backfill, drop_index),
    ]
