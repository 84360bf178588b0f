"""The SSRF guard: no scheme but http(s), no host that is not public internet, on every hop.

Live attempts only ever target the loopback test server (and are refused before a
connection is made); private, link-local and other addresses are checked at the
address-classification level, or refused by the guard before any socket is opened.
"""

import ipaddress
import socket

import pytest

from articles.ingest import fetch as fetch_module
from articles.ingest.fetch import FetchError, UnsafeURL, fetch, refusal_reason

pytestmark = pytest.mark.django_db

REFUSED_ADDRESSES = {
    "127.0.0.1": "loopback",
    "127.255.255.254": "loopback",
    "::1": "loopback",
    "10.0.0.1": "private",
    "172.16.5.4": "private",
    "192.168.1.1": "private",
    "fd00::1": "private",
    "fc00::1": "private",
    "fec0::1": "site-local",  # deprecated IPv6 site-local, still routed inside some networks
    "feff:ffff::1": "site-local",
    "169.254.169.254": "link-local",  # the cloud metadata service
    "fe80::1": "link-local",
    "224.0.0.1": "multicast",
    "239.255.255.250": "multicast",
    "ff02::1": "multicast",
    "0.0.0.0": "unspecified",
    "::": "unspecified",
    "240.0.0.1": "",  # class E
    "255.255.255.255": "",  # broadcast: refused, whichever word names it
    "100.64.0.1": "carrier-grade NAT",
    "192.0.0.1": "",  # IETF protocol assignments
    "198.18.0.1": "",  # benchmarking range
    "192.0.2.10": "",  # documentation range
    "2001:db8::1": "",  # documentation range
    "::ffff:127.0.0.1": "loopback",  # IPv4-mapped
    "::ffff:10.1.2.3": "private",
    "::ffff:169.254.169.254": "link-local",
    "::ffff:a9fe:a9fe": "link-local",  # the same, spelled in hex
    "::127.0.0.1": "loopback",  # IPv4-compatible (deprecated)
    "64:ff9b::7f00:1": "loopback",  # NAT64 of 127.0.0.1
    "2002:7f00:1::": "loopback",  # 6to4 of 127.0.0.1
    "2002:a00:1::": "private",  # 6to4 of 10.0.0.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe": "loopback",  # Teredo carrying 127.0.0.1
}


@pytest.mark.parametrize(("address", "word"), sorted(REFUSED_ADDRESSES.items()))
def test_non_public_addresses_are_refused_with_a_reason(address, word):
    reason = refusal_reason(ipaddress.ip_address(address))
    assert reason, f"{address} should be refused"
    assert word in reason


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass_the_guard(address):
    assert refusal_reason(ipaddress.ip_address(address)) is None


def test_loopback_passes_only_with_the_setting_and_private_never_does():
    assert refusal_reason(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
    assert refusal_reason(ipaddress.ip_address("::ffff:127.0.0.1"), allow_loopback=True) is None
    assert refusal_reason(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)
    assert refusal_reason(ipaddress.ip_address("169.254.169.254"), allow_loopback=True)


def test_loopback_is_refused_by_default(settings):
    # The project default, not a test override: demos must opt in.
    from portal import settings as project_settings

    assert project_settings.INGEST_ALLOW_LOOPBACK is False


def host_spellings(port):
    return [
        f"http://127.0.0.1:{port}/feed.xml",
        f"http://127.1:{port}/feed.xml",
        f"http://2130706433:{port}/feed.xml",  # decimal
        f"http://0x7f000001:{port}/feed.xml",  # hex
        f"http://0x7f.0.0.1:{port}/feed.xml",  # dotted hex
        f"http://0177.0.0.1:{port}/feed.xml",  # octal
        f"http://017700000001:{port}/feed.xml",  # whole octal
        f"http://127.000.000.001:{port}/feed.xml",
        f"http://[::1]:{port}/feed.xml",
        f"http://[::ffff:127.0.0.1]:{port}/feed.xml",
        f"http://[::ffff:7f00:1]:{port}/feed.xml",
        f"http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/feed.xml",
        f"http://localhost:{port}/feed.xml",
        f"http://LOCALHOST:{port}/feed.xml",
        f"http://localhost.:{port}/feed.xml",
        f"HTTP://127.0.0.1:{port}/feed.xml",
        f"http://0.0.0.0:{port}/feed.xml",
        f"http://[::]:{port}/feed.xml",
        f"http://0:{port}/feed.xml",
        f"http://127\u30020\u30020\u30021:{port}/feed.xml",  # ideographic full stops, mapped to dots by IDNA
        f"http://[::ffff:0:127.0.0.1]:{port}/feed.xml",  # IPv4-translated (SIIT)
        f"http://[::ffff:7f00:0001]:{port}/feed.xml",
    ]


def test_every_spelling_of_this_machine_is_refused_without_a_request(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data("<rss/>")
    for url in host_spellings(httpserver.port):
        with pytest.raises(UnsafeURL) as refused:
            fetch(url)
        assert "Refused" in str(refused.value), url
    assert httpserver.log == []  # nothing ever reached the listener


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/feed.xml",
        "gopher://127.0.0.1:70/_x",
        "dict://127.0.0.1:11211/stat",
        "javascript:alert(1)",
        "data:text/xml,<rss/>",
        "//127.0.0.1/feed.xml",
        "http://user:secret@127.0.0.1/feed.xml",
        "http://public.example@127.0.0.1/feed.xml",
        "http:///feed.xml",
    ],
)
def test_other_schemes_credentials_and_hostless_addresses_are_refused(url, ingest_settings):
    with pytest.raises(UnsafeURL):
        fetch(url)


@pytest.fixture
def local_names(monkeypatch):
    """Names that resolve to this machine, the way services such as localtest.me or nip.io answer,
    without asking a DNS server (there is none reachable from here)."""
    real_getaddrinfo = socket.getaddrinfo
    answers = {
        "localtest.me": ["127.0.0.1"],
        "127.0.0.1.nip.io": ["127.0.0.1"],
        "app.lvh.me": ["127.0.0.1"],
        "metadata.internal": ["169.254.169.254"],
        "split.example": ["93.184.215.14", "127.0.0.1"],  # one good answer does not excuse a bad one
        "six.example": ["::1"],
        "sitelocal.example": ["fec0::10"],
    }

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [
                (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in answers[host]
            ]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.mark.parametrize("name", ["localtest.me", "127.0.0.1.nip.io", "app.lvh.me", "split.example", "six.example"])
def test_names_that_resolve_to_this_machine_are_refused(name, local_names, httpserver):
    with pytest.raises(UnsafeURL) as refused:
        fetch(f"http://{name}:{httpserver.port}/feed.xml")
    assert "loopback" in str(refused.value)
    assert httpserver.log == []


def test_a_name_resolving_to_the_metadata_service_is_refused(local_names, ingest_settings):
    with pytest.raises(UnsafeURL, match="link-local"):
        fetch("http://metadata.internal/latest/meta-data/")


def test_a_name_resolving_to_an_ipv6_site_local_address_is_refused(local_names, ingest_settings):
    with pytest.raises(UnsafeURL, match="site-local"):
        fetch("http://sitelocal.example/feed.xml")


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/admin",
        "http://192.168.0.1/",
        "http://[fd12::1]/",
        "http://[::ffff:10.0.0.7]/",
        "http://0.0.0.0/",
        "http://metadata.internal/",
        "file:///etc/passwd",
        "gopher://10.0.0.7/",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(target, ingest_settings, httpserver, local_names):
    httpserver.expect_request("/feed.xml").respond_with_data("", status=302, headers={"Location": target})
    with pytest.raises(UnsafeURL):
        fetch(httpserver.url_for("/feed.xml"))


def test_a_redirect_from_a_public_site_to_this_machine_is_refused(settings, httpserver, monkeypatch):
    """The first hop stands in for a public site; the guard checks the redirect's target on its own."""
    settings.INGEST_ALLOW_LOOPBACK = False
    real_checked = fetch_module.checked_addresses

    def checked(host, port):
        if host == "public.test":
            return [ipaddress.ip_address("127.0.0.1")]
        return real_checked(host, port)

    monkeypatch.setattr(fetch_module, "checked_addresses", checked)
    httpserver.expect_request("/feed.xml").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/private")}
    )
    with pytest.raises(UnsafeURL, match="loopback"):
        fetch(f"http://public.test:{httpserver.port}/feed.xml")
    assert [request.path for request, _ in httpserver.log] == ["/feed.xml"]


def test_loopback_is_reachable_with_the_test_setting(ingest_settings, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data("<rss/>")
    assert fetch(httpserver.url_for("/feed.xml")).content == b"<rss/>"


def test_an_unresolvable_name_is_a_clear_temporary_error(ingest_settings):
    with pytest.raises(FetchError, match="could not be resolved") as failure:
        fetch("http://no-such-host.invalid/feed.xml")
    assert failure.value.transient
