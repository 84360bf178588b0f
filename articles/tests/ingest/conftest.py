"""Fixtures for the ingestion tests: a loopback HTTP server the guard lets through, and quick timeouts."""

import contextlib
import socketserver
import threading

import pytest

from articles.models import Source
from articles.tests.factories import make_source


@pytest.fixture(scope="session")
def httpserver_listen_address():
    # An explicit IPv4 loopback address: "localhost" could resolve to ::1 first.
    return ("127.0.0.1", 0)


@pytest.fixture
def ingest_settings(settings):
    """Loopback allowed (the test server is on it) and timeouts short enough for a fast suite.

    The read timeout leaves room for a loaded machine: the test server is a thread of the test's own process, and a
    0.5 s timeout once gave up on it while it answered (a feed-corpus case, beside benches). The tests of timeouts
    set theirs shorter.
    """
    settings.INGEST_ALLOW_LOOPBACK = True
    settings.INGEST_CONNECT_TIMEOUT = 2.0
    settings.INGEST_READ_TIMEOUT = 3.0
    settings.INGEST_TOTAL_TIMEOUT = 6.0
    settings.INGEST_HOST_SLOT_WAIT = 2.0
    settings.INGEST_MAX_BYTES = 2 * 1024 * 1024
    return settings


@pytest.fixture(autouse=True)
def _tasks_run_in_process(eager_tasks):
    """Queued tasks (enrichment) run in the test process instead of needing a broker."""
    return eager_tasks


@pytest.fixture
def feed_source(db, ingest_settings, httpserver):
    """make(path, **fields) → an active feed source whose address is `path` on the test server."""

    def make(path="/feed.xml", **fields) -> Source:
        fields.setdefault("is_active", True)
        return make_source(url=httpserver.url_for(path), **fields)

    return make


@pytest.fixture
def raw_server():
    """start(handler) → URL of a bare TCP server on 127.0.0.1 whose handler writes the raw response
    (for what an HTTP framework would buffer: a body sent a few bytes at a time)."""
    servers = []

    def start(handler) -> str:
        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                with contextlib.suppress(OSError):
                    self.request.recv(65536)
                    handler(self.request)

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
