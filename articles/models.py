"""The brief and everything it hangs on: sources, taxonomy, related links, ingestion runs.

Reads that carry meaning are QuerySet methods (`Article.objects.published()`); writes
that carry rules live in `workflow.py` and `ingest/`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

SLUG_MAX_LENGTH = 200


def validate_text_list(value):
    """An ordered list (insights, principles, in practice) is a JSON list of non-empty strings."""
    if not isinstance(value, list):
        raise ValidationError("Expected a list of items, one per line.")
    for position, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(f"Item {position} is empty; remove it or write it out.")


def unique_slug(model, text: str, *, exclude_pk=None, max_length: int = SLUG_MAX_LENGTH) -> str:
    """A slug from `text` not yet used by `model`: "title", then "title-2", "title-3" …"""
    base = slugify(text)[: max_length - 6].strip("-") or "untitled"
    taken = set(model.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    candidate, counter = base, 2
    while candidate in taken:
        candidate = f"{base}-{counter}"
        counter += 1
    return candidate


class TimeStamped(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# --- Sources ----------------------------------------------------------------------------


class SourceQuerySet(models.QuerySet):
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

    def with_article_counts(self):
        return self.annotate(
            articles_total=models.Count("articles", distinct=True),
            articles_published=models.Count("articles", filter=Q(articles__status=Status.PUBLISHED), distinct=True),
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
        indexes = [models.Index(fields=["is_active", "next_fetch_at"], name="source_due_idx")]
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
        return reverse("articles:source", kwargs={"slug": self.slug})

    @property
    def is_healthy(self) -> bool:
        return self.consecutive_failures == 0


# --- Taxonomy ---------------------------------------------------------------------------


class FieldQuerySet(models.QuerySet):
    def areas(self):
        return self.filter(parent__isnull=True)

    def subfields(self):
        return self.filter(parent__isnull=False)


class Field(models.Model):
    """Two levels: an area ("Technology & Digital") and its subfields ("AI & ML")."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subfields",
        limit_choices_to={"parent__isnull": True},
        verbose_name="area",
        help_text="Leave empty for an area; choose the area for a subfield.",
    )
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order among its siblings.")

    objects = FieldQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="field_unique_name_in_area"),
            models.UniqueConstraint(fields=["name"], condition=Q(parent__isnull=True), name="field_unique_area_name"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="field_not_own_parent"),
        ]

    def __str__(self):
        return f"{self.parent.name} — {self.name}" if self.parent_id else self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Field, self.name, exclude_pk=self.pk, max_length=140)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:field", kwargs={"slug": self.slug})

    @property
    def is_area(self) -> bool:
        return self.parent_id is None

    @property
    def area(self) -> "Field":
        return self.parent if self.parent_id else self

    def clean(self):
        if self.parent_id:
            if self.parent.parent_id:
                raise ValidationError({"parent": "Fields have two levels: choose an area, not a subfield."})
            if self.pk and self.subfields.exists():
                raise ValidationError({"parent": "This area has subfields, so it cannot become a subfield itself."})


class Topic(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Topic, self.name, exclude_pk=self.pk, max_length=140)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:topic", kwargs={"slug": self.slug})


class Role(models.Model):
    """A reader a brief is best for: CTO, Policy Maker, AI Scientist …"""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists of roles.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Role, self.name, exclude_pk=self.pk, max_length=140)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:role", kwargs={"slug": self.slug})


# --- Briefs -----------------------------------------------------------------------------


class Status(models.TextChoices):
    INGESTED = "ingested", "Ingested"
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    ARCHIVED = "archived", "Archived"


class Level(models.TextChoices):
    INTRODUCTORY = "introductory", "Introductory"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"
    EXPERT = "expert", "Expert"


class Length(models.TextChoices):
    SHORT = "short", "short"
    MEDIUM = "medium", "medium"
    LONG = "long", "long"


QUEUE_STATUSES = (Status.DRAFT, Status.IN_REVIEW)


def length_for_minutes(minutes: int | None) -> str:
    """Short, medium or long from reading time; the thresholds are settings."""
    if not minutes:
        return ""
    if minutes >= settings.READING_MINUTES_LONG:
        return Length.LONG
    if minutes >= settings.READING_MINUTES_MEDIUM:
        return Length.MEDIUM
    return Length.SHORT


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user):
        """Staff preview everything; everyone else sees published briefs only."""
        if user is not None and user.is_active and user.is_staff:
            return self
        return self.published()

    def in_queue(self):
        """What needs a curator now: drafts and briefs in review, oldest first."""
        return self.filter(status__in=QUEUE_STATUSES).order_by("created_at", "pk")

    def for_role(self, role):
        return self.filter(roles=role)

    def for_field(self, field):
        """A subfield's briefs; for an area, the briefs of the area or any of its subfields."""
        if field.parent_id:
            return self.filter(fields=field)
        return self.filter(Q(fields=field) | Q(fields__parent=field)).distinct()

    def for_topic(self, topic):
        return self.filter(topics=topic)

    def for_source(self, source):
        return self.filter(source=source)

    def latest_first(self):
        return self.order_by(F("published_at").desc(nulls_last=True), "-created_at", "-pk")

    def with_taxonomy(self):
        """Everything a card or a brief page shows, in a constant number of queries."""
        return self.select_related("source").prefetch_related(
            Prefetch("fields", queryset=Field.objects.select_related("parent")),
            "topics",
            "roles",
        )


class Article(TimeStamped):
    """A brief: our editorial distillation of one original piece."""

    # Brief
    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        blank=True,
        help_text="The brief's address. Filled from the title; fixed once the brief has been published.",
    )
    summary = models.TextField(blank=True, help_text="One editorial paragraph: what the piece says and why it matters.")
    takeaway = models.TextField(
        "key takeaway",
        blank=True,
        help_text="What the roles under Best for should do or remember; address them directly.",
    )
    insights = models.JSONField(
        "key insights",
        default=list,
        blank=True,
        validators=[validate_text_list],
        help_text="One insight per line, most important first.",
    )
    principles = models.JSONField(
        default=list, blank=True, validators=[validate_text_list], help_text="One principle per line."
    )
    method = models.TextField(blank=True, help_text="How the work was done or how the technique works.")
    in_practice = models.JSONField(
        "in practice",
        default=list,
        blank=True,
        validators=[validate_text_list],
        help_text="One concrete application per line.",
    )

    # Taxonomy
    fields = models.ManyToManyField(Field, blank=True, related_name="articles")
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    roles = models.ManyToManyField(Role, blank=True, related_name="articles", verbose_name="best for")

    # Depth
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    length = models.CharField(
        max_length=10,
        choices=Length.choices,
        blank=True,
        help_text="Filled from the reading time when left empty.",
    )
    reading_minutes = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Of the original piece.")

    # Source & original
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="articles")
    original_url = models.URLField(
        "original address",
        max_length=2000,
        unique=True,
        help_text="Canonical address of the original piece (tracking parameters removed).",
    )
    guid = models.CharField(max_length=1000, blank=True, help_text="The item's id in its feed, when it has one.")
    author = models.CharField(max_length=300, blank=True)
    original_published_at = models.DateTimeField("originally published", null=True, blank=True)
    language = models.CharField(max_length=20, blank=True)
    content_html = models.TextField(
        blank=True, help_text="Sanitized text of the original, for search and enrichment; never shown as ours."
    )
    content_text = models.TextField(blank=True, help_text="Plain text of the original.")
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)

    # Workflow
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INGESTED)
    status_changed_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="First publication; kept when a brief is unpublished and published again."
    )
    curated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="curated_articles",
        help_text="The last person who moved the brief through the workflow.",
    )

    # Enrichment: the same story from other sources (see articles/enrich/clusters.py).
    story_cluster = models.ForeignKey(
        "StoryCluster",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name="story",
        help_text="Set by the machine when other sources carry the same story.",
    )

    # Content is large and written by ingestion; history keeps the editorial fields.
    history = HistoricalRecords(excluded_fields=["content_html", "content_text"], m2m_fields=[fields, topics, roles])

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = "brief"
        verbose_name_plural = "briefs"
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_published_idx"),
            models.Index(fields=["status", "created_at"], name="article_status_created_idx"),
            models.Index(fields=["source", "status"], name="article_source_status_idx"),
            models.Index(fields=["level", "length"], name="article_depth_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="article_status_valid"),
            models.CheckConstraint(condition=Q(level__in=["", *Level.values]), name="article_level_valid"),
            models.CheckConstraint(condition=Q(length__in=["", *Length.values]), name="article_length_valid"),
        ]
        permissions = [
            ("publish_article", "Can publish and unpublish briefs"),
            ("reject_article", "Can reject briefs"),
            ("archive_article", "Can archive and restore briefs"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.length and self.reading_minutes:
            self.length = length_for_minutes(self.reading_minutes)
        if self.slug:
            super().save(*args, **kwargs)
            return
        # Two workers can pick the same slug at once; the unique constraint decides and
        # the loser takes the next free one.
        for _attempt in range(5):
            self.slug = unique_slug(Article, self.title, exclude_pk=self.pk)
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                if Article.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
                    continue
                self.slug = ""
                raise
        raise IntegrityError(f"Could not find a free slug for {self.title!r}.")

    def get_absolute_url(self):
        return reverse("articles:brief", kwargs={"slug": self.slug})

    def clean(self):
        if self.pk and self.published_at:
            stored_slug = Article.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if stored_slug and self.slug != stored_slug:
                raise ValidationError({"slug": "This brief has been published; its address can no longer change."})

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def depth_label(self) -> str:
        """ "Advanced, medium" as the brief page shows it."""
        parts = [self.get_level_display(), self.length]
        return ", ".join(part for part in parts if part)

    def field_groups(self) -> list[tuple[Field, list[Field]]]:
        """[(area, [subfields])] in display order; uses the prefetched fields."""
        groups: dict[int, tuple[Field, list[Field]]] = {}
        for field in sorted(self.fields.all(), key=lambda f: (f.area.position, f.area.name, f.position, f.name)):
            area = field.area
            entry = groups.setdefault(area.pk, (area, []))
            if not field.is_area:
                entry[1].append(field)
        return list(groups.values())

    @property
    def field_label(self) -> str:
        """ "Area — sub, sub; Area2" as the brief page shows it."""
        return "; ".join(
            f"{area.name} — {', '.join(sub.name for sub in subs)}" if subs else area.name
            for area, subs in self.field_groups()
        )

    @property
    def attribution(self) -> str:
        return (
            f"Editorial summary, takeaway, and curation by {settings.SITE_NAME}. "
            f"Original article published by {self.source.name}."
        )


class WorkQueueItem(Article):
    """The curation queue in the admin: drafts and briefs in review, oldest first."""

    class Meta:
        proxy = True
        verbose_name = "work queue item"
        verbose_name_plural = "work queue"


# --- Related briefs ---------------------------------------------------------------------


class RelatedLinkQuerySet(models.QuerySet):
    def shown_for(self, article, *, limit: int = 5):
        """Links a reader sees on `article`: pinned first, then computed by score, published targets only."""
        return self.shown().filter(from_article=article)[:limit]

    def shown(self):
        """The links readers see, for every brief at once (e.g. a Prefetch sliced per brief)."""
        return (
            self.filter(to_article__status=Status.PUBLISHED)
            .exclude(kind=RelatedLink.Kind.EXCLUDED)
            .select_related("to_article", "to_article__source")
            .order_by("kind_rank", "position", "-score", "to_article__title")
        )


class RelatedLinkManager(models.Manager.from_queryset(RelatedLinkQuerySet)):
    def get_queryset(self):
        # Pinned links sort before computed ones whatever their score.
        return (
            super()
            .get_queryset()
            .annotate(
                kind_rank=models.Case(
                    models.When(kind="pinned", then=models.Value(0)),
                    default=models.Value(1),
                    output_field=models.IntegerField(),
                )
            )
        )


class RelatedLink(TimeStamped):
    """One brief related to another: computed with a score, or curated (pinned or excluded)."""

    class Kind(models.TextChoices):
        COMPUTED = "computed", "Computed"
        PINNED = "pinned", "Pinned by a curator"
        EXCLUDED = "excluded", "Excluded by a curator"

    from_article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    to_article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+", verbose_name="related brief")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMPUTED)
    score = models.FloatField(default=0.0, help_text="Similarity from 0 to 1; set by the machine for computed links.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order of pinned links.")

    objects = RelatedLinkManager()

    class Meta:
        ordering = ["from_article", "position", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["from_article", "to_article"], name="related_link_unique_pair"),
            models.CheckConstraint(condition=~Q(from_article=F("to_article")), name="related_link_not_self"),
        ]

    def __str__(self):
        return f"{self.from_article} → {self.to_article} ({self.get_kind_display()})"


# --- Ingestion --------------------------------------------------------------------------


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
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "-started_at"], name="run_source_started_idx")]

    def __str__(self):
        return f"{self.source} at {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def duration(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


# --- Enrichment (machine drafts, story clusters) ------------------------------------------


class StoryCluster(TimeStamped):
    """One story reported by several sources: near-duplicate pieces the queue shows once."""

    lead = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The brief the queue shows for this story; the editor picks it. The others are named as sources.",
    )
    lead_chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        verbose_name = "story cluster"

    def __str__(self):
        return f"Story: {self.lead.title}" if self.lead_id else f"Story cluster {self.pk}"


class EnrichmentRun(models.Model):
    """One machine drafting of one brief: which backend wrote it and, if it fell back, why."""

    class Backend(models.TextChoices):
        EXTRACTIVE = "extractive", "Extractive (sentences of the original)"
        GENERATIVE = "generative", "Generative (language model)"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="enrichment_runs")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    backend = models.CharField(max_length=20, choices=Backend.choices)
    fallback_reason = models.TextField(
        blank=True, help_text="Why the generative backend's answer was not used, when it was asked and failed."
    )
    filled_sections = models.JSONField(default=list, blank=True, help_text="Empty sections the draft filled in.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["article", "-created_at"], name="enrichrun_article_created_idx")]

    def __str__(self):
        return f"{self.get_backend_display()} draft of {self.article} at {self.created_at:%Y-%m-%d %H:%M}"


class Suggestion(models.Model):
    """One machine suggestion for one section of a brief, with where it came from and how sure it is."""

    class Section(models.TextChoices):
        SUMMARY = "summary", "Summary"
        TAKEAWAY = "takeaway", "Key takeaway"
        INSIGHT = "insight", "Key insight"
        PRINCIPLE = "principle", "Principle"
        METHOD = "method", "Method"
        IN_PRACTICE = "in_practice", "In practice"
        TOPIC = "topic", "Topic"
        NEW_TOPIC = "new_topic", "New topic (not yet in the taxonomy)"
        FIELD = "field", "Field"
        ROLE = "role", "Best for"
        LEVEL = "level", "Level"
        LENGTH = "length", "Length"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for a curator"
        APPLIED = "applied", "Filled into an empty section"
        ACCEPTED = "accepted", "Accepted by a curator"
        DISCARDED = "discarded", "Discarded by a curator"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestions")
    run = models.ForeignKey(EnrichmentRun, on_delete=models.CASCADE, related_name="suggestions")
    section = models.CharField(max_length=20, choices=Section.choices)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within its section.")
    text = models.TextField(help_text="The suggested text, or the name of the suggested topic, field, role or depth.")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey(Field, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    confidence = models.FloatField(help_text="From 0 to 1: how sure the machine is.")
    # Provenance: where in the original's plain text the suggestion came from.
    paragraph = models.PositiveIntegerField(null=True, blank=True, help_text="Paragraph of the original, from 1.")
    char_start = models.PositiveIntegerField(null=True, blank=True)
    char_end = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["article", "section", "position", "pk"]
        indexes = [models.Index(fields=["article", "state"], name="suggestion_article_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="suggestion_confidence_0_1"
            ),
            models.CheckConstraint(
                condition=Q(char_start__isnull=True) | Q(char_end__gte=F("char_start")), name="suggestion_span_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.get_section_display()}: {self.text[:60]}"

    @property
    def provenance(self) -> str:
        """ "from paragraph 4" as the curation panel shows it."""
        if self.paragraph is None:
            return ""
        return f"from paragraph {self.paragraph}"


class OriginalityOverride(models.Model):
    """An editor published a brief above the originality limit: who, why, and the figures at that moment."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="originality_overrides")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()
    shared_share = models.FloatField(help_text="Share of the brief's 8-word sequences found in the original.")
    longest_words = models.PositiveIntegerField(help_text="Words in the longest passage copied from the original.")
    limit = models.FloatField(help_text="The limit in force when the brief was published.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Originality override on {self.article} ({round(self.shared_share * 100)}% verbatim)"


# --- Search index (SQLite) --------------------------------------------------------------


class FtsDocumentField(models.TextField):
    """The FTS5 table's hidden column named after the table: what MATCH, bm25() and snippet() take."""


@FtsDocumentField.register_lookup
class FtsMatch(models.Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class ArticleSearchEntry(models.Model):
    """A row of the SQLite FTS5 index of briefs, joined to its brief by rowid.

    Unmanaged: the table and the triggers that fill it are made by search_index.py, on
    SQLite only. Read through articles/search.py, never written from Python.
    """

    article = models.OneToOneField(
        Article,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_entry",
    )
    document = FtsDocumentField(db_column="articles_article_fts")

    class Meta:
        managed = False
        db_table = "articles_article_fts"

    def __str__(self):
        return f"Search entry of brief {self.article_id}"


# --- API tokens (the model lives in articles/api/models.py; importing it here registers it) -----

from articles.api.models import ApiToken  # noqa: E402, F401
