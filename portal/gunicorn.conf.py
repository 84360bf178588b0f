"""Gunicorn settings for the scaled mode: `gunicorn portal.wsgi -c portal/gunicorn.conf.py`.

Each value can be changed from the environment without editing this file; the README's
configuration table lists them. Gunicorn reads this module itself, before Django starts.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}.") from None


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: pages are short database reads; twice the cores plus one keeps them busy
# while one waits on PostgreSQL.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
# Under the proxy's own timeout, so a stuck request is cut here and logged, not by the proxy.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so slow leaks in any library never grow without bound. Rarely: a
# new worker's first requests pay for its database connection and first renders, and while it
# starts the other workers take every connection. At 2,000 a busy site recycled each worker every
# second or two and its p95 rose from 13 ms to 1.2 s (bench/REPORT.md, "Cached pages").
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2000)
# Access log to standard output, with the time taken (microseconds) for latency dashboards.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Load the application once in the master: workers fork with Django already imported.
preload_app = True
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
