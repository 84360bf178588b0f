"""The source form explains itself: Test feed, a refused address with its reason, teasers, Ingest now."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, IngestionRun, Source, Status
from articles.tests.factories import make_article, make_source
from articles.tests.ingest.feeds import item, rss

pytestmark = pytest.mark.django_db

LONG_TEXT = "<p>" + " ".join(f"word{n}" for n in range(400)) + "</p>"


def source_form(url, **overrides) -> dict:
    data = {
        "name": "A publisher",
        "slug": "a-publisher",
        "kind": "feed",
        "url": url,
        "site_url": "",
        "description": "",
        "is_active": "on",
        "poll_interval_minutes": "60",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_test_feed_shows_what_would_be_imported_without_saving(editor_client, httpserver, ingest_settings):
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss(item(1, body=LONG_TEXT), item(2, body=LONG_TEXT), title="Publisher weekly"),
        content_type="application/rss+xml",
    )
    answer = editor_client.post(
        reverse("admin:articles_source_test_feed"), {"url": httpserver.url_for("/feed.xml")}
    ).json()
    assert answer["ok"] and answer["title"] == "Publisher weekly" and answer["item_count"] == 2
    assert [entry["title"] for entry in answer["items"]] == ["Piece number 1", "Piece number 2"]
    assert answer["teaser_only"] is False
    assert not Source.objects.exists() and not Article.objects.exists()
    add_form = editor_client.get(reverse("admin:articles_source_add")).content.decode()
    assert "Test feed" in add_form and "Recent ingestion runs" not in add_form  # nothing to show yet


def test_test_feed_says_in_a_sentence_why_an_address_is_no_feed(editor_client, httpserver, ingest_settings):
    httpserver.expect_request("/missing.xml").respond_with_data("gone", status=404)
    httpserver.expect_request("/page.html").respond_with_data(
        "<html><body><p>Just a page.</p></body></html>", content_type="text/html"
    )
    missing = editor_client.post(
        reverse("admin:articles_source_test_feed"), {"url": httpserver.url_for("/missing.xml")}
    )
    page = editor_client.post(reverse("admin:articles_source_test_feed"), {"url": httpserver.url_for("/page.html")})
    assert missing.json()["ok"] is False and "404" in missing.json()["problem"]
    assert page.json()["ok"] is False and "not an RSS, Atom, RDF or JSON feed" in page.json()["problem"]


def test_an_active_feed_that_answers_404_is_refused_on_save_with_the_reason(editor_client, httpserver, ingest_settings):
    httpserver.expect_request("/missing.xml").respond_with_data("gone", status=404)
    response = editor_client.post(reverse("admin:articles_source_add"), source_form(httpserver.url_for("/missing.xml")))
    assert response.status_code == 200
    page = response.content.decode()
    assert "404" in page and "untick “active” and save" in page
    assert not Source.objects.exists()


def test_the_same_address_is_kept_when_saved_paused_on_purpose(editor_client, httpserver, ingest_settings):
    httpserver.expect_request("/missing.xml").respond_with_data("gone", status=404)
    response = editor_client.post(
        reverse("admin:articles_source_add"), source_form(httpserver.url_for("/missing.xml"), is_active=None)
    )
    assert response.status_code == 302
    assert Source.objects.get().is_active is False


def test_a_teaser_only_feed_is_saved_with_full_text_fetching_offered(editor_client, httpserver, ingest_settings):
    httpserver.expect_request("/teasers.xml").respond_with_data(
        rss(item(1, body="<p>A short teaser.</p>"), item(2, body="<p>Another one.</p>")),
        content_type="application/rss+xml",
    )
    response = editor_client.post(
        reverse("admin:articles_source_add"), source_form(httpserver.url_for("/teasers.xml")), follow=True
    )
    assert "This feed gives teasers only" in response.content.decode()
    assert "tick “fetch full text”" in response.content.decode()
    assert Source.objects.get().fetch_full_text is False


def test_a_feed_whose_long_items_stop_at_read_more_is_a_teaser_feed_and_full_articles_are_not(
    editor_client, httpserver, ingest_settings
):
    cut = "<p>" + " ".join(f"word{n}" for n in range(200)) + " … <a href='/more'>Read more</a></p>"
    httpserver.expect_request("/cut.xml").respond_with_data(
        rss(item(1, body=cut), item(2, body=cut), item(3, body=LONG_TEXT)), content_type="application/rss+xml"
    )
    httpserver.expect_request("/full.xml").respond_with_data(
        rss(item(1, body=LONG_TEXT), item(2, body=LONG_TEXT), item(3, body="<p>A short note.</p>")),
        content_type="application/rss+xml",
    )
    test_feed = reverse("admin:articles_source_test_feed")
    cut_answer = editor_client.post(test_feed, {"url": httpserver.url_for("/cut.xml")}).json()
    full_answer = editor_client.post(test_feed, {"url": httpserver.url_for("/full.xml")}).json()
    assert cut_answer["teaser_only"] is True and cut_answer["teasers"] == 2
    assert full_answer["teaser_only"] is False and full_answer["teasers"] == 1


def test_ingest_now_on_the_form_brings_the_drafts_in(
    editor_client, httpserver, feed_source, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/feed.xml").respond_with_data(rss(item(1, body=LONG_TEXT)))
    source = feed_source()
    change = reverse("admin:articles_source_change", args=[source.pk])
    data = source_form(source.url, name=source.name, slug=source.slug, _ingest_now="Save and ingest now")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change, data, follow=True)
    assert "is being ingested now" in response.content.decode()
    assert IngestionRun.objects.get(source=source).status == IngestionRun.Outcome.SUCCEEDED
    assert Article.objects.get().status == Status.DRAFT


def test_failing_and_silent_sources_are_in_what_needs_you_now(editor_client):
    failing = make_source(name="Broken feed", is_active=True)
    Source.objects.filter(pk=failing.pk).update(consecutive_failures=3, last_error="The server answered 500.")
    silent = make_source(name="Quiet feed", is_active=True)
    Source.objects.filter(pk=silent.pk).update(created_at=timezone.now() - timedelta(days=30))
    busy = make_source(name="Busy feed", is_active=True)
    Source.objects.filter(pk=busy.pk).update(created_at=timezone.now() - timedelta(days=30))
    make_article(source=busy)
    page = editor_client.get(reverse("admin:index")).content.decode()
    needs = page[page.index('id="sources-needing-you"') :]
    assert "Broken feed</a> is failing (3×): The server answered 500." in needs
    assert "Quiet feed</a> has brought nothing new for 7 days" in needs
    assert "Busy feed" not in needs
