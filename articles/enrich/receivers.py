"""Enrichment follows the data: a published brief that changes is re-related, and one that leaves
publication is withdrawn from the related lists. (Ingestion hands new pieces to enrichment itself:
articles.ingest.pipeline.queue_enrichment.)"""

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from kombu.exceptions import OperationalError as BrokerError

from articles.models import Article, Status
from articles.workflow import status_changed

logger = logging.getLogger(__name__)


def _queue(task_name: str, article_id: int):
    from articles import tasks

    try:
        getattr(tasks, task_name).delay(article_id)
    except (BrokerError, OSError):
        # The brief itself is saved; only its related list waits for its next change.
        logger.exception("Could not queue %s for brief %s: the task broker is unavailable.", task_name, article_id)


@receiver(post_save, sender=Article, dispatch_uid="enrich_related_on_save")
def relate_published_brief(sender, instance, raw=False, **kwargs):
    # Publishing saves the brief too, so this covers both "published" and "edited while published".
    if raw or instance.status != Status.PUBLISHED:
        return
    transaction.on_commit(lambda: _queue("refresh_related_task", instance.pk))


@receiver(status_changed, dispatch_uid="enrich_related_on_unpublish")
def withdraw_unpublished_brief(sender, article, old_status, new_status, **kwargs):
    if old_status == Status.PUBLISHED and new_status != Status.PUBLISHED:
        _queue("withdraw_related_task", article.pk)
