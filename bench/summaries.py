"""ROUGE of the extractive drafts against reference summaries, beside a LEAD-3 baseline.

    .venv/bin/python bench/summaries.py [--limit N]

Reads ../shared/corpora/summaries/*.jsonl (see SOURCE.md there). rouge-score with
stemming; F1 x 100, averaged. rougeLsum uses the references' sentences (`summary_raw`
split on " . " for CNN/DM, the no-space regex for BBC) and the systems' sentences.
Both systems use the one splitter (articles.enrich.text.sentences), so LEAD-3 is the
first three sentences the drafts could have chosen. Beside the means: the share of
drafted summaries identical to LEAD-3, and a paired bootstrap 95% confidence interval of
the difference (ours - LEAD-3), 2,000 resamples of the articles, fixed seed.
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

import numpy as np  # noqa: E402
from rouge_score import rouge_scorer  # noqa: E402

from articles.enrich.summarize import extractive_draft  # noqa: E402
from articles.enrich.text import sentences  # noqa: E402

CORPORA = Path(os.environ.get("DISTILLERY_SHARED_CORPORA") or ROOT.parent / "shared" / "corpora") / "summaries"
BBC_SPLIT = re.compile(r"(?<=[.!?])(?=[A-Z\"])")
METRICS = ("rouge1", "rouge2", "rougeLsum")
SYSTEMS = ("LEAD-3", "Distillery extractive")


def references(row: dict) -> list[str]:
    if "summary_raw" in row:
        return [part.strip() for part in row["summary_raw"].split(" . ") if part.strip()]
    return [part.strip() for part in BBC_SPLIT.split(row["summary"]) if part.strip()]


def lead(text: str, n: int = 3) -> list[str]:
    return [s.text for s in sentences(text)[:n]]


def ours(text: str, title: str = "", n: int = 3) -> list[str]:
    return [extract.text for extract in extractive_draft(text, title=title, summary_sentences=n).summary]


def bootstrap(differences: np.ndarray, resamples: int = 2000) -> tuple[float, float]:
    generator = np.random.default_rng(10)
    picks = generator.integers(0, len(differences), size=(resamples, len(differences)))
    means = differences[picks].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def evaluate(path: Path, limit: int | None):
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    rows = [json.loads(line) for line in path.open(encoding="utf-8")][:limit]
    per_article = {system: {m: [] for m in METRICS} for system in SYSTEMS}
    identical = 0
    for row in rows:
        target = "\n".join(references(row))
        baseline, drafted = lead(row["text"]), ours(row["text"], row.get("title", ""))
        identical += baseline == drafted
        for system, summary in zip(SYSTEMS, (baseline, drafted), strict=True):
            scores = scorer.score(target, "\n".join(summary))
            for metric in METRICS:
                per_article[system][metric].append(100 * scores[metric].fmeasure)
    means = {system: {m: float(np.mean(v)) for m, v in values.items()} for system, values in per_article.items()}
    intervals = {
        m: bootstrap(np.array(per_article[SYSTEMS[1]][m]) - np.array(per_article[SYSTEMS[0]][m])) for m in METRICS
    }
    return means, intervals, identical / len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles of each set")
    args = parser.parse_args()
    if not CORPORA.is_dir():
        sys.exit(f"Reference summaries not found at {CORPORA}.")
    for name in ("cnndm_test_frank_250.jsonl", "bbc_news_summary_500.jsonl"):
        print(f"\n{name}")
        print(f"{'system':<24}{'R1':>8}{'R2':>8}{'RLsum':>8}")
        means, intervals, identical = evaluate(CORPORA / name, args.limit)
        for system, values in means.items():
            print(f"{system:<24}" + "".join(f"{values[m]:>8.2f}" for m in METRICS))
        difference = {m: means[SYSTEMS[1]][m] - means[SYSTEMS[0]][m] for m in METRICS}
        print(f"{'difference':<24}" + "".join(f"{difference[m]:>+8.2f}" for m in METRICS))
        print(
            "95% CI (paired bootstrap): " + ", ".join(f"{m} {lo:+.2f}…{hi:+.2f}" for m, (lo, hi) in intervals.items())
        )
        if all(lo > 0 for lo, _hi in intervals.values()):
            verdict = "above LEAD-3 on every measure"
        elif any(hi < 0 for _lo, hi in intervals.values()):
            verdict = "below LEAD-3 on at least one measure"
        else:
            verdict = "equivalent to LEAD-3"
        print(f"identical to LEAD-3: {100 * identical:.0f}% of summaries; verdict: {verdict}")


if __name__ == "__main__":
    main()
