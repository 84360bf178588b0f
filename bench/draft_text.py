"""The text side of drafting: CPU a piece of each text step, and a dump to show two versions' drafts are the same.

    DATABASE_URL=sqlite:////path/db.sqlite3 .venv/bin/python bench/draft_text.py cpu
    DATABASE_URL=sqlite:////path/db.sqlite3 .venv/bin/python bench/draft_text.py dump > drafts.txt

`cpu`: the CPU time of loading the text steps' modules and drafting one piece (a process's start-up), then
the text steps of a draft (extractive draft, topics with their key phrases, the reading
grade, story shingles with their band keys, the field and role keyword rules) and the whole text of
a draft (`pipeline.draft_suggestions`: the extractive draft and every taxonomy and depth suggestion,
as drafting computes them) over every piece stored in the database, then the same steps over 150
texts drawn like the burst bench's (`generate_briefs`' words, seed 11); CPU a piece by
`process_time`, each step starting with the text modules' memories emptied. Nothing is written.

`dump`: every table of the app row by row (the many-to-many tables included), every concrete
field but dates, ordered by key, one JSON line a row: run it on two copies of a database drafted
by two versions of the code and compare the files (ids that come from set order differ from run
to run; `PYTHONHASHSEED=0` for both runs keeps them). A model whose table the database lacks (SQLite's
full-text table, on PostgreSQL) is named and skipped. Not a test.
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-never-used-for-anything-real-0123456789")
    import django

    django.setup()


def forget() -> None:
    """Empty the text steps' memories (sentences, filter answers, counted words …), so a step timed after another
    on the same texts finds nothing kept from it: drafting meets every piece once."""
    for name, module in list(sys.modules.items()):
        if name.startswith("articles.enrich"):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def timed(name: str, items: list, step) -> None:
    if items:
        step(items[0])  # what a step loads on first use (scikit-learn on main) is start-up, timed apart
    forget()
    started = time.process_time()
    for item in items:
        step(item)
    print(f"  {name:<40} {(time.process_time() - started) / max(1, len(items)) * 1000:7.2f} ms a piece")


def run_cpu():
    from articles.enrich import classify, clusters, pipeline, summarize
    from articles.enrich.keyphrases import keyphrases
    from articles.management.commands.generate_briefs import Words
    from articles.models import Article

    pieces = list(Article.objects.order_by("pk"))
    taxonomy = classify.Taxonomy.read()
    if pieces:
        started = time.process_time()
        summarize.extractive_draft(pieces[0].content_text or "", title=pieces[0].title)
        classify.suggest_topics(pieces[0], taxonomy=taxonomy)
        loaded = sorted({name.split(".")[0] for name in sys.modules} & {"sklearn", "scipy"})
        cost = time.process_time() - started
        print(
            f"first piece of the process: {cost:.2f} s CPU (loaded: {', '.join(loaded) or 'no scikit-learn, no scipy'})"
        )
    print(f"{len(pieces)} pieces of the database:")
    timed("extractive draft", pieces, lambda a: summarize.extractive_draft(a.content_text or "", title=a.title))
    timed("topics (key phrases)", pieces, lambda a: classify.suggest_topics(a, taxonomy=taxonomy))
    timed("depth (reading grade)", pieces, classify.suggest_depth)
    timed("story shingles and band keys", pieces, lambda a: clusters.Fingerprint.of(a)._compute_band_keys())
    timed("fields and roles (keyword rules)", pieces, lambda a: rules(a, taxonomy))
    timed("whole text of a draft", pieces, lambda a: pipeline.draft_suggestions(a, taxonomy=taxonomy))
    rng = random.Random(11)
    words = Words(rng)
    texts = [
        (
            f"{words.sentence(5, 11)[:-1]} ({n})",
            "\n\n".join(words.paragraph(rng.randint(3, 6)) for _ in range(rng.randint(3, 6))),
        )
        for n in range(150)
    ]
    print(f"{len(texts)} texts drawn like the burst bench's:")
    timed("extractive draft", texts, lambda t: summarize.extractive_draft(t[1], title=t[0]))
    timed("key phrases", texts, lambda t: keyphrases(f"{t[0]}\n\n{t[1]}"[: classify.KEYWORD_CHARS], top=15))
    timed("story shingles and band keys", texts, lambda t: clusters.Fingerprint(*t)._compute_band_keys())
    timed("reading grade", texts, lambda t: classify.readability_grade(t[1]))
    unsaved = [Article(title=title, content_text=text) for title, text in texts]
    timed("fields and roles (keyword rules)", unsaved, lambda a: rules(a, taxonomy))
    timed("whole text of a draft", unsaved, lambda a: pipeline.draft_suggestions(a, taxonomy=taxonomy))


def rules(article, taxonomy):
    """The field and role suggestions of the keyword rules (what drafts use until the library trains classifiers)."""
    from articles.enrich import classify, lexicon

    classify._rule_guesses("field", taxonomy.subfields, lexicon.FIELDS, article, 3, classify.FIELD_MIN_CONFIDENCE)
    classify._rule_guesses("role", taxonomy.roles, lexicon.ROLES, article, 3, classify.ROLE_MIN_CONFIDENCE)


def run_dump():
    from django.apps import apps
    from django.db import connection, models

    tables = set(connection.introspection.table_names())
    for model in sorted(
        apps.get_app_config("articles").get_models(include_auto_created=True), key=lambda m: m._meta.label
    ):
        if model._meta.db_table not in tables:  # the SQLite full-text index's table, on PostgreSQL
            print(f"## {model._meta.label}: no table {model._meta.db_table} in this database")
            continue
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if not isinstance(f, (models.DateTimeField, models.DateField))
        ]
        rows = model.objects.order_by("pk").values_list(*names)
        print(f"## {model._meta.label} {len(rows)} rows {names}")
        for row in rows:
            print(json.dumps(row, default=str, ensure_ascii=False))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("cpu", "dump"))
    args = parser.parse_args()
    setup()
    run_cpu() if args.what == "cpu" else run_dump()


if __name__ == "__main__":
    main()
