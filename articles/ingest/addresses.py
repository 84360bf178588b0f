"""Addresses as they enter the library: one check and one canonical form for the admin, the API,
OPML import and ingestion alike.

`feed_address` is for what will be fetched (a feed, a single page): it is refused on entry for
the reasons the fetcher would refuse it later (scheme, credentials, port, a host that resolves
to this machine or a private network), so a curator hears why at once instead of reading it in
a failed run an hour later. A host that does not resolve right now is let in: the fetcher
checks it again, on every request and every redirect.

`original_address` is for a brief's link to its original, which is never fetched from here:
it must be an http(s) address, and is stored canonical so one piece has one address.
"""

from articles.ingest.fetch import FetchError, UnsafeURL, check_url, checked_addresses
from articles.ingest.normalize import DEFAULT_PORTS, NotAWebAddress, canonical_url


class RefusedAddress(ValueError):
    """An address refused on entry; the message is a sentence for the person who typed it."""


def feed_address(url: str) -> str:
    """The canonical form of a feed or page address, or RefusedAddress saying why it cannot be fetched."""
    url = (url or "").strip()
    try:
        parsed = check_url(url)
        address = canonical_url(url)
        checked_addresses(parsed.host, parsed.port or DEFAULT_PORTS[parsed.scheme])
    except UnsafeURL as refusal:
        raise RefusedAddress(str(refusal)) from None
    except NotAWebAddress as refusal:
        raise RefusedAddress(f"Refused {url!r}: {refusal}") from None
    except FetchError:
        pass  # the name does not resolve now; each fetch resolves and checks it again
    return address


def original_address(url: str, *, stored: str | None = None) -> str:
    """The canonical form of an original's address; `stored` (the brief's current one) is kept as it is.

    Ingestion keeps the fragment of items that are anchors on one page, so an unchanged
    address must not be canonicalized into another brief's.
    """
    url = (url or "").strip()
    if stored is not None and url == stored:
        return url
    try:
        return canonical_url(url)
    except NotAWebAddress as refusal:
        raise RefusedAddress(str(refusal)) from None
    except ValueError as problem:  # urlsplit on e.g. "http://[oops"
        raise RefusedAddress(f"{url!r} is not a valid web address ({problem}).") from None
