"""Fetching feeds and pages over HTTP, politely and without being turned against this machine.

Every connection goes through `GuardedBackend`, which resolves the host itself, refuses
the address unless it is public internet (loopback only with INGEST_ALLOW_LOOPBACK) and
then connects to exactly the address it checked, so a DNS answer cannot change between
the check and the connection. Redirects are followed by hand, one hop at a time, each
hop through the same guard. A process keeps one client (`shared_client`): a feed host's
connection is kept alive for the next fetch and the TLS context is built once, while every
new connection still passes the guard.
"""

import functools
import ipaddress
import logging
import os
import socket
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import httpcore
import httpx
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from articles.locks import HostBusy, host_slot

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
ALLOWED_SCHEMES = {"http", "https"}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges `ipaddress` does not flag in every Python version, named the way an operator reads them.
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class FetchError(Exception):
    """A fetch that did not give us a usable body; the message is written for a curator.

    `transient` says whether trying again later may help (timeouts, 5xx), which is what
    the task's retry policy looks at.
    """

    def __init__(
        self, message: str, *, transient: bool = False, http_status: int | None = None, retry_after: float = 0
    ):
        super().__init__(message)
        self.transient = transient
        self.http_status = http_status
        self.retry_after = retry_after  # seconds the server asked us to wait (Retry-After), 0 if it did not


class UnsafeURL(FetchError):
    """An address we refuse to fetch: a scheme other than http(s) or a non-public host."""


@dataclass
class FetchResult:
    url: str  # after redirects
    status: int
    content: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    headers: dict = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


# --- Address classification -------------------------------------------------------------


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (mapped, compatible, 6to4, NAT64, Teredo), if any."""
    if address.version != 6:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64_PREFIX or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal_reason(address: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why `address` may not be fetched, in words; None when it is a public internet address."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = refusal_reason(inner, allow_loopback=allow_loopback)
        return f"{reason} (inside the IPv6 address {address})" if reason else None
    if address.is_loopback:
        return None if allow_loopback else "a loopback address (this machine itself)"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.version == 6 and address.is_site_local:
        # fec0::/10: deprecated, but still routed inside some networks, and `is_global` calls it public.
        return "a site-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.version == 4 and address in SHARED_ADDRESS_SPACE:
        return "a carrier-grade NAT address"
    if address.is_private:
        return "a private network address"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "not a public internet address"
    return None


def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (numeric spellings such as 2130706433 or 0x7f.1 included)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"The host name {host!r} could not be resolved ({exc}).", transient=True) from None
    addresses = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def checked_addresses(host: str, port: int, *, allow_loopback: bool | None = None) -> list[IPAddress]:
    """The addresses of `host`, or UnsafeURL if any of them is not allowed (loopback: INGEST_ALLOW_LOOPBACK
    unless the caller, e.g. webhooks with their own setting, says)."""
    if allow_loopback is None:
        allow_loopback = settings.INGEST_ALLOW_LOOPBACK
    addresses = resolve_host(host.rstrip("."), port)
    if not addresses:
        raise FetchError(f"The host name {host!r} has no address.", transient=True)
    for address in addresses:
        reason = refusal_reason(address, allow_loopback=allow_loopback)
        if reason:
            # One bad answer refuses the host: an attacker controls which one we would pick.
            raise UnsafeURL(f"Refused to fetch from {host!r}: it resolves to {address}, {reason}.")
    return addresses


def check_url(url: str) -> httpx.URL:
    """Parse `url` and refuse what can be refused without a network: scheme, credentials, no host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise UnsafeURL(f"Refused {url!r}: it is not a valid web address ({exc}).") from None
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise UnsafeURL(f"Refused {url!r}: only http and https addresses are fetched, not {parsed.scheme or 'none'}.")
    if not parsed.host:
        raise UnsafeURL(f"Refused {url!r}: the address names no host.")
    if parsed.userinfo:
        raise UnsafeURL(f"Refused {url!r}: addresses with a user name or password are not fetched.")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        # httpx would take it, and the socket layer would connect to another port entirely.
        raise UnsafeURL(f"Refused {url!r}: it has an invalid port (a port is a number from 1 to 65535).")
    return parsed


# The monotonic time by which the current fetch must be over (set by `fetch`); every socket
# read waits at most until then, so a server dripping its headers is cut off like one dripping its body.
_deadline: ContextVar[float | None] = ContextVar("ingest_fetch_deadline", default=None)


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads never wait past the current fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream):
        self._stream = stream

    def read(self, max_bytes, timeout=None):
        deadline = _deadline.get()
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise httpcore.ReadTimeout("the total time limit of the fetch has passed")
            timeout = remaining if timeout is None else min(timeout, remaining)
        return self._stream.read(max_bytes, timeout)

    def write(self, buffer, timeout=None):
        return self._stream.write(buffer, timeout)

    def close(self):
        return self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        return DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info):
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses that passed `checked_addresses`, and to nothing else."""

    def __init__(self, *, allow_loopback: bool | None = None):
        super().__init__()
        self.allow_loopback = allow_loopback

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        last_error: Exception | None = None
        options = {} if self.allow_loopback is None else {"allow_loopback": self.allow_loopback}
        for address in checked_addresses(host, port, **options):
            try:
                stream = super().connect_tcp(str(address), port, timeout, local_address, socket_options)
                return DeadlineStream(stream)
            except httpcore.ConnectError as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"Could not connect to {host}.")

    def connect_unix_socket(self, *args, **kwargs):  # pragma: no cover - never configured
        raise UnsafeURL("Unix sockets are never fetched.")


@functools.cache
def _ssl_context():
    # Loading the certificate authorities takes tens of milliseconds; one context serves every connection.
    return httpx.create_ssl_context()


KEEPALIVE_SECONDS = 30  # an idle connection to a feed host is kept this long for the next request


def build_client(*, allow_loopback: bool | None = None) -> httpx.Client:
    # Given the context, the transport does not load the certificate authorities again for a pool it drops.
    transport = httpx.HTTPTransport(retries=0, verify=_ssl_context())
    # httpx has no public knob for the network backend; the pool is rebuilt with ours.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=_ssl_context(),
        max_connections=10,
        max_keepalive_connections=10,
        keepalive_expiry=KEEPALIVE_SECONDS,
        network_backend=GuardedBackend(allow_loopback=allow_loopback),
    )
    return httpx.Client(
        transport=transport,
        follow_redirects=False,
        trust_env=False,  # no proxy from the environment may route around the guard
        timeout=httpx.Timeout(
            connect=settings.INGEST_CONNECT_TIMEOUT,
            read=settings.INGEST_READ_TIMEOUT,
            write=settings.INGEST_READ_TIMEOUT,
            pool=settings.INGEST_CONNECT_TIMEOUT,
        ),
        headers={"User-Agent": settings.INGEST_USER_AGENT, "Accept-Encoding": "gzip, deflate"},
    )


_shared_lock = threading.Lock()
_shared_clients: dict[tuple, httpx.Client] = {}


def shared_client() -> httpx.Client:
    """This process's client for feeds and pages: its connections and TLS context serve fetch after fetch.

    Every new connection still goes through `GuardedBackend`; a kept-alive one leads only to an
    address that passed the guard when it was opened. The client is rebuilt when the settings it
    was built from change (INGEST_ALLOW_LOOPBACK above all), and never shared across a fork.
    """
    key = (
        os.getpid(),
        settings.INGEST_ALLOW_LOOPBACK,
        settings.INGEST_CONNECT_TIMEOUT,
        settings.INGEST_READ_TIMEOUT,
        settings.INGEST_USER_AGENT,
    )
    client = _shared_clients.get(key)
    if client is not None:
        return client
    with _shared_lock:
        for old_key in [k for k in _shared_clients if k != key]:
            old = _shared_clients.pop(old_key)
            if old_key[0] == os.getpid():  # a parent's client holds the parent's sockets: leave them be
                old.close()
        return _shared_clients.setdefault(key, build_client())


# --- Fetching ---------------------------------------------------------------------------


def fetch(url: str, *, etag: str = "", last_modified: str = "", client: httpx.Client | None = None) -> FetchResult:
    """GET `url` following at most MAX_REDIRECTS guarded redirects; conditional when given validators.

    Returns the final response (status 304 included); raises FetchError for anything
    that gives no usable body: refused address, timeout, HTTP error, oversized body,
    a malformed redirect, and whatever else goes wrong inside (never another exception,
    so a caller records a sentence instead of a traceback).
    """
    client = client or shared_client()
    deadline = time.monotonic() + settings.INGEST_TOTAL_TIMEOUT
    deadline_token = _deadline.set(deadline)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            parsed = check_url(current)
            try:
                with host_slot(parsed.host):
                    result = _get_once(client, parsed, headers, deadline)
            except HostBusy as busy:
                raise FetchError(str(busy), transient=True) from None
            if result.status in REDIRECT_STATUSES:
                location = result.headers.get("location")
                if not location:
                    raise FetchError(f"{current} redirected without saying where to.", http_status=result.status)
                current = _redirect_target(current, location, status=result.status)
                continue
            result.url = current
            return result
        raise FetchError(f"{url} redirected more than {MAX_REDIRECTS} times; giving up.")
    except FetchError:
        raise
    except SoftTimeLimitExceeded:
        raise  # the task's time is up: not this address's fault, and the task reports it
    except Exception as exc:  # a library's surprise must not escape as a traceback and lose the run
        logger.warning("Fetching %s failed unexpectedly", url, exc_info=True)
        raise FetchError(f"Fetching {url} failed: {_describe(exc)}.") from exc
    finally:
        _deadline.reset(deadline_token)


def _redirect_target(current: str, location: str, *, status: int) -> str:
    try:
        return urljoin(current, location)
    except ValueError as exc:  # e.g. "http://[::1/x": an IPv6 address never closed
        raise FetchError(
            f"{current} redirected to {location[:200]!r}, which is not a valid web address ({exc}).", http_status=status
        ) from None


def _describe(exc: Exception) -> str:
    return f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__


def _get_once(client: httpx.Client, url: httpx.URL, headers: dict, deadline: float) -> FetchResult:
    cap = settings.INGEST_MAX_BYTES
    try:
        with client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            kept = {k.lower(): v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
            if status in REDIRECT_STATUSES or status == 304:
                return FetchResult(url=str(url), status=status, headers=kept, **_validators(response))
            if status >= 400:
                transient = status >= 500 or status in (408, 425, 429)
                raise FetchError(
                    f"{url} answered HTTP {status} {response.reason_phrase}.".replace(" .", "."),
                    transient=transient,
                    http_status=status,
                    retry_after=retry_after_seconds(response.headers.get("retry-after", "")),
                )
            codings = [c.strip() for c in response.headers.get("content-encoding", "").split(",")]
            codings = [c for c in codings if c and c.lower() != "identity"]
            if len(codings) > 1:
                # Each layer inflates a whole read at once (gzip in gzip: a few kB become gigabytes).
                raise FetchError(
                    f"{url} sent a body compressed more than once ({', '.join(codings)}); refused.",
                    http_status=status,
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise FetchError(f"{url} is {int(declared):,} bytes, over the limit of {cap:,}.", http_status=status)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise FetchError(f"{url} sent more than the limit of {cap:,} bytes; stopped.", http_status=status)
                if time.monotonic() > deadline:
                    raise FetchError(
                        f"{url} took longer than {settings.INGEST_TOTAL_TIMEOUT:g} seconds to send; stopped.",
                        transient=True,
                        http_status=status,
                    )
                chunks.append(chunk)
            return FetchResult(
                url=str(url),
                status=status,
                content=b"".join(chunks),
                content_type=response.headers.get("content-type", ""),
                headers=kept,
                **_validators(response),
            )
    except httpx.TimeoutException:
        if time.monotonic() >= deadline:
            raise FetchError(
                f"{url} took longer than {settings.INGEST_TOTAL_TIMEOUT:g} seconds to send; stopped.", transient=True
            ) from None
        raise FetchError(f"{url} did not answer in time.", transient=True) from None
    except httpx.DecodingError as exc:
        raise FetchError(f"{url} sent a body that could not be decompressed ({exc}).") from None
    except httpx.InvalidURL as exc:
        # httpx reads a redirect's Location before we do; a malformed one ("http:127.0.0.1:…") fails there.
        raise FetchError(f"{url} redirected to an address that is not valid ({exc}).") from None
    except httpx.RemoteProtocolError as exc:
        if "location header" in str(exc).lower():
            raise FetchError(f"{url} redirected to an address that is not valid ({exc}).") from None
        raise FetchError(f"{url} broke the HTTP protocol ({exc}).", transient=True) from None
    except httpx.TransportError as exc:
        raise FetchError(f"Could not reach {url} ({exc.__class__.__name__}: {exc}).", transient=True) from None


def retry_after_seconds(value: str) -> float:
    """A Retry-After header (seconds, or an HTTP date) as seconds from now; 0 when absent or unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return 0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


KEPT_HEADERS = {"location", "content-type", "content-location", "content-language", "etag", "last-modified"}


def _validators(response: httpx.Response) -> dict:
    return {
        "etag": response.headers.get("etag", "")[:500],
        "last_modified": response.headers.get("last-modified", "")[:100],
    }
