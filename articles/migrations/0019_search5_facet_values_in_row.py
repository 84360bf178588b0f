"""Keep each published brief's facet values in its own row (`Article.facet_values`), for search.

A search with a role, topic or field filter walked the briefs newest first and probed the brief-role
(or brief-topic, brief-field) pair index for every brief whose words matched; its facet counts read
the kept values of the matches from the snapshot table, one index probe per match. With the values
in the row that search already reads, the filter is a test of the row and the counts are taken over
the rows found. The GIN index lets PostgreSQL start from the value instead of walking dates when a
filter is rare.

Filled from the snapshots (`facets.copy_to_rows`); at 100,000 briefs this writes every published
brief's row once (about 40 s; VACUUM, or autovacuum, then clears the old row versions). The vectors'
trigger keeps each vector (no text changes). Storage MAIN keeps the values in the row, as 0018 keeps the
vector: with the default, a row holding a 2 KB vector pushed its values out to TOAST.
"""

from django.db import migrations

import articles.models.facets

INDEX = "article_facet_values_idx"


def fill_and_index(apps, schema_editor):
    from articles import facets

    if schema_editor.connection.vendor == "postgresql":
        # In the row beside the vector (see 0018): out of line, each test of a brief's values would read TOAST.
        schema_editor.execute("ALTER TABLE articles_article ALTER COLUMN facet_values SET STORAGE MAIN")
    facets.copy_to_rows(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article USING GIN (facet_values)")
        # The planner's per-value statistics decide between walking dates and reading the index.
        schema_editor.execute("ANALYZE articles_article (facet_values)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_s_search_search_vector_in_row")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="facet_values",
            field=articles.models.facets.FacetValuesField(db_default=[], default=list, editable=False),
        ),
        migrations.RunPython(fill_and_index, drop_index, elidable=False),
    ]
