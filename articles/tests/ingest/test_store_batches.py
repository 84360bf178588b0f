"""What a new item costs: new items of a feed are stored together, with their first history rows,
and the queries of a run do not grow with its items; batches keep dedup exact. The HTTP client
is shared by the fetches of a process, and the address guard still checks every connection."""

import os
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import IntegrityError, connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.ingest import fetch as fetch_module
from articles.ingest import pipeline
from articles.ingest.fetch import UnsafeURL, build_client, fetch
from articles.ingest.pipeline import ingest_source
from articles.models import (
    Article,
    IngestionRun,
    Source,
    Status,
    insert_briefs,
    insert_briefs_with_history,
    record_first_history,
)
from articles.tests.ingest.feeds import item, rss

pytestmark = pytest.mark.django_db
QUERIES_PER_NEW_ITEM = 5  # issue 12's ceiling


def queries_to_ingest(httpserver, feed_source, path: str, numbers: range) -> int:
    httpserver.expect_request(path).respond_with_data(rss(*(item(n) for n in numbers)))
    source = feed_source(path)
    with CaptureQueriesContext(connection) as queries:
        run = ingest_source(source_id=source.pk).run
    assert run.items_new == len(numbers)
    return len(queries)


def test_ingesting_ten_more_new_items_costs_at_most_five_queries_each(httpserver, feed_source):
    ten = queries_to_ingest(httpserver, feed_source, "/ten.xml", range(100, 110))
    twenty = queries_to_ingest(httpserver, feed_source, "/twenty.xml", range(200, 220))
    assert twenty - ten <= QUERIES_PER_NEW_ITEM * 10
    # In fact the batch costs the same whatever its size (one slug look-up, one INSERT each for
    # briefs and history rows): a run's queries grow with its feeds, not its items.
    assert twenty == ten


def test_new_items_stored_together_each_get_a_slug_and_their_first_history_row(httpserver, feed_source):
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss(item(1, title="Same title"), item(2, title="Same title"), item(3))
    )
    source = feed_source(name="Batch source")
    ingest_source(source_id=source.pk)
    slugs = sorted(Article.objects.values_list("slug", flat=True))
    assert slugs == ["piece-number-3", "same-title", "same-title-2"]
    history = Article.history.filter(history_type="+")
    assert history.count() == 3
    assert set(history.values_list("history_change_reason", flat=True)) == {"Ingested from Batch source"}
    assert set(Article.objects.values_list("length", flat=True)) == {"short"}  # filled as save() fills it


def test_an_address_stored_by_another_worker_during_the_run_makes_no_twin(httpserver, feed_source, monkeypatch):
    """The batch INSERT meets the unique address; its items are then settled one by one."""
    httpserver.expect_request("/feed.xml").respond_with_data(rss(item(1), item(2)))
    source = feed_source()
    real_normalize = pipeline.normalize_entry

    def normalize_while_another_worker_stores_item_1(entry, **kwargs):
        normalized = real_normalize(entry, **kwargs)
        if entry.link.endswith("/1"):
            Article.objects.create(
                source=source,
                title="Stored elsewhere",
                original_url=normalized.canonical_url,
                content_hash=normalized.content_hash,  # the same piece, read from the same feed
            )
        return normalized

    monkeypatch.setattr(pipeline, "normalize_entry", normalize_while_another_worker_stores_item_1)
    run = ingest_source(source_id=source.pk).run
    assert (run.items_new, run.items_unchanged, run.items_failed) == (1, 1, 0)
    assert Article.objects.count() == 2
    assert Article.objects.get(original_url__endswith="/1").title == "Stored elsewhere"


class CountingServer(ThreadingHTTPServer):
    """HTTP/1.1 with keep-alive, counting the connections it accepts."""

    daemon_threads = True
    connections = 0

    def process_request(self, request, client_address):
        self.connections += 1
        super().process_request(request, client_address)


class KeepAliveHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = rss(item(1))
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def keep_alive_server():
    server = CountingServer(("127.0.0.1", 0), KeepAliveHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_fetches_of_one_process_share_a_connection_and_the_guard_still_decides(keep_alive_server, ingest_settings):
    url = f"http://127.0.0.1:{keep_alive_server.server_address[1]}/feed.xml"
    for _ in range(3):
        assert fetch(url).status == 200
    assert keep_alive_server.connections == 1
    # Loopback no longer allowed: the open connection is not reused, the guard refuses a new one.
    ingest_settings.INGEST_ALLOW_LOOPBACK = False
    with pytest.raises(UnsafeURL, match="loopback"):
        fetch(url)
    assert keep_alive_server.connections == 1


def test_the_first_history_rows_copied_by_the_database_equal_those_simple_history_writes(httpserver, feed_source):
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss(item(1, title="Élan & <b>bold</b>"), item(2, title="Same title"), item(3, title="Same title"))
    )
    source = feed_source(name="History source")
    ingest_source(source_id=source.pk)
    briefs = list(Article.objects.order_by("pk"))
    # What the library itself writes for the same briefs (then compared column by column).
    Article.history.bulk_history_create(briefs, default_change_reason="Ingested from History source")
    history = Article.history.model
    columns = [f.attname for f in history._meta.concrete_fields if f.attname not in ("history_id", "history_date")]
    rows = list(history.objects.order_by("history_id").values_list(*columns))
    ours, library = rows[:3], rows[3:]
    assert ours == library
    assert [row[columns.index("id")] for row in ours] == [brief.pk for brief in briefs]  # in the briefs' order
    dates = history.objects.order_by("history_id").values_list("history_date", flat=True)
    assert len(set(dates[:3])) == 1  # one date for the batch


def test_clients_load_the_certificate_authorities_once_per_process(monkeypatch):
    import ssl

    loads = []
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **kw: loads.append(1) or real(*a, **kw))
    fetch_module._ssl_context.cache_clear()
    for _ in range(2):
        build_client().close()
    assert len(loads) == 1


# The "postgres" alias exists only when TEST_DATABASE_URL is set (root conftest).
DATABASES = ["default", "postgres"] if os.environ.get("TEST_DATABASE_URL") else ["default"]


@pytest.fixture(params=["default", "postgres"])
def alias(request):
    if request.param == "postgres":
        request.getfixturevalue("postgres_url")
    return request.param


def unsaved_briefs(alias: str, prefix: str) -> list[Article]:
    source, _ = Source.objects.using(alias).get_or_create(
        slug="batch-source", defaults={"name": "Batch Source", "url": "https://batch.example/feed"}
    )
    return [
        Article(
            source=source,
            title=f"Avocets {n}",
            slug=f"{prefix}-avocets-{n}",
            original_url=f"https://batch.example/{prefix}/{n}",
            content_html=f"<p>Avocets wade in shallow water {n}.</p>",
            content_text=f"Avocets wade in shallow water {n}.",
            content_hash=f"{n:064x}",
            reading_minutes=n,
            length="short",
            status=Status.INGESTED,
        )
        for n in range(1, 4)
    ]


@pytest.mark.django_db(databases=DATABASES)
def test_briefs_inserted_together_hold_what_bulk_create_stores_and_get_their_history_in_one_more_query(alias):
    ours, theirs = unsaved_briefs(alias, "ours"), unsaved_briefs(alias, "theirs")
    with CaptureQueriesContext(connections[alias]) as queries:
        insert_briefs(ours, using=alias)
        record_first_history(ours, reason="Ingested from Batch Source", using=alias)
    assert len(queries) == 2
    if alias == "postgres":
        # One array per column for the whole batch, not one placeholder per value.
        assert "UNNEST" in queries[0]["sql"]
    Article.objects.using(alias).bulk_create(theirs)
    stored = Article.objects.using(alias).order_by("pk")
    skip = {"id", "slug", "original_url", "created_at", "updated_at", "status_changed_at"}
    columns = [f.attname for f in Article._meta.concrete_fields if f.attname not in skip]
    rows = {brief.pk: row for brief, row in zip(stored, stored.values_list(*columns), strict=True)}
    assert [rows[brief.pk] for brief in ours] == [rows[brief.pk] for brief in theirs]
    if alias == "postgres":
        assert all("'avocet':1A" in str(brief.search_vector) for brief in stored)  # the trigger wrote it
    history = Article.history.model.objects.using(alias).order_by("history_id")
    assert [(h.id, h.title, h.slug, h.source_id, h.history_type, h.history_change_reason) for h in history] == [
        (brief.pk, brief.title, brief.slug, brief.source_id, "+", "Ingested from Batch Source") for brief in ours
    ]


@pytest.mark.django_db(databases=DATABASES)
def test_new_briefs_and_their_first_history_are_one_statement_on_postgresql_with_the_same_rows(alias):
    ours = unsaved_briefs(alias, "ours")
    with CaptureQueriesContext(connections[alias]) as queries:
        insert_briefs_with_history(ours, reason="Ingested from Batch Source", using=alias)
    statements = [query["sql"] for query in queries if "SAVEPOINT" not in query["sql"]]  # the test's transaction
    assert len(statements) == (1 if alias == "postgres" else 2)
    stored = list(Article.objects.using(alias).order_by("pk"))
    assert [(brief.pk, brief.original_url) for brief in ours] == [(brief.pk, brief.original_url) for brief in stored]
    if alias == "postgres":
        assert all("'avocet':1A" in str(brief.search_vector) for brief in stored)  # searchable once committed
    # The rows `record_first_history` copies (equal to simple-history's own, tested above) for the same briefs.
    record_first_history(stored, reason="Ingested from Batch Source", using=alias)
    history = Article.history.model.objects.using(alias)
    columns = [
        f.attname for f in history.model._meta.concrete_fields if f.attname not in ("history_id", "history_date")
    ]
    rows = list(history.order_by("history_id").values_list(*columns))
    assert rows[:3] == rows[3:]
    assert [row[columns.index("id")] for row in rows[:3]] == [brief.pk for brief in ours]
    assert len(set(history.order_by("history_id").values_list("history_date", flat=True)[:3])) == 1


@pytest.mark.django_db(databases=DATABASES)
def test_briefs_inserted_with_their_history_hold_what_bulk_create_stores_whatever_their_text(alias):
    # On PostgreSQL the batch's values travel in binary, apart from the SQL: text that an array
    # literal must escape (quotes, backslashes, braces, commas, NULL spelled out) arrives unchanged.
    awkward = ['"Quoted", {braced}', 'back\\slash \\" end', "NULL", "", "emoji 🦩 and ünïcode", "a\nnew line"]
    ours, theirs = unsaved_briefs(alias, "ours"), unsaved_briefs(alias, "theirs")
    now = timezone.now()
    for n, (mine, other) in enumerate(zip(ours, theirs, strict=True)):
        for brief in (mine, other):
            brief.title = awkward[n]
            brief.author = awkward[n + 3]
            brief.content_text = " ".join(awkward)
            brief.insights = [awkward[n], awkward[-1]]
            brief.original_published_at = now - timedelta(days=n) if n else None
            brief.guid = awkward[n + 1]
    insert_briefs_with_history(ours, reason="Ingested from Batch Source", using=alias)
    Article.objects.using(alias).bulk_create(theirs)
    skip = {"id", "slug", "original_url", "created_at", "updated_at", "status_changed_at"}
    columns = [f.attname for f in Article._meta.concrete_fields if f.attname not in skip]
    rows = dict(
        zip(
            Article.objects.using(alias).order_by("pk").values_list("pk", flat=True),
            Article.objects.using(alias).order_by("pk").values_list(*columns),
            strict=True,
        )
    )
    assert [rows[brief.pk] for brief in ours] == [rows[brief.pk] for brief in theirs]
    assert rows[ours[0].pk][columns.index("title")] == awkward[0]


@pytest.mark.django_db(databases=DATABASES)
def test_a_batch_refused_by_the_unique_address_stores_nothing_and_leaves_the_transaction_usable(alias):
    insert_briefs_with_history(unsaved_briefs(alias, "first"), reason="first", using=alias)
    again = unsaved_briefs(alias, "again")
    again[2].original_url = "https://batch.example/first/3"  # stored a moment ago by another worker
    with pytest.raises(IntegrityError):
        insert_briefs_with_history(again, reason="again", using=alias)
    assert Article.objects.using(alias).count() == 3
    assert Article.history.model.objects.using(alias).count() == 3


@pytest.mark.django_db(databases=DATABASES)
def test_a_successful_run_and_its_sources_health_are_one_statement_on_postgresql(alias):
    source = Source.objects.using(alias).create(
        name="Health", slug="health", url="https://health.example/feed", consecutive_failures=3, last_error="down"
    )
    run = IngestionRun.objects.using(alias).create(source=source, status=IngestionRun.Outcome.RUNNING)
    counts = pipeline.RunCounts(seen=3, new=2, unchanged=1)
    with CaptureQueriesContext(connections[alias]) as queries:
        pipeline.finish_successful_run(
            run,
            source=source,
            status="succeeded",
            counts=counts,
            http_status=200,
            error="a note",
            etag='"v2"',
            using=alias,
        )
    assert len(queries) == (1 if alias == "postgres" else 2)
    stored = IngestionRun.objects.using(alias).get(pk=run.pk)
    assert (stored.status, stored.http_status, stored.items_seen, stored.items_new, stored.items_unchanged) == (
        "succeeded",
        200,
        3,
        2,
        1,
    )
    assert (stored.error, stored.source_id, stored.started_at) == ("a note", source.pk, run.started_at)
    assert stored.finished_at is not None
    source.refresh_from_db(using=alias)
    assert (source.consecutive_failures, source.last_error, source.etag, source.last_modified) == (0, "", '"v2"', "")
    assert source.last_success_at is not None and source.next_fetch_at > source.last_success_at


def test_a_run_that_finds_nothing_new_costs_five_queries(httpserver, feed_source):
    httpserver.expect_request("/feed.xml").respond_with_data(rss(item(1), item(2)))
    source = feed_source()
    ingest_source(source_id=source.pk)
    with CaptureQueriesContext(connection) as queries:
        run = ingest_source(source_id=source.pk, force=True).run
    assert (run.items_new, run.items_unchanged) == (0, 2)
    # The source with its interrupted runs, the day's count of new briefs and the briefs an earlier
    # run left undrafted; the run's record; the stored addresses; the source's health; the run's
    # outcome. On PostgreSQL the run's record is written by the source's query and the last two are
    # one statement: three queries (both tested above and below).
    assert len(queries) == 5, "\n".join(query["sql"][:120] for query in queries)
    assert set(ingest_source(source_id=source.pk, force=True).to_enrich) == set(
        Article.objects.values_list("pk", flat=True)
    )


@pytest.mark.django_db(databases=DATABASES)
def test_a_run_reads_its_source_with_the_runs_cut_short_the_days_new_briefs_and_those_undrafted(alias):
    (brief, *_) = unsaved_briefs(alias, "today")
    insert_briefs([brief], using=alias)
    source = brief.source
    older = unsaved_briefs(alias, "older")[0]
    insert_briefs([older], using=alias)
    Article.objects.using(alias).filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
    Article.objects.using(alias).filter(pk=brief.pk).update(status=Status.DRAFT)
    read = pipeline._source_for_run(source.pk, using=alias)
    assert (read.pk, read.name, read.url, read.interrupted, read.created_today, read.left_undrafted) == (
        source.pk,
        "Batch Source",
        "https://batch.example/feed",
        False,
        1,
        [older.pk],  # still ingested: waiting for a draft
    )
    IngestionRun.objects.using(alias).create(source=source, status=IngestionRun.Outcome.RUNNING)
    assert pipeline._source_for_run(source.pk, using=alias).interrupted
    with pytest.raises(Source.DoesNotExist):
        pipeline._source_for_run(source.pk + 1000, using=alias)


@pytest.mark.django_db(databases=DATABASES)
def test_a_runs_record_is_written_by_the_query_that_reads_its_source_on_postgresql(alias):
    source = Source.objects.using(alias).create(name="Runs", slug="runs", url="https://runs.example/feed")
    IngestionRun.objects.using(alias).create(source=source, status=IngestionRun.Outcome.RUNNING)  # cut short
    run = IngestionRun(source_id=source.pk, status=IngestionRun.Outcome.RUNNING)
    with CaptureQueriesContext(connections[alias]) as queries:
        read = pipeline._source_for_run(source.pk, run=run, using=alias)
    assert len(queries) == 1
    assert read.interrupted  # the earlier run, not this one
    if alias != "postgres":
        assert run.pk is None  # left for the caller to save
        return
    stored = IngestionRun.objects.using(alias).get(pk=run.pk)
    fields = [field.attname for field in IngestionRun._meta.concrete_fields]
    assert [getattr(stored, name) for name in fields] == [getattr(run, name) for name in fields]
    assert (stored.source_id, stored.status, stored.items_seen, stored.error) == (source.pk, "running", 0, "")
    with pytest.raises(Source.DoesNotExist):
        pipeline._source_for_run(source.pk + 1000, run=IngestionRun(source_id=source.pk + 1000), using=alias)
    assert IngestionRun.objects.using(alias).count() == 2


@pytest.mark.django_db(databases=DATABASES)
def test_slugs_for_a_batch_are_found_by_their_exact_prefixes(alias):
    from articles.models.base import _slugs_starting_with

    stored = ["a_b", "axb", "a_b-2", "avocets", "avocets-2", "avocets-12", "avocetsx", "100-percent", "100x"]
    briefs = [brief for n in range(3) for brief in unsaved_briefs(alias, f"slugs-{n}")]
    for brief, slug in zip(briefs, stored, strict=False):
        brief.slug, brief.original_url = slug, f"https://batch.example/{slug}"
    insert_briefs(briefs[: len(stored)], using=alias)
    prefixes = ["a_b", "avocets", "100%", "Avocets", "nothing"]
    every_slug = Article.objects.using(alias).values_list("slug", flat=True)
    expected = {slug for slug in every_slug if slug.startswith(tuple(prefixes))}
    assert expected == {"a_b", "a_b-2", "avocets", "avocets-2", "avocets-12", "avocetsx"}
    assert _slugs_starting_with(Article, prefixes, using=alias) == expected
    assert _slugs_starting_with(Article, ["a_b"], using=alias) == {"a_b", "a_b-2"}  # "_" is no wildcard


@pytest.mark.django_db
def test_on_sqlite_a_batchs_slugs_are_looked_up_through_the_slug_index_not_by_reading_every_brief():
    # SQLite's LIKE cannot use an index: each batch of new briefs read the slug of every brief in the library.
    from articles.models.base import _slugs_starting_with

    sent = []
    with connection.execute_wrapper(
        lambda execute, sql, params, *rest: sent.append((sql, params)) or execute(sql, params, *rest)
    ):
        _slugs_starting_with(Article, ["avocets", "a_b"])
    ((sql, params),) = sent
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(row[-1] for row in cursor.fetchall())
    assert "INDEX" in plan and "SCAN" not in plan, plan
