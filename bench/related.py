"""Precision@5 of related briefs: how many of each article's five nearest neighbours share its category.

    .venv/bin/python bench/related.py

Reads ../shared/corpora/summaries/bbc_news_summary_500.jsonl (100 articles in each of
five categories). Each article is scored against the other 499 with the same text
scoring the portal uses (`articles.enrich.related.TextIndex` over `brief_text`); there is
no taxonomy in this set, so the blend is its text half (`blend(text, 0)`).

Then the minimum score (ENRICH_RELATED_MIN_SCORE): for each threshold, how many related
briefs an article keeps on average (at most five), how many keep none, and the precision
of the links shown (shared category among those kept).
"""

import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from articles.enrich.related import TextIndex, blend, brief_text  # noqa: E402

SHARED_CORPORA = Path(os.environ.get("DISTILLERY_SHARED_CORPORA") or ROOT.parent / "shared" / "corpora")
CORPUS = SHARED_CORPORA / "summaries" / "bbc_news_summary_500.jsonl"
K = 5
THRESHOLDS = (0.0, 0.04, 0.06, 0.08, 0.10, 0.12, 0.15)


def main():
    if not CORPUS.is_file():
        sys.exit(f"BBC corpus not found at {CORPUS}.")
    rows = [json.loads(line) for line in CORPUS.open(encoding="utf-8")]
    briefs = [
        SimpleNamespace(title=r["title"], summary="", takeaway="", insights=[], content_text=r["text"]) for r in rows
    ]
    index = TextIndex([brief_text(b) for b in briefs])
    per_category = defaultdict(list)
    kept = {t: [] for t in THRESHOLDS}
    for i, row in enumerate(rows):
        scores = index.similarities(i)
        top = sorted(range(len(rows)), key=lambda j: (-scores[j], j))[:K]
        per_category[row["category"]].append(sum(rows[j]["category"] == row["category"] for j in top) / K)
        for threshold in THRESHOLDS:
            shown = [j for j in top if blend(float(scores[j]), 0.0) >= threshold]
            kept[threshold].append([rows[j]["category"] == row["category"] for j in shown])
    overall = [p for values in per_category.values() for p in values]
    print(f"precision@{K} over {len(rows)} articles: {sum(overall) / len(overall):.3f}")
    for category, values in sorted(per_category.items()):
        print(f"  {category:<14}{sum(values) / len(values):.3f}")
    print(f"\nminimum score (setting now {settings.ENRICH_RELATED_MIN_SCORE}): links kept and their precision")
    print(f"{'min score':>10}{'links/article':>15}{'none kept':>11}{'precision of shown':>20}")
    for threshold, lists in kept.items():
        links = [same for shown in lists for same in shown]
        precision = f"{sum(links) / len(links):.3f}" if links else "-"
        empty = sum(1 for shown in lists if not shown)
        print(f"{threshold:>10.2f}{len(links) / len(lists):>15.2f}{empty:>11}{precision:>20}")


if __name__ == "__main__":
    main()
