"""Mixed load on the scaled mode, all on loopback: readers, API clients, curators saving through
the admin and ingestion running at once, at a fixed concurrency; server errors and p95 per kind.

    .venv/bin/python bench/mixed_load.py --database-url postgres://distillery:distillery@127.0.0.1:5432/postgres \\
        --redis-url redis://127.0.0.1:6390/5 [--minutes 5] [--port 8105]

What it sets up (and removes afterwards): a fresh PostgreSQL database named after the run, the
Redis database given (flushed at start and end), the demo library, a curator and an editor with
an API token, gunicorn on 127.0.0.1:PORT, one Celery worker, and a feed server on 127.0.0.1 whose
feeds gain new items every few seconds. The API's anonymous budget is raised for the run: all
clients come from one address, and the point is the server's capacity, not the throttle.

Kinds of client (threads, each looping without pause):
  reader   anonymous pages: home, listings with filters (and utm_* noise), briefs, search, sitemap
  api      anonymous and token reads of the REST API: lists with filters, details, sources
  curator  signs in to the admin, opens a draft's change form and saves an edited summary
  ingest   an editor's "Ingest now" through the API for a random feed (the worker fetches,
           stores and drafts what is new)

Prints a table per kind and the ingestion runs' outcomes; exits non-zero on any server error.
"""

import argparse
import html.parser
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CONCURRENCY = {"reader": 6, "api": 3, "curator": 2, "ingest": 1}
FEEDS = 6


# --- The loopback feed server -------------------------------------------------------------


class GrowingFeeds:
    """FEEDS RSS feeds; each gains one item every `every` seconds from the start of the run."""

    def __init__(self, every: float = 4.0, initial: int = 5):
        self.started = time.monotonic()
        self.every = every
        self.initial = initial

    def items(self, feed: int) -> int:
        return self.initial + int((time.monotonic() - self.started) / self.every)

    def body(self, feed: int, port: int) -> bytes:
        count = self.items(feed)
        now = datetime.now(UTC)
        items = []
        for n in range(count, max(count - 50, 0), -1):  # newest first, the last 50, as real feeds do
            words = " ".join(f"load{feed} word{(n * 7 + k) % 97} item{n}" for k in range(60))
            when = format_datetime(now - timedelta(minutes=count - n), usegmt=True)
            items.append(
                f"<item><title>Load feed {feed}, piece {n}: measured under pressure</title>"
                f"<link>http://127.0.0.1:{port}/feed-{feed}/pieces/{n}</link>"
                f"<guid>http://127.0.0.1:{port}/feed-{feed}/pieces/{n}</guid>"
                f"<pubDate>{when}</pubDate><description>&lt;p&gt;{words}.&lt;/p&gt;</description></item>"
            )
        return (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Load feed {feed}</title>'
            f"<link>http://127.0.0.1:{port}/</link>{''.join(items)}</channel></rss>"
        ).encode()


def start_feed_server(feeds: GrowingFeeds) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            match = re.fullmatch(r"/feed-(\d+)\.xml", self.path)
            if not match:
                self.send_error(404)
                return
            body = feeds.body(int(match.group(1)), self.server.server_address[1])
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- Setting up the site ------------------------------------------------------------------

SETUP = """
import json
from articles.models import Article, Source, Status
from articles.models.tokens import issue_token
from articles.tests.factories import make_staff
curator = make_staff("Curator"); curator.set_password("bench-password-1"); curator.save()
editor = make_staff("Editor"); editor.set_password("bench-password-2"); editor.save()
_token, plaintext = issue_token(user=editor, name="bench")
feeds = [Source.objects.create(name=f"Load feed {n}", url=f"http://127.0.0.1:{PORT}/feed-{n}.xml",
                               is_active=True, poll_interval_minutes=600).pk for n in range(FEEDS)]
print(json.dumps({
    "curator": curator.username, "editor_token": plaintext, "feeds": feeds,
    "drafts": list(Article.objects.filter(status=Status.DRAFT).values_list("pk", flat=True)),
    "briefs": list(Article.objects.published().values_list("slug", flat=True)),
}))
"""


def manage(env, *args, check=True, **kwargs):
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=check, text=True, **kwargs)


def wait_until_serving(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the site did not answer at {url} within {timeout:g} s")


# --- The clients --------------------------------------------------------------------------


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.failures: list[str] = []

    def record(self, kind: str, status: int, seconds: float, what: str = "") -> None:
        with self.lock:
            self.timings[kind].append(seconds)
            self.statuses[kind][status] += 1
            if status >= 500 or status == 0:
                self.failures.append(f"{kind} {status} {what}")


def timed(results: Results, kind: str, client: httpx.Client, method: str, url: str, **kwargs) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        results.record(kind, 0, time.perf_counter() - started, f"{method} {url}: {exc!r}")
        return None
    results.record(kind, response.status_code, time.perf_counter() - started, f"{method} {url}")
    return response


def reader(base, stop, results, data, rng):
    roles = ["cto", "vp-engineering", "ai-scientist", "policy-maker", "executive"]
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            choice = rng.random()
            if choice < 0.2:
                url = "/"
            elif choice < 0.45:
                url = f"/briefs/{rng.choice(data['briefs'])}/"
            elif choice < 0.6:
                url = f"/roles/{rng.choice(roles)}/?utm_source=mail&utm_campaign={rng.randrange(10_000)}"
            elif choice < 0.75:
                url = f"/briefs/?level={rng.choice(['introductory', 'intermediate', 'advanced'])}&page=1"
            elif choice < 0.92:
                url = f"/search/?q={rng.choice(['evaluation', 'distillation', 'battery', 'policy', 'data'])}"
            else:
                url = "/sitemap-briefs.xml"
            timed(results, "reader", client, "GET", url)


def api_client(base, stop, results, data, rng):
    headers = {"Authorization": f"Bearer {data['editor_token']}"}
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            choice = rng.random()
            if choice < 0.4:
                timed(results, "api", client, "GET", "/api/v1/articles/", params={"role": "cto", "page_size": 20})
            elif choice < 0.7:
                timed(results, "api", client, "GET", f"/api/v1/articles/{rng.choice(data['briefs'])}/")
            elif choice < 0.85:
                timed(results, "api", client, "GET", "/api/v1/articles/", params={"q": "evaluation"}, headers=headers)
            else:
                timed(results, "api", client, "GET", "/api/v1/sources/")


class FormFields(html.parser.HTMLParser):
    """The values a browser would send for the admin's change form (inputs, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form or ("name" not in attrs and tag in ("input", "select", "textarea")):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea, self.text = attrs["name"], ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.text += data


def curator(base, stop, results, data, rng):
    with httpx.Client(base_url=base, timeout=60) as client:
        login = timed(results, "curator sign-in", client, "GET", "/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
        signed = timed(
            results,
            "curator sign-in",
            client,
            "POST",
            "/admin/login/",
            data={"username": data["curator"], "password": "bench-password-1", "csrfmiddlewaretoken": token},
            headers={"Referer": base + "/admin/login/"},
        )
        if signed is None or signed.status_code != 302:
            raise SystemExit(f"the curator could not sign in: {signed and signed.status_code}")
        while not stop.is_set():
            draft = rng.choice(data["drafts"])
            url = f"/admin/articles/article/{draft}/change/"
            page = timed(results, "curator open", client, "GET", url)
            if page is None or page.status_code != 200:
                continue
            form = FormFields()
            form.feed(page.text)
            fields: dict[str, list[str]] = defaultdict(list)
            for name, value in form.fields:
                fields[name].append(value)
            summary = re.sub(r" \(checked \d+\)$", "", (fields.pop("summary", None) or [""])[0])
            fields["summary"] = [summary + f" (checked {rng.randrange(1_000_000)})"]
            fields["_continue"] = ["Save and continue editing"]
            saved = timed(results, "curator save", client, "POST", url, data=fields, headers={"Referer": base + url})
            if saved is not None and saved.status_code != 302:
                errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', saved.text, flags=re.S)[:3]
                results.failures.append(f"curator save answered {saved.status_code}: {errors}")


def ingester(base, stop, results, data, rng):
    headers = {"Authorization": f"Bearer {data['editor_token']}"}
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            feed = rng.choice(data["feeds"])
            timed(results, "ingest now", client, "POST", f"/api/v1/sources/{feed}/ingest/", headers=headers)
            stop.wait(3)


KINDS = {"reader": reader, "api": api_client, "curator": curator, "ingest": ingester}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(results: Results, seconds: float) -> str:
    lines = [
        "| kind | requests | per second | 5xx / no answer | other statuses | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for kind in sorted(results.timings):
        timings = results.timings[kind]
        statuses = results.statuses[kind]
        bad = sum(count for status, count in statuses.items() if status >= 500 or status == 0)
        other = ", ".join(f"{status}×{count}" for status, count in sorted(statuses.items()) if status >= 300)
        lines.append(
            f"| {kind} | {len(timings)} | {len(timings) / seconds:.1f} | {bad} | {other or '—'} | "
            f"{statistics.median(timings) * 1000:.0f} | {percentile(timings, 0.95) * 1000:.0f} | "
            f"{max(timings) * 1000:.0f} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server (any database on it)")
    parser.add_argument("--redis-url", required=True, help="a Redis database this run may flush")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()

    import psycopg
    import redis

    name = f"distillery_bench_{secrets.token_hex(4)}"
    parts = urlsplit(args.database_url)
    with psycopg.connect(args.database_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(args.redis_url).flushdb()
    feeds = GrowingFeeds()
    feed_server = start_feed_server(feeds)
    var_dir = tempfile.mkdtemp(prefix="distillery-mixed-load-")
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}")),
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DISTILLERY_VAR_DIR": var_dir,
        "INGEST_ALLOW_LOOPBACK": "true",
        "API_THROTTLE_ANON_RATE": "1000000/min",
        "API_THROTTLE_TOKEN_RATE": "1000000/min",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    processes: list[subprocess.Popen] = []
    logs = Path(var_dir)
    log_files = []
    try:
        print(f"setting up {name} (migrate, demo, static) …", flush=True)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_demo", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        setup = SETUP.replace("PORT", str(feed_server.server_address[1])).replace("FEEDS", str(FEEDS))
        import json

        data = json.loads(
            manage(env, "shell", "--no-imports", "-c", setup, capture_output=True).stdout.strip().splitlines()[-1]
        )

        for command, log in (
            (
                [PYTHON, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{args.port}", "--workers",
                 str(args.web_workers), "--timeout", "60"],
                "gunicorn.log",
            ),
            ([PYTHON, "-m", "celery", "--app", "portal", "worker", "--loglevel", "WARNING", "--concurrency", "1"],
             "worker.log"),
        ):  # fmt: skip
            log_files.append((logs / log).open("w"))
            processes.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=log_files[-1], stderr=subprocess.STDOUT, start_new_session=True
                )
            )
        base = f"http://127.0.0.1:{args.port}"
        wait_until_serving(base + "/")

        results = Results()
        stop = threading.Event()
        threads = []
        for kind, count in CONCURRENCY.items():
            for n in range(count):
                rng = random.Random(f"{args.seed}-{kind}-{n}")
                threads.append(threading.Thread(target=KINDS[kind], args=(base, stop, results, data, rng), daemon=True))
        print(f"load: {CONCURRENCY} for {args.minutes:g} min against {base} …", flush=True)
        started = time.monotonic()
        for thread in threads:
            thread.start()
        stop.wait(args.minutes * 60)
        stop.set()
        for thread in threads:
            thread.join(timeout=90)
        elapsed = time.monotonic() - started

        outcome = manage(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from django.db.models import Count\n"
            "from articles.models import Article, IngestionRun\n"
            "print(dict(IngestionRun.objects.values_list('status').annotate(n=Count('pk')).order_by()))\n"
            "print(Article.objects.filter(source__name__startswith='Load feed').count())\n"
            "print(dict(Article.objects.filter(source__name__startswith='Load feed')"
            ".values_list('status').annotate(n=Count('pk')).order_by()))\n"
            "print(list(IngestionRun.objects.filter(status='failed').values_list('error', flat=True)[:3]))",
            capture_output=True,
        ).stdout.strip()

        print()
        print(report(results, elapsed))
        print()
        print(f"ingestion runs by outcome, items stored, their statuses, first failures:\n{outcome}")
        print(f"feed items published by the feed server: {feeds.items(0)} per feed × {FEEDS} feeds")
        if results.failures:
            print(f"\n{len(results.failures)} server error(s) or unanswered requests; the first ones:")
            for failure in results.failures[:10]:
                print("  " + failure)
            print(f"logs: {logs}")
            return 1
        return 0
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
        for log_file in log_files:
            log_file.close()
        feed_server.shutdown()
        redis.Redis.from_url(args.redis_url).flushdb()
        with psycopg.connect(args.database_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
