"""What a page-cache hit costs, beside the static file, and what worker recycling does to the tail.

    DATABASE_URL=postgres://…/bench100k BENCH_REDIS_URL=redis://127.0.0.1:6390/1 \
        .venv/bin/python bench/hit_cost.py [--requests 3000] [--profile] [--recycling 2000 20000 0]

In process: the project's WSGI application (the bench's settings, the page cache on, in Redis
when BENCH_REDIS_URL is set) answers the same GET many times; CPU per request is
`time.process_time()` over the run, the first 50 answers (the miss that fills the cache, first
renders) left out. Steadier than req/s on a shared machine: it counts only this process's work,
though the Redis server's share of a round trip is not in it.

--recycling: gunicorn with the repository's configuration (2 workers, page cache off, so the
brief page is the kept render) under wrk at concurrency 4, 8 s twice per GUNICORN_MAX_REQUESTS
value (jitter a tenth of it): the tail of a fast page when workers are replaced during the run.
Not a test: it prints what it measured.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # the bench's gunicorn, wrk and environment


def in_process(database_url: str, paths: list[str], requests: int, profile: bool) -> None:
    get = scale.in_process(database_url, page_cache_seconds=600)

    print("| request | CPU per request, in process | share of the static file's |")
    print("|---|---|---|")
    static_cost = None
    for path in paths:
        for _ in range(50):
            status = get(path)
        if not status.startswith("200"):
            sys.exit(f"{path} answered {status}")
        started = time.process_time()
        for _ in range(requests):
            get(path)
        cost = (time.process_time() - started) / requests
        static_cost = static_cost or cost
        print(f"| `{path}` | {cost * 1000:.3f} ms | {static_cost / cost:.0%} |", flush=True)
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(requests):
                get(path)
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)


def recycling(database_url: str, values: list[int], brief: str) -> None:
    print("\n| GUNICORN_MAX_REQUESTS | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for value in values:
        os.environ["GUNICORN_MAX_REQUESTS"] = str(value)
        os.environ["GUNICORN_MAX_REQUESTS_JITTER"] = str(value // 10)
        server = scale.Server(database_url, page_cache_seconds=0)
        try:
            path = server.url(f"/briefs/{brief}/")
            scale.wrk(path, seconds=3, concurrency=4)  # both workers warm
            for _ in range(2):
                m = scale.wrk(path, seconds=8, concurrency=4)
                latency = " | ".join(f"{m[p] / 1000:.1f}" for p in ("p50", "p95", "p99"))
                print(f"| {value} | {m['rps']:.0f} | {latency} |", flush=True)
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--profile", action="store_true", help="print cProfile's 30 costliest calls per request kind")
    parser.add_argument("--recycling", type=int, nargs="*", help="GUNICORN_MAX_REQUESTS values to compare")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "").strip()
    if not database_url:
        sys.exit("Set DATABASE_URL to a database filled by generate_briefs (bench/scale.py makes them).")
    scale.manage(database_url, "collectstatic", "--noinput", "-v0")
    # The newest published brief, asked of the database the way the site lists them.
    brief = (
        scale.manage(
            database_url,
            "shell",
            "-c",
            "from articles.models import Article; print(Article.objects.published().order_by('-published_at')[0].slug)",
        )
        .strip()
        .splitlines()[-1]
    )
    if args.recycling:
        recycling(database_url, args.recycling, brief)
        return
    in_process(database_url, ["/static/css/site.css", "/", f"/briefs/{brief}/"], args.requests, args.profile)


if __name__ == "__main__":
    main()
