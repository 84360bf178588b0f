"""The list's query, as the API builds it, on PostgreSQL (the scaled mode's database)."""

import base64
import os
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from articles.api.filters import ORDERINGS
from articles.api.views import briefs_for
from articles.models import Article, Field, RelatedLink, Role, Source, Status, Topic
from articles.search import search
from articles.tests.api.conftest import _client_with_token
from articles.tests.factories import make_staff

# The "postgres" alias exists only when TEST_DATABASE_URL is set; without it `postgres_url`
# skips the test here and fails it in CI.
DATABASES = ["default", "postgres"] if os.environ.get("TEST_DATABASE_URL") else ["default"]
pytestmark = [pytest.mark.django_db(databases=DATABASES), pytest.mark.postgres]


def _brief(source, n, *, title, fields, status=Status.PUBLISHED):
    article = Article.objects.db_manager("postgres").create(
        title=title,
        slug=f"brief-{n}",
        source=source,
        original_url=f"https://origin.example/pg/{n}",
        summary=f"About {title.lower()}.",
        takeaway="Act on it.",
        status=status,
        published_at=timezone.now() if status == Status.PUBLISHED else None,
    )
    article.fields.set(fields)
    return article


def test_search_area_filter_ordering_and_related_prefetch_run_on_postgresql(postgres_url):
    db = "postgres"
    source = Source.objects.db_manager(db).create(name="PG Weekly", slug="pg-weekly", url="https://pg.example/feed")
    area = Field.objects.db_manager(db).create(name="Science", slug="science")
    physics = Field.objects.db_manager(db).create(name="Physics", slug="physics", parent=area)
    role = Role.objects.db_manager(db).create(name="CTO", slug="cto")
    topic = Topic.objects.db_manager(db).create(name="Optics", slug="optics")
    on_both = _brief(source, 1, title="Photonic chips for inference", fields=[area, physics])
    on_sub = _brief(source, 2, title="Cheaper photonic links", fields=[physics])
    _brief(source, 3, title="Photonic draft", fields=[physics], status=Status.DRAFT)
    _brief(source, 4, title="Unrelated hiring notes", fields=[physics])
    on_both.roles.set([role])
    on_both.topics.set([topic])
    RelatedLink.objects.db_manager(db).create(from_article=on_both, to_article=on_sub, score=0.7)

    queryset = briefs_for(AnonymousUser()).using(db).for_field(area)
    found = list(search(queryset, "photonic").order_by(*ORDERINGS["relevance"]))

    assert {brief.slug for brief in found} == {on_both.slug, on_sub.slug}  # once each, drafts left out
    assert found[0].search_rank >= found[1].search_rank
    assert "<mark>" in str(found[0].search_snippet)
    by_slug = {brief.slug: brief for brief in found}
    assert [link.to_article.slug for link in by_slug[on_both.slug].shown_related] == [on_sub.slug]
    assert [r.slug for r in by_slug[on_both.slug].roles.all()] == ["cto"]
    by_title = list(queryset.order_by(*ORDERINGS["title"]))
    assert [brief.title for brief in by_title] == sorted(brief.title for brief in by_title)


def _plan(connection, sql: str) -> str:
    """`EXPLAIN` of `sql`, with sequential scans ruled out: a table this small would be read whole anyway."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


class _EverythingOnPostgres:
    def db_for_read(self, model, **hints):
        return "postgres"

    def db_for_write(self, model, **hints):
        return "postgres"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("get", "/api/v1/articles/?role=%00", None, "role"),
        ("get", "/api/v1/articles/?topic=a%00b", None, "topic"),
        ("post", "/api/v1/articles/", {"roles": ["\x00"]}, "roles"),
        ("post", "/api/v1/articles/", {"source": "weekly\x00"}, "source"),
    ],
)
def test_a_nul_character_in_a_slug_is_a_400_not_a_500_on_postgresql(postgres_url, settings, method, path, body, field):
    settings.DATABASE_ROUTERS = [_EverythingOnPostgres()]
    editor_api = _client_with_token(make_staff(None, is_superuser=True))
    response = getattr(editor_api, method)(path, body, format="json") if body else editor_api.get(path)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_a_malformed_token_prefix_is_a_401_not_a_500_on_postgresql(postgres_url, settings):
    settings.DATABASE_ROUTERS = [_EverythingOnPostgres()]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer dst_\x00bcdef12_secret")
    response = client.get("/api/v1/roles/")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This API token is not valid."


@pytest.mark.parametrize("ordering", ["title", "-title"])
def test_the_list_by_title_reads_its_page_from_an_index_not_a_sort_of_every_brief(postgres_url, settings, ordering):
    settings.DATABASE_ROUTERS = [_EverythingOnPostgres()]
    source = Source.objects.db_manager("postgres").create(
        name="PG Weekly", slug="pg-weekly", url="https://pg.example/f"
    )
    for n, title in enumerate(["Zinc batteries", "Acoustic sensing", "Mirror arrays"]):
        _brief(source, n, title=title, fields=[])
    postgres = connections["postgres"]

    with CaptureQueriesContext(postgres) as queries:
        response = APIClient().get(f"/api/v1/articles/?ordering={ordering}")

    titles = [brief["title"] for brief in response.json()["results"]]
    assert titles == sorted(titles, reverse=ordering.startswith("-"))
    page_query = queries[0]["sql"]  # the page's keys, read before their representations
    assert "ORDER BY" in page_query and "LIMIT 21" in page_query, page_query
    plan = _plan(postgres, page_query)
    assert "article_published_title_idx" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.parametrize("ordering", ["-published", "published", "title", "-title"])
def test_on_postgresql_cursor_pages_walk_every_brief_once_each_time_they_are_asked(postgres_url, settings, ordering):
    # The page's query is compiled once per shape and kept (articles/api/pagination.py): the second walk, and
    # a tampered cursor after it, go through the kept SQL with their own positions.
    settings.DATABASE_ROUTERS = [_EverythingOnPostgres()]
    source = Source.objects.db_manager("postgres").create(
        name="PG Weekly", slug="pg-weekly", url="https://pg.example/f"
    )
    for n, title in enumerate(["Zinc batteries", "Acoustic sensing", "Mirror arrays", "Kelp farms", "Bog oak"]):
        _brief(source, n, title=title, fields=[])
    order = [key.replace("listed_at", "published_at") for key in ORDERINGS[ordering]]
    expected = list(Article.objects.using("postgres").published().order_by(*order).values_list("slug", flat=True))
    client = APIClient()

    def walk():
        slugs, url = [], f"/api/v1/articles/?ordering={ordering}&page_size=2"
        while url:
            body = client.get(url).json()
            slugs += [brief["slug"] for brief in body["results"]]
            url = body["next"]
        return slugs

    assert walk() == expected
    assert walk() == expected
    tampered = base64.b64encode(urlencode({"p": "Zinc" if "title" in ordering else "yesterday"}).encode()).decode()
    response = client.get("/api/v1/articles/", {"ordering": ordering, "cursor": tampered})
    assert response.status_code == (200 if "title" in ordering else 400), response.content


def test_a_search_with_a_role_walks_that_roles_own_briefs_newest_first(postgres_url, settings):
    settings.DATABASE_ROUTERS = [_EverythingOnPostgres()]
    settings.WEB_SEARCH_MATCH_LIMIT = 2  # more briefs match the word than that: it is not a rare one
    db = "postgres"
    source = Source.objects.db_manager(db).create(name="PG Weekly", slug="pg-weekly", url="https://pg.example/f")
    researcher = Role.objects.db_manager(db).create(name="Researcher", slug="researcher")
    briefs = [_brief(source, n, title=f"Kiln number {n}", fields=[]) for n in range(5)]
    briefs[1].roles.add(researcher)  # a fifth of the library: the role's briefs are walked, not every brief
    postgres = connections[db]

    with CaptureQueriesContext(postgres) as queries:
        response = Client().get("/search/", {"q": "kiln", "role": "researcher"})

    assert response.status_code == 200 and "Kiln number 1" in response.content.decode()
    walk = next(query["sql"] for query in queries if "articles_datedfacetvalue" in query["sql"])
    plan = _plan(postgres, walk)
    assert "Index Only Scan Backward using articles_datedfacetvalue_pkey" in plan, plan


def test_a_search_with_a_role_and_a_topic_walks_the_briefs_of_the_one_fewer_briefs_hold(postgres_url, settings):
    settings.DATABASE_ROUTERS = [_EverythingOnPostgres()]
    settings.WEB_SEARCH_MATCH_LIMIT = 2  # more briefs match the word than that: it is not a rare one
    db = "postgres"
    source = Source.objects.db_manager(db).create(name="PG Weekly", slug="pg-weekly", url="https://pg.example/f")
    researcher = Role.objects.db_manager(db).create(name="Researcher", slug="researcher")
    optics = Topic.objects.db_manager(db).create(name="Optics", slug="optics")
    briefs = [_brief(source, n, title=f"Kiln number {n}", fields=[]) for n in range(25)]
    for brief in briefs[1:4]:
        brief.roles.add(researcher)
    for brief in (briefs[2], briefs[4]):
        # Two briefs of 25, one of them the researcher's: rarer than the role's three, and under the share
        # (browse.COMMON_SHARE) below which a value is looked up in the index of values unless it is walked.
        brief.topics.add(optics)
    postgres = connections[db]

    with CaptureQueriesContext(postgres) as queries:
        response = Client().get("/search/", {"q": "kiln", "role": "researcher", "topic": "optics"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Kiln number 2<" in html and not any(f"Kiln number {n}<" in html for n in range(25) if n != 2)
    walks = [query["sql"] for query in queries if "articles_datedfacetvalue" in query["sql"]]
    ranked = next(sql for sql in walks if "ts_rank" in sql)  # the matches shown, ranked
    assert f'"articles_datedfacetvalue"."value" = \'topic:{optics.pk}\'' in ranked, ranked
    # The walked topic is tested in the row, not looked up in the brief's index of values: looked up, it drew the
    # planner to intersect it with the index of common words instead of walking the topic's few briefs.
    assert f"'topic:{optics.pk}' = ANY(" in ranked and "@>" not in ranked, ranked
    plan = _plan(postgres, ranked)
    assert "Index Only Scan Backward using articles_datedfacetvalue_pkey" in plan, plan


def test_a_topic_listing_pages_through_the_topics_dated_rows_in_date_order(postgres_url, settings):
    settings.DATABASE_ROUTERS = [_EverythingOnPostgres()]
    settings.WEB_PAGE_SIZE = 2
    db = "postgres"
    source = Source.objects.db_manager(db).create(name="PG Weekly", slug="pg-weekly", url="https://pg.example/f")
    optics = Topic.objects.db_manager(db).create(name="Optics", slug="optics")
    now = timezone.now()
    briefs = [_brief(source, n, title=f"Lens number {n}", fields=[]) for n in range(7)]
    # Dates out of the ids' order, two briefs published at the same moment (the id breaks the tie).
    for brief, days in zip(briefs, [3, 1, 4, 1, 5, 2, 0], strict=True):
        Article.objects.using(db).filter(pk=brief.pk).update(published_at=now - timezone.timedelta(days=days))
    for brief in briefs[:6]:
        brief.topics.add(optics)
    Article.objects.using(db).filter(pk=briefs[5].pk).update(status=Status.DRAFT)
    expected = [f"Lens number {n}" for n in (3, 1, 0, 2, 4)]
    postgres = connections[db]

    shown = []
    with CaptureQueriesContext(postgres) as queries:
        for page in (1, 2, 3):
            html = Client().get("/topics/optics/", {"page": page}).content.decode()
            shown += sorted((html.index(title), title) for title in expected if f"{title}<" in html)
    assert [title for _at, title in shown] == expected
    assert any("articles_datedfacetvalue" in query["sql"] for query in queries)
    # A reader with roles chosen gets their briefs first: that order is not the dated rows'.
    briefs[4].roles.add(Role.objects.db_manager(db).create(name="CTO", slug="cto"))
    client = Client()
    client.cookies["for_roles"] = "cto"
    with CaptureQueriesContext(postgres) as queries:
        html = client.get("/topics/optics/").content.decode()
    assert html.index("Lens number 4<") < html.index("Lens number 3<")
    assert not any("articles_datedfacetvalue" in query["sql"] for query in queries)


def test_a_search_for_a_rare_word_with_a_role_finds_its_briefs_through_the_words_own_index(postgres_url, settings):
    settings.DATABASE_ROUTERS = [_EverythingOnPostgres()]
    source = Source.objects.db_manager("postgres").create(
        name="PG Weekly", slug="pg-weekly", url="https://pg.example/f"
    )
    researcher = Role.objects.db_manager("postgres").create(name="Researcher", slug="researcher")
    briefs = [_brief(source, n, title=f"Kiln number {n}", fields=[]) for n in range(5)]
    briefs[0].roles.add(researcher)  # a fifth of the library: not the one walk of a role 30% of it holds

    with CaptureQueriesContext(connections["postgres"]) as queries:
        response = Client().get("/search/", {"q": "kiln", "role": "researcher"})

    # Every match without the role is known (fewer than WEB_SEARCH_MATCH_LIMIT): no walk of the role's briefs.
    html = response.content.decode()
    assert "Kiln number 0" in html and "Kiln number 1" not in html
    assert not [query for query in queries if "articles_datedfacetvalue" in query["sql"]]
