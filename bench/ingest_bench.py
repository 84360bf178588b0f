"""How long hostile and real feeds take to parse and normalize (a benchmark, not a test).

    DISTILLERY_VAR_DIR=/tmp/bench-var .venv/bin/python bench/ingest_bench.py

Reads ../shared/corpora/realfeeds; prints one line per measurement.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from articles.ingest.normalize import NotAWebAddress, normalize_entry  # noqa: E402
from articles.ingest.parse import parse_feed  # noqa: E402
from articles.tests.ingest.test_xml_bombs import BILLION_LAUGHS, quadratic_blowup  # noqa: E402

REAL_FEEDS = Path(os.environ.get("DISTILLERY_SHARED_CORPORA") or ROOT.parent / "shared" / "corpora") / "realfeeds"


def best_of(function, repeat=5) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main():
    for name, document in (("billion laughs", BILLION_LAUGHS), ("quadratic blowup (150 kB)", quadratic_blowup())):
        seconds = best_of(lambda document=document: parse_feed(document, url="https://bomb.example/feed"))
        print(f"{name:32} parsed harmlessly in {seconds * 1000:8.1f} ms")
    total_items, total_seconds = 0, 0.0
    for path in sorted(REAL_FEEDS.iterdir()):
        if path.suffix not in {".xml", ".rss", ".atom", ".rdf", ".json"}:
            continue
        body = path.read_bytes()

        def run(body=body, path=path):
            feed = parse_feed(body, url=f"https://feeds.example/{path.name}")
            items = 0
            for entry in feed.entries:
                try:
                    normalize_entry(entry, feed_url=f"https://feeds.example/{path.name}")
                    items += 1
                except NotAWebAddress:
                    pass
            return items

        items = run()
        seconds = best_of(run, repeat=3)
        total_items += items
        total_seconds += seconds
        print(f"{path.name:46} {items:3} items {seconds * 1000:8.1f} ms ({seconds / items * 1000:5.2f} ms/item)")
    print(f"{'all real feeds':46} {total_items:3} items {total_seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
