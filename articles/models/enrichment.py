"""Machine drafts: story clusters, enrichment runs, suggestions and originality overrides."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .base import TimeStamped
from .briefs import Article
from .taxonomy import Field, Role, Topic


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
    prompt_tokens = models.PositiveIntegerField(
        null=True, blank=True, help_text="Tokens the language model read for this draft (every attempt), if asked."
    )
    completion_tokens = models.PositiveIntegerField(
        null=True, blank=True, help_text="Tokens the language model wrote for this draft (every attempt), if asked."
    )

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
        ROLE_NOTE = "role_note", "Why it matters for a role"
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
