"""The one search interface of the site and the REST API.

`search(queryset, query)` filters briefs by full text over title, summary, takeaway,
insights and the original's text, ranks them (title, then summary and takeaway, weigh
most) and adds a highlighted snippet. Both are kept up to date by `search_index`.

PostgreSQL: Django's own full-text tools (django.contrib.postgres.search) over the
trigger-kept `Article.search_vector`: `SearchQuery(search_type="websearch")` to match,
`SearchRank` to rank, `SearchHeadline` for the snippet. SQLite: the FTS5 table through
`ArticleSearchEntry`, with bm25() and snippet().

Readers type what they type: quotes, stars, "AND", emoji, a pasted page. Nothing they
type reaches a query parser unescaped, so no input can raise an error.
"""

import html
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, models
from django.db.models import Case, ExpressionWrapper, F, Func, OuterRef, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.sql.where import WhereNode
from django.utils.safestring import mark_safe

from articles.models import Role, holds_facet_value
from articles.search_index import FTS_TABLE, INDEXED_COLUMNS, PG_CONFIG, PG_WEIGHTS

MAX_QUERY_CHARS = 200
# Private-use characters the database puts around matched words; escaped text never
# contains them (normalize_query and the highlighter strip them), so they are unambiguous.
MARK_START = "\ue000"
MARK_END = "\ue001"
# bm25 weights in the order of search_index.INDEXED_COLUMNS.
FTS_WEIGHTS = (10.0, 4.0, 4.0, 2.0, 1.0)
SNIPPET_WORDS = 28
SNIPPET_SEPARATOR = " … "
# The brief's own text, which snippets quote first (the original's text only when these lack every word).
OWN_WORDS = ("summary", "takeaway", "insights")
# The summary's and takeaway's weights in the vector, as ts_filter() names them: snippets quote them first.
LEAD_WEIGHTS = ",".join(sorted({PG_WEIGHTS["summary"], PG_WEIGHTS["takeaway"]})).lower()

_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ue000-\uf8ff]")
_WORD_CHAR = re.compile(r"[^\W_]")
# A quoted phrase (closing quote optional), or a run of anything else that is not a quote.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


def normalize_query(query: str) -> str:
    """What the user meant, trimmed; "" for junk (nothing a word could be made of)."""
    if not isinstance(query, str):
        return ""
    text = unicodedata.normalize("NFKC", query)
    text = _UNWANTED.sub(" ", text)
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS]
        # Do not end on half a word.
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
    if not _WORD_CHAR.search(text):
        return ""
    return text


def parse_query(query: str) -> list[dict]:
    """Websearch syntax as PostgreSQL reads it: words, "phrases", -exclusions, OR.

    Returns groups joined by OR; each group is {"include": [...], "exclude": [...]},
    and each item is a list of words (one for a word, several for a phrase).
    Groups with nothing to include are dropped: "-foo" alone asks for nothing.
    """
    groups: list[dict] = [{"include": [], "exclude": []}]
    for match in _TOKEN.finditer(normalize_query(query)):
        quoted_neg, phrase, bare_neg, bare = match.groups()
        if bare is not None and bare.lower() == "or" and not bare_neg:
            groups.append({"include": [], "exclude": []})
            continue
        text = phrase if phrase is not None else bare
        words = [w for w in re.findall(r"\w+", text) if _WORD_CHAR.search(w)]
        if not words:
            continue
        negated = bool(quoted_neg if phrase is not None else bare_neg)
        groups[-1]["exclude" if negated else "include"].append(words)
    return [group for group in groups if group["include"]]


def fts5_query(query: str) -> str:
    """An FTS5 MATCH expression for `query`, every term quoted so none is read as syntax."""

    def quote(words):
        return '"' + " ".join(words) + '"'

    clauses = []
    for group in parse_query(query):
        clause = " ".join(quote(words) for words in group["include"])
        clause += "".join(f" NOT {quote(words)}" for words in group["exclude"])
        clauses.append(f"({clause})")
    return " OR ".join(clauses)


def positive_query(query: str) -> str:
    """`query` without its exclusions, in websearch syntax: ts_rank scores negated terms oddly."""
    return " or ".join(
        " ".join('"' + " ".join(words) + '"' for words in group["include"]) for group in parse_query(query)
    )


def highlight_html(raw: str | None) -> str:
    """Escape a snippet from the database and turn its match markers into <mark>."""
    if not raw:
        return mark_safe("")
    # The standard library's escape, which Django's calls, without its lazy-string wrapper (20 a page).
    return mark_safe(html.escape(raw).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


class SnippetField(models.TextField):
    def from_db_value(self, value, expression, connection):
        return highlight_html(value)


class InsightsText(Func):
    """PostgreSQL: the insights as readers wrote them, joined, for snippets (not the JSON list with
    its brackets and quotes). Anything but a list gives NULL, which concat_ws skips."""

    template = (
        "(SELECT string_agg(value, %(separator)s) FROM jsonb_array_elements_text("
        "CASE WHEN jsonb_typeof(%(expressions)s) = 'array' THEN %(expressions)s ELSE '[]'::jsonb END))"
    )
    arity = 1
    output_field = models.TextField()

    def as_sql(self, compiler, connection, **extra_context):
        # The column appears twice in the template; it has no parameters, the separator has one.
        sql, params = super().as_sql(compiler, connection, separator="%s", **extra_context)
        return sql, [SNIPPET_SEPARATOR, *params]


def _pg_query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=PG_CONFIG)


def search(queryset, query: str):
    """Filter `queryset` (Articles) to those matching `query`, annotated with `search_rank` (float, higher is
    better) and `search_snippet` (safe HTML with <mark>…</mark> around matched terms), ordered by rank.
    An empty or junk query returns queryset.none(). The backend follows the vendor of queryset.db."""
    text = normalize_query(query)
    if not text or not parse_query(text):
        return queryset.none()
    matched = _with_snippets(_ranked(_joined(matching(queryset, text), text), text), text)
    return matched.order_by("-search_rank", F("published_at").desc(nulls_last=True), "-pk")


def matching(queryset, query: str):
    """`queryset` filtered to the briefs matching `query`, without rank or snippet; junk gives none().

    The cheap form for counting and facets: the index is read once, as a list of ids.
    """
    text = normalize_query(query)
    if not text or not parse_query(text):
        return queryset.none()
    if _vendor(queryset) == "postgresql":
        return queryset.filter(search_vector=_pg_query(text))
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
    return queryset.filter(pk__in=RawSQL(sql, [fts5_query(text)]))


@dataclass(frozen=True)
class Matches:
    """The ids of the briefs matching a query (newest first, or in the reader's order from `best_matches`);
    when more match than were asked for, the newest `limit` of them and `complete` False. `for_reader`:
    those of them best for the reader's roles. `values`: how many of them carry each facet value
    ("role:3": 412), from their rows' kept values (`Article.facet_values`), counted by the same query.
    `first_page`: the first ids' slugs and snippets, read by the same query too when asked for."""

    ids: list[int]
    complete: bool
    for_reader: frozenset[int] = frozenset()
    values: Counter = field(default_factory=Counter, compare=False, repr=False)
    # (pk, slug, snippet) of the first ids, as `snippets_of` gives them, when asked for (`first_page`, PostgreSQL).
    first_page: list[tuple[int, str, str]] | None = field(default=None, compare=False, repr=False)

    @property
    def count(self) -> int:
        return len(self.ids)


def newest_matches(
    queryset,
    query: str,
    *,
    limit: int,
    facet: str | None = None,
    top_values: int | None = None,
    walk: str | None = None,
) -> Matches:
    """At most `limit` briefs of `queryset` matching `query`, newest first, in one query of `limit` + 1 rows;
    `values` counts only `facet`'s values ("role" …) when it is given (all of them otherwise), and on PostgreSQL
    with `top_values` only each facet's `top_values` most held values (with those tied with the last): a filter
    panel shows no more, and the database sorts them for less than Python reads them all.

    The cost is bounded whatever the number of matches: for a word in most briefs, PostgreSQL walks
    the published-date index and stops after `limit` + 1 matches; for a rare one it reads the GIN
    index and sorts the few it finds. Ranking and counting then work on these ids, never on every match.

    `walk`: a kept value that every brief of `queryset` holds (its role, area, subfield or topic filter: "role:3").
    On PostgreSQL the newest matches are then looked for among that value's briefs, newest first (`_walked`), not
    among all.
    """
    text = normalize_query(query)
    if not text or not parse_query(text):
        return Matches(ids=[], complete=True)
    if _vendor(queryset) == "postgresql":
        if walk is None:
            found = _kept_sql(queryset, ("newest", limit), partial(_newest_found, limit=limit), text=text)
        else:
            build = partial(_newest_found, limit=None)
            found = _walked(_kept_sql(queryset, ("newest", "walk"), build, text=text, walk=walk), limit=limit)
        return _pg_matches(found, queryset.db, columns=0, limit=limit, facet=facet, top_values=top_values)
    found = _compile(_newest_found(matching(queryset, text), limit=limit), queryset.db)
    rows, values = _newest_with_values(found, queryset.db, columns=0, limit=limit, facet=facet)
    return Matches(ids=[row[0] for row in rows[:limit]], complete=len(rows) <= limit, values=values)


def _newest_found(matched, *, limit: int | None, text: str | None = None, walk: str | None = None):
    """The newest `limit` + 1 of `matched` (or of the briefs matching `text`) as (pk, published_at, facet_values);
    all of them, newest first, for no `limit`. `walk`: as `newest_matches` takes it."""
    if text is not None:
        matched = matched.filter(search_vector=_pg_query(text))
    return _limited(_latest(matched, walk).values_list("pk", "published_at", "facet_values"), limit)


def _latest(queryset, walk: str | None):
    """`queryset` newest first; read through the dated rows of the kept value `walk` when one is given."""
    return queryset.latest_first() if walk is None else queryset.holding_latest_first(walk)


def _limited(rows, limit: int | None):
    return rows if limit is None else rows[: limit + 1]


def _walked(found: tuple[str, list], *, limit: int) -> tuple[str, list]:
    """`found` (the SQL and parameters of the matches among one kept value's briefs, newest first, through its
    dated rows: `holding_latest_first`) cut after `limit` + 1 rows, by a number read by a subquery.

    The planner does not use a subquery's value: it plans to read a tenth of the matches, so for a common word it
    walks the value's rows in date order and stops there, and a rare word is still looked up in the GIN index
    first. Given the number, it compared it with its estimate of the value's briefs that match two common words
    (a few hundred), found them too few to stop early for, and read and sorted every one of the value's briefs:
    10,185 for a role a tenth of the library holds at 100,000 briefs, where the walk reads 2,222 (bench/REPORT.md,
    "Search, twelfth pass")."""
    sql, params = found
    return f"{sql} LIMIT (SELECT %s::bigint)", [*params, limit + 1]


def best_matches(
    queryset,
    query: str,
    *,
    limit: int,
    roles=(),
    first_page: int = 0,
    top_values: int | None = None,
    walk: str | None = None,
) -> Matches:
    """The briefs `newest_matches` gives, in the order a reader sees them, in one query: those best for
    any of the role slugs `roles` first, then the best ranked, then the newest (as `search` and
    `roles_first` order them).

    Only these briefs are ranked, never every match: the query that finds the newest `limit` + 1
    matches ranks each row it keeps as it reads it (for a common word, PostgreSQL walks the date index
    and stops there; for a rare one, it reads the GIN index and sorts the few it finds), so no brief is
    read twice. Show a page of them with `with_snippets`; on PostgreSQL, `first_page` (a number of briefs) has
    the same statement read the first that many briefs' slugs and snippets too (`Matches.first_page`): one
    statement fewer for the page most searches show. `top_values` and `walk`: as `newest_matches` takes them.
    SQLite ignores all three.
    """
    text = normalize_query(query)
    if not text or not parse_query(text):
        return Matches(ids=[], complete=True)
    if _vendor(queryset) == "postgresql":
        values = {"text": text, "ranked": positive_query(text), "roles": list(roles)}
        if walk is None:
            found = _kept_sql(queryset, ("best", limit, len(roles)), partial(_best_found, limit=limit), **values)
        else:
            build = partial(_best_found, limit=None)
            found = _walked(_kept_sql(queryset, ("best", "walk", len(roles)), build, walk=walk, **values), limit=limit)
        page = _first_page_sql(queryset, text, first_page)
        return _pg_matches(found, queryset.db, columns=3, limit=limit, page=page, top_values=top_values)
    ranked = _marked_for_roles(_ranked(_joined(matching(queryset, text), text), text), roles)
    found = _compile(_best_found(ranked, limit=limit), queryset.db)
    rows, values = _newest_with_values(found, queryset.db, columns=3, limit=limit)
    return _in_reader_order(rows, limit=limit, values=values)


def _best_found(
    queryset,
    *,
    limit: int | None,
    text: str | None = None,
    ranked: str | None = None,
    roles=(),
    walk: str | None = None,
):
    """The newest `limit` + 1 of `queryset` (ranked and marked; on PostgreSQL, given the `text` that they match and
    the `ranked` text that ranks them) as (pk, rank, for the reader, undated, published_at, facet_values); all of
    them, newest first, for no `limit`. `walk`: as `newest_matches` takes it."""
    if text is not None:
        queryset = _marked_for_roles(_pg_ranked(queryset.filter(search_vector=_pg_query(text)), ranked), roles)
    columns = ("pk", "search_rank", "for_reader", _undated(), "published_at", "facet_values")
    return _limited(_latest(queryset, walk).values_list(*columns), limit)


def best_matches_beside(
    queryset,
    query: str,
    *,
    limit: int,
    roles=(),
    held: str,
    facet: str,
    share: float,
    first_page: int = 0,
    top_values: int | None = None,
) -> tuple[Matches, Matches] | None:
    """PostgreSQL: `best_matches(queryset.with_facet_value(held, common=True), …)` and `newest_matches(queryset, …,
    facet=facet)` (the matches with a chosen filter, a kept value such as "role:3", and without it for its own
    facet's counts) from one walk; None on SQLite, or when the walk ended before finding them all: ask the two then.

    The matches without the filter are a prefix of the walk that finds those with it, so one scan numbers
    both and stops where the `limit` + 1st brief that holds it is found (a run condition on a running count,
    PostgreSQL 15). `share`: the part of the library that holds it (at least browse.COMMON_SHARE), from which
    the walk's length is bounded, which also tells the planner to walk the date index rather than sort every match.
    `first_page`: as `best_matches` takes it, for the matches with the filter; `top_values`, as `newest_matches`.
    """
    text = normalize_query(query)
    if not text or not parse_query(text) or _vendor(queryset) != "postgresql":
        return None
    shape = ("beside", len(roles))
    values = {"text": text, "ranked": positive_query(text), "roles": list(roles), "held": held}
    sql, params = _kept_sql(queryset, shape, _beside_found, **values)
    held_only = queryset.with_facet_value(held, common=True)
    page_columns, page_source, page_params = _page_columns(_first_page_sql(held_only, text, first_page))
    counted_with, with_top = _counts_of(
        "SELECT unnest(facet_values) AS value FROM walk WHERE held AND n <= %s", top_values
    )
    own_facet, wanted = _facet_values(
        "SELECT unnest(facet_values) AS value FROM walk WHERE n_all <= %s", limit=limit, facet=facet
    )
    counted_without, without_top = _counts_of(own_facet, top_values)
    # Four times the briefs expected to be walked: a word found less often among the filter's briefs still fits.
    bound = math.ceil((limit + 1) / max(share, 0.01) * 4)
    # OFFSET 0 keeps the rank computed as each row is read: otherwise PostgreSQL computes it after sorting, and
    # a sort of a few thousand matches would carry their whole vectors (2 KB each) to disk.
    # The bound is read by a subquery, whose value the planner does not use: it then plans to read a tenth of the
    # matches, about where the run condition ends the walk. Given the number, it costed walking the bound's share
    # of them, and for a bound near the number of matches (a role held by a quarter of the library or less, or a
    # less common word) it chose to read and sort every match instead: 3 to 6 times the time (bench/REPORT.md,
    # "Search, eleventh pass"). A rare word is still looked up in the GIN index.
    statement = (
        "WITH walk AS MATERIALIZED (SELECT * FROM (SELECT found.*, row_number() OVER w AS n_all, "
        "count(*) FILTER (WHERE held) OVER w AS n "
        f"FROM ({sql} OFFSET 0) AS found(pk, c0, c1, c2, published_at, facet_values, held) "
        "WINDOW w AS (ORDER BY published_at DESC, pk DESC)) AS numbered WHERE n <= %s LIMIT (SELECT %s::bigint)) "
        # Both samples' ids in order, how many each found and how many were walked (the bound's test), and their
        # counts, as one row of arrays: the samples with it in the reader's order (`_in_reader_order`'s, in SQL).
        f", {_ORDERED}(ids, with_count, marked, without_ids, without_count, total) AS ("
        "SELECT array_agg(pk ORDER BY c1 IS TRUE DESC, c0 DESC, c2, n_all) FILTER (WHERE held AND n <= %s), "
        "count(*) FILTER (WHERE held), array_agg(pk) FILTER (WHERE held AND n <= %s AND c1 IS TRUE), "
        "array_agg(pk ORDER BY n_all) FILTER (WHERE n_all <= %s), count(*) FILTER (WHERE n_all <= %s), count(*) "
        "FROM walk) "
        f"SELECT {_ORDERED}.*, with_it.value, with_it.total, without.value, without.total{page_columns} "
        f"FROM {_ORDERED}, {counted_with} AS with_it, {counted_without} AS without{page_source}"
    )
    arguments = [*params, limit + 1, bound, *[limit] * 3, limit + 1, limit, *with_top, *wanted, *without_top]
    arguments += page_params
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(statement, arguments)
        (with_ids, with_count, marked, without_ids, without_count, total, *counted) = cursor.fetchone()
    counted, shown = counted[:4], counted[4:]
    if total == bound and with_count <= limit:
        return None  # stopped by the bound, not by the run condition: not every match was seen
    with_values, without_values = (
        Counter(dict(zip(names or (), totals or (), strict=True))) for names, totals in (counted[:2], counted[2:])
    )
    with_it = Matches(
        ids=with_ids or [],
        complete=with_count <= limit,
        for_reader=frozenset(marked or ()),
        values=with_values,
        first_page=_page_rows(*shown) if shown else None,
    )
    return with_it, Matches(ids=without_ids or [], complete=without_count <= limit, values=without_values)


def _beside_found(queryset, *, text: str, ranked: str, roles, held: str):
    """The briefs of `queryset` matching `text`, newest first, as (pk, rank, for the reader, undated, published_at,
    facet_values, holds `held`); ranked (by the `ranked` text) and marked only when they hold it."""
    holds = holds_facet_value(held, common=True)
    matched = _marked_for_roles(_pg_ranked(queryset.filter(search_vector=_pg_query(text)), ranked), roles)
    only_held = [
        Case(When(holds, then=F(name)), output_field=models.BooleanField() if name == "for_reader" else None)
        for name in ("search_rank", "for_reader")
    ]
    matched = matched.annotate(held=ExpressionWrapper(holds, output_field=models.BooleanField()))
    return matched.latest_first().values_list("pk", *only_held, _undated(), "published_at", "facet_values", "held")


# SQL of the searches' queries as the ORM writes them, by shape: building and compiling them is most of the Python
# time of finding the matches. Bounded by the kinds of filters a search can combine.
_KEPT_SQL: dict[tuple, tuple[str, str, list, int]] = {}
_FILTERS_MARK = "search_filters_here"


def _compile(queryset, using: str) -> tuple[str, list]:
    # For the queryset's own database (`sql_with_params` would compile it for the default one).
    return queryset.query.get_compiler(using=using).as_sql()


def _kept_sql(queryset, shape: tuple, build, **values) -> tuple[str, list]:
    """`_compile(build(queryset, **values))` on PostgreSQL, kept per `shape` and the SQL of `queryset`'s filters.

    The query is built once over stand-ins (the filters' SQL, and strings in place of `values`: the searched text,
    role slugs …) and compiled; later searches of the same shape put their own filters' SQL and values in. A
    queryset that joins other tables or is already sliced, annotated or distinct is compiled as it is.
    """
    query = queryset.query
    if len(query.alias_map) > 1 or query.distinct or query.is_sliced or query.annotations or query.extra:
        return _compile(build(queryset, **values), queryset.db)
    try:
        where_sql, where_params = query.get_compiler(using=queryset.db).compile(query.where)
    except (EmptyResultSet, FullResultSet):
        return _compile(build(queryset, **values), queryset.db)
    key = (queryset.db, shape, where_sql)
    kept = _KEPT_SQL.get(key)
    if kept is None:
        stand_ins = {name: _stand_in(name, value) for name, value in values.items()}
        bare = queryset.all()
        bare.query.where = WhereNode()
        marked = bare.filter(RawSQL(_FILTERS_MARK, (), output_field=models.BooleanField()))
        sql, params = _compile(build(marked, **stand_ins), queryset.db)
        before, after = sql.split(_FILTERS_MARK)
        kept = _KEPT_SQL[key] = (before, after, params, before.count("%s"))
    before, after, params, at = kept
    put = {}
    for name, value in values.items():
        stand_in = _stand_in(name, value)
        put.update(zip(stand_in, value, strict=True) if isinstance(value, list) else [(stand_in, value)])
    filled = [put.get(param, param) if isinstance(param, str) else param for param in params]
    return f"{before}({where_sql}){after}", [*filled[:at], *where_params, *filled[at:]]


def _stand_in(name: str, value):
    # Strings no search can pass: `values` are normalized text, slugs and "facet:id" values.
    if isinstance(value, list):
        return [f"\x00{name}:{position}" for position in range(len(value))]
    return f"\x00{name}"


def _undated():
    return ExpressionWrapper(Q(published_at=None), output_field=models.BooleanField())


def _in_reader_order(rows: list[tuple], *, limit: int, values: Counter) -> Matches:
    """`Matches` of the newest `limit` + 1 (pk, rank, for the reader, undated) rows, in the reader's order."""
    complete = len(rows) <= limit
    rows = rows[:limit]
    # Stable: equal ranks stay newest first; undated briefs go last, as `search` orders them.
    rows.sort(key=lambda row: (not row[2], -row[1], row[3]))
    return Matches(
        ids=[row[0] for row in rows],
        complete=complete,
        for_reader=frozenset(row[0] for row in rows if row[2]),
        values=values,
    )


def _newest_with_values(
    found: tuple[str, list], using: str, *, columns: int, limit: int, facet: str | None = None
) -> tuple[list[tuple], Counter]:
    """The rows of `found` (the SQL and parameters of the newest `limit` + 1 matches as (pk, `columns` more,
    published_at, facet_values)) as (pk, *columns), newest first, and the facet values of the newest `limit` of
    them counted (only `facet`'s when given), in one statement. SQLite; PostgreSQL answers `_pg_matches`.

    The rows are found as `latest_first` orders them (the date index walked, or the GIN index read for a rare
    word), kept aside, and their `facet_values` counted from the rows already read: no second look-up of a
    thousand ids in another table. Read through the cursor as the driver gives them (floats and booleans, or
    0 and 1 on SQLite): for a thousand rows, the ORM's per-row converters cost more Python time than the
    database takes to find and rank them.
    """
    sql, params = found
    connection = connections[using]
    names = ["pk", *(f"c{position}" for position in range(columns)), "published_at", "facet_values"]
    kept = ", ".join(names[:-2])
    values, wanted = _facet_values(
        "SELECT item.value AS value FROM walk CROSS JOIN json_each(walk.facet_values) AS item WHERE n <= %s",
        limit=limit,
        facet=facet,
    )
    # The window's order is `latest_first`'s, written out, so the rows' order never depends on the plan.
    statement = (
        f"WITH found({', '.join(names)}) AS ({sql}), "
        "walk AS (SELECT found.*, row_number() OVER (ORDER BY published_at DESC, pk DESC) AS n "
        "FROM found) "
        f"SELECT n, {kept}, NULL, NULL FROM walk "
        f"UNION ALL SELECT NULL, {', '.join(['NULL'] * (len(names) - 2))}, item.value, COUNT(*) "
        f"FROM ({values}) AS item GROUP BY item.value"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *wanted])
        fetched = cursor.fetchall()
    rows = sorted([row for row in fetched if row[0] is not None], key=itemgetter(0))
    values = Counter({row[-2]: row[-1] for row in fetched if row[0] is None})
    return [row[1:-2] for row in rows], values


def _facet_values(values: str, *, limit: int, facet: str | None) -> tuple[str, list]:
    """`values` (a statement of the facet values of the walk's first `limit` rows, one `%s` for `limit`) narrowed to
    `facet`'s values when one is given, with its parameters."""
    if facet is None:
        return values, [limit]
    return f"SELECT value FROM ({values}) AS every_value WHERE value LIKE %s", [limit, facet + ":%"]


def _counts_of(values: str, top: int | None) -> tuple[str, list]:
    """PostgreSQL: a subquery of one row, (value, total) as two arrays, of how many rows of `values` (a statement of
    one column, `value`, such as "role:3") hold each value; with `top`, only each facet's `top` most held values and
    those tied with the last of them (the values a filter panel can show). With its parameters."""
    counted = f"SELECT value, COUNT(*) AS total FROM ({values}) AS every_value GROUP BY value"
    if top is None:
        return f"(SELECT array_agg(item.value) AS value, array_agg(item.total) AS total FROM ({counted}) AS item)", []
    # rank(), not row_number(): a value tied with the `top`-th is kept, as the panel's own cut may choose it.
    ranked = (
        "SELECT value, total, rank() OVER (PARTITION BY split_part(value, ':', 1) ORDER BY total DESC) AS place "
        f"FROM ({counted}) AS item"
    )
    return (
        f"(SELECT array_agg(kept.value) AS value, array_agg(kept.total) AS total FROM ({ranked}) AS kept "
        "WHERE place <= %s)"
    ), [top]


def _pg_matches(
    found: tuple[str, list],
    using: str,
    *,
    columns: int,
    limit: int,
    facet: str | None = None,
    page: tuple[str, list] | None = None,
    top_values: int | None = None,
) -> Matches:
    """PostgreSQL: `Matches` of `found` (as `_newest_with_values` takes it), ordered and counted in the database.

    With `columns` 3 (rank, for the reader, undated: `best_matches`) the ids come in the reader's order
    (`_in_reader_order`'s, written as SQL: the reader's roles first, then rank, undated last, newest first among
    equals), else newest first. The answer is one row of arrays: the rows one by one, and Python sorting them,
    cost more Python time than the database takes to find and rank them. `page`: the snippets' statement of the
    first ids (`_first_page_sql`), read in the same row. `top_values`: as `newest_matches` takes it.
    """
    sql, params = found
    names = ["pk", *(f"c{position}" for position in range(columns)), "published_at", "facet_values"]
    if columns:
        order, for_reader = "c1 IS TRUE DESC, c0 DESC, c2, n", "array_agg(pk) FILTER (WHERE n <= %s AND c1 IS TRUE)"
    else:
        order, for_reader = "n", "NULL::bigint[]"
    # Expanded in the select list: a third cheaper than a lateral join of unnest() for each row.
    values, wanted = _facet_values(
        "SELECT unnest(facet_values) AS value FROM walk WHERE n <= %s", limit=limit, facet=facet
    )
    counted, top = _counts_of(values, top_values)
    page_columns, page_source, page_params = _page_columns(page)
    statement = (
        f"WITH found({', '.join(names)}) AS ({sql}), "
        "walk AS MATERIALIZED (SELECT found.*, row_number() OVER (ORDER BY published_at DESC, pk DESC) AS n "
        "FROM found), "
        f"{_ORDERED} AS (SELECT array_agg(pk ORDER BY {order}) FILTER (WHERE n <= %s) AS ids, "
        f"{for_reader} AS for_reader, count(*) AS walked FROM walk) "
        f"SELECT {_ORDERED}.ids, {_ORDERED}.for_reader, {_ORDERED}.walked, counted.value, counted.total{page_columns} "
        f"FROM {_ORDERED}, {counted} AS counted{page_source}"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(statement, [*params, limit, *([limit] if columns else []), *wanted, *top, *page_params])
        ids, marked, walked, value_names, totals, *shown = cursor.fetchone()
    return Matches(
        ids=ids or [],
        complete=walked <= limit,
        for_reader=frozenset(marked or ()),
        values=Counter(dict(zip(value_names or (), totals or (), strict=True))),
        first_page=_page_rows(*shown) if page else None,
    )


# The name, in the statements of `_pg_matches` and `best_matches_beside`, of their one row of ordered ids (`ids`).
_ORDERED = "ordered"


def _first_page_sql(queryset, text: str, size: int) -> tuple[str, list] | None:
    """PostgreSQL: `snippets_of`'s statement for the first `size` ids of the `ordered` row of the statement it is
    put in (`_pg_matches`, `best_matches_beside`); None for no page."""
    if not size:
        return None
    shown = queryset.filter(pk__in=RawSQL(f"SELECT unnest(ids[1:%s]) FROM {_ORDERED}", [size]))
    return _kept_sql(shown, ("snippets",), _snippet_rows, text=text)


def _page_columns(page: tuple[str, list] | None) -> tuple[str, str, list]:
    """What a statement's select list and its FROM end with to read `page` (`_first_page_sql`'s statement) as three
    arrays in its one row, and the parameters (the last in the statement)."""
    if page is None:
        return "", "", []
    sql, params = page
    source = (
        ", (SELECT array_agg(pk) AS pks, array_agg(slug) AS slugs, array_agg(snippet) AS snippets "
        f"FROM ({sql}) AS shown(pk, slug, snippet)) AS page"
    )
    return ", page.pks, page.slugs, page.snippets", source, params


def _page_rows(pks, slugs, snippets) -> list[tuple[int, str, str]]:
    return [
        (pk, slug, highlight_html(snippet))
        for pk, slug, snippet in zip(pks or (), slugs or (), snippets or (), strict=True)
    ]


def _marked_for_roles(queryset, roles):
    """`queryset.marked_for_roles(roles)`; on PostgreSQL, as a look-up of each ranked brief's roles.

    The EXISTS of `marked_for_roles` is planned for every match, not the `limit` + 1 the query keeps, so
    PostgreSQL hashes every brief of the roles instead (46,660 rows for one role at 100,000 briefs,
    two thirds of the query's time). An array of the brief's roles is read per row, from the index.
    """
    if not roles or _vendor(queryset) != "postgresql":
        return queryset.marked_for_roles(roles)
    pairs = queryset.model.roles.through.objects
    brief_roles = ArraySubquery(pairs.filter(article_id=OuterRef("pk")).values("role_id"))
    chosen = ArraySubquery(Role.objects.filter(slug__in=list(roles)).values("pk"))
    overlap = Func(brief_roles, chosen, template="(%(expressions)s)", arg_joiner=" && ")
    return queryset.annotate(for_reader=ExpressionWrapper(overlap, output_field=models.BooleanField()))


def with_snippets(queryset, query: str):
    """`queryset` (briefs known to match `query`, such as a page of `best_matches`) annotated with
    `search_snippet`, without matching or ranking them again on PostgreSQL."""
    text = normalize_query(query)
    if not text or not parse_query(text):
        return queryset.none()
    return _with_snippets(_joined(queryset, text), text)


def snippets_of(queryset, query: str) -> list[tuple[int, str, str]]:
    """(pk, slug, snippet) of each brief of `queryset` (briefs known to match `query`: a page of `best_matches`),
    as `with_snippets` annotates them; on PostgreSQL through SQL kept per shape (see `_kept_sql`)."""
    text = normalize_query(query)
    if not text or not parse_query(text):
        return []
    if _vendor(queryset) != "postgresql":
        return list(with_snippets(queryset, text).values_list("pk", "slug", "search_snippet"))
    sql, params = _kept_sql(queryset, ("snippets",), _snippet_rows, text=text)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [(pk, slug, highlight_html(snippet)) for pk, slug, snippet in cursor.fetchall()]


def _snippet_rows(queryset, *, text: str):
    return _with_snippets(queryset, text).values_list("pk", "slug", "search_snippet")


def _vendor(queryset) -> str:
    vendor = connections[queryset.db].vendor
    if vendor not in ("postgresql", "sqlite"):  # pragma: no cover - settings only allow the two
        raise NotImplementedError(f"No full-text search for the {vendor} database.")
    return vendor


def _joined(queryset, text: str):
    """SQLite: `queryset` joined to its FTS5 rows, which bm25() and snippet() read (and MATCH filters).

    The MATCH stays beside `matching`'s id list on purpose: the id list lets SQLite start from the
    index's matches; the join gives bm25() and snippet() their FTS5 row. With the join alone, SQLite
    may walk the briefs and re-run the MATCH for each one, and bm25() recounts its statistics every
    time: quadratic in the matches. PostgreSQL needs no join: its vector is a column of the brief.
    """
    if _vendor(queryset) == "postgresql":
        return queryset
    return queryset.filter(search_entry__document__match=fts5_query(text))


def _ranked(queryset, text: str):
    if _vendor(queryset) == "postgresql":
        # ts_rank scores excluded terms oddly: rank by what was asked for, filter by all of it.
        return _pg_ranked(queryset, positive_query(text))
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    # bm25 is lower-is-better; negate it so every backend sorts the same way.
    return queryset.annotate(
        search_rank=Func(
            F("search_entry__document"), template=f"-bm25(%(expressions)s, {weights})", output_field=models.FloatField()
        )
    )


def _pg_ranked(queryset, ranked: str):
    return queryset.annotate(search_rank=SearchRank(F("search_vector"), _pg_query(ranked)))


class _FirstMarked(Func):
    """PostgreSQL: the first of its headlines that marks a searched word (the last one whatever it marks).

    ts_headline parses every word it is given, and the original's text is most of a brief's words: each
    headline is made only when the ones before it marked nothing, so a page of results whose briefs show
    the words in their own text never parses the originals. OFFSET 0 keeps PostgreSQL from folding a
    headline into both places it is read.
    """

    output_field = SnippetField()

    def as_sql(self, compiler, connection, **extra_context):
        *firsts, last = self.get_source_expressions()
        sql, params = compiler.compile(last)
        for depth, headline in reversed(list(enumerate(firsts))):
            first_sql, first_params = compiler.compile(headline)
            alias = f"headline{depth}"
            sql = (
                f"(SELECT CASE WHEN strpos({alias}.snippet, %s) > 0 THEN {alias}.snippet ELSE {sql} END "
                f"FROM (SELECT {first_sql} AS snippet OFFSET 0) AS {alias})"
            )
            params = [MARK_START, *params, *first_params]
        return sql, params


class _WhenWeighted(Func):
    """PostgreSQL: `headline` only when the brief's words of weight `weights` (search_index.PG_WEIGHTS) match
    `query`, else NULL; tested on the vector the row keeps, without parsing any text."""

    output_field = SnippetField()

    def __init__(self, headline, query, *, weights: str):
        super().__init__(headline, F("search_vector"), query)
        self.weights = weights

    def as_sql(self, compiler, connection, **extra_context):
        headline, vector, query = (compiler.compile(expression) for expression in self.get_source_expressions())
        sql = f"CASE WHEN ts_filter({vector[0]}, %s) @@ {query[0]} THEN {headline[0]} END"
        return sql, [*vector[1], "{" + self.weights + "}", *query[1], *headline[1]]


def _headline_option(value) -> str:
    return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


class _Headline(SearchHeadline):
    """`SearchHeadline` with its options quoted here, as one string parameter.

    Django quotes each option through the driver on every compile (a client cursor per option, twelve
    for a page's snippets): most of the Python time of the snippets' query. The options are numbers
    and our own marks, so quoting them as SQL strings here gives the same text.
    """

    def as_sql(self, compiler, connection, function=None, template=None):
        options = ", ".join(f"{option}={_headline_option(value)}" for option, value in self.options.items())
        sql, params = Func.as_sql(self, compiler, connection, function=function, template=template, options=", %s")
        return sql, [*params, options]


def _with_snippets(queryset, text: str):
    """The snippet quotes the brief's own words when they hold a searched word, and the original's text only
    when they do not: it is both what the reader should see first and far less text for the database to
    read. On PostgreSQL, the summary and takeaway alone when they hold the words (known from the vector's
    weights, without parsing), else with the insights; SQLite quotes the first of the three that does."""
    if _vendor(queryset) == "sqlite":
        document = F("search_entry__document")

        def snippet(column):
            return (
                f"snippet(%(expressions)s, {column}, char({ord(MARK_START)}), char({ord(MARK_END)}), '…', "
                f"{SNIPPET_WORDS})"
            )

        own = [INDEXED_COLUMNS.index(name) for name in OWN_WORDS]
        cases = " ".join(
            f"WHEN instr({snippet(column)}, char({ord(MARK_START)})) THEN {snippet(column)}" for column in own
        )
        template = f"CASE {cases} ELSE {snippet(-1)} END"
        return queryset.annotate(search_snippet=Func(document, template=template, output_field=SnippetField()))

    def headline(*parts):
        document = Func(Value(SNIPPET_SEPARATOR), *parts, function="concat_ws", output_field=models.TextField())
        return _Headline(
            document,
            _pg_query(text),
            config=PG_CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_END,
            max_words=SNIPPET_WORDS,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=SNIPPET_SEPARATOR,
        )

    own = [InsightsText(F(name)) if name == "insights" else F(name) for name in OWN_WORDS]
    # The summary and takeaway (weight B) alone when they hold the words: about half the text to parse.
    lead = _WhenWeighted(headline(F("summary"), F("takeaway")), _pg_query(text), weights=LEAD_WEIGHTS)
    return queryset.annotate(search_snippet=_FirstMarked(lead, headline(*own), headline(*own, F("content_text"))))
