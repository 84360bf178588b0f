"""The full-text index behind `articles/search.py`, one per database vendor.

PostgreSQL: `Article.search_vector`, a `SearchVectorField` (added to the model by migration
0008), filled by a trigger, with a GIN index. A trigger rather than a save() hook so that
`QuerySet.update()` and bulk writes keep the index right too, in the same transaction;
rather than a generated column because PostgreSQL refuses to change the type of a column
a generated column reads, which would block a later migration as simple as a longer title.
SQLite: an FTS5 table kept in step with the brief table by triggers (`search_vector` stays
empty there).

`install(connection)` is idempotent. The migrations call it, and so does a post_migrate
receiver, because Django rebuilds a SQLite table (dropping its triggers) when a later
migration adds a NOT NULL column to it; the receiver puts the triggers back and refills
the index so nothing written in between is missing from search. It also replaces SQLite
triggers written by an earlier version (which indexed the insights as JSON) on the next migrate.

PostgreSQL also keeps each published brief's roles, areas, subfields and topics with its publication date
(`DatedFacetValue`, migrations 0023 and 0024), by a second trigger from the same row: a search filtered by one of
them walks that value's briefs newest first instead of every brief.
"""

ARTICLE_TABLE = "articles_article"
FTS_TABLE = "articles_article_fts"
# Order matters: search.py weights the columns in this order.
INDEXED_COLUMNS = ("title", "summary", "takeaway", "insights", "content_text")
PG_CONFIG = "english"
PG_VECTOR_COLUMN = "search_vector"
PG_INDEX = "article_search_vector_idx"
PG_FUNCTION = "articles_article_search_vector_update"
PG_TRIGGER = "articles_article_search_vector"
PG_DATED_TABLE = "articles_datedfacetvalue"
PG_DATED_FUNCTION = "articles_article_dated_values_update"
PG_DATED_TRIGGER = "articles_article_dated_values"
# The kept values (`Article.facet_values`) a brief's dated rows hold: its roles (migration 0023), areas, subfields and
# topics (0024). Changing them takes a migration that installs the trigger again (see 0024).
DATED_FACETS = ("role", "area", "field", "topic")
# title A; summary and takeaway B; insights C; the original's text D.
PG_WEIGHTS = {"title": "A", "summary": "B", "takeaway": "B", "insights": "C", "content_text": "D"}

# The insights are a JSON list: index their text, not the JSON (whose "\\u00e9" escapes hide
# every accented word from FTS5 and whose brackets and quotes would show in snippets).
_SQLITE_INSIGHTS = "(SELECT group_concat(value, ' … ') FROM json_each({row}.insights))"


def _sqlite_column_sql(row: str, column: str) -> str:
    return _SQLITE_INSIGHTS.format(row=row) if column == "insights" else f"{row}.{column}"


def _sqlite_values_sql(row: str) -> str:
    return ", ".join(_sqlite_column_sql(row, c) for c in INDEXED_COLUMNS)


_TRIGGERS = {
    f"{FTS_TABLE}_after_insert": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_after_insert AFTER INSERT ON {ARTICLE_TABLE} BEGIN
            INSERT INTO {FTS_TABLE}(rowid, {", ".join(INDEXED_COLUMNS)})
            VALUES (new.id, {_sqlite_values_sql("new")});
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
            VALUES (new.id, {_sqlite_values_sql("new")});
        END""",
}
# Triggers written by an earlier version lack this; install() replaces them and refills the index.
_SQLITE_CURRENT_MARK = _sqlite_column_sql("new", "insights")


def install(connection) -> None:
    if connection.vendor == "postgresql":
        _install_postgresql(connection)
    elif connection.vendor == "sqlite":
        _install_sqlite(connection)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {PG_TRIGGER} ON {ARTICLE_TABLE}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
            cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
            cursor.execute(f"DROP TRIGGER IF EXISTS {PG_DATED_TRIGGER} ON {ARTICLE_TABLE}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {PG_DATED_FUNCTION}()")
        elif connection.vendor == "sqlite":
            for name in _TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def pg_document_sql(row: str) -> str:
    """The weighted tsvector of one brief; `row` is NEW in the trigger or the table in a backfill."""
    parts = [
        f"setweight(to_tsvector('{PG_CONFIG}'::regconfig, coalesce({row}.{column}::text, '')), '{weight}')"
        for column, weight in PG_WEIGHTS.items()
    ]
    return " || ".join(parts)


def _has_vector_column(connection) -> bool:
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, ARTICLE_TABLE)
    return any(column.name == PG_VECTOR_COLUMN for column in columns)


def backfill_postgresql(connection) -> None:
    """Compute every brief's vector again (after the weights or the trigger changed)."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ARTICLE_TABLE} SET {PG_VECTOR_COLUMN} = {pg_document_sql(ARTICLE_TABLE)}")


def _install_postgresql(connection) -> None:
    if ARTICLE_TABLE not in connection.introspection.table_names() or not _has_vector_column(connection):
        return  # before migration 0008 adds the column; 0008 calls install() again
    with connection.cursor() as cursor:
        # Unchanged text, e.g. a status change, keeps its vector.
        unchanged = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in INDEXED_COLUMNS)
        cursor.execute(
            f"""CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND {unchanged} THEN
                    RETURN NEW;
                END IF;
                NEW.{PG_VECTOR_COLUMN} := {pg_document_sql("NEW")};
                RETURN NEW;
            END $$"""
        )
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass", [PG_TRIGGER, ARTICLE_TABLE]
        )
        created = cursor.fetchone() is None
        if created:
            # No "UPDATE OF <columns>": a column list would again block changing those columns' types.
            cursor.execute(
                f"CREATE TRIGGER {PG_TRIGGER} BEFORE INSERT OR UPDATE ON {ARTICLE_TABLE} "
                f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
            )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON {ARTICLE_TABLE} USING GIN ({PG_VECTOR_COLUMN})")
    if created:
        backfill_postgresql(connection)  # briefs written before the trigger existed
    _install_postgresql_dated(connection)


def _install_postgresql_dated(connection, facets: tuple[str, ...] = DATED_FACETS) -> None:
    """The trigger that keeps `DatedFacetValue` in step with each brief's row for the kept values of `facets`, and
    the rows of briefs written before it existed. Nothing before migration 0023 makes the table. The function is
    replaced every time; the rows are written again only when the trigger is new (a migration that changes
    `facets` drops the trigger first: `reinstall_dated`)."""
    if PG_DATED_TABLE not in connection.introspection.table_names():
        return
    kept = " OR ".join(f"value LIKE '{facet}:%'" for facet in facets)
    # A brief's rows are replaced whenever its status, date or kept values change (a publication, a withdrawal,
    # a refresh of its counts, a new date), found by the brief's id: rows written some other way go too.
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in ("id", "status", "published_at", "facet_values"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE OR REPLACE FUNCTION {PG_DATED_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND NOT ({changed}) THEN
                    RETURN NULL;
                END IF;
                IF TG_OP <> 'INSERT' THEN
                    DELETE FROM {PG_DATED_TABLE} WHERE article_id = OLD.id;
                END IF;
                IF TG_OP <> 'DELETE' AND NEW.status = 'published' AND NEW.published_at IS NOT NULL THEN
                    INSERT INTO {PG_DATED_TABLE} (value, published_at, article_id)
                    SELECT DISTINCT value, NEW.published_at, NEW.id FROM unnest(NEW.facet_values) AS value
                    WHERE {kept} ON CONFLICT DO NOTHING;
                END IF;
                RETURN NULL;
            END $$"""
        )
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass", [PG_DATED_TRIGGER, ARTICLE_TABLE]
        )
        created = cursor.fetchone() is None
        if not created:
            return
        # No "UPDATE OF <columns>" and no WHEN condition, for the same reason as the vector's trigger.
        cursor.execute(
            f"CREATE TRIGGER {PG_DATED_TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON {ARTICLE_TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_DATED_FUNCTION}()"
        )
        # A value's walk stops after a thousand matches or so: workers started for it cost more than they share
        # (at 100,000 briefs, 29 ms against 15 for the walk alone; bench/REPORT.md, "Search, twelfth pass").
        cursor.execute(f"ALTER TABLE {PG_DATED_TABLE} SET (parallel_workers = 0)")
        cursor.execute(f"DELETE FROM {PG_DATED_TABLE}")
        cursor.execute(
            f"INSERT INTO {PG_DATED_TABLE} (value, published_at, article_id) "
            f"SELECT DISTINCT value, published_at, id FROM {ARTICLE_TABLE}, unnest(facet_values) AS value "
            f"WHERE status = 'published' AND published_at IS NOT NULL AND ({kept})"
        )
        cursor.execute(f"ANALYZE {PG_DATED_TABLE}")


def reinstall_dated(connection, facets: tuple[str, ...] = DATED_FACETS) -> None:
    """Keep the dated rows of `facets` from now on and write them again for every published brief (PostgreSQL;
    for a migration that changes which facets are dated)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER IF EXISTS {PG_DATED_TRIGGER} ON {ARTICLE_TABLE}")
    _install_postgresql_dated(connection, facets)


def _install_sqlite(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = {name: sql for name, _type, sql in cursor.fetchall()}
        if ARTICLE_TABLE not in existing:
            return
        outdated = [
            name
            for name, sql in _TRIGGERS.items()
            if name in existing and ("INSERT INTO" in sql) and _SQLITE_CURRENT_MARK not in (existing[name] or "")
        ]
        complete = FTS_TABLE in existing and all(name in existing for name in _TRIGGERS) and not outdated
        if complete:
            return
        for name in outdated:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
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
            f"SELECT id, {_sqlite_values_sql(ARTICLE_TABLE)} FROM {ARTICLE_TABLE}"
        )


def reinstall_after_migrate(sender, using="default", **kwargs):
    """post_migrate receiver: put back what a table rebuild may have dropped."""
    from django.db import connections

    if getattr(sender, "name", None) == "articles":
        install(connections[using])
