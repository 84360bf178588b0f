"""One parsed entry → the values an Article stores: canonical address, sanitized HTML,
plain text, reading time, content hash and a title even when the feed gave none."""

import contextlib
import contextvars
import functools
import hashlib
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

import nh3

from articles.ingest.parse import Entry

WORDS_PER_MINUTE = 230
TITLE_FALLBACK_LENGTH = 90

# Parameters that identify a click, not a document.
TRACKING_PARAMETERS = {
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "rb_clickid",
    "s_cid",
    "_ga",
    "_gl",
    "ref_src",
    "spm",
}
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "ga_")
DEFAULT_PORTS = {"http": 80, "https": 443}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "dfn", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
}
URL_ATTRIBUTES = {"href", "src", "cite"}
URL_SCHEMES = {"http", "https", "mailto"}
BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "table",
    "figure", "figcaption", "dl", "dt", "dd", "hr", "section", "article", "header", "footer",
}  # fmt: skip


class NotAWebAddress(ValueError):
    """An item link that is not an http(s) address, so it cannot be a brief's original."""


def canonical_url(url: str, *, base: str = "", keep_fragment: bool = False) -> str:
    """The address that identifies a piece: absolute, http(s), tracking parameters, default port and fragment gone.

    `keep_fragment` is for feeds whose items are anchors on one page (a daily page with
    one post per #anchor): there the fragment is what tells the pieces apart.
    """
    url = (url or "").strip()
    try:
        if base and not (url.isascii() and _PLAIN_ABSOLUTE.fullmatch(url)):  # else urljoin gives it back
            url = urljoin(base, url)
        parts = urlsplit(url)
    except ValueError as problem:  # "http://[oops": an IPv6 address never closed
        raise NotAWebAddress(f"{url!r} is not a valid web address ({problem}).") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise NotAWebAddress(f"{url!r} is not an http or https address.")
    host = parts.hostname.lower().rstrip(".")
    if not host.isascii():  # the idna codec gives an ASCII host back as it is (or refuses it: kept as it is)
        with contextlib.suppress(UnicodeError):  # keep the Unicode form rather than lose the item
            host = host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 0 < port < 65536:
        raise NotAWebAddress(f"{url!r} has an invalid port (a port is a number from 1 to 65535).")
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)], doseq=True
    )
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, query, parts.fragment if keep_fragment else ""))


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


# An absolute http(s) address that urljoin() would hand back unchanged whatever the base: ASCII, a
# lower-case scheme, a host without brackets, no ";" parameters in the path, no empty "?" or "#".
_PLAIN_ABSOLUTE = re.compile(r"https?://[^/?#\[\]\s;]+(?:/[^?#\s;]*)?(?:\?[^#\s]+)?(?:#\S+)?")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_TAB_AND_NEWLINE = dict.fromkeys(map(ord, "\t\r\n"))


def absolute_link(value: str, *, base_url: str) -> str | None:
    """`value` made absolute against `base_url`, or None when it is not an http, https or mailto link."""
    value = value.strip()
    if value.isascii() and _PLAIN_ABSOLUTE.fullmatch(value):
        return value  # most links in feeds: urljoin() and urlsplit() would give it back as it is
    joined = urljoin(base_url, value)
    # The scheme as urlsplit() finds it: after leading controls and spaces, ignoring tabs and newlines.
    scheme = _SCHEME.match(joined.lstrip(_C0_AND_SPACE).translate(_TAB_AND_NEWLINE))
    return joined if scheme and scheme[1].lower() in URL_SCHEMES else None


# The base the attribute filter below resolves links against, for the text being cleaned.
_link_base: contextvars.ContextVar[str] = contextvars.ContextVar("link_base", default="")


def _absolute_attribute(element, attribute, value):
    if attribute in URL_ATTRIBUTES:
        if not value.strip():
            return None  # an emptied link would point back at the page itself
        base_url = _link_base.get()
        if not base_url:
            return value
        return absolute_link(value, base_url=base_url)
    return value


@functools.cache
def _cleaner() -> nh3.Cleaner:
    # Built once: nh3.clean() converts every option set and builds its sanitizer again on each call,
    # which cost a third of cleaning a feed's texts.
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        clean_content_tags={
            "script",
            "style",
            "template",
            "noscript",
            "iframe",
            "object",
            "embed",
            "textarea",
            "applet",
            "svg",
            "math",
        },
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_absolute_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def sanitize_html(html: str, *, base_url: str = "") -> str:
    """Safe HTML: no script, style, event handler or javascript: URL; relative links made absolute."""
    if not html:
        return ""
    token = _link_base.set(base_url)
    try:
        return _cleaner().clean(html).strip()
    finally:
        _link_base.reset(token)


# A tag in nh3's output: lower-case names, attribute values in double quotes (where ">" may appear).
_TAG = re.compile(r"""<!--.*?-->|<(/?)([A-Za-z][^\s/>]*)(?:[^>"']|"[^"]*"|'[^']*')*>""", re.DOTALL)


def html_to_text(html: str) -> str:
    """Plain text with paragraphs separated by blank lines (for search, enrichment and hashing).

    `html` is sanitize_html's output. Every tag goes (a block tag breaks a paragraph), then the
    text's character references are unescaped: a regular expression over the serialized markup
    gives what Python's HTMLParser gave, at a fraction of the cost (the content hash depends on it:
    the text must not change). One unescape for the whole text is the same as one for each run of text
    between tags: nh3 writes every "&" of a text as a reference of its own (`&amp;`), so no
    reference starts before a tag and ends after it.
    """
    if not html:
        return ""
    text = unescape(_TAG.sub(_paragraph_break, html))
    paragraphs = (" ".join(block.split()) for block in text.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def _paragraph_break(tag: re.Match) -> str:
    name = tag.group(2)
    return "\n\n" if name and name.lower() in BLOCK_TAGS else ""


def reading_minutes(text: str) -> int | None:
    return _minutes(len(text.split()))


def _minutes(words: int) -> int | None:
    return max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else None


def content_hash(*, title: str, text: str) -> str:
    """Changes when what a reader would read changes, not when markup or whitespace does."""
    return _hash_of_words(" ".join(title.split()), " ".join(text.split()))


def _hash_of_words(title: str, text: str) -> str:
    return hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()


def fallback_title(*, text: str, url: str) -> str:
    """A title for an untitled item: its first sentence, shortened at a word, else its address."""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0] if text.strip() else ""
    if first:
        if len(first) <= TITLE_FALLBACK_LENGTH:
            return first
        return first[:TITLE_FALLBACK_LENGTH].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    parts = urlsplit(url)
    slug = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    slug = re.sub(r"\.\w{1,5}$", "", slug)
    words = re.sub(r"[-_+]+", " ", slug).strip()
    if words and not words.isdigit():
        return words[:1].upper() + words[1:]
    return f"Untitled piece from {parts.hostname or 'an unknown site'}"


@dataclass
class NormalizedItem:
    canonical_url: str
    guid: str
    title: str
    author: str
    published: datetime | None
    language: str
    content_html: str
    content_text: str
    content_hash: str
    reading_minutes: int | None


def item_address(entry: Entry, *, feed_url: str) -> str:
    """The canonical address of the piece `entry` announces."""
    if not entry.link:
        raise NotAWebAddress("The item has no link to the original piece.")
    # A guid equal to a link with a #fragment says the publisher means that anchor as the item's permanent address.
    keep_fragment = "#" in entry.link and entry.guid.strip() == entry.link.strip()
    return canonical_url(entry.link, base=feed_url, keep_fragment=keep_fragment)


def normalize_entry(entry: Entry, *, feed_url: str, full_html: str = "", url: str = "") -> NormalizedItem:
    """Everything the pipeline stores for `entry`; `full_html` (from the item's page) wins over the feed's text.

    `url` overrides the item's address (the pipeline passes an alternate when the main link was taken).
    """
    url = url or item_address(entry, feed_url=feed_url)
    if full_html:
        body, base = full_html, url
    elif entry.content_html:
        body, base = entry.content_html, entry.content_base or url
    else:
        body, base = entry.summary_html, entry.summary_base or url
    html = sanitize_html(body, base_url=base)
    text = html_to_text(html)
    title = entry.title[:300] or fallback_title(text=text, url=url)
    return NormalizedItem(
        canonical_url=url,
        guid=entry.guid,
        title=title,
        author=entry.author[:300],
        published=entry.published,
        language=entry.language,
        content_html=html,
        content_text=text,
        # `content_hash` and `reading_minutes` of the text, without splitting it again: html_to_text's
        # paragraphs are its words one space apart, so the paragraph breaks are all the rest.
        content_hash=_hash_of_words(" ".join(title.split()), text.replace("\n\n", " ")),
        reading_minutes=_minutes(text.count(" ") + text.count("\n\n") + 1 if text else 0),
    )


@dataclass
class ExtractedPage:
    title: str
    author: str
    published: datetime | None
    html: str


def extract_page(page: bytes | str, *, url: str) -> ExtractedPage:
    """The main text of a web page (and its title, author and date when the page states them)."""
    import trafilatura  # heavy import; only full-text sources and single pages need it

    document = trafilatura.bare_extraction(
        page,
        url=url,
        with_metadata=True,
        include_links=True,
        include_formatting=True,
        include_images=False,
        favor_precision=True,
        output_format="python",
    )
    if document is None:
        return ExtractedPage(title="", author="", published=None, html="")
    html = trafilatura.extract(
        page, url=url, output_format="html", include_links=True, include_formatting=True, favor_precision=True
    )
    published = None
    if getattr(document, "date", None):
        try:
            published = datetime.fromisoformat(document.date).replace(tzinfo=UTC)
        except ValueError:
            published = None
    return ExtractedPage(
        title=" ".join((document.title or "").split())[:300],
        author=(document.author or "")[:300],
        published=published,
        html=html or "",
    )
