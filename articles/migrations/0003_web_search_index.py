"""Full-text search index: a generated tsvector + GIN on PostgreSQL, FTS5 + triggers on SQLite.

Nothing in Django's model state changes; see articles/search_index.py.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from articles import search_index

    search_index.install(schema_editor.connection)


def backwards(apps, schema_editor):
    from articles import search_index

    search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_staff_groups")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
