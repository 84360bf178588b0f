"""Generative drafting through any OpenAI-compatible chat-completions server.

Off unless ENRICH_LLM_BASE_URL is set: a local llama.cpp server, Ollama, vLLM, or a hosted
API (recipes in the README). The model is asked for every section of the brief as one
JSON object, with the schema sent along (`response_format` of type `json_schema`, which
these servers use to constrain decoding): topics, fields and roles may only be slugs of the
existing taxonomy, the level one of its choices.

What comes back is checked, never trusted:
- the reply must be a chat completion that was not cut off at the token limit, and no
  larger than MAX_ANSWER_BYTES;
- the card must match the schema's structure (types, lengths, the required summary,
  takeaway and insights). A slug outside the taxonomy or an unknown level is repaired by
  dropping it, and the repair is recorded on the draft;
- the written sections must pass the originality check like any curator's text.
Anything else raises `GenerativeFailure` with a reason a curator can read; the caller
falls back to the extractive draft and records it.

At most ENRICH_LLM_CONCURRENCY requests run at once across every worker: the slots are
leases of articles.locks (`model_slot`), so a worker that dies holding one frees it as any
lease lapses. 429 and 502-504 answers
and refused connections are retried up to ENRICH_LLM_RETRIES times, waiting as long as
the server's Retry-After asks (up to MAX_RETRY_AFTER) or with exponential backoff. A
timeout is not retried: a model too slow once is too slow again, and the worker's time
is better spent on the extractive draft. Tokens reported by the server (`usage`) are
counted over every attempt.
"""

import email.utils
import json
import random
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    import httpx
# httpx and jsonschema are imported where a call to the model needs them: most processes (every drafting process
# while ENRICH_LLM_BASE_URL is unset, the web, the admin) never use them, and they took a quarter of a second of
# each process's start-up (`python -X importtime manage.py enrich`).

TEXT_CHARS = 12000  # enough for the model to see the piece; bounded so a huge page cannot blow the context
MAX_ANSWER_BYTES = 256 * 1024
MAX_RETRY_AFTER = 120.0
RETRIED_STATUSES = frozenset({429, 502, 503, 504})

_item = {"type": "string", "minLength": 1, "maxLength": 600}
# "Why it matters for <role>" (the anatomy's per-role section): one note per role of the card.
ROLE_NOTES = "role_notes"
_note = {
    "type": "object",
    "required": ["role", "text"],
    "properties": {"role": {"type": "string", "maxLength": 140}, "text": {**_item, "minLength": 10}},
}
SECTIONS = ("summary", "takeaway", "insights", "principles", "method", "in_practice")
TAXONOMY_KEYS = {"topics": 5, "fields": 3, "roles": 4}

SYSTEM_PROMPT = (
    "You are the first-draft assistant of an editorial team that publishes briefs about other people's articles. "
    "Write in your own words: never copy sentences from the article. Answer with one JSON object only, matching "
    'the schema given: "summary" (one paragraph: what the piece says and why it matters), "takeaway" (the main '
    'claim in one or two sentences, addressed to the readers in "roles"), "insights" (short distinct claims, most '
    'important first), "principles" (general rules the piece supports), "method" (how the work was done, or ""), '
    '"in_practice" (concrete applications), and from the lists given only: "topics", "fields" and "roles" (slugs; '
    'an empty list when none fits) and "level" (how much the piece assumes its reader knows). "role_notes": for each '
    'role in "roles", one short note (one to three sentences) addressed to readers in that role: why the piece '
    "matters to them and what to do about it."
)

FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


class GenerativeFailure(Exception):
    """The generative backend gave no usable card; the message is the reason recorded on the draft."""

    def __init__(self, message: str, *, usage: dict | None = None):
        super().__init__(message)
        self.usage = usage or {}


@dataclass
class Taxonomy:
    """The slugs and choices the model may answer with."""

    topics: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)

    @classmethod
    def current(cls) -> "Taxonomy":
        from articles.models import Field, Level, Role, Topic

        return cls(
            topics=list(Topic.objects.order_by("slug").values_list("slug", flat=True)),
            fields=list(Field.objects.subfields().order_by("slug").values_list("slug", flat=True)),
            roles=list(Role.objects.order_by("slug").values_list("slug", flat=True)),
            levels=list(Level.values),
        )


@dataclass
class Card:
    """A validated card: the sections, the repairs made to it, and the tokens it cost."""

    sections: dict
    repairs: list[str] = field(default_factory=list)
    usage: dict = field(default_factory=dict)


def is_enabled() -> bool:
    return bool(settings.ENRICH_LLM_BASE_URL)


def card_schema() -> dict:
    """The structure of a card as we accept it: types, lengths, the required sections."""
    slugs = {"type": "array", "items": {"type": "string", "maxLength": 140}}
    return {
        "type": "object",
        "required": ["summary", "takeaway", "insights"],
        "properties": {
            "summary": {"type": "string", "minLength": 20, "maxLength": 2000},
            "takeaway": {"type": "string", "minLength": 10, "maxLength": 800},
            "insights": {"type": "array", "items": _item, "minItems": 1, "maxItems": 8},
            "principles": {"type": "array", "items": _item, "maxItems": 8},
            "method": {"type": "string", "maxLength": 1500},
            "in_practice": {"type": "array", "items": _item, "maxItems": 8},
            **{key: {**slugs, "maxItems": most} for key, most in TAXONOMY_KEYS.items()},
            "level": {"type": "string", "maxLength": 40},
            ROLE_NOTES: {"type": "array", "items": _note, "maxItems": TAXONOMY_KEYS["roles"]},
        },
    }


# The structure every answer must have; slugs and levels are checked apart, so that one
# made-up topic is dropped (and said so) instead of costing the whole card.
CARD_SCHEMA = card_schema()


def requested_schema(taxonomy: Taxonomy) -> dict:
    """The schema sent to the server: every section asked for, slugs and levels as enums.

    Kept to what every constrained decoder accepts (OpenAI's strict structured outputs,
    llama.cpp's grammar, vLLM, Ollama): all keys required, no extra keys, no length
    keywords. Lengths are checked on our side against CARD_SCHEMA.
    """
    text, texts = {"type": "string"}, {"type": "array", "items": {"type": "string"}}

    def choice(allowed: list[str]) -> dict:
        # An empty taxonomy still needs a valid enum; an empty string is dropped on our side.
        return {"type": "array", "items": {"type": "string", "enum": allowed or [""]}}

    properties = {
        "summary": text,
        "takeaway": text,
        "insights": texts,
        "principles": texts,
        "method": text,
        "in_practice": texts,
        "topics": choice(taxonomy.topics),
        "fields": choice(taxonomy.fields),
        "roles": choice(taxonomy.roles),
        "level": {"type": "string", "enum": taxonomy.levels},
        ROLE_NOTES: {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"role": choice(taxonomy.roles)["items"], "text": text},
                "required": ["role", "text"],
                "additionalProperties": False,
            },
        },
    }
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def _request_body(article, taxonomy: Taxonomy) -> dict:
    user = (
        f"Title: {article.title}\nSource: {article.source.name}\n"
        f"Topics to choose from: {', '.join(taxonomy.topics) or '(none)'}\n"
        f"Fields to choose from: {', '.join(taxonomy.fields) or '(none)'}\n"
        f"Roles to choose from: {', '.join(taxonomy.roles) or '(none)'}\n"
        f"Levels: {', '.join(taxonomy.levels)}\n\n"
        f"Article:\n{(article.content_text or '')[:TEXT_CHARS]}"
    )
    return {
        "model": settings.ENRICH_LLM_MODEL,
        "temperature": 0.2,
        "max_tokens": settings.ENRICH_LLM_MAX_TOKENS,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "brief_card", "strict": True, "schema": requested_schema(taxonomy)},
        },
        "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}],
    }


def parse_card(content, taxonomy: Taxonomy | None = None) -> dict:
    """The card in a model's answer, matching CARD_SCHEMA (slugs are checked by `repair_slugs`)."""
    if not isinstance(content, str) or not content.strip():
        raise GenerativeFailure("the model's answer was empty")
    text = content.strip()
    fenced = FENCE.match(text)
    if fenced:  # many models wrap JSON in a Markdown code fence despite being asked not to
        text = fenced.group(1)
    try:
        card = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GenerativeFailure(f"the model's answer is not valid JSON ({exc.msg} at character {exc.pos})") from None
    import jsonschema

    try:
        jsonschema.validate(card, CARD_SCHEMA)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(part) for part in exc.absolute_path) or "the card"
        message = exc.message if len(exc.message) <= 200 else exc.message[:200] + "…"
        raise GenerativeFailure(f"the model's card does not match the schema: {message} (at {where})") from None
    return card


def repair_slugs(card: dict, taxonomy: Taxonomy) -> list[str]:
    """Drop from `card` every slug outside the taxonomy and an unknown level; return what was dropped."""
    repairs = []
    for key in TAXONOMY_KEYS:
        allowed = set(getattr(taxonomy, key))
        given = [slug for slug in card.get(key) or [] if slug]
        unknown = [slug for slug in given if slug not in allowed]
        if unknown:
            shown = ", ".join(f"“{slug[:60]}”" for slug in unknown[:3])
            repairs.append(f"dropped {key} not in the taxonomy: {shown}")
        card[key] = list(dict.fromkeys(slug for slug in given if slug in allowed))
    if card.get("level") and card["level"] not in taxonomy.levels:
        repairs.append(f"dropped level “{str(card['level'])[:40]}” (not one of {', '.join(taxonomy.levels)})")
        card["level"] = ""
    return repairs + _repair_role_notes(card)


def _repair_role_notes(card: dict) -> list[str]:
    """Keep one note per role of the card's (already repaired) roles; say what was dropped."""
    kept, dropped = {}, []
    for note in card.get(ROLE_NOTES) or []:
        role = note["role"]
        if role in card["roles"] and role not in kept:
            kept[role] = note["text"].strip()
        else:
            dropped.append(role)
    card[ROLE_NOTES] = [{"role": role, "text": text} for role, text in kept.items()]
    if not dropped:
        return []
    shown = ", ".join(f"“{role[:60]}”" for role in dropped[:3])
    return [f"dropped notes for roles the draft is not best for (or given twice): {shown}"]


def _check_originality(card: dict, original: str):
    from articles.enrich.originality import brief_sections, compare

    written = SimpleNamespace(**{key: card.get(key) for key in (*SECTIONS, ROLE_NOTES)})
    report = compare(brief_sections(written), original)
    if report.exceeds():
        raise GenerativeFailure(
            f"the generated text copies the original: {report.describe()} (above the "
            f"{round(settings.ENRICH_ORIGINALITY_MAX_SHARE * 100)}% limit)"
        )


def _usage(payload: dict, usage: dict):
    reported = payload.get("usage") if isinstance(payload, dict) else None
    if isinstance(reported, dict):
        for key in ("prompt_tokens", "completion_tokens"):
            if isinstance(reported.get(key), int):
                usage[key] = usage.get(key, 0) + reported[key]


def _answer_text(payload) -> str:
    try:
        choice = payload["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise GenerativeFailure("the server's reply is not a chat-completions response") from None
    if choice.get("finish_reason") == "length":
        raise GenerativeFailure(
            "the model's answer was cut off at the token limit "
            f"(ENRICH_LLM_MAX_TOKENS={settings.ENRICH_LLM_MAX_TOKENS})"
        )
    return content


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _sleep(seconds: float):
    time.sleep(seconds)


@contextmanager
def _slot():
    """One of ENRICH_LLM_CONCURRENCY request slots shared by every worker (articles.locks); waits for a free one."""
    from articles.locks import ModelBusy, model_slot

    # As long as one request can last with its retries: by then a live holder has let go.
    wait = settings.ENRICH_LLM_TIMEOUT_SECONDS * (settings.ENRICH_LLM_RETRIES + 1) + MAX_RETRY_AFTER
    try:
        with model_slot(wait=wait):
            yield
    except ModelBusy as busy:
        raise GenerativeFailure(str(busy)) from None


def _post(client: "httpx.Client", url: str, body: dict, headers: dict, usage: dict) -> dict:
    """POST with retries; the parsed JSON reply of the first answer that is not retried."""
    import httpx

    timeout = settings.ENRICH_LLM_TIMEOUT_SECONDS
    attempts = settings.ENRICH_LLM_RETRIES + 1
    for attempt in range(1, attempts + 1):
        last = attempt == attempts
        # httpx's timeout bounds each wait for bytes; a server trickling its answer a few bytes at a
        # time would never trip it, so the whole answer has a deadline too.
        deadline = time.monotonic() + timeout
        try:
            with client.stream("POST", url, json=body, headers=headers) as response:
                status, wait = response.status_code, retry_after_seconds(response.headers.get("Retry-After"))
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > MAX_ANSWER_BYTES:
                        raise GenerativeFailure(
                            f"the model's answer was larger than {MAX_ANSWER_BYTES // 1024} kB", usage=usage
                        )
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("the whole answer took too long")
        except httpx.InvalidURL as exc:
            raise GenerativeFailure(f"ENRICH_LLM_BASE_URL is not a usable address ({exc})") from None
        except httpx.TimeoutException:
            raise GenerativeFailure(
                f"the language model did not answer within {timeout:g} seconds", usage=usage
            ) from None
        except (httpx.ConnectError, httpx.RemoteProtocolError) as exc:
            if last:
                raise GenerativeFailure(
                    f"the language model could not be reached ({exc.__class__.__name__}: {exc}) after {attempts} "
                    "attempts",
                    usage=usage,
                ) from None
            _sleep(_backoff(attempt))
            continue
        except httpx.HTTPError as exc:
            raise GenerativeFailure(
                f"the language model could not be reached ({exc.__class__.__name__}: {exc})", usage=usage
            ) from None
        try:
            payload = json.loads(bytes(data))
        except ValueError:
            payload = None
        _usage(payload, usage)
        if status in RETRIED_STATUSES and not last:
            if wait is not None and wait > MAX_RETRY_AFTER:
                raise GenerativeFailure(
                    f"the language model server answered HTTP {status} and asked to wait {wait:.0f} seconds",
                    usage=usage,
                )
            _sleep(wait if wait is not None else _backoff(attempt))
            continue
        if status != 200:
            tries = f" (after {attempt} attempts)" if attempt > 1 else ""
            raise GenerativeFailure(f"the language model server answered HTTP {status}{tries}", usage=usage)
        if payload is None:
            raise GenerativeFailure("the server's reply is not a chat-completions response", usage=usage)
        return payload
    raise AssertionError("unreachable: the last attempt returns or raises")


def _backoff(attempt: int) -> float:
    return min(30.0, 2.0 ** (attempt - 1)) + random.uniform(0, 0.5)  # jitter, not security


def _ask(article, taxonomy: Taxonomy) -> tuple[dict, dict]:
    """(payload, usage) of one chat-completions call for `article`, within a concurrency slot."""
    base = settings.ENRICH_LLM_BASE_URL.rstrip("/")
    headers = {"Authorization": f"Bearer {settings.ENRICH_LLM_API_KEY}"} if settings.ENRICH_LLM_API_KEY else {}
    usage: dict = {}
    timeout = settings.ENRICH_LLM_TIMEOUT_SECONDS
    import httpx

    try:
        client = httpx.Client(timeout=timeout, follow_redirects=False)
    except httpx.InvalidURL as exc:
        raise GenerativeFailure(f"ENRICH_LLM_BASE_URL is not a usable address ({exc})") from None
    with client, _slot():
        payload = _post(client, f"{base}/chat/completions", _request_body(article, taxonomy), headers, usage)
    return payload, usage


def generate_card(*, article, taxonomy: Taxonomy | None = None) -> Card:
    """Ask the configured model for `article`'s card; raise GenerativeFailure with the reason if it is unusable."""
    taxonomy = taxonomy or Taxonomy.current()
    payload, usage = _ask(article, taxonomy)
    try:
        card = parse_card(_answer_text(payload))
        repairs = repair_slugs(card, taxonomy)
        _check_originality(card, article.content_text or "")
    except GenerativeFailure as failure:
        failure.usage = usage
        raise
    return Card(sections=card, repairs=repairs, usage=usage)


def check_backend() -> str:
    """One real call to the configured backend, described in a sentence: what works and what does not."""
    if not is_enabled():
        return "No generative backend is configured: set ENRICH_LLM_BASE_URL and ENRICH_LLM_MODEL to use one."
    where = f"{settings.ENRICH_LLM_BASE_URL} (model “{settings.ENRICH_LLM_MODEL}”)"
    sample = SimpleNamespace(
        title="A city adds bus lanes",
        source=SimpleNamespace(name="Backend check"),
        content_text=(
            "The city opened twelve kilometres of bus lanes in March. Buses on the busiest route now arrive on time "
            "nine times in ten, up from six in ten, and ridership rose by a fifth within two months. Shop owners "
            "who feared losing parking report steady sales."
        ),
    )
    started = time.monotonic()
    try:
        card = generate_card(article=sample)
    except GenerativeFailure as failure:
        tokens = _describe_usage(failure.usage)
        return f"The backend at {where} is not usable for drafting: {failure}{tokens}."
    seconds = time.monotonic() - started
    repaired = f"; it needed repairs ({'; '.join(card.repairs)})" if card.repairs else ""
    return (
        f"The backend at {where} works: it answered in {seconds:.1f} seconds with a card that matches the schema"
        f"{repaired}{_describe_usage(card.usage)}."
    )


def _describe_usage(usage: dict) -> str:
    if not usage:
        return " (the server reported no token counts)"
    return f" ({usage.get('prompt_tokens', 0)} prompt and {usage.get('completion_tokens', 0)} completion tokens)"
