from django import template
from django.db.models import Count

from articles.models import Article, Status

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
