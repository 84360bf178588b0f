"""What a page tells search engines and link previews: title, description, canonical
address, OpenGraph, feeds to subscribe to, and schema.org JSON-LD for briefs."""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from articles.models.base import address

DESCRIPTION_CHARS = 160
SHARE_IMAGE = "img/share-card.png"  # 1200×630, the card link previews show
# Inside <script>, "</script>" or "<!--" in a brief's text must not end or hide the block.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@dataclass
class FeedLink:
    title: str
    url: str
    mime: str


@dataclass
class PageMeta:
    title: str
    description: str
    canonical: str
    og_type: str = "website"
    feeds: list[FeedLink] = field(default_factory=list)
    json_ld: str = ""
    noindex: bool = False
    image: str = ""
    # Open Graph "article:*" facts for a brief's share card.
    published_time: str = ""
    modified_time: str = ""
    section: str = ""
    tags: list[str] = field(default_factory=list)


def brief_share_facts(brief) -> dict:
    """The article:* properties of a brief's share card (uses the prefetched taxonomy)."""
    groups = brief.field_groups()
    return {
        "published_time": brief.published_at.isoformat() if brief.published_at else "",
        "modified_time": brief.updated_at.isoformat(),
        "section": groups[0][0].name if groups else "",
        "tags": [topic.name for topic in brief.topics.all()],
    }


def describe(text: str) -> str:
    return Truncator(" ".join(strip_tags(text or "").split())).chars(DESCRIPTION_CHARS)


def site_feeds() -> list[FeedLink]:
    site = settings.SITE_NAME
    return [
        FeedLink(f"{site} — latest briefs (RSS)", address("articles:feed_rss"), "application/rss+xml"),
        FeedLink(f"{site} — latest briefs (Atom)", address("articles:feed_atom"), "application/atom+xml"),
        FeedLink(f"{site} — latest briefs (JSON Feed)", address("articles:feed_json"), "application/feed+json"),
    ]


def scope_feeds(scope: str, obj, label: str) -> list[FeedLink]:
    """RSS and Atom for one role, field, topic or source, before the site's own feeds."""
    return list_feeds(
        label,
        reverse(f"articles:{scope}_rss", args=[obj.slug]),
        reverse(f"articles:{scope}_atom", args=[obj.slug]),
    )


def list_feeds(label: str, rss: str, atom: str, query: str = "") -> list[FeedLink]:
    """A list's own RSS and Atom (its filters in `query`, "?a=b" or ""), then the site's feeds."""
    site = settings.SITE_NAME
    own = [
        FeedLink(f"{site} — {label} (RSS)", rss + query, "application/rss+xml"),
        FeedLink(f"{site} — {label} (Atom)", atom + query, "application/atom+xml"),
    ]
    return own + [feed for feed in site_feeds() if feed.url not in {link.url for link in own}]


def page_meta(request, *, title: str, description: str, page_number: int = 1, **extra) -> PageMeta:
    canonical = request.build_absolute_uri(request.path)
    if page_number > 1:
        canonical += f"?page={page_number}"
    extra.setdefault("feeds", site_feeds())
    extra.setdefault("image", request.build_absolute_uri(static(SHARE_IMAGE)))
    return PageMeta(title=title, description=describe(description), canonical=canonical, **extra)


def brief_json_ld(request, brief) -> str:
    """schema.org Article for a brief: our editorial piece, based on the original."""
    url = request.build_absolute_uri(brief.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": Truncator(brief.title).chars(110),
        "description": describe(brief.summary),
        "url": url,
        "mainEntityOfPage": url,
        "isBasedOn": brief.original_url,
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        "author": {"@type": "Organization", "name": settings.SITE_NAME},
        "keywords": [topic.name for topic in brief.topics.all()],
        "audience": [{"@type": "Audience", "audienceType": role.name} for role in brief.roles.all()],
    }
    if brief.published_at:
        data["datePublished"] = brief.published_at.isoformat()
    data["dateModified"] = brief.updated_at.isoformat()
    if brief.level:
        data["educationalLevel"] = brief.get_level_display()
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES))
