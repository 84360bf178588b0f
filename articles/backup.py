"""Backup and restore of the whole library, exact, on SQLite and PostgreSQL alike.

A backup holds every row of every table Django manages (briefs, sources, taxonomy, related
links, enrichment, history, tokens, users, groups, permissions, content types, the admin's
log), with its primary key, so a restore gives back the same library: the same counts, the
same `library_checksum`, timestamps to the microsecond. Rows go in as they were written
(no `save()`, no signals), so a restore adds no history and `auto_now` leaves `updated_at`
alone. Left out: sessions (logins end with a restore), the caches, the SQLite-only
full-text table and PostgreSQL's dated roles (`DatedFacetValue`), which the database's triggers
refill as the briefs go in.

The file is gzip-compressed JSON, one object a line:
    {"format": "distillery-backup", "version": 1, "created_at": …, "database": "sqlite",
     "tables": {"articles.Article": ["id", "created_at", …], …}}
    {"model": "articles.Article", "rows": [[1, "2026-01-02T03:04:05.123456+00:00", …], …]}
    …
    {"end": true, "counts": {"articles.Article": 42, …}, "checksum": "…"}
The last line is what a restore checks the restored database against before committing.
"""

import base64
import datetime
import gzip
import hashlib
import json
import os
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DatabaseError, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from articles import search_index

FORMAT = "distillery-backup"
VERSION = 1
ROWS_PER_LINE = 500
# Not part of the library: logins, the SQLite FTS5 table and PostgreSQL's dated roles (rebuilt by their triggers).
SKIPPED_MODELS = {"sessions.Session", "articles.ArticleSearchEntry", "articles.DatedFacetValue"}
# Filled by `migrate` in every database; a database holding only these counts as empty.
SCHEMA_MODELS = {"contenttypes.ContentType", "auth.Permission", "auth.Group", "auth.Group_permissions"}


class BackupError(Exception):
    """A backup or restore cannot be done as asked; the message says why in a sentence."""


@dataclass(frozen=True)
class LibraryDigest:
    """Rows per table and one SHA-256 over every row's content, in a fixed order."""

    counts: dict[str, int] = field(default_factory=dict)
    checksum: str = ""

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


# --- Which tables, which columns --------------------------------------------------------


def library_models() -> list[type[models.Model]]:
    """Every table of the library, content types and users first, in a fixed order."""
    chosen = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.label not in SKIPPED_MODELS
    ]
    return sorted(chosen, key=lambda model: (_APP_ORDER.get(model._meta.app_label, 9), model._meta.label))


_APP_ORDER = {"contenttypes": 0, "auth": 1}


def _columns(model) -> list[models.Field]:
    # Generated columns and a PostgreSQL search vector are derived data: the database recomputes them.
    return [
        f
        for f in model._meta.local_concrete_fields
        if not getattr(f, "generated", False) and f.get_internal_type() != "SearchVectorField"
    ]


def _kind(column: models.Field) -> str:
    while column.is_relation:
        column = column.target_field
    return column.get_internal_type()


# --- Values as JSON, and back ----------------------------------------------------------


def _encode(kind: str, value):
    if value is None or kind == "JSONField":
        return value
    if isinstance(value, datetime.datetime):
        return (value.astimezone(datetime.UTC) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value // datetime.timedelta(microseconds=1)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(kind: str, value):
    if value is None or kind == "JSONField":
        return value
    decoders = {
        "DateTimeField": datetime.datetime.fromisoformat,
        "DateField": datetime.date.fromisoformat,
        "TimeField": datetime.time.fromisoformat,
        "DurationField": lambda v: datetime.timedelta(microseconds=v),
        "DecimalField": Decimal,
        "UUIDField": uuid.UUID,
        "BinaryField": base64.b64decode,
    }
    decoder = decoders.get(kind)
    return decoder(value) if decoder else value


def _line(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _encoded_rows(model, attnames: list[str], kinds: list[str], using: str) -> Iterator[list]:
    rows = model._base_manager.using(using).order_by("pk").values_list(*attnames)
    for row in rows.iterator(chunk_size=2000):
        yield [_encode(kind, value) for kind, value in zip(kinds, row, strict=True)]


class _Hasher:
    """The checksum: per table in label order, its label and then each row as canonical JSON."""

    def __init__(self):
        self._tables: dict[str, hashlib._Hash] = {}

    def add(self, label: str, row_line: str) -> None:
        table = self._tables.get(label)
        if table is None:
            table = self._tables[label] = hashlib.sha256(label.encode())
        table.update(b"\n" + row_line.encode())

    def hexdigest(self, labels) -> str:
        total = hashlib.sha256()
        for label in sorted(labels):
            table = self._tables.get(label) or hashlib.sha256(label.encode())
            total.update(f"{label}:{table.hexdigest()}\n".encode())
        return total.hexdigest()


def _table_plan(model, attnames: list[str] | None = None) -> tuple[list[str], list[str], list[models.Field]]:
    by_attname = {f.attname: f for f in _columns(model)}
    attnames = attnames if attnames is not None else list(by_attname)
    chosen = [by_attname[name] for name in attnames]
    return attnames, [_kind(f) for f in chosen], chosen


def library_checksum(using: str = "default", *, tables: dict[str, list[str]] | None = None) -> LibraryDigest:
    """Counts and checksum of the library in database `using`.

    `tables` (label → column names, as a backup's first line gives them) limits the digest
    to those tables and columns, so a restore compares like with like.
    """
    plan = tables if tables is not None else {m._meta.label: None for m in library_models()}
    hasher, counts = _Hasher(), {}
    with _snapshot(using):
        for label, wanted in plan.items():
            model = apps.get_model(label)
            attnames, kinds, _ = _table_plan(model, wanted)
            counts[label] = 0
            for row in _encoded_rows(model, attnames, kinds, using):
                hasher.add(label, _line(row))
                counts[label] += 1
    return LibraryDigest(counts=counts, checksum=hasher.hexdigest(counts))


@contextmanager
def _snapshot(using: str):
    """Read every table as of one moment, without stopping writers."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # Django's atomic() would BEGIN IMMEDIATE (the settings' transaction mode) and hold the
        # write lock for the whole backup; a deferred transaction reads one WAL snapshot instead.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
    else:
        with transaction.atomic(using=using):
            yield


# --- Backup ----------------------------------------------------------------------------


def write_backup(path: str | os.PathLike, *, using: str = "default") -> LibraryDigest:
    """Write the whole library to `path` and return what it holds.

    The file appears under its name only once complete (written beside it, then renamed),
    readable by its owner only: it holds password and token hashes.
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    plan = {model._meta.label: _table_plan(model) for model in library_models()}
    hasher, counts = _Hasher(), {}
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        raise BackupError(f"Cannot write the backup to {path}: {error.strerror}.") from None
    try:
        with os.fdopen(descriptor, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:

            def write(value):
                out.write(_line(value).encode() + b"\n")

            with _snapshot(using):
                write(
                    {
                        "format": FORMAT,
                        "version": VERSION,
                        "created_at": timezone.now().astimezone(datetime.UTC).isoformat(),
                        "database": connections[using].vendor,
                        "site": settings.SITE_NAME,
                        "tables": {label: attnames for label, (attnames, _, _) in plan.items()},
                    }
                )
                for label, (attnames, kinds, _) in plan.items():
                    counts[label] = 0
                    batch = []
                    for row in _encoded_rows(apps.get_model(label), attnames, kinds, using):
                        hasher.add(label, _line(row))
                        batch.append(row)
                        if len(batch) == ROWS_PER_LINE:
                            write({"model": label, "rows": batch})
                            counts[label] += len(batch)
                            batch = []
                    if batch:
                        write({"model": label, "rows": batch})
                        counts[label] += len(batch)
            digest = LibraryDigest(counts=counts, checksum=hasher.hexdigest(counts))
            write({"end": True, "counts": digest.counts, "checksum": digest.checksum})
        try:
            os.replace(partial, path)
        except OSError as error:
            raise BackupError(f"Cannot write the backup to {path}: {error.strerror}.") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return digest


# --- Restore ---------------------------------------------------------------------------


def _lines(path: Path) -> Iterator[dict]:
    """The backup's lines as objects; anything unreadable is a BackupError naming the file."""
    try:
        with gzip.open(path, "rb") as stream:
            for number, raw in enumerate(stream, start=1):
                try:
                    value = json.loads(raw)
                except ValueError:
                    raise BackupError(
                        f"{path} is damaged: line {number} is not readable, so nothing was restored."
                    ) from None
                if not isinstance(value, dict):
                    raise BackupError(f"{path} is damaged: line {number} is not a record, so nothing was restored.")
                yield value
    except gzip.BadGzipFile:
        raise BackupError(f"{path} is not a Distillery backup (it is not a gzip file); nothing was restored.") from None
    except (EOFError, zlib.error):
        raise BackupError(
            f"{path} is cut short or damaged (its compressed data ends early or fails its check); nothing was restored."
        ) from None
    except FileNotFoundError:
        raise BackupError(f"There is no file at {path}.") from None
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror or error}.") from None


def _check_header(path: Path, header: dict | None) -> dict[str, list[str]]:
    if header is None or header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Distillery backup (its first line does not say so); nothing was restored.")
    if header.get("version") != VERSION:
        raise BackupError(
            f"{path} is a version {header.get('version')} backup; this version of Distillery reads version "
            f"{VERSION}. Restore it with the version that made it."
        )
    tables = header.get("tables")
    if not isinstance(tables, dict):
        raise BackupError(f"{path} is damaged: its first line lists no tables; nothing was restored.")
    for label, attnames in tables.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            raise BackupError(
                f"{path} holds a table this version does not know ({label}); restore it with the version "
                "that made it, then upgrade."
            ) from None
        unknown = set(attnames) - {f.attname for f in _columns(model)}
        if unknown:
            raise BackupError(
                f"{path} holds columns of {label} this version does not know ({', '.join(sorted(unknown))}); "
                "restore it with the version that made it, then upgrade."
            )
    return tables


def held_rows(using: str = "default") -> dict[str, int]:
    """Rows of library content (anything `migrate` does not create by itself), per table."""
    held = {}
    for model in library_models():
        label = model._meta.label
        if label in SCHEMA_MODELS:
            continue
        count = model._base_manager.using(using).count()
        if count:
            held[label] = count
    return held


def _describe(held: dict[str, int]) -> str:
    named = {
        settings.AUTH_USER_MODEL: ("user", "users"),
        "articles.Article": ("brief", "briefs"),
        "articles.Source": ("source", "sources"),
        "articles.ApiToken": ("API token", "API tokens"),
    }
    parts = [f"{held[label]} {words[held[label] != 1]}" for label, words in named.items() if label in held]
    others = sum(count for label, count in held.items() if label not in named)
    if others:
        parts.append(f"{others} other {'row' if others == 1 else 'rows'}")
    return ", ".join(parts)


def _ensure_schema(using: str) -> bool:
    """Migrate a database that has no tables yet; refuse one whose schema is behind. True if migrated."""
    from django.core.management import call_command

    connection = connections[using]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return False
    existing = set(connection.introspection.table_names()) - {"django_migrations"}
    if existing:
        raise BackupError(
            f"This database's schema is behind this version of Distillery ({len(plan)} migrations not applied); "
            "run `manage.py migrate` first, then restore."
        )
    call_command("migrate", database=using, interactive=False, verbosity=0)
    return True


@dataclass(frozen=True)
class RestoreOutcome:
    digest: LibraryDigest
    created_at: str
    made_on: str
    migrated: bool
    replaced: dict[str, int]


def restore_backup(path: str | os.PathLike, *, using: str = "default", replace: bool = False) -> RestoreOutcome:
    """Replace the library in `using` by the backup at `path`, in one transaction.

    Refuses a database that holds a library unless `replace` is true, and commits only when
    the restored rows give the backup's own counts and checksum.
    """
    path = Path(path)
    lines = _lines(path)
    header = next(lines, None)
    tables = _check_header(path, header)
    migrated = _ensure_schema(using)
    connection = connections[using]
    try:
        with transaction.atomic(using=using):
            replaced = held_rows(using)
            if replaced and not replace:
                raise BackupError(
                    f"This database already holds a library ({_describe(replaced)}); restoring would replace "
                    "all of it. Run the restore again with --replace to do that."
                )
            _empty_tables(connection)
            read = _insert_rows(path, lines, tables, using)
            trailer = read.pop("\0end", None)
            if trailer is None:
                raise BackupError(
                    f"{path} ends before its last line: the backup is incomplete (interrupted, or the file cut "
                    "short); nothing was restored."
                )
            expected = LibraryDigest(counts=trailer.get("counts", {}), checksum=trailer.get("checksum", ""))
            if read != expected.counts:
                raise BackupError(f"{path} is damaged: its rows do not add up to its own counts; nothing was restored.")
            _after_insert(connection, tables)
            restored = library_checksum(using, tables=tables)
            if restored != expected:
                raise BackupError(
                    "The restored rows do not match the backup's checksum (the database changed some values on "
                    "the way in); nothing was restored."
                )
            # A backup from an earlier version lacks the permissions of newer models: add them, as migrate would.
            for app_config in apps.get_app_configs():
                create_permissions(app_config, verbosity=0, using=using)
    except DatabaseError as error:
        raise BackupError(f"The database refused the backup's rows ({error}); nothing was restored.") from None
    ContentType.objects.clear_cache()
    # Rows inserted in bulk send no signals: the classifiers must not keep a model of the library replaced.
    from articles.enrich.classify import library_changed

    library_changed()
    return RestoreOutcome(
        digest=restored,
        created_at=header.get("created_at", ""),
        made_on=header.get("database", ""),
        migrated=migrated,
        replaced=replaced,
    )


def _empty_tables(connection) -> None:
    tables = [model._meta.db_table for model in library_models()]
    if apps.is_installed("django.contrib.sessions"):
        tables.append(apps.get_model("sessions", "Session")._meta.db_table)
    # Emptied with the briefs: PostgreSQL empties them by TRUNCATE, which fires no trigger of their rows.
    tables.append(apps.get_model("articles", "DatedFacetValue")._meta.db_table)
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=False)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _insert_rows(path: Path, lines: Iterator[dict], tables: dict[str, list[str]], using: str) -> dict:
    """Insert every row as stored (raw: no save(), no signals, no auto_now); returns rows per table."""
    read = dict.fromkeys(tables, 0)
    plans = {label: _table_plan(apps.get_model(label), attnames) for label, attnames in tables.items()}
    for line in lines:
        if line.get("end") is True:
            read["\0end"] = line
            if next(lines, None) is not None:
                raise BackupError(f"{path} is damaged: it goes on after its last line; nothing was restored.")
            break
        label, rows = line.get("model"), line.get("rows")
        if label not in plans or not isinstance(rows, list):
            raise BackupError(f"{path} is damaged: a line names no known table; nothing was restored.")
        model = apps.get_model(label)
        attnames, kinds, _ = plans[label]
        objects = []
        for row in rows:
            if not isinstance(row, list) or len(row) != len(attnames):
                raise BackupError(f"{path} is damaged: a row of {label} has the wrong shape; nothing was restored.")
            values = {name: _decode(kind, value) for name, kind, value in zip(attnames, kinds, row, strict=True)}
            objects.append(model(**values))
        # Every column the model has now; one missing from an older backup takes its default.
        insert_columns = _columns(model)
        connection = connections[using]
        batch = max(1, connection.ops.bulk_batch_size(insert_columns, objects) or len(objects))
        for start in range(0, len(objects), batch):
            model._base_manager.using(using)._insert(
                objects[start : start + batch], fields=insert_columns, using=using, raw=True
            )
        read[label] += len(objects)
    return read


def _after_insert(connection, tables: dict[str, list[str]]) -> None:
    models_restored = [apps.get_model(label) for label in tables]
    # PostgreSQL's id sequences would otherwise hand out ids the restored rows already hold.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models_restored):
            cursor.execute(statement)
    # Foreign keys are checked at commit; check them now so a bad row is named here.
    connection.check_constraints()
    # The index follows the briefs through triggers; make sure they and the index are in place.
    search_index.install(connection)
