"""Hostile XML: entity expansion bombs and external entities are neutralized, never expanded or opened."""

import os
import threading

import pytest

from articles.ingest.parse import neutralize_doctype, parse_feed
from articles.ingest.pipeline import ingest_source
from articles.models import Article, IngestionRun

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs &lol9;</title>
<item><title>Joke &lol9;</title><link>https://laughs.example/1</link><description>&lol9;</description></item>
</channel></rss>"""


def quadratic_blowup() -> bytes:
    # One 50 kB entity referenced 20,000 times: 1 GB if expanded.
    big = "A" * 50_000
    refs = "&big;" * 20_000
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY big "{big}">]>\n'
        f'<rss version="2.0"><channel><title>t</title><item><title>Blowup</title>'
        f"<link>https://blowup.example/1</link><description>{refs}</description></item></channel></rss>"
    ).encode()


def test_billion_laughs_is_not_expanded(ingest_settings):
    feed = parse_feed(BILLION_LAUGHS, url="https://laughs.example/feed")
    assert len(feed.title) < 100
    for entry in feed.entries:
        assert len(entry.title) < 100 and len(entry.summary_html) < 1000
        assert "lollollol" not in entry.summary_html


def test_quadratic_blowup_is_not_expanded(ingest_settings):
    feed = parse_feed(quadratic_blowup(), url="https://blowup.example/feed")
    # The unresolved references stay as text (a few hundred kB), nowhere near the gigabyte of an expansion.
    assert all(len(e.summary_html) < 1_000_000 for e in feed.entries)
    assert all("A" * 1000 not in e.summary_html for e in feed.entries)


def test_a_bomb_served_as_a_feed_is_ingested_harmlessly(httpserver, feed_source):
    httpserver.expect_request("/feed").respond_with_data(BILLION_LAUGHS, content_type="application/rss+xml")
    source = feed_source("/feed")
    run = ingest_source(source_id=source.pk).run
    assert run.status in (IngestionRun.Outcome.SUCCEEDED, IngestionRun.Outcome.FAILED)
    for article in Article.objects.filter(source=source):
        assert len(article.content_text) < 1000 and "lollollol" not in article.content_text


def test_the_internal_subset_is_cut_in_utf16_documents_too():
    document = BILLION_LAUGHS.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-16"?>')
    cleaned = neutralize_doctype(document.encode("utf-16"))
    assert "ENTITY" not in cleaned.decode("utf-16")
    assert "<rss" in cleaned.decode("utf-16")


@pytest.fixture
def watched_file(tmp_path):
    """A named pipe standing in for a local file: we learn whether anything ever opened it."""
    path = tmp_path / "secret"
    os.mkfifo(path)
    state = {"opened_by_parser": False, "test_done": False}

    def watch():
        descriptor = os.open(path, os.O_WRONLY)  # returns once someone opens the pipe to read
        if not state["test_done"]:
            state["opened_by_parser"] = True
            os.write(descriptor, b"TOP-SECRET-CONTENT")
        os.close(descriptor)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    yield path, state
    state["test_done"] = True
    os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))  # releases the watcher
    watcher.join(timeout=5)


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss [<!ENTITY secret SYSTEM "file://{path}">]>',
        '<!DOCTYPE rss [<!ENTITY % remote SYSTEM "file://{path}"> %remote;]>',
        '<!DOCTYPE rss SYSTEM "file://{path}">',
    ],
)
def test_an_external_entity_pointing_at_a_local_file_is_never_opened(doctype, watched_file):
    path, state = watched_file
    document = (
        f'<?xml version="1.0"?>\n{doctype.format(path=path)}\n<rss version="2.0"><channel><title>t</title>'
        "<item><title>Leak &secret;</title><link>https://leak.example/1</link>"
        "<description>before &secret; after</description></item></channel></rss>"
    ).encode()
    feed = parse_feed(document, url="https://leak.example/feed")
    assert not state["opened_by_parser"]
    assert all("TOP-SECRET" not in f"{e.title} {e.summary_html}" for e in feed.entries)
