"""HTTP behaviour shared by every endpoint: caching validators, error shape, throttling."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone
from django.utils.http import http_date

from articles import workflow
from articles.api.errors import handler404, handler500
from articles.models import Article, Status
from articles.tests.factories import make_article, make_staff, make_topic
from articles.web.page_cache import CHANGE_KEY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v1/articles/", "/api/v1/articles/{slug}/", "/api/v1/fields/", "/api/v1/topics/"]
)
def test_anonymous_get_answers_304_while_the_etag_is_current(api, path):
    brief = make_article(status=Status.PUBLISHED)
    url = path.format(slug=brief.slug)
    first = api.get(url)
    assert first.status_code == 200
    assert "public" in first.headers["Cache-Control"] and "max-age=60" in first.headers["Cache-Control"]
    again = api.get(url, HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_a_change_a_reader_would_see_changes_the_etag(api):
    topic = make_topic(name="Lasers")
    brief = make_article(status=Status.PUBLISHED, topics=[topic])
    etag = api.get(f"/api/v1/articles/{brief.slug}/").headers["ETag"]
    topic.name = "Photonics"
    topic.save()
    response = api.get(f"/api/v1/articles/{brief.slug}/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["topics"][0]["name"] == "Photonics"


def test_if_modified_since_answers_304_until_a_brief_changes(api, django_capture_on_commit_callbacks):
    brief = make_article(status=Status.PUBLISHED)
    leaving = make_article(status=Status.PUBLISHED)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Article.objects.filter(pk=leaving.pk).update(updated_at=an_hour_ago)
    # Nothing else on the site changed since long ago, so the brief's own date is its Last-Modified.
    cache.set(CHANGE_KEY, f"{(an_hour_ago - timedelta(hours=1)).timestamp():.6f}", timeout=None)
    detail = api.get(f"/api/v1/articles/{brief.slug}/")
    assert detail.headers["Last-Modified"] == http_date(brief.updated_at.timestamp())
    Article.objects.filter(pk=brief.pk).update(updated_at=an_hour_ago)
    last_modified = api.get("/api/v1/articles/").headers["Last-Modified"]
    assert api.get("/api/v1/articles/", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    # Even a brief leaving the published list (out of sight afterwards) makes the list modified.
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(article=leaving, actor=make_staff("Editor"), reason="Withdrawn.")
    assert api.get("/api/v1/articles/", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/articles/", "/api/v1/articles/{slug}/"])
def test_if_modified_since_is_not_answered_304_after_a_topic_a_brief_shows_is_renamed(
    api, path, django_capture_on_commit_callbacks
):
    topic = make_topic(name="Lasers")
    brief = make_article(status=Status.PUBLISHED, topics=[topic])
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Article.objects.update(updated_at=an_hour_ago)
    cache.set(CHANGE_KEY, f"{an_hour_ago.timestamp():.6f}", timeout=None)  # nothing changed since
    url = path.format(slug=brief.slug)
    last_modified = api.get(url).headers["Last-Modified"]
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        topic.name = "Photonics"
        topic.save()

    response = api.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 200
    assert "Photonics" in response.content.decode()


def test_authenticated_answers_are_private(editor_api):
    make_article(status=Status.PUBLISHED)
    response = editor_api.get("/api/v1/articles/")
    assert "private" in response.headers["Cache-Control"]
    assert "Authorization" in response.headers["Vary"]


def test_unknown_api_path_is_a_json_404(api):
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "status": 404,
            "code": "not_found",
            "message": "There is no API endpoint at /api/v1/nothing-here/.",
            "fields": {},
        }
    }


def test_site_paths_keep_the_usual_error_pages():
    request = RequestFactory().get("/no-such-page/")
    assert handler404(request, Exception()).headers["Content-Type"].startswith("text/html")
    assert handler500(request).headers["Content-Type"].startswith("text/html")


def test_server_error_under_api_is_json():
    response = handler500(RequestFactory().get("/api/v1/articles/"))
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/json"
    assert b'"code": "server_error"' in response.content


def test_throttled_client_gets_429_with_retry_after(api, settings):
    settings.API_THROTTLE_ANON_RATE = "3/min"
    statuses = [api.get("/api/v1/roles/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/roles/")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "throttled"


def test_on_redis_the_list_counts_every_anonymous_request_in_its_page_read(api, settings, redis_url):
    import uuid

    # The scaled mode: the throttle's counters and the pages in one Redis, so the list counts a request in the
    # round trip that reads its page; one that fails before that read (a bad cursor, an unknown role) still counts.
    # Keys of its own: others may share this Redis.
    redis = {"BACKEND": "portal.redis_cache.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": uuid.uuid4().hex}
    settings.CACHES = {"default": redis, "pages": redis}
    settings.API_THROTTLE_CACHE = "default"
    settings.API_THROTTLE_ANON_RATE = "4/min"
    make_article(status=Status.PUBLISHED)
    statuses = [
        api.get(path).status_code
        for path in (
            "/api/v1/articles/",
            "/api/v1/articles/?cursor=not-a-cursor",
            "/api/v1/articles/?role=no-such-role",
            "/api/v1/articles/",
            "/api/v1/articles/",
            "/api/v1/articles/?cursor=not-a-cursor",
        )
    ]
    assert statuses == [200, 400, 400, 200, 429, 429]
    throttled = api.get("/api/v1/articles/")
    assert throttled.json()["error"]["code"] == "throttled"
    assert 0 < int(throttled.headers["Retry-After"]) <= 60


def test_anonymous_client_cannot_dodge_its_budget_with_a_forged_forwarded_for(api, settings):
    settings.API_THROTTLE_ANON_RATE = "2/min"
    statuses = [api.get("/api/v1/roles/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(1, 4)]
    assert statuses == [200, 200, 429]


def test_behind_a_proxy_each_client_address_it_reports_has_its_own_budget(api, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.API_THROTTLE_ANON_RATE = "1/min"
    # The proxy appends the address it saw; whatever the client wrote before it is not trusted.
    first = api.get("/api/v1/roles/", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.1")
    forged = api.get("/api/v1/roles/", HTTP_X_FORWARDED_FOR="198.51.100.8, 203.0.113.1")
    other_client = api.get("/api/v1/roles/", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert [first.status_code, forged.status_code, other_client.status_code] == [200, 429, 200]


def test_each_token_has_its_own_budget(curator_api, editor_api, settings):
    settings.API_THROTTLE_TOKEN_RATE = "2/min"
    assert [curator_api.get("/api/v1/roles/").status_code for _ in range(3)] == [200, 200, 429]
    assert editor_api.get("/api/v1/roles/").status_code == 200


def test_browsable_api_and_json_have_different_etags(api):
    make_article(status=Status.PUBLISHED)
    as_json = api.get("/api/v1/articles/", HTTP_ACCEPT="application/json")
    as_html = api.get("/api/v1/articles/", HTTP_ACCEPT="text/html")
    assert as_html.headers["Content-Type"].startswith("text/html")
    assert as_json.headers["ETag"] != as_html.headers["ETag"]
    assert "Accept" in as_json.headers["Vary"]


def test_malformed_json_body_is_a_400_in_the_error_shape(curator_api):
    response = curator_api.post("/api/v1/articles/", '{"title": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_session_writes_need_the_csrf_token():
    from rest_framework.test import APIClient

    from articles.tests.factories import make_staff

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(make_staff("Editor"))
    brief = make_article(status=Status.IN_REVIEW)
    response = client.post(f"/api/v1/articles/{brief.slug}/publish/", {}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
    brief.refresh_from_db()
    assert brief.status == Status.IN_REVIEW


def test_browsable_api_offers_a_login_page(api):
    assert api.get("/api/auth/login/").status_code == 200


def test_api_root_lists_the_endpoints(api):
    body = api.get("/api/v1/").json()
    assert set(body) == {"articles", "fields", "topics", "roles", "sources"}
    assert body["articles"] == "http://testserver/api/v1/articles/"


def test_throttle_counters_live_in_their_own_cache_when_configured(api, settings):
    from django.core.cache import caches

    throttle_cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-throttle-test"}
    settings.CACHES = {**settings.CACHES, "api_throttle": throttle_cache}
    settings.API_THROTTLE_CACHE = "api_throttle"
    settings.API_THROTTLE_ANON_RATE = "1/min"
    caches["api_throttle"].clear()
    assert api.get("/api/v1/roles/").status_code == 200
    assert api.get("/api/v1/roles/").status_code == 429
    assert caches["default"].get("throttle_anon_127.0.0.1") is None
    caches["api_throttle"].clear()
