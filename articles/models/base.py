"""Helpers every model module shares: slugs, ordered text lists, timestamps, addresses by slug."""

import datetime
import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import fields
from django.db.models.constants import OnConflict
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.text import slugify

SLUG_MAX_LENGTH = 200


def validate_text_list(value):
    """An ordered list (insights, principles, in practice) is a JSON list of non-empty strings."""
    if not isinstance(value, list):
        raise ValidationError("Expected a list of items, one per line.")
    for position, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(f"Item {position} is empty; remove it or write it out.")


def _slug_base(text: str, max_length: int) -> str:
    return slugify(text)[: max_length - 6].strip("-") or "untitled"


def _first_free(base: str, taken: set[str]) -> str:
    candidate, counter = base, 2
    while candidate in taken:
        candidate = f"{base}-{counter}"
        counter += 1
    return candidate


def unique_slug(
    model, text: str, *, exclude_pk=None, max_length: int = SLUG_MAX_LENGTH, also_taken: set[str] = frozenset()
) -> str:
    """A slug from `text` not yet used by `model`: "title", then "title-2", "title-3" …

    `also_taken`: slugs given to rows not written yet (a drafting turn's pieces)."""
    base = _slug_base(text, max_length)
    taken = set(model.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    return _first_free(base, taken | also_taken)


def unique_slugs(model, texts: list[str], *, max_length: int = SLUG_MAX_LENGTH) -> list[str]:
    """`unique_slug` for many new rows in one query: slugs free in `model` and distinct from each other."""
    bases = [_slug_base(text, max_length) for text in texts]
    if not bases:
        return []
    taken = _slugs_starting_with(model, sorted(set(bases)))
    slugs = []
    for base in bases:
        slug = _first_free(base, taken)
        taken.add(slug)
        slugs.append(slug)
    return slugs


def _slugs_starting_with(model, prefixes: list[str], *, using: str | None = None) -> set[str]:
    """The slugs of `model` starting with any of `prefixes` (exactly: "_" and "%" are no wildcards), in one
    query written here because the ORM took longer to compile a batch's hundred lookups than the database took
    to answer them (cProfile of `ingest --all`).

    PostgreSQL reads an OR of `LIKE 'prefix%'` through the slug's pattern index. SQLite cannot use an index
    for its LIKE (case-insensitive, with an ESCAPE clause), so every batch read every brief's slug, a cost
    that grew with the library; there each prefix is a range of the slug's index instead: from the prefix
    itself to the prefix followed by the highest character. Which slugs are free is then decided by exact
    comparison (`_first_free`), so LIKE's case-insensitivity never changed a slug given."""
    connection = connections[using or router.db_for_read(model)]
    quote = connection.ops.quote_name
    field = model._meta.get_field("slug")
    column = f"{quote(model._meta.db_table)}.{quote(field.column)}"
    if connection.vendor == "sqlite":
        test = f"({column} >= %s AND {column} < %s)"
        params = [bound for prefix in prefixes for bound in (prefix, f"{prefix}\U0010ffff")]
    else:
        test = f"{connection.ops.lookup_cast('startswith', field.get_internal_type()) % column} "
        test += connection.operators["startswith"]
        params = [f"{connection.ops.prep_for_like_query(prefix)}%" for prefix in prefixes]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {quote(model._meta.db_table)} WHERE {' OR '.join([test] * len(prefixes))}", params
        )
        return {slug for (slug,) in cursor.fetchall()}


def insert_values(model, names: list[str], rows, *, ignore_conflicts: bool = False, using: str | None = None) -> None:
    """Insert `rows` (tuples of values ready for the database, in the order of the fields `names`) into `model`'s
    table: one INSERT sent with each row's values (`executemany`), no ids read back.

    `bulk_create` compiles one statement holding every value of every row, which cost more CPU than
    the database spent storing them (a drafting turn's story keys and suggestions: bench/REPORT.md,
    "Seventh pass"). `ignore_conflicts` skips the rows a unique constraint refuses, as bulk_create's.
    """
    if not rows:
        return
    connection = connections[using or router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    sql = (
        f"{connection.ops.insert_statement(on_conflict=on_conflict)} {quote(model._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) VALUES ({', '.join(['%s'] * len(fields))}) "
        f"{connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None)}"
    ).rstrip()
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def insert_objects(objects: list, *, using: str | None = None) -> None:
    """`bulk_create(objects)` for new rows whose ids the caller does not need (`insert_values`): defaults and
    auto_now_add dates filled, related objects' ids taken, as bulk_create does."""
    if not objects:
        return
    model = type(objects[0])
    connection = connections[using or router.db_for_write(model)]
    fields = [field for field in model._meta.local_concrete_fields if not field.primary_key]
    rows = _prepared_rows(objects, fields, connection)
    insert_values(model, [field.name for field in fields], rows, using=connection.alias)


def insert_returning_ids(objects: list, *, using: str | None = None) -> None:
    """`bulk_create(objects)` for new rows whose ids the caller needs: the objects are given their ids, in order.

    On SQLite, one `INSERT … VALUES (…), (…) RETURNING id` a batch, written here from the models'
    metadata with the values `insert_objects` prepares: bulk_create compiled each value of each row
    (a drafting turn's history records: bench/REPORT.md, "Eighth pass"). The rows, their order and so
    their ids are bulk_create's. On PostgreSQL bulk_create sends one array a column (UNNEST), which
    measured faster than this form's thousands of parameters, so it is kept there, as it is on a
    database that cannot return a bulk insert's rows.
    """
    if not objects:
        return
    model = type(objects[0])
    connection = connections[using or router.db_for_write(model)]
    if connection.vendor != "sqlite" or not connection.features.can_return_rows_from_bulk_insert:
        model.objects.using(connection.alias).bulk_create(objects)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [field for field in meta.local_concrete_fields if not field.primary_key]
    rows = _prepared_rows(objects, fields, connection)
    row_sql = f"({', '.join(['%s'] * len(fields))})"
    batch = max(1, connection.ops.bulk_batch_size(fields, objects))
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) VALUES "
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch):
            chunk = rows[start : start + batch]
            cursor.execute(
                f"{head}{', '.join([row_sql] * len(chunk))} RETURNING {quote(meta.pk.column)}",
                [value for row in chunk for value in row],
            )
            for obj, (pk,) in zip(objects[start : start + batch], cursor.fetchall(), strict=True):
                setattr(obj, meta.pk.attname, pk)


def _prepared_rows(objects: list, fields: list, connection) -> list[list]:
    """Each object's values of `fields` as bulk_create sends them (`pre_save` for an insert, then `get_db_prep_save`),
    its related objects' ids taken and its state marked saved, as bulk_create does. A value of a type those steps
    are known to give back unchanged is taken as it is (`_sent_as_is`); a date and time the database's own adapter
    (`adapt_datetimefield_value`) is all those steps apply to, once a value (`_adapted_as_datetime`)."""
    plan = _plan(fields, connection)
    adapted: dict = {}  # (a date and time, its zone, its fold) -> what the database's adapter gave for it
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    for obj in objects:
        # A no-op unless the object holds a related object (None counts as none): Django's loop over every field
        # only looks at those (bench/REPORT.md, "Ninth pass").
        if any(related is not None for related in obj._state.fields_cache.values()):
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
        values = obj.__dict__
        row = []
        for field, attname, as_is, as_datetime in plan:
            value = values.get(attname, _MISSING)
            kind = type(value)
            if kind in as_is:
                row.append(value)
            elif as_datetime and (value is None or (kind is datetime.datetime and value.utcoffset() is not None)):
                key = (value, value.tzinfo, value.fold) if value is not None else None
                if key not in adapted:
                    adapted[key] = adapt(value)
                row.append(adapted[key])
            else:
                row.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
        rows.append(row)
        obj._state.adding, obj._state.db = False, connection.alias
    return rows


_MISSING = object()  # a deferred field: read through `pre_save`


def _plan(fields: list, connection) -> list[tuple]:
    """(field, attribute, the types sent as they are, whether an aware datetime goes to the adapter) of each field."""
    operations = type(connection.ops)
    return [
        (field, field.attname, _sent_as_is(field, operations), _adapted_as_datetime(field, operations))
        for field in fields
    ]


def update_values(fields: list, connection):
    """A function of an object giving its values of `fields` as an UPDATE sends them (`get_db_prep_save` of each
    attribute), with `_prepared_rows`' shortcuts: a value of a type the field gives back unchanged is taken as it is,
    an aware date and time (or None) in a date-and-time column goes to the database's adapter only."""
    operations = type(connection.ops)
    plan = [
        (field, field.attname, _sent_as_is(field, operations), _adapted_as_datetime(field, operations))
        for field in fields
    ]
    adapt = connection.ops.adapt_datetimefield_value

    def values(obj) -> list:
        row = []
        for field, attname, as_is, as_datetime in plan:
            value = getattr(obj, attname)
            kind = type(value)
            if kind in as_is:
                row.append(value)
            elif as_datetime and (value is None or (kind is datetime.datetime and value.utcoffset() is not None)):
                row.append(adapt(value))
            else:
                row.append(field.get_db_prep_save(value, connection))
        return row

    return values


@functools.cache
def _sent_as_is(field, operations_class) -> frozenset:
    """The exact types whose values `field.get_db_prep_save(field.pre_save(obj, True), connection)` gives back
    unchanged on a database with these operations, known from the methods the field's class uses (Django's own,
    not overridden): `pre_save` reads the attribute; a text column sends a str or None as it is (`to_python`); an
    integer column None, and an int where the database's `adapt_integerfield_value` keeps it (SQLite; psycopg 3
    wraps it); a float column a float or None; a foreign key None, and an int when its target is an auto id that
    the database's `validate_autopk_value` keeps. Anything else goes through the field's methods."""
    kind = type(field)
    none = type(None)
    if kind.pre_save is not models.Field.pre_save:
        return frozenset()
    if kind.get_db_prep_save is models.ForeignKey.get_db_prep_save:
        target = field.target_field
        target_sends_int = (
            isinstance(target, fields.AutoFieldMixin)
            and type(target).get_db_prep_save is models.Field.get_db_prep_save
            and type(target).get_db_prep_value is fields.AutoFieldMixin.get_db_prep_value
            and type(target).get_prep_value is fields.IntegerField.get_prep_value
            and operations_class.validate_autopk_value is BaseDatabaseOperations.validate_autopk_value
        )
        return frozenset({none, int} if target_sends_int else {none})
    if kind.get_db_prep_save is not models.Field.get_db_prep_save:
        return frozenset()
    prep = (kind.get_db_prep_value, kind.get_prep_value)
    if prep == (models.Field.get_db_prep_value, fields.CharField.get_prep_value):
        return frozenset({none, str} if kind.to_python is fields.CharField.to_python else ())
    if prep == (models.Field.get_db_prep_value, fields.TextField.get_prep_value):
        return frozenset({none, str} if kind.to_python is fields.TextField.to_python else ())
    if prep == (models.Field.get_db_prep_value, fields.FloatField.get_prep_value):
        return frozenset({none, float})
    if prep == (fields.IntegerField.get_db_prep_value, fields.IntegerField.get_prep_value):
        keeps = operations_class.adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value
        return frozenset({none, int} if keeps else {none})
    return frozenset()


@functools.cache
def _adapted_as_datetime(field, operations_class) -> bool:  # (the operations class: a key of the cache only)
    """Whether `field.get_db_prep_save(field.pre_save(obj, True), connection)` is the database's
    `adapt_datetimefield_value` of the attribute for an aware datetime or None: a date-and-time column whose class
    uses Django's own methods (`pre_save` reads the attribute unless the field stamps the time itself; `to_python`
    and `get_prep_value` give an aware datetime back as it is) and the operations' own adapter. A naive datetime (a
    warning, then made aware) and anything else go through the field."""
    kind = type(field)
    return (
        isinstance(field, models.DateTimeField)
        and not (field.auto_now or field.auto_now_add)
        and kind.pre_save is models.DateTimeField.pre_save
        and kind.get_db_prep_save is models.Field.get_db_prep_save
        and kind.get_db_prep_value is models.DateTimeField.get_db_prep_value
        and kind.get_prep_value is models.DateTimeField.get_prep_value
        and kind.to_python is models.DateTimeField.to_python
    )


class TimeStamped(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


@functools.cache
def _kept_reverse(view_name: str, script_prefix: str, urlconf: str, slug: str | None) -> str:
    return reverse(view_name, urlconf=urlconf, kwargs={"slug": slug} if slug is not None else None)


_SLUG_MARK = "slug-goes-here"


@functools.cache
def _kept_slug_parts(view_name: str, script_prefix: str, urlconf: str) -> tuple[str, str]:
    head, _, tail = _kept_reverse(view_name, script_prefix, urlconf, _SLUG_MARK).partition(_SLUG_MARK)
    return head, tail


def _slug_parts(view_name: str) -> tuple[str, str]:
    """The address of `view_name` before and after its slug, for the current script prefix and URLconf."""
    return _kept_slug_parts(view_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def slug_url(view_name: str, slug: str) -> str:
    """reverse(view_name, kwargs={"slug": slug}), resolved once per view name and script prefix.

    A list page makes hundreds of brief addresses; reverse() walks the URLconf each time. Slugs
    are ASCII letters, digits, "-" and "_" (the URL patterns allow nothing else), so no escaping differs.
    """
    head, tail = _slug_parts(view_name)
    return f"{head}{slug}{tail}"


def slug_urls(view_name: str):
    """`slug_url` for many slugs of one view: a function of the slug. The URLconf and script prefix are read once
    (each a context-local look-up; the two cost about as much as the rest of `slug_url`), not once an address:
    for an index page's hundred entries."""
    head, tail = _slug_parts(view_name)
    return lambda slug: f"{head}{slug}{tail}"


def address(view_name: str) -> str:
    """reverse(view_name) for an address without arguments, resolved once per view name and script prefix (each
    page's header, footer, feed links and breadcrumbs name the same few; `{% site_url %}` in templates)."""
    return _kept_reverse(view_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, None)
