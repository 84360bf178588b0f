"""Keep each brief's search vector in its own row (PostgreSQL storage MAIN) instead of the TOAST table.

A search for a common word walks the briefs newest first and tests each one's vector. With the
default storage, a vector of about 2 KB (half the briefs at 100,000) lived out of line: every
test read the TOAST index and chunks, five page reads instead of one. MAIN keeps the vector in
the row unless the row cannot fit a page at all; the long texts (EXTENDED) still move out first.

Vectors written before are moved by writing them again: the trigger keeps a vector it is given
while the text is unchanged. At 100,000 briefs this rewrites every row once (about a minute).
A later change of the column's type resets its storage: set it again in that migration.
SQLite has no such storage and is left alone.
"""

from django.db import migrations


def keep_vectors_in_rows(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE articles_article ALTER COLUMN search_vector SET STORAGE MAIN")
    # A new value (not the stored one) goes through the toaster again, under the new storage.
    schema_editor.execute(
        "UPDATE articles_article SET search_vector = search_vector || ''::tsvector WHERE search_vector IS NOT NULL"
    )


def default_storage(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE articles_article ALTER COLUMN search_vector SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("articles", "0017_s_draft_drafting_indexes")]

    operations = [migrations.RunPython(keep_vectors_in_rows, default_storage, elidable=False)]
