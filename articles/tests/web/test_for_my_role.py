"""For my role: a reader's chosen roles (cookie or shareable address) put their briefs first,
and "Why it matters for <role>" notes reach the readers who chose the role."""

import re

import feedparser
import pytest
from django.test import Client
from django.urls import reverse

from articles.models import RoleNote, Status
from articles.tests.factories import make_article, make_staff
from articles.tests.web.conftest import add_published_briefs
from articles.web.readers import COOKIE

pytestmark = pytest.mark.django_db

GPUS, DISTILLATION, RULES = (
    "Where the GPUs went",
    "Distillation is a technique, not an attack",
    "Drafting rules for open weights",
)


def titles_in(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', html)


def reader(roles: str = "") -> Client:
    client = Client()
    if roles:
        client.cookies[COOKIE] = roles
    return client


def test_without_a_choice_listings_are_newest_first(client, catalogue):
    assert titles_in(client.get(reverse("articles:briefs")).content.decode()) == [RULES, GPUS, DISTILLATION]


def test_a_shareable_address_puts_the_chosen_roles_briefs_first(client, catalogue):
    html = client.get(reverse("articles:briefs") + "?for=cto").content.decode()
    assert titles_in(html) == [GPUS, DISTILLATION, RULES]
    assert "Briefs best for <strong>CTO</strong> come first." in html


def test_the_chooser_saves_the_roles_in_a_cookie_and_goes_back(client, catalogue):
    response = client.get(reverse("articles:for_me") + "?save=1&for=policy-maker&for=nobody&next=/briefs/")
    assert response.status_code == 302
    assert response["Location"] == "/briefs/"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "policy-maker"  # an unknown role is not kept
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "no-store" in response["Cache-Control"]
    # Policy maker's briefs (rules, distillation) now come first on home and on listings.
    assert titles_in(client.get(reverse("articles:briefs")).content.decode()) == [RULES, DISTILLATION, GPUS]
    home = client.get(reverse("articles:home")).content.decode()
    assert titles_in(home) == [RULES, DISTILLATION, GPUS]
    assert "Reading as Policy Maker" in home


def test_the_chooser_forgets_the_roles_and_refuses_to_send_a_reader_elsewhere(client, catalogue):
    client.cookies[COOKIE] = "cto"
    response = client.get(reverse("articles:for_me") + "?save=1&next=https://elsewhere.example/")
    assert response["Location"] == reverse("articles:home")
    assert response.cookies[COOKIE].value == ""  # deleted
    assert response.cookies[COOKIE]["max-age"] == 0


def test_the_chooser_page_offers_a_link_to_share_the_view(catalogue):
    html = reader("cto,policy-maker").get(reverse("articles:for_me")).content.decode()
    assert 'value="http://testserver/?for=cto,policy-maker"' in html
    assert re.search(r'value="cto" id="for-cto" checked', html)


def test_the_page_cache_never_serves_one_readers_order_to_another(catalogue, settings):
    settings.WEB_PAGE_CACHE_SECONDS = 600
    url = reverse("articles:briefs")
    assert titles_in(reader("cto").get(url).content.decode()) == [GPUS, DISTILLATION, RULES]
    assert titles_in(reader().get(url).content.decode()) == [RULES, GPUS, DISTILLATION]
    assert titles_in(reader("policy-maker").get(url).content.decode()) == [RULES, DISTILLATION, GPUS]
    again = reader("cto").get(url)
    assert titles_in(again.content.decode()) == [GPUS, DISTILLATION, RULES]
    assert "Cookie" in again["Vary"]


@pytest.mark.parametrize("path", ["articles:briefs", "articles:search"])
def test_an_address_naming_two_roles_is_never_served_the_page_made_for_its_last(catalogue, settings, path):
    settings.WEB_PAGE_CACHE_SECONDS = 600
    url = reverse(path) + ("?q=distillation&" if path == "articles:search" else "?")
    one = reader().get(url + "for=policy-maker").content.decode()  # cached first, under the address's last `for`
    both = reader().get(url + "for=cto&for=policy-maker").content.decode()
    assert "Briefs best for <strong>Policy Maker</strong> come first" in one
    assert "Briefs best for <strong>CTO</strong>, <strong>Policy Maker</strong> come first" in both
    assert (
        "Briefs best for <strong>Policy Maker</strong> come first"
        in reader().get(url + "for=policy-maker").content.decode()
    )


def test_the_address_wins_over_the_cookie(catalogue):
    html = reader("cto").get(reverse("articles:briefs") + "?for=policy-maker").content.decode()
    assert titles_in(html) == [RULES, DISTILLATION, GPUS]


def test_filter_and_page_links_keep_the_shared_roles(client, catalogue, settings):
    settings.WEB_PAGE_SIZE = 1
    html = client.get(reverse("articles:briefs") + "?for=cto").content.decode()
    assert 'href="?for=cto&amp;page=2"' in html


def test_why_it_matters_is_shown_only_to_readers_who_chose_the_role(catalogue):
    brief = catalogue["briefs"]["distillation"]
    RoleNote.objects.create(article=brief, role=catalogue["roles"]["cto"], text="Keep distilling; budget for it.")
    RoleNote.objects.create(article=brief, role=catalogue["roles"]["policy_maker"], text="Name the abuse precisely.")
    url = brief.get_absolute_url()
    cto_page = reader("cto").get(url).content.decode()
    assert ">Why it matters for CTO</h2><p>Keep distilling; budget for it.</p>" in cto_page
    assert "Name the abuse precisely." not in cto_page
    # The note follows the key takeaway.
    assert (
        cto_page.index(">Key takeaway<") < cto_page.index(">Why it matters for CTO<") < cto_page.index(">Key insights<")
    )
    assert "Why it matters" not in reader().get(url).content.decode()
    both = reader().get(url + "?for=cto,policy-maker").content.decode()
    assert "Keep distilling" in both and "Name the abuse precisely." in both


def test_a_new_note_on_a_published_brief_refreshes_cached_pages(
    catalogue, settings, django_capture_on_commit_callbacks
):
    settings.WEB_PAGE_CACHE_SECONDS = 600
    brief = catalogue["briefs"]["distillation"]
    cto = reader("cto")
    assert "Why it matters" not in cto.get(brief.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        RoleNote.objects.create(article=brief, role=catalogue["roles"]["cto"], text="Fresh note.")
    assert "Fresh note." in cto.get(brief.get_absolute_url()).content.decode()


def test_a_note_keeps_its_history(catalogue):
    note = RoleNote.objects.create(
        article=catalogue["briefs"]["gpus"], role=catalogue["roles"]["cto"], text="First wording."
    )
    note.text = "Second wording."
    note.save()
    assert [h.text for h in note.history.order_by("history_date")] == ["First wording.", "Second wording."]


def test_one_note_per_role_per_brief(catalogue):
    from django.db import IntegrityError, transaction

    brief, cto = catalogue["briefs"]["gpus"], catalogue["roles"]["cto"]
    RoleNote.objects.create(article=brief, role=cto, text="One.")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleNote.objects.create(article=brief, role=cto, text="Two.")


def test_feeds_put_the_chosen_roles_first_and_carry_their_notes(client, catalogue):
    RoleNote.objects.create(
        article=catalogue["briefs"]["distillation"], role=catalogue["roles"]["policy_maker"], text="Say API abuse."
    )
    feed = feedparser.parse(client.get(reverse("articles:feed_rss") + "?for=policy-maker").content)
    assert [entry.title for entry in feed.entries] == [RULES, DISTILLATION, GPUS]
    assert "<strong>Why it matters for Policy Maker:</strong> Say API abuse." in feed.entries[1].description
    plain = feedparser.parse(client.get(reverse("articles:feed_atom")).content)
    assert [entry.title for entry in plain.entries] == [RULES, GPUS, DISTILLATION]
    assert "Say API abuse." in plain.entries[2].summary  # without a choice, every note is there
    json_feed = client.get(reverse("articles:feed_json") + "?for=cto").json()
    assert [item["title"] for item in json_feed["items"]] == [GPUS, DISTILLATION, RULES]
    assert "_distillery" not in json_feed["items"][1]  # only the policy maker's note exists


def test_the_editor_writes_notes_in_the_briefs_change_form(client, catalogue):
    editor = make_staff("Editor")
    client.force_login(editor)
    brief = catalogue["briefs"]["gpus"]
    html = client.get(reverse("admin:articles_article_change", args=[brief.pk])).content.decode()
    # The anatomy's per-role section, edited as one row per role.
    assert "Why it matters for … (optional; one per role, shown to readers who chose it)" in html
    assert 'name="role_notes-TOTAL_FORMS"' in html


@pytest.mark.parametrize("url_name", ["articles:home", "articles:briefs"])
def test_choosing_roles_costs_one_query_whatever_the_number_of_briefs(
    catalogue, django_assert_max_num_queries, url_name
):
    add_published_briefs(10, roles=[catalogue["roles"]["cto"]])
    plain = reader()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as without_roles:
        plain.get(reverse(url_name))
    with django_assert_max_num_queries(len(without_roles) + 1):
        assert reader("cto,policy-maker").get(reverse(url_name)).status_code == 200


def test_brief_page_with_roles_chosen_adds_one_query_for_its_notes(catalogue, django_assert_num_queries, settings):
    settings.WEB_BRIEF_BODY_SECONDS = 0  # the page's own render each time (test_kept_brief_page.py: when kept)
    brief = catalogue["briefs"]["distillation"]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as plain:
        reader().get(brief.get_absolute_url())
    # The notes for the chosen roles (their role names come in the same query).
    with django_assert_num_queries(len(plain) + 1):
        reader("cto").get(brief.get_absolute_url())


def test_search_puts_the_chosen_roles_briefs_first_and_keeps_relevance_within_each_part(catalogue):
    cto, policy_maker = catalogue["roles"]["cto"], catalogue["roles"]["policy_maker"]
    # "kestrel" in the title ranks above the summary, which ranks above an insight.
    best = make_article(status=Status.PUBLISHED, title="Kestrel tracking", roles=[policy_maker])
    middle = make_article(status=Status.PUBLISHED, title="Birds", summary="A kestrel study.", roles=[cto])
    least = make_article(status=Status.PUBLISHED, title="Raptors", insights=["One kestrel seen."], roles=[cto])
    url = reverse("articles:search") + "?q=kestrel"

    assert titles_in(reader().get(url).content.decode()) == [best.title, middle.title, least.title]
    html = reader("cto").get(url).content.decode()
    assert titles_in(html) == [middle.title, least.title, best.title]
    assert "Briefs best for <strong>CTO</strong> come first, each part by relevance." in html
    assert titles_in(reader().get(url + "&for=policy-maker").content.decode()) == [
        best.title,
        middle.title,
        least.title,
    ]


def test_search_with_roles_chosen_costs_one_query_more_whatever_the_number_of_results(
    catalogue, django_assert_num_queries, settings
):
    settings.WEB_PAGE_CACHE_SECONDS = 0  # count the page's own queries each time
    settings.WEB_CARD_SECONDS = 0  # and its cards' (the new briefs' cards would not be kept yet)
    settings.WEB_SEARCH_KEEP_SECONDS = 0  # and the search itself, every time
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("articles:search") + "?q=distillation"
    with CaptureQueriesContext(connection) as plain:
        reader().get(url)
    # The chosen roles' names; the order itself is part of the results' query.
    with django_assert_num_queries(len(plain) + 1):
        reader("cto").get(url)
    add_published_briefs(5, roles=[catalogue["roles"]["cto"]], summary="More on distillation.")
    with django_assert_num_queries(len(plain) + 1):
        reader("cto").get(url)
