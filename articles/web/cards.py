"""Briefs' cards (home, listings, search), rendered once per version of what they show and kept.

A card shows a published brief's title, lead, source, dates, depth and roles; a change to any of
them bumps the page cache's version of that brief's page or of the whole site (page_cache.py), so
a card is kept under those two versions, exactly as the kept brief page is, and read with them in
one round trip for a whole page of cards (`WEB_CARD_SECONDS`). What differs per request is filled
in each time: whether the brief is best for the reader's roles (the card's mark and the roles it
names in bold) and, on the search page, the snippet that takes the lead's place.

The marks that leave places in a kept card are HTML comments: every brief text on a card is
escaped, so none can forge one.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article
from articles.web.page_cache import SCOPE_KEY, VERSION_KEY, page_store, read_versions

TEMPLATE = "articles/_card.html"
FOR_READER_MARK = "<!--card-for-reader-->"
LEAD_START, LEAD_END = "<!--card-lead-->", "<!--/card-lead-->"
_ROLE = re.compile(r"<!--role:([-\w]+)-->(.*?)<!--/role-->")


@dataclass(frozen=True)
class CardOf:
    """One brief to show as a card: its id and slug, whether it is best for the reader's roles,
    and the search snippet (safe HTML) shown instead of its lead, if any."""

    pk: int
    slug: str
    for_reader: bool = False
    snippet: str = ""


def card_key(slug: str) -> str:
    return f"web:card:{slug}"


def cards(briefs: list[CardOf], *, reader_roles=()) -> list[SafeString]:
    """The cards of `briefs`, in their order, as HTML, filled for this reader (see `kept_parts`)."""
    parts = kept_parts(briefs)
    return [fill(parts[brief.slug], brief, reader_roles) for brief in briefs if brief.slug in parts]


def kept_parts(briefs: list[CardOf]) -> dict[str, tuple[str, str, str]]:
    """The cards of `briefs` by slug, unfilled: kept ones read with the versions of what they show (one
    round trip for all), the others rendered from one query (and its prefetch) and kept."""
    if not briefs:
        return {}
    seconds = settings.WEB_CARD_SECONDS
    version_keys = [SCOPE_KEY + f"brief:{brief.slug}" for brief in briefs]
    found = read_versions([VERSION_KEY, *version_keys], also=tuple(card_key(b.slug) for b in briefs) if seconds else ())
    tokens = {brief.slug: f"{found[VERSION_KEY]}-{found[key]}" for brief, key in zip(briefs, version_keys, strict=True)}
    parts = {}
    for brief in briefs:
        stored = found.get(card_key(brief.slug))
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == tokens[brief.slug]:
            parts[brief.slug] = stored[1]
    missing = [brief.pk for brief in briefs if brief.slug not in parts]
    if missing:
        made = _render(missing)
        parts.update(made)
        if seconds:
            page_store().set_many(
                {card_key(slug): (tokens[slug], made[slug]) for slug in made if slug in tokens}, timeout=seconds
            )
    return parts


def _render(ids: list[int]) -> dict[str, tuple[str, str, str]]:
    """Each brief's card as (before the lead, the lead, after the lead), by slug, with the places to fill."""
    template = get_template(TEMPLATE)
    briefs = (
        Article.objects.filter(pk__in=ids)
        .select_related("source")
        .prefetch_related("roles")
        .only(*CARD_COLUMNS, "source__name")
    )
    made = {}
    for brief in briefs:
        html = template.render({"brief": brief})
        head, _, rest = html.partition(LEAD_START)
        lead, _, tail = rest.partition(LEAD_END)
        made[brief.slug] = (head, lead, tail)
    return made


# What a card reads of a brief's row (the long texts never).
CARD_COLUMNS = (
    "pk",
    "slug",
    "title",
    "takeaway",
    "summary",
    "source",
    "original_published_at",
    "published_at",
    "reading_minutes",
    "level",
)


def fill(parts: tuple[str, str, str], brief: CardOf, reader_roles) -> SafeString:
    """One card's HTML from its kept `parts`, marked for the reader and with the search snippet, if any."""
    head, lead, tail = parts
    head = head.replace(FOR_READER_MARK, " card-for-you" if brief.for_reader else "")
    if brief.snippet:
        lead = f'<p class="snippet">{brief.snippet}</p>'
    tail = _ROLE.sub(lambda m: f'<strong class="for-you">{m[2]}</strong>' if m[1] in reader_roles else m[2], tail)
    return mark_safe(head + lead + tail)
