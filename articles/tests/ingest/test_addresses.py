"""Addresses on every path: malformed redirects are fetch errors with a sentence, a brief's original is
stored canonical whether the admin, the API or ingestion writes it, and feed and page addresses are
refused on entry (admin, OPML, single page) for the reasons the fetcher would refuse them later."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from articles.ingest.addresses import RefusedAddress, feed_address, original_address
from articles.ingest.fetch import FetchError, fetch
from articles.ingest.pipeline import ingest_source
from articles.models import Article, IngestionRun, Source
from articles.tests.factories import make_article, make_source
from articles.tests.ingest.feeds import item, rss
from articles.tests.test_admin import _form_data

pytestmark = pytest.mark.django_db

MALFORMED_LOCATIONS = [
    b"http:127.0.0.1:1/x",  # no slashes: httpx refuses it while reading the response
    b"http://[::1/x",  # an IPv6 address never closed
    b"http://127.0.0.1:99999/x",  # a port no socket has
]


def redirecting_to(location: bytes):
    def handler(sock):
        sock.sendall(b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n")

    return handler


@pytest.mark.parametrize("location", MALFORMED_LOCATIONS)
def test_a_malformed_redirect_is_a_fetch_error_with_a_sentence(ingest_settings, raw_server, location):
    url = raw_server(redirecting_to(location))
    with pytest.raises(FetchError) as failure:
        fetch(url)
    message = str(failure.value)
    assert url in message or location.decode() in message
    assert "not valid" in message or "invalid port" in message
    assert not failure.value.transient  # the same answer tomorrow: no retry storm


def test_a_malformed_redirect_on_an_items_page_keeps_the_feeds_text_and_the_feeds_etag(
    ingest_settings, httpserver, raw_server, feed_source
):
    page = raw_server(redirecting_to(b"http:127.0.0.1:1/x"))
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss(item(1, link=page, guid=page, body="<p>The teaser the feed carries.</p>")),
        headers={"ETag": '"feed-v1"'},
        content_type="application/rss+xml",
    )
    source = feed_source(fetch_full_text=True)

    run = ingest_source(source_id=source.pk).run

    assert run.status == IngestionRun.Outcome.SUCCEEDED
    assert "full text of" in run.error and "not valid" in run.error
    brief = Article.objects.get()
    assert "The teaser the feed carries." in brief.content_text
    source.refresh_from_db()
    assert source.etag == '"feed-v1"'
    assert source.consecutive_failures == 0


@pytest.mark.parametrize(
    "address",
    ["https://weekly.example:99999/piece", "https://[weekly.example/piece", "ftp://weekly.example/piece"],
)
def test_one_rule_refuses_an_impossible_original_address(address):
    with pytest.raises(RefusedAddress):
        original_address(address)


def test_the_api_refuses_an_original_address_with_port_99999(editor):
    api = APIClient()
    api.force_authenticate(editor)
    source = make_source()
    response = api.post(
        "/api/v1/articles/",
        {"title": "Port", "source": source.slug, "original_url": "https://weekly.example:99999/piece"},
        format="json",
    )
    assert response.status_code == 400
    assert "invalid port" in response.json()["error"]["fields"]["original_url"][0]
    assert not Article.objects.exists()


def test_the_admin_refuses_port_99999_and_stores_the_canonical_address_like_the_api(editor_client):
    article = make_article()
    change = reverse("admin:articles_article_change", args=[article.pk])

    refused = editor_client.post(change, _form_data(article, original_url="https://weekly.example:99999/piece"))
    assert refused.status_code == 200
    assert "invalid port" in refused.content.decode()

    editor_client.post(change, _form_data(article, original_url="HTTPS://Weekly.Example:443/piece?utm_source=x&id=7"))
    article.refresh_from_db()
    assert article.original_url == "https://weekly.example/piece?id=7"


# --- The address guard on entry ---------------------------------------------------------

REFUSED_FEEDS = {
    "http://127.0.0.1/feed.xml": "loopback",
    "http://2130706433/feed.xml": "loopback",  # 127.0.0.1 spelled as one number
    "http://10.0.0.8/feed.xml": "private network",
    "http://169.254.169.254/latest/meta-data/": "link-local",
    "http://[::ffff:192.168.1.1]/feed.xml": "private network",
    "ftp://files.example/feed.xml": "only http and https",
    "https://reader:secret@feeds.example/feed.xml": "user name or password",
    "https://feeds.example:70000/feed.xml": "invalid port",
}


@pytest.mark.parametrize(("address", "reason"), REFUSED_FEEDS.items())
def test_the_entry_guard_refuses_what_the_fetcher_would_refuse_with_a_sentence(settings, address, reason):
    settings.INGEST_ALLOW_LOOPBACK = False
    with pytest.raises(RefusedAddress, match=reason):
        feed_address(address)


def test_the_entry_guard_lets_loopback_in_only_when_the_setting_allows_it(settings):
    settings.INGEST_ALLOW_LOOPBACK = True
    assert feed_address("HTTP://127.0.0.1:8105/feed.xml?utm_source=x") == "http://127.0.0.1:8105/feed.xml"
    settings.INGEST_ALLOW_LOOPBACK = False
    with pytest.raises(RefusedAddress, match="loopback"):
        feed_address("http://localhost:8105/feed.xml")


def test_a_host_that_does_not_resolve_now_is_let_in_for_the_fetcher_to_check_later(settings):
    settings.INGEST_ALLOW_LOOPBACK = False
    assert feed_address("https://feeds.invalid/feed.xml") == "https://feeds.invalid/feed.xml"


def _source_form(**changes):
    data = {
        "name": "A feed",
        "slug": "a-feed",
        "kind": Source.Kind.FEED,
        "url": "https://feeds.example/feed.xml",
        "site_url": "",
        "description": "",
        "is_active": "on",
        "poll_interval_minutes": "60",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("http://127.0.0.1:8105/feed.xml", "loopback"),
        ("ftp://files.example/feed.xml", "only http and https"),
        ("https://reader:secret@feeds.example/feed.xml", "user name or password"),
    ],
)
def test_the_source_form_refuses_an_unfetchable_feed_address(settings, admin_client, address, reason):
    settings.INGEST_ALLOW_LOOPBACK = False
    response = admin_client.post(reverse("admin:articles_source_add"), _source_form(url=address))
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not Source.objects.exists()


def test_the_source_form_stores_the_canonical_feed_address(admin_client):
    # Saved paused: an active feed must also answer a readable feed on save, which this host cannot here.
    form = _source_form(url="HTTPS://Feeds.Example:443/feed.xml?utm_medium=rss")
    del form["is_active"]
    admin_client.post(reverse("admin:articles_source_add"), form)
    assert Source.objects.get().url == "https://feeds.example/feed.xml"


def test_opml_import_refuses_unfetchable_feeds_and_says_why(settings, editor_client):
    settings.INGEST_ALLOW_LOOPBACK = False
    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><body>'
        b'<outline text="Fine" xmlUrl="https://feeds.example/good.xml"/>'
        b'<outline text="Here" xmlUrl="http://127.0.0.1/feed.xml"/>'
        b'<outline text="Files" xmlUrl="ftp://files.example/feed.xml"/>'
        b'<outline text="Secret" xmlUrl="https://me:pw@feeds.example/private.xml"/>'
        b"</body></opml>"
    )
    upload = SimpleUploadedFile("subs.opml", opml, content_type="text/x-opml")
    response = editor_client.post(reverse("admin:articles_source_import_opml"), {"file": upload}, follow=True)
    page = response.content.decode()
    assert "1 source(s) added" in page and "3 refused" in page
    assert "loopback" in page and "user name or password" in page
    assert list(Source.objects.values_list("url", flat=True)) == ["https://feeds.example/good.xml"]


def test_adding_a_single_page_on_a_private_address_is_refused_on_the_form(settings, curator_client):
    settings.INGEST_ALLOW_LOOPBACK = False
    response = curator_client.post(
        reverse("admin:articles_source_add_page"), {"url": "http://192.168.0.10/internal-report"}
    )
    assert response.status_code == 200
    assert "private network" in response.content.decode()
    assert not Source.objects.exists()
