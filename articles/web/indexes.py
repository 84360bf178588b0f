"""The ways in: index pages of roles, topics, the field tree and sources, each with its
count of published briefs.

Each index runs a fixed number of queries (pinned in tests); values with no published
brief are left out, since their listing would be empty.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

from articles import facets
from articles.models import Field, Role, Source, Topic
from articles.models.base import slug_urls
from articles.web import seo
from articles.web.browse import CountedPaginator
from articles.web.crumbs import Crumb, home_crumb
from articles.web.page_cache import cached_public_page


@dataclass
class Entry:
    """One line of an index: a role, topic, area, subfield or source."""

    name: str
    url: str
    count: int
    description: str = ""
    children: list["Entry"] = field(default_factory=list)

    @classmethod
    def counted(cls, row) -> "Entry":
        """A role, topic or source annotated with its count `n`."""
        return cls(row.name, row.get_absolute_url(), row.n, row.description)


# Sources on one page of their index, by name.
SOURCES_PER_PAGE = 100

# --- Counts -----------------------------------------------------------------------------
# From the kept facet counts (articles/facets.py): counting the published briefs of every value
# read all their links, 0.6–1.5 s a page at 100,000 briefs.


def counted_roles() -> list[Entry]:
    rows = Role.objects.annotate(n=facets.kept_count("role")).filter(n__gt=0)
    return [Entry.counted(role) for role in rows]


def counted_topics() -> list[Entry]:
    rows = Topic.objects.annotate(n=facets.kept_count("topic")).filter(n__gt=0)
    return [Entry.counted(topic) for topic in rows]


def _counted_sources():
    # The sources with a published brief are those with a kept count above 0. Tested by EXISTS, so a page of a
    # thousand sources walks them by name (source_name_idx), probing each one's count, rather than reading and
    # sorting every counted source; a small library's few counted sources are read first instead. Read as
    # (name, slug, description, count): a page's hundred entries need no model object each.
    rows = Source.objects.filter(facets.has_kept_count("source")).annotate(n=facets.kept_count("source"))
    return rows.values_list("name", "slug", "description", "n")


def most_published_sources(limit: int, *, kept: dict | None = None) -> list[Entry]:
    """The `limit` sources with the most published briefs, most first (by name within a count). Which ones is
    decided on the kept counts (a row per source; `kept`: as `facets.counts_by_pk` read them, "source" among
    them), so only they and the sources tied with the last are read."""
    counts = (kept or facets.counts_by_pk("source"))["source"]
    if not counts:
        return []
    least = sorted(counts.values(), reverse=True)[: max(limit, 1)][-1]
    rows = Source.objects.filter(pk__in=[pk for pk, n in counts.items() if n >= least]).order_by("name")
    # By name in the database's collation, then by count: a stable sort keeps names in order within a count.
    chosen = sorted(rows.only("name", "slug", "description"), key=lambda source: -counts[source.pk])[:limit]
    return [Entry(s.name, s.get_absolute_url(), counts[s.pk], s.description) for s in chosen]


class SourcesPaginator(CountedPaginator):
    """Sources by name, a page at a time; `count`: how many have a published brief (`_sources_count`)."""

    def __init__(self, *, count: int):
        super().__init__(_counted_sources().order_by("name"), SOURCES_PER_PAGE, count=count)

    def _get_page(self, rows, number, paginator):
        url = slug_urls("articles:source")
        entries = [Entry(name, url(slug), n, description) for name, slug, description, n in rows]
        return super()._get_page(entries, number, paginator)


def _sources_count(request) -> int:
    """How many sources have a published brief. Counting them reads a kept count a source (1,000 rows at 100,000
    briefs), so for anonymous readers the number is kept under the versions of the site and the library, which
    every change to a published brief bumps (as a listing keeps its count)."""
    kept = getattr(request, "kept_part", None)  # set by cached_public_page for anonymous readers only
    keep_seconds = settings.WEB_LISTING_KEEP_SECONDS
    count = kept.current() if kept is not None and keep_seconds else None
    if count is None:
        count = facets.library_sizes("source").get("source", (0, 0))[0]
        if kept is not None and keep_seconds:
            kept.keep(count, seconds=keep_seconds)
    return count


def _kept_sources_count_key(request, *args, **kwargs) -> str:
    return "web:sources-index-count"


def field_tree(*, kept: dict | None = None) -> list[Entry]:
    """Areas in their order, each with its subfields; an area counts each of its briefs once. `kept`: the kept
    counts as `facets.counts_by_pk` read them, "area" and "field" among them."""
    kept = kept or facets.counts_by_pk("area", "field")
    by_area, by_field = kept["area"], kept["field"]
    areas: dict[int, Entry] = {}
    fields = list(Field.objects.all())
    for area in (f for f in fields if f.parent_id is None):
        if by_area.get(area.pk):
            areas[area.pk] = Entry(area.name, area.get_absolute_url(), by_area[area.pk], area.description)
    for sub in (f for f in fields if f.parent_id is not None):
        if by_field.get(sub.pk) and sub.parent_id in areas:
            entry = Entry(sub.name, sub.get_absolute_url(), by_field[sub.pk], sub.description)
            areas[sub.parent_id].children.append(entry)
    return list(areas.values())


# --- Pages ------------------------------------------------------------------------------

INDEX_PAGES = {
    "roles": (
        "Roles",
        "Briefs grouped by the reader each one is written for. Pick yours and every brief there speaks to it.",
        counted_roles,
    ),
    "topics": ("Topics", "The subjects briefs are about, from the most specific to the broad.", counted_topics),
    "fields": (
        "Fields",
        "Every area and the subfields inside it. An area's count includes its subfields' briefs, each once.",
        field_tree,
    ),
    "sources": (
        "Sources",
        "The publications {site} reads. Each brief links to its original and names who published it.",
        None,  # a page at a time: SourcesPaginator
    ),
}


def index_view(kind: str):
    heading, intro, entries = INDEX_PAGES[kind]

    @require_safe
    @cached_public_page(kept=_kept_sources_count_key if kind == "sources" else None)
    def view(request):
        page = None
        if kind == "sources":
            # The library's sources grow with it (a thousand at 100,000 briefs): a page of them at a time.
            page = SourcesPaginator(count=_sources_count(request)).get_page(request.GET.get("page"))
        context = {
            "heading": heading,
            "intro": intro.format(site=settings.SITE_NAME),
            "kind": kind,
            "entries": entries() if page is None else page.object_list,
            "page": page,
            "breadcrumbs": [home_crumb(), Crumb(heading)],
            "meta": seo.page_meta(
                request,
                title=f"Briefs by {heading.lower()}",
                description=intro.format(site=settings.SITE_NAME),
                page_number=page.number if page else 1,
            ),
        }
        return render(request, "articles/index.html", context)

    view.__name__ = f"{kind}_index"
    return view


roles_index = index_view("roles")
topics_index = index_view("topics")
fields_index = index_view("fields")
sources_index = index_view("sources")
