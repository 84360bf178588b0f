"""/healthz for load balancers and `make run`, /metrics for Prometheus."""

import re
import uuid
from datetime import timedelta

import pytest
from django.db.utils import ConnectionHandler
from django.utils import timezone

from articles import health
from articles.models import Article, IngestionRun, Status
from articles.tests.factories import make_article, make_source
from portal.celery import app
from portal.config import database_from_url

pytestmark = pytest.mark.django_db

REFUSING_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthz_answers_200_naming_each_check_when_everything_is_up(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_503_naming_the_database_when_it_refuses_connections(client, monkeypatch):
    down = ConnectionHandler({"default": database_from_url("postgres://nobody:x@127.0.0.1:1/none")})
    monkeypatch.setattr(health, "connections", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["database"]
    assert "OperationalError" in body["checks"]["database"]["error"]
    assert body["checks"]["broker"]["ok"]


def test_healthz_answers_503_naming_the_cache_when_redis_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REFUSING_REDIS},
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["cache"]


def test_healthz_answers_503_naming_the_broker_when_it_is_unreachable(client, celery_conf):
    celery_conf(broker_url=REFUSING_REDIS, broker_transport_options={})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


def test_healthz_answers_503_when_the_embedded_queue_folder_is_gone(client, celery_conf, tmp_path):
    folders = {"data_folder_in": str(tmp_path / "gone"), "data_folder_out": str(tmp_path / "gone")}
    celery_conf(broker_transport_options=folders)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "gone is missing or not writable" in response.json()["checks"]["broker"]["error"]


def test_healthz_is_all_up_on_a_real_redis(client, settings, celery_conf, redis_url):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    celery_conf(broker_url=redis_url, broker_transport_options={})
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()


@pytest.fixture
def celery_conf():
    """Change the Celery app's configuration for one test."""
    saved = {}

    def change(**values):
        for key, value in values.items():
            saved.setdefault(key, app.conf.get(key))
            app.conf[key] = value

    yield change
    for key, value in saved.items():
        app.conf[key] = value


def _value(page: str, name: str, **labels) -> float:
    label_text = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    pattern = rf"^{re.escape(name)}{re.escape('{' + label_text + '}') if labels else ''} (\S+)$"
    found = re.search(pattern, page, re.MULTILINE)
    assert found, f"{name} {labels} not in the metrics"
    return float(found.group(1))


@pytest.fixture
def queue_folder(celery_conf, tmp_path):
    """The embedded broker's folders in a temporary place, so messages sent here reach no worker."""
    (tmp_path / "queue").mkdir()
    (tmp_path / "control").mkdir()
    options = {
        "data_folder_in": str(tmp_path / "queue"),
        "data_folder_out": str(tmp_path / "queue"),
        "control_folder": str(tmp_path / "control"),
        "store_processed": False,
    }
    celery_conf(broker_url="filesystem://localhost//", broker_transport_options=options)
    return tmp_path


def test_metrics_count_requests_runs_items_queues_and_drafting_lag(client, queue_folder, celery_conf):
    source = make_source(slug="eco-weekly")
    IngestionRun.objects.create(source=source, status=IngestionRun.Outcome.SUCCEEDED, items_new=3, items_failed=1)
    IngestionRun.objects.create(source=source, status=IngestionRun.Outcome.FAILED)
    IngestionRun.objects.create(  # outside the window
        source=source, status=IngestionRun.Outcome.FAILED, started_at=timezone.now() - timedelta(days=2)
    )
    make_article(source=source, status=Status.PUBLISHED)
    waiting = make_article(source=source, status=Status.INGESTED, complete=False)
    Article.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(minutes=30))
    # A queue name of its own: kombu remembers bindings per process, so a queue another test
    # declared would not be bound in this test's folder.
    queue_name = f"drafting-{uuid.uuid4().hex[:8]}"
    celery_conf(task_default_queue=queue_name)
    with app.connection_for_write() as connection:
        queue = connection.SimpleQueue(queue_name)
        queue.put({"task": "waiting"})
        queue.put({"task": "waiting too"})
    client.get("/")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    page = response.content.decode()
    assert _value(page, "django_http_requests_total_by_method_total", method="GET") >= 1
    assert _value(page, "distillery_ingestion_runs_recent", outcome="succeeded") == 1
    assert _value(page, "distillery_ingestion_runs_recent", outcome="failed") == 1
    assert _value(page, "distillery_ingested_items_recent", source="eco-weekly", result="new") == 3
    assert _value(page, "distillery_ingested_items_recent", source="eco-weekly", result="failed") == 1
    assert _value(page, "distillery_briefs", source="eco-weekly", status="published") == 1
    assert _value(page, "distillery_drafting_waiting") == 1
    assert 30 * 60 <= _value(page, "distillery_drafting_lag_seconds") < 40 * 60
    assert _value(page, "distillery_queue_length", queue=queue_name) == 2
    assert _value(page, "distillery_dependency_up", dependency="database") == 1


def test_a_scrape_costs_a_fixed_number_of_queries_however_large_the_library(
    client, queue_folder, django_assert_num_queries
):
    for _ in range(3):
        make_article(status=Status.PUBLISHED)
    with django_assert_num_queries(9):
        client.get("/metrics")
    for _ in range(3):
        make_article(status=Status.DRAFT)
    with django_assert_num_queries(9):
        client.get("/metrics")


def test_metrics_are_a_404_for_an_address_outside_the_allowed_networks(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


def test_metrics_open_to_an_allowed_network_or_the_bearer_token(client, settings, queue_folder):
    import ipaddress

    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    settings.METRICS_TOKEN = "scrape-secret"
    assert client.get("/metrics", REMOTE_ADDR="10.4.5.6").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    auth = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **auth).status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret", **auth).status_code == 200


def test_behind_the_proxy_metrics_go_by_the_address_the_proxy_appended(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The proxy is on loopback, the client wrote a loopback address itself: neither counts.
    forged = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "127.0.0.1, 203.0.113.9"}
    assert client.get("/metrics", **forged).status_code == 404


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_pages_load_nothing_from_another_origin(client, path):
    page = client.get(path).content.decode()
    addresses = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page) + re.findall(r"url\(([^)]+)\)", page)
    assert addresses, "the page references its script"
    outside = [a for a in addresses if re.match(r"""["']?(https?:)?//""", a)]
    assert outside == []
    assert "fonts.googleapis" not in page and "fonts.gstatic" not in page
