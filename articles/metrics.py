"""Prometheus metrics of the library, computed when Prometheus scrapes `/metrics`.

Requests, latencies and response codes come from django-prometheus's middleware; this
collector adds what only the database and the broker know. Each family is a few indexed
aggregate queries, so a scrape every 15 to 60 seconds costs the database next to nothing.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min, Sum
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from articles.health import probe_all
from articles.models import Article, IngestionRun, Source, Status

logger = logging.getLogger(__name__)


def queue_names() -> list[str]:
    """The Celery queues tasks are sent to: the default one and any a route or a queue setting names."""
    from portal.celery import app

    names = [app.conf.task_default_queue or "celery"]
    for queue in app.conf.task_queues or ():
        names.append(getattr(queue, "name", queue))
    routes = app.conf.task_routes or {}
    for route in routes.values() if isinstance(routes, dict) else ():
        if isinstance(route, dict) and route.get("queue"):
            names.append(route["queue"])
    return list(dict.fromkeys(names))


def queue_lengths() -> dict[str, int]:
    """Messages waiting in each queue, as the broker counts them (Redis lists or queue files)."""
    from portal.celery import app

    lengths = {}
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        for name in queue_names():
            try:
                lengths[name] = channel.queue_declare(queue=name, passive=True).message_count
            except Exception as error:  # a queue nobody declared yet holds nothing
                logger.warning("Metrics: queue %s not measured (%s)", name, error)
                lengths[name] = 0
    return lengths


class LibraryCollector:
    """The families below, read fresh on every scrape."""

    def collect(self):
        for family in (self._runs, self._briefs, self._lags, self._queues, self._health):
            try:
                yield from family()
            except Exception:  # one failing family must not hide the others (or the request metrics)
                logger.exception("Metrics: %s could not be read", family.__name__)

    def _runs(self):
        # Over a recent window, not all time: the table of runs grows by one row per source per poll,
        # and a scrape must stay an indexed range read (run_started_idx).
        window = settings.METRICS_WINDOW_MINUTES
        since = timezone.now() - timedelta(minutes=window)
        recent = IngestionRun.objects.order_by().filter(started_at__gte=since)
        runs = GaugeMetricFamily(
            "distillery_ingestion_runs_recent",
            f"Ingestion runs started in the last {window} minutes, by outcome.",
            labels=["outcome"],
        )
        counted = dict(recent.values_list("status").annotate(n=Count("pk")))
        for outcome in IngestionRun.Outcome.values:
            runs.add_metric([outcome], counted.get(outcome, 0))
        yield runs
        items = GaugeMetricFamily(
            "distillery_ingested_items_recent",
            f"Items seen by the runs of the last {window} minutes, per source and what became of them.",
            labels=["source", "result"],
        )
        sums = recent.values_list("source__slug").annotate(
            Sum("items_new"), Sum("items_updated"), Sum("items_unchanged"), Sum("items_failed")
        )
        for slug, *values in sums:
            for result, value in zip(("new", "updated", "unchanged", "failed"), values, strict=True):
                items.add_metric([slug, result], value or 0)
        yield items

    def _briefs(self):
        briefs = GaugeMetricFamily("distillery_briefs", "Briefs per source and status.", labels=["source", "status"])
        rows = Article.objects.order_by().values_list("source__slug", "status").annotate(n=Count("pk"))
        for slug, status, count in rows:
            briefs.add_metric([slug, status], count)
        yield briefs
        sources = GaugeMetricFamily("distillery_sources", "Sources, by whether they are polled.", labels=["active"])
        active = dict(Source.objects.order_by().values_list("is_active").annotate(n=Count("pk")))
        sources.add_metric(["true"], active.get(True, 0))
        sources.add_metric(["false"], active.get(False, 0))
        yield sources
        failing = GaugeMetricFamily(
            "distillery_sources_failing", "Active sources whose last fetch failed (consecutive_failures > 0)."
        )
        failing.add_metric([], Source.objects.active().filter(consecutive_failures__gt=0).count())
        yield failing

    def _lags(self):
        now = timezone.now()
        oldest = Article.objects.filter(status=Status.INGESTED).aggregate(at=Min("created_at"))["at"]
        drafting = GaugeMetricFamily(
            "distillery_drafting_lag_seconds",
            "Age of the oldest piece still waiting to be drafted (0 when none waits).",
        )
        drafting.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
        yield drafting
        waiting = GaugeMetricFamily("distillery_drafting_waiting", "Pieces ingested and not yet drafted.")
        waiting.add_metric([], Article.objects.filter(status=Status.INGESTED).count())
        yield waiting
        overdue_since = Source.objects.due(now).aggregate(at=Min("next_fetch_at"))["at"]
        ingestion = GaugeMetricFamily(
            "distillery_ingestion_lag_seconds",
            "How long the most overdue active feed has been due for a fetch (0 when none is overdue).",
        )
        ingestion.add_metric([], max(0.0, (now - overdue_since).total_seconds()) if overdue_since else 0.0)
        yield ingestion

    def _queues(self):
        queues = GaugeMetricFamily(
            "distillery_queue_length", "Messages waiting in each Celery queue.", labels=["queue"]
        )
        for name, length in queue_lengths().items():
            queues.add_metric([name], length)
        yield queues

    def _health(self):
        up = GaugeMetricFamily(
            "distillery_dependency_up", "1 when the dependency answers /healthz's probe.", labels=["dependency"]
        )
        for probe in probe_all():
            up.add_metric([probe.name], 1 if probe.ok else 0)
        yield up
