import pytest

from articles.models import Article, IngestionRun, Source
from articles.tests.factories import make_source

pytestmark = pytest.mark.django_db

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Loopback notes</title><link>{base}/</link>
<item><title>Queues that forget</title><link>{base}/queues-that-forget</link>
<description>&lt;p&gt;Acks late means a message survives its worker.&lt;/p&gt;</description></item>
</channel></rss>"""


def test_editor_ingests_a_source_now_and_its_items_arrive(
    editor_api, httpserver, settings, eager_tasks, django_capture_on_commit_callbacks
):
    settings.INGEST_ALLOW_LOOPBACK = True
    settings.ENRICH_ON_INGEST = False
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(FEED.format(base=base), content_type="application/rss+xml")
    source = make_source(url=f"{base}/feed.xml", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_api.post(f"/api/v1/sources/{source.pk}/ingest/")
    assert response.status_code == 202, response.content
    assert response.json() == {"source": source.pk, "queued": True}
    assert Article.objects.filter(source=source, title="Queues that forget").exists()
    assert IngestionRun.objects.get(source=source).status == IngestionRun.Outcome.SUCCEEDED


def test_curator_may_not_start_ingestion(curator_api, django_capture_on_commit_callbacks):
    source = make_source()
    with django_capture_on_commit_callbacks() as queued:
        response = curator_api.post(f"/api/v1/sources/{source.pk}/ingest/")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Your account may not start ingestion: ask an editor."
    assert queued == []


def test_anonymous_ingest_is_401(api):
    source = make_source()
    assert api.post(f"/api/v1/sources/{source.pk}/ingest/").status_code == 401


def test_a_source_of_single_pages_has_nothing_to_ingest(editor_api, django_capture_on_commit_callbacks):
    source = make_source(kind=Source.Kind.PAGE, name="Hand-picked")
    with django_capture_on_commit_callbacks() as queued:
        response = editor_api.post(f"/api/v1/sources/{source.pk}/ingest/")
    assert response.status_code == 409
    assert "collects single pages" in response.json()["error"]["message"]
    assert queued == []


def test_unknown_source_is_404(editor_api):
    assert editor_api.post("/api/v1/sources/987654/ingest/").status_code == 404
