"""ROUGE of the extractive drafts against reference summaries, beside a LEAD-3 baseline.

    .venv/bin/python bench/summaries.py [--limit N]

Reads ../shared/corpora/summaries/*.jsonl (see SOURCE.md there). rouge-score with
stemming; F1 x 100, averaged. rougeLsum uses the references' sentences (`summary_raw`
split on " . " for CNN/DM, the no-space regex for BBC) and the systems' sentences.
"""

import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from rouge_score import rouge_scorer  # noqa: E402

from articles.enrich.summarize import extractive_draft  # noqa: E402
from articles.enrich.text import sentences  # noqa: E402

CORPORA = Path(os.environ.get("DISTILLERY_SHARED_CORPORA") or ROOT.parent / "shared" / "corpora") / "summaries"
BBC_SPLIT = re.compile(r"(?<=[.!?])(?=[A-Z\"])")
METRICS = ("rouge1", "rouge2", "rougeLsum")


def references(row: dict) -> list[str]:
    if "summary_raw" in row:
        return [part.strip() for part in row["summary_raw"].split(" . ") if part.strip()]
    return [part.strip() for part in BBC_SPLIT.split(row["summary"]) if part.strip()]


def lead(text: str, n: int = 3) -> list[str]:
    return [s.text for s in sentences(text)[:n]]


def ours(text: str, n: int = 3) -> list[str]:
    return [extract.text for extract in extractive_draft(text, summary_sentences=n).summary]


def evaluate(path: Path, limit: int | None) -> dict[str, dict[str, float]]:
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    rows = [json.loads(line) for line in path.open(encoding="utf-8")][:limit]
    totals = {system: dict.fromkeys(METRICS, 0.0) for system in ("LEAD-3", "Distillery extractive")}
    for row in rows:
        target = "\n".join(references(row))
        for system, summarize in (("LEAD-3", lead), ("Distillery extractive", ours)):
            scores = scorer.score(target, "\n".join(summarize(row["text"])))
            for metric in METRICS:
                totals[system][metric] += scores[metric].fmeasure
    return {system: {m: 100 * v / len(rows) for m, v in values.items()} for system, values in totals.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles of each set")
    args = parser.parse_args()
    if not CORPORA.is_dir():
        sys.exit(f"Reference summaries not found at {CORPORA}.")
    for name in ("cnndm_test_frank_250.jsonl", "bbc_news_summary_500.jsonl"):
        print(f"\n{name}")
        print(f"{'system':<24}{'R1':>8}{'R2':>8}{'RLsum':>8}")
        for system, values in evaluate(CORPORA / name, args.limit).items():
            print(f"{system:<24}" + "".join(f"{values[m]:>8.2f}" for m in METRICS))


if __name__ == "__main__":
    main()
