"""How the reader's pages behave as the catalogue grows: time and SQL queries per page.

    .venv/bin/python bench/web_pages.py [briefs ...]      (default: 100 1000 5000)

Runs on a throw-away embedded (SQLite) database under a temporary folder, with the
page cache off so every request does the full work. Not a test: it prints numbers.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# BENCH_DIR keeps the seeded database between runs.
os.environ["DISTILLERY_VAR_DIR"] = os.environ.get("BENCH_DIR") or tempfile.mkdtemp(prefix="distillery-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["WEB_PAGE_CACHE_SECONDS"] = "0"
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.conf import settings  # noqa: E402

# Serve static names as they are: no collectstatic manifest in a throw-away run.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Field, Role, Source, Status, Topic  # noqa: E402

WORDS = [
    "model",
    "distillation",
    "inference",
    "training",
    "agents",
    "evaluation",
    "policy",
    "regulation",
    "chips",
    "datacentre",
    "energy",
    "privacy",
    "security",
    "open",
    "weights",
    "benchmark",
    "reasoning",
    "retrieval",
    "latency",
    "cost",
    "governance",
    "safety",
]


FILLER = [f"w{i}" for i in range(5000)]
FILLER_WEIGHTS = [1 / (rank + 1) for rank in range(len(FILLER))]  # Zipf


def seed(total: int, rng: random.Random) -> None:
    have = Article.objects.count()
    if have >= total:
        return
    if not Source.objects.exists():
        sources = [Source.objects.create(name=f"Source {i}", url=f"https://s{i}.example/feed") for i in range(10)]
        areas = [Field.objects.create(name=f"Area {i}") for i in range(4)]
        [Field.objects.create(name=f"Sub {a.pk}-{j}", parent=a) for a in areas for j in range(4)]
        [Role.objects.create(name=f"Role {i}") for i in range(8)]
        [Topic.objects.create(name=f"Topic {i}") for i in range(40)]
    sources = list(Source.objects.all())
    subfields = list(Field.objects.subfields())
    roles, topics = list(Role.objects.all()), list(Topic.objects.all())
    with transaction.atomic():
        for n in range(have, total):
            # Like real writing: a long tail of common words, and a few subject words per piece.
            subjects = rng.sample(WORDS, 3)
            filler = rng.choices(FILLER, weights=FILLER_WEIGHTS, k=900)
            summary = " ".join([*filler[:40], *subjects])
            brief = Article.objects.create(
                title=" ".join([*rng.sample(WORDS, 2), *filler[40:44]]).capitalize() + f" {n}",
                slug=f"brief-{n}",
                summary=summary,
                takeaway=" ".join(filler[44:80]),
                insights=[" ".join(filler[80:100]), " ".join(filler[100:120])],
                content_text=" ".join(filler[120:] + subjects * 3),
                source=rng.choice(sources),
                original_url=f"https://origin.example/{n}",
                status=Status.PUBLISHED if rng.random() < 0.8 else Status.DRAFT,
                published_at=timezone.now(),
                level=rng.choice(["introductory", "intermediate", "advanced", "expert"]),
                reading_minutes=rng.randint(2, 20),
            )
            brief.fields.set(rng.sample(subfields, 2))
            brief.roles.set(rng.sample(roles, 2))
            brief.topics.set(rng.sample(topics, 3))


def measure(client: Client, url: str, runs: int = 15) -> tuple[float, int]:
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), len(queries.captured_queries)


def main(sizes: list[int]) -> None:
    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    client = Client()
    print(f"{'briefs':>7}  {'page':<40} {'median ms':>10} {'queries':>8}")
    for size in sizes:
        seed(size, rng)
        role, area, brief = Role.objects.first(), Field.objects.areas().first(), Article.objects.published().first()
        pages = {
            "home": "/",
            "brief": brief.get_absolute_url(),
            "role listing": role.get_absolute_url(),
            "role + area + level": f"{role.get_absolute_url()}?area={area.slug}&level=advanced",
            "search 'distillation'": "/search/?q=distillation",
            "search 'open weights' + role": f"/search/?q=%22open+weights%22&role={role.slug}",
            "RSS feed": "/feeds/rss/",
        }
        for name, url in pages.items():
            ms, queries = measure(client, url)
            print(f"{size:>7}  {name:<40} {ms:>10.1f} {queries:>8}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000, 5000])
