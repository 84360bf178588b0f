"""Caps on new items: one flooding feed cannot fill the library and the drafting queue at once;
what a run leaves at the cap is taken by the next polls, never lost and never twice."""

from datetime import timedelta

import pytest
from werkzeug import Response

from articles.ingest.pipeline import ingest_source
from articles.models import Article, IngestionRun
from articles.tests.ingest.feeds import item, rss

pytestmark = pytest.mark.django_db


def serve_feed_with_etag(httpserver, items: int):
    """The feed answers 304 to a client that presents its ETag, as real servers do."""
    body = rss(*(item(n) for n in range(1, items + 1)))

    def handler(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(body, headers={"ETag": '"v1"'}, content_type="application/rss+xml")

    httpserver.expect_request("/feed.xml").respond_with_handler(handler)


def test_a_flooding_feed_is_taken_a_cap_at_a_time_and_nothing_is_lost(ingest_settings, httpserver, feed_source):
    ingest_settings.INGEST_MAX_ITEMS_PER_FETCH = 5
    serve_feed_with_etag(httpserver, items=12)
    source = feed_source()

    first = ingest_source(source_id=source.pk).run
    assert (first.status, first.items_new, first.items_deferred) == (IngestionRun.Outcome.SUCCEEDED, 5, 7)
    assert "stopped at the cap of 5 new items per fetch" in first.error
    assert "7 more are left for the next poll" in first.error
    source.refresh_from_db()
    assert source.etag == ""  # so the next poll is not told "304 Not Modified"

    second = ingest_source(source_id=source.pk).run
    third = ingest_source(source_id=source.pk).run
    assert [(run.items_new, run.items_deferred) for run in (second, third)] == [(5, 2), (2, 0)]
    assert third.error == ""
    source.refresh_from_db()
    assert source.etag == '"v1"'  # everything taken: conditional GET again
    assert ingest_source(source_id=source.pk).run.status == IngestionRun.Outcome.NOT_MODIFIED

    addresses = list(Article.objects.values_list("original_url", flat=True))
    assert sorted(addresses) == sorted(f"https://publisher.example/pieces/{n}" for n in range(1, 13))


def test_the_daily_cap_per_source_holds_across_runs_and_frees_up_after_a_day(ingest_settings, httpserver, feed_source):
    ingest_settings.INGEST_MAX_ITEMS_PER_FETCH = 5
    ingest_settings.INGEST_MAX_ITEMS_PER_SOURCE_PER_DAY = 8
    serve_feed_with_etag(httpserver, items=12)
    source = feed_source()

    runs = [ingest_source(source_id=source.pk).run for _ in range(3)]

    assert [(run.items_new, run.items_deferred) for run in runs] == [(5, 7), (3, 4), (0, 4)]
    assert "per source per day" in runs[2].error
    assert Article.objects.count() == 8

    Article.objects.update(created_at=Article.objects.first().created_at - timedelta(days=1, minutes=1))
    later = ingest_source(source_id=source.pk).run
    assert (later.items_new, later.items_deferred) == (4, 0)
    assert Article.objects.count() == 12


def test_items_left_at_the_cap_cost_no_full_text_fetch(ingest_settings, httpserver, feed_source):
    ingest_settings.INGEST_MAX_ITEMS_PER_FETCH = 2
    pages = [httpserver.url_for(f"/pieces/{n}") for n in range(1, 7)]
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss(*(item(n, link=page, guid=page) for n, page in enumerate(pages, start=1))),
        content_type="application/rss+xml",
    )
    for page in pages:
        httpserver.expect_request(page.replace(httpserver.url_for(""), "/")).respond_with_data(
            "<html><body><article><p>" + "Full text of the piece. " * 30 + "</p></article></body></html>",
            content_type="text/html",
        )
    source = feed_source(fetch_full_text=True)

    run = ingest_source(source_id=source.pk).run

    assert (run.items_new, run.items_deferred) == (2, 4)
    page_requests = [request for request, _response in httpserver.log if request.path.startswith("/pieces/")]
    assert len(page_requests) == 2
