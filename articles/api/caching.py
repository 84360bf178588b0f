"""ETag, Last-Modified and Cache-Control for GET answers, and the If-Match a PATCH checks.

The ETag carries a hash of the representation itself, so anything a client would see change
(a renamed topic, a new related brief) changes it and a conditional GET is exact. A brief's
ETag also starts with its edit version (articles/versions.py), which is what `If-Match`
compares: only a change the client's edit could overwrite makes it stale.
"""

import hashlib
import json
from datetime import UTC, datetime

from django.conf import settings
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from rest_framework.utils.encoders import JSONEncoder

from articles.api.renderers import KeptJSON, KeptJSONRenderer
from articles.versions import edit_version, entity_tag, version_matches
from articles.web.page_cache import CHANGE_KEY, SCOPE_KEY, VERSION_KEY, last_change, page_store, read_versions


def representation_hash(data) -> str:
    body = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()[:40]


def etag_for(data, *, version: str = "") -> str:
    """The ETag of an answer; with a brief's edit `version` (articles/versions.py), that brief's."""
    if version:
        return entity_tag(version, representation_hash(data))
    return f'"{representation_hash(data)}"'


def last_modified_for(updated_at: datetime | None) -> datetime | None:
    """When a brief's representation last changed: its own row, or anything it shows (a renamed
    topic, an unpublished related brief), which page_cache.last_change() dates."""
    try:
        site_changed_at = datetime.fromtimestamp(last_change(), tz=UTC)
    except ValueError:
        return updated_at
    return site_changed_at if updated_at is None else max(updated_at, site_changed_at)


def if_match_allows(request, article) -> bool:
    """True when there is no If-Match, or when it names `article`'s current edit version (or `*`).

    Compared on the edit version only (articles/versions.py), the rule the panel's form follows:
    a related brief recomputed since the client read the brief does not refuse its change.
    """
    header = request.headers.get("If-Match")
    return header is None or version_matches(header, edit_version(article))


def conditional_get(request, response, *, last_modified=None, version="", of_rendered=False):
    """Add validators and caching rules to a 200 GET; answer 304 when the client's copy is current.

    `version`: the edit version of the one brief answered (a detail), which its ETag carries.
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
        response["ETag"] = etag_for(
            response.data if media_type == "application/json" else [media_type, response.data], version=version
        )
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


def counters_share_round_trip(throttle) -> bool:
    """Whether `throttle`'s counter can be counted in the round trip that reads the kept representations
    (shared_representations' `count`): its cache and the page store are one Redis."""
    store = page_store()
    return hasattr(store, "count_hit_and_get_many") and store.shares_server_with(throttle.cache)


def shared_representations(briefs, *, request, build, count=None) -> tuple[KeptJSON, datetime]:
    """The representations of published `briefs` as anonymous clients get them, kept between requests,
    and when anything an anonymous client can see last changed (for Last-Modified), in one round trip.

    Each is kept encoded (as KeptJSONRenderer writes it) with the versions of what it shows (the
    page cache's: the site's and its brief page's, which every change to the brief, its related
    briefs, notes or taxonomy moves) and its `updated_at` (`changed`, as the database writes it), read
    beside them, and used only while they are current. `build(missing)` serializes the others, in
    their order. Briefs with nothing kept cost one query and one serialization for all of them, as
    without this.

    `count`: (counter, seconds, check) to count the request in the same round trip (the throttle's
    counter, a key made already in a cache on the page store's Redis, kept `seconds`); `check(count)`
    runs on the new count before anything is built, and may refuse the request.
    """
    seconds = settings.API_REPRESENTATION_CACHE_SECONDS
    origin = hashlib.sha256(f"{request.scheme}://{request.get_host()}".encode()).hexdigest()[:16]
    scope_keys = {brief.pk: f"{SCOPE_KEY}brief:{brief.slug}" for brief in briefs}
    entry_keys = {brief.pk: f"api:brief-json:{origin}:{brief.pk}" for brief in briefs} if seconds else {}
    read = None
    if count is not None:
        counter, keep, check = count

        def read(keys):
            hits, found = page_store().count_hit_and_get_many(counter, timeout=keep, keys=keys)
            check(hits)
            return found

    found = read_versions([CHANGE_KEY, VERSION_KEY, *scope_keys.values()], also=tuple(entry_keys.values()), read=read)
    changed_at = datetime.fromtimestamp(float(found[CHANGE_KEY]), tz=UTC)
    tokens = {brief.pk: f"{found[VERSION_KEY]}-{found[scope_keys[brief.pk]]}-{brief.changed}" for brief in briefs}
    kept = {}
    for brief in briefs:
        stored = found.get(entry_keys.get(brief.pk))
        if stored is not None and stored[0] == tokens[brief.pk]:
            kept[brief.pk] = stored[1]
    missing = [brief for brief in briefs if brief.pk not in kept]
    if missing:
        encode = KeptJSONRenderer().render
        built = [encode(representation) for representation in build(missing)]
        fresh = dict(zip((brief.pk for brief in missing), built, strict=True))
        if seconds:
            page_store().set_many({entry_keys[pk]: (tokens[pk], part) for pk, part in fresh.items()}, timeout=seconds)
        kept.update(fresh)
    return KeptJSON(kept[brief.pk] for brief in briefs), changed_at
