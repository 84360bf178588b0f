"""Each published brief's areas, subfields and topics with its publication date too (`DatedFacetValue`), for search.

A search filtered by a topic, an area or a subfield walked every brief newest first and tested each row for the
value and the words until it had the newest 1,001 matches; the rarer the value, the longer the walk. At 100,000
briefs a first-time search for two common words with a topic 0.2-5% of the library holds took 33-45 ms in process,
against 13-29 ms at 1,000 (bench/REPORT.md, "Search, thirteenth pass"). With these rows the search walks only that
value's briefs, as it does for a role since 0023.

PostgreSQL: the trigger's function is replaced and every published brief's rows written again (at 100,000 briefs
about 610,000 rows). SQLite: nothing; its search does not read the table. Reversed, the rows go back to roles only.
"""

from django.db import migrations

FACETS_BEFORE = ("role",)


def forwards(apps, schema_editor):
    from articles import search_index

    search_index.reinstall_dated(schema_editor.connection)


def backwards(apps, schema_editor):
    from articles import search_index

    search_index.reinstall_dated(schema_editor.connection, FACETS_BEFORE)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0023_dated_facet_values"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
