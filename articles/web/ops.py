"""For machines, not readers: `/healthz` for load balancers and `/metrics` for Prometheus."""

import ipaddress
import os
import secrets

import prometheus_client
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe
from prometheus_client import multiprocess

from articles.health import probe_all
from articles.metrics import LibraryCollector

# Its own registry, so that the library's families are also served when the request metrics
# come from several processes (PROMETHEUS_MULTIPROC_DIR) rather than from this one.
LIBRARY_REGISTRY = prometheus_client.CollectorRegistry(auto_describe=False)
LIBRARY_REGISTRY.register(LibraryCollector())


@require_safe
def healthz(request):
    """200 when the database, the caches and the broker all answer; 503 naming what does not."""
    probes = probe_all()
    down = [probe.name for probe in probes if not probe.ok]
    body = {
        "status": "down" if down else "ok",
        "down": down,
        "checks": {probe.name: probe.as_json() for probe in probes},
    }
    response = JsonResponse(body, status=503 if down else 200)
    add_never_cache_headers(response)
    return response


def _client_address(request) -> str:
    # Behind our own proxy, the address it appended; otherwise the socket's (as the API throttle does).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        sent = request.META.get("HTTP_AUTHORIZATION", "")
        if sent.startswith("Bearer ") and secrets.compare_digest(sent[7:].strip(), token):
            return True
    try:
        address = ipaddress.ip_address(_client_address(request))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


@require_safe
def metrics(request):
    """Prometheus text format: django-prometheus's request metrics, then the library's."""
    if not metrics_allowed(request):
        raise Http404  # not a 403: nothing tells a stranger the page exists
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    page = prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(LIBRARY_REGISTRY)
    response = HttpResponse(page, content_type=prometheus_client.CONTENT_TYPE_LATEST)
    add_never_cache_headers(response)
    return response
