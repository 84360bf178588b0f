"""OPML import and export, and the management commands people run by hand."""

import sys
import threading
from concurrent.futures import Future
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.ingest import pipeline
from articles.ingest.opml import OPMLError, export_opml, import_opml, read_opml
from articles.ingest.pipeline import ingest_source, read_feed
from articles.locks import Busy, source_lock
from articles.models import Article, IngestionRun, Source
from articles.tests.factories import make_source
from articles.tests.ingest.feeds import item, rss

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = Path(__file__).with_name("subscriptions.opml")


def test_import_creates_each_nested_feed_once_and_says_what_it_refused():
    report = import_opml(SUBSCRIPTIONS.read_bytes())
    assert sorted(report.created) == [
        "http://scripting.com/rss.xml",
        "https://daringfireball.net/feeds/json",
        "https://daringfireball.net/feeds/main",
        "https://lilianweng.github.io/index.xml",
        "https://www.interconnects.ai/feed",
    ]
    assert report.refused == ["javascript:alert(1): not an http or https address"]
    scripting = Source.objects.get(url="http://scripting.com/rss.xml")
    assert (scripting.name, scripting.site_url, scripting.kind) == ("Scripting News", "", Source.Kind.FEED)
    assert Source.objects.get(url="https://daringfireball.net/feeds/json").description == "The same posts as JSON."

    again = import_opml(SUBSCRIPTIONS.read_bytes())
    assert (again.created, len(again.already_there)) == ([], 5)
    assert Source.objects.count() == 5


def test_export_then_import_gives_back_the_same_sources():
    import_opml(SUBSCRIPTIONS.read_bytes())
    make_source(kind=Source.Kind.PAGE, url="https://pages.example/")
    document = export_opml(Source.objects.all(), title="Ours")
    urls = sorted(feed.url for feed in read_opml(document))
    assert urls == sorted(Source.objects.filter(kind=Source.Kind.FEED).values_list("url", flat=True))
    Source.objects.all().delete()
    assert len(import_opml(document).created) == 5


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"<html><body/></html>", "not OPML"),
        (b"<opml><head/>", "not well-formed"),
        (b'<!DOCTYPE opml [<!ENTITY a "b">]><opml><body/></opml>', "DTD or entities"),
        (b"<opml version='2.0'><head/></opml>", "no <body>"),
    ],
)
def test_bad_opml_is_refused_with_a_reason(document, message):
    with pytest.raises(OPMLError, match=message):
        import_opml(document)


def test_import_opml_command_reports_what_it_did(tmp_path):
    out = StringIO()
    call_command("import_opml", str(SUBSCRIPTIONS), "--paused", stdout=out)
    assert "5 source(s) added, 0 already there, 1 refused" in out.getvalue()
    assert not Source.objects.active().exists()
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_opml", str(tmp_path / "missing.opml"))


def test_export_sources_command_writes_opml(tmp_path):
    import_opml(SUBSCRIPTIONS.read_bytes())
    target = tmp_path / "out.opml"
    call_command("export_sources", "-o", str(target), stdout=StringIO())
    assert len(read_opml(target.read_bytes())) == 5


def test_ingest_command_runs_the_chosen_source_with_a_progress_bar(httpserver, feed_source):
    httpserver.expect_request("/feed.xml").respond_with_data(rss(item(1), item(2)))
    source = feed_source()
    out, err = StringIO(), StringIO()
    call_command("ingest", "--source", str(source.pk), stdout=out, stderr=err)
    assert "1 source(s): 2 new, 0 updated, 0 failed." in out.getvalue()
    assert "100%" in err.getvalue()  # tqdm's bar
    assert Article.objects.count() == 2


def test_ingest_all_goes_on_past_a_broken_source_and_fails_at_the_end(httpserver, feed_source):
    httpserver.expect_request("/good.xml").respond_with_data(rss(item(1)))
    httpserver.expect_request("/bad.xml").respond_with_data("<html>not a feed</html>", content_type="text/html")
    feed_source("/bad.xml", name="A broken one")
    feed_source("/good.xml", name="B good one")
    make_source(is_active=False, url="https://paused.example/feed")
    with pytest.raises(CommandError, match="1 source"):
        call_command("ingest", "--all", stdout=StringIO(), stderr=StringIO())
    assert Article.objects.count() == 1
    assert IngestionRun.objects.count() == 2  # the paused source is left alone


def test_ingest_command_names_an_unknown_source(db):
    with pytest.raises(CommandError, match="No source with id 424242"):
        call_command("ingest", "--source", "424242")


def test_ingest_all_records_a_failed_fetch_on_the_run_of_its_source_and_skips_a_busy_one(
    httpserver, feed_source, monkeypatch
):
    # Feeds are fetched ahead of their runs (pipeline.ingest_sources); what went wrong still lands on the right run.
    httpserver.expect_request("/gone.xml").respond_with_data("gone", status=404)
    httpserver.expect_request("/good.xml").respond_with_data(rss(item(1)))
    gone = feed_source("/gone.xml", name="A gone one")
    busy = feed_source("/busy.xml", name="B busy one")
    good = feed_source("/good.xml", name="C good one")
    held_elsewhere = f"source:{busy.pk}"

    def lock(key):
        if key == held_elsewhere:
            raise Busy("another worker holds it")
        return source_lock(key)

    monkeypatch.setattr(pipeline, "source_lock", lock)
    switch_interval = sys.getswitchinterval()
    with pytest.raises(CommandError, match="1 source"):
        call_command("ingest", "--all", stdout=StringIO(), stderr=StringIO())
    assert sys.getswitchinterval() == switch_interval  # shortened while the reader thread ran, then put back
    failed = IngestionRun.objects.get(source=gone)
    assert (failed.status, failed.http_status) == (IngestionRun.Outcome.FAILED, 404)
    assert not IngestionRun.objects.filter(source=busy).exists()
    assert IngestionRun.objects.get(source=good).items_new == 1


def test_ingest_all_fetches_the_next_feed_while_the_one_before_is_still_being_parsed(
    httpserver, feed_source, monkeypatch
):
    # Waiting on a publisher's server costs no parsing time: the next feed is on its way meanwhile.
    httpserver.expect_request("/first.xml").respond_with_data(rss(item(1)))
    httpserver.expect_request("/second.xml").respond_with_data(rss(item(2)))
    feed_source("/first.xml", name="A first")
    feed_source("/second.xml", name="B second")
    second_requested = threading.Event()
    requested_while_parsing_the_first = []
    fetch, parse_feed = pipeline.fetch, pipeline.parse_feed

    def fetching(url, **kwargs):
        if url.endswith("/second.xml"):
            second_requested.set()
        return fetch(url, **kwargs)

    def parsing(content, *, url, **kwargs):
        if url.endswith("/first.xml"):
            requested_while_parsing_the_first.append(second_requested.wait(timeout=5))
        return parse_feed(content, url=url, **kwargs)

    monkeypatch.setattr(pipeline, "fetch", fetching)
    monkeypatch.setattr(pipeline, "parse_feed", parsing)
    call_command("ingest", "--all", stdout=StringIO(), stderr=StringIO())
    assert requested_while_parsing_the_first == [True]
    assert sorted(IngestionRun.objects.values_list("items_new", flat=True)) == [1, 1]


def test_a_feed_read_ahead_is_fetched_again_when_its_source_changed_meanwhile(httpserver, feed_source):
    httpserver.expect_request("/old.xml").respond_with_data(rss(item(1)))
    httpserver.expect_request("/new.xml").respond_with_data(rss(item(2)))
    source = feed_source("/old.xml")
    read = read_feed(source)
    Source.objects.filter(pk=source.pk).update(url=httpserver.url_for("/new.xml"))  # a curator edited it
    assert ingest_source(source_id=source.pk, read=read).run.items_new == 1
    assert list(Article.objects.values_list("original_url", flat=True)) == [item(2)["link"]]


def test_a_run_records_itself_before_waiting_for_its_feed_still_being_read(httpserver, feed_source):
    httpserver.expect_request("/feed.xml").respond_with_data(rss(item(1)))
    source = feed_source()
    running_when_waited = []

    class StillReading(Future):
        def result(self, timeout=None):
            running_when_waited.append(IngestionRun.objects.filter(source=source, status="running").count())
            return super().result(timeout)

    reading = StillReading()
    reading.set_result(read_feed(source))
    assert ingest_source(source_id=source.pk, read=reading).run.items_new == 1
    assert running_when_waited == [1]  # its lock taken and its run recorded meanwhile


def test_reading_a_feed_ahead_touches_no_database(httpserver, feed_source, django_assert_num_queries):
    httpserver.expect_request("/feed.xml").respond_with_data(rss(item(1), item(2)))
    source = feed_source()
    with django_assert_num_queries(0):
        read = read_feed(source)
    assert read.error is None and len(read.feed.entries) == 2


def test_a_feed_read_ahead_brings_its_items_addresses_and_the_run_stores_them_there(httpserver, feed_source):
    tracked = item(2, link="https://publisher.example/pieces/2?utm_source=feed")
    httpserver.expect_request("/feed.xml").respond_with_data(rss(item(1), tracked, item(3, link="", guid="")))
    source = feed_source()
    read = read_feed(source, normalize=True)
    first, second, missing = read.addresses.own
    assert (first, second) == (item(1)["link"], item(2)["link"])  # canonical: the tracking parameter gone
    assert isinstance(missing, pipeline.NotAWebAddress)
    run = ingest_source(source_id=source.pk, read=read).run
    assert (run.items_new, run.items_failed) == (2, 1)
    assert sorted(Article.objects.values_list("original_url", flat=True)) == [item(1)["link"], item(2)["link"]]


def test_ingest_all_stores_an_item_whose_link_was_taken_at_its_own_address(httpserver, feed_source):
    # Items are normalized ahead at their link; one whose link an earlier item took is normalized again.
    first, second = item(1), item(2, link=item(1)["link"])
    httpserver.expect_request("/feed.xml").respond_with_data(rss(first, second))
    feed_source()
    call_command("ingest", "--all", stdout=StringIO(), stderr=StringIO())
    stored = dict(Article.objects.values_list("original_url", "title"))
    assert stored == {first["link"]: "Piece number 1", second["guid"]: "Piece number 2"}
