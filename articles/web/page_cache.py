"""The anonymous page cache and conditional GET for the reader's website.

A cached page is stored with the versions of what it shows, and served only while they are
current (read beside the page, in one round trip): the *site version* (every page: a taxonomy
name edited, a restore) and one *scope*'s — "library" for the pages over the whole
library (home, all briefs, search, sitemaps, indexes, the site's feeds), or the one brief,
role, field, topic, source or depth a page (or feed) is about, e.g. "role:cto". A change to a
published brief bumps the versions of the scopes that can show it: its own page, the pages of
the briefs that list it as related or share its story, the library, and the listings of its
roles, fields (and their areas), topics, source and depth, before and after the change. Every
other cached page stays. Versions live in the shared cache (Redis or the database cache), so
every web node retires the same pages; old entries simply expire.
"""

import hashlib
import time
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from prometheus_client import Counter

from articles.enrich.clusters import published_story_changed
from articles.enrich.related import published_related_changed
from articles.models import Article, Field, RelatedLink, Role, RoleNote, Source, Status, Topic
from articles.web import readers
from articles.web.browse import FACETS
from articles.workflow import status_changed

PAGE_CACHE_HITS = Counter(
    "distillery_page_cache_hits_total", "Readers' requests answered from the page cache before the view ran."
)

VERSION_KEY = "web:site-version"
SCOPE_KEY = "web:scope-version:"
# Any change a reader can see, whatever it retired: the API dates its answers by it.
CHANGE_KEY = "web:last-change"
LIBRARY = "library"
# The scopes a page can be about, by the name of the URL argument that names it.
SCOPES = ("brief", "role", "field", "topic", "source", "level")
# Its own cache where settings name one, so that pages never crowd out the task locks.
PAGE_CACHE_ALIAS = "pages"


def page_store():
    return caches[PAGE_CACHE_ALIAS if PAGE_CACHE_ALIAS in settings.CACHES else "default"]


def site_version() -> str:
    return read_versions([VERSION_KEY])[VERSION_KEY]


def last_change() -> float:
    """When a reader last saw anything change (a Unix time): the newest version ever set."""
    return float(read_versions([CHANGE_KEY])[CHANGE_KEY])


def read_versions(keys: list[str], *, also: tuple[str, ...] = (), read=None) -> dict[str, str]:
    """The current token of each of `keys`, and whatever is stored under `also`, in one round trip
    (`read(keys)`, `page_store().get_many` unless given: a caller may send more in that trip).

    A missing token (never set, or culled) gets a new one, so a page stored under an older token
    can never be served again.
    """
    cache = page_store()
    found = (read or cache.get_many)([*keys, *also])
    for key in keys:
        if found.get(key) is None:
            version = _new_version()
            # add, not set: two nodes starting together must agree on one token.
            timeout = _scope_timeout() if key.startswith(SCOPE_KEY) else None
            if not cache.add(key, version, timeout=timeout):
                version = cache.get(key) or version
            found[key] = version
    return found


def _new_version() -> str:
    return f"{time.time():.6f}"


def _scope_timeout() -> int:
    # A scope's version need only outlive the pages stored under it; one that expires earlier gets a
    # new token, which retires those pages early and never serves a stale one. So the version of
    # each of 100,000 brief pages does not stay in the cache for ever.
    return max(settings.WEB_PAGE_CACHE_SECONDS, settings.WEB_BRIEF_BODY_SECONDS, 3600)


def _bump(keys: set[str]) -> None:
    version = _new_version()
    cache = page_store()
    scoped = [key for key in keys if key.startswith(SCOPE_KEY)]
    if scoped:
        cache.set_many(dict.fromkeys(scoped, version), timeout=_scope_timeout())
    cache.set_many(dict.fromkeys({*keys, CHANGE_KEY} - set(scoped), version), timeout=None)


def invalidate_pages() -> None:
    """Retire every cached page, once the current transaction has committed."""
    transaction.on_commit(lambda: _bump({VERSION_KEY}))


def retire_scopes(scopes) -> None:
    """Retire the cached pages of `scopes` ("library", "brief:<slug>", "role:<slug>" …) once committed.

    `scopes` may be a function, called after the commit: what a brief shows *after* a change is
    worth no query before it (and none at all when the transaction rolls back).
    """

    def bump():
        keys = {SCOPE_KEY + scope for scope in (scopes() if callable(scopes) else scopes)}
        if keys:
            _bump(keys)

    transaction.on_commit(bump)


def scopes_showing(article_ids) -> set[str]:
    """Every scope whose pages can show one of these briefs, as they are stored now (six queries)."""
    ids = list(article_ids)
    if not ids:
        return set()
    scopes = {LIBRARY}
    clusters = set()
    for slug, level, source_slug, cluster_id in Article.objects.filter(pk__in=ids).values_list(
        "slug", "level", "source__slug", "story_cluster_id"
    ):
        scopes |= {f"brief:{slug}", f"source:{source_slug}"}
        if level:
            scopes.add(f"level:{level}")
        if cluster_id:
            clusters.add(cluster_id)
    scopes |= {f"role:{slug}" for slug in Role.objects.filter(articles__in=ids).values_list("slug", flat=True)}
    scopes |= {f"topic:{slug}" for slug in Topic.objects.filter(articles__in=ids).values_list("slug", flat=True)}
    for slug, parent_slug in Field.objects.filter(articles__in=ids).values_list("slug", "parent__slug"):
        scopes |= {f"field:{slug}"} | ({f"field:{parent_slug}"} if parent_slug else set())
    return scopes | _pages_listing(ids, clusters)


def _pages_listing(ids, clusters=()) -> set[str]:
    """The brief pages that show one of these briefs: as a related brief, or as another report of their story."""
    showing = Q(related_links__to_article__in=ids)
    if clusters:
        showing |= Q(story_cluster__in=clusters)
    slugs = Article.objects.filter(showing).values_list("slug", flat=True).distinct()
    return {f"brief:{slug}" for slug in slugs}


# The query parameters a cached page reads (search, filters, page numbers); any other one
# (utm_*, fbclid, a cache-buster) changes nothing on the page and so is left out of the key.
# "next" is where the role chooser returns the reader after saving their choice.
KNOWN_PARAMETERS = ("q", "page", "p", "next", readers.PARAM, *(name for name, _label in FACETS))


def page_query(params) -> str:
    """The query string that tells cached pages apart: known parameters only, in one order, empty ones dropped.

    A view reads one value per parameter with `QueryDict.get` (the last one), so that is the one kept.
    """
    known = [(name, params.get(name, "")) for name in KNOWN_PARAMETERS]
    return urlencode([(name, value) for name, value in known if value.strip()])


def _cache_key(request) -> str:
    # The scheme too: pages carry absolute addresses (canonical, og:url, feed links). The
    # roles a reader chose in their cookie too: one reader's order must never reach another.
    variant = readers.cache_variant(request)
    identity = f"{request.scheme}|{request.get_host()}|{request.path}?{page_query(request.GET)}|{variant}"
    digest = hashlib.sha256(identity.encode()).hexdigest()
    return f"web:page:{digest}"


def _is_cacheable_request(request) -> bool:
    # Signed-in users (staff previewing drafts) get fresh pages made for them.
    return request.method in ("GET", "HEAD") and not request.user.is_authenticated


@dataclass(frozen=True)
class KeptPart:
    """A part of a page the view keeps for itself (read with the page's versions, in the same round trip).

    `stored` is what the view stored under `key`, usable only when it was stored under `token`,
    the versions of what the page shows now.
    """

    key: str
    token: str
    stored: object
    # The site version read with it (the first part of `token`): what a view that keeps other things under
    # the site version (`labels.facet_labels`) can compare with, without another round trip.
    site_version: str | None = None

    def current(self):
        """What was stored under the current versions, else None."""
        if isinstance(self.stored, tuple) and self.stored and self.stored[0] == self.token:
            return self.stored[1]
        return None

    def keep(self, value, *, seconds: int) -> None:
        page_store().set(self.key, (self.token, value), timeout=seconds)


@dataclass
class Lookup:
    """One anonymous request's read of the page cache: the page's versions and what is stored, in one round trip."""

    key: str
    token: str
    changed_at: int  # the newest version: when anything this page can show last changed
    page: object  # the stored response, when it was stored under the current versions
    kept_part: KeptPart | None
    # The response the view made, finished and ready to store once the middleware has seen it.
    made: object = None

    def store(self, response) -> None:
        if settings.WEB_PAGE_CACHE_SECONDS:
            page_store().set(self.key, (self.token, response), timeout=settings.WEB_PAGE_CACHE_SECONDS)

    def answer(self, request, response):
        """The response, or a 304 when the reader already holds it."""
        etag = response["ETag"]
        return get_conditional_response(request, etag=etag, last_modified=self.changed_at, response=response)


def _look_up(request, page_view, kwargs) -> Lookup:
    about = LIBRARY if page_view.scope is None else f"{page_view.scope}:{kwargs.get(page_view.scope_argument)}"
    version_keys = [VERSION_KEY, SCOPE_KEY + about]
    key = _cache_key(request)
    kept_key = page_view.kept(request, **kwargs) if page_view.kept else None
    also = tuple(k for k in (settings.WEB_PAGE_CACHE_SECONDS and key, kept_key) if k)
    found = read_versions(version_keys, also=also)
    token = "-".join(found[k] for k in version_keys)
    stored = found.get(key)
    return Lookup(
        key=key,
        token=token,
        changed_at=int(max(float(found[k]) for k in version_keys)),
        page=stored[1] if stored is not None and stored[0] == token else None,
        kept_part=KeptPart(kept_key, token, found.get(kept_key), found[VERSION_KEY]) if kept_key else None,
    )


def _finish(response, lookup: Lookup) -> None:
    """Headers of a page every reader may keep: its ETag, Last-Modified and how long browsers keep it."""
    if hasattr(response, "render") and callable(response.render):
        response.render()
    response["ETag"] = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    response["Last-Modified"] = http_date(lookup.changed_at)
    # Browsers come back with If-None-Match after max-age and get a 304 when nothing changed.
    patch_cache_control(response, public=True, max_age=settings.WEB_BROWSER_CACHE_SECONDS, must_revalidate=True)
    patch_vary_headers(response, ["Cookie"])


@dataclass(frozen=True)
class PageView:
    """What the page cache needs to know about a view: what its pages are about and what it keeps."""

    scope: str | None
    kept: object

    @property
    def scope_argument(self) -> str:
        return "level" if self.scope == "level" else "slug"


def cached_public_page(view=None, *, scope: str | None = None, kept=None):
    """Serve anonymous GETs from the cache and answer conditional GETs with 304.

    `scope` is what the page is about, one of SCOPES, named by the view's `slug` argument (`level`
    for a depth); without one, the page is about the whole library.
    `kept(request, **kwargs)`: the cache key of a part the view keeps between requests (its body,
    whatever the page cache does), read beside the versions and given to an anonymous
    reader's request as `request.kept_part` (a KeptPart).

    Most readers' requests are answered by PageCacheMiddleware before they reach the view; this
    wrapper answers the rest: readers who carry a session cookie, and what the middleware
    did not find stored.
    """
    if view is None:
        return lambda view: cached_public_page(view, scope=scope, kept=kept)
    if scope is not None and scope not in SCOPES:
        raise ValueError(f"Unknown page scope {scope!r}; one of {', '.join(SCOPES)}.")
    page_view = PageView(scope, kept)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        lookup = getattr(request, "page_lookup", None)
        from_middleware = lookup is not None
        if lookup is None:
            if not _is_cacheable_request(request):
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True, no_cache=True)
                return response
            lookup = _look_up(request, page_view, kwargs)
            if lookup.page is not None:
                return lookup.answer(request, lookup.page)
        if lookup.kept_part:
            request.kept_part = lookup.kept_part
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.streaming or response.cookies:
            return response
        _finish(response, lookup)
        if from_middleware:
            # The middleware stores it once every middleware has added its headers, and answers the 304.
            lookup.made = response
            return response
        # A reader with a session cookie: nothing is stored from here, so that every stored page has
        # gone through the whole stack (PageCacheMiddleware serves it without the inner middleware).
        return lookup.answer(request, response)

    wrapper.page_view = page_view
    return wrapper


class PageCacheMiddleware:
    """Answer an anonymous reader's GET of a cached page before sessions, authentication and routing's middleware run.

    Only requests without a session cookie: they are anonymous whatever the session would say. The
    page is read with its versions in one round trip, as the view's wrapper reads it; on a miss the
    request goes on with that read (`request.page_lookup`), and the page the view made is stored
    here, with the headers the inner middleware added (X-Frame-Options, Content-Length), so a hit
    answers exactly what the whole stack answered. django-prometheus's per-view counters see
    misses only; every request is still timed and counted by its first middleware, and hits are
    counted in distillery_page_cache_hits_total.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        page_view = getattr(match.func, "page_view", None)
        if page_view is None:
            return self.get_response(request)
        lookup = _look_up(request, page_view, match.kwargs)
        if lookup.page is not None:
            PAGE_CACHE_HITS.inc()
            return lookup.answer(request, lookup.page)
        request.page_lookup = lookup
        response = self.get_response(request)
        if lookup.made is not None and response is lookup.made and not response.cookies:
            lookup.store(response)
            return lookup.answer(request, response)
        return response


# --- What retires which pages -----------------------------------------------------------


def _article_is_public(article) -> bool:
    return article.status == Status.PUBLISHED


@receiver(status_changed)
def _on_status_changed(sender, article, old_status, new_status, **kwargs):
    if Status.PUBLISHED in (old_status, new_status):
        retire_scopes(lambda: scopes_showing([article.pk]))


@receiver(pre_save, sender=Article)
def _remember_scopes_before_edit(sender, instance, **kwargs):
    # An edit can move a published brief to another depth or source: the listings it leaves must go too.
    # Drafts (most saves, during ingestion and enrichment) cost nothing here.
    instance._scopes_before_edit = set()
    if instance.pk is None or not _article_is_public(instance):
        return
    before = Article.objects.filter(pk=instance.pk).values_list("level", "source__slug").first()
    if before:
        level, source_slug = before
        instance._scopes_before_edit = {f"source:{source_slug}"} | ({f"level:{level}"} if level else set())


@receiver(post_save, sender=Article)
def _on_article_saved(sender, instance, **kwargs):
    # Drafts change all day during ingestion and curation; readers only see published ones.
    if _article_is_public(instance):
        before = getattr(instance, "_scopes_before_edit", set())
        retire_scopes(lambda: scopes_showing([instance.pk]) | before)


@receiver(pre_delete, sender=Article)
def _on_article_deleted(sender, instance, **kwargs):
    # Before the delete: afterwards its taxonomy rows are gone and nothing says where it was listed.
    if _article_is_public(instance):
        retire_scopes(scopes_showing([instance.pk]))


@receiver(m2m_changed, sender=Article.fields.through)
@receiver(m2m_changed, sender=Article.topics.through)
@receiver(m2m_changed, sender=Article.roles.through)
def _on_taxonomy_of_article_changed(sender, instance, action, reverse, **kwargs):
    if reverse:
        # A role, field or topic given or taken many briefs at once (not something the site does): all pages.
        if action.startswith("post_"):
            invalidate_pages()
        return
    if not _article_is_public(instance):
        return
    # Before a removal the values leaving are still stored; after an addition, the new ones.
    if action in ("pre_remove", "pre_clear"):
        retire_scopes(scopes_showing([instance.pk]))
    elif action == "post_add":
        retire_scopes(lambda: scopes_showing([instance.pk]))


@receiver(post_save, sender=RelatedLink)
@receiver(post_delete, sender=RelatedLink)
def _on_related_link_written(sender, instance, **kwargs):
    # Only a published brief shows its related list; drafts get theirs recomputed all day
    # during ingestion, which must not empty the readers' cache each time.
    def scopes():
        slug = Article.objects.published().filter(pk=instance.from_article_id).values_list("slug", flat=True).first()
        return {f"brief:{slug}"} if slug else set()

    retire_scopes(scopes)


@receiver(published_related_changed)
def _on_related_lists_changed(sender, article, **kwargs):
    # Enrichment rewrote a published brief's related list, and offered it to its neighbours' lists, in bulk.
    retire_scopes(lambda: {f"brief:{article.slug}"} | _pages_listing([article.pk]))


@receiver(published_story_changed)
def _on_story_changed(sender, cluster, **kwargs):
    slugs = Article.objects.filter(story_cluster=cluster).values_list("slug", flat=True)
    retire_scopes(lambda: {f"brief:{slug}" for slug in slugs})


@receiver(post_save, sender=RoleNote)
@receiver(post_delete, sender=RoleNote)
def _on_role_note_written(sender, instance, **kwargs):
    # The note shows on its brief's page and in the feeds that carry the brief.
    article_id = instance.article_id

    def scopes():
        return scopes_showing([article_id]) if Article.objects.published().filter(pk=article_id).exists() else set()

    retire_scopes(scopes)


@receiver(post_save, sender=Source)
@receiver(post_save, sender=Role)
@receiver(post_save, sender=Topic)
@receiver(post_save, sender=Field)
@receiver(post_delete, sender=Role)
@receiver(post_delete, sender=Topic)
@receiver(post_delete, sender=Field)
def _on_taxonomy_written(sender, instance, **kwargs):
    if sender is Source and kwargs.get("update_fields") and "name" not in kwargs["update_fields"]:
        return  # ingestion bookkeeping (etag, last fetch) is invisible to readers
    invalidate_pages()
