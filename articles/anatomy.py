"""The anatomy of a brief: its sections, declared once, in the order a reader meets them.

Everything that lists the sections reads them from here: the curation form and its
fieldsets (forms.py, admin/briefs.py), the API's serializers (api/serializers.py), the
machine draft (enrich/pipeline.py, enrich/suggestions.py), the originality check
(enrich/originality.py), what publishing requires (workflow.py) and the brief page
(templates/articles/brief.html, through the `brief_sections` template tag).

A section's value lives in the model field of the same name on `Article`; adding a section
is one declaration here plus that field and its migration (docs/ARCHITECTURE.md shows it).
"""

from dataclasses import dataclass
from enum import StrEnum

from articles.models import Suggestion

S = Suggestion.Section


class Kind(StrEnum):
    TEXT = "text"  # a paragraph (or, for the title, a line)
    LIST = "list"  # an ordered list of short texts, a JSON array in the model
    TAXONOMY = "taxonomy"  # links to taxonomy entries, a many-to-many field
    CHOICE = "choice"  # one value out of the model field's choices


class Place(StrEnum):
    TITLE = "title"  # the page's heading
    FACTS = "facts"  # the facts line under the heading (Field: …, Depth: …), laid out by hand
    BODY = "body"  # a section of its own, with a heading, in declaration order


@dataclass(frozen=True)
class Section:
    name: str  # the Article field holding it
    kind: Kind
    label: str  # as the form, the page and the API documentation name it
    help: str = ""  # for the curator filling it in
    required: str = ""  # what a refusal to publish says is missing ("a key takeaway"); "" = optional
    suggestions: tuple[str, ...] = ()  # the Suggestion sections a machine draft proposes for it
    originality: bool = False  # counted by the originality check (our own words, not the original's)
    place: Place = Place.BODY
    anchor: str = ""  # the id of its heading on the page; the name when empty
    lines: int = 3  # rows of the form's text box (text sections; 1 = a one-line input)
    emphasis: bool = False  # set apart on the page (the takeaway)

    @property
    def page_id(self) -> str:
        return f"s-{self.anchor or self.name}"

    @property
    def template(self) -> str:
        """The include that renders a body section of this kind on the brief page."""
        return f"articles/sections/_{self.kind}.html"


SECTIONS: tuple[Section, ...] = (
    Section("title", Kind.TEXT, "Title", required="a title", place=Place.TITLE, lines=1),
    Section(
        "fields",
        Kind.TAXONOMY,
        "Fields",
        required="at least one field",
        suggestions=(S.FIELD,),
        place=Place.FACTS,
    ),
    Section("level", Kind.CHOICE, "Level", suggestions=(S.LEVEL,), place=Place.FACTS),
    Section(
        "length",
        Kind.CHOICE,
        "Length",
        help="Filled from the reading time when left empty.",
        suggestions=(S.LENGTH,),
        place=Place.FACTS,
    ),
    Section(
        "summary",
        Kind.TEXT,
        "Summary",
        help="One editorial paragraph: what the piece says and why it matters.",
        required="a summary",
        suggestions=(S.SUMMARY,),
        originality=True,
        lines=6,
    ),
    Section(
        "takeaway",
        Kind.TEXT,
        "Key takeaway",
        help="What the roles under Best for should do or remember; address them directly.",
        required="a key takeaway",
        suggestions=(S.TAKEAWAY,),
        originality=True,
        emphasis=True,
    ),
    Section(
        "insights",
        Kind.LIST,
        "Key insights",
        help="One insight per line, most important first.",
        suggestions=(S.INSIGHT,),
        originality=True,
    ),
    Section(
        "principles",
        Kind.LIST,
        "Principles",
        help="One principle per line.",
        suggestions=(S.PRINCIPLE,),
        originality=True,
    ),
    Section(
        "method",
        Kind.TEXT,
        "Method",
        help="How the work was done or how the technique works.",
        suggestions=(S.METHOD,),
        originality=True,
    ),
    Section(
        "in_practice",
        Kind.LIST,
        "In practice",
        help="One concrete application per line.",
        suggestions=(S.IN_PRACTICE,),
        originality=True,
        anchor="practice",
    ),
    # A proposed topic not yet in the taxonomy becomes one when a curator accepts it.
    Section("topics", Kind.TAXONOMY, "Topics", suggestions=(S.TOPIC, S.NEW_TOPIC)),
    Section(
        "roles",
        Kind.TAXONOMY,
        "Best for",
        required="at least one role (Best for)",
        suggestions=(S.ROLE,),
    ),
)


# Read SECTIONS when called, never copied at import, so that a section declared above
# (or added by a test) reaches every caller.


def sections(*, kind: Kind | None = None, place: Place | None = None) -> list[Section]:
    """The sections in page order, optionally only those of one kind or one place."""
    return [s for s in SECTIONS if (kind is None or s.kind == kind) and (place is None or s.place == place)]


def names(*, kind: Kind | None = None) -> list[str]:
    return [s.name for s in sections(kind=kind)]


def section(name: str) -> Section:
    for candidate in SECTIONS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"The brief has no section called {name!r}.")


def for_suggestion(suggestion_section: str) -> Section | None:
    """The section a machine suggestion belongs to (None for a suggestion section no brief section takes)."""
    for candidate in SECTIONS:
        if suggestion_section in candidate.suggestions:
            return candidate
    return None


def required() -> list[Section]:
    """What publishing (and submitting for review) needs, in page order."""
    return [s for s in SECTIONS if s.required]


def counted_by_originality() -> list[Section]:
    return [s for s in SECTIONS if s.originality]


def is_filled(section: Section, value) -> bool:
    """Whether `value` (a field's value; a queryset, manager or list for taxonomy) counts as written."""
    if section.kind == Kind.TEXT:
        return bool((value or "").strip())
    if section.kind == Kind.TAXONOMY and hasattr(value, "exists"):
        return value.exists()
    return bool(value)


def value_of(article, section: Section):
    """The section's value on `article`; taxonomy as the list of entries (prefetched ones if there are)."""
    value = getattr(article, section.name)
    if section.kind == Kind.TAXONOMY:
        return list(value.all()) if article.pk is not None else []
    return value


def shown(article, *, place: Place = Place.BODY) -> list[tuple[Section, object]]:
    """[(section, value)] of the sections at `place` that `article` has filled, in page order.

    A choice is given as its label ("Advanced"), as readers see it.
    """
    shown_sections = []
    for candidate in sections(place=place):
        value = value_of(article, candidate)
        if not is_filled(candidate, value):
            continue
        if candidate.kind == Kind.CHOICE:
            value = getattr(article, f"get_{candidate.name}_display")()
        shown_sections.append((candidate, value))
    return shown_sections
