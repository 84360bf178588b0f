from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from articles.enrich import enrich_article
from articles.enrich.clusters import assign_story_cluster
from articles.models import EnrichmentRun, Status, Suggestion
from articles.tests.enrich.conftest import KNOWN_TEXT, change_form_data
from articles.tests.enrich.test_originality import COPIED
from articles.tests.factories import make_article

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def post_form(client, article, **changes):
    page = client.get(change_url(article))
    data = change_form_data(page.content.decode(), **changes)
    return client.post(
        change_url(article), data=urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
    )


def test_change_form_shows_the_machine_draft_with_provenance_and_confidence(curator_client, known_article):
    enrich_article(article=known_article)

    page = curator_client.get(change_url(known_article)).content.decode()

    assert "Extractive (sentences of the original) draft of" in page
    assert "from paragraph 2" in page
    assert "Filled into an empty section" in page
    assert 'name="_accept_suggestion"' in page
    assert "8-word sequences appear word for word in the original" in page


def test_curator_accepts_a_suggestion_from_the_change_form(curator_client, known_article):
    enrich_article(article=known_article)
    known_article.refresh_from_db()
    known_article.insights = []
    known_article.save()
    insight = known_article.suggestions.filter(section=Suggestion.Section.INSIGHT).first()

    response = post_form(curator_client, known_article, _accept_suggestion=str(insight.pk))

    assert response.status_code == 302
    known_article.refresh_from_db()
    assert known_article.insights == [insight.text]
    insight.refresh_from_db()
    assert insight.state == Suggestion.State.ACCEPTED


def test_the_curators_edits_on_the_page_are_saved_before_a_discard(curator_client, known_article):
    enrich_article(article=known_article)
    suggestion = known_article.suggestions.filter(section=Suggestion.Section.INSIGHT).first()

    post_form(curator_client, known_article, takeaway="Written by the curator.", _discard_suggestion=str(suggestion.pk))

    known_article.refresh_from_db()
    suggestion.refresh_from_db()
    assert known_article.takeaway == "Written by the curator."
    assert suggestion.state == Suggestion.State.DISCARDED


def test_re_run_enrichment_action_queues_a_fresh_draft(
    curator_client, known_article, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "rerun_enrichment", "_selected_action": [known_article.pk]},
            follow=True,
        )

    assert "Enrichment queued for 1 brief" in response.content.decode()
    assert EnrichmentRun.objects.filter(article=known_article).count() == 1
    known_article.refresh_from_db()
    assert known_article.status == Status.DRAFT


def test_editor_publishes_a_copied_brief_only_with_the_override_and_a_reason(editor_client):
    brief = make_article(status=Status.IN_REVIEW, content_text=KNOWN_TEXT, summary=COPIED, takeaway=COPIED)
    page = editor_client.get(change_url(brief)).content.decode()
    assert 'name="_override_originality"' in page
    assert "Above the limit of 35%" in page

    refused = post_form(editor_client, brief, _step_publish="Save and publish")
    brief.refresh_from_db()
    assert refused.status_code == 302 and brief.status == Status.IN_REVIEW

    post_form(
        editor_client,
        brief,
        _step_publish="Save and publish",
        _override_originality="1",
        _step_reason="We quote the author's central claim on purpose",
    )

    brief.refresh_from_db()
    assert brief.status == Status.PUBLISHED
    assert brief.history.latest().history_change_reason.startswith("Originality override (100% verbatim")
    assert brief.originality_overrides.get().reason == "We quote the author's central claim on purpose"
    page = editor_client.get(change_url(brief)).content.decode()
    assert "published at 100% verbatim (limit 35%)" in page


def test_add_form_and_a_brief_never_enriched_render(editor_client):
    brief = make_article()

    assert editor_client.get(reverse("admin:articles_article_add")).status_code == 200
    page = editor_client.get(change_url(brief)).content.decode()
    assert "No machine draft yet" in page


def test_queue_page_lists_a_story_once_with_its_sources(editor_client):
    words = " ".join(f"word{n}" for n in range(60))
    first = make_article(title="Same story told twice here", content_text=words)
    second = make_article(title="Same story told twice here", content_text=words)
    assign_story_cluster(article=second)

    page = editor_client.get(reverse("admin:articles_workqueueitem_changelist")).content.decode()
    assert page.count('name="_selected_action"') == 1  # one row in the queue
    assert f"{first.source.name}</a> (lead), " in page


def test_editor_makes_another_piece_the_lead_of_its_story(editor_client, curator):
    curator_client = Client()
    curator_client.force_login(curator)
    words = " ".join(f"word{n}" for n in range(60))
    first = make_article(title="Same story told twice here", content_text=words)
    second = make_article(title="Same story told twice here", content_text=words)
    cluster = assign_story_cluster(article=second)
    queue = reverse("admin:articles_workqueueitem_changelist")
    briefs = reverse("admin:articles_article_changelist")
    action = {"action": "lead_story", "_selected_action": [second.pk]}
    # The queue links each source of the story to its piece.
    assert reverse("admin:articles_article_change", args=[second.pk]) in editor_client.get(queue).content.decode()

    refused = curator_client.post(briefs, action, follow=True).content.decode()
    cluster.refresh_from_db()
    assert "Only an editor may choose which brief leads a story." in refused
    assert cluster.lead == first

    editor_client.post(briefs, action)

    cluster.refresh_from_db()
    assert cluster.lead == second
    page = editor_client.get(queue).content.decode()
    assert f"{second.source.name}</a> (lead)" in page
    assert page.count('name="_selected_action"') == 1


def test_pasting_the_original_into_a_published_brief_needs_the_override_and_a_reason(editor_client):
    brief = make_article(status=Status.PUBLISHED, content_text=KNOWN_TEXT)
    own_summary = brief.summary

    refused = post_form(editor_client, brief, summary=COPIED, takeaway=COPIED)

    brief.refresh_from_db()
    assert refused.status_code == 200  # the form again, with the reason
    assert "the limit is 35%" in refused.content.decode()
    assert 'name="_override_originality"' in refused.content.decode()
    assert brief.summary == own_summary and not brief.originality_overrides.exists()

    post_form(
        editor_client,
        brief,
        summary=COPIED,
        takeaway=COPIED,
        _override_originality="1",
        _step_reason="The author's own words are the news here",
    )

    brief.refresh_from_db()
    assert brief.summary == COPIED
    assert brief.originality_overrides.get().reason == "The author's own words are the news here"
    assert brief.history.latest().history_change_reason.startswith("Originality override (100% verbatim")


def test_editing_a_published_brief_in_own_words_needs_no_override(editor_client):
    brief = make_article(status=Status.PUBLISHED, content_text=KNOWN_TEXT)

    post_form(editor_client, brief, summary="Our editors' account of why event ownership decided the migration.")

    brief.refresh_from_db()
    assert brief.summary.startswith("Our editors' account")


def test_originality_of_a_short_brief_reads_as_one_sentence(editor_client):
    brief = make_article(
        summary="Short.", takeaway="Also short.", insights=[], principles=[], method="", in_practice=[]
    )

    page = editor_client.get(change_url(brief)).content.decode()

    assert "The brief is too short to compare (fewer than 8 words in every section).</p>" in page
