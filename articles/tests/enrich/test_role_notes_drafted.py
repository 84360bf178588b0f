""" "Why it matters for <role>" drafted by the generative backend: one note per role the draft is best for."""

import json

import pytest

from articles import workflow
from articles.enrich import enrich_article
from articles.enrich.suggestions import accept_suggestion
from articles.models import EnrichmentRun, RoleNote, Status, Suggestion
from articles.tests.enrich.test_generative import CARD, completion
from articles.tests.factories import make_role, make_staff, make_subfield

pytestmark = pytest.mark.django_db


@pytest.fixture
def llm(httpserver, settings):
    """The local fake OpenAI-compatible server, configured as the generative backend."""
    settings.ENRICH_LLM_BASE_URL = httpserver.url_for("/v1")
    settings.ENRICH_LLM_MODEL = "local-model"
    settings.ENRICH_LLM_TIMEOUT_SECONDS = 2
    return httpserver


CTO_NOTE = "Ask each team which events it owns before you fund the streaming platform."
POLICY_NOTE = "Records kept as events make audits of a logistics firm simpler to request."


def notes_of(article) -> dict[str, str]:
    return dict(RoleNote.objects.filter(article=article).values_list("role__slug", "text"))


def test_the_model_drafts_a_note_for_each_role_the_draft_is_best_for(llm, known_article):
    make_role("CTO")
    make_role("Policy Maker")
    make_role("Astronaut")
    card = {
        **CARD,
        "roles": ["cto", "policy-maker"],
        "role_notes": [
            {"role": "cto", "text": CTO_NOTE},
            {"role": "policy-maker", "text": POLICY_NOTE},
            # A role in the taxonomy that the card does not say the piece is best for: dropped, and said so.
            {"role": "astronaut", "text": "Nothing in this piece is about space travel at all."},
        ],
    }
    llm.expect_request("/v1/chat/completions").respond_with_json(completion(json.dumps(card)))

    run = enrich_article(article=known_article)

    schema = llm.log[0][0].get_json()["response_format"]["json_schema"]["schema"]
    note_schema = schema["properties"]["role_notes"]["items"]
    assert note_schema["properties"]["role"]["enum"] == ["astronaut", "cto", "policy-maker"]
    assert note_schema["required"] == ["role", "text"] and note_schema["additionalProperties"] is False
    assert run.backend == EnrichmentRun.Backend.GENERATIVE
    assert "dropped notes for roles the draft is not best for (or given twice): “astronaut”" in run.fallback_reason
    assert "role_notes" in run.filled_sections
    assert notes_of(known_article) == {"cto": CTO_NOTE, "policy-maker": POLICY_NOTE}
    drafted = known_article.suggestions.filter(section=Suggestion.Section.ROLE_NOTE).order_by("position")
    assert [(s.role.slug, s.text, s.state) for s in drafted] == [
        ("cto", CTO_NOTE, Suggestion.State.APPLIED),
        ("policy-maker", POLICY_NOTE, Suggestion.State.APPLIED),
    ]


def test_a_card_without_notes_drafts_none(llm, known_article):
    make_role("CTO")
    llm.expect_request("/v1/chat/completions").respond_with_json(completion(json.dumps(CARD)))

    run = enrich_article(article=known_article)

    assert run.backend == EnrichmentRun.Backend.GENERATIVE and run.fallback_reason == ""
    assert notes_of(known_article) == {}


def test_a_note_that_copies_the_original_sends_the_draft_back_to_the_extractive_one(llm, known_article):
    make_role("CTO")
    copied = (
        "The main lesson of the migration is that an event stream only pays off when every team owns the events "
        "it publishes. Ownership meant that each event had a named team, a written schema and an agreed retention "
        "period. Without ownership, the stream filled with events nobody could explain."
    )
    card = {**CARD, "role_notes": [{"role": "cto", "text": copied[:600]}]}
    llm.expect_request("/v1/chat/completions").respond_with_json(completion(json.dumps(card)))

    run = enrich_article(article=known_article)

    assert run.backend == EnrichmentRun.Backend.EXTRACTIVE
    assert "the generated text copies the original" in run.fallback_reason
    assert notes_of(known_article) == {}


def test_a_published_brief_gets_drafted_notes_only_as_suggestions_an_editor_accepts(llm, known_article):
    cto = make_role("CTO")
    known_article.status, known_article.published_at = Status.PUBLISHED, known_article.created_at
    known_article.summary, known_article.takeaway = "Written by an editor.", "Also written by an editor."
    known_article.save()
    known_article.roles.set([cto])
    known_article.fields.set([make_subfield()])
    RoleNote.objects.create(article=known_article, role=cto, text="An editor's note.")
    card = {**CARD, "role_notes": [{"role": "cto", "text": CTO_NOTE}]}
    llm.expect_request("/v1/chat/completions").respond_with_json(completion(json.dumps(card)))

    enrich_article(article=known_article)
    assert notes_of(known_article) == {"cto": "An editor's note."}  # what readers see is untouched

    suggestion = known_article.suggestions.get(section=Suggestion.Section.ROLE_NOTE)
    with pytest.raises(workflow.EditRefused, match="only an editor may change it"):
        accept_suggestion(suggestion=suggestion, actor=make_staff("Curator"))
    accept_suggestion(suggestion=suggestion, actor=make_staff("Editor"))
    # Accepting adds after what the editor wrote; nothing is replaced.
    assert notes_of(known_article) == {"cto": f"An editor's note. {CTO_NOTE}"}
