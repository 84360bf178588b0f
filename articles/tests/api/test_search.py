from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Status
from articles.tests.factories import make_article, make_role

pytestmark = pytest.mark.django_db


def _slugs(response):
    assert response.status_code == 200, response.content
    return [brief["slug"] for brief in response.json()["results"]]


@pytest.fixture
def briefs():
    return {
        "title_hit": make_article(status=Status.PUBLISHED, title="Photonic chips for inference"),
        "text_hit": make_article(
            status=Status.PUBLISHED, title="Data centre power", summary="Mentions photonic links once."
        ),
        "miss": make_article(status=Status.PUBLISHED, title="Hiring a first data scientist"),
        "draft_hit": make_article(status=Status.DRAFT, title="Photonic draft"),
    }


def test_q_finds_published_matches_best_first_with_a_highlighted_snippet(api, briefs):
    response = api.get("/api/v1/articles/?q=photonic")
    assert _slugs(response) == [briefs["title_hit"].slug, briefs["text_hit"].slug]
    first = response.json()["results"][0]["search"]
    assert first["rank"] >= response.json()["results"][1]["search"]["rank"]
    assert "<mark>" in first["snippet"]


def test_without_q_there_is_no_search_block(api, briefs):
    assert all(brief["search"] is None for brief in api.get("/api/v1/articles/").json()["results"])


def test_q_combines_with_filters_and_other_orderings(api, briefs):
    role = make_role()
    briefs["text_hit"].roles.set([role])
    assert _slugs(api.get(f"/api/v1/articles/?q=photonic&role={role.slug}")) == [briefs["text_hit"].slug]
    assert _slugs(api.get("/api/v1/articles/?q=photonic&ordering=title")) == [
        briefs["text_hit"].slug,
        briefs["title_hit"].slug,
    ]


@pytest.mark.parametrize("junk", ["!!!", "-photonic", '""', "😀 🔥"])
@pytest.mark.parametrize("ordering", [{}, {"ordering": "relevance"}])
def test_junk_q_is_an_empty_list_not_an_error(api, briefs, junk, ordering):
    response = api.get("/api/v1/articles/", {"q": junk, **ordering})
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []


def test_q_with_a_null_character_is_a_400_naming_q(api):
    response = api.get("/api/v1/articles/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["q"]


def test_search_results_page_with_the_cursor(api):
    for n in range(5):
        make_article(status=Status.PUBLISHED, title=f"Quantum note {n}")
    seen, url = [], "/api/v1/articles/?q=quantum&page_size=2"
    while url:
        body = api.get(url).json()
        seen += [brief["slug"] for brief in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 5


def test_q_ranks_the_newest_matches_up_to_the_sites_limit_after_the_other_filters(api, settings):
    settings.WEB_SEARCH_MATCH_LIMIT = 2
    role = make_role()
    now = timezone.now()
    oldest_best = make_article(status=Status.PUBLISHED, title="Quantum quantum quantum", summary="Quantum again.")
    older = make_article(status=Status.PUBLISHED, title="A quantum note")
    newest = make_article(status=Status.PUBLISHED, title="Another quantum note")
    not_for_the_role = make_article(status=Status.PUBLISHED, title="Quantum, newest of all")
    for days, brief in enumerate([not_for_the_role, newest, older, oldest_best]):
        Article.objects.filter(pk=brief.pk).update(published_at=now - timedelta(days=days))
    for brief in (oldest_best, older, newest):
        brief.roles.add(role)

    # The two newest matches for the role, ranked; the best-ranked match is older than both.
    assert set(_slugs(api.get(f"/api/v1/articles/?q=quantum&role={role.slug}"))) == {older.slug, newest.slug}
    assert oldest_best.slug not in _slugs(api.get("/api/v1/articles/?q=quantum&ordering=-published"))
