import base64
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from articles.models import RelatedLink, RoleNote, Status
from articles.tests.factories import (
    make_area,
    make_article,
    make_role,
    make_source,
    make_staff,
    make_subfield,
    make_topic,
)

pytestmark = pytest.mark.django_db


def _slugs(response):
    assert response.status_code == 200, response.content
    return [brief["slug"] for brief in response.json()["results"]]


def test_anonymous_list_shows_published_briefs_only(api):
    published = make_article(status=Status.PUBLISHED)
    make_article(status=Status.DRAFT)
    make_article(status=Status.ARCHIVED)
    assert _slugs(api.get("/api/v1/articles/")) == [published.slug]
    assert _slugs(api.get("/api/v1/articles/?status=draft")) == []


def test_brief_shows_every_section_taxonomy_source_and_attribution(api):
    area = make_area("Technology & Digital")
    sub = make_subfield(area, "AI & ML")
    role = make_role("CTO")
    topic = make_topic("Evaluation")
    source = make_source(name="Example Weekly", site_url="https://weekly.example/")
    brief = make_article(
        status=Status.PUBLISHED, fields=[sub], roles=[role], topics=[topic], source=source, level="advanced"
    )
    body = api.get(f"/api/v1/articles/{brief.slug}/").json()
    for section in ("summary", "takeaway", "method"):
        assert body[section] == getattr(brief, section)
    assert body["insights"] == brief.insights
    assert body["principles"] == brief.principles
    assert body["in_practice"] == brief.in_practice
    assert body["fields"] == [
        {"slug": sub.slug, "name": "AI & ML", "area": {"slug": area.slug, "name": "Technology & Digital"}}
    ]
    assert body["roles"] == [{"slug": role.slug, "name": "CTO"}]
    assert body["topics"] == [{"slug": topic.slug, "name": "Evaluation"}]
    assert body["depth"] == "Advanced, medium"
    assert body["source"]["name"] == "Example Weekly"
    assert body["attribution"].endswith("Original article published by Example Weekly.")
    assert body["original_url"] == brief.original_url
    assert body["url"] == f"http://testserver/briefs/{brief.slug}/"
    assert body["api_url"] == f"http://testserver/api/v1/articles/{brief.slug}/"
    assert "content_text" not in body and "content_html" not in body


def test_unknown_or_unpublished_slug_is_404_for_anonymous(api):
    draft = make_article()
    for slug in ("no-such-brief", draft.slug):
        response = api.get(f"/api/v1/articles/{slug}/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert slug in response.json()["error"]["message"]


def test_staff_session_previews_drafts_through_the_api(api):
    draft = make_article()
    api.force_login(make_staff("Curator"))
    assert api.get(f"/api/v1/articles/{draft.slug}/").json()["status"] == "draft"
    assert _slugs(api.get("/api/v1/articles/?status=draft")) == [draft.slug]


def test_related_briefs_follow_shown_for(api):
    brief = make_article(status=Status.PUBLISHED)
    targets = [make_article(status=Status.PUBLISHED) for _ in range(7)]
    hidden = make_article(status=Status.DRAFT)
    for position, target in enumerate(targets):
        RelatedLink.objects.create(from_article=brief, to_article=target, score=position / 10)
    RelatedLink.objects.filter(to_article=targets[1]).update(kind=RelatedLink.Kind.EXCLUDED)
    RelatedLink.objects.filter(to_article=targets[2]).update(kind=RelatedLink.Kind.PINNED)
    RelatedLink.objects.create(from_article=brief, to_article=hidden, score=0.99)
    expected = [link.to_article.slug for link in RelatedLink.objects.shown_for(brief)]

    detail = api.get(f"/api/v1/articles/{brief.slug}/").json()["related"]
    in_list = next(b for b in api.get("/api/v1/articles/?page_size=50").json()["results"] if b["slug"] == brief.slug)
    assert [link["slug"] for link in detail] == expected
    assert [link["slug"] for link in in_list["related"]] == expected
    assert detail[0]["kind"] == "pinned"
    assert detail[0]["url"].endswith(f"/briefs/{targets[2].slug}/")


def test_filters_narrow_by_taxonomy_source_and_depth(api):
    area = make_area()
    sub = make_subfield(area)
    other_sub = make_subfield()
    role, topic, source = make_role(), make_topic(), make_source()
    in_area = make_article(status=Status.PUBLISHED, fields=[sub], roles=[role], level="expert", reading_minutes=20)
    on_area = make_article(status=Status.PUBLISHED, fields=[area, sub], topics=[topic], source=source)
    elsewhere = make_article(status=Status.PUBLISHED, fields=[other_sub], reading_minutes=2)

    assert sorted(_slugs(api.get(f"/api/v1/articles/?area={area.slug}"))) == sorted([in_area.slug, on_area.slug])
    assert sorted(_slugs(api.get(f"/api/v1/articles/?field={area.slug}"))) == sorted([in_area.slug, on_area.slug])
    assert _slugs(api.get(f"/api/v1/articles/?field={other_sub.slug}")) == [elsewhere.slug]
    assert _slugs(api.get(f"/api/v1/articles/?role={role.slug}")) == [in_area.slug]
    assert _slugs(api.get(f"/api/v1/articles/?topic={topic.slug}")) == [on_area.slug]
    assert _slugs(api.get(f"/api/v1/articles/?source={source.slug}")) == [on_area.slug]
    assert _slugs(api.get("/api/v1/articles/?level=expert")) == [in_area.slug]
    assert _slugs(api.get("/api/v1/articles/?length=long")) == [in_area.slug]
    assert _slugs(api.get("/api/v1/articles/?length=short")) == [elsewhere.slug]


def test_published_date_range_is_inclusive(api):
    now = timezone.now()
    old = make_article(status=Status.PUBLISHED, published_at=now - timedelta(days=30))
    recent = make_article(status=Status.PUBLISHED, published_at=now - timedelta(days=2))
    day = (now - timedelta(days=2)).date().isoformat()
    assert _slugs(api.get(f"/api/v1/articles/?published_from={day}")) == [recent.slug]
    assert _slugs(api.get(f"/api/v1/articles/?published_until={day}")) == [recent.slug, old.slug]
    month_ago = (now - timedelta(days=30)).date().isoformat()
    assert _slugs(api.get(f"/api/v1/articles/?published_until={month_ago}")) == [old.slug]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("role=nobody", "role"),
        ("area=nowhere", "area"),
        ("topic=nothing", "topic"),
        ("source=nobody", "source"),
        ("level=genius", "level"),
        ("length=epic", "length"),
        ("published_from=yesterday", "published_from"),
        ("published_until=2026-13-45", "published_until"),
        ("ordering=random", "ordering"),
        ("ordering=relevance", "ordering"),
        ("page_size=0", "page_size"),
        ("page_size=lots", "page_size"),
        ("page_size=1000", "page_size"),
        ("cursor=garbage", "cursor"),
        ("level=", "level"),
        ("published_until=", "published_until"),
        ("page_size=", "page_size"),
    ],
)
def test_bad_query_parameter_is_a_400_naming_it(api, query, parameter):
    make_article(status=Status.PUBLISHED)
    response = api.get(f"/api/v1/articles/?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [parameter]
    assert parameter in error["message"]


def test_a_subfield_is_not_an_area(api):
    sub = make_subfield()
    response = api.get(f"/api/v1/articles/?area={sub.slug}")
    assert response.status_code == 400
    assert "area" in response.json()["error"]["fields"]


def test_cursor_pages_walk_every_brief_once_in_a_stable_order(api):
    same_moment = timezone.now()
    briefs = [make_article(status=Status.PUBLISHED, published_at=same_moment) for _ in range(7)]
    seen, url = [], "/api/v1/articles/?page_size=3"
    while url:
        body = api.get(url).json()
        seen += [brief["slug"] for brief in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(brief.slug for brief in briefs)
    assert len(seen) == len(set(seen)) == 7


def test_ordering_by_title_and_oldest_first(api):
    now = timezone.now()
    b = make_article(status=Status.PUBLISHED, title="Bravo", published_at=now - timedelta(days=1))
    a = make_article(status=Status.PUBLISHED, title="Alpha", published_at=now)
    c = make_article(status=Status.PUBLISHED, title="Charlie", published_at=now - timedelta(days=2))
    assert _slugs(api.get("/api/v1/articles/")) == [a.slug, b.slug, c.slug]
    assert _slugs(api.get("/api/v1/articles/?ordering=title")) == [a.slug, b.slug, c.slug]
    assert _slugs(api.get("/api/v1/articles/?ordering=-title")) == [c.slug, b.slug, a.slug]
    assert _slugs(api.get("/api/v1/articles/?ordering=published")) == [c.slug, b.slug, a.slug]


def test_taxonomy_endpoints_count_published_briefs(api):
    area = make_area("Science")
    physics, biology = make_subfield(area, "Physics"), make_subfield(area, "Biology", position=1)
    role, topic = make_role("CTO"), make_topic("Lasers")
    make_article(status=Status.PUBLISHED, fields=[physics, biology], roles=[role], topics=[topic])
    make_article(status=Status.PUBLISHED, fields=[area], roles=[role], topics=[topic])
    make_article(status=Status.DRAFT, fields=[physics], roles=[role], topics=[topic])

    tree = api.get("/api/v1/fields/").json()
    science = next(node for node in tree if node["slug"] == area.slug)
    assert science["published_count"] == 2  # each brief once, though one sits in two subfields
    assert [(s["name"], s["published_count"]) for s in science["subfields"]] == [("Physics", 1), ("Biology", 1)]
    assert api.get(f"/api/v1/fields/{physics.slug}/").json()["area"] == {"slug": area.slug, "name": "Science"}

    roles = {r["slug"]: r["published_count"] for r in api.get("/api/v1/roles/").json()}
    assert roles[role.slug] == 2
    assert api.get(f"/api/v1/topics/{topic.slug}/").json()["published_count"] == 2
    assert api.get("/api/v1/topics/no-such-topic/").status_code == 404


def test_sources_list_public_facts_and_counts(api):
    source = make_source(name="Example Weekly", is_active=True)
    make_article(status=Status.PUBLISHED, source=source)
    make_article(status=Status.DRAFT, source=source)
    body = api.get(f"/api/v1/sources/{source.pk}/").json()
    assert body["published_count"] == 1
    assert body["name"] == "Example Weekly"
    assert "etag" not in body and "last_error" not in body


def _publish_briefs(count, *, taxonomy_values):
    source = make_source()
    fields = [make_subfield() for _ in range(taxonomy_values)]
    roles = [make_role() for _ in range(taxonomy_values)]
    topics = [make_topic() for _ in range(taxonomy_values)]
    briefs = [
        make_article(status=Status.PUBLISHED, source=source, fields=fields, roles=roles, topics=topics)
        for _ in range(count)
    ]
    for brief in briefs:
        for target in briefs[:3]:
            if target != brief:
                RelatedLink.objects.create(from_article=brief, to_article=target, score=0.5)
    return briefs


# The page's briefs (their keys), then those with no kept representation in full with their fields,
# topics, roles, "why it matters" notes and related links. (Last-Modified: the page cache's change
# time, read with the kept representations.)
LIST_QUERIES = 7
# Every representation kept: the page's keys.
KEPT_LIST_QUERIES = 1


@pytest.mark.parametrize(("page_size", "taxonomy_values"), [(1, 1), (20, 1), (1, 5), (20, 5)])
def test_list_query_count_does_not_grow_with_page_size_or_taxonomy(
    api, django_assert_num_queries, page_size, taxonomy_values
):
    _publish_briefs(20, taxonomy_values=taxonomy_values)
    with django_assert_num_queries(LIST_QUERIES):
        response = api.get(f"/api/v1/articles/?page_size={page_size}")
    assert len(response.json()["results"]) == page_size
    assert len(response.json()["results"][0]["topics"]) == taxonomy_values


def test_list_reuses_kept_representations_until_a_brief_changes(
    api, django_assert_num_queries, django_capture_on_commit_callbacks
):
    briefs = _publish_briefs(3, taxonomy_values=1)
    first = api.get("/api/v1/articles/").json()
    with django_assert_num_queries(KEPT_LIST_QUERIES):
        assert api.get("/api/v1/articles/").json() == first
    with django_capture_on_commit_callbacks(execute=True):
        briefs[0].roles.first().notes.create(article=briefs[0], text="Budget for it before the next review.")
    with django_assert_num_queries(LIST_QUERIES):  # only that brief is read again, in full
        changed = api.get("/api/v1/articles/").json()
    note = next(item for item in changed["results"] if item["slug"] == briefs[0].slug)["role_notes"]
    assert note[0]["text"] == "Budget for it before the next review."
    assert [item["slug"] for item in changed["results"]] == [item["slug"] for item in first["results"]]


@pytest.mark.parametrize("taxonomy_values", [1, 5])
def test_detail_query_count_does_not_grow_with_taxonomy(api, django_assert_num_queries, taxonomy_values):
    brief = _publish_briefs(3, taxonomy_values=taxonomy_values)[0]
    # The brief, its fields, topics, roles, notes by role and related links (6 with the notes).
    with django_assert_num_queries(6):
        response = api.get(f"/api/v1/articles/{brief.slug}/")
    assert len(response.json()["roles"]) == taxonomy_values
    assert len(response.json()["related"]) == 2


def test_list_never_loads_the_originals_full_text(api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _publish_briefs(3, taxonomy_values=1)
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/articles/").status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "content_text" in q["sql"] or "content_html" in q["sql"]]


@pytest.mark.parametrize("ordering", ["-published", "published"])
@pytest.mark.parametrize("position", ["yesterday", "2026-13-45", "1e309"])
def test_a_tampered_cursor_is_a_400_naming_it_not_a_500(api, ordering, position):
    make_article(status=Status.PUBLISHED)
    # A cursor is base64 of "o=offset&r=reverse&p=position"; a client may edit it.
    cursor = base64.b64encode(urlencode({"p": position}).encode()).decode()
    response = api.get("/api/v1/articles/", {"cursor": cursor, "ordering": ordering})
    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) == {"cursor"}


def test_a_brief_carries_its_why_it_matters_notes_by_role(api):
    brief = _publish_briefs(1, taxonomy_values=1)[0]
    role = brief.roles.first()
    RoleNote.objects.create(article=brief, role=role, text="Budget for it this quarter.")
    body = api.get(f"/api/v1/articles/{brief.slug}/").json()
    assert body["role_notes"] == [
        {"role": {"slug": role.slug, "name": role.name}, "text": "Budget for it this quarter."}
    ]
    listed = api.get("/api/v1/articles/").json()["results"][0]
    assert listed["role_notes"][0]["text"] == "Budget for it this quarter."


def test_each_kept_list_item_is_the_briefs_own_answer_and_reads_the_same_indented(api):
    briefs = _publish_briefs(3, taxonomy_values=2)
    api.get("/api/v1/articles/")  # keeps each representation
    kept = api.get("/api/v1/articles/")
    for item in kept.json()["results"]:
        assert item == api.get(f"/api/v1/articles/{item['slug']}/").json()
    indented = api.get("/api/v1/articles/", HTTP_ACCEPT="application/json; indent=2")
    assert b'\n  "results": [\n' in indented.content
    assert indented.json() == kept.json()
    assert {item["slug"] for item in kept.json()["results"]} == {brief.slug for brief in briefs}
