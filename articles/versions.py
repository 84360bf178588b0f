"""The version of a brief that an edit is checked against: one token for the panel's form and the API's If-Match.

A save is refused when it was based on a version someone else has changed since. What counts
as a change is what a save could overwrite: the brief's sections (articles/anatomy.py, the
taxonomy and the depth included), the other fields the brief's form writes back
(forms.OTHER_FIELDS) and the status. What nobody edits in the form is left out, so that a
worker recomputing the related briefs, a facet count or `updated_at` moving, a new story
cluster or a re-fetched original never makes a curator's save look stale.

Related links and "why it matters" notes are edited as inline rows, which the admin saves
only when this person changed them; a colleague's rows are never written over by a stale
page, so they are not part of the version either.

The API sends `"<version>.<hash of the representation>"` as a brief's ETag: the hash keeps
conditional GETs exact (a new related brief is a new representation), the version is what
If-Match compares. The form carries the version alone; either token is accepted by both.
"""

import hashlib
import json

from articles import anatomy
from articles.forms import OTHER_FIELDS
from articles.models import Article

# The panel's form posts the version it was loaded from under this name.
FORM_FIELD = "_version"


def edit_version(article: Article) -> str:
    """A short token that changes when, and only when, something a save could overwrite changes.

    Taxonomy is read from the prefetched entries when there are (the API's detail), so the
    token costs no query there.
    """
    values: dict[str, object] = {"status": article.status}
    for section in anatomy.sections():
        value = getattr(article, section.name)
        if section.kind == anatomy.Kind.TAXONOMY:
            value = sorted(entry.pk for entry in value.all()) if article.pk is not None else []
        values[section.name] = value
    for name in OTHER_FIELDS:
        field = Article._meta.get_field(name)
        values[name] = field.value_from_object(article)
    body = json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()[:24]


def entity_tag(version: str, representation_hash: str) -> str:
    """The API's ETag of one brief: its edit version, then the hash of what was sent."""
    return f'"{version}.{representation_hash}"'


def offered_versions(offered: str) -> set[str]:
    """The edit versions named by an If-Match header or a form's token (a list, weak or strong, bare or ETag)."""
    versions = set()
    for part in offered.split(","):
        # Weak on purpose: a compressing proxy may weaken our strong ETag on the way out.
        token = part.strip().removeprefix("W/").strip('"')
        if token:
            versions.add(token.split(".", 1)[0])
    return versions


def version_matches(offered: str, current: str) -> bool:
    """True when `offered` names the version `current` (or is `*`, "whatever it is now")."""
    versions = offered_versions(offered)
    return "*" in versions or current in versions
