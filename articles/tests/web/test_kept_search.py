"""A search's outcome (its matches in the reader's order and its filter panel) is kept for the same
query, filters and roles (WEB_SEARCH_KEEP_SECONDS), page cache on or off; any change to a published
brief or to the taxonomy's names retires it, so a reader never sees an outdated result."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from articles import workflow
from articles.models import Topic
from articles.tests.factories import make_role, make_staff
from articles.web.readers import COOKIE

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    settings.WEB_PAGE_CACHE_SECONDS = 0  # the kept outcome alone, as the scale bench measures search cold
    settings.WEB_SEARCH_KEEP_SECONDS = 600
    settings.WEB_PAGE_SIZE = 2


@pytest.fixture
def editor(db):
    return make_staff("Editor")


def page(query: str, roles: str = "") -> str:
    client = Client()
    if roles:
        client.cookies[COOKIE] = roles
    response = client.get(SEARCH + query)
    assert response.status_code == 200
    return response.content.decode()


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', html)


QUERIES = [
    "?q=distillation+or+gpus+or+weights",
    "?q=distillation+or+gpus+or+weights&page=2",
    "?q=distillation+or+gpus+or+weights&role=cto",
    "?q=distillation+or+gpus+or+weights&for=policy-maker",
    "?q=distillation&topic=no-such-topic",
    "?q=zeppelin",
]


@pytest.mark.parametrize("roles", ["", "cto"])
def test_kept_search_pages_are_the_pages_made_fresh(catalogue, settings, roles):
    kept = [page(query, roles) for query in QUERIES]
    assert [page(query, roles) for query in QUERIES] == kept  # from the kept outcomes
    settings.WEB_SEARCH_KEEP_SECONDS = 0
    assert [page(query, roles) for query in QUERIES] == kept


def test_a_kept_search_makes_no_query(catalogue, django_assert_num_queries):
    page(QUERIES[0])
    with django_assert_num_queries(0):
        page(QUERIES[0])
    # Every page comes from the same outcome; a page's snippets are read once, its cards made once.
    with django_assert_num_queries(3):
        page(QUERIES[1])
    with django_assert_num_queries(0):
        page(QUERIES[1])
    page(QUERIES[2])
    with django_assert_num_queries(0):  # a filter: its look-up, kept under the same versions
        page(QUERIES[2])
    page(QUERIES[0], roles="cto")
    with django_assert_num_queries(1):  # roles chosen: their names
        page(QUERIES[0], roles="cto")


def test_each_role_choice_keeps_its_own_order(catalogue):
    query = "?q=weights+or+gpus"
    assert titles(page(query)) == ["Drafting rules for open weights", "Where the GPUs went"]
    assert titles(page(query, "cto")) == ["Where the GPUs went", "Drafting rules for open weights"]
    assert titles(page(query)) == ["Drafting rules for open weights", "Where the GPUs went"]


def test_a_newly_published_match_shows_at_once(catalogue, editor, django_capture_on_commit_callbacks):
    draft = catalogue["briefs"]["draft"]
    assert "1 brief found" in page("?q=unreleased+or+gpus")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article=draft, actor=editor)
    html = page("?q=unreleased+or+gpus")
    assert "2 briefs found" in html and "Unreleased thoughts on distillation" in html


def test_an_edit_that_stops_a_brief_matching_takes_it_out_at_once(catalogue, django_capture_on_commit_callbacks):
    brief = catalogue["briefs"]["gpus"]
    assert "Where the GPUs went" in page("?q=accelerators")
    with django_capture_on_commit_callbacks(execute=True):
        brief.summary = "Datacentre build-outs took most of the year's chips."
        brief.save()
    html = page("?q=accelerators")
    assert "Where the GPUs went" not in html and "No published brief matches" in html


def test_an_unpublished_brief_leaves_the_kept_search_and_its_counts(
    catalogue, editor, django_capture_on_commit_callbacks
):
    assert "3 briefs found" in page(QUERIES[0])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(article=catalogue["briefs"]["rules"], actor=editor, reason="Checking a claim.")
    html = page(QUERIES[0]) + page(QUERIES[1])
    assert "2 briefs found" in html and "Drafting rules for open weights" not in html


def test_renaming_a_topic_shows_in_the_kept_filter_panel(catalogue, django_capture_on_commit_callbacks):
    topic = catalogue["topics"]["chips"]
    assert ">Chips (1)</option>" in page(QUERIES[0])
    with django_capture_on_commit_callbacks(execute=True):
        topic.name = "Accelerators"
        topic.save()
    assert ">Accelerators (1)</option>" in page(QUERIES[0])


def test_with_no_time_to_keep_it_the_search_is_made_every_time(catalogue, settings, django_assert_num_queries):
    settings.WEB_SEARCH_KEEP_SECONDS = 0
    page(QUERIES[0])
    with django_assert_num_queries(2):  # the ranked matches with their filter counts, the snippets
        page(QUERIES[0])


def test_pages_past_the_kept_few_read_their_snippets_each_time(catalogue, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr("articles.web.views.SEARCH_KEPT_PAGES", 1)
    first, second = page(QUERIES[0]), page(QUERIES[1])
    with django_assert_num_queries(0):
        assert page(QUERIES[0]) == first
    with django_assert_num_queries(1):  # its snippets; its cards are kept
        assert page(QUERIES[1]) == second


def test_a_new_search_names_a_renamed_topic_by_its_new_name(catalogue, settings, django_capture_on_commit_callbacks):
    settings.WEB_SEARCH_KEEP_SECONDS = 0  # the taxonomy's kept names alone (articles/web/labels.py)
    topic = catalogue["topics"]["chips"]
    assert ">Chips (1)</option>" in page(QUERIES[0])
    with django_capture_on_commit_callbacks(execute=True):
        topic.name = "Accelerators"
        topic.save()
    html = page(QUERIES[0])
    assert ">Accelerators (1)</option>" in html and "Chips" not in html


def test_a_topic_made_without_signals_is_named_in_a_new_search(catalogue, settings, django_capture_on_commit_callbacks):
    settings.WEB_SEARCH_KEEP_SECONDS = 0
    page(QUERIES[0])  # the names are kept now
    (lasers,) = Topic.objects.bulk_create([Topic(name="Lasers", slug="lasers")])  # no signal retires them
    with django_capture_on_commit_callbacks(execute=True):
        catalogue["briefs"]["gpus"].topics.add(lasers)
    assert '<option value="lasers">Lasers (1)</option>' in page(QUERIES[0])


def test_a_new_search_with_a_filter_looks_it_up_once_per_version(catalogue, settings, django_assert_num_queries):
    settings.WEB_SEARCH_KEEP_SECONDS = 0
    page(QUERIES[2])
    with django_assert_num_queries(3):  # the walk, the matches without the role, the snippets: no look-up
        page(QUERIES[2])


def test_a_renamed_role_filter_shows_its_new_name_in_a_new_search(
    catalogue, settings, django_capture_on_commit_callbacks
):
    settings.WEB_SEARCH_KEEP_SECONDS = 0
    cto = catalogue["roles"]["cto"]
    assert "CTO" in page(QUERIES[2])
    with django_capture_on_commit_callbacks(execute=True):
        cto.name = "Chief Technologist"
        cto.save()
    html = page(QUERIES[2])
    assert "Chief Technologist" in html and ">CTO<" not in html


def test_a_role_filter_made_after_a_search_named_no_such_role_is_found(
    catalogue, settings, django_capture_on_commit_callbacks
):
    settings.WEB_SEARCH_KEEP_SECONDS = 0
    assert "Ignored unknown filter" in page("?q=distillation&role=architect")
    with django_capture_on_commit_callbacks(execute=True):
        make_role("Architect")
    html = page("?q=distillation&role=architect")
    assert "Ignored unknown filter" not in html
