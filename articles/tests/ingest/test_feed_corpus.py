"""feedparser's conformance feeds (../shared/corpora/feeds): each one has the outcome its case
expects, the sanitizer cases come out safe, the encoding cases as the right characters.

The case names are listed in feed_corpus_cases.txt (names only: the feeds and their
expectations stay in the shared folder), so every case is collected, and skipped with the
reason, on a checkout without the shared data.
"""

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from articles.ingest.normalize import html_to_text, sanitize_html
from articles.ingest.parse import FeedError, parse_feed
from articles.ingest.pipeline import ingest_source
from articles.models import Article, IngestionRun
from articles.tests.ingest.safety import unsafe_parts

pytestmark = pytest.mark.django_db

CASE_PATHS = Path(__file__).with_name("feed_corpus_cases.txt").read_text(encoding="utf-8").split()
# Upstream serves the HTTP cases from here; relative addresses in the expectations depend on it.
BASE = "http://127.0.0.1:8097/tests/"
# Where Distillery deliberately reads a case differently from feedparser's own expectation.
DELIBERATE = {
    # Entities declared in a DOCTYPE are never expanded (articles/ingest/parse.py): the feed's use of
    # one is flagged as malformed instead of read as the entity's text.
    "wellformed/rss/entity_in_doctype.xml": "flagged",
}


@functools.cache
def corpus_index(corpora: Path) -> dict[str, dict]:
    """INDEX.jsonl by case path: path, description, expect, http_headers, served_over_http."""
    lines = (corpora / "feeds" / "INDEX.jsonl").read_text(encoding="utf-8").splitlines()
    return {case["path"]: case for case in map(json.loads, lines)}


def content_type_of(case) -> str:
    """What a publisher's server would send: the case's own header over HTTP (text/xml when it
    names none, as upstream's server does), otherwise the type a file of its kind is served with."""
    headers = {k.lower(): v for k, v in (case["http_headers"] or {}).items()}
    if case["served_over_http"]:
        return headers.get("content-type", "text/xml")
    return "application/feed+json" if case["path"].endswith(".json") else "application/xml"


@dataclass(frozen=True)
class Expected:
    well_formed: bool | None  # True: read cleanly; False: flagged as malformed (or no feed at all); None: not said
    has_entries: bool  # the expectation reads the first entry (or counts them)
    may_fail: bool  # nothing is expected but a flag: a recorded error is an acceptable outcome


def expected_outcome(case) -> Expected:
    """The case's expectation (see SOURCE.md there) in our terms: upstream asserts `not bozo` for every
    wellformed case, `bozo` for every ill-formed one served over HTTP, and its `expect` expression."""
    expect, path = case["expect"].strip(), case["path"]
    flagged = (
        expect.startswith("bozo")
        or (path.startswith("illformed/") and case["served_over_http"])
        or DELIBERATE.get(path) == "flagged"
    )
    clean = not flagged and (path.startswith(("wellformed/", "json/")) or expect.startswith("not bozo"))
    has_entries = "entries[0]" in expect or "len(entries)" in expect
    return Expected(
        well_formed=True if clean else False if flagged else None,
        has_entries=has_entries,
        may_fail=not clean and not has_entries,
    )


def test_the_corpus_holds_exactly_the_cases_these_tests_name(corpora):
    assert sorted(corpus_index(corpora)) == sorted(CASE_PATHS)
    assert len(CASE_PATHS) == 325


def test_expected_outcomes_follow_the_corpus_rules():
    case = {"http_headers": None, "served_over_http": False}
    assert expected_outcome(
        {**case, "path": "wellformed/rss/x.xml", "expect": "not bozo and entries[0]['title'] == 'x'"}
    ) == (Expected(well_formed=True, has_entries=True, may_fail=False))
    assert expected_outcome({**case, "path": "illformed/x.xml", "expect": "bozo"}) == Expected(False, False, True)
    assert expected_outcome({**case, "path": "illformed/x.xml", "expect": "bozo and entries[0]['link'] == 'x'"}) == (
        Expected(well_formed=False, has_entries=True, may_fail=False)
    )
    assert expected_outcome({**case, "path": "encoding/x.xml", "expect": "1"}) == Expected(None, False, True)
    assert (
        expected_outcome({**case, "path": "wellformed/rss/entity_in_doctype.xml", "expect": "not bozo"}).well_formed
        is False
    )


@pytest.mark.parametrize("path", CASE_PATHS)
def test_corpus_feed_has_the_outcome_its_case_expects(path, corpora, httpserver, feed_source):
    case = corpus_index(corpora)[path]
    expected = expected_outcome(case)
    body = (corpora / "feeds" / path).read_bytes()
    content_type = content_type_of(case)

    try:
        parsed = parse_feed(body, url=BASE + path, content_type=content_type)
    except FeedError:
        parsed = None
    if expected.well_formed:
        assert parsed is not None and parsed.malformed == "", f"{case['description']}: {parsed and parsed.malformed}"
    elif expected.well_formed is False:
        assert parsed is None or parsed.malformed, f"{case['description']}: not flagged as malformed"
    if expected.has_entries:
        assert parsed is not None and parsed.entries, f"{case['description']}: no entry read"

    httpserver.expect_request("/feed").respond_with_data(body, headers={"Content-Type": content_type})
    source = feed_source("/feed")
    run = ingest_source(source_id=source.pk).run  # any exception escaping here fails the test

    source.refresh_from_db()
    assert run.finished_at is not None
    if expected.may_fail and run.status == IngestionRun.Outcome.FAILED:
        assert run.error and source.last_error == run.error
        assert source.consecutive_failures == 1
    else:
        assert run.status == IngestionRun.Outcome.SUCCEEDED, run.error
        assert source.consecutive_failures == 0
        assert run.items_seen == len(parsed.entries)
        assert run.items_new + run.items_failed + run.items_unchanged == run.items_seen
        if run.items_failed:
            assert run.error  # each skipped item is described
    for html in Article.objects.filter(source=source).values_list("content_html", flat=True):
        assert unsafe_parts(html) == []


SANITIZE = [path for path in CASE_PATHS if path.startswith("wellformed/sanitize/")]


@pytest.mark.parametrize("path", SANITIZE)
def test_sanitizer_case_leaves_no_script_handler_or_javascript_url(path, corpora):
    feed = parse_feed((corpora / "feeds" / path).read_bytes(), url=BASE + path)
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
    for path in SANITIZE:
        wanted = next((markup for key, markup in SAFE_MARKUP.items() if key in Path(path).stem), None)
        if wanted is None:
            continue
        feed = parse_feed((corpora / "feeds" / path).read_bytes(), url=BASE + path)
        html = feed.entries[0].content_html or feed.entries[0].summary_html
        assert wanted in sanitize_html(html, base_url=BASE), path
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
    case = corpus_index(corpora)[path]
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
