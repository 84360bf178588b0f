"""The generative backend scored beside the extractive draft, on CNN/DM and the labelled set.

    ENRICH_LLM_BASE_URL=http://127.0.0.1:8080/v1 ENRICH_LLM_MODEL=my-model \\
        .venv/bin/python bench/generative.py [--limit N]

Needs a real OpenAI-compatible endpoint (the README has recipes); without one it says so
and stops. For the first N CNN/DM articles (default 50): ROUGE-1/2/Lsum of the generated
summary against the reference highlights, beside the extractive summary. For the 80
labelled items: the takeaway's ROUGE-1 against the annotator's key point, and the
precision and recall of the generated fields, roles and topics against the labels
(everything a card names counts as filled in). For both: how many cards fell back (and
why), how many needed repairs, the share copied from the original, tokens and seconds.
"""

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["DISTILLERY_VAR_DIR"] = tempfile.mkdtemp(prefix="distillery-bench-")
os.environ.pop("DATABASE_URL", None)
import corpora


def taxonomy_from_labels():
    import json

    from articles.enrich.generative import Taxonomy

    data = json.loads((corpora.LABELLED / "taxonomy.json").read_text(encoding="utf-8"))
    return Taxonomy(
        topics=sorted(t["slug"] for t in data["topics"]),
        fields=sorted(sub["slug"] for area in data["areas"] for sub in area["subfields"]),
        roles=sorted(r["slug"] for r in data["roles"]),
        levels=[level["slug"] for level in data["levels"]],
    )


def draft(piece_title: str, text: str, taxonomy, tally: Counter):
    from articles.enrich import generative
    from articles.enrich.originality import brief_sections, compare

    article = SimpleNamespace(title=piece_title, source=SimpleNamespace(name="benchmark"), content_text=text)
    started = time.monotonic()
    try:
        card = generative.generate_card(article=article, taxonomy=taxonomy)
    except generative.GenerativeFailure as failure:
        tally["fell back"] += 1
        tally[f"fell back: {str(failure)[:60]}"] += 1
        tally["prompt tokens"] += failure.usage.get("prompt_tokens", 0)
        tally["completion tokens"] += failure.usage.get("completion_tokens", 0)
        return None
    finally:
        tally["seconds"] += time.monotonic() - started
    tally["repaired"] += bool(card.repairs)
    tally["prompt tokens"] += card.usage.get("prompt_tokens", 0)
    tally["completion tokens"] += card.usage.get("completion_tokens", 0)
    copied = compare(brief_sections(SimpleNamespace(**{k: card.sections.get(k) for k in generative.SECTIONS})), text)
    tally["copied percent (sum)"] += copied.percent
    return card.sections


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=50, help="CNN/DM articles to draft (default 50)")
    args = parser.parse_args()
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not settings.ENRICH_LLM_BASE_URL:
        sys.exit("No endpoint: set ENRICH_LLM_BASE_URL and ENRICH_LLM_MODEL (see the README's recipes) to run this.")
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from rouge_score import rouge_scorer
    from summaries import references

    from articles.enrich.summarize import extractive_draft

    taxonomy = taxonomy_from_labels()
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    rows = corpora.summaries("cnndm_test_frank_250.jsonl")[: args.limit]
    tally, totals = Counter(), {"generative": Counter(), "extractive": Counter()}
    for row in rows:
        target = "\n".join(references(row))
        extractive = "\n".join(e.text for e in extractive_draft(row["text"], title=row["title"]).summary)
        card = draft(row["title"], row["text"], taxonomy, tally)
        for system, summary in (("extractive", extractive), ("generative", card["summary"] if card else extractive)):
            for metric, score in scorer.score(target, summary).items():
                totals[system][metric] += 100 * score.fmeasure / len(rows)
    print(f"CNN/DM, first {len(rows)} articles (a fallback scores as the extractive summary it falls back to)")
    for system, values in totals.items():
        print(f"  {system:<12}" + "".join(f"{m} {v:6.2f}  " for m, v in values.items()))
    report(tally, len(rows))

    items = corpora.labelled()
    tally, key_point = Counter(), {"generative": 0.0, "extractive": 0.0}
    labels = {kind: Counter() for kind in ("fields", "roles", "topics")}
    for item in items:
        extractive = extractive_draft(item["text"], title=item["title"]).takeaway
        card = draft(item["title"], item["text"], taxonomy, tally)
        key_point["extractive"] += scorer.score(item["key_point"], extractive.text if extractive else "")[
            "rouge1"
        ].fmeasure
        key_point["generative"] += scorer.score(item["key_point"], card["takeaway"] if card else "")["rouge1"].fmeasure
        for kind, counts in labels.items():
            given, truth = set((card or {}).get(kind) or []), set(item[kind])
            counts.update(filled=len(given), right=len(given & truth), truth=len(truth))
    print(f"\nlabelled/dev.jsonl, {len(items)} items")
    for system, total in key_point.items():
        print(f"  takeaway vs key point, ROUGE-1: {system} {100 * total / len(items):.2f}")
    for kind, c in labels.items():
        precision = f"{c['right'] / c['filled']:.2f}" if c["filled"] else "-"
        print(
            f"  {kind:<7} filled {c['filled']:>3}, right {c['right']:>3}, precision {precision}, recall "
            f"{c['right'] / max(1, c['truth']):.2f}"
        )
    report(tally, len(items))


def report(tally: Counter, count: int):
    answered = count - tally["fell back"]
    print(
        f"  fell back {tally['fell back']} of {count}; repaired {tally['repaired']}; mean copied "
        f"{tally['copied percent (sum)'] / max(1, answered):.0f}% of 8-word sequences"
    )
    for key, value in sorted(tally.items()):
        if key.startswith("fell back:"):
            print(f"    {key} … ({value})")
    print(
        f"  tokens: {tally['prompt tokens']} prompt, {tally['completion tokens']} completion;"
        f" {tally['seconds'] / count:.1f} s per draft"
    )


if __name__ == "__main__":
    main()
