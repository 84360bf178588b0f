"""Fetching against a real local HTTP server: timeouts, size cap, redirects, conditional GET, politeness."""

import threading
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from articles.ingest.fetch import MAX_REDIRECTS, FetchError, fetch

pytestmark = pytest.mark.django_db

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def test_fetch_sends_a_user_agent_naming_the_product(ingest_settings, httpserver):
    ingest_settings.INGEST_USER_AGENT = "Distillery-test/1.0 (+https://distillery.example)"
    httpserver.expect_request("/feed.xml", headers={"User-Agent": ingest_settings.INGEST_USER_AGENT}).respond_with_data(
        RSS
    )
    assert fetch(httpserver.url_for("/feed.xml")).content == RSS


def test_conditional_get_sends_validators_and_returns_304(ingest_settings, httpserver):
    httpserver.expect_request(
        "/feed.xml", headers={"If-None-Match": '"v1"', "If-Modified-Since": "Tue, 01 Oct 2024 10:00:00 GMT"}
    ).respond_with_data("", status=304)
    result = fetch(httpserver.url_for("/feed.xml"), etag='"v1"', last_modified="Tue, 01 Oct 2024 10:00:00 GMT")
    assert result.not_modified
    assert result.content == b""


def test_validators_of_the_response_are_returned(ingest_settings, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(
        RSS, headers={"ETag": '"abc"', "Last-Modified": "Wed, 02 Oct 2024 10:00:00 GMT"}
    )
    result = fetch(httpserver.url_for("/feed.xml"))
    assert (result.etag, result.last_modified) == ('"abc"', "Wed, 02 Oct 2024 10:00:00 GMT")


def test_server_error_is_a_temporary_failure_and_not_found_is_not(ingest_settings, httpserver):
    httpserver.expect_request("/broken").respond_with_data("oops", status=500)
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    with pytest.raises(FetchError, match="HTTP 500") as broken:
        fetch(httpserver.url_for("/broken"))
    assert broken.value.transient and broken.value.http_status == 500
    with pytest.raises(FetchError, match="HTTP 404") as gone:
        fetch(httpserver.url_for("/gone"))
    assert not gone.value.transient and gone.value.http_status == 404


def test_a_server_that_does_not_answer_in_time_is_given_up_on(ingest_settings, httpserver):
    ingest_settings.INGEST_READ_TIMEOUT = 0.5

    def slow(request):
        time.sleep(1.2)  # over the read timeout
        return Response(RSS)

    httpserver.expect_request("/slow").respond_with_handler(slow)
    with pytest.raises(FetchError, match="did not answer in time") as failure:
        fetch(httpserver.url_for("/slow"))
    assert failure.value.transient


def test_a_slow_drip_body_is_cut_off_at_the_total_timeout(ingest_settings, raw_server):
    ingest_settings.INGEST_TOTAL_TIMEOUT = 1.0

    def drip(connection):
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n")
        for _ in range(40):
            time.sleep(0.1)  # each piece well inside the read timeout
            connection.sendall(b"<!-- drip -->")

    with pytest.raises(FetchError, match="took longer than 1 seconds"):
        fetch(raw_server(drip))


def test_slow_drip_headers_are_cut_off_at_the_total_timeout(ingest_settings, raw_server):
    ingest_settings.INGEST_TOTAL_TIMEOUT = 1.0

    def drip(connection):
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n")
        for n in range(40):
            time.sleep(0.1)  # each header well inside the read timeout, four seconds in all
            connection.sendall(b"X-Drip-%d: x\r\n" % n)
        connection.sendall(b"Content-Length: 0\r\n\r\n")

    with pytest.raises(FetchError, match="took longer than 1 seconds") as failure:
        fetch(raw_server(drip))
    assert failure.value.transient


def test_a_body_compressed_twice_over_is_refused_without_inflating_it(ingest_settings, raw_server):
    """gzip inside gzip turns a 1 kB body into 64 MB in one read: refused before any of it is inflated."""
    import gzip
    import tracemalloc

    bomb = gzip.compress(gzip.compress(b"\0" * (64 * 1024 * 1024), 1), 9)

    def send(connection):
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Encoding: gzip, gzip\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(bomb), bomb)
        )

    url = raw_server(send)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="compressed more than once"):
            fetch(url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024


def test_a_body_declared_over_the_cap_is_refused_before_reading(ingest_settings, httpserver):
    ingest_settings.INGEST_MAX_BYTES = 4096
    httpserver.expect_request("/big").respond_with_data(b"x" * 10_000)
    with pytest.raises(FetchError, match="over the limit of 4,096"):
        fetch(httpserver.url_for("/big"))


def test_a_streamed_body_over_the_cap_is_stopped(ingest_settings, httpserver):
    ingest_settings.INGEST_MAX_BYTES = 4096

    def endless(request):
        return Response((b"y" * 1024 for _ in range(1000)), content_type="application/rss+xml")

    httpserver.expect_request("/endless").respond_with_handler(endless)
    with pytest.raises(FetchError, match="more than the limit"):
        fetch(httpserver.url_for("/endless"))


def test_redirects_are_followed_up_to_five_hops(ingest_settings, httpserver):
    for hop in range(MAX_REDIRECTS):
        httpserver.expect_request(f"/hop{hop}").respond_with_data(
            "", status=302, headers={"Location": f"/hop{hop + 1}"}
        )
    httpserver.expect_request(f"/hop{MAX_REDIRECTS}").respond_with_data(RSS)
    result = fetch(httpserver.url_for("/hop0"))
    assert result.content == RSS
    assert result.url == httpserver.url_for(f"/hop{MAX_REDIRECTS}")


def test_a_sixth_redirect_is_refused(ingest_settings, httpserver):
    for hop in range(MAX_REDIRECTS + 1):
        httpserver.expect_request(f"/hop{hop}").respond_with_data(
            "", status=301, headers={"Location": f"/hop{hop + 1}"}
        )
    httpserver.expect_request(f"/hop{MAX_REDIRECTS + 1}").respond_with_data(RSS)
    with pytest.raises(FetchError, match="more than 5 times"):
        fetch(httpserver.url_for("/hop0"))


def test_no_more_than_two_requests_reach_one_host_at_once(ingest_settings):
    in_flight, peak, lock = 0, 0, threading.Lock()

    def handler(request):
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.15)
        with lock:
            in_flight -= 1
        return Response(RSS)

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request("/feed.xml").respond_with_handler(handler)
    server.start()
    try:
        errors = []

        def worker():
            try:
                fetch(server.url_for("/feed.xml"))
            except Exception as exc:  # collected, so a failure shows up in the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    finally:
        server.stop()
    assert errors == []
    assert len(server.log) == 6
    assert peak == 2


def test_retry_after_is_read_as_seconds_or_as_a_date():
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    from articles.ingest.fetch import retry_after_seconds

    in_an_hour = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    assert retry_after_seconds("120") == 120
    assert 3500 < retry_after_seconds(in_an_hour) <= 3600
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # already past
    assert retry_after_seconds("soon") == 0
    assert retry_after_seconds("") == 0
