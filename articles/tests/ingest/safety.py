"""What "safe HTML" means for these tests, checked on the parsed markup rather than on raw text
(a post may well talk about "javascript:" in its prose)."""

import re
from html.parser import HTMLParser

DANGEROUS_TAGS = {"script", "style", "iframe", "object", "embed", "applet", "frame", "frameset", "meta", "link", "base"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "cite", "background", "poster", "data", "xlink:href"}
_SCHEME = re.compile(r"^[\s\x00-\x1f]*([a-z][a-z0-9+.\-]*)\s*:", re.IGNORECASE)


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name == "style":
                self.problems.append(f"{tag}[style]")
            scheme = _SCHEME.match(value or "") if name in URL_ATTRIBUTES else None
            if scheme and scheme.group(1).lower() not in {"http", "https", "mailto"}:
                self.problems.append(f"{tag}[{name}={value!r}]")


def unsafe_parts(html: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems
