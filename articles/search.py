"""The one search interface of the site and the REST API.

`search(queryset, query)` filters briefs by full text over title, summary, takeaway,
insights and the original's text, ranks them (title, then summary and takeaway, weigh
most) and adds a highlighted snippet. PostgreSQL uses the trigger-kept tsvector column
with websearch syntax; SQLite uses the FTS5 table. Both are built by `search_index`.

Readers type what they type: quotes, stars, "AND", emoji, a pasted page. Nothing they
type reaches a query parser unescaped, so no input can raise an error.
"""

import re
import unicodedata

from django.db import connections, models
from django.db.models import F, Func
from django.db.models.expressions import Expression, RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.search_index import ARTICLE_TABLE, FTS_TABLE, PG_CONFIG, PG_VECTOR_COLUMN

MAX_QUERY_CHARS = 200
# Private-use characters the database puts around matched words; escaped text never
# contains them (normalize_query and the highlighter strip them), so they are unambiguous.
MARK_START = "\ue000"
MARK_END = "\ue001"
# bm25 weights in the order of search_index.INDEXED_COLUMNS.
FTS_WEIGHTS = (10.0, 4.0, 4.0, 2.0, 1.0)
SNIPPET_WORDS = 28
# The insights as readers wrote them, for snippets: not the JSON list with its brackets and quotes.
PG_INSIGHTS_TEXT = (
    "(SELECT string_agg(value, ' … ') FROM jsonb_array_elements_text("
    "CASE WHEN jsonb_typeof(search_row.insights) = 'array' THEN search_row.insights ELSE '[]'::jsonb END))"
)

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
    html = escape(raw).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)


class SnippetField(models.TextField):
    def from_db_value(self, value, expression, connection):
        return highlight_html(value)


class _PerArticleSql(Expression):
    """`(SELECT <select_sql> FROM ... WHERE <rowid> = <this brief's pk>)`, params first.

    The brief's pk is compiled by Django, so the outer table's alias is always right,
    whatever the queryset is later nested in.
    """

    def __init__(self, template: str, params: list, output_field):
        super().__init__(output_field=output_field)
        self.template = template
        self.params = params
        self.pk = F("pk")

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, exprs):
        (self.pk,) = exprs

    def as_sql(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.pk)
        return "(" + self.template.replace("{pk}", pk_sql) + ")", [*self.params, *pk_params]

    def __repr__(self):
        return f"{self.__class__.__name__}({self.template!r})"


def search(queryset, query: str):
    """Filter `queryset` (Articles) to those matching `query`, annotated with `search_rank` (float, higher is
    better) and `search_snippet` (safe HTML with <mark>…</mark> around matched terms), ordered by rank.
    An empty or junk query returns queryset.none(). The backend follows the vendor of queryset.db."""
    text = normalize_query(query)
    if not text or not parse_query(text):
        return queryset.none()
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        matched = _search_postgresql(queryset, text)
    elif vendor == "sqlite":
        matched = _search_sqlite(queryset, text)
    else:  # pragma: no cover - settings only allow the two
        raise NotImplementedError(f"No full-text search for the {vendor} database.")
    return matched.order_by("-search_rank", F("published_at").desc(nulls_last=True), "-pk")


def matching(queryset, query: str):
    """`queryset` filtered to the briefs matching `query`, without rank or snippet; junk gives none().

    The cheap form for counting and facets: the index is read once, as a list of ids.
    """
    text = normalize_query(query)
    if not text or not parse_query(text):
        return queryset.none()
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        tsquery = f"websearch_to_tsquery('{PG_CONFIG}'::regconfig, %s)"
        sql = f"SELECT id FROM {ARTICLE_TABLE} WHERE {PG_VECTOR_COLUMN} @@ {tsquery}"
        return queryset.filter(pk__in=RawSQL(sql, [text]))
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
    return queryset.filter(pk__in=RawSQL(sql, [fts5_query(text)]))


def _search_sqlite(queryset, text: str):
    # Both filters on purpose. The id list lets SQLite start from the index's matches; the join gives
    # bm25() and snippet() their FTS5 row. With the join alone, SQLite may walk the briefs and re-run
    # the MATCH for each one, and bm25() recounts its statistics every time: quadratic in the matches.
    document = F("search_entry__document")
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    return (
        matching(queryset, text)
        .filter(search_entry__document__match=fts5_query(text))
        .annotate(
            # bm25 is lower-is-better; negate it so every backend sorts the same way.
            search_rank=Func(document, template=f"-bm25(%(expressions)s, {weights})", output_field=models.FloatField()),
            search_snippet=Func(
                document,
                template=f"snippet(%(expressions)s, -1, char({ord(MARK_START)}), char({ord(MARK_END)}), '…', "
                f"{SNIPPET_WORDS})",
                output_field=SnippetField(),
            ),
        )
    )


def _search_postgresql(queryset, text: str):
    tsquery = f"websearch_to_tsquery('{PG_CONFIG}'::regconfig, %s)"
    headline_options = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    row = f"FROM {ARTICLE_TABLE} AS search_row WHERE search_row.id = {{pk}}"
    return matching(queryset, text).annotate(
        search_rank=_PerArticleSql(
            f"SELECT ts_rank(search_row.{PG_VECTOR_COLUMN}, {tsquery})::float8 {row}",
            [positive_query(text)],
            models.FloatField(),
        ),
        search_snippet=_PerArticleSql(
            f"SELECT ts_headline('{PG_CONFIG}'::regconfig, concat_ws(' … ', search_row.summary, "
            f"search_row.takeaway, {PG_INSIGHTS_TEXT}, search_row.content_text), {tsquery}, %s) {row}",
            [text, headline_options],
            SnippetField(),
        ),
    )
