"""The brief as events tell it to integrators (webhooks): the API's own read representation.

Webhook payloads have no request to make addresses absolute, so SITE_URL stands in for one.
"""

from articles.models import Article, RelatedLink, WebhookEvent
from articles.subscriptions import absolute

# What an unpublished brief's event carries: it is no longer public, so only what identifies it.
UNPUBLISHED_FIELDS = ("slug", "title", "status", "url", "api_url", "original_url", "updated_at")
RELATED_PER_BRIEF = 5  # as GET /api/v1/articles/{slug}/ lists them


class SiteAddress:
    """Stands in for a request where the serializer makes addresses absolute."""

    def build_absolute_uri(self, location: str) -> str:
        return absolute(location)


def brief_for_event(article: Article, event: str) -> dict:
    """The brief as GET /api/v1/articles/{slug}/ shows it (only its identity once unpublished)."""
    # The API's serializers (REST framework, drf-spectacular) are imported when an event is told: the receivers that
    # tell events are connected in every process, and most processes (drafting, ingestion, beat) never tell one.
    from articles.api.serializers import BriefSerializer

    article.shown_related = list(RelatedLink.objects.shown_for(article, limit=RELATED_PER_BRIEF))
    data = BriefSerializer(article, context={"request": SiteAddress()}).data
    if event == WebhookEvent.BRIEF_UNPUBLISHED:
        return {name: data[name] for name in UNPUBLISHED_FIELDS}
    return dict(data)
