"""Thin Celery tasks: each loads ids, calls the function in articles/ingest, articles/enrich or
workflow that does the work, and states its retry policy.

Every task may run twice (acks late, redelivery after a lost worker); the functions
they call make the second run a no-op or keep it out with a lock.
"""

import logging
import random
from contextlib import suppress
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from articles import workflow
from articles.enrich import enrich_article as run_enrichment
from articles.enrich.related import refresh_related, withdraw_related
from articles.ingest import pages, pipeline
from articles.ingest.fetch import lock_cache
from articles.models import Article, DigestRequest, Source, Status
from articles.subscriptions import digests, webhooks

logger = logging.getLogger(__name__)


MAX_RETRY_AFTER_SECONDS = 3600


def retry_countdown(retries: int) -> float:
    """Exponential backoff with full jitter: 30 s, 60 s, 120 s … each scattered so retries do not stampede."""
    return random.uniform(0.5, 1.0) * 30 * (2**retries)


def too_many_deliveries(task) -> bool:
    """True once this very message has been delivered more than INGEST_MAX_DELIVERIES times.

    A task that kills its worker (out of memory, hard time limit) is redelivered because
    of acks_late; counting deliveries per task id stops such a poison message.
    """
    key = f"ingest:deliveries:{task.request.id}"
    counters = lock_cache()
    counters.add(key, 0, timeout=24 * 3600)
    try:
        deliveries = counters.incr(key)
    except ValueError:  # expired between add and incr
        deliveries = 1
    return deliveries > settings.INGEST_MAX_DELIVERIES


@shared_task(bind=True, name="articles.tasks.ingest_source", max_retries=None)
def ingest_source(self, source_id: int, force: bool = False):
    """Ingest one source; retried with backoff for timeouts and server errors only."""
    if too_many_deliveries(self):
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
    try:
        run = pipeline.ingest_source(source_id=source_id, force=force, retry=self.request.retries > 0)
    except pipeline.SourceBusy:
        logger.info("Source %s is already being ingested; skipped.", source_id)
        return None
    except Source.DoesNotExist:
        logger.info("Source %s no longer exists; skipped.", source_id)
        return None
    retry_after = getattr(run, "retry_after", 0)
    # Never sooner than the server asked (Retry-After on a 429 or 503); a wait over an hour is left
    # to the schedule, whose next fetch time already honours it.
    if (
        getattr(run, "transient", False)
        and self.request.retries < settings.INGEST_TASK_RETRIES
        and retry_after <= MAX_RETRY_AFTER_SECONDS
    ):
        raise self.retry(countdown=max(retry_countdown(self.request.retries), retry_after))
    return run.status


@shared_task(bind=True, name="articles.tasks.ingest_page", max_retries=None)
def ingest_page(self, source_id: int, url: str):
    """Fetch one page a curator added and store it as a brief."""
    if too_many_deliveries(self):
        return None
    try:
        run = pages.ingest_page(source_id=source_id, url=url)
    except (pipeline.SourceBusy, Source.DoesNotExist):
        return None
    if getattr(run, "transient", False) and self.request.retries < settings.INGEST_TASK_RETRIES:
        raise self.retry(countdown=retry_countdown(self.request.retries))
    return run.status


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

ENRICH_LOCK_SECONDS = 600  # longer than a generative call and the soft time limit together


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
    lock = f"enrich-article:{article_id}"
    if not lock_cache().add(lock, True, ENRICH_LOCK_SECONDS):
        # The same brief is being enriched right now: try again once that run is over.
        raise self.retry(countdown=60)
    try:
        article = Article.objects.filter(pk=article_id).select_related("source").first()
        if article is None:
            return  # deleted since it was queued
        run_enrichment(article=article)
        if article.status == Status.INGESTED:
            # A curator may have moved it in the meantime; their step stands.
            with suppress(workflow.TransitionRefused):
                workflow.start_draft(article=article, actor=None, reason="Machine draft ready")
    finally:
        lock_cache().delete(lock)


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
