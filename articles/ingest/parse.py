"""Untrusted feed bytes → a list of entries. RSS 0.9x/1.0/2.0, Atom and RDF go through
feedparser; JSON Feed 1.0/1.1 has its own small parser.

No entity is ever expanded: a DOCTYPE's internal subset (where entities are declared) is
cut out before any XML parser sees the document, so billion-laughs and quadratic-blowup
documents lose their bombs, and an external entity is never declared, let alone opened.
feedparser itself gets a byte stream, never a string, because it treats strings as URLs
or file names to open.

feedparser's own HTML sanitizer and relative-link resolver are off: they ran over every item's
markup in pure Python (about 40% of parsing), only for normalize.py to sanitize it again with nh3.
Every stored HTML goes through nh3 there, which also makes links absolute against the base
feedparser reports for each text (xml:base, else the feed's address); markup in a title is
reduced to its text here.
"""

import calendar
import html
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
import nh3

from articles.ingest.fastparse import read_feed

JSON_FEED_VERSION_PREFIX = "https://jsonfeed.org/version/"


class FeedError(Exception):
    """The document is not a feed we can read; the message is written for a curator."""


@dataclass
class Entry:
    link: str = ""
    guid: str = ""
    title: str = ""
    content_html: str = ""
    summary_html: str = ""
    # What relative links in the content and the summary are relative to (xml:base, else the feed's address).
    content_base: str = ""
    summary_base: str = ""
    author: str = ""
    published: datetime | None = None
    language: str = ""
    # Other addresses of the same item (a linked-list post's own permalink, a URL guid),
    # used when its main link is already taken by another item of the same feed.
    alternates: list[str] = field(default_factory=list)


@dataclass
class ParsedFeed:
    title: str = ""
    link: str = ""
    format: str = ""
    entries: list[Entry] = field(default_factory=list)
    malformed: str = ""  # why the parser had to recover, when it did


# --- Neutralizing DOCTYPE declarations ------------------------------------------------

_WIDE_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be", b"\x00\x00\xfe\xff"),
    (b"\xff\xfe\x00\x00", "utf-32-le", b"\xff\xfe\x00\x00"),
    (b"\xfe\xff", "utf-16-be", b"\xfe\xff"),
    (b"\xff\xfe", "utf-16-le", b"\xff\xfe"),
)
_WIDE_PATTERNS = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)
# `<!DOCTYPE name [external id] [ internal subset ]>`: the subset goes, the rest stays
# (feedparser tells RSS 0.91 Netscape from Userland by the public id).
_SUBSET_RE = r"(<!DOCTYPE\b[^\[>]*)\[.*?\]\s*>"
_SUBSET_BYTES = re.compile(_SUBSET_RE.encode(), re.DOTALL | re.IGNORECASE)
_SUBSET_TEXT = re.compile(_SUBSET_RE, re.DOTALL | re.IGNORECASE)
# A subset opened but never closed would hide its declarations from the pattern above.
_OPEN_SUBSET_BYTES = re.compile(rb"<!DOCTYPE\b[^\[>]*\[", re.IGNORECASE)
_OPEN_SUBSET_TEXT = re.compile(r"<!DOCTYPE\b[^\[>]*\[", re.IGNORECASE)


def _wide_encoding(data: bytes) -> tuple[str, bytes] | None:
    for bom, codec, prefix in _WIDE_BOMS:
        if data.startswith(bom):
            return codec, prefix
    for pattern, codec in _WIDE_PATTERNS:
        if data.startswith(pattern):
            return codec, b""
    return None


def neutralize_doctype(data: bytes) -> bytes:
    """`data` with every DOCTYPE internal subset removed, in the document's own encoding."""
    wide = _wide_encoding(data)
    if wide is None:
        data = _SUBSET_BYTES.sub(rb"\1>", data)
        return _OPEN_SUBSET_BYTES.sub(b"<!-- internal DTD subset removed -->", data)
    codec, prefix = wide
    text = data[len(prefix) :].decode(codec, errors="replace")
    cleaned = _OPEN_SUBSET_TEXT.sub("<!-- internal DTD subset removed -->", _SUBSET_TEXT.sub(r"\1>", text))
    if cleaned == text:
        return data
    return prefix + cleaned.encode(codec)


# --- Parsing ----------------------------------------------------------------------------


def parse_feed(content: bytes, *, url: str, content_type: str = "", headers: dict | None = None) -> ParsedFeed:
    """Read `content` fetched from `url`; raise FeedError when it holds no feed at all."""
    if not content or not content.strip():
        raise FeedError("The feed is empty.")
    if _looks_like_json(content, content_type):
        return parse_json_feed(content, url=url)
    return _parse_xml_feed(content, url=url, content_type=content_type, headers=headers or {})


def _looks_like_json(content: bytes, content_type: str) -> bool:
    start = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    # Servers mislabel feeds often; what the body starts with wins over the header.
    return start == b"{" or ("json" in content_type.lower() and start != b"<")


_BLANK_BEFORE_DECLARATION = re.compile(rb"[ \t\r\n]+(?=<\?xml[ \t\r\n])")
BLANK_BEFORE_DECLARATION = "blank text before the XML declaration (skipped)"


def _parse_xml_feed(content: bytes, *, url: str, content_type: str, headers: dict) -> ParsedFeed:
    response_headers = {"content-location": headers.get("content-location") or url}
    if content_type:
        response_headers["content-type"] = content_type
    if headers.get("content-language"):
        response_headers["content-language"] = headers["content-language"]
    content = neutralize_doctype(content)
    # A blank line before the XML declaration (a slip of blog software: TechCrunch's feed) makes
    # the document not well-formed; the fast reader reads what follows it, declared encoding
    # included (feedparser, not finding the declaration at the start, ignores it); so is Sam Ruby's,
    # inline SVG and all. What the fast reader still refuses goes to feedparser as it was fetched.
    blank = _BLANK_BEFORE_DECLARATION.match(content)
    fast = read_feed(content[blank.end() :] if blank else content, headers=response_headers)
    if fast is not None:
        problem = fast["bozo_exception"] or (BLANK_BEFORE_DECLARATION if blank else None)
        return _parsed_from_feedparser_shape(fast["version"], fast["feed"], fast["entries"], problem)
    return _parse_with_feedparser(content, url=url, response_headers=response_headers)


def _parse_with_feedparser(content: bytes, *, url: str, response_headers: dict) -> ParsedFeed:
    """The whole of feedparser, for every document the fast reader (fastparse.py) leaves to it."""
    try:
        result = feedparser.parse(
            io.BytesIO(content),
            response_headers=response_headers,
            sanitize_html=False,  # nh3 sanitizes every stored text (normalize.py)
            resolve_relative_uris=False,  # ... and resolves links against each text's base
        )
    except Exception as exc:  # feedparser is robust, but a crash must not take the worker with it
        raise FeedError(f"The feed could not be read ({exc.__class__.__name__}: {exc}).") from None
    version = result.get("version") or ""
    if not version and not result.entries:
        advertised = advertised_feed(content, url=url)
        if advertised:
            raise FeedError(
                f"This is a web page, not a feed; the page names its feed at {advertised}: use that address."
            )
        problem = result.get("bozo_exception")
        detail = f": {problem}" if problem else ""
        raise FeedError(f"This is not an RSS, Atom, RDF or JSON feed{detail}.")
    return _parsed_from_feedparser_shape(
        version, result.feed, result.entries, result.get("bozo_exception") if result.get("bozo") else None
    )


def _parsed_from_feedparser_shape(version: str, feed, items, problem) -> ParsedFeed:
    return ParsedFeed(
        title=_title(feed),
        link=feed.get("link", ""),
        format=version,
        entries=[_entry_from_feedparser(item) for item in items],
        malformed=str(problem or "") if problem is not None else "",
    )


_LINK_TAG = re.compile(rb"<link\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(rb"""([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
FEED_TYPES = {b"application/rss+xml", b"application/atom+xml", b"application/feed+json", b"application/json"}


def advertised_feed(content: bytes, *, url: str) -> str:
    """The feed address a web page advertises with <link rel="alternate" type="application/rss+xml">, if any."""
    for tag in _LINK_TAG.findall(content[:200_000]):
        attributes = {m[0].lower(): (m[1] or m[2]) for m in _ATTRIBUTE.findall(tag)}
        if b"alternate" in attributes.get(b"rel", b"").lower().split() and (
            attributes.get(b"type", b"").lower() in FEED_TYPES
        ):
            href = attributes.get(b"href", b"").decode("utf-8", "replace").strip()
            if href:
                return urljoin(url, href)
    return ""


def _entry_from_feedparser(item) -> Entry:
    content, content_base = "", ""
    for part in item.get("content") or []:
        value = part.get("value") or ""
        if len(value) > len(content):
            content, content_base = value, part.get("base") or ""
    summary = item.get("summary") or ""
    link = item.get("link") or ""
    guid = item.get("id") or ""
    if not link and guid.startswith(("http://", "https://")):
        link = guid
    alternates = [
        other.get("href", "")
        for other in item.get("links") or []
        if other.get("rel") in ("related", "alternate") and other.get("href") and other.get("href") != link
    ]
    if guid.startswith(("http://", "https://")) and guid != link:
        alternates.append(guid)
    return Entry(
        alternates=alternates,
        link=link.strip(),
        guid=guid.strip()[:1000],
        title=_title(item),
        content_html=content,
        summary_html=summary if summary != content else "",
        content_base=content_base,
        summary_base=(item.get("summary_detail") or {}).get("base") or "",
        author=_text(item.get("author")),
        published=_struct_to_datetime(item.get("published_parsed") or item.get("updated_parsed")),
        language=(item.get("language") or "")[:20],
    )


def _struct_to_datetime(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _text(value) -> str:
    return " ".join(str(value or "").split())


MARKUP_TYPES = {"text/html", "application/xhtml+xml"}


def _title(element) -> str:
    """A feed's or an item's title as plain text: a title given as HTML keeps its words, not its tags."""
    title = element.get("title") or ""
    if (element.get("title_detail") or {}).get("type") in MARKUP_TYPES and "<" in title:
        title = html.unescape(nh3.clean(title, tags=set(), clean_content_tags={"script", "style"}))
    return _text(title)


# --- JSON Feed ----------------------------------------------------------------------------


def parse_json_feed(content: bytes, *, url: str) -> ParsedFeed:
    """JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1); relative URLs resolved against `url`."""
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"The JSON feed is not valid JSON ({exc}).") from None
    except RecursionError:
        raise FeedError("The JSON feed is nested too deeply to be read.") from None
    if not isinstance(document, dict):
        raise FeedError("The JSON feed is not an object.")
    version = document.get("version")
    if not isinstance(version, str) or not version.startswith(JSON_FEED_VERSION_PREFIX):
        raise FeedError("This JSON document is not a JSON Feed (its version is not https://jsonfeed.org/version/…).")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError("The JSON feed has no list of items.")
    base = _string(document.get("feed_url")) or url
    base = urljoin(url, base)
    entries = [_entry_from_json(item, base) for item in items if isinstance(item, dict)]
    return ParsedFeed(
        title=_text(_string(document.get("title"))),
        link=_string(document.get("home_page_url")),
        format=f"json{version.rsplit('/', 1)[-1]}",
        entries=entries,
        malformed="" if len(entries) == len(items) else "some items are not JSON objects",
    )


def _string(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _entry_from_json(item: dict, base: str) -> Entry:
    link = _string(item.get("url")) or _string(item.get("external_url"))
    guid = item.get("id")
    guid = str(guid).strip() if isinstance(guid, str | int | float) and not isinstance(guid, bool) else ""
    if not link and guid.startswith(("http://", "https://")):
        link = guid
    alternates = [
        urljoin(base, other)
        for other in (_string(item.get("external_url")), guid if guid.startswith(("http://", "https://")) else "")
        if other and other != link
    ]
    content_html = _string(item.get("content_html"))
    if not content_html and _string(item.get("content_text")):
        content_html = "".join(f"<p>{html.escape(p)}</p>" for p in _string(item["content_text"]).split("\n\n"))
    authors = item.get("authors") if isinstance(item.get("authors"), list) else [item.get("author")]
    names = [_string(a.get("name")) for a in authors if isinstance(a, dict) and _string(a.get("name"))]
    return Entry(
        alternates=alternates,
        link=urljoin(base, link) if link else "",
        guid=guid[:1000],
        title=_text(_string(item.get("title"))),
        content_html=content_html,
        summary_html=_string(item.get("summary")),
        author=", ".join(names)[:300],
        published=_iso_datetime(item.get("date_published") or item.get("date_modified")),
        language=_string(item.get("language"))[:20],
    )


def _iso_datetime(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
