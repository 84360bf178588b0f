"""A fast reading of well-formed RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 documents with lxml, giving
exactly what feedparser gives for the values Distillery keeps, or nothing at all.

feedparser reads a feed through SAX callbacks in Python (about half of ingestion's time). Here lxml
builds the tree in C and a short walk over it applies feedparser's own rules: the same encoding
detection (`convert_to_utf8`), the same xml:base arithmetic, date parser, URI joining, cp1252 and
double-encoding repairs, the plain-text-or-HTML guess, which of two titles, links, summaries or
contents wins, and how an author's name and e-mail are joined. It returns feedparser-shaped
dictionaries, so parse.py turns them into entries with the very code it uses for feedparser's.

Correctness first: `read_feed` returns None, and the caller uses feedparser, for anything this
walk does not model exactly: a document lxml refuses (feedparser would recover and flag it), a
DOCTYPE, RSS 0.9x or Atom 0.3, markup inside a text element other than an Atom xhtml construct,
an element feedparser treats specially that is not listed here, a namespace prefix redeclared.
articles/tests/ingest/test_fastparse.py runs both readers over every corpus feed and requires the
same entries wherever this one answers.

The parser is hardened as parse.py's neutralized input requires: no entity is resolved, no DTD
loaded, nothing fetched from the network, no huge-tree mode (libxml2's size limits stay on).
"""

import contextlib
import logging
import re
from xml.sax.saxutils import escape

from feedparser.datetimes import _parse_date
from feedparser.encodings import convert_to_utf8
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.sanitizer import replace_doctype
from feedparser.urls import _urljoin, make_safe_absolute_uri
from lxml import etree

logger = logging.getLogger(__name__)

ATOM = "http://www.w3.org/2005/Atom"
RSS10 = "http://purl.org/rss/1.0/"
NETSCAPE = "http://my.netscape.com/rdf/simple/0.9/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
VERSION_NAMESPACES = {ATOM.lower(), RSS10, NETSCAPE}

# feedparser's namespace table: lower-case URI -> the prefix its handlers are named with.
KNOWN_NAMESPACES = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
STANDARD_PREFIXES = set(KNOWN_NAMESPACES.values()) - {""}
HANDLED_BY_FEEDPARSER = {
    name.split("_", 2)[2] for name in dir(_FeedParserMixin) if name.startswith(("_start_", "_end_"))
}
HTML_TYPES = {"text/html", "application/xhtml+xml"}
XHTML = "application/xhtml+xml"

TITLES = {"title", "dc_title", "media_title"}
LINK = "link"
GUIDS = {"guid", "id"}
DESCRIPTIONS = {"description", "dc_description", "media_description"}
SUMMARIES = {"summary", "itunes_summary"}
CONTENTS = {"content": "text/plain", "content_encoded": "text/html", "fullitem": "text/html"}
AUTHORS = {"author", "managingeditor", "dc_author", "dc_creator", "itunes_author"}
CONTRIBUTORS = {"contributor", "dc_contributor"}
PUBLISHED = {"pubdate", "published", "issued", "dcterms_issued"}
UPDATED = {"updated", "modified", "lastbuilddate", "dc_date", "dcterms_modified"}
LANGUAGES = {"language", "dc_language"}
PERSON_PARTS = {"name", "email", "uri", "url", "homepage", "itunes_name", "itunes_email"}
# What may stand inside a feed's image or text input (anything else makes feedparser leave its context).
HOLDER_PARTS = {
    "image": {"title", "link", "url", "width", "height", "description"},
    "textinput": {"title", "link", "description", "name"},
}
ENTRY_IMAGE_PARTS = {"title", "link", "url", "width", "height"}
COPIED_TO_SUMMARY = {"text/plain", "text/html", "application/xhtml+xml"}
# Elements feedparser handles that touch nothing Distillery reads (tags, media, rights, ...):
# allowed when they hold text only.
HARMLESS = {
    "category", "keywords", "dc_subject", "media_category", "itunes_category", "itunes_keywords",
    "media_keywords", "tags", "enclosure", "media_thumbnail", "media_credit", "media_rating",
    "media_restriction", "media_license", "media_player", "created", "dcterms_created",
    "expirationdate", "dcterms_valid", "rights", "copyright", "dc_rights", "subtitle", "tagline",
    "itunes_subtitle", "generator", "info", "feedburner_browserfriendly", "cloud", "webmaster",
    "dc_publisher", "width", "height", "itunes_image", "itunes_link", "itunes_block",
    "itunes_explicit", "newlocation", "cc_license", "creativecommons_license",
    "admin_generatoragent", "admin_errorreportsto", "language", "dc_language",
}  # fmt: skip
# Handled containers whose children feedparser reads as if they stood in the parent.
TRANSPARENT = {"media_group", "media_content"}
# Keys an unhandled element must not land on (feedparser stores it under its own name).
READ_KEYS = {
    "content", "summary", "summary_detail", "link", "links", "id", "title", "title_detail", "author",
    "author_detail", "authors", "published_parsed", "updated_parsed", "language", "href", "image",
}  # fmt: skip
KEY_ALIASES = {"guid": "id", "description": "summary", "url": "href", "date": "updated", "issued": "published"}
# Attributes whose meaning feedparser takes from any namespace's local name.
SENSITIVE_ATTRIBUTES = {"type", "mode", "src", "href", "url", "uri", "rel", "base", "ispermalink", "lastmod"}
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"

_DECLARATION = re.compile(rb"""xmlns(?::([A-Za-z_][\w.\-]*))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_C1_CONTROLS = re.compile("[\x80-\x9f]")
_LINK_ENTITY = re.compile("&([A-Za-z0-9_]+);")


# An absolute http(s) address that feedparser's `_urljoin` gives back as it is, whatever a base of the same
# form: ASCII, a lower-case scheme, no slash after "//" (which `_urljoin` would drop), a host without brackets,
# no ";" parameters in the path, no empty "?" or "#" (normalize.py's `absolute_link` takes the same shortcut).
_PLAIN_ABSOLUTE = re.compile(r"https?://[^/?#\[\]\s;]+(?:/[^?#\s;]*)?(?:\?[^#\s]+)?(?:#\S+)?")


def _join(base: str, uri: str) -> str:
    """feedparser's `_urljoin(base, uri)`: most links and guids in feeds are already absolute, and skip its
    regular expression (a template substitution in Python) and `urljoin`."""
    if (
        uri.isascii()
        and _PLAIN_ABSOLUTE.fullmatch(uri)
        and (not base or (base.isascii() and _PLAIN_ABSOLUTE.fullmatch(base)))
    ):
        return uri
    return _urljoin(base, uri)


class Unmodelled(Exception):
    """The document holds something this reader does not reproduce exactly: use feedparser."""


class _NothingFromOutside(etree.Resolver):
    """Answers every request for an external DTD or entity with nothing (a second lock on the door)."""

    def resolve(self, system_url, public_id, context):
        return self.resolve_string("", context)


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    parser.resolvers.add(_NothingFromOutside())
    return parser


def read_feed(content: bytes, *, headers: dict) -> dict | None:
    """feedparser's result for `content` (version, feed, entries, bozo_exception), or None when unsure.

    `headers` are the response headers feedparser would be given (content-location, content-type).
    """
    result = {"bozo": False}
    data = convert_to_utf8(dict(headers), content, result)
    if not result.get("encoding"):
        return None
    doctype_version, data, entities = replace_doctype(data)
    if doctype_version or entities or _DOCTYPE.search(data):
        return None  # feedparser strips a DOCTYPE only before any XML declaration; lxml would read one
    location = headers.get("content-location", "")
    base = make_safe_absolute_uri("", location) or make_safe_absolute_uri(location) or ""
    if not base:
        return None
    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError):
        return None
    try:
        walk = _Walk(data, root, base)
        walk.run()
    except Unmodelled:
        return None
    except Exception:  # a case this walk gets wrong must cost speed, never the feed
        logger.warning("The fast feed reader failed; feedparser reads this feed.", exc_info=True)
        return None
    return {
        "version": walk.version,
        "feed": walk.feed,
        "entries": walk.entries,
        "bozo_exception": result.get("bozo_exception") if result.get("bozo") else None,
    }


def repaired(output: str) -> str:
    """feedparser's last touches on every text: undo UTF-8 read as Latin-1, map cp1252's C1 characters."""
    if output.isascii():
        return output
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        output = output.encode("iso-8859-1").decode("utf-8")
    # str.translate with a dict is slow; the table only maps U+0080-U+009F, rare in real text.
    return output.translate(_cp1252) if _C1_CONTROLS.search(output) else output


class _Walk:
    def __init__(self, data: bytes, root, base: str):
        self.root = root
        self.root_base = base
        self.feed: dict = {}
        self.entries: list[dict] = []
        self.title_depth = -1
        self.has_content = False
        self.bases: dict = {}
        self.xlink_prefixes: list[str] = []
        self.prefixes = self._prefixes(data)
        self.names: dict[str, str] = {}  # tag -> name
        # Modelled: xlink declared once, as "xlink" (lxml's tree hides a redundant declaration, feedparser
        # does not, and under another prefix feedparser writes an xlink attribute twice).
        self.xlink_modelled = self.xlink_prefixes == ["xlink"]
        self.version = self._version(root)

    # --- Names, attributes, bases ------------------------------------------------------

    def _prefixes(self, data: bytes) -> dict:
        """The document prefix feedparser gives elements of each unknown namespace; refuse redeclared prefixes."""
        declared: dict = {}
        first_prefix: dict = {}
        for match in _DECLARATION.finditer(data):
            prefix = (match[1] or b"").decode("ascii")
            uri = (match[2] if match[2] is not None else match[3]).decode("utf-8", "replace")
            if prefix and declared.setdefault(prefix, uri) != uri:
                raise Unmodelled("a prefix is bound to two namespaces")
            if uri == XLINK:
                self.xlink_prefixes.append(prefix)
            lower = uri.lower()
            if "backend.userland.com/rss" in lower:
                lower = "http://backend.userland.com/rss"
            standard = KNOWN_NAMESPACES.get(lower)
            if standard is not None:
                if prefix and prefix != standard and prefix in STANDARD_PREFIXES:
                    raise Unmodelled("a standard prefix is bound to another known namespace")
            elif prefix:
                first_prefix.setdefault(uri, prefix)
        return first_prefix

    def _version(self, root) -> str:
        declared = {uri.lower(): prefix for prefix, uri in root.nsmap.items()}
        versions = {uri for uri in declared if uri in VERSION_NAMESPACES}
        if NETSCAPE in versions and declared[NETSCAPE] is not None:
            versions.discard(NETSCAPE)  # only a default declaration of it names a version
        tag = root.tag
        if tag == "rss":
            version = root.get("version", "")
            if versions - {ATOM.lower()} or version.startswith("0."):
                raise Unmodelled("RSS 0.9x, or RSS naming another version's namespace")
            return "rss20" if version.startswith("2.") else "rss"
        if tag == f"{{{ATOM}}}feed":
            if versions != {ATOM.lower()}:
                raise Unmodelled("Atom with another version's namespace")
            return "atom10"
        if tag == f"{{{RDF}}}RDF":
            if versions == {RSS10}:
                return "rss10"
            if versions == {NETSCAPE}:
                return "rss090"  # RDF Site Summary 0.90: read by the same rules as 1.0
            raise Unmodelled("RDF without exactly one RSS namespace")
        raise Unmodelled("unknown root")

    def name(self, element) -> str:
        """The name feedparser dispatches `element` on: dc_creator, title, media_content..."""
        tag = element.tag
        name = self.names.get(tag)
        if name is None:
            name = self.names[tag] = self._name_of(tag)  # a feed has a few tags, each many times
        return name

    def _name_of(self, tag: str) -> str:
        if tag[0] != "{":
            return tag.lower()
        namespace, local = tag[1:].split("}", 1)
        lower = namespace.lower()
        if "backend.userland.com/rss" in lower:
            lower = "http://backend.userland.com/rss"
        prefix = KNOWN_NAMESPACES.get(lower)
        if prefix is None:
            prefix = self.prefixes.get(namespace, "")
        return f"{prefix.lower()}_{local.lower()}" if prefix else local.lower()

    @staticmethod
    def attributes(element) -> dict:
        """feedparser's view of the attributes: lower-case names, known prefixes kept, rel and type lowered."""
        if not element.attrib:
            return {}
        named: dict = {}
        locals_: list = []
        for key, value in element.attrib.items():
            if key[0] == "{":
                namespace, local = key[1:].split("}", 1)
                if namespace != XML_NAMESPACE and local.lower() in SENSITIVE_ATTRIBUTES:
                    raise Unmodelled("a namespaced attribute feedparser would read by its local name")
                prefix = KNOWN_NAMESPACES.get(namespace.lower(), "")
                named[(f"{prefix}:{local}" if prefix else local).lower()] = value
            else:
                local = key
            locals_.append((local.lower(), value))
        for local, value in locals_:
            named[local] = value
        return {k: (v.lower() if k in ("rel", "type") else v) for k, v in named.items()}

    def base_of(self, parent_base: str, attrs: dict) -> str:
        given = attrs.get("xml:base", attrs.get("base")) or parent_base
        key = (parent_base, given)
        base = self.bases.get(key)
        if base is None:
            base = make_safe_absolute_uri(parent_base, given) or parent_base
            self.bases[key] = base
        return base

    # --- Texts ---------------------------------------------------------------------------

    def text(self, element, name: str) -> str:
        if len(element):
            raise Unmodelled(f"markup inside <{name}>")
        return (element.text or "").strip()

    def construct(self, element, attrs: dict, default_type: str, *, atom_content: bool = False) -> tuple[str, str]:
        """A text construct's value and type after feedparser's pop()."""
        content_type = _FeedParserMixin.map_content_type(attrs.get("type", default_type))
        if attrs.get("mode", "") == "base64" or not (
            content_type.startswith("text/") or content_type.endswith(("+xml", "/xml"))
        ):
            raise Unmodelled("base64 content")
        if len(element):
            if content_type != XHTML:
                raise Unmodelled("markup inside an element declared as text")
            pieces = [escape(element.text)] if element.text else []
            for child in element:
                self.rebuild(child, pieces)
            if self.version == "atom10":
                pieces = self.unwrap_div(pieces)
            output = "".join(pieces).strip()
        else:
            text = element.text or ""
            output = (escape(text) if content_type == XHTML else text).strip()
        plain = not self.version.startswith("atom") and content_type == "text/plain"
        if plain and _FeedParserMixin.looks_like_html(output):
            content_type = "text/html"
        return repaired(output), content_type

    def rebuild(self, element, pieces: list, *, in_svg: bool = False) -> None:
        """Inline XHTML as feedparser writes it back out: lower-case tags, attributes escaped.

        Inline SVG (Sam Ruby's feed draws one in most entries) is written as feedparser's strict
        parser writes it: an xlink prefix declared on an element first, then the SVG namespace as
        `xmlns` on each <svg>, then the attributes; inside an <svg> feedparser acts on no element,
        whatever its name (its `svgOK` counter). nh3 drops the drawing when the text is stored.
        """
        tag = element.tag
        attributes = []
        if tag[0] == "{":
            namespace, local = tag[1:].split("}", 1)
            if namespace == SVG and (in_svg or local == "svg"):
                attributes = self.svg_declarations(element)
                if local == "svg":
                    attributes.append(("xmlns", SVG))
                in_svg = True
                prefix = ""
            elif KNOWN_NAMESPACES.get(namespace.lower()) not in ("xhtml", ""):
                raise Unmodelled("inline markup outside XHTML")
            else:
                prefix = KNOWN_NAMESPACES[namespace.lower()]
        else:
            local, prefix = tag, ""
        local = local.lower()
        if not in_svg and (
            local in ("svg", "math") or f"{prefix}_{local}" in HANDLED_BY_FEEDPARSER or local in HANDLED_BY_FEEDPARSER
        ):
            raise Unmodelled("inline markup feedparser would act on")
        for key, value in element.attrib.items():
            if key[0] == "{":
                namespace, name = key[1:].split("}", 1)
                if not (in_svg and namespace == XLINK and self.xlink_modelled):
                    raise Unmodelled("a namespaced attribute in inline markup")
                key = f"xlink:{name}"
            lowered = key.lower()
            attributes.append((lowered, value.lower() if lowered in ("rel", "type") else value))
        if len({key for key, _ in attributes}) != len(attributes):
            raise Unmodelled("attributes differing only in case")
        written = "".join(f' {key}="{escape(value, {chr(34): "&quot;"})}"' for key, value in attributes)
        pieces.append(f"<{local}{written}>")
        if element.text:
            pieces.append(escape(element.text))
        for child in element:
            self.rebuild(child, pieces, in_svg=in_svg)
        pieces.append(f"</{local}>")
        if element.tail:
            pieces.append(escape(element.tail))

    def svg_declarations(self, element) -> list:
        """The `xmlns:<prefix>` attributes feedparser's strict parser gives an SVG element: the xlink
        prefixes it declares (any other new prefix, or a prefixed SVG element, is not modelled)."""
        if element.prefix is not None:
            raise Unmodelled("a prefixed SVG element")
        parent = element.getparent()
        inherited = parent.nsmap.items() if parent is not None else ()
        declared = []
        for prefix, uri in set(element.nsmap.items()) - {*inherited, (None, SVG)}:
            if prefix is None or uri != XLINK or not self.xlink_modelled:
                raise Unmodelled("a namespace declared inside inline SVG")
            declared.append((f"xmlns:{prefix.lower()}", uri))
        return declared

    @staticmethod
    def unwrap_div(pieces: list) -> list:
        while pieces and len(pieces) > 1 and not pieces[-1].strip():
            del pieces[-1]
        while pieces and len(pieces) > 1 and not pieces[0].strip():
            del pieces[0]
        if pieces and (pieces[0] == "<div>" or pieces[0].startswith("<div ")) and pieces[-1] == "</div>":
            depth = 0
            for piece in pieces[:-1]:
                if piece.startswith("</"):
                    depth -= 1
                    if depth == 0:
                        break
                elif piece.startswith("<") and not piece.endswith("/>"):
                    depth += 1
            else:
                pieces = pieces[1:-1]
        return pieces

    # --- The document ------------------------------------------------------------------

    def run(self) -> None:
        root = self.root
        base = self.base_of(self.root_base, self.attributes(root))
        in_feed = self.version == "atom10"
        for child in root:
            self.feed_level(child, 2, base, in_feed=in_feed)

    def feed_level(self, element, depth: int, parent_base: str, *, in_feed: bool, holder: str = "") -> None:
        """An element outside the entries; `holder` is "image" or "textinput" inside those."""
        name = self.name(element)
        attrs = self.attributes(element)
        base = self.base_of(parent_base, attrs)
        if holder and name not in HOLDER_PARTS[holder]:
            raise Unmodelled(f"an unusual <{holder}>")  # feedparser would leave the holder's context
        if name in ("item", "entry"):
            self.entry(element, depth, base, attrs)
        elif name == "channel":
            if in_feed or depth != 2 or "href" in attrs or "lastmod" in attrs:
                raise Unmodelled("an unusual channel")
            for child in element:
                self.feed_level(child, depth + 1, base, in_feed=True)
        elif name in HOLDER_PARTS:
            if holder:
                raise Unmodelled("nested images")
            self.title_depth = -1
            for child in element:
                self.feed_level(child, depth + 1, base, in_feed=in_feed, holder=name)
        elif name in TITLES:
            output, content_type = self.construct(element, attrs, "text/plain")
            saved = self.title_depth
            if in_feed and not holder and not (-1 < self.title_depth <= depth):
                self.feed["title"] = output
                self.feed["title_detail"] = {"type": content_type, "base": base, "value": output}
            if output:
                self.title_depth = depth
            if name == "media_title":
                self.title_depth = saved
        elif name == LINK:
            self.feed_link(element, attrs, base, in_feed=in_feed, holder=holder)
        elif name in GUIDS:
            permalink = attrs.get("ispermalink", "true") == "true"
            value = self.text(element, name)
            if permalink and value:
                value = _join(base, value)
            if permalink:
                self.feed.setdefault("link", repaired(value))
        elif name in SUMMARIES or name in CONTENTS or name in ("body", "xhtml_body", "abstract"):
            raise Unmodelled("a summary or content at feed level")
        elif name in ("feed", "rss", "source"):
            raise Unmodelled(f"<{name}> inside the feed")
        elif name in AUTHORS or name in CONTRIBUTORS or name == "itunes_owner":
            for child in element:
                if self.name(child) not in PERSON_PARTS or len(child):
                    raise Unmodelled(f"unusual children in <{name}>")
        elif name in DESCRIPTIONS or name in PERSON_PARTS or name in PUBLISHED or name in UPDATED or name in HARMLESS:
            self.text(element, name)
        else:
            self.unhandled(element, name, attrs)
            for child in element:
                self.feed_level(child, depth + 1, base, in_feed=in_feed)

    def feed_link(self, element, attrs: dict, base: str, *, in_feed: bool, holder: str) -> None:
        link = self.link_attributes(attrs, base)
        if "href" in link:
            if holder:
                raise Unmodelled("a link with an address inside an image")
            if link["rel"] == "alternate" and _FeedParserMixin.map_content_type(link["type"]) in HTML_TYPES:
                self.feed["link"] = link["href"]
            return
        output = self.text(element, LINK)
        if not in_feed or holder:
            return  # read as nothing, or as the image's own link
        if output:
            output = _join(base, output)
        self.feed["link"] = _LINK_ENTITY.sub(r"&\g<1>", repaired(output))

    @staticmethod
    def link_attributes(attrs: dict, base: str) -> dict:
        """A <link>'s attributes as feedparser completes them (rel, type, href resolved)."""
        link = dict(attrs)
        link.setdefault("rel", "alternate")
        link.setdefault("type", "application/atom+xml" if link["rel"] == "self" else "text/html")
        href = link.get("url", link.get("uri", link.get("href")))
        if href:
            link.pop("url", None)
            link.pop("uri", None)
            link["href"] = href
        if "href" in link:
            link["href"] = _join(base, link["href"])
        return link

    def unhandled(self, element, name: str, attrs: dict) -> None:
        if name in HANDLED_BY_FEEDPARSER and name not in TRANSPARENT:
            raise Unmodelled(f"<{name}> is handled by feedparser in a way not modelled here")
        key = KEY_ALIASES.get(name, name)
        if name in READ_KEYS or key in READ_KEYS:
            raise Unmodelled(f"<{name}> would overwrite a value Distillery reads")

    # --- Entries -------------------------------------------------------------------------

    def entry(self, element, depth: int, base: str, attrs: dict) -> None:
        if "href" in attrs or "lastmod" in attrs:
            raise Unmodelled("CDF attributes on an item")
        entry: dict = {}
        self.entries.append(entry)
        self.depths = {}
        self.title_depth = -1
        about = attrs.get("rdf:about")
        if about:
            entry["id"] = about
        for child in element:
            self.entry_level(entry, child, depth + 1, base, in_image=False)
        self.has_content = False

    def store(self, entry: dict, key: str, value, depth: int) -> None:
        """feedparser keeps an entry's value from the shallowest element; among equals, the last."""
        old = self.depths.get(key)
        if old is None or depth <= old:
            self.depths[key] = depth
            entry[key] = value

    def entry_level(self, entry: dict, element, depth: int, parent_base: str, *, in_image: bool) -> None:
        name = self.name(element)
        attrs = self.attributes(element)
        base = self.base_of(parent_base, attrs)
        if in_image and name not in ENTRY_IMAGE_PARTS:
            raise Unmodelled("an unusual image inside an item")
        if name in TITLES:
            output, content_type = self.construct(element, attrs, "text/plain")
            saved = self.title_depth
            if not (-1 < self.title_depth <= depth):
                self.store(entry, "title", output, depth)
                entry["title_detail"] = {"type": content_type, "base": base, "value": output}
            if output:
                self.title_depth = depth
            if name == "media_title":
                self.title_depth = saved
        elif name == LINK:
            self.entry_link(entry, element, attrs, base, in_image)
        elif name in GUIDS:
            permalink = attrs.get("ispermalink", "true") == "true"
            output = self.text(element, name)
            if permalink and output:
                output = _join(base, output)
            output = repaired(output)
            self.store(entry, "id", output, depth)
            if permalink:
                entry.setdefault("link", output)
        elif name in DESCRIPTIONS or name in SUMMARIES or name == "abstract":
            if name != "abstract" and "summary" in entry and not self.has_content:
                self.content(entry, element, attrs, base, "text/plain")
            else:
                default = "text/html" if name in DESCRIPTIONS else "text/plain"
                output, content_type = self.construct(element, attrs, default)
                self.store(entry, "summary", output, depth)
                entry["summary_detail"] = {"type": content_type, "base": base, "value": output}
        elif name in CONTENTS:
            self.content(entry, element, attrs, base, CONTENTS[name])
        elif name in AUTHORS:
            self.author(entry, element, depth, base)
        elif name in CONTRIBUTORS or name == "itunes_owner":
            for child in element:
                if self.name(child) not in PERSON_PARTS or len(child):
                    raise Unmodelled(f"unusual children in <{name}>")
        elif name in PUBLISHED or name in UPDATED:
            output = repaired(self.text(element, name))
            key = "published" if name in PUBLISHED else "updated"
            self.store(entry, key, output, depth)
            entry[f"{key}_parsed"] = _parse_date(output)
        elif name in LANGUAGES:
            self.store(entry, "language", repaired(self.text(element, name)), depth)
        elif name == "image":
            if in_image:
                raise Unmodelled("nested images")
            self.title_depth = -1
            for child in element:
                self.entry_level(entry, child, depth + 1, base, in_image=True)
        elif name == "enclosure":
            self.text(element, name)
            entry.setdefault("links", []).append({"rel": "enclosure"})  # never an alternate address
        elif name == "source":
            if len(element):
                raise Unmodelled("an Atom source inside an entry")
            self.title_depth = -1
        elif name in PERSON_PARTS or name in HARMLESS:
            self.text(element, name)
        elif name in ("item", "entry", "channel", "feed", "rss", "textinput", "body", "xhtml_body"):
            raise Unmodelled(f"<{name}> inside an item")
        else:
            self.unhandled(element, name, attrs)
            for child in element:
                self.entry_level(entry, child, depth + 1, base, in_image=in_image)

    def entry_link(self, entry: dict, element, attrs: dict, base: str, in_image: bool) -> None:
        link = self.link_attributes(attrs, base)
        if "href" in link:
            if in_image:
                raise Unmodelled("a link with an address inside an item's image")
            entry.setdefault("links", []).append(link)
            if link["rel"] == "alternate" and _FeedParserMixin.map_content_type(link["type"]) in HTML_TYPES:
                entry["link"] = link["href"]
            return
        output = self.text(element, LINK)
        if in_image:
            return  # feedparser neither lists nor keeps a link inside an item's image
        links = entry.setdefault("links", [])
        links.append(link)
        if output:
            output = _join(base, output)
        output = _LINK_ENTITY.sub(r"&\g<1>", repaired(output).replace("&amp;", "&"))
        entry["link"] = output
        if output:
            links[-1]["href"] = output

    def content(self, entry: dict, element, attrs: dict, base: str, default_type: str) -> None:
        self.has_content = True
        declared = _FeedParserMixin.map_content_type(attrs.get("type", default_type))
        output, content_type = self.construct(element, attrs, default_type)
        entry.setdefault("content", []).append({"type": content_type, "base": base, "value": output})
        if declared in COPIED_TO_SUMMARY:
            entry.setdefault("summary", output)

    def author(self, entry: dict, element, depth: int, base: str) -> None:
        """feedparser keeps the element's own text, then "name (email)" from its parts when it has them."""
        detail: dict = {}
        for child in element:
            part = self.name(child)
            if len(child):
                raise Unmodelled("unusual parts of an author")
            if part in TITLES or (part not in PERSON_PARTS and not child.attrib):
                # A title (a job title, read as feedparser reads any title) or an unknown part holding its own text.
                self.entry_level(entry, child, depth + 1, base, in_image=False)
                continue
            if part not in PERSON_PARTS:
                raise Unmodelled("unusual parts of an author")
            if part in ("name", "itunes_name"):
                detail["name"] = (child.text or "").strip()
            elif part in ("email", "itunes_email"):
                detail["email"] = (child.text or "").strip()
        own_text = (element.text or "") + "".join(child.tail or "" for child in element)
        self.store(entry, "author", repaired(own_text.strip()), depth)
        name, email = detail.get("name"), detail.get("email")
        if name and email:
            entry["author"] = f"{name} ({email})"
        elif name or email:
            entry["author"] = name or email
