"""Each published brief's roles with its publication date (`DatedFacetValue`), for search.

A search for two common words and a role walked every brief newest first and tested each row for the role
and the words until it had the newest 1,001 matches; the rarer the role, the longer the walk (at 100,000
briefs, about 17,500 briefs for a role a tenth of the library holds, against 5,000 for one nearly half
holds). These rows, in (value, date, brief) order, let the search walk only that role's briefs.

PostgreSQL: filled and then kept by a trigger on the brief's row (`search_index.install`), like the
search vector. At 100,000 briefs the fill writes about 164,000 rows (15 MB with its index) in about two
seconds. SQLite: the table stays empty; its search does not read it.
"""

import django.db.models.deletion
from django.db import migrations, models


def install(apps, schema_editor):
    from articles import search_index

    if schema_editor.connection.vendor == "postgresql":
        search_index.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from articles import search_index

    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS {search_index.PG_DATED_TRIGGER} ON {search_index.ARTICLE_TABLE}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {search_index.PG_DATED_FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0022_source_name_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="DatedFacetValue",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "value",
                        "published_at",
                        "article",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("value", models.CharField(max_length=40)),
                ("published_at", models.DateTimeField()),
                (
                    "article",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="dated_values",
                        to="articles.article",
                    ),
                ),
            ],
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
