"""The ways in: index pages of roles, topics, fields and sources, and breadcrumbs."""

import re

import pytest
from django.urls import reverse

from articles.models import Article, Status
from articles.tests.factories import make_area, make_article, make_role, make_source
from articles.tests.web.conftest import add_published_briefs
from articles.web import indexes, subscribe

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_roles_index_lists_each_role_with_its_published_count_and_description(client, catalogue):
    cto = catalogue["roles"]["cto"]
    cto.description = "Technology leaders deciding what to build and buy."
    cto.save()
    make_role("Nobody yet")
    html = text_of(client.get(reverse("articles:roles")))
    assert re.search(rf'<a href="{cto.get_absolute_url()}">CTO</a> <span class="count">2 briefs</span>', html)
    assert re.search(r">Policy Maker</a> <span class=\"count\">2 briefs</span>", html)
    assert "Technology leaders deciding what to build and buy." in html
    assert "Nobody yet" not in html  # its listing would be empty


def test_fields_index_is_the_area_to_subfield_tree_counting_each_brief_once(client, catalogue):
    html = text_of(client.get(reverse("articles:fields")))
    tech, policy = catalogue["areas"]["tech"], catalogue["areas"]["policy"]
    ai, infra = catalogue["subfields"]["ai"], catalogue["subfields"]["infra"]
    # Technology holds distillation (AI) and gpus (Infrastructure); the AI draft is not counted.
    assert re.search(
        rf'<a href="{tech.get_absolute_url()}">Technology &amp; Digital</a> <span class="count">2 briefs', html
    )
    assert re.search(rf'<a href="{policy.get_absolute_url()}">Public Policy</a> <span class="count">2 briefs', html)
    tech_block = html[html.index("Technology &amp; Digital</a>") :]  # areas in order: Public Policy first
    assert re.search(rf'<a href="{ai.get_absolute_url()}">AI &amp; ML</a> <span class="count">1 brief<', tech_block)
    assert f'href="{infra.get_absolute_url()}"' in tech_block
    assert "Regulation" not in tech_block


def test_topics_and_sources_indexes_count_published_briefs(client, catalogue):
    topics = text_of(client.get(reverse("articles:topics")))
    assert re.search(r">Open models</a> <span class=\"count\">2 briefs", topics)
    assert re.search(r">Chips</a> <span class=\"count\">1 brief<", topics)
    sources = text_of(client.get(reverse("articles:sources")))
    assert re.search(r">Interconnects Weekly</a> <span class=\"count\">2 briefs", sources)
    assert re.search(r">Policy Paper</a> <span class=\"count\">1 brief<", sources)


def test_index_counts_follow_a_brief_leaving_the_published_list_and_losing_a_role(
    client, catalogue, django_capture_on_commit_callbacks
):
    cto = catalogue["roles"]["cto"]
    first, second = Article.objects.published().filter(roles=cto).order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):  # the cached index is retired once committed
        first.status = Status.DRAFT
        first.save()
    assert re.search(r">CTO</a> <span class=\"count\">1 brief<", text_of(client.get(reverse("articles:roles"))))
    assert {role["slug"]: role["published_count"] for role in client.get("/api/v1/roles/").json()}["cto"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        second.roles.remove(cto)
    assert client.get(f"/api/v1/roles/{cto.slug}/").json()["published_count"] == 0
    assert ">CTO</a>" not in text_of(client.get(reverse("articles:roles")))  # its listing would be empty now


def test_a_source_whose_last_brief_leaves_the_published_list_leaves_the_sources_index(
    client, catalogue, django_capture_on_commit_callbacks
):
    (only,) = Article.objects.published().filter(source__name="Policy Paper")
    with django_capture_on_commit_callbacks(execute=True):
        only.status = Status.DRAFT
        only.save()
    sources = text_of(client.get(reverse("articles:sources")))
    assert ">Policy Paper</a>" not in sources  # its kept count is 0 now: its listing would be empty
    assert re.search(r">Interconnects Weekly</a> <span class=\"count\">2 briefs", sources)


def test_the_sources_index_is_read_a_page_of_sources_at_a_time_by_name(client, catalogue, monkeypatch):
    monkeypatch.setattr(indexes, "SOURCES_PER_PAGE", 1)
    first = text_of(client.get(reverse("articles:sources")))
    assert ">Interconnects Weekly</a>" in first and ">Policy Paper</a>" not in first
    assert "Page 1 of 2: 1–1 of 2 sources" in first
    assert re.search(r'<a rel="next" href="\?page=2">2 →</a>', first)

    second = text_of(client.get(reverse("articles:sources") + "?page=2"))
    assert '>Policy Paper</a> <span class="count">1 brief<' in second and "Interconnects Weekly" not in second
    assert '<link rel="canonical" href="http://testserver/sources/?page=2">' in second
    # A page past the end is the last one, as listings answer.
    assert ">Policy Paper</a>" in text_of(client.get(reverse("articles:sources") + "?page=9"))


def test_the_subscribe_page_lists_the_sources_with_the_most_briefs_and_points_to_the_index(
    client, catalogue, monkeypatch
):
    monkeypatch.setattr(subscribe, "SUBSCRIBE_SOURCES", 1)
    html = text_of(client.get(reverse("articles:subscribe")))
    group = html[html.index('id="sources-feeds-heading"') :]
    assert "The 1 with the most briefs are here" in group
    assert '>Interconnects Weekly</a> <span class="count">2</span>' in group
    assert "Policy Paper" not in group


def test_the_subscribe_page_lists_sources_tied_on_briefs_by_name(client, catalogue, monkeypatch):
    monkeypatch.setattr(subscribe, "SUBSCRIBE_SOURCES", 2)
    make_article(status=Status.PUBLISHED, source=make_source(name="Zephyr Notes"))
    make_article(status=Status.PUBLISHED, source=make_source(name="Alpha Digest"))
    html = text_of(client.get(reverse("articles:subscribe")))
    group = html[html.index('id="sources-feeds-heading"') :]
    # Interconnects Weekly has 2 briefs; Alpha Digest, Policy Paper and Zephyr Notes 1 each: the first by name.
    names = re.findall(r'>([^<>]+)</a> <span class="count">', group)
    assert names == ["Interconnects Weekly", "Alpha Digest"]


def test_an_index_with_nothing_published_says_so(client, db):
    make_area("Empty area")
    html = text_of(client.get(reverse("articles:fields")))
    assert "Nothing has been published here yet" in html
    assert "Empty area" not in html


@pytest.mark.parametrize("name", ["roles", "topics", "fields", "sources"])
def test_index_query_count_does_not_grow_with_briefs(client, catalogue, django_assert_num_queries, name):
    add_published_briefs(10)
    # Fields: the kept counts of areas and subfields, the fields; sources: how many there are (kept) and
    # the page's; the others one query with their kept counts.
    with django_assert_num_queries(2 if name in ("fields", "sources") else 1):
        assert client.get(reverse(f"articles:{name}")).status_code == 200


def test_the_sources_index_keeps_how_many_sources_there_are_until_a_brief_changes(
    client, catalogue, django_assert_num_queries, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.WEB_PAGE_CACHE_SECONDS = 0  # the view runs for every request
    monkeypatch.setattr(indexes, "SOURCES_PER_PAGE", 1)
    assert "Page 1 of 2: 1–1 of 2 sources" in text_of(client.get(reverse("articles:sources")))
    # Counting the sources reads a kept count a source (a thousand at 100,000 briefs): the next reader's page
    # takes the number kept under the library's version and reads only its own page.
    with django_assert_num_queries(1):
        assert "Page 2 of 2: 2–2 of 2 sources" in text_of(client.get(reverse("articles:sources") + "?page=2"))

    with django_capture_on_commit_callbacks(execute=True):  # publishing bumps the library's version once committed
        make_article(status=Status.PUBLISHED, source=make_source(name="Zebra Quarterly"))
    third = text_of(client.get(reverse("articles:sources") + "?page=3"))
    assert "Page 3 of 3: 3–3 of 3 sources" in third and ">Zebra Quarterly</a>" in third


def crumbs_of(html: str) -> list[str]:
    nav = re.search(r'<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r'<span itemprop="name"[^>]*>([^<]+)</span>', nav)


def test_listings_carry_breadcrumbs_up_to_their_index(client, catalogue):
    regulation = catalogue["subfields"]["regulation"]
    assert crumbs_of(text_of(client.get(regulation.get_absolute_url()))) == [
        "Home",
        "Fields",
        "Public Policy",
        "Regulation",
    ]
    assert crumbs_of(text_of(client.get(catalogue["roles"]["cto"].get_absolute_url()))) == ["Home", "Roles", "CTO"]
    source_page = text_of(client.get(catalogue["sources"]["paper"].get_absolute_url()))
    assert crumbs_of(source_page) == ["Home", "Sources", "Policy Paper"]
    assert crumbs_of(text_of(client.get(reverse("articles:briefs")))) == ["Home", "All briefs"]


def test_brief_page_breadcrumbs_follow_its_first_field_as_a_schema_org_list(client, catalogue):
    brief = catalogue["briefs"]["distillation"]
    html = text_of(client.get(brief.get_absolute_url()))
    assert crumbs_of(html) == [
        "Home",
        "Fields",
        "Public Policy",  # areas in their order: position, then name
        "Regulation",
        brief.title,
    ]
    assert 'itemtype="https://schema.org/BreadcrumbList"' in html
    assert '<span itemprop="name" aria-current="page">' in html
    assert '<meta itemprop="position" content="5">' in html


def test_main_navigation_links_every_index(client, catalogue):
    html = text_of(client.get(reverse("articles:home")))
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    for name in ("roles", "fields", "topics", "sources"):
        assert f'href="{reverse(f"articles:{name}")}"' in nav
