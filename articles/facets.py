"""Facet counts of published briefs: kept in step with every change, read in one query.

A published brief counts under a set of facet values ("role:3", "area:1", "level:advanced" …).
It adds one to the count of each of its values in the whole library, one to each scope total
it belongs to, and one to every (scope value, facet value) pair it carries, so that a listing
fixed to one scope (a role, a topic …) or narrowed by one filter reads its counts instead of
counting. `refresh(article)` replaces a brief's old contribution with its current one, inside
the caller's transaction; `rebuild()` recounts everything (after bulk inserts or a restore).

Safe to run twice: a refresh that finds nothing changed writes nothing; increments commute,
and the brief's row is locked so two refreshes of one brief never interleave.
"""

from collections import Counter
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models import CharField, Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast, Coalesce

from articles.models import Article, FacetCount, FacetSnapshot, Field, Status

FACET_NAMES = ("role", "area", "field", "topic", "source", "level", "length")
Key = tuple[str, str, str, str]  # scope, scope value, facet, value
TOTAL: Key = ("", "", "", "")


def values_of(article: Article) -> set[str]:
    """The "facet:value" strings `article` counts under now; none unless it is published."""
    if article.pk is None or article.status != Status.PUBLISHED:
        return set()
    values = {f"role:{pk}" for pk in article.roles.values_list("pk", flat=True)}
    values |= {f"topic:{pk}" for pk in article.topics.values_list("pk", flat=True)}
    for pk, parent_id in article.fields.values_list("pk", "parent_id"):
        values.add(f"area:{parent_id or pk}")
        if parent_id:
            values.add(f"field:{pk}")
    values.add(f"source:{article.source_id}")
    values |= {f"{name}:{choice}" for name, choice in (("level", article.level), ("length", article.length)) if choice}
    return values


def keys_of(values: Iterable[str]) -> set[Key]:
    """Every count a brief with `values` adds one to."""
    pairs = [tuple(value.split(":", 1)) for value in values]
    if not pairs:
        return set()
    keys = {TOTAL}
    for facet, value in pairs:
        keys.add(("", "", facet, value))
        keys.add((facet, value, "", ""))
        for other_facet, other_value in pairs:
            keys.add((facet, value, other_facet, other_value))
    return keys


def refresh(article: Article) -> bool:
    """Bring the counts in step with `article` as stored; True when anything changed."""
    using = article._state.db or DEFAULT_DB_ALIAS
    with transaction.atomic(using=using):
        rows = Article.objects.using(using).select_for_update().filter(pk=article.pk).values_list("facet_values")
        in_row = next(iter(rows), (None,))[0]
        snapshot = FacetSnapshot.objects.using(using).filter(article_id=article.pk).first()
        old = set(snapshot.values) if snapshot else set()
        new = values_of(article)
        # The row's copy is compared on its own: a save of the whole brief from an object read before the
        # last refresh writes that object's older copy back, and the refresh that follows the save mends it.
        if in_row is not None and sorted(in_row) != sorted(new):
            Article.objects.using(using).filter(pk=article.pk).update(facet_values=sorted(new))
        article.facet_values = sorted(new)
        if old == new:
            return False
        old_keys, new_keys = keys_of(old), keys_of(new)
        _add(dict.fromkeys(new_keys - old_keys, 1), using=using)
        _add(dict.fromkeys(old_keys - new_keys, -1), using=using)
        if new:
            FacetSnapshot.objects.using(using).update_or_create(article_id=article.pk, defaults={"values": sorted(new)})
        elif snapshot:
            snapshot.delete()
        return True


def forget(article: Article) -> None:
    """Take a brief that is about to be deleted out of the counts."""
    using = article._state.db or DEFAULT_DB_ALIAS
    with transaction.atomic(using=using):
        snapshot = FacetSnapshot.objects.using(using).filter(article_id=article.pk).first()
        if snapshot:
            _add(dict.fromkeys(keys_of(snapshot.values), -1), using=using)
            snapshot.delete()


def rebuild(*, apps=None) -> int:
    """Recount every published brief from scratch; returns how many were counted.

    `apps` is a migration's app registry, so the migration that made the tables can fill them.
    """

    def models(name):
        if apps is not None:
            return apps.get_model("articles", name)
        return {"Article": Article, "Field": Field, "FacetCount": FacetCount, "FacetSnapshot": FacetSnapshot}[name]

    article_model, field_model = models("Article"), models("Field")
    count_model, snapshot_model = models("FacetCount"), models("FacetSnapshot")
    values: dict[int, set[str]] = {}
    published = article_model.objects.filter(status=Status.PUBLISHED)
    for pk, source_id, level, length in published.values_list("pk", "source_id", "level", "length").iterator(
        chunk_size=5000
    ):
        values[pk] = {f"source:{source_id}"} | {f"{n}:{c}" for n, c in (("level", level), ("length", length)) if c}
    through_rows = (
        ("role", article_model.roles.through.objects.values_list("article_id", "role_id")),
        ("topic", article_model.topics.through.objects.values_list("article_id", "topic_id")),
    )
    for facet, rows in through_rows:
        for article_id, value_id in rows.iterator(chunk_size=20000):
            if article_id in values:
                values[article_id].add(f"{facet}:{value_id}")
    parents = dict(field_model.objects.values_list("pk", "parent_id"))
    field_rows = article_model.fields.through.objects.values_list("article_id", "field_id")
    for article_id, field_id in field_rows.iterator(chunk_size=20000):
        if article_id in values:
            parent_id = parents.get(field_id)
            values[article_id].add(f"area:{parent_id or field_id}")
            if parent_id:
                values[article_id].add(f"field:{field_id}")
    counts: Counter = Counter()
    for brief_values in values.values():
        counts.update(keys_of(brief_values))
    with transaction.atomic():
        count_model.objects.all().delete()
        snapshot_model.objects.all().delete()
        count_model.objects.bulk_create(
            (count_model(scope=k[0], scope_value=k[1], facet=k[2], value=k[3], count=n) for k, n in counts.items()),
            batch_size=5000,
        )
        snapshot_model.objects.bulk_create(
            (snapshot_model(article_id=pk, values=sorted(v)) for pk, v in values.items()), batch_size=5000
        )
        if any(field.name == "facet_values" for field in article_model._meta.get_fields()):
            copy_to_rows(connections[router.db_for_write(article_model)])
    return len(values)


def copy_to_rows(connection) -> None:
    """Write every brief's kept values (its snapshot, or none) into its row, changing only the rows that differ.

    The rows search reads (`Article.facet_values`) then hold what the counts hold. One statement; the
    search vector's trigger keeps each vector, since no text changes.
    """
    article_table = connection.ops.quote_name(Article._meta.db_table)
    snapshot_table = connection.ops.quote_name(FacetSnapshot._meta.db_table)
    values = connection.ops.quote_name("values")
    if connection.vendor == "postgresql":
        kept = (
            f"COALESCE((SELECT ARRAY(SELECT jsonb_array_elements_text(s.{values})) FROM {snapshot_table} s "
            f"WHERE s.article_id = {article_table}.id), '{{}}'::text[])"
        )
    else:
        kept = f"COALESCE((SELECT s.{values} FROM {snapshot_table} s WHERE s.article_id = {article_table}.id), '[]')"
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {article_table} SET facet_values = {kept} WHERE facet_values {differs} {kept}")


def read(scopes: Iterable[tuple[str, str]], *, only: Iterable[str] = ()) -> dict[tuple[str, str], dict[str, Counter]]:
    """For each (scope, scope value), {facet: Counter(value → count)}, with the total under facet "";
    `only`: these facets alone (a library's sources are a thousand rows a page that shows none need not read)."""
    scopes, only = set(scopes), list(only)
    if not scopes:
        return {}
    condition = Q()
    for scope, scope_value in sorted(scopes):
        condition |= Q(scope=scope, scope_value=scope_value)
    result: dict[tuple[str, str], dict[str, Counter]] = {scope: {} for scope in scopes}
    rows = FacetCount.objects.filter(condition, count__gt=0)
    if only:
        rows = rows.filter(facet__in=only)
    for scope, scope_value, facet, value, count in rows.values_list("scope", "scope_value", "facet", "value", "count"):
        result[(scope, scope_value)].setdefault(facet, Counter())[value] = count
    return result


def counts_by_pk(*facets: str) -> dict[str, dict[int, int]]:
    """For each of `facets` whose values are rows ("area", "field", "role" …), the whole library's published
    briefs per row id, in one query: a few rows per value, where counting the briefs themselves reads every
    link of the library. An area counts each of its briefs once, whether it links the area or its subfields."""
    result = {facet: {} for facet in facets}
    rows = FacetCount.objects.filter(scope="", scope_value="", facet__in=facets, count__gt=0)
    for facet, value, count in rows.values_list("facet", "value", "count"):
        result[facet][int(value)] = count
    return result


def _kept_row(facet: str):
    """The kept count of the whole library under the outer row's own value of `facet`."""
    return FacetCount.objects.filter(scope="", scope_value="", facet=facet, value=Cast(OuterRef("pk"), CharField()))


def kept_count(facet: str):
    """An annotation: the whole library's published briefs under the row's own value of `facet` (a role,
    topic or source row), read from the kept counts by one index probe (0 when it has none)."""
    return Coalesce(Subquery(_kept_row(facet).values("count")[:1]), 0)


def has_kept_count(facet: str):
    """A filter: the whole library has a published brief under the row's own value of `facet`. An `EXISTS`,
    so the database may walk the rows in the order asked for and probe each one's count (a page of the
    first rows by name), or read the counts first when few values have one."""
    return Exists(_kept_row(facet).filter(count__gt=0))


def library_sizes(*only: str) -> dict[str, tuple[int, int]]:
    """For each facet of the whole library (or `only` those), (values with published briefs, their count
    summed), in one query.

    The total of published briefs is under facet "" (one value). A few rows whatever the size of
    the library: the sitemap index needs only how many listings there are, not which.
    """
    rows = FacetCount.objects.filter(scope="", scope_value="", count__gt=0)
    if only:
        rows = rows.filter(facet__in=only)
    rows = (
        rows.order_by()
        .values("facet")
        .annotate(values=Count("value"), briefs=Sum("count"))
        .values_list("facet", "values", "briefs")
    )
    return {facet: (values, briefs) for facet, values, briefs in rows}


def _add(deltas: dict[Key, int], *, using: str) -> None:
    """Add each delta to its count, creating missing rows; keys in one order so writers never deadlock."""
    items = sorted((key, delta) for key, delta in deltas.items() if delta)
    connection = connections[using]
    table = connection.ops.quote_name(FacetCount._meta.db_table)
    # One upsert statement per chunk: "INSERT … ON CONFLICT DO UPDATE" reads the same on
    # SQLite and PostgreSQL; the ORM cannot say "count = count + excluded.count".
    for start in range(0, len(items), 200):
        chunk = items[start : start + 200]
        rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
        params = [part for key, delta in chunk for part in (*key, delta)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (scope, scope_value, facet, value, count) VALUES {rows} "
                "ON CONFLICT (scope, scope_value, facet, value) "
                f"DO UPDATE SET count = {table}.count + excluded.count",
                params,
            )
