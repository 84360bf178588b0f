"""Taxonomy and depth suggestions judged against labelled/dev.jsonl, and the trained classifier's learning curve.

    .venv/bin/python bench/taxonomy.py

1. The 80 hand-labelled items (../shared/corpora/labelled; read its README) are drafted
   against the taxonomy of labelled/taxonomy.json, loaded into a throw-away SQLite
   database, with no published briefs (so fields and roles come from the evidence rules,
   as on a new portal). A suggestion is auto-filled when its confidence reaches
   ENRICH_AUTOFILL_MIN_CONFIDENCE (what the pipeline does to an empty brief); the rest are
   only offered. For fields, roles and topics: auto-filled precision and recall, and the
   recall of everything offered. For the items that fit none of the taxonomy: the share
   that get nothing filled in. For depth: the share within one step of the label. The
   items are split deterministically (a hash of their id) into a tuning half, where
   constants may be set, and a held-out half, never looked at while tuning; each half is
   judged on its own, then all 80 together.
2. The trained classifier (the model classify.py trains on published briefs) on the BBC
   set's five categories: accuracy on the 100 held-out articles after training on 20, 40,
   100 and 400 briefs (balanced by category), mean of 5 random draws.
"""

import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["DISTILLERY_VAR_DIR"] = tempfile.mkdtemp(prefix="distillery-bench-")
os.environ.pop("DATABASE_URL", None)
import corpora

LEVELS = ["introductory", "intermediate", "advanced", "expert"]


def load_taxonomy():
    from articles.models import Field, Role, Topic

    taxonomy = json.loads((corpora.LABELLED / "taxonomy.json").read_text(encoding="utf-8"))
    for area in taxonomy["areas"]:
        parent = Field.objects.create(name=area["name"], slug=area["slug"], description=area["description"])
        for sub in area["subfields"]:
            Field.objects.create(name=sub["name"], slug=sub["slug"], description=sub["description"], parent=parent)
    for role in taxonomy["roles"]:
        Role.objects.create(name=role["name"], slug=role["slug"], description=role.get("description", ""))
    for topic in taxonomy["topics"]:
        Topic.objects.create(name=topic["name"], slug=topic["slug"], description=topic.get("description", ""))


half_of = corpora.half_of


def draft_labelled() -> list[dict]:
    """Every labelled item with what the evidence rules suggest for it (computed once, judged per half)."""
    from articles.enrich import classify
    from articles.enrich.text import word_count
    from articles.models import Article

    records = []
    for item in corpora.labelled():
        article = Article(title=item["title"], content_text=item["text"])
        article.reading_minutes = max(1, round(word_count(item["text"]) / 230))
        guesses = {
            "fields": classify.suggest_fields(article),
            "roles": classify.suggest_roles(article),
            "topics": [g for g in classify.suggest_topics(article) if g.kind == "topic"],
        }
        level = next((g.text for g in classify.suggest_depth(article) if g.kind == "level"), "introductory")
        records.append({"item": item, "guesses": guesses, "level": level, "half": half_of(item["id"])})
    return records


def judge(records: list[dict], name: str, *, details: bool = False):
    from django.conf import settings

    threshold = settings.ENRICH_AUTOFILL_MIN_CONFIDENCE
    stats = {kind: Counter() for kind in ("fields", "roles", "topics")}
    wrong = {kind: Counter() for kind in stats}
    empty_items = filled_on_empty = 0
    depth_near = depth_exact = 0
    depth_pairs = Counter()
    for record in records:
        item = record["item"]
        filled_any = False
        for kind, found in record["guesses"].items():
            truth = set(item[kind])
            auto = {g.obj.slug for g in found if g.confidence >= threshold}
            offered = {g.obj.slug for g in found}
            filled_any |= bool(auto)
            stats[kind].update(
                auto=len(auto),
                right=len(auto & truth),
                truth=len(truth),
                offered_right=len(offered & truth),
                offered=len(offered),
            )
            wrong[kind].update(auto - truth)
        if not (item["fields"] or item["roles"] or item["topics"]):
            empty_items += 1
            filled_on_empty += filled_any
        distance = abs(LEVELS.index(record["level"]) - LEVELS.index(item["level"]))
        depth_near += distance <= 1
        depth_exact += distance == 0
        depth_pairs[(item["level"], record["level"])] += 1

    count = len(records)
    print(f"\n{name}: {count} items, auto-fill at confidence >= {threshold}")
    header = ("auto-filled", 12), ("right", 7), ("precision", 11), ("labels", 8), ("recall", 8), ("offered", 9)
    print(f"{'':<8}" + "".join(f"{label:>{width}}" for label, width in header) + f"{'recall offered':>16}")
    for kind, s in stats.items():
        precision = f"{s['right'] / s['auto']:.2f}" if s["auto"] else "-"
        recall = f"{s['right'] / s['truth']:.2f}" if s["truth"] else "-"
        offered_recall = f"{s['offered_right'] / s['truth']:.2f}" if s["truth"] else "-"
        print(
            f"{kind:<8}{s['auto']:>12}{s['right']:>7}{precision:>11}{s['truth']:>8}{recall:>8}"
            f"{s['offered']:>9}{offered_recall:>16}"
        )
        if wrong[kind]:
            print(f"         wrongly filled: {dict(wrong[kind].most_common())}")
    share = f"{100 * (empty_items - filled_on_empty) / empty_items:.0f}%" if empty_items else "-"
    print(
        f"items fitting none of the taxonomy: {empty_items}; nothing filled in for {empty_items - filled_on_empty}"
        f" ({share})"
    )
    print(
        f"depth: within one step of the label {depth_near}/{count} ({100 * depth_near / count:.0f}%),"
        f" exact {depth_exact}/{count}"
    )
    if details:
        print("  (label -> drafted): " + ", ".join(f"{a}->{b} {n}" for (a, b), n in sorted(depth_pairs.items())))


def judge_labelled():
    records = draft_labelled()
    judge(
        [r for r in records if r["half"] == "tuning"], "tuning half of labelled/dev.jsonl (constants may be set here)"
    )
    judge([r for r in records if r["half"] == "held-out"], "held-out half of labelled/dev.jsonl (never tuned on)")
    judge(records, "all of labelled/dev.jsonl", details=True)


def learning_curve(sizes=(20, 40, 100, 400), draws=5):
    import numpy as np

    from articles.enrich.classify import train_classifier

    rows = corpora.summaries("bbc_news_summary_500.jsonl")
    categories = sorted({r["category"] for r in rows})
    print(f"\ntrained classifier on BBC ({', '.join(categories)}): accuracy on 100 held-out articles")
    for size in sizes:
        accuracies = []
        for draw in range(draws):
            generator = np.random.default_rng(draw)
            by_category = {c: [r for r in rows if r["category"] == c] for c in categories}
            train, test = [], []
            for members in by_category.values():
                order = generator.permutation(len(members))
                test += [members[i] for i in order[:20]]
                train += [members[i] for i in order[20 : 20 + size // len(categories)]]
            model = train_classifier([f"{r['title']}\n\n{r['text']}" for r in train], [[r["category"]] for r in train])
            predicted = model.predict([f"{r['title']}\n\n{r['text']}" for r in test])
            accuracies.append(np.mean([p == r["category"] for p, r in zip(predicted, test, strict=True)]))
        spread = f"{min(accuracies):.3f}-{max(accuracies):.3f}"
        print(f"  after {size:>3} briefs: {np.mean(accuracies):.3f} (range {spread})")


def main():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    load_taxonomy()
    judge_labelled()
    learning_curve()


if __name__ == "__main__":
    main()
