"""Entries → briefs: fetch, parse, normalize and store one source, and record how it went.

`ingest_source` is what the task and the `ingest` command run. It is safe to run twice at
once (a lock keeps the second one out) and safe to kill at any point: new items are committed
together, up to NEW_ITEMS_PER_INSERT at a time and at least every NEW_ITEMS_MAX_WAIT seconds (a
changed item on its own), the database's unique constraint on the canonical address refuses
twins, and the next run finishes the job.

What a new item costs the database is kept small on purpose (pinned by a test): new items of a
feed are inserted together with their first history rows (`store_new_items`), so the queries of
a run grow with the number of feeds and batches, not of items.

It queues nothing: it returns an `IngestOutcome` saying what happened (the run, the briefs to
draft, whether a failure may pass), and the caller in articles/tasks.py queues what follows.
"""

import collections
import contextlib
import functools
import json
import logging
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils import timezone

from articles.ingest.fetch import FetchError, FetchResult, fetch
from articles.ingest.normalize import (
    NormalizedItem,
    NotAWebAddress,
    canonical_url,
    extract_page,
    item_address,
    normalize_entry,
)
from articles.ingest.parse import Entry, FeedError, ParsedFeed, parse_feed
from articles.locks import Busy, lease_seconds, run_alive, run_lease, source_lock
from articles.models import (
    Article,
    IngestionRun,
    Source,
    Status,
    insert_briefs_with_history,
    unique_slugs,
)

logger = logging.getLogger(__name__)

# Ingested text may still change under these; once published (or set aside) it is the editors' record.
UPDATABLE_STATUSES = (Status.INGESTED, Status.DRAFT, Status.IN_REVIEW)
Outcome = IngestionRun.Outcome


@dataclass
class RunCounts:
    seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    deferred: int = 0  # new items left for the next poll: the run reached `new_limit`
    new_limit: int | None = None  # how many new items this run may store (None: no cap)
    cap: str = ""  # the cap that set `new_limit`, in words
    to_enrich: list[int] = field(default_factory=list)
    item_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # stored anyway, but worth an operator's look
    # An item failed for a reason that may pass (a locked database, a bug since fixed): the next
    # poll must fetch the feed in full instead of being told "304 Not Modified".
    retry_items: bool = False


@dataclass(frozen=True)
class IngestOutcome:
    """What one run did: its record, the briefs waiting for a draft, and whether a failure may pass."""

    run: IngestionRun
    to_enrich: tuple[int, ...] = ()  # new or changed briefs (and ones an earlier run left undrafted)
    transient: bool = False  # a timeout or a server error: worth trying again soon
    retry_after: float = 0  # seconds the server asked us to wait (Retry-After), 0 if it did not

    @property
    def status(self) -> str:
        return self.run.status


class NotAFeedSource(Exception):
    """ "Ingest now" asked of a source that only holds pages added by hand."""


# --- Source health ----------------------------------------------------------------------


def backoff_delay(*, interval_minutes: int, failures: int) -> timedelta:
    """How long a source that failed `failures` times in a row waits: doubling, capped (one day by default).

    Never less than the source's own interval: failing must not make a slow source poll more often.
    """
    cap = settings.INGEST_MAX_BACKOFF_MINUTES
    minutes = interval_minutes * (2 ** min(failures, 32))
    return timedelta(minutes=max(min(minutes, cap), interval_minutes))


def _success_values(source: Source, *, etag: str | None, last_modified: str | None) -> dict:
    now = timezone.now()
    values = {
        "last_fetched_at": now,
        "last_success_at": now,
        "consecutive_failures": 0,
        "last_error": "",
        "next_fetch_at": now + timedelta(minutes=source.poll_interval_minutes),
    }
    if etag is not None:
        values["etag"] = etag
    if last_modified is not None:
        values["last_modified"] = last_modified
    return values


def record_failure(*, source: Source, error: str, retry: bool = False, retry_after: float = 0) -> None:
    """Count one more failed poll; a `retry` of a poll that already failed is the same poll, not another.

    `retry_after` (seconds, from the server's Retry-After) is honoured when longer than the back-off.
    """
    now = timezone.now()
    failures = Source.objects.filter(pk=source.pk).values_list("consecutive_failures", flat=True).first() or 0
    if not (retry and failures):
        failures += 1
    wait = backoff_delay(interval_minutes=source.poll_interval_minutes, failures=failures)
    Source.objects.filter(pk=source.pk).update(
        last_fetched_at=now,
        consecutive_failures=failures,
        last_error=error[:2000],
        next_fetch_at=now + max(wait, timedelta(seconds=retry_after)),
    )


INTERRUPTED = "The worker stopped before this run finished (killed or restarted); a later run took over."


def _close_interrupted_runs(source: Source, *, current: IngestionRun) -> None:
    # We hold the source's lock, so any run still marked running, but the one we recorded, was cut short.
    IngestionRun.objects.filter(source=source, status=Outcome.RUNNING).exclude(pk=current.pk).update(
        status=Outcome.FAILED, finished_at=timezone.now(), error=INTERRUPTED
    )


def close_lapsed_runs() -> list[int]:
    """Close the runs marked running whose process no longer renews their lease (killed, restarted).

    Returns the active feed sources among them, to be ingested again now rather than at their next interval.
    """
    now = timezone.now()
    started_before = now - timedelta(seconds=lease_seconds())  # a run's lease is taken just after it starts
    running = IngestionRun.objects.filter(status=Outcome.RUNNING, started_at__lt=started_before)
    again = set()
    for run_id, source_id, kind, active in running.values_list("pk", "source_id", "source__kind", "source__is_active"):
        if run_alive(run_id):
            continue
        closed = IngestionRun.objects.filter(pk=run_id, status=Outcome.RUNNING).update(
            status=Outcome.FAILED, finished_at=now, error=INTERRUPTED
        )
        if closed and kind == Source.Kind.FEED and active:
            again.add(source_id)
    return sorted(again)


def finish_run(run: IngestionRun, *, status: str, counts: RunCounts, http_status=None, error: str = "") -> None:
    _fill_run(run, status=status, counts=counts, http_status=http_status, error=error)
    run.save()


def finish_successful_run(
    run: IngestionRun,
    *,
    source: Source,
    status: str,
    counts: RunCounts,
    http_status=None,
    error: str = "",
    etag: str | None = None,
    last_modified: str | None = None,
    using: str | None = None,
) -> None:
    """Record the source's successful poll (its failures reset, its next poll due, the validators
    when given), then the run's outcome (`finish_run`). On PostgreSQL one statement writes both (the
    source's UPDATE in a WITH clause): one round trip and one commit a run instead of two, and a
    reader never sees the source healthy while its run is still marked running. The source is
    written by update(), not save(): a curator may be editing its name or interval meanwhile."""
    using = using or router.db_for_write(IngestionRun)
    health = _success_values(source, etag=etag, last_modified=last_modified)
    if connections[using].vendor != "postgresql":
        Source.objects.using(using).filter(pk=source.pk).update(**health)
        finish_run(run, status=status, counts=counts, http_status=http_status, error=error)
        return
    _fill_run(run, status=status, counts=counts, http_status=http_status, error=error)
    fields = [field for field in IngestionRun._meta.concrete_fields if not field.primary_key]
    source_sql, source_params = _update_sql(Source, source.pk, health, using=using)
    run_sql, run_params = _update_sql(
        IngestionRun, run.pk, {field.attname: getattr(run, field.attname) for field in fields}, using=using
    )
    with connections[using].cursor() as cursor:
        cursor.execute(f"WITH health AS ({source_sql}) {run_sql}", [*source_params, *run_params])


def _update_sql(model, pk, values: dict, *, using: str) -> tuple[str, tuple]:
    """The SQL and parameters of `model.objects.filter(pk=pk).update(**values)`, not run."""
    from django.db.models.sql import UpdateQuery

    query = model.objects.filter(pk=pk).query.chain(UpdateQuery)
    query.add_update_values(values)
    return query.get_compiler(using).as_sql()


def _fill_run(run: IngestionRun, *, status: str, counts: RunCounts, http_status, error: str) -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.http_status = http_status
    run.items_seen = counts.seen
    run.items_new = counts.new
    run.items_updated = counts.updated
    run.items_unchanged = counts.unchanged
    run.items_failed = counts.failed
    run.items_deferred = counts.deferred
    run.error = error[:5000]


# --- Storing items ----------------------------------------------------------------------


EXISTING_FIELDS = ("pk", "original_url", "status", "content_hash")
NEW_ITEMS_PER_INSERT = 100  # new items stored by one transaction: one INSERT of briefs, one of history rows
# ... and no item waits longer than this for its batch: a run fetching full pages (slow, one by one) still
# commits as it goes, so a killed run loses at most this much work and the queue fills while it runs.
NEW_ITEMS_MAX_WAIT = 1.0


def _new_article(source: Source, item: NormalizedItem) -> Article:
    article = Article(
        source=source,
        original_url=item.canonical_url,
        guid=item.guid,
        title=item.title,
        author=item.author,
        original_published_at=item.published,
        language=item.language,
        content_html=item.content_html,
        content_text=item.content_text,
        content_hash=item.content_hash,
        reading_minutes=item.reading_minutes,
        status=Status.INGESTED,
    )
    article._change_reason = f"Ingested from {source.name}"
    return article


def store_new_items(*, source: Source, items: list[NormalizedItem]) -> list[int]:
    """Insert briefs for items not stored yet, all at once; returns their ids in the items' order.

    One query picks free slugs for all of them; the briefs and their first history rows are then
    written all or none (`insert_briefs_with_history`: one statement on PostgreSQL). Raises
    DatabaseError (IntegrityError when another worker stored one of the addresses or took one of
    the slugs a moment ago) and keeps none of them: the caller then stores them one by one with
    `store_item`, which settles each on its own.
    No post_save is sent; its receivers (facet counts, page cache, related briefs, webhooks) act
    on published briefs only, and a new piece is never published.
    """
    articles = [_new_article(source, item) for item in items]
    for article, slug in zip(articles, unique_slugs(Article, [a.title for a in articles]), strict=True):
        article.slug = slug
        article.fill_derived()
    insert_briefs_with_history(articles, reason=f"Ingested from {source.name}")
    return [article.pk for article in articles]


def store_item(*, source: Source, item: NormalizedItem, existing: dict | None = None) -> tuple[str, int | None]:
    """Create or refresh the brief for `item`; returns ("new" | "updated" | "unchanged", article id).

    `existing` is the stored row for the address when the caller already looked it up.
    """
    if existing is None:
        existing = Article.objects.filter(original_url=item.canonical_url).values(*EXISTING_FIELDS).first()
    if existing is None:
        try:
            with transaction.atomic():
                article = _new_article(source, item)
                article.save()
            return "new", article.pk
        except IntegrityError:
            # Another worker stored the same address a moment ago: the constraint did its job.
            existing = Article.objects.filter(original_url=item.canonical_url).values(*EXISTING_FIELDS).first()
            if existing is None:
                raise
    if existing["content_hash"] == item.content_hash or existing["status"] not in UPDATABLE_STATUSES:
        return "unchanged", existing["pk"]
    # Only the ingested text changes; title, summary and everything else an editor wrote stay.
    changed = (
        Article.objects.filter(pk=existing["pk"], status__in=UPDATABLE_STATUSES)
        .exclude(content_hash=item.content_hash)
        .update(
            content_html=item.content_html,
            content_text=item.content_text,
            content_hash=item.content_hash,
            reading_minutes=item.reading_minutes,
            updated_at=timezone.now(),
        )
    )
    return ("updated" if changed else "unchanged"), existing["pk"]


def ensure_feed_source(source: Source) -> None:
    """Raise NotAFeedSource when `source` only holds pages added by hand ("Ingest now" asked of it)."""
    if source.kind != Source.Kind.FEED:
        raise NotAFeedSource(f"“{source.name}” collects single pages added by hand; it has no feed to ingest.")


def _full_text(url: str, counts: RunCounts) -> str:
    """The main text of the item's page; empty (the feed's text is kept) when the page cannot be had."""
    try:
        page = fetch(url)
    except FetchError as exc:
        counts.notes.append(f"full text of {url} not fetched, the feed's text was kept: {exc}")
        return ""
    return extract_page(page.content, url=page.url).html


def ingest_entries(
    *,
    source: Source,
    entries: list[Entry],
    feed_url: str,
    counts: RunCounts,
    normalized: list | None = None,
    addresses: "ItemAddresses | None" = None,
) -> None:
    """Store each entry: one bad item is counted and described, the others go on.

    New items wait in a batch and are stored together (`store_new_items`); a changed one is
    updated at once. An item stops the run only when the task is out of time. `normalized` holds
    the entries already normalized at their own address (`normalize_ahead`), None where that failed;
    `addresses` the entries' addresses when already worked out (`item_addresses`, by the reader thread).
    """
    addresses = addresses or item_addresses(entries, feed_url=feed_url)  # each worked out once
    normalized = normalized or [None] * len(entries)
    # One query tells which items are already stored; those are then skipped without another.
    known = {
        row["original_url"]: row
        for row in Article.objects.filter(original_url__in=addresses.looked_up).values(*EXISTING_FIELDS)
    }
    done_in_this_run: set[str] = set()
    batch: list[tuple[str, NormalizedItem]] = []  # (how the item is named in an error, the item)
    batch_started = 0.0
    for entry, address, ready in zip(entries, addresses.own, normalized, strict=True):
        counts.seen += 1
        named = f"item {counts.seen} ({entry.title or entry.guid or 'untitled'})"
        linked = f"item {counts.seen} ({entry.link})"
        try:
            if isinstance(address, NotAWebAddress):
                raise address
            url = address
            if url in done_in_this_run:
                # Two items of one feed link the same address (two posts about one page): the
                # second is still its own piece when it has an address of its own.
                taken = url
                url = next((a for a in _alternates(entry, feed_url) if a not in done_in_this_run), "")
                if not url:
                    # The publisher gave two pieces one address: a brief can link only one of them.
                    counts.failed += 1
                    counts.item_errors.append(
                        f"item {counts.seen} ({entry.title or 'untitled'}) has the same address as an earlier item "
                        f"of this feed ({taken}); the earlier one was kept"
                    )
                    continue
            stored = known.get(url)
            if stored is None and counts.new_limit is not None and counts.new + len(batch) >= counts.new_limit:
                # Before any full-text fetch: a deferred item costs nothing now and is taken next poll.
                counts.deferred += 1
                continue
            if stored is not None and (stored["status"] not in UPDATABLE_STATUSES or source.fetch_full_text):
                # Published or set aside (or its full text already fetched once): no work spent.
                counts.unchanged += 1
                done_in_this_run.add(url)
                continue
            if ready is not None and url == address and not source.fetch_full_text:
                item = ready
            else:
                full_html = _full_text(url, counts) if source.fetch_full_text else ""
                item = normalize_entry(entry, feed_url=feed_url, full_html=full_html, url=url)
            if stored is not None and stored["content_hash"] == item.content_hash:
                counts.unchanged += 1
                done_in_this_run.add(url)
                continue
            if stored is None:
                if not batch:
                    batch_started = time.monotonic()
                batch.append((linked, item))
                done_in_this_run.add(item.canonical_url)
                if len(batch) >= NEW_ITEMS_PER_INSERT or time.monotonic() - batch_started >= NEW_ITEMS_MAX_WAIT:
                    _store_batch(source, batch, counts)
                    batch = []
                continue
            outcome, article_id = store_item(source=source, item=item, existing=stored)
            done_in_this_run.add(item.canonical_url)
        except SoftTimeLimitExceeded:
            # The run as a whole is out of time: keep the items already read (one short transaction,
            # well before the hard limit), stop here, and let the next run carry on.
            _store_batch(source, batch, counts)
            raise
        except Exception as exc:
            # An address refused is named by the item's title; anything else by the link, for the operator.
            _count_failure(counts, named if isinstance(exc, NotAWebAddress) else linked, exc)
            continue
        _count(counts, outcome, article_id)
    _store_batch(source, batch, counts)


def _store_batch(source: Source, batch: list[tuple[str, NormalizedItem]], counts: RunCounts) -> None:
    if not batch:
        return
    try:
        article_ids = store_new_items(source=source, items=[item for _label, item in batch])
    except DatabaseError:
        # Another worker stored one of them a moment ago, or the database refused the whole batch:
        # each item is settled on its own, so only what really failed is counted as failed.
        logger.info("A batch of %s new items of %s is stored one by one instead.", len(batch), source)
    else:
        for article_id in article_ids:
            _count(counts, "new", article_id)
        return
    for label, item in batch:
        try:
            outcome, article_id = store_item(source=source, item=item)
        except SoftTimeLimitExceeded:
            raise
        except Exception as exc:
            _count_failure(counts, label, exc)
            continue
        _count(counts, outcome, article_id)


def _count(counts: RunCounts, outcome: str, article_id: int | None) -> None:
    if outcome == "new":
        counts.new += 1
        counts.to_enrich.append(article_id)
    elif outcome == "updated":
        counts.updated += 1
        counts.to_enrich.append(article_id)
    else:
        counts.unchanged += 1


def _count_failure(counts: RunCounts, label: str, exc: Exception) -> None:
    counts.failed += 1
    if isinstance(exc, NotAWebAddress):
        counts.item_errors.append(f"{label}: {exc}")
        return
    logger.exception("%s failed", label, exc_info=exc)
    counts.retry_items = True
    counts.item_errors.append(f"{label}: {exc.__class__.__name__}: {exc}")


def _alternates(entry: Entry, feed_url: str) -> list[str]:
    urls = []
    for address in entry.alternates:
        with contextlib.suppress(NotAWebAddress):
            urls.append(canonical_url(address, base=feed_url))
    return urls


def _address_or_refusal(entry: Entry, feed_url: str) -> str | NotAWebAddress:
    try:
        return item_address(entry, feed_url=feed_url)
    except NotAWebAddress as refusal:
        return refusal


@dataclass(frozen=True)
class ItemAddresses:
    """The canonical addresses of a feed's entries: each entry's own (or why it has none), and every
    address the run looks up among the stored briefs (the entries' own and their alternates)."""

    own: list  # str | NotAWebAddress, one per entry
    looked_up: list[str]


def item_addresses(entries: list[Entry], *, feed_url: str) -> ItemAddresses:
    """Worked out once per feed, without the database (the reader thread does it for `ingest_sources`)."""
    own, looked_up = [], []
    for entry in entries:
        address = _address_or_refusal(entry, feed_url)
        own.append(address)
        if isinstance(address, str):
            looked_up.append(address)
        looked_up.extend(_alternates(entry, feed_url))
    return ItemAddresses(own=own, looked_up=looked_up)


# --- Whole runs -------------------------------------------------------------------------


def new_item_limit(*, source: Source) -> tuple[int, str]:
    """How many new items one run of `source` may store now, and the cap that says so, in words.

    INGEST_MAX_ITEMS_PER_FETCH per run, and INGEST_MAX_ITEMS_PER_SOURCE_PER_DAY over the
    last 24 hours (briefs of the source created since then, whoever created them). A source
    read by `_source_for_run` brings that count along; any other is counted here.
    """
    per_fetch = settings.INGEST_MAX_ITEMS_PER_FETCH
    per_day = settings.INGEST_MAX_ITEMS_PER_SOURCE_PER_DAY
    created_today = getattr(source, "created_today", None)
    if created_today is None:
        since = timezone.now() - timedelta(days=1)
        created_today = Article.objects.filter(source=source, created_at__gte=since).count()
    left_today = max(per_day - created_today, 0)
    if left_today < per_fetch:
        return left_today, f"the cap of {per_day:,} new items per source per day (INGEST_MAX_ITEMS_PER_SOURCE_PER_DAY)"
    return per_fetch, f"the cap of {per_fetch:,} new items per fetch (INGEST_MAX_ITEMS_PER_FETCH)"


def ingest_source(
    *, source_id: int, force: bool = False, retry: bool = False, read: "FeedRead | Future[FeedRead] | None" = None
) -> IngestOutcome:
    """Fetch and store one feed source now; raises locks.Busy if it is already being ingested.

    `force` skips the conditional GET (a curator's "Ingest now" wants a real look).
    `retry` says this is the task retrying a poll that failed: its failure is not counted again.
    `read` is the feed already fetched and parsed by `read_feed` (`ingest_sources` reads the next
    feeds while this one is stored), or that reading still under way (a Future, waited for once the
    lock is held and the run recorded); it is used only if the source still has the address and
    validators it was read with, else the feed is fetched again here.
    A failed fetch or an unreadable feed is recorded on the run and the source, never raised.
    """
    with source_lock(f"source:{source_id}"):
        run = IngestionRun(source_id=source_id, status=Outcome.RUNNING)
        source = _source_for_run(source_id, run=run)  # on PostgreSQL `run` is recorded by the same statement
        run.source = source
        if run.pk is None:
            run.save(force_insert=True)
        if source.interrupted:
            _close_interrupted_runs(source, current=run)
        with run_lease(run.pk):
            return _run_feed(source, run, force=force, retry=retry, read=read)


@dataclass
class FeedRead:
    """One fetch and parse of a source's feed, and what the request was sent with."""

    url: str
    etag: str
    last_modified: str
    result: FetchResult | None = None
    feed: ParsedFeed | None = None  # None when not modified, or when fetching or parsing failed
    error: Exception | None = None  # raised again by the run, which records it as it records any failure
    normalized: list | None = None  # `normalize_ahead` of the feed's entries, when asked for
    addresses: ItemAddresses | None = None  # `item_addresses` of the feed's entries, when asked for

    def fits(self, source: Source, *, force: bool) -> bool:
        return (self.url, self.etag, self.last_modified) == _validators(source, force=force)


def _validators(source: Source, *, force: bool) -> tuple[str, str, str]:
    return source.url, "" if force else source.etag, "" if force else source.last_modified


def read_feed(source: Source, *, force: bool = False, normalize: bool = False) -> FeedRead:
    """Fetch and parse `source`'s feed, and with `normalize` work out its entries' addresses and
    normalize them too (a source whose items' pages are fetched is normalized by its run); touches
    no database, so it may run on another thread."""
    return parse_fetched(fetch_feed(source, force=force), source=source, normalize=normalize)


def fetch_feed(source: Source, *, force: bool = False) -> FeedRead:
    """The first half of `read_feed`: `source`'s feed fetched, not parsed yet."""
    url, etag, last_modified = _validators(source, force=force)
    read = FeedRead(url=url, etag=etag, last_modified=last_modified)
    try:
        read.result = fetch(url, etag=etag, last_modified=last_modified)
    except Exception as exc:
        read.error = exc
    return read


def parse_fetched(read: "FeedRead | Future[FeedRead]", *, source: Source, normalize: bool = False) -> FeedRead:
    """The second half of `read_feed`: the feed `fetch_feed` fetched (or is fetching, a Future) parsed,
    and with `normalize` its entries' addresses worked out and the entries normalized."""
    if isinstance(read, Future):
        read = read.result()  # fetch_feed records its failure on the FeedRead, it raises none
    if read.error is not None or read.result.not_modified:
        return read
    try:
        result = read.result
        read.feed = parse_feed(result.content, url=result.url, content_type=result.content_type, headers=result.headers)
        if normalize:
            read.addresses = item_addresses(read.feed.entries, feed_url=result.url)
            if not source.fetch_full_text:
                read.normalized = normalize_ahead(read.feed.entries, feed_url=result.url, addresses=read.addresses.own)
    except Exception as exc:
        read.error = exc
    return read


def normalize_ahead(
    entries: list[Entry], *, feed_url: str, addresses: list | None = None
) -> list[NormalizedItem | None]:
    """Each entry normalized at its own address, or None where that fails (its run tries again and
    records why); what the run finds already stored, or at another address, it does not use.
    `addresses` are the entries' own (`ItemAddresses.own`) when already worked out."""
    items = []
    for entry, address in zip(entries, addresses or [None] * len(entries), strict=True):
        if isinstance(address, NotAWebAddress):
            items.append(None)
            continue
        try:
            items.append(normalize_entry(entry, feed_url=feed_url, url=address or ""))
        except Exception:
            items.append(None)
    return items


# Feeds read ahead of the one being stored: fetching waits on the publisher, parsing is mostly lxml and
# normalizing mostly nh3, while storing waits on the database, so the three overlap. Six rather than two:
# with storing cheaper, the run waited on the reader at the large feeds, which a deeper queue reads while
# the small ones before them are stored (a few parsed feeds in memory).
READ_AHEAD = 6
# While the reader thread parses, each answer from the database (hundreds a run) waits for the GIL
# until the interpreter's switch interval (5 ms by default) ends; a shorter one while both threads run.
SWITCH_INTERVAL = 0.0005


def ingest_sources(sources: Iterable[Source], *, force: bool = False) -> Iterator[tuple[Source, IngestOutcome | Busy]]:
    """Ingest `sources` one after another in this process, each as `ingest_source` does, while the next
    READ_AHEAD feeds are read ahead: one thread fetches them, in turn (one request at a time, as before),
    another parses and normalizes each once it has arrived, so waiting on a publisher's server costs no
    parsing time. Yields each source with its outcome, or with the Busy it met (another process is
    ingesting it). Every database query stays on this thread.
    """
    pending = iter(sources)
    ahead: collections.deque[tuple[Source, Future, Future]] = collections.deque()
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, SWITCH_INTERVAL))
    with (
        contextlib.ExitStack() as undo,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-fetcher") as fetcher,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-reader") as reader,  # shut down first
    ):
        undo.callback(sys.setswitchinterval, switch_interval)

        def read_next() -> None:
            source = next(pending, None)
            if source is not None:
                fetching = fetcher.submit(fetch_feed, source, force=force)
                reading = reader.submit(parse_fetched, fetching, source=source, normalize=True)
                ahead.append((source, fetching, reading))

        for _ in range(READ_AHEAD):
            read_next()
        try:
            while ahead:
                source, _fetching, reading = ahead.popleft()
                read_next()  # READ_AHEAD feeds stay queued behind the one stored now
                try:
                    # The run takes its lock and records itself while its feed may still be read.
                    yield source, ingest_source(source_id=source.pk, force=force, read=reading)
                except Busy as busy:
                    yield source, busy
        finally:
            for _source, fetching, reading in ahead:
                reading.cancel()
                fetching.cancel()


def _source_for_run(source_id: int, *, run: IngestionRun | None = None, using: str | None = None) -> Source:
    """The source, with what a run asks first in the same query: whether a run of it is still marked
    running (`interrupted`: we hold its lock, so that run was cut short), how many briefs of it
    were created in the last 24 hours (`created_today`, for `new_item_limit`) and its briefs still
    waiting for a draft (`left_undrafted`, ids: an earlier run stored them, then its worker was
    killed before handing them on; none can be this run's, which has not started).

    On PostgreSQL the same statement also records `run` (unsaved, given) when the source exists, and
    gives it its id: one round trip a run less. What the query reads does not include that run (a
    statement's parts see the database as it was before the statement). Elsewhere `run` is left
    unsaved for the caller.

    Written from the models' metadata once: the ORM took three times longer to compile this
    query (an Exists and a counting Subquery) than the database took to answer it.
    """
    using = using or router.db_for_read(Source)
    connection = connections[using]
    since = connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(days=1))
    records = run is not None and connection.vendor == "postgresql"
    sql = _source_for_run_sql(connection.vendor, connection.ops.quote_name, records_run=records)
    params = [Outcome.RUNNING, since, *([Status.INGESTED] if connection.vendor in LIST_OF_IDS else []), source_id]
    if records:
        fields = _run_fields()
        values = [field.get_db_prep_save(field.pre_save(run, add=True), connection) for field in fields]
        params = [*values, source_id, *params]
    for source in Source.objects.using(using).raw(sql, params):
        if isinstance(getattr(source, "left_undrafted", None), str):
            source.left_undrafted = json.loads(source.left_undrafted)  # SQLite's JSON array
        if records:
            run.pk = source.recorded_run
            run._state.adding, run._state.db = False, using
        return source
    raise Source.DoesNotExist(f"No source with id {source_id}.")


def _run_fields():
    """The columns a new run's INSERT names: all but its id and its source (the source's row gives it)."""
    meta = IngestionRun._meta
    return [field for field in meta.concrete_fields if not field.primary_key and field.name != "source"]


# A list of ids as one value, by vendor (`_source_for_run`'s `left_undrafted`); another database
# asks for them in a query of their own when the run ends (`_left_undrafted`).
LIST_OF_IDS = {"postgresql": "ARRAY({ids})", "sqlite": "(SELECT json_group_array(id) FROM ({ids}))"}


@functools.cache
def _source_for_run_sql(vendor: str, quote, *, records_run: bool = False) -> str:
    source, run, brief = Source._meta, IngestionRun._meta, Article._meta

    def column(meta, name):
        return f"{quote(meta.db_table)}.{quote(meta.get_field(name).column)}"

    waiting = ""
    if vendor in LIST_OF_IDS:
        ids = (
            f"SELECT {column(brief, 'id')} AS id FROM {quote(brief.db_table)} "
            f"WHERE {column(brief, 'source')} = {column(source, 'id')} AND {column(brief, 'status')} = %s "
            f"ORDER BY {column(brief, 'id')}"
        )
        waiting = f", {LIST_OF_IDS[vendor].format(ids=ids)} AS left_undrafted"
    recorded = ""
    if records_run:
        columns = [quote(run.get_field("source").column), *(quote(field.column) for field in _run_fields())]
        recorded = (
            f"WITH recorded AS (INSERT INTO {quote(run.db_table)} ({', '.join(columns)}) "
            f"SELECT {column(source, 'id')}, {', '.join(['%s'] * (len(columns) - 1))} "
            f"FROM {quote(source.db_table)} WHERE {column(source, 'id')} = %s "
            f"RETURNING {quote(run.pk.column)}) "
        )
        waiting += f", (SELECT {quote(run.pk.column)} FROM recorded) AS recorded_run"
    return (
        f"{recorded}SELECT {', '.join(column(source, f.name) for f in source.concrete_fields)}, "
        f"EXISTS (SELECT 1 FROM {quote(run.db_table)} WHERE {column(run, 'source')} = {column(source, 'id')} "
        f"AND {column(run, 'status')} = %s) AS interrupted, "
        f"(SELECT COUNT(*) FROM {quote(brief.db_table)} WHERE {column(brief, 'source')} = {column(source, 'id')} "
        f"AND {column(brief, 'created_at')} >= %s) AS created_today{waiting} "
        f"FROM {quote(source.db_table)} WHERE {column(source, 'id')} = %s"
    )


def _run_feed(
    source: Source, run: IngestionRun, *, force: bool, retry: bool, read: "FeedRead | Future[FeedRead] | None"
) -> IngestOutcome:
    counts = RunCounts()
    counts.new_limit, counts.cap = new_item_limit(source=source)
    http_status = None
    try:
        if isinstance(read, Future):
            read = read.result()  # read_feed records its failures on the FeedRead, it raises none
        if read is None or not read.fits(source, force=force):
            read = read_feed(source, force=force)
        result = read.result
        http_status = result.status if result is not None else None
        if read.error is not None:
            raise read.error
        if result.not_modified:
            finish_successful_run(
                run, source=source, status=Outcome.NOT_MODIFIED, counts=counts, http_status=http_status
            )
            return IngestOutcome(run=run, to_enrich=tuple(_left_undrafted(source, run)))
        ingest_entries(
            source=source,
            entries=read.feed.entries,
            feed_url=result.url,
            counts=counts,
            normalized=read.normalized,
            addresses=read.addresses,
        )
    except (FetchError, FeedError) as exc:
        http_status = getattr(exc, "http_status", None) or http_status
        return fail_run(
            run, source=source, counts=counts, http_status=http_status, error=str(exc), cause=exc, retry=retry
        )
    except SoftTimeLimitExceeded as exc:
        error = (
            f"Stopped after {settings.CELERY_TASK_SOFT_TIME_LIMIT} seconds (the task's time limit); "
            f"the {counts.new} new item(s) stored so far are kept and the next run continues."
        )
        return fail_run(run, source=source, counts=counts, http_status=http_status, error=error, cause=exc, retry=retry)
    except Exception as exc:  # a bug or a surprise: record it, then let the worker go on
        logger.exception("Ingesting %s failed", source)
        error = f"Unexpected error while ingesting: {exc.__class__.__name__}: {exc}"
        return fail_run(run, source=source, counts=counts, http_status=http_status, error=error, cause=exc, retry=retry)
    validators = {"etag": result.etag, "last_modified": result.last_modified}
    if counts.retry_items or counts.deferred:
        # The next poll must get the whole feed again (not a 304) to take what was left.
        validators = {"etag": "", "last_modified": ""}
    problems = []
    if counts.deferred:
        problems.append(
            f"stopped at {counts.cap} after {counts.new} new item(s); {counts.deferred} more are left for the next poll"
        )
    if counts.item_errors:
        problems.append(f"{counts.failed} item(s) skipped: " + "; ".join(counts.item_errors[:20]))
    if counts.notes:
        problems.append("; ".join(counts.notes[:20]))
    error = "; ".join(problems)
    finish_successful_run(
        run, source=source, status=Outcome.SUCCEEDED, counts=counts, http_status=http_status, error=error, **validators
    )
    to_enrich = dict.fromkeys([*counts.to_enrich, *_left_undrafted(source, run)])
    return IngestOutcome(run=run, to_enrich=tuple(to_enrich))


def _left_undrafted(source: Source, run: IngestionRun) -> list[int]:
    # Pieces an earlier run stored but never handed on (its worker was killed after the commit).
    read_with_the_source = getattr(source, "left_undrafted", None)
    if read_with_the_source is not None:
        return list(read_with_the_source)
    leftovers = Article.objects.filter(source=source, status=Status.INGESTED, created_at__lt=run.started_at)
    return list(leftovers.values_list("pk", flat=True))


def fail_run(run, *, source, counts, http_status, error, cause, retry: bool = False) -> IngestOutcome:
    """Record a failed run on itself and its source; the outcome says whether the failure may pass."""
    retry_after = getattr(cause, "retry_after", 0)
    record_failure(source=source, error=error, retry=retry, retry_after=retry_after)
    finish_run(run, status=Outcome.FAILED, counts=counts, http_status=http_status, error=error)
    return IngestOutcome(run=run, transient=bool(getattr(cause, "transient", False)), retry_after=retry_after)
