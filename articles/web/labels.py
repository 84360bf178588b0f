"""The slug and name of every taxonomy value a filter panel can show, kept under the site version.

A search counts its filters over its own matches, so its panel is new for every new query; naming
the values it counted took four queries (roles, fields, topics, sources), building a model object
for each value, on every search asked for the first time. The names change only when a role,
field, topic or source is written, and each such write bumps the site version
(`page_cache._on_taxonomy_written`), so all of them are read once per site version and kept
(`WEB_CARD_SECONDS`, the cards' time: the same names are on them), read in one round trip.
"""

from django.conf import settings

from articles.models import Field, Role, Source, Topic
from articles.web.page_cache import VERSION_KEY, page_store, read_versions

LABELS_KEY = "web:facet-labels"

Labels = dict[str, dict[int, tuple[str, str]]]


# The names this process last read, with the site version they were read under: a new search asks for
# the version only (a thousand sources' names take longer to unpickle than the round trip takes).
_last_read: tuple[str, Labels] | None = None


def facet_labels(*, site_version: str | None = None) -> Labels:
    """For each facet named by a taxonomy ("role", "area", "field", "topic", "source"), {id: (slug, label)}:
    an area's label is its name, a subfield's "Area — Subfield".

    `site_version`: the site version the request already read (with its cached page), if it did: the names
    kept in this process under it are then taken without asking for it again."""
    global _last_read
    if settings.WEB_CARD_SECONDS and _last_read is not None:
        version = site_version or read_versions([VERSION_KEY])[VERSION_KEY]
        if _last_read[0] == version:
            return _last_read[1]
    found = read_versions([VERSION_KEY], also=(LABELS_KEY,))
    stored = found.get(LABELS_KEY)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == found[VERSION_KEY]:
        labels = stored[1]
    else:
        labels = read_labels()
        if settings.WEB_CARD_SECONDS:
            page_store().set(LABELS_KEY, (found[VERSION_KEY], labels), timeout=settings.WEB_CARD_SECONDS)
    _last_read = (found[VERSION_KEY], labels)
    return labels


def read_labels() -> Labels:
    """`facet_labels` from the database, in four queries."""
    labels: Labels = {
        "role": {pk: (slug, name) for pk, slug, name in Role.objects.values_list("pk", "slug", "name")},
        "topic": {pk: (slug, name) for pk, slug, name in Topic.objects.values_list("pk", "slug", "name")},
        "source": {pk: (slug, name) for pk, slug, name in Source.objects.values_list("pk", "slug", "name")},
        "area": {},
        "field": {},
    }
    for pk, slug, name, parent_name in Field.objects.values_list("pk", "slug", "name", "parent__name"):
        labels["area"][pk] = (slug, name)
        if parent_name is not None:
            labels["field"][pk] = (slug, f"{parent_name} — {name}")
    return labels
