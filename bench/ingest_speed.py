"""Ingestion speed beside the `reader` library, on the same real feeds served from loopback, in one run.

    .venv/bin/python bench/ingest_speed.py [--rounds 3] [--copies 5]

The 20 feeds of ../shared/corpora/realfeeds (or DISTILLERY_SHARED_CORPORA/realfeeds), each
served `--copies` times under different addresses so both readers see distinct feeds, by a
threaded HTTP server on 127.0.0.1. Full-text fetching stays off: the items' own links point
to public sites and are never requested. For each round, on fresh databases:

- `reader` (a well-kept Python feed reader): add every feed, `update_feeds()`, count entries;
- Distillery, drafting off: `manage.py ingest --all` in one process (SQLite under a temporary
  folder, or DATABASE_URL's server when set), count briefs stored;
- Distillery, drafting on: the same, then `manage.py enrich --ingested` for the drafts.

Entries per second = entries stored / wall-clock seconds of that step. Not a test.
"""

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("DISTILLERY_SHARED_CORPORA") or ROOT.parent / "shared" / "corpora")
FEEDS = CORPORA / "realfeeds"
SECRET = "bench-only-secret-key-never-used-for-anything-real-0123456789"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def translate_path(self, path):
        # /copy-3/name.xml → the corpus file name.xml: the same bytes under several addresses.
        name = path.split("?", 1)[0].rsplit("/", 1)[-1]
        return str(FEEDS / name)


def serve_feeds():
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(FEEDS)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def feed_urls(port: int, copies: int) -> list[str]:
    names = sorted(path.name for path in FEEDS.iterdir() if path.is_file() and path.name != "SOURCE.md")
    return [f"http://127.0.0.1:{port}/copy-{copy}/{name}" for copy in range(copies) for name in names]


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


def distillery_env(folder: str) -> dict:
    env = {
        **os.environ,
        "DISTILLERY_VAR_DIR": folder,
        "INGEST_ALLOW_LOOPBACK": "true",
        "SECRET_KEY": SECRET,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def run_distillery(urls: list[str], *, drafting: bool) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        env = distillery_env(folder)
        base = os.environ.get("DATABASE_URL", "")
        if base:
            import psycopg

            name = f"distillery_ingest_bench_{os.getpid()}"
            with psycopg.connect(base, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
                connection.execute(f'CREATE DATABASE "{name}"')
            env["DATABASE_URL"] = base.rsplit("/", 1)[0] + f"/{name}"
        manage(env, "migrate", "--noinput", "-v0")
        script = (
            "import sys; from articles.models import Source\n"
            "for i, url in enumerate(sys.argv[1:]):\n"
            "    Source.objects.create(name=f'Feed {i}', url=url, fetch_full_text=False)\n"
        )
        subprocess.run(
            [sys.executable, "-c", f"import django; django.setup()\n{script}", *urls],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
            check=True,
        )
        env["ENRICH_ON_INGEST"] = "false"
        started = time.perf_counter()
        manage(env, "ingest", "--all")
        ingest_seconds = time.perf_counter() - started
        # Entries read from the feeds, as reader counts them (a piece under two addresses is one brief).
        count = (
            "from django.db.models import Sum; from articles.models import IngestionRun; "
            "print(IngestionRun.objects.aggregate(n=Sum('items_seen'))['n'] or 0)"
        )
        seen = int(manage(env, "shell", "-c", count).strip().splitlines()[-1])
        result = {"entries": seen, "seconds": ingest_seconds}
        if drafting:
            started = time.perf_counter()
            manage(env, "enrich", "--ingested")
            result["draft_seconds"] = time.perf_counter() - started
            drafted = "from articles.models import Article; print(Article.objects.filter(status='draft').count())"
            result["drafted"] = int(manage(env, "shell", "-c", drafted).strip().splitlines()[-1])
        if base:
            with psycopg.connect(base, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--copies", type=int, default=1, help="addresses per corpus feed")
    args = parser.parse_args()
    if not FEEDS.is_dir():
        sys.exit(f"The real feeds are not at {FEEDS}; set DISTILLERY_SHARED_CORPORA.")
    server = serve_feeds()
    urls = feed_urls(server.server_address[1], args.copies)
    rates = {"reader": [], "distillery": [], "drafting": []}
    try:
        for round_number in range(1, args.rounds + 1):
            entries, seconds = run_reader(urls)
            rates["reader"].append(entries / seconds)
            ours = run_distillery(urls, drafting=round_number == 1)
            rates["distillery"].append(ours["entries"] / ours["seconds"])
            line = (
                f"round {round_number}: reader {entries} entries in {seconds:.1f} s; "
                f"Distillery {ours['entries']} in {ours['seconds']:.1f} s"
            )
            if "drafted" in ours:
                rates["drafting"].append(ours["drafted"] / ours["draft_seconds"])
                line += f"; drafted {ours['drafted']} in {ours['draft_seconds']:.1f} s"
            print(line, flush=True)
    finally:
        server.shutdown()
    reader_rate, our_rate = statistics.median(rates["reader"]), statistics.median(rates["distillery"])
    print(f"\n{len(urls)} feeds on loopback, median of {args.rounds} rounds:")
    print(f"  reader      {reader_rate:7.1f} entries/s")
    print(f"  Distillery  {our_rate:7.1f} entries/s (drafting off), {our_rate / reader_rate:.2f}× reader")
    print(
        f"  drafting    {statistics.median(rates['drafting']):7.1f} briefs/s (manage.py enrich --ingested, one process)"
    )


if __name__ == "__main__":
    main()
