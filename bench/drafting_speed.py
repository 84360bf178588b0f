"""Drafting speed: a burst of new pieces drafted one after another, and drafting beside ingestion.

    .venv/bin/python bench/drafting_speed.py burst --library 1000 --pieces 5000 [--profile 200]
    .venv/bin/python bench/drafting_speed.py pace [--copies 1]

Both run on a fresh database: on DATABASE_URL's server when it is set (a database created for
the run and dropped after it), else SQLite in a temporary folder. Not a test.

`burst`: `generate_briefs --count LIBRARY` gives a published library (about 82 % of it
published), then PIECES new pieces are stored as "ingested" in one go (text drawn like
generate_briefs' from its own seed, spread over 40 sources; every tenth is another source's
copy of an earlier piece, under a reworded title, so story clustering has stories to find).
Each piece is then drafted in order with `enrich_article`, as one drafting worker does, and
the time per piece is printed for every block of 1,000 (or tenth of the run): equal blocks
mean the cost of a piece does not grow with the pieces before it. `--indexes-only` times only story clustering and
related briefs for each piece (the steps that read the indexes). `--profile N` runs cProfile
over the first N drafts and prints the functions that took the most time.

`pace`: the 20 real feeds of ../shared/corpora/realfeeds served from 127.0.0.1 (`--copies`
addresses each), ingested by one process (`manage.py ingest --all`, drafting off), then the
pieces stored drafted by one process (`manage.py enrich --ingested`). Both rates in entries per
second, from the same run: drafting keeps pace when its rate is at least ingestion's. `--worker`
(with DATABASE_URL and BENCH_REDIS_URL, a Redis database the run may flush) also times the same
feeds ingested by one Celery worker of one process, as a deployment runs them (one task a feed,
leases, drafting off; bench/ingest_speed.py's worker run, on a database of its own), and prints
drafting against that rate too; then the pieces that worker stored are drafted by one warm Celery
worker of one process on the "drafting" queue, as a deployment drafts them (a turn a source,
`draft_next`, each queueing the source's next; bench/ingest_speed.py's `draft_in_worker`, its
start-up not timed, as the ingestion worker's is not), and that rate is printed against the
ingestion worker's: like against like.
"""

import argparse
import cProfile
import functools
import io
import os
import pstats
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("DISTILLERY_SHARED_CORPORA") or ROOT.parent / "shared" / "corpora")
FEEDS = CORPORA / "realfeeds"
SECRET = "bench-only-secret-key-never-used-for-anything-real-0123456789"


@contextmanager
def fresh_database():
    """DATABASE_URL pointing at an empty database for this run (or SQLite in a temporary folder)."""
    base = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as folder:
        env = {"DISTILLERY_VAR_DIR": folder, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING"}
        if not base:
            env["DATABASE_URL"] = ""
            yield env
            return
        import psycopg

        name = f"distillery_draft_bench_{os.getpid()}_{secrets.token_hex(3)}"  # never another run's
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = base.rsplit("/", 1)[0] + f"/{name}"
        try:
            yield env
        finally:
            with psycopg.connect(base, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- burst ------------------------------------------------------------------------------


def make_pieces(count: int, seed: int = 11) -> list[int]:
    """`count` new ingested pieces from 40 sources; every tenth a reworded copy of an earlier one."""
    from django.utils import timezone

    from articles.management.commands.generate_briefs import Words
    from articles.models import Article, Source, Status

    sources = [
        Source.objects.create(name=f"Burst source {n}", url=f"https://burst-{n}.example/feed", is_active=False)
        for n in range(40)
    ]
    rng = random.Random(seed)
    words = Words(rng)
    now = timezone.now()
    pieces = []
    for index in range(count):
        source = sources[index % len(sources)]
        if index % 10 == 9 and pieces:
            original = rng.choice(pieces[-200:])
            title = f"Report: {original.title}"
            content = f"{words.sentence()}\n\n{original.content_text}"
            source = sources[(sources.index(original.source) + 7) % len(sources)]
        else:
            title = f"{words.sentence(5, 11)[:-1]} ({index})"
            content = "\n\n".join(words.paragraph(rng.randint(3, 6)) for _ in range(rng.randint(3, 6)))
        pieces.append(
            Article(
                source=source,
                title=title,
                slug=f"burst-{index}",
                original_url=f"https://burst.example/pieces/{index}",
                content_text=content,
                content_html="".join(f"<p>{p}</p>" for p in content.split("\n\n")),
                reading_minutes=max(1, len(content.split()) // 230),
                status=Status.INGESTED,
                created_at=now,
                status_changed_at=now,
            )
        )
    Article.objects.bulk_create(pieces, batch_size=1000)
    return [piece.pk for piece in pieces]


def run_burst(args):
    with fresh_database() as env:
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from articles.enrich import clusters, enrich_article, related
        from articles.models import Article

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("generate_briefs", count=args.library, sources=50, verbosity=0, stdout=io.StringIO())
        published = Article.objects.published().count()
        print(
            f"{connection.vendor}: library of {published:,} published briefs in {time.perf_counter() - started:.0f} s"
        )
        # Bulk inserts send no signals: the library enters the drafting indexes as after a restore.
        started = time.perf_counter()
        call_command("index_drafting", stdout=io.StringIO())
        print(f"drafting indexes of the library built in {time.perf_counter() - started:.1f} s")
        ids = make_pieces(args.pieces)
        print(f"{len(ids):,} new pieces stored as ingested", flush=True)
        block = 1000 if args.pieces >= 2000 else max(1, args.pieces // 10)
        if args.indexes_only:  # the two steps that read indexes, without the suggesters around them

            def draft(article):
                clusters.assign_story_cluster(article=article)
                related.refresh_related(article=article)
        else:

            def draft(article):
                enrich_article(article=article)

        profile = cProfile.Profile() if args.profile else None
        timings, queries = [], {}
        for position, article_id in enumerate(ids):
            article = Article.objects.select_related("source").get(pk=article_id)
            if profile and position < args.profile:
                profile.enable()
            capture = position in (4, 49, len(ids) - 1)
            started = time.perf_counter()
            if capture:
                with CaptureQueriesContext(connection) as captured:
                    draft(article)
                queries[position + 1] = len(captured.captured_queries)
            else:
                draft(article)
            timings.append(time.perf_counter() - started)
            if profile and position < args.profile:
                profile.disable()
            if (position + 1) % block == 0:
                mean = sum(timings[-block:]) / block * 1000
                print(f"  pieces {position + 2 - block:>5}–{position + 1:<5} {mean:7.1f} ms/piece", flush=True)
        clustered = Article.objects.filter(pk__in=ids, story_cluster__isnull=False).count()
        print(f"{len(ids):,} pieces drafted in {sum(timings):.1f} s ({len(ids) / sum(timings):.1f} pieces/s)")
        first, last = timings[:block], timings[-block:]
        print(
            f"first block {sum(first) / len(first) * 1000:.1f} ms/piece, last block {sum(last) / len(last) * 1000:.1f}"
            f" ms/piece: last/first = {sum(last) / len(last) / (sum(first) / len(first)):.2f}"
        )
        print(f"pieces in a story cluster: {clustered:,}; queries per drafted piece (piece number: queries): {queries}")
        if profile:
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out)
            stats.sort_stats("cumulative").print_stats(args.profile_lines)
            stats.sort_stats("tottime").print_stats(args.profile_lines)
            print(out.getvalue())
        connection.close()


# --- pace -------------------------------------------------------------------------------


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def translate_path(self, path):
        return str(FEEDS / path.split("?", 1)[0].rsplit("/", 1)[-1])


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def run_pace(args):
    if not FEEDS.is_dir():
        sys.exit(f"The real feeds are not at {FEEDS}; set DISTILLERY_SHARED_CORPORA.")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(FEEDS)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    names = sorted(path.name for path in FEEDS.iterdir() if path.is_file() and path.name != "SOURCE.md")
    urls = [f"http://127.0.0.1:{port}/copy-{copy}/{name}" for copy in range(args.copies) for name in names]
    try:
        with fresh_database() as extra:
            env = {**os.environ, **extra, "INGEST_ALLOW_LOOPBACK": "true", "PYTHONPATH": str(ROOT)}
            env["ENRICH_ON_INGEST"] = "false"
            env.pop("REDIS_URL", None)
            manage(env, "migrate", "--noinput", "-v0")
            script = (
                "import sys, django; django.setup()\nfrom articles.models import Source\n"
                "for i, url in enumerate(sys.argv[1:]):\n"
                "    Source.objects.create(name=f'Feed {i}', url=url, fetch_full_text=False)\n"
            )
            subprocess.run(
                [sys.executable, "-c", script, *urls],
                cwd=ROOT,
                env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
                check=True,
            )
            started = time.perf_counter()
            manage(env, "ingest", "--all")
            ingest_seconds = time.perf_counter() - started
            count = "from articles.models import Article; print(Article.objects.filter(status='ingested').count())"
            stored = int(manage(env, "shell", "-c", count).strip().splitlines()[-1])
            started = time.perf_counter()
            manage(env, "enrich", "--ingested")
            draft_seconds = time.perf_counter() - started
            count = "from articles.models import Article; print(Article.objects.filter(status='draft').count())"
            drafted = int(manage(env, "shell", "-c", count).strip().splitlines()[-1])
        worker = None
        if args.worker:
            import ingest_speed  # bench/, the script's folder, is on sys.path

            worker = ingest_speed.run_workers(urls, concurrency=1, redis_url=args.redis_url, label="pace", draft=True)
    finally:
        server.shutdown()
    print(f"{len(urls)} feeds on loopback ({'PostgreSQL' if os.environ.get('DATABASE_URL') else 'SQLite'}):")
    print(f"  ingestion, one process: {stored} pieces in {ingest_seconds:.1f} s = {stored / ingest_seconds:.1f}/s")
    print(f"  drafting, one process:  {drafted} pieces in {draft_seconds:.1f} s = {drafted / draft_seconds:.1f}/s")
    print(f"  drafting / ingestion = {(drafted / draft_seconds) / (stored / ingest_seconds):.2f}")
    if worker:
        rate = worker["new"] / worker["seconds"]
        pieces, seconds = worker["new"], worker["seconds"]
        print(f"  ingestion, one Celery worker (one process): {pieces} pieces in {seconds:.1f} s = {rate:.1f}/s")
        print(f"  drafting / one worker's ingestion = {(drafted / draft_seconds) / rate:.2f}")
        warm = worker["drafting"]
        drafting_rate = warm["drafted"] / warm["seconds"]
        print(
            f"  drafting, one warm Celery worker (one process, {warm['turns']} turns): {warm['drafted']} pieces in"
            f" {warm['seconds']:.1f} s = {drafting_rate:.1f}/s ({warm['cpu_seconds']:.1f} s of the pool process's CPU)"
        )
        print(f"  one worker's drafting / one worker's ingestion = {drafting_rate / rate:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    burst = commands.add_parser("burst", help="draft a burst of new pieces, time per block")
    burst.add_argument("--library", type=int, default=1000, help="generated briefs before the burst")
    burst.add_argument("--pieces", type=int, default=1000, help="new pieces to draft")
    burst.add_argument("--profile", type=int, default=0, help="cProfile the first N drafts")
    burst.add_argument(
        "--indexes-only", action="store_true", help="time story clustering and related briefs only, a piece"
    )
    burst.add_argument("--profile-lines", type=int, default=30, help="functions listed by the profile")
    pace = commands.add_parser("pace", help="drafting rate beside ingestion rate on loopback feeds")
    pace.add_argument("--copies", type=int, default=1, help="addresses per corpus feed")
    pace.add_argument("--worker", action="store_true", help="also time one Celery worker ingesting the same feeds")
    pace.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""), help="a Redis database the worker run may flush"
    )
    args = parser.parse_args()
    if getattr(args, "worker", False) and not (os.environ.get("DATABASE_URL") and args.redis_url):
        parser.error("--worker needs DATABASE_URL (PostgreSQL) and BENCH_REDIS_URL (a Redis database it may flush).")
    run_burst(args) if args.command == "burst" else run_pace(args)


if __name__ == "__main__":
    main()
