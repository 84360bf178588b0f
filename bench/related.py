"""Precision@5 of related briefs: how many of each article's five nearest neighbours share its category.

    .venv/bin/python bench/related.py

Reads ../shared/corpora/summaries/bbc_news_summary_500.jsonl (100 articles in each of
five categories). Each article is scored against the other 499 with the same text
scoring the portal uses (`articles.enrich.related.TextIndex` over `brief_text`); there is
no taxonomy in this set, so the blend is pure text similarity.
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

from articles.enrich.related import TextIndex, brief_text  # noqa: E402

SHARED_CORPORA = Path(os.environ.get("DISTILLERY_SHARED_CORPORA") or ROOT.parent / "shared" / "corpora")
CORPUS = SHARED_CORPORA / "summaries" / "bbc_news_summary_500.jsonl"
K = 5


def main():
    if not CORPUS.is_file():
        sys.exit(f"BBC corpus not found at {CORPUS}.")
    rows = [json.loads(line) for line in CORPUS.open(encoding="utf-8")]
    briefs = [
        SimpleNamespace(title=r["title"], summary="", takeaway="", insights=[], content_text=r["text"]) for r in rows
    ]
    index = TextIndex([brief_text(b) for b in briefs])
    per_category = defaultdict(list)
    for i, row in enumerate(rows):
        scores = index.similarities(i)
        top = sorted(range(len(rows)), key=lambda j: (-scores[j], j))[:K]
        per_category[row["category"]].append(sum(rows[j]["category"] == row["category"] for j in top) / K)
    overall = [p for values in per_category.values() for p in values]
    print(f"precision@{K} over {len(rows)} articles: {sum(overall) / len(overall):.3f}")
    for category, values in sorted(per_category.items()):
        print(f"  {category:<14}{sum(values) / len(values):.3f}")


if __name__ == "__main__":
    main()
