"""Thin Celery tasks: take ids, load, call the function that does the work, state the retry policy."""

from contextlib import suppress

from celery import shared_task
from django.core.cache import cache
from django.db import OperationalError

from articles import workflow
from articles.enrich import enrich_article as run_enrichment
from articles.enrich.related import refresh_related, withdraw_related
from articles.models import Article, Status

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
    if not cache.add(lock, True, ENRICH_LOCK_SECONDS):
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
        cache.delete(lock)


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
