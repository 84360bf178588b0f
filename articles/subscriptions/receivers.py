"""Webhook events follow the brief: published and unpublished from the workflow's `status_changed`,
updated from a save of a brief that was already published and stays so.

Each receiver runs after the transaction commits, records the deliveries and queues them; a broker
that is down loses no event (the deliveries wait in the log, and beat's requeue_stalled_webhooks
queues them again)."""

import logging

from django.db import DatabaseError, transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from kombu.exceptions import OperationalError as BrokerError

from articles import tasks
from articles.api.events import brief_for_event
from articles.models import Article, Status, WebhookDelivery, WebhookEndpoint, WebhookEvent
from articles.subscriptions import webhooks
from articles.workflow import status_changed

logger = logging.getLogger(__name__)


def record_brief_event(event: str, article_id: int) -> list[WebhookDelivery]:
    """Record `event` for every endpoint listening to it, with the brief as the API shows it now."""
    endpoints = WebhookEndpoint.objects.listening_to(event)
    if not endpoints:
        return []
    article = Article.objects.filter(pk=article_id).defer("content_html", "content_text").with_taxonomy().first()
    if article is None:
        return []
    if event != WebhookEvent.BRIEF_UNPUBLISHED and article.status != Status.PUBLISHED:
        return []  # unpublished again before this ran: the unpublished event tells the story
    brief = brief_for_event(article, event)
    return webhooks.record_event(event=event, article=article, brief=brief, endpoints=endpoints)


def raise_event(event: str, article_id: int) -> None:
    try:
        deliveries = record_brief_event(event, article_id)
    except DatabaseError:
        # This runs after the editor's change has committed: failing their request now would tell them
        # the change was lost when only the notification was.
        logger.exception("Could not record the %s webhook event for brief %s.", event, article_id)
        return
    for delivery in deliveries:
        transaction.on_commit(lambda delivery_id=delivery.pk: queue_delivery(delivery_id))


def queue_delivery(delivery_id: int) -> None:
    try:
        tasks.deliver_webhook.delay(delivery_id)
    except (BrokerError, OSError):
        logger.exception("Could not queue webhook delivery %s: the task broker is unavailable.", delivery_id)


@receiver(status_changed, dispatch_uid="webhooks_on_status_change")
def brief_status_changed(sender, article, old_status, new_status, **kwargs):
    if new_status == Status.PUBLISHED and old_status != Status.PUBLISHED:
        raise_event(WebhookEvent.BRIEF_PUBLISHED, article.pk)
    elif old_status == Status.PUBLISHED and new_status != Status.PUBLISHED:
        raise_event(WebhookEvent.BRIEF_UNPUBLISHED, article.pk)


@receiver(pre_save, sender=Article, dispatch_uid="webhooks_remember_published")
def remember_if_published(sender, instance, raw=False, **kwargs):
    # Only a save that keeps a published brief published is an edit readers (and integrators) see;
    # the save that publishes it is the "published" event.
    instance._was_published = (
        not raw
        and instance.pk is not None
        and instance.status == Status.PUBLISHED
        and Article.objects.filter(pk=instance.pk, status=Status.PUBLISHED).exists()
    )


@receiver(post_save, sender=Article, dispatch_uid="webhooks_on_published_edit")
def published_brief_saved(sender, instance, raw=False, **kwargs):
    if raw or not getattr(instance, "_was_published", False) or instance.status != Status.PUBLISHED:
        return
    article_id = instance.pk
    # After commit, so the event carries the taxonomy saved after the brief itself.
    transaction.on_commit(lambda: raise_event(WebhookEvent.BRIEF_UPDATED, article_id))
