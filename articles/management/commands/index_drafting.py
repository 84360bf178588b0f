"""Build the drafting indexes again: story keys of every piece, the related-briefs index of every published brief.

Drafting keeps both up to date one brief at a time; this is for briefs written in bulk
(`generate_briefs`, a restored backup) and to reweigh the related index with today's word
counts. Safe to run twice, safe to kill: each index is rebuilt in its own transactions.

    python manage.py index_drafting [--stories-only | --related-only]
"""

import time

from django.core.management.base import BaseCommand

from articles.enrich import classify, clusters, related_index
from articles.models import Article

BATCH = 500


class Command(BaseCommand):
    help = "Rebuild the story-cluster keys and the related-briefs index (after bulk inserts or a restore)."

    def add_arguments(self, parser):
        only = parser.add_mutually_exclusive_group()
        only.add_argument("--stories-only", action="store_true", help="only the story keys")
        only.add_argument("--related-only", action="store_true", help="only the related-briefs index")

    def handle(self, *args, stories_only=False, related_only=False, **options):
        if not related_only:
            started, pieces, keys = time.perf_counter(), 0, 0
            after = 0
            while batch := list(
                Article.objects.filter(pk__gt=after).order_by("pk").only("pk", "title", "content_text")[:BATCH]
            ):
                keys += clusters.index_story_keys(batch, replace=True)
                pieces += len(batch)
                after = batch[-1].pk
            self.stdout.write(f"Story keys: {pieces:,} pieces, {keys:,} keys in {time.perf_counter() - started:.1f} s.")
        if not stories_only:
            started = time.perf_counter()
            briefs = related_index.rebuild()
            classify.library_changed()  # and the classifiers retrain on the briefs written in bulk
            self.stdout.write(f"Related index: {briefs:,} published briefs in {time.perf_counter() - started:.1f} s.")
