"""ETag, Last-Modified and Cache-Control for GET answers, and the ETag a PATCH checks.

The ETag is a hash of the representation itself, so anything a client would see change
(a renamed topic, a new related brief) changes it, and `If-Match` compares exactly what
the client read.
"""

import hashlib
import json
from datetime import UTC, datetime

from django.conf import settings
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from rest_framework.utils.encoders import JSONEncoder

from articles.api.serializers import BriefSerializer, related_prefetch
from articles.models import Article
from articles.web.page_cache import SCOPE_KEY, VERSION_KEY, last_change, page_store, read_versions


def etag_for(data) -> str:
    body = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return f'"{hashlib.sha256(body.encode()).hexdigest()[:40]}"'


def last_modified_for(updated_at: datetime | None) -> datetime | None:
    """When a brief's representation last changed: its own row, or anything it shows (a renamed
    topic, an unpublished related brief), which page_cache.last_change() dates."""
    try:
        site_changed_at = datetime.fromtimestamp(last_change(), tz=UTC)
    except ValueError:
        return updated_at
    return site_changed_at if updated_at is None else max(updated_at, site_changed_at)


def brief_etag(article, *, request) -> str:
    """The version of a brief that edits are checked against: the ETag of its API representation.

    The API's If-Match and the curation panel's change form both carry this token, so a save
    from either is refused when the brief changed after it was read, whichever path changed it.
    """
    if not hasattr(article, "shown_related"):
        # Read as the API reads it, so both name the same version.
        article = Article.objects.with_taxonomy().prefetch_related(related_prefetch()).get(pk=article.pk)
    return etag_for(BriefSerializer(article, context={"request": request}).data)


def version_matches(offered: str, current_etag: str) -> bool:
    """True when `offered` (an If-Match value, or the token a form was loaded with) names the current version."""
    # Weak comparison on purpose: a compressing proxy may weaken our strong ETag on the way out.
    tokens = {part.strip().removeprefix("W/") for part in offered.split(",")}
    return "*" in tokens or current_etag in tokens


def if_match_allows(request, current_etag: str) -> bool:
    """True when there is no If-Match, or when it lists the current ETag (or `*`)."""
    header = request.headers.get("If-Match")
    return header is None or version_matches(header, current_etag)


def conditional_get(request, response, *, last_modified=None, of_rendered=False):
    """Add validators and caching rules to a 200 GET; answer 304 when the client's copy is current.

    `of_rendered`: the ETag hashes the rendered body (rendered here, once) instead of a second JSON
    encoding of the data, for answers whose ETag no If-Match is compared with (the list).
    """
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    media_type = getattr(request, "accepted_media_type", "application/json") or "application/json"
    if of_rendered:
        response.render()  # Django would render it next anyway; a rendered response is not rendered again
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'
    else:
        # The browsable API renders the same data as HTML: a different representation, so another ETag.
        response["ETag"] = etag_for(response.data if media_type == "application/json" else [media_type, response.data])
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    if request.user.is_authenticated:
        # What staff see may include drafts: never in a shared cache.
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=settings.API_CACHE_MAX_AGE)
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=int(last_modified.timestamp()) if last_modified is not None else None,
        response=response,
    )


def shared_representations(briefs, *, request, build) -> list:
    """The representations of published `briefs` as anonymous clients get them, kept between requests.

    Each is stored with the versions of what it shows (the page cache's: the site's and its brief
    page's, which every change to the brief, its related briefs, notes or taxonomy moves) and its
    `updated_at`, read beside them in one round trip, and used only while they are current.
    `build(missing)` serializes the others, in their order. Briefs with nothing kept cost one query
    and one serialization for all of them, as without this.
    """
    seconds = settings.API_REPRESENTATION_CACHE_SECONDS
    if not seconds or not briefs:
        return build(briefs)
    origin = hashlib.sha256(f"{request.scheme}://{request.get_host()}".encode()).hexdigest()[:16]
    scope_keys = {brief.pk: f"{SCOPE_KEY}brief:{brief.slug}" for brief in briefs}
    entry_keys = {brief.pk: f"api:brief:{origin}:{brief.pk}" for brief in briefs}
    found = read_versions([VERSION_KEY, *scope_keys.values()], also=tuple(entry_keys.values()))
    tokens = {
        brief.pk: f"{found[VERSION_KEY]}-{found[scope_keys[brief.pk]]}-{brief.updated_at.isoformat()}"
        for brief in briefs
    }
    kept = {}
    for brief in briefs:
        stored = found.get(entry_keys[brief.pk])
        if stored is not None and stored[0] == tokens[brief.pk]:
            kept[brief.pk] = stored[1]
    missing = [brief for brief in briefs if brief.pk not in kept]
    if missing:
        built = build(missing)
        fresh = {brief.pk: representation for brief, representation in zip(missing, built, strict=True)}
        page_store().set_many(
            {entry_keys[pk]: (tokens[pk], representation) for pk, representation in fresh.items()}, timeout=seconds
        )
        kept.update(fresh)
    return [kept[brief.pk] for brief in briefs]
