"""Is this installation able to work right now? Database, caches and broker, each probed cheaply.

`/healthz` (load balancers, `make run`'s start-up check) and the metrics read these. A probe
only reads: a health check polled every few seconds must not take SQLite's write lock.
"""

import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import connections


@dataclass(frozen=True)
class Probe:
    name: str
    ok: bool
    milliseconds: float
    error: str = ""

    def as_json(self) -> dict:
        answer = {"ok": self.ok, "ms": round(self.milliseconds, 1)}
        if self.error:
            answer["error"] = self.error
        return answer


def _timed(name: str, check) -> Probe:
    started = time.perf_counter()
    try:
        check()
    except Exception as error:  # any failure of the dependency is the answer, not a crash
        message = f"{type(error).__name__}: {error}".strip()
        return Probe(name, False, (time.perf_counter() - started) * 1000, message[:300])
    return Probe(name, True, (time.perf_counter() - started) * 1000)


def check_database(alias: str = "default") -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_caches() -> None:
    # Shared caches only: a per-process memory cache cannot be down.
    for alias, config in settings.CACHES.items():
        if "locmem" not in config["BACKEND"] and "dummy" not in config["BACKEND"]:
            caches[alias].get("healthz:probe")


def check_broker() -> None:
    from portal.celery import app

    if app.conf.task_always_eager:
        return
    options = app.conf.broker_transport_options or {}
    if app.conf.broker_url.startswith("filesystem:"):
        # The filesystem transport is reachable when its folders are there and writable.
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            folder = options.get(key)
            if folder and not os.access(folder, os.W_OK | os.X_OK):
                raise OSError(f"the queue folder {folder} is missing or not writable")
        return
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0.2, timeout=2)


PROBES = {"database": check_database, "cache": check_caches, "broker": check_broker}


def probe_all() -> list[Probe]:
    return [_timed(name, check) for name, check in PROBES.items()]
