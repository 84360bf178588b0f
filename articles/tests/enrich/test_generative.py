import json
import time

import pytest
from werkzeug import Response

from articles.enrich import enrich_article
from articles.enrich.generative import GenerativeFailure, parse_card
from articles.models import EnrichmentRun, Suggestion
from articles.tests.factories import make_role

pytestmark = pytest.mark.django_db

CARD = {
    "summary": "A logistics company replaced nightly batch jobs with an event stream and learned to assign owners.",
    "takeaway": "CTOs: give every event an owning team before you build the stream.",
    "insights": ["Event ownership matters more than the streaming technology.", "Naming took a whole month."],
    "principles": ["Every event has an owner."],
    "method": "A phased migration of the order system over one spring.",
    "in_practice": ["Write a glossary before the first event."],
    "roles": ["CTO"],
}


def completion(content: str) -> dict:
    return {
        "id": "x",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
    }


@pytest.fixture
def llm(httpserver, settings):
    settings.ENRICH_LLM_BASE_URL = httpserver.url_for("/v1")
    settings.ENRICH_LLM_MODEL = "local-model"
    settings.ENRICH_LLM_API_KEY = "test-key"
    settings.ENRICH_LLM_TIMEOUT_SECONDS = 0.5
    return httpserver


def test_generative_card_becomes_the_draft(llm, known_article):
    make_role("CTO")
    llm.expect_request("/v1/chat/completions", method="POST").respond_with_json(completion(json.dumps(CARD)))

    run = enrich_article(article=known_article)

    request, _response = llm.log[0]
    body = request.get_json()
    assert body["model"] == "local-model"
    assert request.headers["Authorization"] == "Bearer test-key"
    assert "Harbour Logistics" in body["messages"][1]["content"]
    assert run.backend == EnrichmentRun.Backend.GENERATIVE and run.fallback_reason == ""
    known_article.refresh_from_db()
    assert known_article.takeaway == CARD["takeaway"]
    assert known_article.principles == CARD["principles"]
    assert known_article.in_practice == CARD["in_practice"]
    assert [role.name for role in known_article.roles.all()] == ["CTO"]
    naming = known_article.suggestions.get(section=Suggestion.Section.INSIGHT, text="Naming took a whole month.")
    assert naming.provenance == "from paragraph 3"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (completion("Here is your card: summary ..."), "the model's answer is not valid JSON"),
        (completion(json.dumps({**CARD, "takeaway": 42})), "does not match the schema: 42 is not of type 'string'"),
        (completion(json.dumps({"summary": CARD["summary"]})), "does not match the schema: 'takeaway' is a required"),
        ({"error": "no choices"}, "not a chat-completions response"),
    ],
    ids=["invalid-json", "wrong-type", "missing-takeaway", "not-a-completion"],
)
def test_unusable_answers_fall_back_to_the_extractive_draft(llm, known_article, answer, reason):
    llm.expect_request("/v1/chat/completions").respond_with_json(answer)

    run = enrich_article(article=known_article)

    assert run.backend == EnrichmentRun.Backend.EXTRACTIVE
    assert reason in run.fallback_reason
    known_article.refresh_from_db()
    assert known_article.takeaway.startswith("Without ownership, the stream filled")


def test_http_error_falls_back_with_the_status(llm, known_article):
    llm.expect_request("/v1/chat/completions").respond_with_data("overloaded", status=503)

    run = enrich_article(article=known_article)

    assert run.fallback_reason == "Fell back to the extractive draft: the language model server answered HTTP 503."


def test_timeout_falls_back_with_the_reason(llm, known_article):
    def slow(_request):
        time.sleep(1.0)
        return Response(json.dumps(completion(json.dumps(CARD))), content_type="application/json")

    llm.expect_request("/v1/chat/completions").respond_with_handler(slow)

    run = enrich_article(article=known_article)

    assert run.backend == EnrichmentRun.Backend.EXTRACTIVE
    assert (
        run.fallback_reason
        == "Fell back to the extractive draft: the language model did not answer within 0.5 seconds."
    )
    known_article.refresh_from_db()
    assert known_article.summary.startswith("Harbour Logistics spent the spring")


def test_card_in_a_code_fence_is_accepted():
    assert parse_card(f"```json\n{json.dumps(CARD)}\n```")["takeaway"] == CARD["takeaway"]


def test_empty_answer_is_refused():
    with pytest.raises(GenerativeFailure, match="empty"):
        parse_card("   ")


def test_generative_backend_is_off_by_default(known_article, settings):
    assert settings.ENRICH_LLM_BASE_URL == ""

    run = enrich_article(article=known_article)

    assert run.backend == EnrichmentRun.Backend.EXTRACTIVE and run.fallback_reason == ""


def test_blank_items_in_a_card_are_dropped(llm, known_article):
    card = {**CARD, "insights": ["A real insight.", "   "]}
    llm.expect_request("/v1/chat/completions").respond_with_json(completion(json.dumps(card)))

    enrich_article(article=known_article)

    known_article.refresh_from_db()
    assert known_article.insights == ["A real insight."]


def test_a_malformed_model_address_falls_back_with_the_reason(settings, known_article):
    settings.ENRICH_LLM_BASE_URL = "http://[::1/v1"  # a typo in the operator's setting
    settings.ENRICH_LLM_MODEL = "local-model"

    run = enrich_article(article=known_article)

    assert run.backend == EnrichmentRun.Backend.EXTRACTIVE
    assert "ENRICH_LLM_BASE_URL" in run.fallback_reason
    known_article.refresh_from_db()
    assert known_article.summary.startswith("Harbour Logistics spent the spring")
