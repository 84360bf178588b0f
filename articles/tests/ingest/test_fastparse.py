"""The lxml reader (articles/ingest/fastparse.py) against feedparser: wherever the fast reader answers,
its feed and entries equal feedparser's field by field; where it is unsure, feedparser reads the feed."""

import io
from dataclasses import asdict

import pytest

from articles.ingest import fastparse
from articles.ingest.normalize import item_address, normalize_entry
from articles.ingest.parse import (
    BLANK_BEFORE_DECLARATION,
    FeedError,
    _parse_with_feedparser,
    _parsed_from_feedparser_shape,
    neutralize_doctype,
    parse_feed,
)
from articles.ingest.pipeline import ingest_source
from articles.tests.ingest.test_feed_corpus import BASE, CASE_PATHS, content_type_of, corpus_index
from articles.tests.ingest.test_realfeeds import REAL_FEEDS, serve

REAL_URL = "http://127.0.0.1:8097/realfeeds/"


def both_readings(body: bytes, *, url: str, content_type: str):
    """(fast reading or None, feedparser's reading) of one document, as parse_feed would make them."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    content = neutralize_doctype(body)
    fast = fastparse.read_feed(content, headers=headers)
    if fast is not None:
        fast = _parsed_from_feedparser_shape(fast["version"], fast["feed"], fast["entries"], fast["bozo_exception"])
    try:
        slow = _parse_with_feedparser(content, url=url, response_headers=headers)
    except FeedError:
        slow = None  # no feed at all: the fast reader must not have found one either
    return fast, slow


def corpus_documents(corpora):
    index = corpus_index(corpora)
    for path in CASE_PATHS:
        if path.endswith(".json"):
            continue
        yield path, (corpora / "feeds" / path).read_bytes(), BASE + path, content_type_of(index[path])
    for name, (_, content_type) in sorted(REAL_FEEDS.items()):
        if not name.endswith(".json"):
            yield name, (corpora / "realfeeds" / name).read_bytes(), REAL_URL + name, content_type


def assert_same_reading(name, fast, slow):
    fast, slow = asdict(fast), asdict(slow)
    for key in ("title", "link", "format", "malformed"):
        assert fast[key] == slow[key], f"{name}: feed {key}"
    assert len(fast["entries"]) == len(slow["entries"]), f"{name}: number of entries"
    for number, (mine, theirs) in enumerate(zip(fast["entries"], slow["entries"], strict=True)):
        for key in theirs:
            assert mine[key] == theirs[key], f"{name}: entry {number} {key}"


def test_fast_reader_gives_feedparsers_reading_of_every_corpus_feed_it_accepts(corpora):
    accepted, refused = [], []
    for name, body, url, content_type in corpus_documents(corpora):
        fast, slow = both_readings(body, url=url, content_type=content_type)
        if fast is None:
            refused.append(name)
            continue
        accepted.append(name)
        assert slow is not None, f"{name}: the fast reader found a feed where feedparser found none"
        assert_same_reading(name, fast, slow)
    print(f"fast path: {len(accepted)} documents, feedparser: {len(refused)}")
    # The real feeds the benchmark ingests take the fast path (all but the two that are not well-formed XML,
    # read past their blank line by parse_feed: test_a_blank_line_before_the_xml_declaration_...).
    not_well_formed = {"feedjira__SamRuby.atom.xml", "feedjira__TechCrunch.xml"}  # text before the XML declaration
    real_xml = {name for name in REAL_FEEDS if not name.endswith(".json")}
    assert {name for name in accepted if name in REAL_FEEDS} == real_xml - not_well_formed
    assert len(accepted) >= 250


def test_fast_reader_refuses_a_document_that_is_not_well_formed():
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T &nbsp;</title></channel></rss>'
    assert fastparse.read_feed(body, headers={"content-location": "http://example.com/f"}) is None
    feed = parse_feed(body, url="http://example.com/f")
    assert feed.format == "rss20" and feed.malformed  # feedparser recovered and said so


def test_fast_reader_refuses_rss_091_and_leaves_it_to_feedparser():
    body = b'<rss version="0.91"><channel><title>Old</title><item><title>A</title><link>http://a/1</link></item></channel></rss>'
    assert fastparse.read_feed(body, headers={"content-location": "http://example.com/f"}) is None
    assert parse_feed(body, url="http://example.com/f").format == "rss091u"


def test_fast_reader_never_expands_entities_from_an_internal_subset():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<rss version="2.0"><channel><title>&b;</title><item><title>x</title></item></channel></rss>'
    )
    feed = parse_feed(bomb, url="http://example.com/f")
    assert "aaaa" not in feed.title
    # Without the subset (cut out before any parser sees it) the entity is undefined: not well-formed.
    assert fastparse.read_feed(neutralize_doctype(bomb), headers={"content-location": "http://example.com/f"}) is None


def test_fast_reader_keeps_feedparsers_choices_of_content_summary_title_and_base():
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xml:base="http://example.com/blog/">
 <channel><title>Blog</title><link>/home?a=1&amp;b=2</link>
  <item><title>First &lt;b&gt;bold&lt;/b&gt;</title><title>Ignored second</title>
   <link>posts/1</link><guid isPermaLink="false">id-1</guid>
   <description>Short &amp; sweet</description>
   <content:encoded><![CDATA[<p>Long <a href="x">text</a></p>]]></content:encoded>
   <dc:creator>Ann</dc:creator><pubDate>Tue, 02 Dec 2025 10:00:00 +0100</pubDate></item>
  <item><guid>http://example.com/p/2</guid><description>Only one</description>
   <description>Second becomes content</description></item>
 </channel></rss>"""
    fast, slow = both_readings(body, url="http://example.com/feed", content_type="application/rss+xml")
    assert fast is not None
    assert_same_reading("inline", fast, slow)
    first, second = fast.entries
    assert first.title == "First bold" and first.link == "http://example.com/blog/posts/1"
    assert first.content_html.startswith("<p>Long") and first.summary_html == "Short & sweet"
    assert first.published.isoformat() == "2025-12-02T09:00:00+00:00" and first.author == "Ann"
    assert second.link == "http://example.com/p/2" and second.content_html == "Second becomes content"


def test_atom_xhtml_content_is_written_back_as_feedparser_writes_it():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">A &amp;amp; B</title>
<link href="http://example.com/"/><id>tag:example.com,2025:feed</id>
<entry><title>X</title><id>tag:example.com,2025:1</id><link rel="alternate" href="/x"/>
<link rel="related" href="http://other.example/x"/><updated>2025-12-02T10:00:00Z</updated>
<author><name>Bo</name><email>bo@example.com</email></author>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p class="A">One &amp; <br/>two</p></div></content>
</entry></feed>"""
    fast, slow = both_readings(body, url="http://example.com/atom", content_type="application/atom+xml")
    assert fast is not None
    assert_same_reading("atom", fast, slow)
    entry = fast.entries[0]
    assert entry.content_html == '<p class="A">One &amp; <br></br>two</p>'
    assert entry.author == "Bo (bo@example.com)" and entry.alternates == ["http://other.example/x"]


def test_feedparser_still_reads_what_the_fast_reader_refuses(corpora):
    body = (corpora / "realfeeds" / "feedjira__TechCrunch.xml").read_bytes()  # not well-formed as it is
    assert fastparse.read_feed(neutralize_doctype(body), headers={"content-location": REAL_URL}) is None
    assert len(parse_feed(body, url=REAL_URL, content_type="application/rss+xml").entries) == 20


def test_feedparser_is_given_the_same_bytes_either_way():
    # The fallback reads a stream, never a string (a string would be taken for a URL or a path).
    content = b"<rss version='0.92'><channel><title>x</title></channel></rss>"
    feed = _parse_with_feedparser(io.BytesIO(content).read(), url="http://e/f", response_headers={})
    assert feed.title == "x"


@pytest.mark.parametrize("name", ["miniflux__golem_ISO-8859-1.xml", "miniflux__ibash_WINDOWS-1251.xml"])
def test_declared_single_byte_encodings_take_the_fast_path(name, corpora):
    body = (corpora / "realfeeds" / name).read_bytes()
    fast, slow = both_readings(body, url=REAL_URL + name, content_type=REAL_FEEDS[name][1])
    assert fast is not None
    assert_same_reading(name, fast, slow)


@pytest.mark.django_db
def test_briefs_stored_through_feedparser_are_unchanged_when_the_fast_reader_reads_the_feed_again(
    corpora, httpserver, feed_source, monkeypatch
):
    names = [
        "miniflux__dustri_large_atom.xml",
        "netnewswire__biorxiv_rss10.rdf",
        "rssparser__guardian.rss",
        "miniflux__golem_ISO-8859-1.xml",
    ]
    sources = []
    with monkeypatch.context() as before:
        before.setattr("articles.ingest.parse.read_feed", lambda content, headers: None)  # feedparser only
        for name in names:
            serve(httpserver, corpora, name)
            source = feed_source(f"/{name}")
            assert ingest_source(source_id=source.pk).run.items_new == REAL_FEEDS[name][0]
            sources.append(source)
    for name, source in zip(names, sources, strict=True):
        again = ingest_source(source_id=source.pk, force=True).run
        assert (again.items_new, again.items_updated, again.items_unchanged) == (0, 0, REAL_FEEDS[name][0]), name


@pytest.mark.parametrize(
    "link",
    [
        "https://example.com/a/b?c=1#d",
        "http://example.com/a?",
        "http://example.com/a#",
        "HTTP://Example.com/a",
        "http://example.com/a;p",
        "http://[::1]/x",
        "/relative/path",
        "../up",
        "\x00http://example.com/",
        "javascript:alert(1)",
        "mailto:someone@example.com",
        "ftp://example.com/file",
    ],
)
def test_links_are_made_absolute_exactly_as_urljoin_and_urlsplit_make_them(link):
    from urllib.parse import urljoin, urlsplit

    from articles.ingest.normalize import URL_SCHEMES, absolute_link

    base = "https://example.com/posts/1"
    joined = urljoin(base, link.strip())
    assert absolute_link(link, base_url=base) == (joined if urlsplit(joined).scheme.lower() in URL_SCHEMES else None)


@pytest.mark.parametrize(
    "base",
    [
        "",
        "https://example.com/feed",
        "http://example.com:8080/a;p?q#f",
        "ftp://example.com/",
        "http://[oops",
        "https://bü.example/",
    ],
)
@pytest.mark.parametrize(
    "link",
    [
        "https://example.com/a/b?c=1&d=2#e",
        "http://example.com",
        "http://example.com/a?",
        "http://example.com/a#",
        "https:///example.com/x",
        "HTTP://example.com/a",
        "http://example.com/a;p?q",
        "http://example.com/a?q;r",
        "http://[::1]/x",
        "http://example.com/a b",
        "http://example.com/\x01",
        "https://bü.example/",
        "/relative/path",
        "../up",
        "",
    ],
)
def test_links_and_guids_are_joined_exactly_as_feedparser_joins_them(base, link):
    from feedparser.urls import _urljoin

    assert fastparse._join(base, link) == _urljoin(base, link)


def test_a_mistake_in_the_fast_reader_costs_speed_not_the_feed(monkeypatch):
    def broken(self):
        raise KeyError("a case the walk gets wrong")

    monkeypatch.setattr(fastparse._Walk, "run", broken)
    body = b'<rss version="2.0"><channel><title>T</title><item><title>A</title><link>http://a.example/1</link></item></channel></rss>'
    assert fastparse.read_feed(body, headers={"content-location": "http://a.example/feed"}) is None
    assert [entry.link for entry in parse_feed(body, url="http://a.example/feed").entries] == ["http://a.example/1"]


def test_fast_reader_leaves_a_document_with_a_doctype_to_feedparser(tmp_path):
    secret = tmp_path / "secret.dtd"
    secret.write_text('<!ENTITY secret "TOP-SECRET">')
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "file://{secret}">'
        '<rss version="2.0"><channel><title>t &secret;</title></channel></rss>'
    ).encode()
    assert fastparse.read_feed(body, headers={"content-location": "http://example.com/f"}) is None
    assert "TOP-SECRET" not in parse_feed(body, url="http://example.com/f").title


@pytest.mark.parametrize("name", ["feedjira__TechCrunch.xml", "feedjira__SamRuby.atom.xml"])
def test_a_blank_line_before_the_xml_declaration_no_longer_sends_the_feed_to_feedparser(name, corpora, monkeypatch):
    def feedparser_called(*args, **kwargs):
        raise AssertionError("feedparser read the feed")

    body = (corpora / "realfeeds" / name).read_bytes()
    assert body.startswith(b"\n<?xml")
    with monkeypatch.context() as fast_only:
        fast_only.setattr("articles.ingest.parse._parse_with_feedparser", feedparser_called)
        feed = parse_feed(body, url=REAL_URL + name, content_type=REAL_FEEDS[name][1])
    assert len(feed.entries) == REAL_FEEDS[name][0] == 20
    assert feed.malformed == BLANK_BEFORE_DECLARATION


@pytest.mark.parametrize("name", ["feedjira__TechCrunch.xml", "feedjira__SamRuby.atom.xml"])
def test_items_read_past_a_blank_line_are_stored_as_feedparsers_forgiving_reading_stored_them(name, corpora):
    # feedparser reads these two feeds with its forgiving parser (not well-formed as fetched): the fast
    # reader's markup may be spelled differently, but every value a brief keeps must come out the same.
    body = (corpora / "realfeeds" / name).read_bytes()
    url = REAL_URL + name
    fast = parse_feed(body, url=url, content_type=REAL_FEEDS[name][1])
    forgiving = _parse_with_feedparser(body, url=url, response_headers={"content-location": url})
    assert (fast.title, fast.link, fast.format) == (forgiving.title, forgiving.link, forgiving.format)
    for mine, theirs in zip(fast.entries, forgiving.entries, strict=True):
        kept, reference = (
            normalize_entry(entry, feed_url=url, full_html="", url=item_address(entry, feed_url=url))
            for entry in (mine, theirs)
        )
        assert kept == reference


INLINE_SVG = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Drawings</title><link href="http://example.com/"/>
<id>tag:example.com,2025:feed</id>
<entry><title>Circle</title><id>tag:example.com,2025:1</id><link href="/1"/><updated>2025-12-02T10:00:00Z</updated>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><svg xmlns="http://www.w3.org/2000/svg"
 xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" style="float:right"><title>A dot</title>
<defs><circle id="c" r="4"/></defs><use xlink:href="#c" TYPE="X"/><svg width="2"><linearGradient id="g"/></svg></svg>
<p>After &amp; the <b>drawing</b>.</p></div></content>
</entry></feed>"""


def test_inline_svg_is_written_back_as_feedparsers_strict_parser_writes_it():
    fast, slow = both_readings(INLINE_SVG, url="http://example.com/atom", content_type="application/atom+xml")
    assert fast is not None
    assert_same_reading("inline svg", fast, slow)
    content = fast.entries[0].content_html
    assert content.startswith('<svg xmlns:xlink="http://www.w3.org/1999/xlink" xmlns="http://www.w3.org/2000/svg"')
    assert "<title>A dot</title>" in content and '<use xlink:href="#c" type="x"></use>' in content
    # The title inside the drawing is not taken for the entry's title.
    assert fast.entries[0].title == "Circle"


@pytest.mark.parametrize(
    "variant",
    [
        # A prefixed SVG element: feedparser writes its namespace twice.
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"',
            b'<s:svg xmlns:s="http://www.w3.org/2000/svg"',
            b"</svg>\n<p>",
            b"</s:svg>\n<p>",
        ),
        # xlink under another prefix: feedparser writes the attribute twice.
        (b"xmlns:xlink=", b"xmlns:xl=", b"xlink:href", b"xl:href"),
        # Another namespace declared inside the drawing.
        (b"xmlns:xlink=", b'xmlns:other="urn:x" xmlns:xlink=', b"", b""),
    ],
)
def test_inline_svg_the_fast_reader_does_not_model_goes_to_feedparser(variant):
    body = INLINE_SVG
    for old, new in zip(variant[::2], variant[1::2], strict=True):
        body = body.replace(old, new) if old else body
    assert fastparse.read_feed(body, headers={"content-location": "http://example.com/atom"}) is None
    assert [entry.title for entry in parse_feed(body, url="http://example.com/atom").entries] == ["Circle"]


@pytest.mark.django_db
def test_briefs_stored_from_techcrunch_through_feedparser_are_unchanged_when_read_past_its_blank_line(
    corpora, httpserver, feed_source, monkeypatch
):
    name = "feedjira__TechCrunch.xml"
    serve(httpserver, corpora, name)
    source = feed_source(f"/{name}")
    with monkeypatch.context() as before:
        before.setattr("articles.ingest.parse.read_feed", lambda content, headers: None)  # feedparser only
        assert ingest_source(source_id=source.pk).run.items_new == REAL_FEEDS[name][0]
    again = ingest_source(source_id=source.pk, force=True).run
    assert (again.items_new, again.items_updated, again.items_unchanged) == (0, 0, REAL_FEEDS[name][0])
