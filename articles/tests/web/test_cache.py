"""The anonymous page cache, its invalidation, and conditional GET."""

import re
import uuid

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from articles import workflow
from articles.models import Article, Status
from articles.tests.factories import make_article, make_staff, make_topic
from articles.web import page_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return make_staff("Editor")


def test_anonymous_pages_are_served_from_the_cache(client, catalogue, django_assert_num_queries):
    url = reverse("articles:home")
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.content == first.content


def test_publishing_a_brief_refreshes_cached_pages(client, catalogue, editor, django_capture_on_commit_callbacks):
    url = reverse("articles:home")
    assert "Unreleased thoughts" not in client.get(url).content.decode()
    draft = catalogue["briefs"]["draft"]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article=draft, actor=editor)
    assert "Unreleased thoughts" in client.get(url).content.decode()


def test_publishing_a_brief_retires_only_the_pages_that_can_show_it(
    client, catalogue, editor, django_capture_on_commit_callbacks, django_assert_num_queries
):
    draft = catalogue["briefs"]["draft"]  # CTO, AI & ML (Technology), Open models, Policy Paper, intermediate
    draft.refresh_from_db()
    showing = [
        reverse("articles:home"),
        reverse("articles:briefs"),
        reverse("articles:search") + "?q=distillation",
        catalogue["roles"]["cto"].get_absolute_url(),
        catalogue["areas"]["tech"].get_absolute_url(),
        catalogue["subfields"]["ai"].get_absolute_url(),
        catalogue["topics"]["models"].get_absolute_url(),
        catalogue["sources"]["paper"].get_absolute_url(),
        reverse("articles:depth", args=[draft.level]),
        reverse("articles:role_rss", args=["cto"]),
        catalogue["briefs"]["distillation"].get_absolute_url(),  # lists it as related
    ]
    not_showing = [
        catalogue["roles"]["policy_maker"].get_absolute_url(),
        catalogue["areas"]["policy"].get_absolute_url(),
        catalogue["subfields"]["infra"].get_absolute_url(),
        catalogue["topics"]["chips"].get_absolute_url(),
        catalogue["sources"]["journal"].get_absolute_url(),
        reverse("articles:depth", args=["advanced"]),
        reverse("articles:topic_rss", args=["chips"]),
        catalogue["briefs"]["gpus"].get_absolute_url(),
    ]
    before = {url: client.get(url).content.decode() for url in showing + not_showing}
    assert not any("Unreleased thoughts" in page for page in before.values())
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article=draft, actor=editor)
    with django_assert_num_queries(0):  # every page that cannot show it comes from the cache
        for url in not_showing:
            assert client.get(url).content.decode() == before[url]
    for url in showing:
        assert "Unreleased thoughts" in client.get(url).content.decode(), url


def test_moving_a_published_brief_retires_the_listings_it_leaves(client, catalogue, django_capture_on_commit_callbacks):
    brief = catalogue["briefs"]["gpus"]
    chips, infra = catalogue["topics"]["chips"].get_absolute_url(), catalogue["subfields"]["infra"].get_absolute_url()
    intermediate = reverse("articles:depth", args=["intermediate"])
    for url in (chips, infra, intermediate):
        assert "Where the GPUs went" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        brief.topics.clear()
        brief.fields.remove(catalogue["subfields"]["infra"])
        brief.level = "expert"
        brief.save()
    for url in (chips, infra, intermediate):
        assert "Where the GPUs went" not in client.get(url).content.decode(), url


def test_unpublishing_a_brief_refreshes_cached_pages(client, catalogue, editor, django_capture_on_commit_callbacks):
    brief = catalogue["briefs"]["gpus"]
    assert client.get(brief.get_absolute_url()).status_code == 200
    assert "Where the GPUs went" in client.get(reverse("articles:home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(article=brief, actor=editor)
    assert client.get(brief.get_absolute_url()).status_code == 404
    assert "Where the GPUs went" not in client.get(reverse("articles:home")).content.decode()


def test_editing_a_published_brief_refreshes_cached_pages(client, catalogue, django_capture_on_commit_callbacks):
    brief = catalogue["briefs"]["gpus"]
    client.get(brief.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        brief.summary = "A corrected summary about accelerators."
        brief.save()
    assert "A corrected summary about accelerators." in client.get(brief.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        brief.topics.add(make_topic("Supply chains"))
    assert "Supply chains" in client.get(brief.get_absolute_url()).content.decode()


def test_saving_a_draft_keeps_the_cache(
    client, catalogue, django_capture_on_commit_callbacks, django_assert_num_queries
):
    url = reverse("articles:home")
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(
            status=Status.DRAFT,
            title="Fresh ingest",
            source=catalogue["sources"]["paper"],
            fields=[catalogue["subfields"]["ai"]],
            roles=[catalogue["roles"]["cto"]],
            topics=[catalogue["topics"]["chips"]],
        )
    with django_assert_num_queries(0):
        client.get(url)


def _hits() -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("distillery_page_cache_hits_total") or 0.0


def test_a_cached_page_is_answered_with_every_header_of_the_first_answer(client, catalogue, django_assert_num_queries):
    url = catalogue["briefs"]["gpus"].get_absolute_url()
    first = client.get(url)
    hits = _hits()
    with django_assert_num_queries(0):
        second = client.get(url)
    assert _hits() == hits + 1  # answered by the middleware, before sessions and routing's middleware
    assert second.content == first.content
    headers = ("X-Frame-Options", "Content-Security-Policy", "X-Content-Type-Options", "Vary", "ETag", "Cache-Control")
    for header in headers:
        assert second[header] == first[header], header
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304


def test_a_reader_with_a_session_cookie_gets_the_cached_page_and_never_stores_one(client, catalogue):
    url = reverse("articles:home")
    client.cookies["sessionid"] = "a-session-that-was-never-saved"
    with_cookie = client.get(url)
    assert with_cookie.status_code == 200
    del client.cookies["sessionid"]
    # Nothing was stored from that answer: this one is made again and kept, with the whole stack's headers.
    hits = _hits()
    first = client.get(url)
    assert _hits() == hits
    assert first["X-Frame-Options"] == "DENY"
    Article.objects.filter(pk=catalogue["briefs"]["gpus"].pk).update(title="Silently renamed")
    client.cookies["sessionid"] = "a-session-that-was-never-saved"
    assert client.get(url).content == first.content  # served from what the cookieless reader stored


def test_signed_in_staff_get_fresh_uncached_pages(client, catalogue):
    url = reverse("articles:home")
    client.get(url)
    client.force_login(make_staff("Curator"))
    response = client.get(url)
    assert "private" in response["Cache-Control"]
    assert "ETag" not in response


def test_conditional_get_answers_not_modified(client, catalogue):
    url = catalogue["briefs"]["distillation"].get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert "must-revalidate" in response["Cache-Control"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-modified-since": last_modified}).status_code == 304
    assert client.get(url, headers={"if-none-match": '"something-else"'}).status_code == 200


def test_conditional_get_sees_a_change_after_publishing(client, catalogue, editor, django_capture_on_commit_callbacks):
    url = reverse("articles:home")
    etag = client.get(url)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article=catalogue["briefs"]["draft"], actor=editor)
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


@pytest.fixture(params=["locmem", "database", "redis"])
def shared_cache(request, settings):
    """The page cache on each backend production can use (Redis, the database table) and the test one."""
    if request.param == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "portal.redis_cache.RedisCache",  # the scaled mode's backend
                "LOCATION": request.getfixturevalue("redis_url"),
                # Others may share this Redis: keep to our own keys instead of flushing it.
                "KEY_PREFIX": f"web-test-{uuid.uuid4().hex}",
                "TIMEOUT": 60,
            }
        }
    elif request.param == "database":
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "distillery_cache"}
        }
        # The test settings cache in memory, so migrate made no cache table.
        call_command("createcachetable", verbosity=0)
    yield request.param
    # Page entries expire on their own; the version token has no timeout, so take it away.
    cache.delete(page_cache.VERSION_KEY)


def test_page_cache_is_used_and_retired_on_every_backend(
    client, catalogue, editor, shared_cache, django_capture_on_commit_callbacks
):
    url = reverse("articles:home")
    assert "Where the GPUs went" in client.get(url).content.decode()
    # A write that sends no signals is invisible until something retires the cache: proof the page came from it.
    Article.objects.filter(pk=catalogue["briefs"]["gpus"].pk).update(title="Silently renamed")
    assert "Where the GPUs went" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article=catalogue["briefs"]["draft"], actor=editor)
    fresh = client.get(url).content.decode()
    assert "Unreleased thoughts" in fresh
    # The silently renamed brief's card is kept too (articles/web/cards.py), under versions only a signal bumps.
    assert "Where the GPUs went" in fresh


def test_recomputed_related_briefs_refresh_cached_pages(client, catalogue, django_capture_on_commit_callbacks):
    from articles.enrich.related import refresh_related

    brief = catalogue["briefs"]["gpus"]
    newcomer = make_article(
        status=Status.PUBLISHED,
        title="Where the accelerators went next",
        summary="Datacentre build-outs absorbed most accelerators shipped this year, again.",
        source=catalogue["sources"]["journal"],
        fields=[catalogue["subfields"]["infra"]],
        roles=[catalogue["roles"]["cto"]],
        topics=[catalogue["topics"]["chips"]],
    )
    assert "Where the accelerators went next" not in client.get(brief.get_absolute_url()).content.decode()
    # The related task adds the newcomer to its neighbours' lists in bulk, after the page was cached.
    with django_capture_on_commit_callbacks(execute=True):
        refresh_related(article=newcomer)
    assert "Where the accelerators went next" in client.get(brief.get_absolute_url()).content.decode()


def test_pages_cached_over_http_keep_https_addresses_for_https_readers(client, catalogue):
    brief = catalogue["briefs"]["gpus"]
    client.get(brief.get_absolute_url())  # a crawler over plain HTTP fills the cache first
    page = client.get(brief.get_absolute_url(), secure=True).content.decode()
    assert '<link rel="canonical" href="https://testserver/briefs/where-the-gpus-went/">' in page
    assert "http://testserver" not in page
    feed = client.get(reverse("articles:feed_json"), secure=True).json()
    client.get(reverse("articles:feed_json"))
    assert feed["feed_url"].startswith("https://")
    assert client.get(reverse("articles:feed_json"), secure=True).json()["home_page_url"].startswith("https://")


def test_readers_filling_the_page_cache_never_evict_task_locks(client, catalogue, settings):
    # The embedded mode's caches as configured (no REDIS_URL), with Django's default culling.
    import copy

    from articles.locks import Busy, source_lock
    from portal import settings as project_settings

    assert not project_settings.REDIS_URL, "run the suite without REDIS_URL: this checks the embedded caches"
    settings.CACHES = copy.deepcopy(project_settings.CACHES)
    settings.INGEST_LOCK_SECONDS = 600  # this is about culling, not about the lease running out under load
    call_command("createcachetable", verbosity=0)
    with source_lock("https://feed.example/busy"):
        # Readers open a few hundred different addresses: every one becomes a cache entry.
        for number in range(320):
            assert client.get(reverse("articles:briefs"), {"page": number}).status_code == 200
        with pytest.raises(Busy), source_lock("https://feed.example/busy"):
            pass


def test_related_links_of_drafts_leave_cached_pages_alone(catalogue, django_capture_on_commit_callbacks):
    from articles.models import RelatedLink

    draft = catalogue["briefs"]["draft"]
    published = catalogue["briefs"]["gpus"]
    before = page_cache.site_version()
    with django_capture_on_commit_callbacks(execute=True):
        link = RelatedLink.objects.create(from_article=draft, to_article=published, score=0.5)
        link.delete()
    assert page_cache.site_version() == before


def test_pinning_a_related_brief_on_a_published_brief_refreshes_its_page(
    client, catalogue, django_capture_on_commit_callbacks
):
    from articles.models import RelatedLink

    brief = catalogue["briefs"]["gpus"]
    other = make_article(status=Status.PUBLISHED, title="A brief an editor pins")
    assert "A brief an editor pins" not in client.get(brief.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        RelatedLink.objects.create(from_article=brief, to_article=other, kind=RelatedLink.Kind.PINNED)
    assert "A brief an editor pins" in client.get(brief.get_absolute_url()).content.decode()


# --- What the key is made of ------------------------------------------------------------


def _stored_pages() -> int:
    # The tests' page store is the process's LocMem cache: count its page entries directly.
    return sum(1 for key in page_cache.page_store()._cache if ":web:page:" in key)


def test_a_thousand_tracking_parameters_store_one_render(client, catalogue, django_assert_num_queries):
    url = reverse("articles:briefs")
    first = client.get(url, {"utm_x": 0})
    assert _stored_pages() == 1
    with django_assert_num_queries(0):  # every one of them served from that render
        for n in range(1, 1000):
            response = client.get(url, {"utm_x": n, "fbclid": f"click{n}"})
            assert response.status_code == 200
    assert response.content == first.content
    assert _stored_pages() == 1


def test_known_parameters_still_tell_pages_apart_in_any_order(client, catalogue):
    url = reverse("articles:briefs")
    everything = client.get(url).content.decode()
    for_ctos = client.get(url, {"role": "cto", "utm_source": "mail"}).content.decode()
    assert for_ctos != everything
    assert _stored_pages() == 2
    client.get(f"{url}?level=advanced&role=cto")
    client.get(f"{url}?role=cto&level=advanced&utm_medium=x&role=cto")
    assert _stored_pages() == 3


def test_the_page_key_keeps_known_parameters_only_and_the_value_the_view_reads():
    from django.http import QueryDict

    assert page_cache.page_query(QueryDict("utm_source=a&gclid=1&q=agents&page=2&x=y")) == "q=agents&page=2"
    assert page_cache.page_query(QueryDict("role=a&role=cto&q=")) == "role=cto"


def test_every_parameter_a_cached_view_reads_is_part_of_the_page_key():
    # A parameter a view reads but the key ignores would serve one visitor's page to another.
    from pathlib import Path

    source = "\n".join(path.read_text() for path in Path(page_cache.__file__).parent.glob("*.py"))
    read = set(re.findall(r"""(?:GET|params)\.get\(\s*["']([a-z_]+)["']""", source))
    assert read
    assert read <= set(page_cache.KNOWN_PARAMETERS)


def test_the_scaled_modes_redis_cache_shares_one_client_across_calls_and_threads(settings, redis_url):
    import threading

    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "portal.redis_cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"client-test-{uuid.uuid4().hex}",
            "TIMEOUT": 60,
        }
    }
    store = caches["default"]
    store.set_many({"a": 1, "b": 2})
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.get_many(["a", "b"]))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [{"a": 1, "b": 2}] * 4
    assert store.add("a", 3) is False and store.get("a") == 1
    assert store._cache.get_client() is store._cache.get_client()
    store.delete_many(["a", "b"])
