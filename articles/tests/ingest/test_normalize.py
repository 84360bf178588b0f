"""Canonical addresses, titles and JSON Feed items, as a curator would see them."""

import json
import re

import pytest

from articles.ingest import normalize
from articles.ingest.normalize import (
    NotAWebAddress,
    canonical_url,
    content_hash,
    fallback_title,
    html_to_text,
    reading_minutes,
    sanitize_html,
)
from articles.ingest.parse import FeedError, parse_feed


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("https://Example.ORG/a?utm_source=x&utm_medium=y&utm_campaign=z", "https://example.org/a"),
        ("https://example.org/a?id=7&fbclid=abc&gclid=def", "https://example.org/a?id=7"),
        ("https://example.org/a?mc_cid=1&mc_eid=2&page=2", "https://example.org/a?page=2"),
        ("https://example.org/a?UTM_Content=1&_hsenc=x&msclkid=y", "https://example.org/a"),
        ("HTTP://EXAMPLE.org:80/A/b#section-2", "http://example.org/A/b"),
        ("https://example.org:443/x", "https://example.org/x"),
        ("https://example.org:8443/x", "https://example.org:8443/x"),
        ("https://example.org", "https://example.org/"),
        ("https://bücher.example/katalog", "https://xn--bcher-kva.example/katalog"),
        ("https://example.org./a", "https://example.org/a"),
    ],
)
def test_canonical_url_drops_tracking_default_port_and_fragment(given, canonical):
    assert canonical_url(given) == canonical


def test_relative_item_links_are_resolved_against_the_feed():
    assert canonical_url("../b/c?utm_term=1", base="https://example.org/a/feed.xml") == "https://example.org/b/c"


@pytest.mark.parametrize("given", ["javascript:alert(1)", "mailto:a@example.org", "ftp://example.org/x", "not a url"])
def test_canonical_url_refuses_what_is_not_a_web_address(given):
    with pytest.raises(NotAWebAddress):
        canonical_url(given)


def test_fallback_title_uses_the_first_sentence_then_the_address():
    assert fallback_title(text="One thing. Another.", url="https://e.org/x") == "One thing."
    long = "word " * 40
    title = fallback_title(text=long, url="https://e.org/x")
    assert title.endswith("…") and len(title) <= 91
    assert fallback_title(text="", url="https://e.org/2024/why-caches-fail.html") == "Why caches fail"
    assert fallback_title(text="", url="https://e.org/") == "Untitled piece from e.org"


def test_reading_minutes_round_up():
    assert reading_minutes("") is None
    assert reading_minutes("word " * 10) == 1
    assert reading_minutes("word " * 231) == 2


def test_json_feed_example_is_read_and_its_script_removed(corpora):
    from articles.ingest.normalize import normalize_entry

    feed = parse_feed((corpora / "feeds" / "json" / "example.json").read_bytes(), url="https://example.org/feed.json")
    assert feed.title == "My Example Feed" and len(feed.entries) == 2
    for entry in feed.entries:
        assert "<script" not in normalize_entry(entry, feed_url="https://example.org/feed.json").content_html


def test_json_feed_11_authors_dates_and_external_url():
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "items": [
            {
                "id": "1",
                "url": "/posts/1",
                "external_url": "https://elsewhere.example/x",
                "title": "One",
                "content_text": "First paragraph.\n\nSecond.",
                "date_published": "2024-05-01T12:00:00Z",
                "authors": [{"name": "Ada"}, {"name": "Grace"}],
            }
        ],
    }
    feed = parse_feed(json.dumps(document).encode(), url="https://blog.example/feed.json")
    entry = feed.entries[0]
    assert entry.link == "https://blog.example/posts/1"
    assert entry.alternates == ["https://elsewhere.example/x"]
    assert entry.author == "Ada, Grace"
    assert entry.published.isoformat() == "2024-05-01T12:00:00+00:00"
    assert entry.content_html == "<p>First paragraph.</p><p>Second.</p>"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"version": "1", "items": []}', "not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}', "no list of items"),
        (b"[1, 2]", "not an object"),
        (b"   ", "empty"),
        (b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    ],
)
def test_broken_json_feeds_are_clear_errors(body, message):
    with pytest.raises(FeedError, match=message):
        parse_feed(body, url="https://x.example/feed.json", content_type="application/feed+json")


def test_a_web_page_given_as_a_feed_names_the_feed_it_advertises():
    page = (
        b"<!doctype html><html><head><title>Blog</title>"
        b'<link rel="alternate" type="application/rss+xml" title="Posts" href="/posts.rss"></head>'
        b"<body><p>Hello</p></body></html>"
    )
    with pytest.raises(FeedError, match=r"web page, not a feed.*https://blog\.example/posts\.rss"):
        parse_feed(page, url="https://blog.example/", content_type="text/html")


def test_a_feed_served_with_a_json_content_type_is_still_read_as_xml():
    body = b'<rss version="2.0"><channel><title>T</title><item><title>A</title></item></channel></rss>'
    assert parse_feed(body, url="https://x.example/f", content_type="application/json").entries[0].title == "A"


def test_plain_text_keeps_words_inside_tags_with_angle_brackets_in_attributes_and_breaks_at_blocks():
    html = sanitize_html(
        '<p>Fish &amp; chips<img alt="a > b" src="https://x.example/i.png"> today</p><ul><li>One<br>Two</li></ul>'
    )
    assert html_to_text(html) == "Fish & chips today\n\nOne\n\nTwo"


@pytest.mark.parametrize(
    "html",
    [
        "<p>a &amp;</p>lt; b",
        "&amp;<b>amp;</b>x &lt;<i>p&gt;</i>",
        "<p>&#10;&#10;one</p>two&nbsp;<br/>three",
        '<a href="https://x.example/?a=1&amp;b=2" title="a > b &amp; <p>">link</a> after',
        "<ul><li>x</li><LI>y</li></ul><div><span>z</span></div>",
        "&amp&lt<b>;</b>&#x26;amp;",
        "<p>\u2028line\x0c\xa0sep</p>",
        "<svg><p>drawn</p></svg>tail<script>alert(1)</script>",
    ],
)
def test_plain_text_is_the_same_as_unescaping_each_run_of_text_between_tags_on_its_own(html):
    from html import unescape

    clean = sanitize_html(html, base_url="https://x.example/")
    runs, position = [], 0
    for tag in normalize._TAG.finditer(clean):
        runs.append(unescape(clean[position : tag.start()]))
        if tag.group(2) and tag.group(2).lower() in normalize.BLOCK_TAGS:
            runs.append("\n\n")
        position = tag.end()
    runs.append(unescape(clean[position:]))
    paragraphs = (" ".join(block.split()) for block in "".join(runs).split("\n\n"))
    assert html_to_text(clean) == "\n\n".join(p for p in paragraphs if p)


@pytest.mark.parametrize("base", ["https://blog.example/feed.xml", "http://127.0.0.1:8097/copy-1/feed"])
def test_canonical_addresses_are_the_same_with_the_shortcut_for_plain_absolute_links(base, monkeypatch):
    links = [
        "https://Example.COM:443/a/b?utm_source=x&id=3#frag",
        "http://example.com/a/../b/./c",
        "https://example.com/a;p?q=1",
        "https://example.com/a?",
        "https://example.com/a#",
        "http://example.com",
        "HTTPS://example.com/x",
        "/relative/path?x=1",
        "../up",
        "//other.example/x",
        "https://bücher.example/straße",
        "https://a..b.example/",
        "https://" + "x" * 70 + ".example/",
        "http://[::1]:8080/x",
        "https://example.com:99999/",
        "mailto:someone@example.com",
        "https://example.com/a b",
    ]

    def addresses():
        found = []
        for link in links:
            try:
                found.append(normalize.canonical_url(link, base=base))
            except normalize.NotAWebAddress as refusal:
                found.append(str(refusal))
        return found

    shortcut = addresses()
    monkeypatch.setattr(normalize, "_PLAIN_ABSOLUTE", re.compile(r"(?!)"))  # every link through urljoin
    assert shortcut == addresses()
    assert shortcut[11] == "https://a..b.example/"  # a host the idna codec refuses is kept as it is


def test_each_text_resolves_its_links_against_its_own_base_with_the_sanitizer_built_once():
    first = sanitize_html('<a href="/a">a</a>', base_url="https://one.example/feed")
    second = sanitize_html('<a href="/a">a</a>', base_url="https://two.example/feed")
    neither = sanitize_html('<a href="/a">a</a>')
    assert 'href="https://one.example/a"' in first
    assert 'href="https://two.example/a"' in second
    assert 'href="/a"' in neither
    assert normalize._cleaner() is normalize._cleaner()


@pytest.mark.parametrize(
    "body",
    [
        "<p>One  two\tthree</p><p>\u00a0four&nbsp;five\u2028six</p>",
        "<ul><li>a</li><li> b </li></ul>\n\n<br>c\x1cd\u3000e",
        "",
        "<p>&#10;&#10;</p>",
    ],
)
def test_an_items_hash_and_reading_time_are_those_of_its_title_and_plain_text(body):
    from articles.ingest.normalize import normalize_entry
    from articles.ingest.parse import Entry

    item = normalize_entry(
        Entry(link="https://x.example/a", title=" A\u00a0title ", content_html=body), feed_url="https://x.example/f"
    )
    assert item.content_hash == content_hash(title=item.title, text=item.content_text)
    assert item.reading_minutes == reading_minutes(item.content_text)
