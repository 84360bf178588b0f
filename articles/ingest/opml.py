"""OPML import and export of feed sources (the list format every feed reader speaks).

OPML files come from elsewhere, so they are read with defusedxml: no entity expansion,
no DTD, no external references.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.ingest.addresses import RefusedAddress, feed_address
from articles.models import Source

MAX_OPML_BYTES = 5 * 1024 * 1024


class OPMLError(Exception):
    """The file is not an OPML list we can read; the message is for the person importing it."""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "address: why"

    def summary(self) -> str:
        parts = [f"{len(self.created)} source(s) added", f"{len(self.already_there)} already there"]
        if self.refused:
            parts.append(f"{len(self.refused)} refused ({'; '.join(self.refused[:10])})")
        return ", ".join(parts) + "."


@dataclass
class OutlineFeed:
    url: str
    title: str
    site_url: str
    description: str


def read_opml(data: bytes) -> list[OutlineFeed]:
    """Every outline with an xmlUrl, however deeply nested in categories."""
    if len(data) > MAX_OPML_BYTES:
        raise OPMLError(f"The file is larger than {MAX_OPML_BYTES // (1024 * 1024)} MB.")
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise OPMLError(f"The file declares a DTD or entities, which are refused ({exc.__class__.__name__}).") from None
    except ET.ParseError as exc:
        raise OPMLError(f"The file is not well-formed XML ({exc}).") from None
    if root.tag.lower() != "opml":
        raise OPMLError(f"The file is not OPML (its root element is <{root.tag}>).")
    body = root.find("body")
    if body is None:
        raise OPMLError("The OPML file has no <body>.")
    feeds = []
    for outline in body.iter("outline"):
        attributes = {key.lower(): (value or "").strip() for key, value in outline.attrib.items()}
        url = attributes.get("xmlurl", "")
        if not url:
            continue  # a category, or a plain link
        feeds.append(
            OutlineFeed(
                url=url,
                title=attributes.get("title") or attributes.get("text") or url,
                site_url=attributes.get("htmlurl", ""),
                description=attributes.get("description", ""),
            )
        )
    return feeds


def import_opml(data: bytes, *, activate: bool = True) -> ImportReport:
    """Create a feed source for each new address in the OPML file; existing addresses are left as they are."""
    report = ImportReport()
    validate = URLValidator(schemes=["http", "https"])
    for feed in read_opml(data):
        if len(feed.url) > 2000:
            report.refused.append(f"{feed.url[:80]}…: address longer than 2000 characters")
            continue
        try:
            validate(feed.url)
            url = feed_address(feed.url)  # the guard the fetcher applies, so a refusal is heard now
        except ValidationError:
            report.refused.append(f"{feed.url}: not an http or https address")
            continue
        except RefusedAddress as refusal:
            report.refused.append(f"{feed.url}: {refusal}")
            continue
        if Source.objects.filter(url__in={feed.url, url}).exists():
            report.already_there.append(feed.url)
            continue
        site_url = feed.site_url
        try:
            validate(site_url)
        except ValidationError:
            site_url = ""
        try:
            with transaction.atomic():
                Source.objects.create(
                    name=feed.title[:200],
                    url=url,
                    site_url=site_url[:2000],
                    description=feed.description,
                    kind=Source.Kind.FEED,
                    is_active=activate,
                )
        except IntegrityError:
            report.already_there.append(feed.url)
            continue
        report.created.append(feed.url)
    return report


def export_opml(sources, *, title: str) -> bytes:
    """An OPML 2.0 document listing `sources` (feed sources only; single-page sources have no feed)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = timezone.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = ET.SubElement(root, "body")
    for source in sources:
        if source.kind != Source.Kind.FEED:
            continue
        attributes = {"type": "rss", "text": source.name, "title": source.name, "xmlUrl": source.url}
        if source.site_url:
            attributes["htmlUrl"] = source.site_url
        if source.description:
            attributes["description"] = source.description
        ET.SubElement(body, "outline", attributes)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
