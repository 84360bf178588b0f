"""A brief's card (home, listings, search) is rendered once per version of what it shows and kept for
every reader (WEB_CARD_SECONDS), page cache on or off; the reader's marks and a search's snippet are
filled in per request. Every change a card shows retires it."""

import pytest
from django.test import Client
from django.urls import reverse

from articles import workflow
from articles.tests.factories import make_article, make_staff
from articles.web.readers import COOKIE

pytestmark = pytest.mark.django_db

PAGES = [
    reverse("articles:home"),
    reverse("articles:briefs"),
    reverse("articles:search") + "?q=distillation",
    reverse("articles:search") + "?q=gpus",
]


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    settings.WEB_PAGE_CACHE_SECONDS = 0  # the kept cards alone, as the scale bench measures pages cold
    settings.WEB_CARD_SECONDS = 600


@pytest.fixture
def editor(db):
    return make_staff("Editor")


def page(url, roles: str = "") -> str:
    client = Client()
    if roles:
        client.cookies[COOKIE] = roles
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("roles", ["", "cto", "policy-maker,cto"])
def test_pages_of_kept_cards_are_the_pages_rendered_fresh_for_every_role_choice(catalogue, settings, roles):
    kept = [page(url, roles) for url in PAGES]
    assert [page(url, roles) for url in PAGES] == kept  # from the kept cards
    settings.WEB_CARD_SECONDS = 0
    assert [page(url, roles) for url in PAGES] == kept
    for html in kept:
        assert "<!--card-" not in html and "<!--role:" not in html and "<!--/role" not in html


def test_a_kept_card_marks_the_readers_roles_per_request(catalogue):
    url = reverse("articles:briefs")
    assert "for-you" not in page(url)  # kept without any reader's marks
    for_cto = page(url, "cto")
    assert '<strong class="for-you">CTO</strong>' in for_cto and "card-for-you" in for_cto
    assert '<strong class="for-you">Policy Maker</strong>' not in for_cto
    assert '<strong class="for-you">Policy Maker</strong>' in page(url, "policy-maker")
    assert "for-you" not in page(url)


def test_a_search_shows_its_snippet_in_the_kept_cards_place_of_the_lead(catalogue):
    listing = page(reverse("articles:briefs"))
    assert "Keep the word distillation for the technique" in listing  # the takeaway, as the lead
    found = page(reverse("articles:search") + "?q=student")
    assert '<p class="snippet">' in found and "<mark>student</mark>" in found
    assert '<p class="card-lead">Keep the word distillation' not in found


def test_kept_cards_save_the_cards_queries(catalogue, django_assert_num_queries, django_capture_on_commit_callbacks):
    url = reverse("articles:briefs")
    page(url)
    # The page's ids and slugs; its count and filter panel are kept too (WEB_LISTING_KEEP_SECONDS).
    with django_assert_num_queries(1):
        page(url)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(status="published", title="A newcomer", roles=[catalogue["roles"]["cto"]])
    # The ids, the count and the facets' names (five kinds of taxonomy) for the panel, made again; of the
    # cards, only the newcomer's is made: one query for its row, one for its roles.
    with django_assert_num_queries(9):
        assert "A newcomer" in page(url)


def test_a_title_with_a_card_mark_in_it_cannot_forge_a_place(catalogue):
    make_article(status="published", title="<!--role:cto-->Forged<!--/role--> <!--card-for-reader-->")
    html = page(reverse("articles:briefs"), "cto")
    assert "&lt;!--role:cto--&gt;Forged" in html
    assert '<strong class="for-you">Forged' not in html


@pytest.mark.parametrize("url", PAGES[1:3])
def test_an_edit_shows_on_kept_cards_at_once(catalogue, django_capture_on_commit_callbacks, url):
    brief = catalogue["briefs"]["distillation"]
    page(url)
    with django_capture_on_commit_callbacks(execute=True):
        brief.title = "Distillation, renamed"
        brief.takeaway = "A new takeaway about distillation."
        brief.save()
    html = page(url)
    assert "Distillation, renamed" in html and "Distillation is a technique" not in html


def test_unpublishing_and_republishing_an_edited_brief_shows_its_new_card(
    catalogue, editor, django_capture_on_commit_callbacks
):
    brief = catalogue["briefs"]["gpus"]
    url = reverse("articles:briefs")
    assert "Where the GPUs went" in page(url)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(article=brief, actor=editor, reason="Checking a claim.")
    assert "Where the GPUs went" not in page(url)
    brief.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        brief.title = "Where the GPUs went, checked"
        brief.save()
        workflow.publish(article=brief, actor=editor)
    assert "Where the GPUs went, checked" in page(url)


@pytest.mark.parametrize("kind", ["roles", "sources"])
def test_renaming_a_role_or_a_source_shows_on_kept_cards(catalogue, django_capture_on_commit_callbacks, kind):
    renamed = catalogue[kind]["cto" if kind == "roles" else "journal"]
    for url in PAGES:
        page(url)
    with django_capture_on_commit_callbacks(execute=True):
        renamed.name = "Renamed at once"
        renamed.save()
    for url in PAGES:
        assert "Renamed at once" in page(url), url


def test_a_role_given_to_a_brief_shows_on_its_kept_card(catalogue, django_capture_on_commit_callbacks):
    brief = catalogue["briefs"]["rules"]
    url = reverse("articles:search") + "?q=open+weights"
    assert "Best for: Policy Maker</p>" in page(url)
    with django_capture_on_commit_callbacks(execute=True):
        brief.roles.add(catalogue["roles"]["cto"])
    html = page(url, "cto")
    assert '<strong class="for-you">CTO</strong>' in html and "card-for-you" in html


def test_with_no_time_to_keep_them_cards_are_rendered_every_time(catalogue, settings, django_assert_num_queries):
    settings.WEB_CARD_SECONDS = 0
    url = reverse("articles:briefs")
    page(url)
    with django_assert_num_queries(3):  # the page's ids, then the cards' rows and their roles, every time
        page(url)


def test_a_kept_listing_panel_counts_a_brief_published_into_it_at_once(
    catalogue, editor, django_capture_on_commit_callbacks
):
    url = reverse("articles:role", args=["cto"]) + "?topic=open-models"
    before = page(url)
    assert "1 brief</h2>" in before and ">Chips (1)</option>" in page(reverse("articles:role", args=["cto"]))
    draft = catalogue["briefs"]["draft"]  # CTO, Open models
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article=draft, actor=editor)
    after = page(url)
    assert "2 briefs</h2>" in after and "Unreleased thoughts on distillation" in after
    assert ">Interconnects Weekly (1)</option>" in after and ">Policy Paper (1)</option>" in after
