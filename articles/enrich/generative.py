"""Optional generative drafting through an OpenAI-compatible chat-completions endpoint.

Off unless ENRICH_LLM_BASE_URL is set (a local server running an open-weight model, or a
hosted one). The model is asked for the whole card as one JSON object, which must match
CARD_SCHEMA; anything else (no answer in time, an HTTP error, prose instead of JSON, a
card missing its takeaway …) raises `GenerativeFailure` with a reason a curator can read,
and the caller falls back to the extractive draft and records that reason.
"""

import json
import re

import httpx
import jsonschema
from django.conf import settings

TEXT_CHARS = 12000  # enough for the model to see the piece; bounded so a huge page cannot blow the context

_item = {"type": "string", "minLength": 1, "maxLength": 600}
CARD_SCHEMA = {
    "type": "object",
    "required": ["summary", "takeaway", "insights"],
    "properties": {
        "summary": {"type": "string", "minLength": 20, "maxLength": 2000},
        "takeaway": {"type": "string", "minLength": 10, "maxLength": 800},
        "insights": {"type": "array", "items": _item, "minItems": 1, "maxItems": 8},
        "principles": {"type": "array", "items": _item, "maxItems": 8},
        "method": {"type": "string", "maxLength": 1500},
        "in_practice": {"type": "array", "items": _item, "maxItems": 8},
        "roles": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 120}, "maxItems": 8},
    },
}

SYSTEM_PROMPT = (
    "You are the first-draft assistant of an editorial team that publishes briefs about other people's articles. "
    "Write in your own words: never copy sentences from the article. Answer with one JSON object only, with the "
    'keys "summary" (one paragraph: what the piece says and why it matters), "takeaway" (one or two sentences '
    'addressed to the readers in "roles"), "insights" (list of short distinct claims, most important first), '
    '"principles" (list), "method" (how the work was done, or ""), "in_practice" (list of concrete applications) '
    'and "roles" (readers the piece is best for, chosen from the list given).'
)

FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


class GenerativeFailure(Exception):
    """The generative backend gave no usable card; the message is the reason recorded on the draft."""


def is_enabled() -> bool:
    return bool(settings.ENRICH_LLM_BASE_URL)


def _request_body(article, role_names: list[str]) -> dict:
    user = (
        f"Title: {article.title}\nSource: {article.source.name}\n"
        f"Roles to choose from: {', '.join(role_names) or '(none defined yet)'}\n\n"
        f"Article:\n{(article.content_text or '')[:TEXT_CHARS]}"
    )
    return {
        "model": settings.ENRICH_LLM_MODEL,
        "temperature": 0.2,
        "response_format": {"type": "json_object"},
        "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}],
    }


def _answer_text(response: httpx.Response) -> str:
    try:
        return response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise GenerativeFailure("the server's reply is not a chat-completions response") from None


def parse_card(content) -> dict:
    """The card in a model's answer, validated against CARD_SCHEMA."""
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
    try:
        jsonschema.validate(card, CARD_SCHEMA)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(part) for part in exc.absolute_path) or "the card"
        raise GenerativeFailure(f"the model's card does not match the schema: {exc.message} (at {where})") from None
    return card


def generate_card(*, article, role_names: list[str]) -> dict:
    """Ask the configured model for `article`'s card; raise GenerativeFailure with the reason if it fails."""
    base = settings.ENRICH_LLM_BASE_URL.rstrip("/")
    headers = {"Authorization": f"Bearer {settings.ENRICH_LLM_API_KEY}"} if settings.ENRICH_LLM_API_KEY else {}
    timeout = settings.ENRICH_LLM_TIMEOUT_SECONDS
    try:
        response = httpx.post(
            f"{base}/chat/completions",
            json=_request_body(article, role_names),
            headers=headers,
            timeout=timeout,
            follow_redirects=False,
        )
    except httpx.InvalidURL as exc:
        raise GenerativeFailure(f"ENRICH_LLM_BASE_URL is not a usable address ({exc})") from None
    except httpx.TimeoutException:
        raise GenerativeFailure(f"the language model did not answer within {timeout:g} seconds") from None
    except httpx.HTTPError as exc:
        raise GenerativeFailure(f"the language model could not be reached ({exc.__class__.__name__}: {exc})") from None
    if response.status_code != 200:
        raise GenerativeFailure(f"the language model server answered HTTP {response.status_code}")
    return parse_card(_answer_text(response))
