"""Ingestion speed beside the `reader` library, on the same real feeds served from loopback, in one run.

    .venv/bin/python bench/ingest_speed.py [--rounds 3] [--copies 2] [--drafting]
    DATABASE_URL=postgres://… BENCH_REDIS_URL=redis://127.0.0.1:6390/2 .venv/bin/python bench/ingest_speed.py --workers

The 20 feeds of ../shared/corpora/realfeeds (or DISTILLERY_SHARED_CORPORA/realfeeds), each
served `--copies` times under different addresses so both readers see distinct feeds, by a
threaded HTTP server on 127.0.0.1. Full-text fetching stays off: the items' own links point
to public sites and are never requested. For each round, on fresh databases:

- `reader` (a well-kept Python feed reader): add every feed, then time `update_feeds()`;
- Distillery, drafting off: add every feed, then time `manage.py ingest --all`'s work in one
  process (call_command after start-up, as reader's timing starts after its own set-up), on
  SQLite under a temporary folder or on DATABASE_URL's server when set;
- with `--drafting`, the first round then drafts what it stored (`manage.py enrich --ingested`).

Entries per second = entries read from the feeds / seconds of that step (reader counts the
entries it stored, one per feed and item; Distillery the items its runs saw, `items_seen`).

With DATABASE_URL and BENCH_REDIS_URL (a Redis database this run may flush) both set, Distillery runs
in its scaled mode (PostgreSQL, locks in Redis). With `--workers` (which needs both), the same
feeds (each served `--worker-copies` times, 10 by default: 200 feeds, so that a worker's start-up
and the last feed's tail are a small part of the run) go through real Celery workers: one
ingest_source task per feed queued first, then a worker started with concurrency 1 and again
with 4, timed from the first run's start to the last run's end as the database records them.
Then the memory run: generated feeds (`--memory-items`, 10,000 by default, 100 items a feed)
through one worker process whose resident memory is sampled twice a second. PNG charts go to
bench/charts/ (matplotlib, a development dependency imported only here) and the figures to
bench/ingest_speed.json.
Not a test.
"""

import argparse
import contextlib
import datetime
import functools
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import format_datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("DISTILLERY_SHARED_CORPORA") or ROOT.parent / "shared" / "corpora")
FEEDS = CORPORA / "realfeeds"
CHARTS = ROOT / "bench" / "charts"
RESULTS = ROOT / "bench" / "ingest_speed.json"
SECRET = "bench-only-secret-key-never-used-for-anything-real-0123456789"
ITEMS_PER_GENERATED_FEED = 100

# Paragraphs for generated items: enough text that normalizing and storing cost what a real item does.
WORDS = [
    *("model", "data", "team", "cost", "latency", "review", "release", "policy", "engineer", "platform"),
    *("research", "result", "customer", "market", "study", "benchmark", "network", "budget", "roadmap"),
    *("incident", "security", "privacy", "training", "inference"),
]


def generated_feed(feed: int, items: int) -> bytes:
    """RSS 2.0 with `items` distinct items (addresses unique to `feed`), about 2 kB of HTML each."""
    parts = []
    when = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for n in range(items):
        words = [WORDS[(feed * 7 + n * 3 + i) % len(WORDS)] for i in range(300)]
        body = "".join(f"<p>{' '.join(words[i : i + 30]).capitalize()}.</p>" for i in range(0, 300, 30))
        parts.append(
            f"<item><title>Generated piece {feed}-{n}</title>"
            f"<link>https://generated.example/{feed}/{n}</link><guid>https://generated.example/{feed}/{n}</guid>"
            f"<pubDate>{format_datetime(when + datetime.timedelta(minutes=n))}</pubDate>"
            f"<description>{escape(body)}</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Generated {feed}</title>'
        f"<link>https://generated.example/{feed}/</link>{''.join(parts)}</channel></rss>"
    ).encode()


class QuietHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a publisher's server would
    # Headers and body go out in two writes; with Nagle's algorithm on, a keep-alive client's delayed
    # acknowledgement held each body back about 40 ms (a stall publishers' servers, which set TCP_NODELAY,
    # do not have): 40 feeds took 0.8-1.2 s to fetch with httpx, 0.04 s without it.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_GET(self):
        # /gen/<feed>/<items>.xml → a generated feed; anything else → the corpus file of that name.
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        if parts[0] == "gen" and len(parts) == 3:
            body = generated_feed(int(parts[1]), int(parts[2].removesuffix(".xml")))
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def translate_path(self, path):
        # /copy-3/name.xml → the corpus file name.xml: the same bytes under several addresses.
        name = path.split("?", 1)[0].rsplit("/", 1)[-1]
        return str(FEEDS / name)


def serve_feeds():
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(FEEDS)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def feed_urls(port: int, copies: int) -> list[str]:
    names = sorted(path.name for path in FEEDS.iterdir() if path.is_file() and path.name != "SOURCE.md")
    return [f"http://127.0.0.1:{port}/copy-{copy}/{name}" for copy in range(copies) for name in names]


def generated_urls(port: int, items: int) -> list[str]:
    feeds = max(1, items // ITEMS_PER_GENERATED_FEED)
    return [f"http://127.0.0.1:{port}/gen/{feed}/{ITEMS_PER_GENERATED_FEED}.xml" for feed in range(feeds)]


def run_reader(urls: list[str]) -> tuple[int, float]:
    from reader import make_reader

    with tempfile.TemporaryDirectory() as folder:
        reader = make_reader(str(Path(folder) / "reader.sqlite"))
        for url in urls:
            reader.add_feed(url)
        started = time.perf_counter()
        reader.update_feeds()
        seconds = time.perf_counter() - started
        entries = reader.get_entry_counts().total
        reader.close()
    return entries, seconds


# --- Distillery: databases and processes ----------------------------------------------------


def distillery_env(folder: str, redis_url: str = "") -> dict:
    """The embedded mode (SQLite, no Redis), or the scaled one when DATABASE_URL and `redis_url` are both set."""
    env = {
        **os.environ,
        "DISTILLERY_VAR_DIR": folder,
        "INGEST_ALLOW_LOOPBACK": "true",
        "SECRET_KEY": SECRET,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "ENRICH_ON_INGEST": "false",
    }
    env.pop("REDIS_URL", None)
    if env.get("DATABASE_URL") and redis_url:
        env["REDIS_URL"] = redis_url
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def python(env: dict, script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{script}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"A bench step failed:\n{result.stderr[-3000:]}")
    return result.stdout


@contextlib.contextmanager
def fresh_database(env: dict, label: str):
    """A new database for one measurement: DATABASE_URL's server when set (dropped after), else SQLite."""
    base = os.environ.get("DATABASE_URL", "")
    name = f"distillery_ingest_bench_{label}_{os.getpid()}"
    if base:
        import psycopg

        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = base.rsplit("/", 1)[0] + f"/{name}"
    manage(env, "migrate", "--noinput", "-v0")
    try:
        yield env.get("DATABASE_URL", "")
    finally:
        if base:
            with psycopg.connect(base, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


ADD_SOURCES = """
import sys
from articles.models import Source
for i, url in enumerate(sys.argv[1:]):
    Source.objects.create(name=f"Feed {i}", url=url, fetch_full_text=False)
"""

INGEST_ALL = """
import io, json, time
from django.core.management import CommandError, call_command
from django.db.models import Sum
from articles.models import Article, IngestionRun
# Before the timer, as `import reader` and `make_reader()` are before reader's: the command's imports and the first
# connection to the lock cache, which a process that ingests makes once (0.2-0.3 s of a 1.1 s run on PostgreSQL).
from articles.locks import lock_cache
from articles.management.commands import ingest as _command  # noqa: F401
lock_cache().get("bench:warm-up")
started = time.perf_counter()
try:
    call_command("ingest", all=True, stdout=io.StringIO(), stderr=io.StringIO())
except CommandError:
    pass  # a feed failed: counted below like the rest
seconds = time.perf_counter() - started
runs = IngestionRun.objects.aggregate(seen=Sum("items_seen"), new=Sum("items_new"))
print(json.dumps({"seconds": seconds, "entries": runs["seen"] or 0, "new": runs["new"] or 0,
                  "stored": Article.objects.count()}))
"""


def run_distillery(urls: list[str], *, drafting: bool, redis_url: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        env = distillery_env(folder, redis_url)
        if env.get("REDIS_URL"):
            import redis

            redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # locks and pages of an earlier round
        with fresh_database(env, "cli"):
            python(env, ADD_SOURCES, *urls)
            result = json.loads(python(env, INGEST_ALL).strip().splitlines()[-1])
            if drafting:
                started = time.perf_counter()
                manage(env, "enrich", "--ingested")
                result["draft_seconds"] = time.perf_counter() - started
                drafted = "from articles.models import Article; print(Article.objects.filter(status='draft').count())"
                result["drafted"] = int(python(env, drafted).strip().splitlines()[-1])
    return result


# --- Distillery through Celery workers -------------------------------------------------------

QUEUE_ALL = """
from articles import tasks
from articles.models import Source
for source_id in Source.objects.values_list("pk", flat=True):
    tasks.ingest_source.delay(source_id)
"""


def process_tree_rss(pid: int) -> dict[int, int]:
    """Resident bytes of `pid` and each of its children, read from /proc."""
    sizes = {}
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as statm:
                sizes[current] = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return sizes


def run_workers(
    urls: list[str],
    *,
    concurrency: int,
    redis_url: str,
    label: str,
    sample: bool = False,
    separate: int = 1,
    draft: bool = False,
) -> dict:
    """Queue one ingest_source per feed, then let `separate` workers of `concurrency` processes take them all.

    With `draft`, the pieces stored are then drafted by one warm drafting worker (`draft_in_worker`), and its
    figures are returned under "drafting".

    Each worker starts in a session of its own. Linux's autogroup scheduling (on here:
    /proc/sys/kernel/sched_autogroup_enabled) shares the CPU fairly between sessions, so on a
    machine busy with other sessions the pool processes of one worker share one session's part,
    while separate workers get one part each.
    """
    import psycopg
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    with tempfile.TemporaryDirectory() as folder:
        env = distillery_env(folder, redis_url)
        # Every bench feed is on one host (127.0.0.1); a real library's feeds are on many hosts.
        env["INGEST_PER_HOST_CONCURRENCY"] = str(max(2, concurrency * separate))
        env["INGEST_MAX_ITEMS_PER_SOURCE_PER_DAY"] = "100000"
        with fresh_database(env, label) as database_url:
            python(env, ADD_SOURCES, *urls)
            python(env, QUEUE_ALL)
            command = [
                *(sys.executable, "-m", "celery", "-A", "portal", "worker", "--concurrency", str(concurrency)),
                *("--pool", "prefork", "-Q", "celery", "--loglevel", "WARNING"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ]
            workers = [
                subprocess.Popen(
                    [*command, "-n", f"bench-{label}-{n}@%h"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    start_new_session=True,
                )
                for n in range(separate)
            ]
            worker = workers[0]
            samples = []
            started = time.monotonic()
            try:
                with psycopg.connect(database_url, autocommit=True) as connection:
                    while True:
                        finished, stored = connection.execute(
                            "SELECT (SELECT count(DISTINCT source_id) FROM articles_ingestionrun"
                            "        WHERE status <> 'running'), (SELECT count(*) FROM articles_article)"
                        ).fetchone()
                        if sample:
                            sizes = process_tree_rss(worker.pid)
                            children = {pid: size for pid, size in sizes.items() if pid != worker.pid}
                            samples.append(
                                {"t": time.monotonic() - started, "stored": stored, "children": children,
                                 "main": sizes.get(worker.pid, 0)}
                            )  # fmt: skip
                        if finished >= len(urls):
                            break
                        for stopped in (w for w in workers if w.poll() is not None):
                            sys.exit(f"A worker stopped:\n{stopped.stderr.read().decode()[-3000:]}")
                        if time.monotonic() - started > 3600:
                            sys.exit("The workers did not finish within an hour.")
                        time.sleep(0.5)
                    seen, first, last = connection.execute(
                        "SELECT sum(items_seen), min(started_at), max(finished_at) FROM articles_ingestionrun"
                    ).fetchone()
                    new = connection.execute("SELECT sum(items_new) FROM articles_ingestionrun").fetchone()[0]
                    # A run that failed (a timeout under load) is retried later, outside the timing: say so.
                    failed = connection.execute(
                        "SELECT count(*) FROM articles_ingestionrun WHERE status = 'failed'"
                    ).fetchone()[0]
            finally:
                for each in workers:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(each.pid, signal.SIGTERM)
                for each in workers:
                    try:
                        each.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        os.killpg(each.pid, signal.SIGKILL)
                        each.wait()
            drafting = draft_in_worker(env, database_url, label) if draft else None
    return {
        "drafting": drafting,
        "concurrency": concurrency,
        "workers": separate,
        "entries": seen,
        "new": new,
        "failed_runs": failed,
        "seconds": (last - first).total_seconds(),
        "samples": samples,
    }


QUEUE_TURNS = """
import time
from articles.models import Article, Status
from articles.tasks import queue_drafting_turn
sources = Article.objects.filter(status=Status.INGESTED).order_by("source_id").values_list("source_id", flat=True)
print(time.time())
for source_id in sources.distinct():
    queue_drafting_turn(source_id)
"""


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds `pid` has used so far, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def draft_in_worker(env: dict, database_url: str, label: str) -> dict:
    """Draft every piece waiting in one warm Celery worker process, as a deployment drafts them.

    A worker of one process on the "drafting" queue is started and waited for until it says it is
    ready (its start-up, Django's and the drafting modules' imports, is not timed: a deployment's
    worker is started once). Then each source with pieces waiting is given a drafting turn
    (`queue_drafting_turn`, what ingestion queues with ENRICH_ON_INGEST on); each turn (`draft_next`)
    drafts up to DRAFTING_TURN_PIECES pieces in one commit and queues the source's next turn. Timed from the
    first turn queued to the last piece drafted (the newest enrichment run); the pool process's CPU
    over the same span is read from /proc.
    """
    import psycopg

    command = [
        *(sys.executable, "-m", "celery", "-A", "portal", "worker", "--concurrency", "1"),
        *("--pool", "prefork", "-Q", "drafting", "--loglevel", "INFO", "-n", f"bench-{label}-drafting@%h"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]
    worker = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    ready, lines = threading.Event(), []

    def read_log():
        for line in iter(worker.stderr.readline, b""):
            lines.append(line.decode(errors="replace"))
            if b" ready." in line:
                ready.set()

    threading.Thread(target=read_log, daemon=True).start()
    try:
        if not ready.wait(120):
            sys.exit("The drafting worker did not start:\n" + "".join(lines)[-3000:])
        with open(f"/proc/{worker.pid}/task/{worker.pid}/children") as children:
            pool = int(children.read().split()[0])
        cpu_before = process_cpu_seconds(pool)
        queued_at = float(python(env, QUEUE_TURNS).split()[0])
        started = time.monotonic()
        with psycopg.connect(database_url, autocommit=True) as connection:
            while True:
                waiting = connection.execute(
                    "SELECT count(*) FROM articles_article WHERE status = 'ingested'"
                ).fetchone()[0]
                if not waiting:
                    break
                if worker.poll() is not None:
                    sys.exit("The drafting worker stopped:\n" + "".join(lines)[-3000:])
                if time.monotonic() - started > 3600:
                    sys.exit("The drafting worker did not finish within an hour.")
                time.sleep(0.2)
            cpu_seconds = process_cpu_seconds(pool) - cpu_before
            drafted, last = connection.execute(
                "SELECT count(*), max(created_at) FROM articles_enrichmentrun"
            ).fetchone()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    turns = sum(1 for line in lines if "draft_next" in line and "succeeded" in line)
    return {"drafted": drafted, "seconds": last.timestamp() - queued_at, "cpu_seconds": cpu_seconds, "turns": turns}


# --- Report ---------------------------------------------------------------------------------


def worker_label(run: dict) -> str:
    if run.get("workers", 1) > 1:
        return f"{run['workers']} workers × 1 process"
    return f"1 worker × {run['concurrency']} process{'es' if run['concurrency'] > 1 else ''}"


def draw_charts(results: dict) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    CHARTS.mkdir(exist_ok=True)
    drawn = []

    names = ["reader\n(update_feeds)", "Distillery\n(ingest --all)"]
    rates = [results["reader_rate"], results["distillery_rate"]]
    for run in results.get("workers", []):
        names.append("Distillery\n" + worker_label(run).replace(" × ", "\n× "))
        rates.append(run["entries"] / run["seconds"])
    figure, axes = plt.subplots(figsize=(8.4, 3.8))
    bars = axes.bar(names, rates, color=["#888888"] + ["#2b6cb0"] * (len(rates) - 1))
    axes.bar_label(bars, fmt="%.0f")
    axes.margins(y=0.12)
    axes.set_ylabel("entries per second")
    axes.set_title(f"Ingestion of {results['feeds']} loopback feeds, drafting off ({results['date']})")
    figure.tight_layout()
    drawn.append(CHARTS / "ingestion_vs_reader.png")
    figure.savefig(drawn[-1], dpi=110)
    plt.close(figure)

    workers = results.get("workers", [])
    if len(workers) >= 2:
        figure, axes = plt.subplots(figsize=(6.4, 3.4))
        labels = [worker_label(run) for run in workers]
        values = [run["entries"] / run["seconds"] for run in workers]
        bars = axes.bar(labels, values, color="#2b6cb0")
        axes.bar_label(bars, fmt="%.0f")
        axes.margins(y=0.12)
        axes.set_ylabel("entries per second")
        axes.set_title(f"Celery on 2 shared cores: up to {max(values[1:]) / values[0]:.2f}× one process")
        figure.tight_layout()
        drawn.append(CHARTS / "workers_1_vs_4.png")
        figure.savefig(drawn[-1], dpi=110)
        plt.close(figure)

    memory = results.get("memory")
    if memory:
        samples = [s for s in memory["samples"] if s["children"]]
        figure, axes = plt.subplots(figsize=(7, 3.6))
        axes.plot([s["stored"] for s in samples], [max(s["children"].values()) / 2**20 for s in samples])
        axes.set_xlabel("briefs stored")
        axes.set_ylabel("worker process RSS, MiB")
        axes.set_ylim(bottom=0)
        axes.set_title(f"One Celery worker process over {memory['new']:,} new items")
        figure.tight_layout()
        drawn.append(CHARTS / "worker_memory.png")
        figure.savefig(drawn[-1], dpi=110)
        plt.close(figure)
    return drawn


def memory_summary(memory: dict) -> str:
    sizes = [(s["stored"], max(s["children"].values())) for s in memory["samples"] if s["children"]]
    if len(sizes) < 4:
        return "too few samples"
    total = sizes[-1][0] or 1
    early = [size for stored, size in sizes if 0.1 * total <= stored <= 0.3 * total] or [sizes[0][1]]
    late = [size for stored, size in sizes if stored >= 0.8 * total] or [sizes[-1][1]]
    return (
        f"worker RSS {statistics.median(early) / 2**20:.1f} MiB at 10–30% of the items, "
        f"{statistics.median(late) / 2**20:.1f} MiB at 80–100%, peak {max(s for _, s in sizes) / 2**20:.1f} MiB"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--copies", type=int, default=2, help="addresses per corpus feed")
    parser.add_argument("--drafting", action="store_true", help="also draft what the first round stored")
    parser.add_argument("--workers", action="store_true", help="Celery workers 1 vs 4 and the memory run")
    parser.add_argument(
        "--worker-copies",
        type=int,
        default=10,
        help="addresses per corpus feed for the worker runs (long enough that start-up and the last feed weigh little)",
    )
    parser.add_argument("--memory-items", type=int, default=10_000)
    parser.add_argument("--no-charts", action="store_true")
    parser.add_argument("--charts-only", action="store_true", help="redraw the charts from bench/ingest_speed.json")
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""), help="a Redis database this run may flush"
    )
    args = parser.parse_args()
    if args.charts_only:
        for path in draw_charts(json.loads(RESULTS.read_text())):
            print(f"chart: {path.relative_to(ROOT)}")
        return
    if not FEEDS.is_dir():
        sys.exit(f"The real feeds are not at {FEEDS}; set DISTILLERY_SHARED_CORPORA.")
    redis_url = args.redis_url
    if args.workers and not (os.environ.get("DATABASE_URL") and redis_url):
        sys.exit("--workers needs DATABASE_URL (PostgreSQL) and BENCH_REDIS_URL (a Redis database it may flush).")
    server = serve_feeds()
    port = server.server_address[1]
    urls = feed_urls(port, args.copies)
    rates = {"reader": [], "distillery": [], "drafting": []}
    database = "SQLite"
    if os.environ.get("DATABASE_URL"):
        database = "PostgreSQL and Redis" if redis_url else "PostgreSQL"
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "feeds": len(urls),
        "database": database,
        "load_before": os.getloadavg(),
        "rounds": [],
    }
    try:
        for round_number in range(1, args.rounds + 1):
            entries, seconds = run_reader(urls)
            rates["reader"].append(entries / seconds)
            ours = run_distillery(urls, drafting=args.drafting and round_number == 1, redis_url=redis_url)
            rates["distillery"].append(ours["entries"] / ours["seconds"])
            results["rounds"].append({"reader": [entries, seconds], "distillery": ours, "load": os.getloadavg()})
            line = (
                f"round {round_number}: reader {entries} entries in {seconds:.2f} s ({entries / seconds:.0f}/s); "
                f"Distillery {ours['entries']} entries ({ours['new']} new briefs) in {ours['seconds']:.2f} s "
                f"({ours['entries'] / ours['seconds']:.0f}/s); load {os.getloadavg()[0]:.1f}"
            )
            if "drafted" in ours:
                rates["drafting"].append(ours["drafted"] / ours["draft_seconds"])
                line += f"; drafted {ours['drafted']} in {ours['draft_seconds']:.1f} s"
            print(line, flush=True)
        if args.workers:
            results["workers"] = []
            results["worker_feeds"] = len(worker_urls := feed_urls(port, args.worker_copies))
            for concurrency, separate in ((1, 1), (4, 1), (1, 4)):
                label = f"c{concurrency}x{separate}"
                run = run_workers(
                    worker_urls, concurrency=concurrency, redis_url=redis_url, label=label, separate=separate
                )
                results["workers"].append(run)
                print(
                    f"Celery, {separate} worker(s) of concurrency {concurrency}: {run['entries']} entries "
                    f"({run['new']} new) in {run['seconds']:.2f} s ({run['entries'] / run['seconds']:.0f}/s), "
                    f"{run['failed_runs']} failed run(s); load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            memory = run_workers(
                generated_urls(port, args.memory_items), concurrency=1, redis_url=redis_url, label="mem", sample=True
            )
            results["memory"] = memory
            print(
                f"Memory run: {memory['new']} new items in {memory['seconds']:.1f} s "
                f"({memory['entries'] / memory['seconds']:.0f}/s); {memory_summary(memory)}",
                flush=True,
            )
    finally:
        server.shutdown()
    results["reader_rate"] = statistics.median(rates["reader"])
    results["distillery_rate"] = statistics.median(rates["distillery"])
    results["load_after"] = os.getloadavg()
    print(f"\n{len(urls)} feeds on loopback ({results['database']}), median of {args.rounds} rounds:")
    print(f"  reader      {results['reader_rate']:7.1f} entries/s")
    print(
        f"  Distillery  {results['distillery_rate']:7.1f} entries/s (drafting off), "
        f"{results['distillery_rate'] / results['reader_rate']:.2f}× reader"
    )
    if rates["drafting"]:
        print(f"  drafting    {rates['drafting'][0]:7.1f} briefs/s (manage.py enrich --ingested, one process)")
    workers = results.get("workers")
    if workers:
        one, four, separate = (run["entries"] / run["seconds"] for run in workers)
        print(
            f"  Celery ({results['worker_feeds']} feeds) {one:7.1f} entries/s with 1 process, {four:.1f} with "
            f"concurrency 4 ({four / one:.2f}×), {separate:.1f} with 4 separate workers ({separate / one:.2f}×)"
        )
    RESULTS.write_text(json.dumps(results, indent=1, default=str))
    if not args.no_charts:
        for path in draw_charts(results):
            print(f"  chart: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
