"""Small feeds written for the tests, item by item."""

from xml.sax.saxutils import escape


def rss(*items: dict, title: str = "Test feed") -> bytes:
    """RSS 2.0 with one <item> per dict (keys: title, link, guid, description, pubDate)."""
    parts = []
    for item in items:
        fields = "".join(f"<{key}>{escape(value)}</{key}>" for key, value in item.items() if value is not None)
        parts.append(f"<item>{fields}</item>")
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>https://publisher.example/</link>{''.join(parts)}</channel></rss>"
    ).encode()


def item(n: int, *, body: str | None = None, **overrides) -> dict:
    values = {
        "title": f"Piece number {n}",
        "link": f"https://publisher.example/pieces/{n}",
        "guid": f"https://publisher.example/pieces/{n}",
        "description": body if body is not None else f"<p>The text of piece {n}, with enough words to read.</p>",
        "pubDate": "Tue, 01 Oct 2024 10:00:00 GMT",
    }
    values.update(overrides)
    return values
