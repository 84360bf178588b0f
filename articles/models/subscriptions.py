"""What readers and integrators subscribe to outside the website: email digests and webhooks.

Email: a `DigestRequest` is what the sign-up form records; it changes nothing until its
confirmation link is followed, which creates or updates the address's one
`DigestSubscription`. Each digest sent is a `DigestDelivery`, unique per subscription and
period, so a retried task finds the record and sends nothing twice.

Webhooks: a `WebhookEndpoint` is an integrator's address with its signing secret; each event
for each endpoint is a `WebhookDelivery`, the log the curation panel shows (and resends).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .briefs import Article
from .taxonomy import Field, Role, Topic

# --- Email digests ----------------------------------------------------------------------


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


def new_subscription_key() -> str:
    return secrets.token_urlsafe(24)


class DigestRequest(models.Model):
    """A sign-up waiting for its address to be confirmed (double opt-in); no digest goes out for it."""

    email = models.EmailField(max_length=254)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    # Chosen ids as they were at sign-up; a role or topic deleted since is simply left out at confirmation.
    role_ids = models.JSONField(default=list, blank=True)
    field_ids = models.JSONField(default=list, blank=True)
    topic_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "articles"
        verbose_name = "digest sign-up"
        verbose_name_plural = "digest sign-ups"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email", "created_at"], name="digest_request_email_idx")]

    def __str__(self):
        return (
            f"{self.email} ({self.get_frequency_display().lower()}, {'confirmed' if self.confirmed_at else 'waiting'})"
        )


class DigestSubscriptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(unsubscribed_at__isnull=True)


class DigestSubscription(models.Model):
    """One confirmed address: the roles, fields and topics it follows, and how often it hears about them."""

    email = models.EmailField(max_length=254, unique=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    roles = models.ManyToManyField(Role, blank=True, related_name="digest_subscriptions")
    fields = models.ManyToManyField(
        Field, blank=True, related_name="digest_subscriptions", help_text="An area includes all its subfields."
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="digest_subscriptions")
    key = models.CharField(
        max_length=64,
        unique=True,
        default=new_subscription_key,
        editable=False,
        help_text="The secret part of the unsubscribe link in every digest.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(help_text="When the reader last confirmed their choices.")
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    settled_period = models.CharField(
        max_length=16,
        blank=True,
        editable=False,
        help_text="The last period (e.g. 2026-12-02 or 2026-W49) already sent or found to have nothing new.",
    )

    objects = DigestSubscriptionQuerySet.as_manager()

    class Meta:
        app_label = "articles"
        verbose_name = "email digest subscriber"
        ordering = ["email"]
        indexes = [models.Index(fields=["frequency", "settled_period"], name="digest_sub_due_idx")]

    def __str__(self):
        return self.email

    @property
    def is_active(self) -> bool:
        return self.unsubscribed_at is None

    def scope_label(self) -> str:
        """ "CTO, AI & ML and Agents": what the subscriber follows, as the digest's subject says it."""
        names = [r.name for r in self.roles.all()] + [f.name for f in self.fields.all()]
        names += [t.name for t in self.topics.all()]
        if len(names) <= 1:
            return names[0] if names else "nothing yet"
        return f"{', '.join(names[:-1])} and {names[-1]}"


class DigestDelivery(models.Model):
    """One digest for one subscriber and one period; the unique pair is what keeps a retry from sending twice."""

    class State(models.TextChoices):
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will be retried"
        UNCERTAIN = "uncertain", "Interrupted while sending; not sent again"

    subscription = models.ForeignKey(DigestSubscription, on_delete=models.CASCADE, related_name="deliveries")
    period = models.CharField(max_length=16, help_text="2026-12-02 for a daily digest, 2026-W49 for a weekly one.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENDING)
    briefs = models.ManyToManyField(Article, blank=True, related_name="+")
    covered_from = models.DateTimeField(help_text="Briefs published after this moment …")
    covered_until = models.DateTimeField(help_text="… and up to this one are in the digest.")
    attempts = models.PositiveSmallIntegerField(default=1)
    claimed_at = models.DateTimeField(default=timezone.now, help_text="When the last attempt to send began.")
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    message_id = models.CharField(max_length=200, blank=True)

    class Meta:
        app_label = "articles"
        verbose_name = "email digest sent"
        verbose_name_plural = "email digests sent"
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "period"], name="digest_delivery_once_per_period"),
        ]

    def __str__(self):
        return f"{self.subscription} {self.period} ({self.get_state_display().lower()})"


# --- Webhooks ---------------------------------------------------------------------------


class WebhookEvent(models.TextChoices):
    BRIEF_PUBLISHED = "brief.published", "A brief is published"
    BRIEF_UPDATED = "brief.updated", "A published brief is edited"
    BRIEF_UNPUBLISHED = "brief.unpublished", "A brief leaves publication"


def new_webhook_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def all_webhook_events() -> list[str]:
    return list(WebhookEvent.values)


class WebhookEndpointQuerySet(models.QuerySet):
    def listening_to(self, event: str):
        """Active endpoints that asked for `event`."""
        return [endpoint for endpoint in self.filter(is_active=True) if event in endpoint.events]


class WebhookEndpoint(models.Model):
    """An integrator's address that is told when briefs are published, edited or unpublished."""

    name = models.CharField(max_length=100, help_text="Who receives it, e.g. “Intranet newsroom”.")
    url = models.URLField(
        "address",
        max_length=2000,
        help_text="Where events are POSTed (http or https). Addresses inside private networks are refused.",
    )
    events = models.JSONField(default=all_webhook_events, help_text="The events this address receives.")
    secret = models.CharField(
        max_length=100,
        default=new_webhook_secret,
        help_text="Signs every delivery (HMAC-SHA256); give it to the integrator, who checks the signature with it.",
    )
    is_active = models.BooleanField(default=True, help_text="Untick to stop sending without deleting the log.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        app_label = "articles"
        verbose_name = "webhook endpoint"
        ordering = ["name"]

    def __str__(self):
        return self.name


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one endpoint: the body as signed, and how the receiver answered."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        RETRYING = "retrying", "Failed, will be retried"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    event_id = models.UUIDField(
        default=uuid.uuid4, editable=False, help_text="Sent as X-Distillery-Delivery; the same on every retry."
    )
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    payload = models.JSONField(help_text="The JSON body, fixed when the event happened.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    response_ms = models.PositiveIntegerField("response time (ms)", null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "articles"
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(event__in=WebhookEvent.values), name="webhook_delivery_event_valid"),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint} ({self.get_state_display().lower()})"
