"""feedparser's conformance feeds (../shared/corpora/feeds): each one ingests or becomes a clean
recorded error, the sanitizer cases come out safe, the encoding cases as the right characters."""

import json
from pathlib import Path

import pytest

from articles.ingest.normalize import html_to_text, sanitize_html
from articles.ingest.parse import parse_feed
from articles.ingest.pipeline import ingest_source
from articles.models import Article, IngestionRun
from articles.tests.ingest.safety import unsafe_parts
from conftest import SHARED_CORPORA

pytestmark = pytest.mark.django_db

INDEX = SHARED_CORPORA / "feeds" / "INDEX.jsonl"
CASES = [json.loads(line) for line in INDEX.read_text().splitlines()] if INDEX.exists() else []
BASE = "http://127.0.0.1:8097/tests/"


def content_type_of(case) -> str:
    headers = {k.lower(): v for k, v in (case["http_headers"] or {}).items()}
    return headers.get("content-type", "text/xml" if case["served_over_http"] else "")


def test_the_corpus_index_is_there(corpora):
    assert len(CASES) == 325


@pytest.mark.parametrize("case", CASES, ids=[case["path"] for case in CASES])
def test_corpus_feed_ingests_or_is_recorded_as_a_clean_error(case, corpora, httpserver, feed_source):
    body = (corpora / "feeds" / case["path"]).read_bytes()
    content_type = content_type_of(case)
    httpserver.expect_request("/feed").respond_with_data(
        body, headers={"Content-Type": content_type} if content_type else {}
    )
    source = feed_source("/feed")

    run = ingest_source(source_id=source.pk).run  # any exception escaping here fails the test

    source.refresh_from_db()
    assert run.status in (IngestionRun.Outcome.SUCCEEDED, IngestionRun.Outcome.FAILED)
    assert run.finished_at is not None
    if run.status == IngestionRun.Outcome.FAILED:
        assert run.error and source.last_error == run.error
        assert source.consecutive_failures == 1
    else:
        assert source.consecutive_failures == 0
        assert run.items_new + run.items_failed + run.items_unchanged == run.items_seen
        if run.items_failed:
            assert run.error  # each skipped item is described
    for html in Article.objects.filter(source=source).values_list("content_html", flat=True):
        assert unsafe_parts(html) == []


SANITIZE = [case for case in CASES if case["path"].startswith("wellformed/sanitize/")]


@pytest.mark.parametrize("case", SANITIZE, ids=[case["path"] for case in SANITIZE])
def test_sanitizer_case_leaves_no_script_handler_or_javascript_url(case, corpora):
    feed = parse_feed((corpora / "feeds" / case["path"]).read_bytes(), url=BASE + case["path"])
    assert "<script" not in feed.title.lower()  # titles are kept as plain text
    for entry in feed.entries:
        assert "<script" not in entry.title.lower()
        for html in (entry.content_html, entry.summary_html):
            clean = sanitize_html(html, base_url=BASE)
            assert unsafe_parts(clean) == []
            assert "alert(" not in html_to_text(clean) or "alert(" in html_to_text(html)


SAFE_MARKUP = {
    # Safe markup that must survive the sanitizer (translated from the upstream expectations).
    "acceptable_element_a": "<a",
    "acceptable_element_blockquote": "<blockquote",
    "acceptable_element_code": "<code",
    "acceptable_element_p": "<p",
    "acceptable_element_pre": "<pre",
    "acceptable_element_table": "<table",
    "acceptable_element_ul": "<ul",
    "acceptable_element_img": "<img",
    "acceptable_element_h1": "<h1",
}


def test_safe_markup_survives_the_sanitizer(corpora):
    checked = 0
    for case in SANITIZE:
        name = Path(case["path"]).stem
        wanted = next((markup for key, markup in SAFE_MARKUP.items() if key in name), None)
        if wanted is None:
            continue
        feed = parse_feed((corpora / "feeds" / case["path"]).read_bytes(), url=BASE + case["path"])
        html = feed.entries[0].content_html or feed.entries[0].summary_html
        assert wanted in sanitize_html(html, base_url=BASE), case["path"]
        checked += 1
    assert checked >= 5


ENCODED_TEXT = {
    # file: (where, expected text) — the upstream expectation, in our terms
    "encoding/euc-kr-item.xml": ("entry", "\ub144"),
    "encoding/euc-kr.xml": ("feed", "\ub144"),
    "encoding/demoronize-1.xml": ("entry", "don\u2019t"),
    "encoding/demoronize-2.xml": ("entry", "don\u2019t"),
    "encoding/double-encoded-html.xml": ("entry", "\u2026"),
    "encoding/http_i18n.xml": ("feed", "I\xf1t\xebrn\xe2ti\xf4n\xe0liz\xe6ti\xf8n"),
}


@pytest.mark.parametrize(("path", "where", "expected"), [(p, *v) for p, v in sorted(ENCODED_TEXT.items())])
def test_encoding_case_decodes_to_the_right_characters(path, where, expected, corpora):
    case = next(case for case in CASES if case["path"] == path)
    feed = parse_feed((corpora / "feeds" / path).read_bytes(), url=BASE + path, content_type=content_type_of(case))
    if where == "feed":
        assert feed.title == expected
    else:
        assert html_to_text(sanitize_html(feed.entries[0].summary_html)) == expected


@pytest.mark.parametrize(
    "path",
    [
        "encoding/utf-16be-bom.xml",
        "encoding/utf-16le-bom.xml",
        "encoding/utf-16be-autodetect.xml",
        "encoding/utf-32le-bom.xml",
        "encoding/utf-32be-autodetect.xml",
        "encoding/utf-8-bom.xml",
    ],
)
def test_wide_and_bom_encodings_are_read_as_feeds(path, corpora):
    assert parse_feed((corpora / "feeds" / path).read_bytes(), url=BASE + path).format
