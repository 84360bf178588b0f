"""The anonymous page cache and conditional GET for the reader's website.

Every cached page's key holds the current *site version*, a token changed whenever
something a reader can see changes (a brief published, edited or unpublished, a
related link or a taxonomy name edited). Changing it retires every cached page at
once, on every web node, because the token lives in the shared cache (Redis or the
database cache). Old entries simply expire.
"""

import hashlib
import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from articles.enrich.clusters import published_story_changed
from articles.enrich.related import published_related_changed
from articles.models import Article, Field, RelatedLink, Role, RoleNote, Source, Status, Topic
from articles.web import readers
from articles.web.browse import FACETS
from articles.workflow import status_changed

VERSION_KEY = "web:site-version"
# Its own cache where settings name one, so that pages never crowd out the task locks.
PAGE_CACHE_ALIAS = "pages"


def page_store():
    return caches[PAGE_CACHE_ALIAS if PAGE_CACHE_ALIAS in settings.CACHES else "default"]


def site_version() -> str:
    cache = page_store()
    version = cache.get(VERSION_KEY)
    if version is None:
        version = _new_version()
        # add, not set: two nodes starting together must agree on one token.
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def _new_version() -> str:
    return f"{time.time():.6f}"


def invalidate_pages() -> None:
    """Retire every cached page, once the current transaction has committed."""
    transaction.on_commit(lambda: page_store().set(VERSION_KEY, _new_version(), timeout=None))


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


def _cache_key(request, version: str) -> str:
    # The scheme too: pages carry absolute addresses (canonical, og:url, feed links). The
    # roles a reader chose in their cookie too: one reader's order must never reach another.
    variant = readers.cache_variant(request)
    identity = f"{request.scheme}|{request.get_host()}|{request.path}?{page_query(request.GET)}|{variant}"
    digest = hashlib.sha256(identity.encode()).hexdigest()
    return f"web:page:{version}:{digest}"


def _is_cacheable_request(request) -> bool:
    # Signed-in users (staff previewing drafts) get fresh pages made for them.
    return request.method in ("GET", "HEAD") and not request.user.is_authenticated


def cached_public_page(view):
    """Serve anonymous GETs from the cache and answer conditional GETs with 304."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _is_cacheable_request(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        cache = page_store()
        version = site_version()
        key = _cache_key(request, version)
        keep_seconds = settings.WEB_PAGE_CACHE_SECONDS
        stored = cache.get(key) if keep_seconds else None
        if stored is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming or response.cookies:
                return response
            if hasattr(response, "render") and callable(response.render):
                response.render()
            response["ETag"] = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
            # The version is the time of the last visible change: an honest Last-Modified.
            response["Last-Modified"] = http_date(int(float(version)))
            # Browsers come back with If-None-Match after max-age and get a 304 when nothing changed.
            patch_cache_control(response, public=True, max_age=settings.WEB_BROWSER_CACHE_SECONDS, must_revalidate=True)
            patch_vary_headers(response, ["Cookie"])
            if keep_seconds:
                cache.set(key, response, timeout=keep_seconds)
        else:
            response = stored
        conditional = get_conditional_response(
            request, etag=response["ETag"], last_modified=int(float(version)), response=response
        )
        return conditional

    return wrapper


# --- What invalidates -------------------------------------------------------------------


def _article_is_public(article) -> bool:
    return article.status == Status.PUBLISHED


@receiver(status_changed)
def _on_status_changed(sender, article, old_status, new_status, **kwargs):
    if Status.PUBLISHED in (old_status, new_status):
        invalidate_pages()


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
def _on_article_written(sender, instance, **kwargs):
    # Drafts change all day during ingestion and curation; readers only see published ones.
    if _article_is_public(instance):
        invalidate_pages()


@receiver(m2m_changed, sender=Article.fields.through)
@receiver(m2m_changed, sender=Article.topics.through)
@receiver(m2m_changed, sender=Article.roles.through)
def _on_taxonomy_of_article_changed(sender, instance, action, reverse, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse or _article_is_public(instance):
        invalidate_pages()


@receiver(post_save, sender=RelatedLink)
@receiver(post_delete, sender=RelatedLink)
def _on_related_link_written(sender, instance, **kwargs):
    # Only a published brief shows its related list; drafts get theirs recomputed all day
    # during ingestion, which must not empty the readers' cache each time.
    if Article.objects.published().filter(pk=instance.from_article_id).exists():
        invalidate_pages()


@receiver(published_related_changed)
@receiver(published_story_changed)
def _on_published_lists_changed(sender, **kwargs):
    # Enrichment rewrote a published brief's related list or its story in bulk (no post_save).
    invalidate_pages()


@receiver(post_save, sender=RoleNote)
@receiver(post_delete, sender=RoleNote)
def _on_role_note_written(sender, instance, **kwargs):
    if Article.objects.published().filter(pk=instance.article_id).exists():
        invalidate_pages()


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
