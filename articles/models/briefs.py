"""The brief (Article), its statuses and depth, the work queue proxy and related links.

Reads that carry meaning are QuerySet methods (`Article.objects.published()`); writes
that carry rules live in `workflow.py`, `ingest/` and `enrich/`.
"""

import contextlib
import functools

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Value
from django.utils import timezone
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords
from simple_history.signals import (
    post_create_historical_m2m_records,
    post_create_historical_record,
    pre_create_historical_m2m_records,
    pre_create_historical_record,
)

from .base import SLUG_MAX_LENGTH, TimeStamped, insert_returning_ids, slug_url, unique_slug, validate_text_list
from .facets import FacetValuesField
from .taxonomy import Field, Role, Topic


class Status(models.TextChoices):
    INGESTED = "ingested", "Ingested"
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    ARCHIVED = "archived", "Archived"


class Level(models.TextChoices):
    INTRODUCTORY = "introductory", "Introductory"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"
    EXPERT = "expert", "Expert"


class Length(models.TextChoices):
    SHORT = "short", "short"
    MEDIUM = "medium", "medium"
    LONG = "long", "long"


QUEUE_STATUSES = (Status.DRAFT, Status.IN_REVIEW)


def length_for_minutes(minutes: int | None) -> str:
    """Short, medium or long from reading time; the thresholds are settings."""
    if not minutes:
        return ""
    if minutes >= settings.READING_MINUTES_LONG:
        return Length.LONG
    if minutes >= settings.READING_MINUTES_MEDIUM:
        return Length.MEDIUM
    return Length.SHORT


def holds_facet_value(value: str, *, common: bool = False) -> Q:
    """The test of `ArticleQuerySet.with_facet_value`, as a condition a query can also select."""
    return Q(facet_values__holds=value) if common else Q(facet_values__has=value)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user):
        """Staff preview everything; everyone else sees published briefs only."""
        if user is not None and user.is_active and user.is_staff:
            return self
        return self.published()

    def in_queue(self):
        """What needs a curator now: drafts and briefs in review, oldest first."""
        return self.filter(status__in=QUEUE_STATUSES).order_by("created_at", "pk")

    def for_role(self, role):
        return self.filter(roles=role)

    def for_field(self, field):
        """A subfield's briefs; for an area, the briefs of the area or any of its subfields."""
        if field.parent_id:
            return self.filter(fields=field)
        # A semi-join, not a join made distinct: DISTINCT compared every column of every row, full text
        # and search vector included (an area's feed took 100 ms at 100,000 briefs).
        in_area = field.__class__.objects.filter(Q(pk=field.pk) | Q(parent=field)).values("pk")
        links = self.model.fields.through.objects.filter(article_id=OuterRef("pk"), field_id__in=in_area)
        return self.filter(Exists(links))

    def for_topic(self, topic):
        return self.filter(topics=topic)

    def with_facet_value(self, value: str, *, common: bool = False):
        """Published briefs whose kept facet values include `value` ("role:3", "area:1", "field:2", "topic:12"),
        see `Article.facet_values`. `common`: many briefs hold it, so it is always tested in the row, never
        looked up in the index (see `HoldsFacetValue`)."""
        return self.filter(holds_facet_value(value, common=common))

    def for_source(self, source):
        return self.filter(source=source)

    def latest_first(self):
        """Published briefs, newest first, in the order of the partial index article_published_latest_idx,
        so a listing reads its page from the index instead of sorting every row. (Only published briefs
        are sure to have a date; `.published().latest_first()` is how readers' lists use it.)"""
        return self.order_by("-published_at", "-pk")

    def holding_latest_first(self, value: str):
        """`latest_first()`, of the briefs that hold the kept value `value` (a role, area, subfield or topic:
        "role:3"): on PostgreSQL read through that value's own rows in `DatedFacetValue`, newest first, so that
        finding the newest few that also match a search walks that value's briefs and not every brief. The value
        is not tested in the brief's row here (`with_facet_value` does). Elsewhere,
        `with_facet_value(value).latest_first()`."""
        if connections[self.db].vendor != "postgresql":
            return self.with_facet_value(value).latest_first()
        walked = self.filter(dated_values__value=value)
        return walked.order_by("-dated_values__published_at", "-dated_values__article_id")

    def first_for_roles(self, role_slugs):
        """Newest first, but briefs best for any of `role_slugs` before the rest (marked `for_reader`)."""
        if not role_slugs:
            return self.latest_first()
        return self.order_by("-published_at", "-pk").roles_first(role_slugs)

    def roles_first(self, role_slugs):
        """Briefs best for any of `role_slugs` before the rest (marked `for_reader`), each part in the
        order the queryset already has (search keeps its ranking within each)."""
        if not role_slugs:
            return self
        return self.marked_for_roles(role_slugs).order_by(F("for_reader").desc(), *self.query.order_by)

    def marked_for_roles(self, role_slugs):
        """Annotated `for_reader`: whether the brief is best for any of `role_slugs` (False for none)."""
        if not role_slugs:
            return self.annotate(for_reader=Value(False))
        best_for = Article.roles.through.objects.filter(article_id=OuterRef("pk"), role__slug__in=list(role_slugs))
        return self.annotate(for_reader=Exists(best_for))

    def with_taxonomy(self):
        """Everything a card or a brief page shows, in a constant number of queries."""
        return self.select_related("source").prefetch_related(
            Prefetch("fields", queryset=Field.objects.select_related("parent")),
            "topics",
            "roles",
        )


def taxonomy_table(name: str) -> tuple[str, str, str, str]:
    """(table, id column, brief column, entry column) of the links of briefs to one taxonomy list ("fields" …),
    for the few reads written in SQL (each of its rows is a distinct brief and entry)."""
    field = Article._meta.get_field(name)
    through = field.remote_field.through._meta
    brief = through.get_field(field.m2m_field_name()).column
    return through.db_table, through.pk.column, brief, through.get_field(field.m2m_reverse_field_name()).column


def taxonomy_links(article_ids, *, using: str | None = None) -> list[tuple[str, int, int, int]]:
    """(list, link id, brief id, entry id) of every link of the briefs to their fields, topics and roles: one query.

    Drafting reads this for every history record and every draft. Its SQL is written once from
    the models' metadata: building the same three-part union with the ORM took longer than
    running it (cProfile of `enrich --ingested`: 3.8 s of 7.7 s).
    """
    ids = list(article_ids)
    if not ids:
        return []
    connection = connections[using or router.db_for_read(Article)]
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(ids))
    parts, params = [], []
    for name in ("fields", "topics", "roles"):
        table, pk, brief, entry = taxonomy_table(name)
        parts.append(
            f"SELECT '{name}', {quote(pk)}, {quote(brief)}, {quote(entry)} FROM {quote(table)} "
            f"WHERE {quote(brief)} IN ({marks})"
        )
        params += ids
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [tuple(row) for row in cursor.fetchall()]


def insert_briefs(articles, *, using: str | None = None) -> None:
    """Insert new briefs in one statement and give them their ids, as `bulk_create` does, but
    without naming the search vector (the trigger in search_index.py writes it either way).

    On PostgreSQL Django inserts many rows as one UNNEST of an array per column (one parameter
    per column for the whole batch, not one per value) when every column has a standard type;
    the tsvector column alone kept `bulk_create` on the VALUES form, whose thousands of
    placeholders the driver parses for every batch (cProfile of `ingest --all`). On SQLite,
    `insert_returning_ids`: bulk_create's statements and ids, its values prepared with fewer steps.
    """
    if not articles:
        return
    db = using or router.db_for_write(Article)
    if connections[db].vendor != "postgresql":
        insert_returning_ids(articles, using=db)
        return
    returning = Article._meta.db_returning_fields
    rows = Article.objects.using(db)._insert(articles, fields=_inserted_fields(), returning_fields=returning, using=db)
    for article, row in zip(articles, rows, strict=True):
        for field, value in zip(returning, row, strict=True):
            setattr(article, field.attname, value)
        article._state.adding = False
        article._state.db = db


def record_first_history(articles, *, reason: str, using: str | None = None) -> None:
    """The "+" history record of briefs just inserted together, copied by the database in one statement.

    The same rows simple-history's `bulk_history_create` writes (every tracked column, the
    change reason, the default history user, one `history_date` for the batch, ids in the
    briefs' order), without compiling and sending each brief's values a second time: Django's
    bulk INSERT of the copies cost more than the briefs' own (cProfile of `ingest --all`).
    """
    if not articles or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    connection = connections[using or router.db_for_write(Article)]
    quote = connection.ops.quote_name
    insert, values, added = _first_history_sql(articles, reason=reason, connection=connection)
    ids = [article.pk for article in articles]
    with connection.cursor() as cursor:
        cursor.execute(
            f"{insert} SELECT {', '.join(quote(column) for column in values)}, {', '.join(['%s'] * len(added))} "
            f"FROM {quote(Article._meta.db_table)} "
            f"WHERE {quote(Article._meta.pk.column)} IN ({', '.join(['%s'] * len(ids))}) "
            f"ORDER BY {quote(Article._meta.pk.column)}",
            [*added, *ids],
        )


def _first_history_sql(articles, *, reason: str, connection) -> tuple[str, list[str], list]:
    """The "INSERT INTO <history> (<columns>)" of first history records, the brief columns its rows copy
    (in that order, followed by the date, reason, type and user), and those four values."""
    history = Article.history.model
    quote = connection.ops.quote_name
    copied = [(field.column, Article._meta.get_field(field.name).column) for field in history.tracked_fields]
    user = history.get_default_history_user(articles[0])
    added = {
        "history_date": connection.ops.adapt_datetimefield_value(timezone.now()),
        "history_change_reason": reason,
        "history_type": "+",
        "history_user": user.pk if user is not None else None,
    }
    columns = [column for column, _ in copied] + [history._meta.get_field(name).column for name in added]
    insert = f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(map(quote, columns))})"
    return insert, [source for _, source in copied], list(added.values())


def insert_briefs_with_history(articles, *, reason: str, using: str | None = None) -> None:
    """Insert new briefs with their first history records, all or none, and give the briefs their ids.

    On PostgreSQL one statement does both: the briefs' INSERT (as `insert_briefs` writes it) in a
    WITH clause, whose RETURNING rows are the history records' copies. One round trip where there
    were four (BEGIN, two INSERTs, COMMIT), and the rows just written are not read back. The search
    vector is the trigger's, in the same statement, so a brief is searchable the moment it is
    visible. Inside a caller's transaction a savepoint keeps a refused batch from spoiling it.
    Elsewhere (SQLite, history off): `insert_briefs` then `record_first_history`, in a transaction.
    """
    if not articles:
        return
    db = using or router.db_for_write(Article)
    connection = connections[db]
    if connection.vendor != "postgresql" or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        with transaction.atomic(using=db):
            insert_briefs(articles, using=db)
            record_first_history(articles, reason=reason, using=db)
        return
    from django.db.models.sql import InsertQuery

    meta = Article._meta
    quote = connection.ops.quote_name
    insert_history, copied, added = _first_history_sql(articles, reason=reason, connection=connection)
    query = InsertQuery(Article)
    query.insert_values(_inserted_fields(), articles)
    compiler = query.get_compiler(using=db)
    by_column = {field.column: field for field in meta.concrete_fields}
    compiler.returning_fields = [by_column[column] for column in copied]
    ((insert_briefs_sql, params),) = compiler.as_sql()
    pk, url = quote(meta.pk.column), quote(meta.get_field("original_url").column)
    sql = (
        f"WITH new AS ({insert_briefs_sql}), history AS ({insert_history} "
        f"SELECT {', '.join(quote(column) for column in copied)}, {', '.join(['%s'] * len(added))} "
        f"FROM new ORDER BY {pk}) "
        f"SELECT {pk}, {url} FROM new"
    )
    savepoint = transaction.atomic(using=db) if connection.in_atomic_block else contextlib.nullcontext()
    with savepoint, _binary_parameters_cursor(connection) as cursor:
        cursor.execute(sql.replace("%s", "%b"), [*params, *added])
        ids = {address: id_ for id_, address in cursor.fetchall()}
    for article in articles:
        article.pk = ids[article.original_url]
        article._state.adding = False
        article._state.db = db


def _binary_parameters_cursor(connection):
    """A cursor of `connection` (PostgreSQL) whose statements travel apart from their parameters,
    which a `%b` placeholder sends in binary; Django's own cursors put every value into the SQL text.

    For a batch of briefs that text is the whole batch's original texts, each escaped into an
    array literal by the driver in Python and parsed back by the server: 16 ms of the client's CPU
    per 100 briefs, against 2.6 ms in binary (and 62 → 43 ms for the statement). The cursor is
    wrapped as Django wraps its own, so query logging and execute wrappers still see it.
    """
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = ServerBindingCursor(connection.connection)
    return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)


def _inserted_fields():
    """The columns a new brief's INSERT names: not the search vector (the trigger writes it), nor the kept
    facet values (an array, which would also keep Django off UNNEST): new briefs are unpublished, and the
    column's database default (none) is what they hold."""
    meta = Article._meta
    unnamed = ("search_vector", "facet_values")
    return [field for field in meta.concrete_fields if field is not meta.auto_field and field.name not in unnamed]


class _BriefHistoryDescriptor(HistoryDescriptor):
    """`Article.history`, with its manager's class made once: simple-history makes the class again on
    every access (inspecting each QuerySet method, 0.6 ms), and writing a history record reads it."""

    def __get__(self, instance, owner):
        made = self.__dict__.get("_made_manager_class")
        if made is None:
            made = self._made_manager_class = self.manager_class.from_queryset(self.queryset_class)
        return made(self.model, instance)


@functools.cache
def _copied_in_order(model, tracked: tuple[str, ...]) -> tuple[str, ...] | None:
    """The attributes `tracked` (a record's copies of the brief's fields) in the order of the record model's first
    fields, when those hold exactly them (simple-history adds its own after them); else None."""
    leading = tuple(field.attname for field in model._meta.fields[: len(tracked)])
    return leading if sorted(leading) == sorted(tracked) else None


class BriefHistory(HistoricalRecords):
    """simple-history, with the taxonomy lists copied into each record in one read.

    For each taxonomy list the library reloads the brief (its excluded full text included) and
    reads the list's rows joined to the brief and the entry: six queries a record. Here the
    three lists' rows are read in one query of ids, and a brief inserted a moment ago (it has
    none yet) reads nothing. The records hold the same rows as the library's would. A caller that
    has just read the brief's links (drafting) may leave them on the instance it saves as
    `_known_taxonomy_links`; they are copied without reading them again.
    """

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        sender.history_recorder = self  # `Article.history_recorder.record_saves(…)`
        made = sender.__dict__.get(self.manager_name)
        if type(made) is HistoryDescriptor:
            kept = _BriefHistoryDescriptor(made.model, manager=made.manager_class, queryset=made.queryset_class)
            setattr(sender, self.manager_name, kept)

    def create_historical_record_m2ms(self, history_instance, instance):
        if history_instance.history_type == "+":
            return
        for field, copies in self._m2m_copies(history_instance, instance).items():
            history_model = self.m2m_models[field]
            pre_create_historical_m2m_records.send(
                sender=history_model, rows=copies, history_instance=history_instance, instance=instance, field=field
            )
            created = history_model.objects.bulk_create(copies)
            post_create_historical_m2m_records.send(
                sender=history_model,
                created_rows=created,
                history_instance=history_instance,
                instance=instance,
                field=field,
            )

    def _m2m_copies(self, history_instance, instance) -> dict:
        """{taxonomy list field: the record's copies of the brief's links to it}, not saved."""
        lists = history_instance._history_m2m_fields
        rows: dict[str, list[tuple[int, int]]] = {field.name: [] for field in lists}
        links = getattr(instance, "_known_taxonomy_links", None)
        if links is None:
            links = taxonomy_links([instance.pk], using=history_instance._state.db)
        for name, pk, _brief_id, entry_id in links:
            if name in rows:
                rows[name].append((pk, entry_id))
        copies = {}
        for field in lists:
            history_model = self.m2m_models[field]
            brief, entry = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            copies[field] = [
                history_model(history=history_instance, id=pk, **{brief: instance.pk, entry: entry_id})
                for pk, entry_id in sorted(rows[field.name])
            ]
        return copies

    def record_saves(self, saved, *, using: str | None = None) -> list:
        """The "~" records of briefs whose rows were just written together (a drafting turn), in a few statements.

        `saved` holds each brief as it was written, in order (a brief saved twice appears twice,
        each copy as it was then), with its change reason, user and `_known_taxonomy_links`, as
        `save()` would have recorded it. The same records and taxonomy rows as a save each, in the
        same order, and the same simple-history signals; the records are inserted as
        `bulk_create` inserts them (`insert_returning_ids`), with no pre_save or post_save for a record.
        """
        if not saved or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return []
        model = getattr(saved[0], self.manager_name).model
        copied = _copied_in_order(model, tuple(field.attname for field in self.fields_included(saved[0])))
        records = []
        for instance in saved:
            history_date = getattr(instance, "_history_date", timezone.now())
            history_user = self.get_history_user(instance)
            reason = self.get_change_reason_for_object(instance, "~", using)
            extra = {"history_relation": instance} if getattr(model, "history_relation", None) is not None else {}
            # The brief's values in the record's field order, given by position: Django's quicker path of a model's
            # __init__, the same attributes as given by name (~40 µs a record: bench/REPORT.md, "Ninth pass").
            if copied is not None:
                values = [getattr(instance, attname) for attname in copied]
            else:
                values = []
                extra |= {field.attname: getattr(instance, field.attname) for field in self.fields_included(instance)}
            record = model(
                *values,
                history_date=history_date,
                history_type="~",
                history_user=history_user,
                history_change_reason=reason,
                **extra,
            )
            pre_create_historical_record.send(
                sender=model,
                instance=instance,
                history_date=history_date,
                history_user=history_user,
                history_change_reason=reason,
                history_instance=record,
                using=using,
            )
            records.append(record)
        insert_returning_ids(records, using=using)  # the taxonomy rows below refer to the records' ids
        copies_of = [self._m2m_copies(record, instance) for record, instance in zip(records, saved, strict=True)]
        for field in records[0]._history_m2m_fields:
            history_model = self.m2m_models[field]
            for record, instance, copies in zip(records, saved, copies_of, strict=True):
                pre_create_historical_m2m_records.send(
                    sender=history_model, rows=copies[field], history_instance=record, instance=instance, field=field
                )
            insert_returning_ids([row for copies in copies_of for row in copies[field]], using=using)
            for record, instance, copies in zip(records, saved, copies_of, strict=True):
                post_create_historical_m2m_records.send(
                    sender=history_model,
                    created_rows=copies[field],
                    history_instance=record,
                    instance=instance,
                    field=field,
                )
        for record, instance in zip(records, saved, strict=True):
            post_create_historical_record.send(
                sender=model,
                instance=instance,
                history_instance=record,
                history_date=record.history_date,
                history_user=record.history_user,
                history_change_reason=record.history_change_reason,
                using=using,
            )
        return records


class Article(TimeStamped):
    """A brief: our editorial distillation of one original piece."""

    # Brief
    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        blank=True,
        help_text="The brief's address. Filled from the title; fixed once the brief has been published.",
    )
    summary = models.TextField(blank=True, help_text="One editorial paragraph: what the piece says and why it matters.")
    takeaway = models.TextField(
        "key takeaway",
        blank=True,
        help_text="What the roles under Best for should do or remember; address them directly.",
    )
    insights = models.JSONField(
        "key insights",
        default=list,
        blank=True,
        validators=[validate_text_list],
        help_text="One insight per line, most important first.",
    )
    principles = models.JSONField(
        default=list, blank=True, validators=[validate_text_list], help_text="One principle per line."
    )
    method = models.TextField(blank=True, help_text="How the work was done or how the technique works.")
    in_practice = models.JSONField(
        "in practice",
        default=list,
        blank=True,
        validators=[validate_text_list],
        help_text="One concrete application per line.",
    )

    # Taxonomy
    fields = models.ManyToManyField(Field, blank=True, related_name="articles")
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    roles = models.ManyToManyField(Role, blank=True, related_name="articles", verbose_name="best for")

    # Depth
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    length = models.CharField(
        max_length=10,
        choices=Length.choices,
        blank=True,
        help_text="Filled from the reading time when left empty.",
    )
    reading_minutes = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Of the original piece.")

    # Source & original
    source = models.ForeignKey("Source", on_delete=models.PROTECT, related_name="articles")
    original_url = models.URLField(
        "original address",
        max_length=2000,
        unique=True,
        help_text="Canonical address of the original piece (tracking parameters removed).",
    )
    guid = models.CharField(max_length=1000, blank=True, help_text="The item's id in its feed, when it has one.")
    author = models.CharField(max_length=300, blank=True)
    original_published_at = models.DateTimeField("originally published", null=True, blank=True)
    language = models.CharField(max_length=20, blank=True)
    content_html = models.TextField(
        blank=True, help_text="Sanitized text of the original, for search and enrichment; never shown as ours."
    )
    content_text = models.TextField(blank=True, help_text="Plain text of the original.")
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)

    # Workflow
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INGESTED)
    status_changed_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="First publication; kept when a brief is unpublished and published again."
    )
    curated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="curated_articles",
        help_text="The last person who moved the brief through the workflow.",
    )

    # Enrichment: the same story from other sources (see articles/enrich/clusters.py).
    story_cluster = models.ForeignKey(
        "StoryCluster",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name="story",
        help_text="Set by the machine when other sources carry the same story.",
    )

    # Enrichment: whether the piece's story keys are in the index (articles/enrich/clusters.py); the
    # partial index below finds the few that are not without reading the others.
    story_indexed = models.BooleanField(default=False, editable=False)

    # Search: the weighted words of the brief on PostgreSQL, kept up to date by a trigger (see
    # articles/search_index.py); always empty on SQLite, whose FTS5 table holds the index instead.
    search_vector = SearchVectorField(null=True, editable=False)
    # Search: the facet values a published brief is counted under ("role:3", "topic:12" …), the same as its
    # FacetSnapshot, written by articles/facets.py (empty until published). Search tests a filter and counts
    # the matches' facets in the rows it already reads; GIN-indexed on PostgreSQL (migration 0019).
    facet_values = FacetValuesField(default=list, db_default=[], editable=False)

    # Content is large and written by ingestion; history keeps the editorial fields.
    history = BriefHistory(
        excluded_fields=["content_html", "content_text", "search_vector", "facet_values", "story_indexed"],
        m2m_fields=[fields, topics, roles],
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = "brief"
        verbose_name_plural = "briefs"
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_published_idx"),
            models.Index(fields=["status", "created_at"], name="article_status_created_idx"),
            models.Index(fields=["source", "status"], name="article_source_status_idx"),
            models.Index(fields=["level", "length"], name="article_depth_idx"),
            models.Index(
                F("published_at").desc(),
                F("id").desc(),
                condition=Q(status="published"),
                name="article_published_latest_idx",
            ),
            # The API's `ordering=title` (and `-title`, read backwards): without it a page sorted every
            # published brief (1.5 s at 100,000).
            models.Index(fields=["title", "id"], condition=Q(status="published"), name="article_published_title_idx"),
            # The curation panel's list of every brief, in the model's order (the changelist adds the id): its
            # page read from here, not from a sort of every brief (1-2 s at 100,000).
            models.Index(fields=["-published_at", "-created_at", "-id"], name="article_admin_order_idx"),
            # The API's Last-Modified and the sitemaps' lastmod: the newest change, read from the index's end.
            models.Index(fields=["updated_at"], name="article_updated_idx"),
            models.Index(fields=["created_at"], condition=Q(story_indexed=False), name="article_story_unindexed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="article_status_valid"),
            models.CheckConstraint(condition=Q(level__in=["", *Level.values]), name="article_level_valid"),
            models.CheckConstraint(condition=Q(length__in=["", *Length.values]), name="article_length_valid"),
        ]
        permissions = [
            ("publish_article", "Can publish and unpublish briefs"),
            ("reject_article", "Can reject briefs"),
            ("archive_article", "Can archive and restore briefs"),
        ]

    def __str__(self):
        return self.title

    def fill_derived(self) -> None:
        """The length from the reading time when none was chosen (save() and bulk inserts call this)."""
        if not self.length and self.reading_minutes:
            self.length = length_for_minutes(self.reading_minutes)

    def save(self, *args, **kwargs):
        self.fill_derived()
        if self.slug:
            super().save(*args, **kwargs)
            return
        # Two workers can pick the same slug at once; the unique constraint decides and
        # the loser takes the next free one.
        for _attempt in range(5):
            self.slug = unique_slug(Article, self.title, exclude_pk=self.pk)
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                if Article.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
                    continue
                self.slug = ""
                raise
        raise IntegrityError(f"Could not find a free slug for {self.title!r}.")

    def get_absolute_url(self):
        return slug_url("articles:brief", self.slug)

    def clean(self):
        if self.pk and self.published_at:
            stored_slug = Article.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if stored_slug and self.slug != stored_slug:
                raise ValidationError({"slug": "This brief has been published; its address can no longer change."})

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def depth_label(self) -> str:
        """ "Advanced, medium" as the brief page shows it."""
        parts = [self.get_level_display(), self.length]
        return ", ".join(part for part in parts if part)

    def field_groups(self) -> list[tuple[Field, list[Field]]]:
        """[(area, [subfields])] in display order; uses the prefetched fields."""
        groups: dict[int, tuple[Field, list[Field]]] = {}
        for field in sorted(self.fields.all(), key=lambda f: (f.area.position, f.area.name, f.position, f.name)):
            area = field.area
            entry = groups.setdefault(area.pk, (area, []))
            if not field.is_area:
                entry[1].append(field)
        return list(groups.values())

    @property
    def field_label(self) -> str:
        """ "Area — sub, sub; Area2" as the brief page shows it."""
        return "; ".join(
            f"{area.name} — {', '.join(sub.name for sub in subs)}" if subs else area.name
            for area, subs in self.field_groups()
        )

    @property
    def attribution(self) -> str:
        return (
            f"Editorial summary, takeaway, and curation by {settings.SITE_NAME}. "
            f"Original article published by {self.source.name}."
        )


class WorkQueueItem(Article):
    """The curation queue in the admin: drafts and briefs in review, oldest first."""

    class Meta:
        proxy = True
        verbose_name = "work queue item"
        verbose_name_plural = "work queue"


# --- Related briefs ---------------------------------------------------------------------


class RelatedLinkQuerySet(models.QuerySet):
    def shown_for(self, article, *, limit: int = 5):
        """Links a reader sees on `article`: pinned first, then computed by score, published targets only."""
        return self.shown().filter(from_article=article)[:limit]

    def shown(self):
        """The links readers see, for every brief at once (e.g. a Prefetch sliced per brief)."""
        return (
            self.filter(to_article__status=Status.PUBLISHED)
            .exclude(kind=RelatedLink.Kind.EXCLUDED)
            .select_related("to_article", "to_article__source")
            .order_by("kind_rank", "position", "-score", "to_article__title")
        )


class RelatedLinkManager(models.Manager.from_queryset(RelatedLinkQuerySet)):
    def get_queryset(self):
        # Pinned links sort before computed ones whatever their score.
        return (
            super()
            .get_queryset()
            .annotate(
                kind_rank=models.Case(
                    models.When(kind="pinned", then=models.Value(0)),
                    default=models.Value(1),
                    output_field=models.IntegerField(),
                )
            )
        )


class RelatedLink(TimeStamped):
    """One brief related to another: computed with a score, or curated (pinned or excluded)."""

    class Kind(models.TextChoices):
        COMPUTED = "computed", "Computed"
        PINNED = "pinned", "Pinned by a curator"
        EXCLUDED = "excluded", "Excluded by a curator"

    from_article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    to_article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+", verbose_name="related brief")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMPUTED)
    score = models.FloatField(default=0.0, help_text="Similarity from 0 to 1; set by the machine for computed links.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order of pinned links.")

    objects = RelatedLinkManager()

    class Meta:
        ordering = ["from_article", "position", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["from_article", "to_article"], name="related_link_unique_pair"),
            models.CheckConstraint(condition=~Q(from_article=F("to_article")), name="related_link_not_self"),
        ]

    def __str__(self):
        return f"{self.from_article} → {self.to_article} ({self.get_kind_display()})"
