"""Full-text search index: a trigger-kept tsvector + GIN on PostgreSQL, FTS5 + triggers on SQLite.

Nothing in Django's model state changes; see articles/search_index.py.
"""

import django.db.models.deletion
from django.db import migrations, models

import articles.models


def forwards(apps, schema_editor):
    from articles import search_index

    search_index.install(schema_editor.connection)


def backwards(apps, schema_editor):
    from articles import search_index

    search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_history_reasons_kept_whole")]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
        # The FTS5 table as Django sees it (unmanaged: the RunPython above makes it, on SQLite only).
        migrations.CreateModel(
            name="ArticleSearchEntry",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        db_column="rowid",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("document", articles.models.FtsDocumentField(db_column="articles_article_fts")),
            ],
            options={"db_table": "articles_article_fts", "managed": False},
        ),
    ]
