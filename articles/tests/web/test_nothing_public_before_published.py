"""A source (its name, its host, its feed) reaches readers and the anonymous API only once one of its
briefs is published: not when a feed is added, not when a curator submits a single page, not while
its pieces are drafts."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from articles import workflow
from articles.ingest.pages import page_source_for
from articles.models import Source, Status
from articles.tests.factories import make_article, make_source, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_source(db):
    """A source whose only brief is a draft, beside a public one."""
    hidden = make_source(name="Quiet Internal Notes", slug="quiet-internal-notes", url="https://notes.example/feed")
    make_article(title="Still a draft", source=hidden, status=Status.DRAFT)
    shown = make_source(name="Open Weekly", slug="open-weekly")
    make_article(title="Out in the open", source=shown, status=Status.PUBLISHED)
    return hidden


def _where_readers_look(client, source) -> dict[str, int | bool]:
    api = APIClient()
    listed = [s["slug"] for s in api.get("/api/v1/sources/").json()]
    return {
        "page": client.get(f"/sources/{source.slug}/").status_code,
        "rss": client.get(f"/sources/{source.slug}/rss/").status_code,
        "sitemap": source.slug in client.get("/sitemap-listings.xml").content.decode(),
        "facet": source.name in client.get("/briefs/", {"source": source.slug}).content.decode(),
        "api list": source.slug in listed,
        "api detail": api.get(f"/api/v1/sources/{source.pk}/").status_code,
        "api filter": api.get("/api/v1/articles/", {"source": source.slug}).status_code,
    }


def test_a_source_with_only_drafts_is_nowhere_on_the_site_or_the_anonymous_api(client, private_source):
    assert _where_readers_look(client, private_source) == {
        "page": 404,
        "rss": 404,
        "sitemap": False,
        "facet": False,
        "api list": False,
        "api detail": 404,
        "api filter": 400,  # the same answer as for a slug that does not exist
    }
    assert [s["slug"] for s in APIClient().get("/api/v1/sources/").json()] == ["open-weekly"]


def test_the_source_appears_everywhere_once_an_editor_publishes_its_brief(client, private_source):
    brief = private_source.articles.get()
    workflow.publish(article=brief, actor=make_staff("Editor"))
    assert _where_readers_look(client, private_source) == {
        "page": 200,
        "rss": 200,
        "sitemap": True,
        "facet": True,
        "api list": True,
        "api detail": 200,
        "api filter": 200,
    }


def test_staff_still_see_every_source_in_the_api(private_source):
    api = APIClient()
    api.force_authenticate(make_staff("Curator"))
    slugs = {s["slug"] for s in api.get("/api/v1/sources/").json()}
    assert {"quiet-internal-notes", "open-weekly"} <= slugs
    assert api.get("/api/v1/articles/", {"source": private_source.slug}).status_code == 200


def test_adding_a_single_page_creates_no_public_source_for_its_host(client, curator_client, settings):
    settings.INGEST_ALLOW_LOOPBACK = False
    response = curator_client.post(
        reverse("admin:articles_source_add_page"), {"url": "https://unheard-of.example/posts/1"}
    )
    assert response.status_code == 302
    client.logout()
    source = Source.objects.get(kind=Source.Kind.PAGE)
    assert client.get(f"/sources/{source.slug}/").status_code == 404
    assert "unheard-of.example" not in client.get("/sitemap-listings.xml").content.decode()
    assert APIClient().get("/api/v1/sources/").json() == []


def test_also_reported_by_names_only_public_sources(client, private_source):
    from articles.models import StoryCluster

    shown = Source.objects.get(slug="open-weekly")
    published = shown.articles.get()
    cluster = StoryCluster.objects.create(lead=published)
    published.story_cluster = cluster
    published.save()
    private_source.articles.update(story_cluster=cluster)
    other = make_source(name="Another Public Desk")
    make_article(source=other, status=Status.PUBLISHED, story_cluster=cluster)

    page = client.get(published.get_absolute_url()).content.decode()
    assert "Another Public Desk" in page
    assert "Quiet Internal Notes" not in page


def test_page_sources_of_unpublished_pages_stay_private_when_reused(private_source):
    source = page_source_for("https://unheard-of.example/a")
    assert page_source_for("https://unheard-of.example/b") == source
    assert not Source.objects.public().filter(pk=source.pk).exists()
