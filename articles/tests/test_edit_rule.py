"""The one rule for edits: every path that changes a brief is judged by workflow.check_edit, in one sentence.

The four paths: the curation panel's form, the API's PATCH, accepting a machine suggestion,
and choosing which brief leads a story.
"""

import html
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from articles import workflow
from articles.enrich.clusters import set_story_lead
from articles.enrich.suggestions import accept_suggestion
from articles.models import Article, EnrichmentRun, OriginalityOverride, Status, StoryCluster, Suggestion
from articles.models.tokens import issue_token
from articles.tests.enrich.conftest import KNOWN_TEXT, change_form_data
from articles.tests.enrich.test_originality import COPIED
from articles.tests.factories import make_article, make_staff

pytestmark = pytest.mark.django_db

TITLE = "Live brief"


@pytest.fixture(autouse=True)
def generous_api_rates(settings):
    settings.API_THROTTLE_TOKEN_RATE = "100000/min"


def published_brief():
    """A published brief in its own few words, whose original the tests copy from."""
    return make_article(
        status=Status.PUBLISHED,
        title=TITLE,
        content_text=KNOWN_TEXT,
        summary="Ours.",
        takeaway="Ours too.",
        insights=[],
        principles=[],
        method="",
        in_practice=[],
    )


def api_for(user) -> APIClient:
    _token, plaintext = issue_token(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def panel_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_panel_form(client, brief, **changes):
    url = reverse("admin:articles_article_change", args=[brief.pk])
    data = change_form_data(client.get(url).content.decode(), **changes)
    return client.post(url, data=urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")


def suggestion_for(brief, section, text) -> Suggestion:
    run = EnrichmentRun.objects.create(article=brief, backend=EnrichmentRun.Backend.EXTRACTIVE)
    return Suggestion.objects.create(article=brief, run=run, section=section, text=text, confidence=0.9)


def refusal_of(call) -> str:
    with pytest.raises(workflow.EditRefused) as refused:
        call()
    return str(refused.value)


def test_a_curator_is_refused_a_change_to_a_published_brief_in_the_same_sentence_on_every_path():
    curator = make_staff("Curator")
    sentence = f"“{TITLE}” is published: only an editor may change it."

    brief = published_brief()
    panel = panel_for(curator)
    url = reverse("admin:articles_article_change", args=[brief.pk])
    assert sentence in html.unescape(panel.get(url).content.decode())  # shown read-only, saying why
    assert panel.post(url, {"title": "Sneaky"}).status_code == 403

    brief = published_brief()
    response = api_for(curator).patch(f"/api/v1/articles/{brief.slug}/", {"title": "Sneaky"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == sentence

    brief = published_brief()
    suggestion = suggestion_for(brief, Suggestion.Section.INSIGHT, "An insight of the machine's.")
    assert refusal_of(lambda: accept_suggestion(suggestion=suggestion, actor=curator)) == sentence

    brief = published_brief()
    brief.story_cluster = StoryCluster.objects.create()
    brief.save()
    assert refusal_of(lambda: set_story_lead(cluster=brief.story_cluster, article=brief, actor=curator)) == sentence

    assert not Article.objects.filter(title="Sneaky").exists()
    assert all(brief.insights == [] for brief in Article.objects.filter(title=TITLE))
    assert not StoryCluster.objects.filter(lead__isnull=False).exists()


def test_copying_the_original_into_a_published_brief_is_refused_in_the_same_sentence_on_every_path():
    editor = make_staff("Editor")
    # The same edit on three identical briefs: the original's sentence becomes their only insight.
    brief = published_brief()
    page = html.unescape(post_panel_form(panel_for(editor), brief, insights=COPIED).content.decode())
    sentence = refusal_of(
        lambda: workflow.check_edit(article=published_brief(), actor=editor, changes={"insights": [COPIED]})
    )
    assert sentence.startswith(f"“{TITLE}” is published and this edit copies more of the original: ")
    assert sentence in page

    brief = published_brief()
    response = api_for(editor).patch(f"/api/v1/articles/{brief.slug}/", {"insights": [COPIED]}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == sentence

    brief = published_brief()
    suggestion = suggestion_for(brief, Suggestion.Section.INSIGHT, COPIED)
    assert refusal_of(lambda: accept_suggestion(suggestion=suggestion, actor=editor)) == sentence

    assert all(brief.insights == [] for brief in Article.objects.filter(title=TITLE))
    assert not OriginalityOverride.objects.exists()


def test_taking_what_publishing_required_is_refused_in_the_same_sentence_in_the_panel_and_the_api():
    editor = make_staff("Editor")
    sentence = (
        f"“{TITLE}” is published, so it must keep at least one role (Best for); unpublish it first to take them away."
    )

    brief = published_brief()
    page = html.unescape(post_panel_form(panel_for(editor), brief, roles=[]).content.decode())
    assert sentence in page

    brief = published_brief()
    response = api_for(editor).patch(f"/api/v1/articles/{brief.slug}/", {"roles": []}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == sentence


def test_an_editor_keeps_copied_words_through_the_api_with_an_override_and_a_reason():
    editor = make_staff("Editor")
    brief = published_brief()
    api = api_for(editor)
    url = f"/api/v1/articles/{brief.slug}/"

    without_reason = api.patch(url, {"insights": [COPIED], "override_originality": True}, format="json")
    kept = api.patch(
        url,
        {"insights": [COPIED], "override_originality": True, "reason": "The author's words are the news"},
        format="json",
    )

    assert without_reason.status_code == 409
    assert "needs a reason for the history" in without_reason.json()["error"]["message"]
    assert kept.status_code == 200, kept.content
    brief.refresh_from_db()
    assert brief.insights == [COPIED]
    override = brief.originality_overrides.get()
    assert override.actor == editor and override.reason == "The author's words are the news"
    assert brief.history.latest().history_change_reason.startswith("Originality override (")


def test_an_editor_accepts_a_copied_suggestion_with_an_override_and_a_reason():
    editor = make_staff("Editor")
    brief = published_brief()
    suggestion = suggestion_for(brief, Suggestion.Section.INSIGHT, COPIED)

    accept_suggestion(suggestion=suggestion, actor=editor, override_originality=True, reason="Quoted on purpose")

    brief.refresh_from_db()
    assert brief.insights == [COPIED]
    assert brief.originality_overrides.get().reason == "Quoted on purpose"


def test_a_curators_edit_of_a_draft_is_allowed_and_leaves_nothing_to_record():
    curator = make_staff("Curator")
    draft = make_article(status=Status.DRAFT, content_text=KNOWN_TEXT)

    edit = workflow.check_edit(article=draft, actor=curator, changes={"insights": [COPIED], "roles": []})

    assert edit == workflow.Edit()
