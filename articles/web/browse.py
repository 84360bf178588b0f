"""Filters and facet counts shared by the listings, the search page and the home page.

A listing is a scope fixed by its address (a role, an area, a topic …) narrowed by the
filters in the query string; every facet counts what the reader would get by picking
each value. Counting goes through the many-to-many tables with the matching briefs as a
subquery, so the number of queries is the same for ten briefs or ten thousand.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import router
from django.db.models import CharField, Count, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce

from articles import facets as facet_counts
from articles.models import Article, FacetCount, Field, Length, Level, Role, Source, Topic

# Query-string name, label on the page, in the order the filter form shows them.
FACETS = (
    ("role", "Best for"),
    ("area", "Area"),
    ("field", "Subfield"),
    ("topic", "Topic"),
    ("source", "Source"),
    ("level", "Level"),
    ("length", "Length"),
)
FACET_LABELS = dict(FACETS)
MAX_OPTIONS = 30
# A filter value at least this share of the published briefs hold is tested in each brief's row by search,
# never looked up in the index: intersecting its long list with a rare word's costs more than the test.
COMMON_SHARE = 0.1
# Slugs are ASCII letters, digits, "-" and "_"; anything else names nothing and is not looked up
# (PostgreSQL refuses a NUL byte in any query: "?role=%00" would be a server error).
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


class CountedPaginator(Paginator):
    """A paginator told its count, for lists whose own COUNT(*) would be the costly query."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self):
        return self._known_count


class ListingPaginator(CountedPaginator):
    """A listing's page read from its ids first: a deep page costs what page one does, nearly.

    `OFFSET 3,980` over whole rows makes PostgreSQL fetch and sort 4,000 of them (page 200 of
    all briefs); the same offset over the ids alone is an index-only scan of the index that
    matches the listing's order (article_published_latest_idx), and only the 20 rows shown are
    then read in full. One query still: the ids are a subquery of the page's own.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        listing = self.object_list
        if bottom:
            ids = listing.prefetch_related(None).values("pk")[bottom:top]
            listing = listing.filter(pk__in=ids)
        else:
            listing = listing[:top]
        return self._get_page(list(listing), number, self)


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    options: list[Option] = field(default_factory=list)
    fixed: bool = False

    @property
    def selected(self) -> Option | None:
        return next((option for option in self.options if option.selected), None)


@dataclass
class ActiveFilter:
    name: str
    label: str
    value_label: str
    remove_url: str


class BriefFilters:
    """The filters of one request: `fixed` ones from the address, the rest from `params`."""

    def __init__(self, params, *, fixed: dict | None = None, kept_under: str | None = None):
        """`kept_under`: the versions of the site and of the library the request has read (the page cache's token
        of a page over the whole library), under which a role, topic, area or source looked up by its slug is kept
        in the process (`_look_up`)."""
        self.params = params
        self.fixed = fixed or {}
        self.selected: dict[str, object] = dict(self.fixed)
        self.unknown: list[str] = []
        self._kept_under = kept_under
        self._read(params)

    def _read(self, params):
        # Built only for a filter named: most requests name none, and a queryset costs its making.
        lookups = {
            "role": (Role, lambda: _with_library_count(Role.objects, "role")),
            "topic": (Topic, lambda: _with_library_count(Topic.objects, "topic")),
            "source": (Source, Source.objects.public),
        }
        for name, _label in FACETS:
            if name in self.fixed:
                continue
            raw = (params.get(name) or "").strip()
            if not raw:
                continue
            value = None
            if name in ("role", "topic", "source", "area", "field") and not _SLUG.fullmatch(raw):
                pass
            elif name in lookups:
                value = _look_up(name, *lookups[name], raw, kept_under=self._kept_under)
            elif name == "area":
                value = _look_up(
                    name,
                    Field,
                    lambda: _with_library_count(Field.objects.areas(), "area"),
                    raw,
                    kept_under=self._kept_under,
                )
            elif name == "field":
                subfields = Field.objects.subfields().select_related("parent")
                value = _with_library_count(subfields, "field").filter(slug=raw).first()
            elif (name == "level" and raw in Level.values) or (name == "length" and raw in Length.values):
                value = raw
            if value is None:
                self.unknown.append(f"{FACET_LABELS[name]} “{_UNPRINTABLE.sub('', raw)[:60]}”")
            else:
                self.selected[name] = value

    def apply(self, queryset, *, skip: str | None = None, by_kept_values: bool = False, walked: str | None = None):
        """`queryset` narrowed by every filter, except `skip` (unless the address fixes it).

        `by_kept_values`: a role, area, subfield or topic is tested against the brief's kept facet values
        (`Article.facet_values`, the values its counts are made of) rather than through the pair tables;
        for published briefs only. Search does so: the scan that finds the matches tests the filter in
        the row it reads instead of looking up a pair for each match. `walked`: the kept value ("topic:12")
        whose own briefs the search walks (`ArticleQuerySet.holding_latest_first`); it is tested in the row as a
        common value is, never looked up in the index. Looked up, a topic 183 of 100,000 briefs hold drew the
        planner to intersect it with the index of two common words (11 ms) instead of walking its 183 briefs.
        """
        for name, value in self.selected.items():
            if name == skip and name not in self.fixed:
                continue
            if by_kept_values and name in ("role", "area", "field", "topic"):
                kept = f"{name}:{value.pk}"
                queryset = queryset.with_facet_value(kept, common=kept == walked or _is_common(value))
            elif name == "role":
                queryset = queryset.for_role(value)
            elif name in ("area", "field"):
                queryset = queryset.for_field(value)
            elif name == "topic":
                queryset = queryset.for_topic(value)
            elif name == "source":
                queryset = queryset.for_source(value)
            elif name == "level":
                queryset = queryset.filter(level=value)
            elif name == "length":
                queryset = queryset.filter(length=value)
        return queryset

    def common_kept_value(self, facets=("role", "area", "field", "topic")) -> tuple[str, str, float] | None:
        """The first filter of `facets` (roles, areas, subfields or topics) chosen, not fixed, that at least
        COMMON_SHARE of the published briefs hold, as (its facet, its kept value such as "role:3", the share of the
        library holding it); None when there is none."""
        for name, value in self.selected.items():
            if name in facets and name not in self.fixed and _is_common(value):
                return name, f"{name}:{value.pk}", value.library_count / value.library_total
        return None

    def query_string(self, **changes) -> str:
        """The current filters (not the fixed ones, not the page) with `changes` applied."""
        values = {}
        for key in ("q", *(name for name, _ in FACETS)):
            if key in self.fixed:
                continue
            current = self.selected.get(key)
            if key == "q":
                current = (self.params.get("q") or "").strip() or None
            if current is not None:
                values[key] = current if isinstance(current, str) else current.slug
        reader_roles = (self.params.get("for") or "").strip()
        if reader_roles:
            values["for"] = reader_roles  # a shared "for my role" view stays one while filtering
        for key, value in changes.items():
            if value is None:
                values.pop(key, None)
            else:
                values[key] = value
        return "?" + urlencode(values) if values else "?"

    @property
    def page_prefix(self) -> str:
        """The current filters as "?a=b&" (or "?"), ready for "page=N" to be appended."""
        query = self.query_string(page=None)
        return query if query == "?" else query + "&"

    def active(self) -> list[ActiveFilter]:
        chips = []
        for name, value in self.selected.items():
            if name in self.fixed:
                continue
            chips.append(
                ActiveFilter(name, FACET_LABELS[name], _value_label(name, value), self.query_string(**{name: None}))
            )
        return chips

    def _in_effect(self, facet: str | None = None) -> dict[str, object]:
        """The filters that narrow `facet`'s counts (all filters for facet None)."""
        return {
            name: value
            for name, value in self.selected.items()
            if not (facet is not None and name == facet and name not in self.fixed)
        }

    def published_count(self) -> int:
        """How many published briefs these filters give: read from the facet counts when one filter or none."""
        in_effect = self._in_effect()
        if len(in_effect) <= 1:
            scope = _scope_key(in_effect)
            return facet_counts.read([scope])[scope].get("", {}).get("", 0)
        return self.apply(Article.objects.published()).count()

    def published_facets(self, *, labels=None, only: tuple[str, ...] = ()) -> list[Facet]:
        """`facets()` over all published briefs, read from the kept counts wherever at most one filter applies.

        A facet narrowed by two filters or more (a listing's scope and a filter chosen on it)
        is counted live, as `facets()` does. `labels`: as for `_label_counts`, the kept names of the values;
        `only`: these facets alone (in FACETS' order), for a page that shows no others.
        """
        scopes = {name: self._in_effect(name) for name, _label in FACETS if not only or name in only}
        kept = facet_counts.read(
            (_scope_key(in_effect) for in_effect in scopes.values() if len(in_effect) <= 1), only=only
        )
        counted, live = {}, []
        for name, in_effect in scopes.items():
            if len(in_effect) <= 1:
                counted[name] = kept[_scope_key(in_effect)].get(name, Counter())
            else:
                live.append(name)
        options = _label_counts(counted, labels)
        if live:
            published = Article.objects.published()

            def ids(name):
                return self.apply(published, skip=name).order_by().values("pk")

            options.update(self._live_counts(ids, live))
        return self._facets_from(options)

    def facets(self, queryset) -> list[Facet]:
        """Counts for every facet, in a fixed number of queries.

        `queryset` is the briefs before these filters. Each facet counts them narrowed by
        every other filter: picking a value replaces the facet's current choice, so that
        is what the reader would get.
        """

        def ids(name):
            return self.apply(queryset, skip=name).order_by().values("pk")

        return self._facets_from(self._live_counts(ids, [name for name, _label in FACETS]))

    def facets_among(self, values_without, *, labels=None) -> list[Facet]:
        """Counts for every facet over samples the caller counted (the search page's bounded matches).

        `values_without(name)` gives how many of the briefs narrowed by every filter but `name` carry each
        facet value (a Counter of "facet:value"; only `name`'s values are read from it), and
        `values_without(None)` the same for those narrowed by all of them, every facet read; it is asked once
        per selected filter, plus once. `labels`: as `_label_counts` takes it.
        """
        chosen = {name for name in self.selected if name not in self.fixed}
        by_facet: dict[str | None, dict[str, Counter]] = {}
        for base in dict.fromkeys(name if name in chosen else None for name, _label in FACETS):
            split = by_facet[base] = {name: Counter() for name, _label in FACETS}
            for value, count in values_without(base).items():
                facet, _, choice = value.partition(":")
                if facet in split:
                    split[facet][choice] = count
        counted = {name: by_facet[name if name in chosen else None][name] for name, _label in FACETS}
        return self._facets_from(_label_counts(counted, labels))

    def _live_counts(self, ids, names) -> dict[str, list[Option]]:
        """`ids(name)`: the briefs (a subquery or a list of ids) that `name`'s counts are taken over."""
        counters = {
            "role": lambda: _through_counts(Article.roles.through, "role", ids("role")),
            "area": lambda: _area_counts(ids("area")),
            "field": lambda: _through_counts(Article.fields.through, "field", ids("field"), subfields_only=True),
            "topic": lambda: _through_counts(Article.topics.through, "topic", ids("topic")),
            "source": lambda: _column_counts("source", ids("source")),
            "level": lambda: _choice_counts("level", Level, ids("level")),
            "length": lambda: _choice_counts("length", Length, ids("length")),
        }
        return {name: counters[name]() for name in names}

    def _facets_from(self, counted: dict[str, list[Option]]) -> list[Facet]:
        facets = []
        for name, label in FACETS:
            if name not in counted:
                continue  # not asked for (`published_facets(only=…)`)
            chosen = self.selected.get(name)
            chosen_value = chosen if isinstance(chosen, str) or chosen is None else chosen.slug
            options = sorted(counted[name], key=lambda option: (-option.count, option.label.lower()))
            if name in ("level", "length"):
                options = counted[name]  # their natural order reads better than counts
            options = options[:MAX_OPTIONS]
            for option in options:
                option.selected = option.value == chosen_value
            if chosen is not None and not any(option.selected for option in options):
                options.insert(0, Option(chosen_value, _value_label(name, chosen), 0, selected=True))
            facets.append(Facet(name, label, options, fixed=name in self.fixed))
        return facets


# The SQL of each facet's look-up by slug, per database, built once per process (see `_look_up`).
_LOOK_UP_SQL: dict[tuple[str, str], tuple[str, tuple, int]] = {}
_SLUG_STAND_IN = "-slug-stand-in-"
# Rows looked up by slug, with the versions they were read under (`_look_up`'s `kept_under`); emptied when full.
_LOOKED_UP: dict[tuple[str, str, str], tuple[str, object]] = {}
LOOKED_UP_KEPT = 512


def _look_up(facet: str, model, rows, slug: str, *, kept_under: str | None = None):
    """`rows().filter(slug=slug).first()`, the `model` row a filter names, through SQL built once per facet.

    The rows come annotated with two subqueries of the kept counts: building and compiling that queryset was
    about 2 ms of Python, on every filtered listing and search; only the slug changes between two look-ups.
    `rows` selects no related row (a raw query would not fill it in).

    `kept_under`: the versions of the site and of the library read by the request (the search page's). The row
    (or its absence) is kept in the process under them: every write of a role, field, topic or source bumps the
    site version, and every brief published or withdrawn the library's, which the kept counts follow. Those
    counts only choose how the search is asked (`_is_common`), never what it finds.
    """
    db = router.db_for_read(model)
    if kept_under is not None:
        kept = _LOOKED_UP.get((db, facet, slug))
        if kept is not None and kept[0] == kept_under:
            return kept[1]
        found = _look_up(facet, model, rows, slug)
        if len(_LOOKED_UP) >= LOOKED_UP_KEPT:
            _LOOKED_UP.clear()
        _LOOKED_UP[(db, facet, slug)] = (kept_under, found)
        return found
    key = (db, facet)
    if key not in _LOOK_UP_SQL:
        found = rows().filter(slug=_SLUG_STAND_IN)
        found = (found if found.ordered else found.order_by("pk"))[:1]
        sql, params = found.query.sql_with_params()
        _LOOK_UP_SQL[key] = (sql, tuple(params), list(params).index(_SLUG_STAND_IN))
    sql, params, at = _LOOK_UP_SQL[key]
    params = (*params[:at], slug, *params[at + 1 :])
    return next(iter(model.objects.db_manager(db).raw(sql, params)), None)


def _with_library_count(queryset, facet: str):
    """Taxonomy rows annotated with how many published briefs hold each (`library_count`) and how many are
    published (`library_total`), from the kept counts, in the look-up's own query."""
    library = FacetCount.objects.filter(scope="", scope_value="")
    held = library.filter(facet=facet, value=Cast(OuterRef("pk"), CharField())).values("count")[:1]
    total = library.filter(facet="", value="").values("count")[:1]
    return queryset.annotate(library_count=Subquery(held), library_total=Subquery(total))


def _is_common(value) -> bool:
    """Whether at least COMMON_SHARE of the published briefs hold `value` (a looked-up role, area, subfield or
    topic; one fixed by the address has no counts and is not)."""
    held, total = getattr(value, "library_count", None), getattr(value, "library_total", None)
    return bool(held and total and held >= COMMON_SHARE * total)


def _scope_key(in_effect: dict[str, object]) -> tuple[str, str]:
    """The kept counts' scope for at most one filter: ("", "") for none, ("role", "3") for one role."""
    if not in_effect:
        return ("", "")
    ((name, value),) = in_effect.items()
    return (name, value if isinstance(value, str) else str(value.pk))


def _label_counts(counted: dict[str, Counter], labels=None) -> dict[str, list[Option]]:
    """Options with slugs and names for kept counts, for the top values only: from `labels` (a callable giving
    `labels.facet_labels()`'s mapping) when given and it names every value, else one query per kind of taxonomy."""
    options: dict[str, list[Option]] = {}
    models = {"role": Role, "topic": Topic, "source": Source, "area": Field, "field": Field}
    wanted: dict[str, set[int]] = {}
    for name, counter in counted.items():
        if name in models and counter:
            # Every value that can make the first MAX_OPTIONS, ties at the edge included.
            edge = sorted(counter.values(), reverse=True)[:MAX_OPTIONS][-1]
            wanted[name] = {int(v) for v, n in counter.items() if n >= edge}
    named = labels() if labels is not None and wanted else None
    if named is None or any(pk not in named[name] for name, ids in wanted.items() for pk in ids):
        # A value created without the signals that retire the kept names (a bulk insert) is read here.
        named = _read_names(wanted, models)
    for name, counter in counted.items():
        if name in ("level", "length"):
            choices = Level if name == "level" else Length
            options[name] = [
                Option(value, label.capitalize(), counter[value])
                for value, label in choices.choices
                if counter.get(value)
            ]
            continue
        found, top = named.get(name, {}), wanted.get(name, ())
        options[name] = [
            Option(*found[pk], count) for value, count in counter.items() if (pk := int(value)) in top and pk in found
        ]
    return options


def _read_names(wanted: dict[str, set[int]], models) -> dict[str, dict[int, tuple[str, str]]]:
    """{facet: {id: (slug, label)}} for the ids `wanted` of each facet, one query per kind of taxonomy."""
    ids_by_model: dict[type, set[int]] = {}
    for name, ids in wanted.items():
        ids_by_model.setdefault(models[name], set()).update(ids)
    found = {}
    for model, ids in ids_by_model.items():
        rows = model.objects.filter(pk__in=ids)
        if model is Field:
            rows = rows.select_related("parent")
        found[model] = {obj.pk: obj for obj in rows}
    return {
        name: {pk: (obj.slug, _option_label(name, obj)) for pk in ids if (obj := found[models[name]].get(pk))}
        for name, ids in wanted.items()
    }


def _option_label(name: str, obj) -> str:
    if name == "field":
        return f"{obj.parent.name} — {obj.name}"
    return obj.name


def _value_label(name, value) -> str:
    if name == "level":
        return Level(value).label
    if name == "length":
        return Length(value).label.capitalize()
    if name == "field":
        return str(value)
    return value.name


def _through_counts(through, target: str, ids, *, subfields_only=False) -> list[Option]:
    rows = through.objects.filter(article_id__in=ids)
    if subfields_only:
        rows = rows.filter(field__parent__isnull=False)
        label_parts = (f"{target}__parent__name", f"{target}__name")
    else:
        label_parts = (f"{target}__name",)
    # A brief holds a value once (the through table's pair is unique): a plain COUNT, no DISTINCT sort.
    rows = rows.values(f"{target}__slug", *label_parts).annotate(n=Count("article_id"))
    return [Option(row[f"{target}__slug"], " — ".join(row[part] for part in label_parts), row["n"]) for row in rows]


def _area_counts(ids) -> list[Option]:
    rows = (
        Article.fields.through.objects.filter(article_id__in=ids)
        .values(area=Coalesce("field__parent_id", "field_id"))
        .annotate(n=Count("article_id", distinct=True))
    )
    counts = {row["area"]: row["n"] for row in rows}
    if not counts:
        return []
    return [Option(area.slug, area.name, counts[area.pk]) for area in Field.objects.filter(pk__in=list(counts))]


def _column_counts(target: str, ids) -> list[Option]:
    rows = (
        Article.objects.filter(pk__in=ids)
        .order_by()
        .values(f"{target}__slug", f"{target}__name")
        .annotate(n=Count("pk"))
    )
    return [Option(row[f"{target}__slug"], row[f"{target}__name"], row["n"]) for row in rows]


def _choice_counts(column: str, choices, ids) -> list[Option]:
    rows = Article.objects.filter(pk__in=ids).exclude(**{column: ""}).order_by().values(column).annotate(n=Count("pk"))
    counts = {row[column]: row["n"] for row in rows}
    return [Option(value, label.capitalize(), counts[value]) for value, label in choices.choices if counts.get(value)]
