"""What a feed address would give if it were ingested now, without storing anything.

Fetched through the guarded fetcher and read by the same parser as ingestion, so "Test feed"
and the check on save see exactly what the next run would see. Safe to call from a request:
it writes nothing and is bounded by the fetcher's own timeouts and size limit.
"""

import re
from dataclasses import dataclass, field
from html import unescape

from articles.ingest.fetch import FetchError, fetch
from articles.ingest.parse import FeedError, parse_feed

SHOWN_ITEMS = 10
# An item carrying at most this many words, or whose text stops on a "read more" mark, is a teaser;
# a feed most of whose items are teasers gives teasers, not articles.
TEASER_WORDS = 120
CUT_SHORT = re.compile(
    r"(\.\.\.|…|\[…\]|\[\.\.\.\]|\(more…\)|read more|continue reading|keep reading|read the full \w+"
    r"|read the rest of this entry)\W*$",
    re.IGNORECASE,
)


@dataclass
class FeedPreview:
    url: str
    problem: str = ""  # one sentence for the curator; empty when the address is a readable feed
    title: str = ""
    format: str = ""
    item_count: int = 0
    items: list[dict] = field(default_factory=list)  # the first SHOWN_ITEMS: title, link, words
    average_words: int = 0
    teasers: int = 0  # items that are short or stop on a "read more" mark

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def teaser_only(self) -> bool:
        return self.ok and self.item_count > 0 and self.teasers * 2 > self.item_count

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "ok": self.ok,
            "problem": self.problem,
            "title": self.title,
            "format": self.format,
            "item_count": self.item_count,
            "items": self.items,
            "average_words": self.average_words,
            "teasers": self.teasers,
            "teaser_only": self.teaser_only,
        }


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html or "")).split())


def is_teaser(html: str) -> bool:
    """Whether an item's text is a teaser: a few lines, or cut short with "…" or "Read more"."""
    text = _text(html)
    return len(text.split()) <= TEASER_WORDS or bool(CUT_SHORT.search(text))


def preview_feed(url: str) -> FeedPreview:
    """Fetch `url` now and say what ingesting it would import, or why it cannot be."""
    try:
        result = fetch(url)
        parsed = parse_feed(result.content, url=result.url, content_type=result.content_type, headers=result.headers)
    except (FetchError, FeedError) as problem:
        return FeedPreview(url=url, problem=str(problem))
    if not parsed.entries:
        return FeedPreview(url=url, title=parsed.title, format=parsed.format)  # readable, nothing to import yet
    texts = [entry.content_html or entry.summary_html for entry in parsed.entries]
    words = [len(_text(html).split()) for html in texts]
    return FeedPreview(
        url=url,
        title=parsed.title,
        format=parsed.format,
        item_count=len(parsed.entries),
        items=[
            {"title": entry.title or "(no title)", "link": entry.link, "words": count}
            for entry, count in zip(parsed.entries[:SHOWN_ITEMS], words, strict=False)
        ],
        average_words=round(sum(words) / len(words)),
        teasers=sum(is_teaser(html) for html in texts),
    )
