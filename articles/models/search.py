"""The SQLite FTS5 index of briefs, read through articles/search.py."""

from django.db import models

from .briefs import Article


class FtsDocumentField(models.TextField):
    """The FTS5 table's hidden column named after the table: what MATCH, bm25() and snippet() take."""


@FtsDocumentField.register_lookup
class FtsMatch(models.Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class ArticleSearchEntry(models.Model):
    """A row of the SQLite FTS5 index of briefs, joined to its brief by rowid.

    Unmanaged: the table and the triggers that fill it are made by search_index.py, on
    SQLite only. Read through articles/search.py, never written from Python.
    """

    article = models.OneToOneField(
        Article,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_entry",
    )
    document = FtsDocumentField(db_column="articles_article_fts")

    class Meta:
        managed = False
        db_table = "articles_article_fts"

    def __str__(self):
        return f"Search entry of brief {self.article_id}"
