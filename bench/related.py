"""Precision@5 of related briefs: how many of each article's five nearest neighbours share its category.

    .venv/bin/python bench/related.py

Reads ../shared/corpora/summaries/bbc_news_summary_500.jsonl (100 articles in each of
five categories). Each article is scored against the other 499 three ways; there is no
taxonomy in this set, so the blend is its text half (`blend(text, 0)`):

- reference: TF-IDF fitted over all 500 at once (`articles.enrich.related.TextIndex`), as the
  portal scored before its index was kept;
- index, published one by one: the 500 published in turn into a temporary SQLite database,
  each indexed with the word counts of its moment (`related_index.text_scores`, what the
  portal runs now);
- index, reweighed: the same after `manage.py index_drafting` (today's counts for all).

Then the minimum score (ENRICH_RELATED_MIN_SCORE): for each threshold, how many related
briefs an article keeps on average (at most five), how many keep none, and the precision
of the links shown (shared category among those kept).
"""

import io
import json
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["DISTILLERY_VAR_DIR"] = tempfile.mkdtemp(prefix="related-bench-")
os.environ["DATABASE_URL"] = ""

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.enrich import related_index  # noqa: E402
from articles.enrich.related import TextIndex, blend, brief_text  # noqa: E402

SHARED_CORPORA = Path(os.environ.get("DISTILLERY_SHARED_CORPORA") or ROOT.parent / "shared" / "corpora")
CORPUS = SHARED_CORPORA / "summaries" / "bbc_news_summary_500.jsonl"
K = 5
THRESHOLDS = (0.0, 0.04, 0.06, 0.08, 0.10, 0.12, 0.15)


def precision(rows, score_rows, label: str):
    """Print precision@K per category for `score_rows(i) -> {j: score}`; return the top K of each article."""
    per_category = defaultdict(list)
    tops = []
    for i, row in enumerate(rows):
        scores = score_rows(i)
        top = sorted((j for j in scores if j != i), key=lambda j: (-scores[j], j))[:K]
        tops.append([(j, scores[j]) for j in top])
        per_category[row["category"]].append(sum(rows[j]["category"] == row["category"] for j in top) / K)
    overall = [p for values in per_category.values() for p in values]
    by_category = "  ".join(f"{c} {sum(v) / len(v):.3f}" for c, v in sorted(per_category.items()))
    print(f"{label:<34} precision@{K} {sum(overall) / len(overall):.3f}   ({by_category})")
    return tops


def thresholds(rows, tops):
    print(f"{'min score':>10}{'links/article':>15}{'none kept':>11}{'precision of shown':>20}")
    for threshold in THRESHOLDS:
        lists = [
            [rows[j]["category"] == row["category"] for j, score in top if blend(score, 0.0) >= threshold]
            for row, top in zip(rows, tops, strict=True)
        ]
        links = [same for shown in lists for same in shown]
        shown = f"{sum(links) / len(links):.3f}" if links else "-"
        empty = sum(1 for kept in lists if not kept)
        print(f"{threshold:>10.2f}{len(links) / len(lists):>15.2f}{empty:>11}{shown:>20}")


def main():
    if not CORPUS.is_file():
        sys.exit(f"BBC corpus not found at {CORPUS}.")
    rows = [json.loads(line) for line in CORPUS.open(encoding="utf-8")]
    briefs = [
        SimpleNamespace(title=r["title"], summary="", takeaway="", insights=[], content_text=r["text"]) for r in rows
    ]
    print(f"{len(rows)} articles, {K} neighbours each")
    index = TextIndex([brief_text(b) for b in briefs])
    reference = precision(rows, lambda i: dict(enumerate(index.similarities(i))), "reference (fit over all 500)")

    from articles.models import Article, Source, Status

    call_command("migrate", verbosity=0)
    source = Source.objects.create(name="BBC (bench)", url="https://bbc.example/feed", is_active=False)
    stored = [
        Article.objects.create(  # post_save indexes each as it is published, with the counts of its moment
            source=source,
            title=r["title"],
            original_url=f"https://bbc.example/{n}",
            content_text=r["text"],
            status=Status.PUBLISHED,
            published_at=timezone.now(),
        )
        for n, r in enumerate(rows)
    ]
    position = {brief.pk: n for n, brief in enumerate(stored)}

    def from_index(i):
        return {position[pk]: score for pk, score in related_index.text_scores(stored[i]).items()}

    precision(rows, from_index, "index, published one by one")
    call_command("index_drafting", related_only=True, verbosity=0, stdout=io.StringIO())
    reweighed = precision(rows, from_index, "index, reweighed (index_drafting)")
    same = sum(len({j for j, _s in a} & {j for j, _s in b}) for a, b in zip(reference, reweighed, strict=True))
    print(f"top-{K} lists shared with the reference: {same / (K * len(rows)):.1%} of links")
    print(
        f"\nminimum score (setting now {settings.ENRICH_RELATED_MIN_SCORE}), reference: links kept and their precision"
    )
    thresholds(rows, reference)
    print("\nthe same, index reweighed:")
    thresholds(rows, reweighed)


if __name__ == "__main__":
    main()
