"""The full-text index behind `articles/search.py`, one per database vendor.

PostgreSQL: a stored generated tsvector column on the brief table with a GIN index.
SQLite: an FTS5 table kept in step with the brief table by triggers.

`install(connection)` is idempotent. The migration calls it, and so does a post_migrate
receiver, because Django rebuilds a SQLite table (dropping its triggers) when a later
migration adds a NOT NULL column to it; the receiver puts the triggers back and refills
the index so nothing written in between is missing from search.
"""

ARTICLE_TABLE = "articles_article"
FTS_TABLE = "articles_article_fts"
# Order matters: search.py weights the columns in this order.
INDEXED_COLUMNS = ("title", "summary", "takeaway", "insights", "content_text")
PG_CONFIG = "english"
PG_VECTOR_COLUMN = "search_vector"
PG_INDEX = "article_search_vector_idx"
# title A; summary and takeaway B; insights C; the original's text D.
PG_WEIGHTS = {"title": "A", "summary": "B", "takeaway": "B", "insights": "C", "content_text": "D"}

_TRIGGERS = {
    f"{FTS_TABLE}_after_insert": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_after_insert AFTER INSERT ON {ARTICLE_TABLE} BEGIN
            INSERT INTO {FTS_TABLE}(rowid, {", ".join(INDEXED_COLUMNS)})
            VALUES (new.id, {", ".join(f"new.{c}" for c in INDEXED_COLUMNS)});
        END""",
    f"{FTS_TABLE}_after_delete": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_after_delete AFTER DELETE ON {ARTICLE_TABLE} BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        END""",
    f"{FTS_TABLE}_after_update": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_after_update
        AFTER UPDATE OF id, {", ".join(INDEXED_COLUMNS)} ON {ARTICLE_TABLE} BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
            INSERT INTO {FTS_TABLE}(rowid, {", ".join(INDEXED_COLUMNS)})
            VALUES (new.id, {", ".join(f"new.{c}" for c in INDEXED_COLUMNS)});
        END""",
}


def install(connection) -> None:
    if connection.vendor == "postgresql":
        _install_postgresql(connection)
    elif connection.vendor == "sqlite":
        _install_sqlite(connection)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
            cursor.execute(f"ALTER TABLE {ARTICLE_TABLE} DROP COLUMN IF EXISTS {PG_VECTOR_COLUMN}")
        elif connection.vendor == "sqlite":
            for name in _TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def pg_document_sql() -> str:
    parts = [
        f"setweight(to_tsvector('{PG_CONFIG}'::regconfig, coalesce({column}::text, '')), '{weight}')"
        for column, weight in PG_WEIGHTS.items()
    ]
    return " || ".join(parts)


def _install_postgresql(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {ARTICLE_TABLE} ADD COLUMN IF NOT EXISTS {PG_VECTOR_COLUMN} tsvector "
            f"GENERATED ALWAYS AS ({pg_document_sql()}) STORED"
        )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON {ARTICLE_TABLE} USING GIN ({PG_VECTOR_COLUMN})")


def _install_sqlite(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = {row[0] for row in cursor.fetchall()}
        if ARTICLE_TABLE not in existing:
            return
        complete = FTS_TABLE in existing and all(name in existing for name in _TRIGGERS)
        if complete:
            return
        # porter stems English words ("distilling" finds "distillation"); diacritics fold.
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({', '.join(INDEXED_COLUMNS)}, "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        for sql in _TRIGGERS.values():
            cursor.execute(sql)
        cursor.execute(f"DELETE FROM {FTS_TABLE}")
        cursor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, {', '.join(INDEXED_COLUMNS)}) "
            f"SELECT id, {', '.join(INDEXED_COLUMNS)} FROM {ARTICLE_TABLE}"
        )


def reinstall_after_migrate(sender, using="default", **kwargs):
    """post_migrate receiver: put back what a table rebuild may have dropped."""
    from django.db import connections

    if getattr(sender, "name", None) == "articles":
        install(connections[using])
