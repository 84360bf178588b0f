import json
import subprocess
import sys
import time

import pytest
from werkzeug import Response

from articles import locks
from articles.enrich import enrich_article, generative
from articles.enrich.generative import GenerativeFailure, parse_card
from articles.models import EnrichmentRun, Suggestion
from articles.tests.factories import make_role, make_subfield, make_topic

pytestmark = pytest.mark.django_db

CARD = {
    "summary": "A logistics company replaced nightly batch jobs with an event stream and learned to assign owners.",
    "takeaway": "CTOs: give every event an owning team before you build the stream.",
    "insights": ["Event ownership matters more than the streaming technology.", "Naming took a whole month."],
    "principles": ["Every event has an owner."],
    "method": "A phased migration of the order system over one spring.",
    "in_practice": ["Write a glossary before the first event."],
    "roles": ["cto"],
}


def completion(content: str, *, finish_reason: str = "stop", usage: dict | None = None) -> dict:
    return {
        "id": "x",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}],
        **({"usage": usage} if usage else {}),
    }


@pytest.fixture
def llm(httpserver, settings):
    settings.ENRICH_LLM_BASE_URL = httpserver.url_for("/v1")
    settings.ENRICH_LLM_MODEL = "local-model"
    settings.ENRICH_LLM_API_KEY = "test-key"
    settings.ENRICH_LLM_TIMEOUT_SECONDS = 0.5
    return httpserver


@pytest.fixture(autouse=True)
def waits(monkeypatch):
    """The backoff and slot waits the client asked for, instead of sleeping through them."""
    asked: list[float] = []
    monkeypatch.setattr(generative, "_sleep", asked.append)
    monkeypatch.setattr(locks, "_sleep", asked.append)
    return asked


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


def test_http_error_falls_back_with_the_status_after_retrying_with_backoff(llm, known_article, settings, waits):
    settings.ENRICH_LLM_RETRIES = 3
    llm.expect_request("/v1/chat/completions").respond_with_data("overloaded", status=503)

    run = enrich_article(article=known_article)

    assert run.fallback_reason == (
        "Fell back to the extractive draft: the language model server answered HTTP 503 (after 4 attempts)."
    )
    assert len(llm.log) == 4
    assert len(waits) == 3 and waits[0] < waits[1] < waits[2]


def test_a_client_error_is_not_retried(llm, known_article, waits):
    llm.expect_request("/v1/chat/completions").respond_with_data("no such model", status=404)

    run = enrich_article(article=known_article)

    assert run.fallback_reason == "Fell back to the extractive draft: the language model server answered HTTP 404."
    assert len(llm.log) == 1 and waits == []


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


def test_a_generated_suggestion_points_at_its_paragraph_in_a_cyrillic_original(llm):
    from articles.models import Status
    from articles.tests.factories import make_article

    original = make_article(
        complete=False,
        status=Status.INGESTED,
        title="Новая трамвайная линия",
        content_text=(
            "Городской совет утвердил строительство новой трамвайной линии до северных кварталов.\n\n"
            "Работы начнутся весной и продлятся около двух лет.\n\n"
            "Жители спрашивали о шуме, и проектировщики обещают уложить рельсы на резиновые подушки."
        ),
    )
    card = {**CARD, "roles": [], "insights": ["Проектировщики обещают резиновые подушки под рельсами против шума."]}
    llm.expect_request("/v1/chat/completions", method="POST").respond_with_json(completion(json.dumps(card)))

    enrich_article(article=original)

    insight = original.suggestions.get(section=Suggestion.Section.INSIGHT)
    assert insight.provenance == "from paragraph 3"


def answers(*replies):
    """A handler giving each reply in turn (the last one again if asked more often)."""
    queue = list(replies)

    def handler(_request):
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


def test_too_many_requests_waits_as_long_as_retry_after_says(llm, known_article, waits):
    busy = Response("slow down", status=429, headers={"Retry-After": "3"})
    fine = Response(json.dumps(completion(json.dumps(CARD))), content_type="application/json")
    llm.expect_request("/v1/chat/completions").respond_with_handler(answers(busy, fine))

    run = enrich_article(article=known_article)

    assert run.backend == EnrichmentRun.Backend.GENERATIVE
    assert waits == [3.0]
    assert len(llm.log) == 2


def test_a_retry_after_longer_than_the_limit_falls_back_at_once(llm, known_article, waits):
    llm.expect_request("/v1/chat/completions").respond_with_data("quota", status=429, headers={"Retry-After": "3600"})

    run = enrich_article(article=known_article)

    assert run.fallback_reason == (
        "Fell back to the extractive draft: the language model server answered HTTP 429 and asked to wait 3600 seconds."
    )
    assert waits == []


def test_the_schema_sent_allows_only_the_taxonomys_slugs_and_levels(llm, known_article):
    make_role("CTO")
    make_topic("Event streams")
    llm.expect_request("/v1/chat/completions").respond_with_json(completion(json.dumps(CARD)))

    enrich_article(article=known_article)

    body = llm.log[0][0].get_json()
    schema = body["response_format"]["json_schema"]["schema"]
    assert body["response_format"]["type"] == "json_schema"
    assert schema["properties"]["roles"]["items"]["enum"] == ["cto"]
    assert schema["properties"]["topics"]["items"]["enum"] == ["event-streams"]
    assert schema["properties"]["level"]["enum"] == ["introductory", "intermediate", "advanced", "expert"]
    assert set(schema["required"]) == set(schema["properties"]) >= {"summary", "takeaway", "method", "in_practice"}
    assert schema["additionalProperties"] is False


def test_slugs_outside_the_taxonomy_are_dropped_and_the_repair_recorded(llm, known_article):
    cto = make_role("CTO")
    streams = make_topic("Event streams")
    platforms = make_subfield(name="Data Infrastructure", slug="data-infrastructure")
    card = {
        **CARD,
        "roles": ["cto", "astronaut"],
        "topics": ["event-streams", "made-up-topic"],
        "fields": ["data-infrastructure"],
        "level": "wizard",
    }
    llm.expect_request("/v1/chat/completions").respond_with_json(completion(json.dumps(card)))

    run = enrich_article(article=known_article)

    assert run.backend == EnrichmentRun.Backend.GENERATIVE
    assert "dropped roles not in the taxonomy: “astronaut”" in run.fallback_reason
    assert "dropped topics not in the taxonomy: “made-up-topic”" in run.fallback_reason
    assert "dropped level “wizard”" in run.fallback_reason
    known_article.refresh_from_db()
    assert list(known_article.roles.all()) == [cto]
    assert list(known_article.fields.all()) == [platforms]
    assert known_article.suggestions.filter(section=Suggestion.Section.TOPIC, topic=streams).exists()


def test_an_answer_cut_off_at_the_token_limit_falls_back(llm, known_article):
    partial = json.dumps(CARD)[:120]
    llm.expect_request("/v1/chat/completions").respond_with_json(completion(partial, finish_reason="length"))

    run = enrich_article(article=known_article)

    assert run.backend == EnrichmentRun.Backend.EXTRACTIVE
    assert "cut off at the token limit" in run.fallback_reason


def test_a_card_with_only_the_required_sections_is_used_for_those(llm, known_article):
    partial = {key: CARD[key] for key in ("summary", "takeaway", "insights")}
    llm.expect_request("/v1/chat/completions").respond_with_json(completion(json.dumps(partial)))

    run = enrich_article(article=known_article)

    assert run.backend == EnrichmentRun.Backend.GENERATIVE
    known_article.refresh_from_db()
    assert known_article.takeaway == CARD["takeaway"] and known_article.principles == []


def test_a_huge_answer_is_refused_without_reading_it_all(llm, known_article):
    huge = completion(json.dumps({**CARD, "method": "x" * 400_000}))
    llm.expect_request("/v1/chat/completions").respond_with_json(huge)

    run = enrich_article(article=known_article)

    assert run.backend == EnrichmentRun.Backend.EXTRACTIVE
    assert "larger than 256 kB" in run.fallback_reason


def test_generated_text_that_copies_the_original_falls_back(llm, known_article):
    copied = {
        **CARD,
        "summary": "Harbour Logistics spent the spring moving its order system from nightly batch jobs to an event "
        "stream. The team of twelve engineers had run the batch jobs for nine years.",
        "takeaway": "The main lesson of the migration is that an event stream only pays off when every team owns "
        "the events it publishes.",
    }
    llm.expect_request("/v1/chat/completions").respond_with_json(completion(json.dumps(copied)))

    run = enrich_article(article=known_article)

    assert run.backend == EnrichmentRun.Backend.EXTRACTIVE
    assert "the generated text copies the original" in run.fallback_reason


def test_token_counts_are_recorded_and_shown_in_the_curation_panel(llm, known_article):
    from articles.admin.draft_panel import machine_draft

    usage = {"prompt_tokens": 912, "completion_tokens": 233, "total_tokens": 1145}
    llm.expect_request("/v1/chat/completions").respond_with_json(completion(json.dumps(CARD), usage=usage))

    run = enrich_article(article=known_article)

    assert (run.prompt_tokens, run.completion_tokens) == (912, 233)
    assert "912 tokens read, 233 written" in machine_draft(known_article)


def test_no_request_is_sent_while_every_slot_is_busy(llm, known_article, settings, waits):
    settings.ENRICH_LLM_CONCURRENCY = 1
    settings.ENRICH_LLM_RETRIES = 0
    # A live worker on another machine holds the only slot (a lease of articles.locks).
    locks.lock_cache().add("enrich:llm-slot:0", "another-host|4242|token", timeout=60)
    llm.expect_request("/v1/chat/completions").respond_with_json(completion(json.dumps(CARD)))
    try:
        run = enrich_article(article=known_article)
    finally:
        locks.lock_cache().delete("enrich:llm-slot:0")

    assert "all 1 language-model slots stayed busy for 121 seconds" in run.fallback_reason
    assert llm.log == []
    assert sum(waits) >= 120.5  # it waited as long as one request can last, then gave up


@pytest.fixture
def dead_holder():
    """The holder value of a process on this machine that has exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{locks.HOST}|{process.pid}|left-behind"


def test_a_slot_held_by_a_killed_worker_is_taken_over_at_once(llm, known_article, settings, waits, dead_holder):
    settings.ENRICH_LLM_CONCURRENCY = 1
    locks.lock_cache().add("enrich:llm-slot:0", dead_holder, timeout=60)
    llm.expect_request("/v1/chat/completions").respond_with_json(completion(json.dumps(CARD)))
    try:
        run = enrich_article(article=known_article)
    finally:
        locks.lock_cache().delete("enrich:llm-slot:0")

    assert run.backend == EnrichmentRun.Backend.GENERATIVE
    assert waits == []
    assert locks.lock_cache().get("enrich:llm-slot:0") is None  # released after the request


def test_an_answer_trickled_slower_than_the_timeout_falls_back(llm, known_article):
    def trickle(_request):
        def body():
            for _ in range(8):
                yield b" "
                time.sleep(0.1)
            yield json.dumps(completion(json.dumps(CARD))).encode()

        return Response(body(), content_type="application/json")

    llm.expect_request("/v1/chat/completions").respond_with_handler(trickle)

    run = enrich_article(article=known_article)

    assert run.backend == EnrichmentRun.Backend.EXTRACTIVE
    assert run.fallback_reason.endswith("the language model did not answer within 0.5 seconds.")


def test_check_backend_says_in_a_sentence_that_the_backend_works(llm):
    from io import StringIO

    from django.core.management import call_command

    summary = "A city opened new bus lanes; buses now run on time far more often and more people ride them."
    card = {**CARD, "summary": summary, "roles": []}
    usage = {"prompt_tokens": 300, "completion_tokens": 120}
    llm.expect_request("/v1/chat/completions").respond_with_json(completion(json.dumps(card), usage=usage))
    out = StringIO()

    call_command("enrich", check_backend=True, stdout=out)

    sentence = out.getvalue().strip()
    assert sentence.startswith(f"The backend at {llm.url_for('/v1')} (model “local-model”) works:")
    assert "matches the schema" in sentence and "300 prompt and 120 completion tokens" in sentence
    assert len(llm.log) == 1


def test_check_backend_says_what_does_not_work(llm):
    from django.core.management import CommandError, call_command

    llm.expect_request("/v1/chat/completions").respond_with_data("not found", status=404)

    with pytest.raises(CommandError, match="not usable"):
        call_command("enrich", check_backend=True)


def test_check_backend_without_a_backend_says_how_to_configure_one(capsys):
    from django.core.management import call_command

    call_command("enrich", check_backend=True)

    assert "set ENRICH_LLM_BASE_URL and ENRICH_LLM_MODEL" in capsys.readouterr().out
