"""Celery tasks: each loads ids, calls the function in articles/ingest or workflow, and states its retry policy.

Every task may run twice (acks late, redelivery after a lost worker); the functions
they call make the second run a no-op or keep it out with a lock.
"""

import logging
import random
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from articles import workflow
from articles.ingest import pages, pipeline
from articles.models import Article, Source, Status

logger = logging.getLogger(__name__)


def retry_countdown(retries: int) -> float:
    """Exponential backoff with full jitter: 30 s, 60 s, 120 s … each scattered so retries do not stampede."""
    return random.uniform(0.5, 1.0) * 30 * (2**retries)


def too_many_deliveries(task) -> bool:
    """True once this very message has been delivered more than INGEST_MAX_DELIVERIES times.

    A task that kills its worker (out of memory, hard time limit) is redelivered because
    of acks_late; counting deliveries per task id stops such a poison message.
    """
    key = f"ingest:deliveries:{task.request.id}"
    cache.add(key, 0, timeout=24 * 3600)
    try:
        deliveries = cache.incr(key)
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
    try:
        run = pipeline.ingest_source(source_id=source_id, force=force)
    except pipeline.SourceBusy:
        logger.info("Source %s is already being ingested; skipped.", source_id)
        return None
    except Source.DoesNotExist:
        logger.info("Source %s no longer exists; skipped.", source_id)
        return None
    if getattr(run, "transient", False) and self.request.retries < settings.INGEST_TASK_RETRIES:
        raise self.retry(countdown=retry_countdown(self.request.retries))
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


@shared_task(bind=True, name="articles.tasks.enrich_article", max_retries=3, default_retry_delay=30)
def enrich_article(self, article_id: int):
    """Turn an ingested article into a draft. The enrichment issue replaces this body; the name and signature stay."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None or article.status != Status.INGESTED:
        return None
    try:
        workflow.start_draft(article=article, actor=None, reason="Ingested; ready for drafting")
    except workflow.TransitionRefused:
        return None  # moved on meanwhile (a curator or a second delivery got there first)
    return article.status
