"""Entries → briefs: one per canonical address, updates that respect editors, runs and source health."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from articles import tasks
from articles.ingest.pipeline import backoff_delay, ingest_source
from articles.locks import Busy as SourceBusy
from articles.locks import source_lock
from articles.models import Article, IngestionRun, Source, Status
from articles.tests.factories import make_source
from articles.tests.ingest.feeds import item, rss

pytestmark = pytest.mark.django_db
Outcome = IngestionRun.Outcome


def serve(httpserver, body, path="/feed.xml", **kwargs):
    httpserver.clear()
    httpserver.expect_request(path).respond_with_data(body, content_type="application/rss+xml", **kwargs)


def test_new_items_are_ingested_then_handed_to_enrichment_as_drafts(
    httpserver, feed_source, django_capture_on_commit_callbacks
):
    serve(httpserver, rss(item(1), item(2)))
    source = feed_source()
    outcome = ingest_source(source_id=source.pk)
    run = outcome.run
    assert set(Article.objects.values_list("status", flat=True)) == {Status.INGESTED}
    assert sorted(outcome.to_enrich) == sorted(Article.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.queue_follow_ups(outcome)  # what the task does with the outcome
    assert (run.status, run.items_seen, run.items_new) == (Outcome.SUCCEEDED, 2, 2)
    assert set(Article.objects.values_list("status", flat=True)) == {Status.DRAFT}
    article = Article.objects.get(original_url="https://publisher.example/pieces/1")
    assert article.title == "Piece number 1"
    assert article.content_text == "The text of piece 1, with enough words to read."
    assert article.reading_minutes == 1
    assert article.original_published_at == datetime(2024, 10, 1, 10, tzinfo=UTC)
    assert len(article.content_hash) == 64


def test_tracking_parameters_do_not_make_a_second_brief(httpserver, feed_source):
    serve(httpserver, rss(item(1, link="https://Publisher.example:443/pieces/1?utm_source=rss&fbclid=x#top")))
    source = feed_source()
    ingest_source(source_id=source.pk)
    serve(httpserver, rss(item(1, link="https://publisher.example/pieces/1?gclid=abc&mc_cid=1&mc_eid=2")))
    second = ingest_source(source_id=source.pk, force=True).run
    assert list(Article.objects.values_list("original_url", flat=True)) == ["https://publisher.example/pieces/1"]
    assert (second.items_new, second.items_unchanged) == (0, 1)


def test_changed_content_updates_a_draft_but_never_what_an_editor_wrote(httpserver, feed_source):
    serve(httpserver, rss(item(1)))
    source = feed_source()
    ingest_source(source_id=source.pk)
    article = Article.objects.get()
    Article.objects.filter(pk=article.pk).update(
        status=Status.DRAFT, title="Our own title", summary="Our summary", takeaway="Our takeaway"
    )

    serve(httpserver, rss(item(1, title="Publisher's new title", body="<p>Corrected text of the piece.</p>")))
    run = ingest_source(source_id=source.pk).run

    article.refresh_from_db()
    assert (run.items_updated, run.items_new) == (1, 0)
    assert article.content_text == "Corrected text of the piece."
    assert (article.title, article.summary, article.takeaway) == ("Our own title", "Our summary", "Our takeaway")
    assert article.status == Status.DRAFT


def test_a_teaser_replaced_by_the_full_text_updates_the_reading_time(httpserver, feed_source):
    serve(httpserver, rss(item(1, body="<p>A short teaser.</p>")))
    source = feed_source()
    ingest_source(source_id=source.pk)
    assert Article.objects.get().reading_minutes == 1

    long_text = "".join(f"<p>{'word ' * 230}</p>" for _ in range(12))  # twelve minutes at 230 words a minute
    serve(httpserver, rss(item(1, body=long_text)))
    run = ingest_source(source_id=source.pk).run

    assert run.items_updated == 1
    assert Article.objects.get().reading_minutes == 12


def test_a_published_brief_keeps_its_ingested_text(httpserver, feed_source):
    serve(httpserver, rss(item(1)))
    source = feed_source()
    ingest_source(source_id=source.pk)
    Article.objects.update(status=Status.PUBLISHED, published_at=timezone.now())

    serve(httpserver, rss(item(1, body="<p>Rewritten after publication.</p>")))
    run = ingest_source(source_id=source.pk).run

    assert (run.items_updated, run.items_unchanged) == (0, 1)
    assert Article.objects.get().content_text == "The text of piece 1, with enough words to read."


def test_seen_items_are_skipped_in_a_constant_number_of_queries(httpserver, feed_source, django_assert_max_num_queries):
    serve(httpserver, rss(*(item(n) for n in range(40))))
    source = feed_source()
    ingest_source(source_id=source.pk)
    with django_assert_max_num_queries(10):
        run = ingest_source(source_id=source.pk).run
    assert (run.items_seen, run.items_unchanged, run.items_new) == (40, 40, 0)


def test_items_without_a_usable_link_are_counted_and_described_while_the_rest_go_in(httpserver, feed_source):
    serve(httpserver, rss(item(1), item(2, link="javascript:alert(1)", guid="x"), item(3, link=None, guid=None)))
    source = feed_source()
    run = ingest_source(source_id=source.pk).run
    assert (run.status, run.items_new, run.items_failed) == (Outcome.SUCCEEDED, 1, 2)
    assert "not an http or https address" in run.error and "has no link" in run.error


def test_not_modified_changes_nothing_and_counts_as_success(httpserver, feed_source):
    httpserver.expect_request("/feed.xml", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    httpserver.expect_request("/feed.xml").respond_with_data(rss(item(1)), headers={"ETag": '"v1"'})
    source = feed_source()
    first = ingest_source(source_id=source.pk).run
    second = ingest_source(source_id=source.pk).run
    source.refresh_from_db()
    assert (first.status, second.status, second.http_status) == (Outcome.SUCCEEDED, Outcome.NOT_MODIFIED, 304)
    assert second.items_seen == 0 and Article.objects.count() == 1
    assert source.etag == '"v1"' and source.consecutive_failures == 0
    assert source.last_success_at >= second.started_at


def test_a_failing_source_backs_off_geometrically_and_recovers_its_interval(httpserver, feed_source):
    httpserver.expect_request("/feed.xml").respond_with_data("down", status=503)
    source = feed_source(poll_interval_minutes=30)
    for failures, wait in ((1, 60), (2, 120), (3, 240)):
        run = ingest_source(source_id=source.pk).run
        source.refresh_from_db()
        assert (run.status, run.http_status) == (Outcome.FAILED, 503)
        assert source.consecutive_failures == failures
        assert "HTTP 503" in source.last_error and source.last_error == run.error
        expected = source.last_fetched_at + timedelta(minutes=wait)
        assert source.next_fetch_at == expected

    serve(httpserver, rss(item(1)))
    run = ingest_source(source_id=source.pk).run
    source.refresh_from_db()
    assert run.status == Outcome.SUCCEEDED
    assert (source.consecutive_failures, source.last_error) == (0, "")
    assert source.next_fetch_at == source.last_success_at + timedelta(minutes=30)


def test_backoff_is_capped_at_one_day():
    assert backoff_delay(interval_minutes=60, failures=3) == timedelta(hours=8)
    assert backoff_delay(interval_minutes=60, failures=5) == timedelta(days=1)
    assert backoff_delay(interval_minutes=60, failures=500) == timedelta(days=1)


def test_a_failing_source_never_waits_less_than_its_own_interval():
    """The one-day cap limits the back-off; it must not make a weekly source poll daily once it fails."""
    week = 7 * 24 * 60
    assert backoff_delay(interval_minutes=week, failures=1) == timedelta(minutes=week)
    assert backoff_delay(interval_minutes=2 * 24 * 60, failures=3) == timedelta(days=2)


def test_a_page_that_is_not_a_feed_is_a_recorded_error(httpserver, feed_source):
    httpserver.expect_request("/feed.xml").respond_with_data(
        "<html><body>Hello</body></html>", content_type="text/html"
    )
    source = feed_source()
    run = ingest_source(source_id=source.pk).run
    source.refresh_from_db()
    assert run.status == Outcome.FAILED
    assert "not an RSS, Atom, RDF or JSON feed" in run.error
    assert source.consecutive_failures == 1


def test_a_source_being_ingested_is_not_ingested_twice_at_once(feed_source):
    source = feed_source()
    with source_lock(f"source:{source.pk}"), pytest.raises(SourceBusy):
        ingest_source(source_id=source.pk)
    assert not IngestionRun.objects.exists()


def test_a_run_cut_short_is_closed_by_the_next_one(httpserver, feed_source):
    serve(httpserver, rss(item(1)))
    source = feed_source()
    stale = IngestionRun.objects.create(source=source, status=Outcome.RUNNING)
    ingest_source(source_id=source.pk)
    stale.refresh_from_db()
    assert stale.status == Outcome.FAILED and "stopped before this run finished" in stale.error


def test_articles_left_ingested_by_a_killed_run_are_handed_to_enrichment_next_time(
    httpserver, feed_source, django_capture_on_commit_callbacks
):
    serve(httpserver, rss(item(1)))
    source = feed_source()
    ingest_source(source_id=source.pk)  # its outcome is never acted on: as if killed after commit
    assert Article.objects.get().status == Status.INGESTED
    with django_capture_on_commit_callbacks(execute=True):
        tasks.ingest_source.apply(args=[source.pk])
    assert Article.objects.get().status == Status.DRAFT


def test_the_same_piece_in_two_sources_is_one_brief(httpserver, feed_source):
    httpserver.expect_request("/a.xml").respond_with_data(rss(item(1), item(2)))
    httpserver.expect_request("/b.xml").respond_with_data(rss(item(2), item(3)))
    first, second = feed_source("/a.xml"), feed_source("/b.xml")
    ingest_source(source_id=first.pk)
    run = ingest_source(source_id=second.pk).run
    assert Article.objects.count() == 3
    assert (run.items_new, run.items_unchanged) == (1, 1)


def test_full_text_is_fetched_from_the_items_page_when_the_source_asks(httpserver, feed_source):
    page = (
        "<html><head><title>Long read</title></head><body><nav>Menu Home About</nav><article><h1>Long read</h1>"
        + "".join(
            f"<p>Paragraph {n} of the full article says something worth reading at length.</p>" for n in range(12)
        )
        + '<p>See <a href="/related">the related piece</a>.</p></article><footer>Copyright</footer></body></html>'
    )
    httpserver.expect_request("/article").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss(item(1, link=httpserver.url_for("/article"), guid="a1", body="<p>Only a teaser.</p>"))
    )
    source = feed_source(fetch_full_text=True)
    ingest_source(source_id=source.pk)
    article = Article.objects.get()
    assert "Paragraph 11 of the full article" in article.content_text
    assert "Only a teaser" not in article.content_text
    assert f'href="{httpserver.url_for("/related")}"' in article.content_html


def test_untitled_item_is_titled_from_its_text(httpserver, feed_source):
    serve(httpserver, rss(item(1, title=None, body="<p>Short note about caching. It has two sentences.</p>")))
    ingest_source(source_id=feed_source().pk)
    assert Article.objects.get().title == "Short note about caching."


def test_relative_links_in_item_text_become_absolute(httpserver, feed_source):
    body = '<p><a href="/about">About</a> <img src="img/x.png" alt="x"> <a href="javascript:alert(1)">bad</a></p>'
    serve(httpserver, rss(item(1, body=body)))
    ingest_source(source_id=feed_source().pk)
    html = Article.objects.get().content_html
    # Relative to the feed's own address, as RSS and Atom define it.
    assert f'href="{httpserver.url_for("/about")}"' in html
    assert f'src="{httpserver.url_for("/img/x.png")}"' in html
    assert "javascript" not in html
    assert '<a rel="noopener noreferrer nofollow">bad</a>' in html


def test_missing_source_is_reported(db):
    with pytest.raises(Source.DoesNotExist):
        ingest_source(source_id=987654)


def test_inactive_page_sources_are_never_due(db):
    make_source(kind=Source.Kind.PAGE, is_active=True)
    assert not Source.objects.due().exists()


def test_a_run_out_of_time_keeps_what_it_stored_and_says_so(httpserver, feed_source, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from articles.ingest import pipeline

    real_normalize = pipeline.normalize_entry
    calls = []

    def normalize_until_the_limit(entry, **kwargs):
        calls.append(entry)
        if len(calls) == 3:
            raise SoftTimeLimitExceeded()  # what Celery raises inside the task at its soft time limit
        return real_normalize(entry, **kwargs)

    monkeypatch.setattr(pipeline, "normalize_entry", normalize_until_the_limit)
    serve(httpserver, rss(*(item(n) for n in range(5))))
    source = feed_source()
    run = ingest_source(source_id=source.pk).run
    assert run.status == Outcome.FAILED
    assert "time limit" in run.error and "2 new item(s) stored so far are kept" in run.error
    assert Article.objects.count() == 2

    monkeypatch.setattr(pipeline, "normalize_entry", real_normalize)
    assert ingest_source(source_id=source.pk).run.items_new == 3


def test_full_text_of_an_item_linking_a_private_address_is_not_fetched(httpserver, feed_source):
    serve(httpserver, rss(item(1, link="http://10.1.2.3/internal-report", guid="r1", body="<p>Feed text only.</p>")))
    source = feed_source(fetch_full_text=True)
    run = ingest_source(source_id=source.pk).run
    article = Article.objects.get()
    assert run.items_new == 1
    assert article.content_text == "Feed text only."  # the guard refused the page; the feed's text stays
    assert "full text of http://10.1.2.3/internal-report not fetched" in run.error
    assert "private network address" in run.error


def test_a_full_page_cache_does_not_drop_the_lock_of_a_running_ingestion(settings, feed_source):
    """The embedded run keeps pages and locks in the database cache; culling pages must not free a lock."""
    from django.core.cache import cache
    from django.core.management import call_command

    from portal import settings as project_settings

    settings.CACHES = project_settings.CACHES  # the project's own caches, not the tests' memory ones
    settings.INGEST_LOCK_SECONDS = 600  # about culling, not about the lease running out under load
    call_command("createcachetable", verbosity=0)
    source = feed_source()
    with source_lock(f"source:{source.pk}"):
        for n in range(400):  # reader pages, more than a cache keeps before it culls a third of its entries
            cache.set(f"page:{n}", "<html></html>", timeout=300)
        with pytest.raises(SourceBusy):
            ingest_source(source_id=source.pk)


def test_an_item_that_failed_for_a_passing_reason_is_stored_by_the_next_run(httpserver, feed_source, monkeypatch):
    """A database hiccup on one item must not be hidden by the next poll's 304 Not Modified."""
    from django.db import OperationalError

    from articles.ingest import pipeline

    httpserver.expect_request("/feed.xml", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    httpserver.expect_request("/feed.xml").respond_with_data(rss(item(1), item(2)), headers={"ETag": '"v1"'})
    source = feed_source()
    real_store_item, real_store_new_items = pipeline.store_item, pipeline.store_new_items

    def store_new_items_locked(*, source, items):
        raise OperationalError("database is locked")  # the batch is refused: each item is tried on its own

    def store_item_locked_once(*, source, item, existing=None):
        if item.canonical_url.endswith("/2"):
            raise OperationalError("database is locked")
        return real_store_item(source=source, item=item, existing=existing)

    monkeypatch.setattr(pipeline, "store_new_items", store_new_items_locked)
    monkeypatch.setattr(pipeline, "store_item", store_item_locked_once)
    first = ingest_source(source_id=source.pk).run
    assert (first.items_new, first.items_failed) == (1, 1)
    monkeypatch.setattr(pipeline, "store_item", real_store_item)
    monkeypatch.setattr(pipeline, "store_new_items", real_store_new_items)

    second = ingest_source(source_id=source.pk).run

    assert second.items_new == 1
    assert Article.objects.count() == 2


def test_a_source_answering_429_is_not_polled_again_before_its_retry_after(httpserver, feed_source):
    httpserver.expect_request("/feed.xml").respond_with_data("slow down", status=429, headers={"Retry-After": "7200"})
    source = feed_source(poll_interval_minutes=30)
    run = ingest_source(source_id=source.pk).run
    source.refresh_from_db()
    assert (run.status, run.http_status) == (Outcome.FAILED, 429)
    assert source.next_fetch_at == source.last_fetched_at + timedelta(hours=2)  # not the 60-minute back-off
