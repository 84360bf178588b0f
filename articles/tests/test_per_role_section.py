"""The per-role section ("Why it matters for <role>") is edited like every other section: the same rule,
the same originality check, through the panel's rows, the API and accepting a suggestion."""

import html

import pytest

from articles.enrich.suggestions import accept_suggestion
from articles.models import OriginalityOverride, RoleNote, Status, Suggestion
from articles.tests.enrich.test_originality import COPIED
from articles.tests.factories import make_article, make_role, make_staff
from articles.tests.test_edit_rule import (
    TITLE,
    api_for,
    generous_api_rates,  # noqa: F401 (fixture)
    panel_for,
    post_panel_form,
    published_brief,
    refusal_of,
    suggestion_for,
)
from articles.tests.web.test_search import DATABASES, add_brief

pytestmark = pytest.mark.django_db


def test_copying_the_original_into_a_note_is_refused_in_the_same_sentence_on_every_path():
    editor = make_staff("Editor")

    brief = published_brief()
    role = brief.roles.get()
    rows = {"role_notes-TOTAL_FORMS": "1", "role_notes-0-role": str(role.pk), "role_notes-0-text": COPIED}
    page = html.unescape(post_panel_form(panel_for(editor), brief, **rows).content.decode())
    assert f"“{TITLE}” is published and this edit copies more of the original: " in page
    # The panel then offers the override box, as for a copied summary.
    assert 'name="_override_originality"' in page

    brief = published_brief()
    body = {"role_notes": [{"role": brief.roles.get().slug, "text": COPIED}]}
    response = api_for(editor).patch(f"/api/v1/articles/{brief.slug}/", body, format="json")
    assert response.status_code == 409
    sentence = response.json()["error"]["message"]
    assert sentence.startswith(f"“{TITLE}” is published and this edit copies more of the original: ")
    assert sentence in page

    brief = published_brief()
    suggestion = suggestion_for(brief, Suggestion.Section.ROLE_NOTE, COPIED)
    suggestion.role = brief.roles.get()
    suggestion.save()
    assert refusal_of(lambda: accept_suggestion(suggestion=suggestion, actor=editor)) == sentence

    assert not RoleNote.objects.exists()
    assert not OriginalityOverride.objects.exists()


def test_an_editor_keeps_a_copied_note_through_the_panel_with_an_override_and_a_reason():
    editor = make_staff("Editor")
    brief = published_brief()
    role = brief.roles.get()
    rows = {"role_notes-TOTAL_FORMS": "1", "role_notes-0-role": str(role.pk), "role_notes-0-text": COPIED}

    response = post_panel_form(
        panel_for(editor), brief, _override_originality="1", _step_reason="Quoting the author on purpose", **rows
    )

    assert response.status_code == 302, html.unescape(response.content.decode())[:3000]
    assert RoleNote.objects.get(article=brief).text == COPIED
    assert brief.originality_overrides.get().reason == "Quoting the author on purpose"


def test_the_api_writes_notes_by_role_slug_and_a_write_replaces_them():
    editor = make_staff("Editor")
    cto, policy = make_role("CTO"), make_role("Policy Maker")
    brief = make_article(status=Status.DRAFT, roles=[cto, policy])
    api, url = api_for(editor), f"/api/v1/articles/{brief.slug}/"

    both = [{"role": "cto", "text": "Fund the pipeline first."}, {"role": "policy-maker", "text": "Ask for logs."}]
    response = api.patch(url, {"role_notes": both}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["role_notes"] == [
        {"role": {"slug": "cto", "name": "CTO"}, "text": "Fund the pipeline first."},
        {"role": {"slug": "policy-maker", "name": "Policy Maker"}, "text": "Ask for logs."},
    ]

    response = api.patch(url, {"role_notes": [{"role": "cto", "text": "Fund it now."}]}, format="json")
    assert [note["text"] for note in response.json()["role_notes"]] == ["Fund it now."]
    assert dict(RoleNote.objects.values_list("role__slug", "text")) == {"cto": "Fund it now."}


@pytest.mark.parametrize(
    ("notes", "field_error"),
    [
        ([{"role": "cto", "text": "One."}, {"role": "cto", "text": "Two."}], "Give at most one note per role."),
        ([{"role": "astronaut", "text": "Look up."}], "astronaut"),
        ([{"role": "cto", "text": ""}], "This field may not be blank."),
        ([{"role": "cto", "text": "x" * 601}], "no more than 600 characters"),
        ([{"role": "cto"}], "This field is required."),
    ],
    ids=["twice", "unknown-role", "blank", "too-long", "no-text"],
)
def test_the_api_refuses_malformed_notes_with_the_reason(notes, field_error):
    make_role("CTO")
    brief = make_article(status=Status.DRAFT)
    response = api_for(make_staff("Editor")).patch(
        f"/api/v1/articles/{brief.slug}/", {"role_notes": notes}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert [name for name in fields if name.startswith("role_notes")], fields
    assert field_error in str(fields)
    assert not RoleNote.objects.exists()


def test_the_editors_bar_counts_a_note_being_typed_in_what_is_copied():
    from django.test import Client
    from django.urls import reverse

    brief = published_brief()
    client = Client()
    client.force_login(make_staff("Editor"))
    live = reverse("admin:articles_article_live", args=[brief.pk])
    rows = {"role_notes-TOTAL_FORMS": "1", "role_notes-0-role": str(brief.roles.get().pk)}

    mine = client.post(live, {**rows, "role_notes-0-text": "Ask who owns each event."}).json()["copied"]
    copied = client.post(live, {**rows, "role_notes-0-text": COPIED}).json()["copied"]
    deleted = client.post(live, {**rows, "role_notes-0-text": COPIED, "role_notes-0-DELETE": "on"}).json()["copied"]

    assert copied["sections"]["role_notes"] == 100 and copied["overall"] > mine["overall"]
    assert "role_notes" not in deleted["sections"]


@pytest.fixture(params=["default", "postgres"])
def database(request):
    if request.param == "postgres":
        request.getfixturevalue("postgres_url")  # fails in CI without PostgreSQL, as the search tests do
    return request.param


@pytest.mark.django_db(databases=DATABASES)
def test_roles_first_keeps_the_search_ranking_within_each_part_on_both_databases(database):
    alias = database
    from articles.models import Article, Role
    from articles.search import search

    cto = Role.objects.using(alias).create(name="CTO", slug="cto")
    best = add_brief(alias, "title-hit", title="Kestrel tracking")
    middle = add_brief(alias, "summary-hit", summary="A kestrel study in the field.")
    least = add_brief(alias, "content-hit", content_text="Among other birds, one kestrel was seen.")
    for brief in (middle, least):
        brief.roles.add(cto)
    found = search(Article.objects.using(alias).published(), "kestrel")

    assert [b.slug for b in found] == [best.slug, middle.slug, least.slug]
    assert [b.slug for b in found.roles_first(["cto"])] == [middle.slug, least.slug, best.slug]
    assert [b.slug for b in found.roles_first(["nobody"])] == [best.slug, middle.slug, least.slug]
    assert [b.slug for b in found.roles_first([])] == [best.slug, middle.slug, least.slug]
