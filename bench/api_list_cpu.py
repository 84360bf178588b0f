"""CPU per request of the API list beside the bare `.values()` view, in process, page cache off.

    .venv/bin/python bench/api_list_cpu.py postgres://…/bench100k [--requests 1500] [--profile]

The bench's settings (bench/settings_bench.py, the throttle's rate lifted as bench/scale.py does), with the
scaled mode's caches in Redis when BENCH_REDIS_URL is set. After 50 requests each (kept representations,
connections), the two are asked in alternating batches of 100; each batch's CPU per request is
`time.process_time()` over it. Printed: the median and first quartile per request, and the median of the
batches' ratios (API list / bare view), which a shared machine's load moves less than either figure.
The Redis and PostgreSQL servers' own work is not in it. Not a test: it prints what it measured.
--profile: cProfile (CPU time) of the API list afterwards, the 40 costliest functions.
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # the bench's environment

PATHS = ("/bench/bare-values/", "/api/v1/articles/")
BATCH = 100


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("--requests", type=int, default=1500, help="per path, in batches of 100")
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()
    get = scale.in_process(options.database_url, page_cache_seconds=0)

    for path in PATHS:
        for _ in range(50):
            status = get(path)
        if not status.startswith("200"):
            sys.exit(f"{path} answered {status}")
    costs = {path: [] for path in PATHS}
    for _ in range(max(1, options.requests // BATCH)):
        for path in PATHS:
            started = time.process_time()
            for _ in range(BATCH):
                get(path)
            costs[path].append((time.process_time() - started) / BATCH * 1000)
    for path in PATHS:
        ordered = sorted(costs[path])
        print(f"{path}: median {statistics.median(ordered):.2f} ms, first quartile {ordered[len(ordered) // 4]:.2f} ms")
    ratios = [api / bare for bare, api in zip(*costs.values(), strict=True)]
    print(f"API list / bare view, median of the batches: {statistics.median(ratios):.2f}")
    if options.profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(options.requests):
            get(PATHS[1])
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(40)


if __name__ == "__main__":
    main()
