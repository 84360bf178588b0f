from django import template
from django.db.models import Count

from articles.models import Article, Source, Status

register = template.Library()


@register.simple_tag
def work_queue_counts():
    """{"draft": n, "in_review": n, "ingested": n} for the admin index."""
    counts = dict(
        Article.objects.filter(status__in=[Status.INGESTED, Status.DRAFT, Status.IN_REVIEW])
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {status: counts.get(status, 0) for status in (Status.INGESTED, Status.DRAFT, Status.IN_REVIEW)}


SILENT_DAYS = 7


@register.simple_tag
def sources_needing_attention():
    """Failing sources and feeds silent for SILENT_DAYS, for "What needs you now"."""
    return {
        "failing": list(Source.objects.failing().order_by("-consecutive_failures", "name")[:20]),
        "silent": list(Source.objects.silent(days=SILENT_DAYS).order_by("name")[:20]),
        "silent_days": SILENT_DAYS,
    }
