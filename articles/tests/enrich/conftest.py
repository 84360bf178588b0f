"""Fixtures for the enrichment tests: a fixed original text, and Celery running tasks in-process."""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from articles.models import Status
from articles.tests.factories import make_article

# known_article.txt was written for these tests: five paragraphs with one clear central claim (paragraph 2) and
# a near-duplicate of it (paragraph 4) that the drafts must not repeat.
KNOWN_TEXT = (Path(__file__).parent / "known_article.txt").read_text(encoding="utf-8")


@pytest.fixture
def known_article(db):
    return make_article(
        complete=False,
        status=Status.INGESTED,
        title="Moving orders from batch jobs to an event stream",
        content_text=KNOWN_TEXT,
        reading_minutes=2,
    )


class _FormValues(HTMLParser):
    """The values a browser would submit from the page's main form (inputs, textareas, selects)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: list[tuple[str, str]] = []
        self._textarea = self._select = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.values.append((name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self.values.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None


def change_form_data(html: str, **changes) -> dict:
    """POST data for an admin change form as rendered, with `changes` applied (lists for multiple values)."""
    parser = _FormValues()
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.values:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    return data
