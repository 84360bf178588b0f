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

from articles.web.page_cache import site_version


def etag_for(data) -> str:
    body = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return f'"{hashlib.sha256(body.encode()).hexdigest()[:40]}"'


def last_modified_for(updated_at: datetime | None) -> datetime | None:
    """When a brief's representation last changed: its own row, or anything it shows (a renamed
    topic, an unpublished related brief), which the site version dates (page_cache.py)."""
    try:
        site_changed_at = datetime.fromtimestamp(float(site_version()), tz=UTC)
    except ValueError:
        return updated_at
    return site_changed_at if updated_at is None else max(updated_at, site_changed_at)


def if_match_allows(request, current_etag: str) -> bool:
    """True when there is no If-Match, or when it lists the current ETag (or `*`)."""
    header = request.headers.get("If-Match")
    if header is None:
        return True
    # Weak comparison on purpose: a compressing proxy may weaken our strong ETag on the way out.
    offered = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in offered or current_etag in offered


def conditional_get(request, response, *, last_modified=None):
    """Add validators and caching rules to a 200 GET; answer 304 when the client's copy is current."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    media_type = getattr(request, "accepted_media_type", "application/json") or "application/json"
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
