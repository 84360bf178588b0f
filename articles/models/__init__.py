"""The brief and everything it hangs on, one module per concern.

`from articles.models import Article` keeps working: every model is named here. Which
module holds what, and what may import it, is in docs/ARCHITECTURE.md.
"""

from .base import SLUG_MAX_LENGTH, TimeStamped, unique_slug, unique_slugs, validate_text_list
from .briefs import (
    QUEUE_STATUSES,
    Article,
    ArticleQuerySet,
    Length,
    Level,
    RelatedLink,
    RelatedLinkQuerySet,
    Status,
    WorkQueueItem,
    holds_facet_value,
    insert_briefs,
    insert_briefs_with_history,
    length_for_minutes,
    record_first_history,
)
from .enrichment import EnrichmentRun, OriginalityOverride, StoryCluster, Suggestion
from .facets import DatedFacetValue, FacetCount, FacetSnapshot
from .indexes import RelatedDocument, RelatedPosting, RelatedTerm, StoryKey
from .role_notes import ROLE_NOTE_MAX_LENGTH, RoleNote, RoleNoteQuerySet
from .search import ArticleSearchEntry, FtsDocumentField, FtsMatch
from .sources import IngestionRun, Source, SourceQuerySet
from .subscriptions import (
    DigestDelivery,
    DigestRequest,
    DigestSubscription,
    DigestSubscriptionQuerySet,
    Frequency,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEndpointQuerySet,
    WebhookEvent,
)
from .taxonomy import Field, FieldQuerySet, Role, Topic
from .tokens import ApiToken, ApiTokenQuerySet

__all__ = [
    "QUEUE_STATUSES",
    "ROLE_NOTE_MAX_LENGTH",
    "SLUG_MAX_LENGTH",
    "ApiToken",
    "ApiTokenQuerySet",
    "Article",
    "ArticleQuerySet",
    "ArticleSearchEntry",
    "DatedFacetValue",
    "DigestDelivery",
    "DigestRequest",
    "DigestSubscription",
    "DigestSubscriptionQuerySet",
    "EnrichmentRun",
    "FacetCount",
    "FacetSnapshot",
    "Field",
    "FieldQuerySet",
    "Frequency",
    "FtsDocumentField",
    "FtsMatch",
    "IngestionRun",
    "Length",
    "Level",
    "OriginalityOverride",
    "RelatedDocument",
    "RelatedLink",
    "RelatedLinkQuerySet",
    "RelatedPosting",
    "RelatedTerm",
    "Role",
    "RoleNote",
    "RoleNoteQuerySet",
    "Source",
    "SourceQuerySet",
    "Status",
    "StoryCluster",
    "StoryKey",
    "Suggestion",
    "TimeStamped",
    "Topic",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEndpointQuerySet",
    "WebhookEvent",
    "WorkQueueItem",
    "holds_facet_value",
    "insert_briefs",
    "insert_briefs_with_history",
    "length_for_minutes",
    "record_first_history",
    "unique_slug",
    "unique_slugs",
    "validate_text_list",
]
