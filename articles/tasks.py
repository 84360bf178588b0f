"""Thin Celery tasks, and the only layer that queues work.

Each task loads ids, calls the function in articles/ingest, articles/enrich or workflow that
does the work, reads the outcome it returns, queues what follows once the transaction
commits, and states its retry policy. The `queue_*` functions here are how the admin, the
API and the commands ask for work; the signal receivers at the bottom queue the work that
follows a brief's publication.

Every task may run twice (acks late, redelivery after a lost worker); the functions
they call make the second run a no-op or keep it out with a lock.
"""

import logging
import random
from datetime import timedelta
from typing import TYPE_CHECKING

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from articles.enrich import enrich_article as run_enrichment
from articles.enrich import enrich_articles as run_enrichments
from articles.enrich import generative
from articles.enrich.related import refresh_related, withdraw_related
from articles.locks import Busy, enrich_lock, note_drafting_turn, sources_with_recent_turns, too_many_deliveries
from articles.models import Article, DigestRequest, Source, Status
from articles.subscriptions import digests, webhooks
from articles.workflow import status_changed

if TYPE_CHECKING:
    from articles.ingest.pipeline import IngestOutcome
# The ingestion modules (feedparser, nh3, lxml, httpx) are imported by the tasks that ingest: every process imports
# this module (the admin and the app's receivers do), and a drafting process, the web and beat never ingest.

logger = logging.getLogger(__name__)


# --- Asking for work ---------------------------------------------------------------------


def queue_ingestion(*, source: Source) -> None:
    """ "Ingest now": queue one run of a feed source once this transaction commits, due or not.

    Raises pipeline.NotAFeedSource for a source of single pages.
    """
    from articles.ingest import pipeline

    pipeline.ensure_feed_source(source)
    source_id = source.pk
    transaction.on_commit(lambda: ingest_source.delay(source_id, force=True))


def queue_page(*, source: Source, url: str) -> None:
    """ "Add a single page": fetch `url` into `source` once this transaction commits."""
    source_id = source.pk
    transaction.on_commit(lambda: ingest_page.delay(source_id, url))


def queue_enrichment(article_ids) -> None:
    """Hand new or changed pieces to drafting once this transaction commits, fairly across sources.

    Each of their sources gets a drafting turn (`draft_next`) in the "drafting" queue; a turn
    drafts a few waiting pieces and queues the source's next turn behind everyone else's. A feed
    that brings thousands of pieces takes turns with the other sources instead of going first.
    With ENRICH_ON_INGEST off they stay `ingested` until a curator drafts them.
    """
    if not article_ids or not settings.ENRICH_ON_INGEST:
        return
    source_ids = sorted(set(Article.objects.filter(pk__in=list(article_ids)).values_list("source_id", flat=True)))
    transaction.on_commit(lambda: [queue_drafting_turn(source_id) for source_id in source_ids])


def queue_drafting_turn(source_id: int, after_id: int = 0) -> None:
    """Queue `source_id`'s next drafting turn, noted so beat knows its turns go on (`resume_drafting`)."""
    draft_next.delay(source_id, after_id)
    note_drafting_turn(source_id)  # not when the broker refused it: then beat gives the source a turn again


def queue_follow_ups(outcome: "IngestOutcome") -> None:
    """What an ingestion run leads to: the briefs it stored go to enrichment."""
    queue_enrichment(outcome.to_enrich)


# --- Ingestion ------------------------------------------------------------------------


def retry_countdown(retries: int) -> float:
    """Exponential backoff with full jitter: 30 s, 60 s, 120 s … each scattered so retries do not stampede.

    Never more than TASK_MAX_RETRY_WAIT: the broker's visibility timeout is sized to it.
    """
    return min(random.uniform(0.5, 1.0) * 30 * (2**retries), settings.TASK_MAX_RETRY_WAIT)


@shared_task(bind=True, name="articles.tasks.ingest_source", max_retries=None)
def ingest_source(self, source_id: int, force: bool = False):
    """Ingest one source; retried with backoff for timeouts and server errors only."""
    if too_many_deliveries(self.request.id):
        logger.error("Giving up on ingest_source(%s): delivered too many times without finishing.", source_id)
        Source.objects.filter(pk=source_id).update(
            last_error=f"Ingestion stopped after {settings.INGEST_MAX_DELIVERIES} attempts that never finished "
            "(the worker was killed each time); it will be tried again at the next interval."
        )
        return None
    if not force and Source.objects.filter(pk=source_id, is_active=False).exists():
        # Paused after this poll (or its retry) was queued: the curator's pause stands.
        logger.info("Source %s was paused; skipped.", source_id)
        return None
    from articles.ingest import pipeline

    try:
        outcome = pipeline.ingest_source(source_id=source_id, force=force, retry=self.request.retries > 0)
    except Busy:
        logger.info("Source %s is already being ingested; skipped.", source_id)
        return None
    except Source.DoesNotExist:
        logger.info("Source %s no longer exists; skipped.", source_id)
        return None
    queue_follow_ups(outcome)
    # Never sooner than the server asked (Retry-After on a 429 or 503); a longer wait than a message may
    # spend in a worker's hands is left to the schedule, whose next fetch time already honours it.
    if (
        outcome.transient
        and self.request.retries < settings.INGEST_TASK_RETRIES
        and outcome.retry_after <= settings.TASK_MAX_RETRY_WAIT
    ):
        countdown = max(retry_countdown(self.request.retries), outcome.retry_after)
        raise self.retry(countdown=min(countdown, settings.TASK_MAX_RETRY_WAIT))
    return outcome.status


@shared_task(bind=True, name="articles.tasks.ingest_page", max_retries=None)
def ingest_page(self, source_id: int, url: str):
    """Fetch one page a curator added and store it as a brief."""
    if too_many_deliveries(self.request.id):
        return None
    from articles.ingest import pages

    try:
        outcome = pages.ingest_page(source_id=source_id, url=url)
    except (Busy, Source.DoesNotExist):
        return None
    queue_follow_ups(outcome)
    if outcome.transient and self.request.retries < settings.INGEST_TASK_RETRIES:
        raise self.retry(countdown=retry_countdown(self.request.retries))
    return outcome.status


@shared_task(name="articles.tasks.close_interrupted_runs")
def close_interrupted_runs() -> int:
    """Close runs whose worker died (their lease lapsed) and queue their sources again at once."""
    from articles.ingest import pipeline

    source_ids = pipeline.close_lapsed_runs()
    for source_id in source_ids:
        transaction.on_commit(lambda source_id=source_id: ingest_source.delay(source_id))
    return len(source_ids)


@shared_task(name="articles.tasks.ingest_due_sources")
def ingest_due_sources() -> int:
    """Queue one ingest_source per due source (beat runs this every minute)."""
    now = timezone.now()
    queued = 0
    for source in Source.objects.due(now).only("pk", "poll_interval_minutes", "next_fetch_at"):
        # Claim the source until its next interval so the next tick does not queue it again
        # while this message waits; the run itself sets the real next time.
        claimed = Source.objects.filter(pk=source.pk, next_fetch_at=source.next_fetch_at).update(
            next_fetch_at=now + timedelta(minutes=source.poll_interval_minutes)
        )
        if claimed:
            source_id = source.pk
            transaction.on_commit(lambda source_id=source_id: ingest_source.delay(source_id))
            queued += 1
    return queued


# --- Enrichment ---------------------------------------------------------------------


@shared_task(
    name="articles.tasks.enrich_article",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def enrich_article(self, article_id: int):
    """Draft a brief and move it from ingested to draft; a second run refreshes the suggestions only."""
    try:
        with enrich_lock(article_id):
            _draft(article_id)
    except Busy:
        # The same brief is being drafted by a live worker right now: try again once that run is over.
        raise self.retry(countdown=60) from None


def _draft(article_id: int) -> None:
    article = Article.objects.filter(pk=article_id).select_related("source").first()
    if article is None:
        return  # deleted since it was queued
    # An ingested piece moves to draft with its draft, in one transaction (a curator's step meanwhile stands).
    run_enrichment(article=article, start_draft=True)


DRAFTING_LOOKAHEAD = 15  # pieces beyond its own a turn may skip because another worker is drafting them


def drafting_turn() -> int:
    """Pieces a turn drafts and keeps in one commit: DRAFTING_TURN_PIECES (20), a fraction of a second of
    extractive drafting, so every other source's turn still comes round soon, and enough that the turn's fixed
    cost (its reads, writes and commit) is shared; one at a time with a language model, whose drafts take
    seconds each."""
    return 1 if generative.is_enabled() else settings.DRAFTING_TURN_PIECES


@shared_task(
    name="articles.tasks.draft_next",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def draft_next(source_id: int, after_id: int = 0) -> list[int]:
    """One drafting turn of a source: draft its next pieces still waiting, then queue its next turn.

    A turn drafts up to `drafting_turn()` pieces in one commit (a piece that fails is logged and
    passed; the others are kept). Turns walk the source's waiting pieces in order (`after_id`), so
    a piece that cannot leave "ingested" is passed, never drafted in a loop; a turn killed
    mid-draft is redelivered and takes its pieces over (their locks' holder is dead). Returns the
    ids drafted, in order; none at the end.
    """
    turn = drafting_turn()
    waiting = Article.objects.filter(source_id=source_id, status=Status.INGESTED, pk__gt=after_id).order_by("pk")
    locks = []
    for article_id in waiting.values_list("pk", flat=True)[: turn + DRAFTING_LOOKAHEAD]:
        lock = enrich_lock(article_id)
        if lock.acquire():  # else being drafted right now by an explicit request or another turn
            locks.append((article_id, lock))
            if len(locks) == turn:
                break
    if not locks:
        return []
    ids = [article_id for article_id, _lock in locks]
    try:
        pieces = list(Article.objects.filter(pk__in=ids).select_related("source").order_by("pk"))
        outcomes = run_enrichments(articles=pieces, start_draft=True)
    finally:
        for _article_id, lock in locks:
            lock.release()
    failures = [outcome.error for outcome in outcomes if outcome.error is not None]
    if any(isinstance(error, OperationalError) for error in failures):
        # The database went away mid-turn: the turn is retried, and the retry queues the next turn (queued
        # here too, the source would walk on in two chains); the pieces kept meanwhile are not waiting any more.
        raise next(error for error in failures if isinstance(error, OperationalError))
    transaction.on_commit(lambda: queue_drafting_turn(source_id, ids[-1]))
    return [outcome.article.pk for outcome in outcomes if outcome.run is not None]


@shared_task(name="articles.tasks.resume_drafting")
def resume_drafting() -> list[int]:
    """Give a drafting turn to each source whose pieces wait with none of its turns under way (beat, every 5 min).

    A source's turns stop when one finds nothing left, but also when one runs out of retries (the
    database away longer than its backoff) or its next turn could not be queued (the broker away).
    Without this its pieces would wait for the source's next new item, or for a curator. A source
    counts as stopped when a piece has waited DRAFTING_STALL_MINUTES and no turn of it was queued
    for as long. Returns the sources given a turn.
    """
    if not settings.ENRICH_ON_INGEST:
        return []  # pieces wait for a curator on purpose
    stalled_since = timezone.now() - timedelta(minutes=settings.DRAFTING_STALL_MINUTES)
    waiting = (
        Article.objects.filter(status=Status.INGESTED, created_at__lt=stalled_since)
        .order_by("source_id")
        .values_list("source_id", flat=True)
        .distinct()
    )
    source_ids = list(waiting)
    under_way = sources_with_recent_turns(source_ids)
    stopped = [source_id for source_id in source_ids if source_id not in under_way]
    for source_id in stopped:
        logger.warning("Drafting of source %s had stopped with pieces waiting; it takes turns again.", source_id)
        queue_drafting_turn(source_id)
    return stopped


@shared_task(
    name="articles.tasks.refresh_related",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def refresh_related_task(article_id: int):
    article = Article.objects.filter(pk=article_id).first()
    if article is not None:
        refresh_related(article=article)


@shared_task(
    name="articles.tasks.withdraw_related",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def withdraw_related_task(article_id: int):
    """A brief left publication: drop links to it and refill the lists it was in."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None or article.status == Status.PUBLISHED:
        return
    for affected_id in withdraw_related(article=article):
        refresh_related_task.delay(affected_id)


# --- What follows a brief's publication ----------------------------------------------------
# A published brief that changes is re-related, and one that leaves publication is withdrawn
# from the related lists. (Ingestion's follow-ups are queued by the ingestion tasks above.)


def _queue(task, article_id: int):
    try:
        task.delay(article_id)
    except (BrokerError, OSError):
        # The brief itself is saved; only its related list waits for its next change.
        logger.exception("Could not queue %s for brief %s: the task broker is unavailable.", task.name, article_id)


@receiver(post_save, sender=Article, dispatch_uid="enrich_related_on_save")
def relate_published_brief(sender, instance, raw=False, **kwargs):
    # Publishing saves the brief too, so this covers both "published" and "edited while published".
    if raw or instance.status != Status.PUBLISHED:
        return
    transaction.on_commit(lambda: _queue(refresh_related_task, instance.pk))


@receiver(status_changed, dispatch_uid="enrich_related_on_unpublish")
def withdraw_unpublished_brief(sender, article, old_status, new_status, **kwargs):
    if old_status == Status.PUBLISHED and new_status != Status.PUBLISHED:
        _queue(withdraw_related_task, article.pk)


# --- Subscriptions: email digests and webhooks ---------------------------------------------


@shared_task(
    name="articles.tasks.send_digest_confirmation",
    autoretry_for=(digests.DigestNotSent, OperationalError),
    retry_backoff=60,
    max_retries=5,
)
def send_digest_confirmation(request_id: int):
    """Send a sign-up's confirmation email; a repeated run sends nothing (the request records it)."""
    digest_request = DigestRequest.objects.filter(pk=request_id).first()
    if digest_request is not None:
        digests.send_confirmation(digest_request=digest_request)


@shared_task(name="articles.tasks.queue_due_digests")
def queue_due_digests() -> int:
    """Queue one send_digest per subscriber whose daily or weekly digest is due (beat runs this every 10 minutes),
    and forget sign-ups whose confirmation link expired unused."""
    digests.forget_stale_requests()
    due = digests.due_digests()
    for subscription_id, period in due:
        send_digest.delay(subscription_id, period)
    return len(due)


@shared_task(
    name="articles.tasks.send_digest",
    autoretry_for=(digests.DigestNotSent, OperationalError),
    retry_backoff=120,
    retry_backoff_max=3600,
    max_retries=6,
)
def send_digest(subscription_id: int, period: str) -> str:
    """Send one period's digest to one subscriber; safe to run twice (see articles/subscriptions/digests.py)."""
    return digests.send_digest(subscription_id=subscription_id, period=period).state


@shared_task(bind=True, name="articles.tasks.deliver_webhook", max_retries=None)
def deliver_webhook(self, delivery_id: int) -> str:
    """POST one webhook delivery; retried with exponential backoff (never sooner than a 429's Retry-After)
    until WEBHOOK_MAX_ATTEMPTS, which deliver() counts and enforces."""
    outcome = webhooks.deliver(delivery_id=delivery_id)
    if outcome.state == "retry":
        raise self.retry(countdown=outcome.retry_in)
    return outcome.state


@shared_task(name="articles.tasks.requeue_stalled_webhooks")
def requeue_stalled_webhooks() -> int:
    """Queue again the webhook deliveries whose message was lost (beat runs this every 10 minutes)."""
    stalled = webhooks.stalled_deliveries()
    for delivery_id in stalled:
        deliver_webhook.delay(delivery_id)
    return len(stalled)
