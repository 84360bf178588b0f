"""Story clusters: the same story from several sources, grouped so the queue shows it once.

Two pieces are the same story when their titles match once case, punctuation and quotes
are ignored, or when their texts share most of their 5-word sequences. Only pieces from
other sources ingested within ENRICH_CLUSTER_WINDOW_DAYS are compared, so the cost of
clustering one piece does not grow with the age of the library. The lead (the brief the
queue shows) is the earliest piece until an editor picks another.
"""

import re
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.dispatch import Signal

from articles import workflow
from articles.enrich.text import shingles, words
from articles.models import QUEUE_STATUSES, Article, Source, Status, StoryCluster

# Sent (sender=StoryCluster, cluster=…) when a story with a published brief gained or merged members
# through update(), which sends no post_save; the page cache listens ("Also reported by").
published_story_changed = Signal()

TEXT_SHINGLE = 5
TEXT_WORDS = 400  # the opening of a piece identifies it; syndicated copies differ in their tails
TEXT_MATCH = 0.6
TITLE_MATCH = 0.85
MIN_TITLE_WORDS = 3
MAX_CANDIDATES = 2000


def title_key(title: str) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFKD", title).casefold()
    return tuple(re.findall(r"[^\W_]+", folded))


def text_shingles(text: str) -> set[tuple[str, ...]]:
    return set(shingles(words(text)[:TEXT_WORDS], TEXT_SHINGLE))


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def same_story(a: Article, b: Article) -> bool:
    title_a, title_b = title_key(a.title), title_key(b.title)
    long_enough = min(len(title_a), len(title_b)) >= MIN_TITLE_WORDS
    if long_enough and (title_a == title_b or _jaccard(set(title_a), set(title_b)) >= TITLE_MATCH):
        return True
    shingles_a, shingles_b = text_shingles(a.content_text or ""), text_shingles(b.content_text or "")
    # Very short texts ("Link.") match by accident; they need the title.
    if min(len(shingles_a), len(shingles_b)) < 10:
        return False
    return _jaccard(shingles_a, shingles_b) >= TEXT_MATCH


def candidates_for(article: Article):
    window = timedelta(days=settings.ENRICH_CLUSTER_WINDOW_DAYS)
    return (
        Article.objects.exclude(pk=article.pk)
        .exclude(source_id=article.source_id)
        .filter(created_at__gte=article.created_at - window, created_at__lte=article.created_at + window)
        .only("pk", "title", "content_text", "source_id", "story_cluster_id", "created_at")
        .order_by("-created_at")[:MAX_CANDIDATES]
    )


def assign_story_cluster(*, article: Article) -> StoryCluster | None:
    """Put `article` in the story cluster of its near-duplicates from other sources (made if needed)."""
    matches = [candidate for candidate in candidates_for(article) if same_story(article, candidate)]
    if not matches:
        return None
    with transaction.atomic():
        members = list(Article.objects.select_for_update().filter(pk__in=[article.pk, *(m.pk for m in matches)]))
        cluster_ids = sorted({m.story_cluster_id for m in members if m.story_cluster_id})
        if cluster_ids:
            cluster = StoryCluster.objects.get(pk=cluster_ids[0])
            # Two clusters the new piece bridges become one.
            Article.objects.filter(story_cluster_id__in=cluster_ids[1:]).update(story_cluster=cluster)
            StoryCluster.objects.filter(pk__in=cluster_ids[1:]).delete()
        else:
            cluster = StoryCluster.objects.create()
        Article.objects.filter(pk__in=[m.pk for m in members]).update(story_cluster=cluster)
        article.story_cluster = cluster
        if cluster.lead_id is None:
            cluster.lead = min(cluster.articles.all(), key=lambda m: (m.created_at, m.pk))
            cluster.save(update_fields=["lead", "updated_at"])
        if cluster.articles.filter(status=Status.PUBLISHED).exists():
            # update() sends no post_save: a published brief's cached "Also reported by" would stay old.
            published_story_changed.send(sender=StoryCluster, cluster=cluster)
    return cluster


def set_story_lead(*, cluster: StoryCluster, article: Article, actor) -> StoryCluster:
    """An editor picks which brief stands for the story; the others are named as its other sources.

    Refusals are `workflow.EditRefused`: choosing the lead is an edit the rule for edits gives to editors.
    """
    if article.story_cluster_id != cluster.pk:
        raise workflow.EditRefused(f"“{article.title}” is not part of this story, so it cannot lead it.")
    workflow.check_edit(article=article, actor=actor, changes={"story_lead": cluster})
    with transaction.atomic():
        cluster.lead = article
        cluster.lead_chosen_by = actor
        cluster.save(update_fields=["lead", "lead_chosen_by", "updated_at"])
    return cluster


def story_sources(article: Article, *, public_only: bool = False) -> list[Source]:
    """The sources of the story's other pieces, for "Also reported by" on the brief.

    `public_only` is for readers: a source with nothing published is not named to them.
    """
    if not article.story_cluster_id:
        return []
    sources = Source.objects.public() if public_only else Source.objects.all()
    return list(
        sources.filter(articles__story_cluster_id=article.story_cluster_id)
        .exclude(pk=article.source_id)
        .distinct()
        .order_by("name")
    )


def queue_once(queryset):
    """The queue with each story shown once: its lead, or its earliest piece while the lead is not in the queue."""
    first_member = (
        Article.objects.filter(story_cluster=OuterRef("story_cluster"), status__in=QUEUE_STATUSES)
        .values("story_cluster")
        .annotate(first=Min("pk"))
        .values("first")
    )
    return queryset.annotate(
        story_shown=Coalesce(
            Subquery(
                Article.objects.filter(pk=OuterRef("story_cluster__lead"), status__in=QUEUE_STATUSES).values("pk")[:1]
            ),
            Subquery(first_member[:1]),
        )
    ).filter(Q(story_cluster__isnull=True) | Q(story_shown=F("pk")))
