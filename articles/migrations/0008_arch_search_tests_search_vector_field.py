"""`Article.search_vector` becomes a model field (a SearchVectorField) instead of a column
that only raw SQL knew about.

On PostgreSQL installed before this migration the column, its trigger and its GIN index
already exist (0006 made them): the column is kept, the trigger function replaced and
every vector computed again. On a new PostgreSQL database, and on SQLite, the column is
added here; on SQLite it stays empty (the FTS5 table is the index there).
"""

import django.contrib.postgres.search
from django.db import migrations


def _vector_field():
    field = django.contrib.postgres.search.SearchVectorField(null=True, editable=False)
    field.set_attributes_from_name("search_vector")
    return field


def _has_column(schema_editor, model) -> bool:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, model._meta.db_table)
    return any(column.name == "search_vector" for column in columns)


def add_column(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    if not _has_column(schema_editor, Article):
        schema_editor.add_field(Article, _vector_field())


def drop_column(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    if _has_column(schema_editor, Article):
        schema_editor.remove_field(Article, _vector_field())


def install_and_backfill(apps, schema_editor):
    from articles import search_index

    search_index.install(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        search_index.backfill_postgresql(schema_editor.connection)


def uninstall_postgresql(apps, schema_editor):
    from articles import search_index

    if schema_editor.connection.vendor == "postgresql":
        search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_api_tokens")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_column, drop_column, elidable=False)],
            state_operations=[
                migrations.AddField(
                    model_name="article",
                    name="search_vector",
                    field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
            ],
        ),
        migrations.RunPython(install_and_backfill, uninstall_postgresql, elidable=False),
    ]
