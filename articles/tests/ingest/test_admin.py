"""The curation panel's ingestion tools: Ingest now, OPML import and export, Add a single page."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Article, IngestionRun, Source, Status
from articles.tests.ingest.feeds import item, rss

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = Path(__file__).with_name("subscriptions.opml")


def test_ingest_now_queues_the_selected_feeds(
    editor_client, httpserver, feed_source, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/feed.xml").respond_with_data(rss(item(1)))
    source = feed_source()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:articles_source_changelist"),
            {"action": "ingest_now", "_selected_action": [source.pk]},
            follow=True,
        )
    assert "1 source queued for ingestion" in response.content.decode()
    assert IngestionRun.objects.get(source=source).status == IngestionRun.Outcome.SUCCEEDED
    assert Article.objects.get().status == Status.DRAFT


def test_curators_are_not_offered_ingest_now(curator_client, feed_source):
    feed_source()
    response = curator_client.get(reverse("admin:articles_source_changelist"))
    assert response.status_code == 200
    assert "ingest_now" not in response.content.decode()
    assert "Add a single page" in response.content.decode()
    assert "Import OPML" not in response.content.decode()


def test_import_opml_in_the_admin(editor_client):
    upload = SimpleUploadedFile("subs.opml", SUBSCRIPTIONS.read_bytes(), content_type="text/x-opml")
    response = editor_client.post(
        reverse("admin:articles_source_import_opml"), {"file": upload, "activate": "on"}, follow=True
    )
    assert "5 source(s) added" in response.content.decode()
    assert Source.objects.active().count() == 5


def test_a_broken_opml_upload_is_shown_on_the_form(editor_client):
    upload = SimpleUploadedFile("subs.opml", b"<html/>", content_type="text/x-opml")
    response = editor_client.post(reverse("admin:articles_source_import_opml"), {"file": upload})
    assert response.status_code == 200
    assert "not OPML" in response.content.decode()


def test_curators_cannot_import_opml(curator_client):
    assert curator_client.get(reverse("admin:articles_source_import_opml")).status_code == 403


def test_export_opml_downloads_the_feeds(editor_client, feed_source):
    source = feed_source()
    response = editor_client.get(reverse("admin:articles_source_export_opml"))
    assert response["Content-Type"].startswith("text/x-opml")
    assert source.url.encode() in response.content


def test_a_curator_adds_a_single_page_and_it_reaches_the_queue(
    curator_client, ingest_settings, httpserver, django_capture_on_commit_callbacks
):
    page = (
        "<html><head><title>A page worth a brief</title></head><body><article><h1>A page worth a brief</h1>"
        + "".join(f"<p>Sentence {n} of a careful argument about systems and their failures.</p>" for n in range(10))
        + "</article></body></html>"
    )
    httpserver.expect_request("/essay").respond_with_data(page, content_type="text/html")
    url = httpserver.url_for("/essay")
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(reverse("admin:articles_source_add_page"), {"url": url}, follow=True)
    assert "in the background" in response.content.decode()
    article = Article.objects.get()
    assert (article.title, article.status, article.original_url) == ("A page worth a brief", Status.DRAFT, url)
    assert article.source.kind == Source.Kind.PAGE
    assert "Sentence 9 of a careful argument" in article.content_text


def test_a_page_added_by_a_redirecting_link_is_credited_to_where_it_lives(
    curator_client, ingest_settings, httpserver, django_capture_on_commit_callbacks
):
    """A short link (or an old address) that redirects: the brief links and credits the page itself."""
    page = "<html><body><article><h1>The real piece</h1>" + "<p>A sentence of the real piece, with words.</p>" * 10
    httpserver.expect_request("/essay").respond_with_data(page + "</article></body></html>", content_type="text/html")
    httpserver.expect_request("/s/x1").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/essay")}
    )
    short_link = f"http://localhost:{httpserver.port}/s/x1"
    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post(reverse("admin:articles_source_add_page"), {"url": short_link})
    article = Article.objects.get()
    assert article.original_url == httpserver.url_for("/essay")
    assert article.source.url == httpserver.url_for("/")


def test_adding_a_page_refuses_a_non_web_address(curator_client):
    response = curator_client.post(reverse("admin:articles_source_add_page"), {"url": "ftp://files.example/x"})
    assert response.status_code == 200
    assert not Source.objects.exists()


def test_adding_a_page_with_an_impossible_port_is_refused_on_the_form(curator_client):
    response = curator_client.post(
        reverse("admin:articles_source_add_page"), {"url": "https://news.example:99999/piece"}
    )
    assert response.status_code == 200
    assert "invalid port" in response.content.decode()
    assert not Source.objects.exists()


def test_a_page_that_cannot_be_fetched_is_recorded_on_its_source(
    curator_client, ingest_settings, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post(reverse("admin:articles_source_add_page"), {"url": httpserver.url_for("/gone")})
    run = IngestionRun.objects.get()
    assert run.status == IngestionRun.Outcome.FAILED and "HTTP 404" in run.error
    assert "HTTP 404" in run.source.last_error
