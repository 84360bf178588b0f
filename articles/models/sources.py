"""Where briefs come from: sources and the record of each attempt to ingest one."""

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .base import SLUG_MAX_LENGTH, TimeStamped, slug_url, unique_slug
from .briefs import Article


class SourceQuerySet(models.QuerySet):
    def public(self):
        """Sources with at least one published brief: the only ones readers and the anonymous API see.

        A feed just added, or the site of a single page a curator submitted, stays private
        (its name, host and address included) until an editor publishes something from it.
        """
        return self.filter(Exists(Article.objects.published().filter(source=OuterRef("pk"))))

    def visible_to(self, user):
        """Staff see every source; everyone else the public ones (as `ArticleQuerySet.visible_to`)."""
        if user is not None and user.is_active and user.is_staff:
            return self
        return self.public()

    def active(self):
        return self.filter(is_active=True)

    def due(self, now=None):
        """Active feed sources whose next fetch time has come (or was never set)."""
        now = now or timezone.now()
        return (
            self.active()
            .filter(kind=Source.Kind.FEED)
            .filter(Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now))
        )

    def failing(self):
        """Active sources whose last fetch failed."""
        return self.active().filter(consecutive_failures__gt=0)

    def silent(self, *, days: int = 7, now=None):
        """Active feeds that fetch without failing but have brought nothing new for `days` days."""
        since = (now or timezone.now()) - timezone.timedelta(days=days)
        recent = Q(articles__created_at__gte=since)
        return (
            self.active()
            .filter(kind=Source.Kind.FEED, consecutive_failures=0, created_at__lt=since)
            .annotate(recent_items=models.Count("articles", filter=recent))
            .filter(recent_items=0)
        )


class Source(TimeStamped):
    class Kind(models.TextChoices):
        FEED = "feed", "Feed (RSS, Atom, RDF or JSON Feed)"
        PAGE = "page", "Single pages added by hand"

    name = models.CharField(max_length=200, help_text="The publication's name, as the attribution line shows it.")
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True, help_text="Used in the source's page address.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FEED)
    url = models.URLField(
        "feed address",
        max_length=2000,
        unique=True,
        help_text="For a feed, the address of the RSS, Atom or JSON feed; for single pages, the site's home page.",
    )
    site_url = models.URLField("website", max_length=2000, blank=True, help_text="The publication's home page.")
    description = models.TextField(blank=True)
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Only active sources are polled. Switch off to pause a source without losing its briefs.",
    )
    poll_interval_minutes = models.PositiveIntegerField(
        default=60, help_text="How often to check the feed for new pieces, in minutes."
    )
    fetch_full_text = models.BooleanField(
        default=False,
        help_text="Fetch each item's page for its full text (for feeds that only carry teasers).",
    )
    # Conditional GET and health; written by ingestion, read-only in the admin.
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_fetch_at = models.DateTimeField(null=True, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    last_error = models.TextField(blank=True, editable=False)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["is_active", "next_fetch_at"], name="source_due_idx"),
            models.Index(fields=["name"], name="source_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(poll_interval_minutes__gte=1), name="source_poll_interval_positive"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Source, self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("articles:source", self.slug)

    @property
    def is_healthy(self) -> bool:
        return self.consecutive_failures == 0


class IngestionRun(models.Model):
    """One attempt to ingest one source, with what it found."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        NOT_MODIFIED = "not_modified", "Not modified (304)"
        FAILED = "failed", "Failed"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    items_seen = models.PositiveIntegerField(default=0)
    items_new = models.PositiveIntegerField(default=0)
    items_updated = models.PositiveIntegerField(default=0)
    items_unchanged = models.PositiveIntegerField(default=0)
    items_failed = models.PositiveIntegerField(default=0)
    items_deferred = models.PositiveIntegerField(
        default=0, help_text="New items left for the next poll because a cap on new items was reached."
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["source", "-started_at"], name="run_source_started_idx"),
            # The metrics count the runs of the last hour (articles/metrics.py).
            models.Index(fields=["started_at"], name="run_started_idx"),
        ]

    def __str__(self):
        return f"{self.source} at {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def duration(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at
