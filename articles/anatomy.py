"""The anatomy of a brief: its sections, declared once, in the order a reader meets them.

Everything that lists the sections reads them from here: the curation form and its
fieldsets (forms.py, admin/briefs.py), the API's serializers (api/serializers.py), the
machine draft (enrich/pipeline.py, enrich/turn.py, enrich/suggestions.py), the originality check
(enrich/originality.py), what publishing requires (workflow.py) and the brief page
(templates/articles/brief.html, through the `brief_sections` template tag).

A section's value lives in the model field of the same name on `Article` (for a per-role
section, in the rows its related name reaches); adding a section is one declaration here plus
that field and its migration (docs/ARCHITECTURE.md shows it).
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
    # One short text per role, kept as rows of their own (the reverse relation named by the
    # section, e.g. Article.role_notes → RoleNote: brief, role, text), shown to readers of that role.
    PER_ROLE = "per_role"


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
    def is_model_field(self) -> bool:
        """Whether the value is a field of the brief's own form (a per-role section is edited as rows)."""
        return self.kind != Kind.PER_ROLE

    def heading_for(self, role) -> str:
        """A per-role section's heading for one role ("Why it matters for CTO")."""
        return f"{self.label} {role.name}"

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
    # Optional, never required: one note per role, shown only to readers who chose the role.
    Section(
        "role_notes",
        Kind.PER_ROLE,
        "Why it matters for",
        help="Two or three sentences addressed to this role: why the piece matters to them, what to do. "
        "Shown under “Why it matters for …” to readers who chose the role.",
        suggestions=(S.ROLE_NOTE,),
        originality=True,
        anchor="why",
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


def field_names() -> list[str]:
    """The sections held in the brief's own fields, in page order (what a ModelForm of the brief lists)."""
    return [s.name for s in SECTIONS if s.is_model_field]


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
    if section.kind in (Kind.TAXONOMY, Kind.PER_ROLE) and hasattr(value, "exists"):
        return value.exists()
    if section.kind == Kind.PER_ROLE:
        return any(text.strip() for text in texts_of(section, value))
    return bool(value)


def texts_of(section: Section, value) -> list[str]:
    """The written texts of a text, list or per-role value, as the originality check compares them.

    A per-role value may be its rows (a related manager or a list of notes), a list of texts,
    or a mapping of roles to texts, as an edit gives it.
    """
    if section.kind == Kind.TEXT:
        return [value or ""]
    if section.kind == Kind.LIST:
        return [item for item in (value or []) if isinstance(item, str)]
    if section.kind == Kind.PER_ROLE:
        if hasattr(value, "all"):
            value = value.all()
        if isinstance(value, dict):
            value = value.values()
        return [_note_text(item) for item in (value or [])]
    return []


def _note_text(item) -> str:
    if isinstance(item, str):
        return item
    return item["text"] if isinstance(item, dict) else item.text


def value_of(article, section: Section):
    """The section's value on `article`; taxonomy and per-role rows as lists (prefetched ones if there are)."""
    value = getattr(article, section.name)
    if section.kind in (Kind.TAXONOMY, Kind.PER_ROLE):
        return list(value.all()) if article.pk is not None else []
    return value


def shown(article, *, place: Place = Place.BODY, roles=None) -> list[tuple[Section, object]]:
    """[(section, value)] of the sections at `place` that `article` has filled, in page order.

    A choice is given as its label ("Advanced"), as readers see it. A per-role section keeps
    only its notes for `roles` (slugs; None keeps every note), so a reader sees the notes of
    the roles they chose and no heading for the others.
    """
    shown_sections = []
    for candidate in sections(place=place):
        if candidate.kind == Kind.PER_ROLE and roles is not None and not roles:
            continue  # no role chosen: nothing to show, and nothing to read
        value = value_of(article, candidate)
        if candidate.kind == Kind.PER_ROLE and roles is not None:
            wanted = set(roles)
            value = [note for note in value if note.role.slug in wanted]
        if not is_filled(candidate, value):
            continue
        if candidate.kind == Kind.CHOICE:
            value = getattr(article, f"get_{candidate.name}_display")()
        shown_sections.append((candidate, value))
    return shown_sections
