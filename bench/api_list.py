"""How the brief list of the API scales with page size: queries and time per request.

    .venv/bin/python bench/api_list.py [--briefs 500]

Builds a throwaway SQLite database under a temporary folder (never the project's var/),
fills it with published briefs (3 fields, 3 topics, 3 roles, 5 related briefs and a
~2,000-word original each),
then times GET /api/v1/articles/ in-process. Numbers are for comparing page sizes on one
machine, not absolute promises.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="distillery-bench-")
    os.environ.update(DISTILLERY_VAR_DIR=var_dir, DJANGO_SETTINGS_MODULE="portal.settings")
    os.environ.setdefault("API_THROTTLE_ANON_RATE", "1000000/min")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from rest_framework.test import APIClient

    setup_test_environment()
    call_command("migrate", verbosity=0)
    _fill(args.briefs)

    client = APIClient()
    print(f"{args.briefs} published briefs; median of {args.repeat} requests each (SQLite, in-process)")
    print(f"{'request':<44}{'queries':>8}{'median ms':>11}{'KiB':>8}")
    for label, path, headers in _requests(client):
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(path, **headers)
                timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 304), (path, response.status_code)
        size = len(response.content) / 1024
        print(f"{label:<44}{len(queries):>8}{statistics.median(timings):>11.1f}{size:>8.1f}")


def _requests(client):
    yield "list, page_size=1", "/api/v1/articles/?page_size=1", {}
    yield "list, page_size=20", "/api/v1/articles/?page_size=20", {}
    yield "list, page_size=100", "/api/v1/articles/?page_size=100", {}
    etag = client.get("/api/v1/articles/?page_size=20").headers["ETag"]
    yield "list, page_size=20, If-None-Match (304)", "/api/v1/articles/?page_size=20", {"HTTP_IF_NONE_MATCH": etag}
    yield "list, q=insight, page_size=20", "/api/v1/articles/?q=insight&page_size=20", {}
    yield "fields tree", "/api/v1/fields/", {}


ORIGINAL_TEXT = " ".join(f"word{n % 997}" for n in range(2000))


def _fill(count):
    from django.db import transaction

    from articles.models import RelatedLink
    from articles.tests.factories import make_article, make_role, make_source, make_subfield, make_topic

    with transaction.atomic():
        sources = [make_source() for _ in range(10)]
        fields = [make_subfield() for _ in range(12)]
        topics = [make_topic() for _ in range(30)]
        roles = [make_role() for _ in range(8)]
        briefs = [
            make_article(
                status="published",
                source=sources[n % 10],
                fields=fields[n % 10 : n % 10 + 3],
                topics=topics[n % 27 : n % 27 + 3],
                roles=roles[n % 6 : n % 6 + 3],
                # Full text of an original of average length (about 2,000 words), as ingestion keeps it.
                content_text=ORIGINAL_TEXT,
                content_html=f"<p>{ORIGINAL_TEXT}</p>",
            )
            for n in range(count)
        ]
        RelatedLink.objects.bulk_create(
            RelatedLink(from_article=brief, to_article=briefs[(n + k) % count], score=k / 10)
            for n, brief in enumerate(briefs)
            for k in range(1, 6)
        )


if __name__ == "__main__":
    main()
