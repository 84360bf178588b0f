"""Draft briefs from the command line: `manage.py enrich 12 15`, or `--ingested` for every piece waiting.

`manage.py enrich --check-backend` makes one call to the generative backend and says in a
sentence what works and what does not (exit status 1 when it is configured but unusable).
"""

import gc

from django.core.management.base import BaseCommand, CommandError

from articles.enrich import enrich_articles, generative
from articles.management.checks import WITHOUT_URLCONF
from articles.models import Article, Status

# Drafts kept per commit: each commit is a disk flush (PostgreSQL's write-ahead log); a batch holds its
# pieces' rows locked until it commits, so it stays short (about a second of drafting).
DRAFT_BATCH = 20


class Command(BaseCommand):
    help = "Run enrichment now for the given briefs (ids), or for every ingested piece with --ingested."
    requires_system_checks = WITHOUT_URLCONF

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="ids of the briefs to enrich")
        parser.add_argument("--ingested", action="store_true", help="every piece still waiting in 'ingested'")
        parser.add_argument(
            "--check-backend",
            action="store_true",
            help="make one call to the generative backend (ENRICH_LLM_*) and say what works",
        )

    def handle(self, *args, ids, ingested, check_backend=False, **options):
        if check_backend:
            verdict = generative.check_backend()
            self.stdout.write(verdict)
            if generative.is_enabled() and " works:" not in verdict:
                raise CommandError("The generative backend is not usable; drafts fall back to the extractive draft.")
            return
        if not ids and not ingested:
            raise CommandError("Give the ids of the briefs to enrich, or --ingested for every piece waiting.")
        briefs = Article.objects.select_related("source").order_by("pk")
        briefs = briefs.filter(status=Status.INGESTED) if ingested else briefs.filter(pk__in=ids)
        briefs = list(briefs)
        found = {brief.pk for brief in briefs}
        missing = sorted(set(ids) - found)
        if missing:
            raise CommandError(f"No brief with id {', '.join(map(str, missing))}; nothing was enriched.")
        # What the process loaded to get here (Django, the models, the drafting modules and numpy, the pieces) lives
        # as long as the drafting does: frozen, it is left out of the collector's full passes, each of which walked all
        # of it again (~0.3 ms a drafted piece: bench/REPORT.md, "Ninth pass"). Nothing is collected first (a full
        # pass costs more than drafting a piece); unfrozen after, for a caller that goes on (a test, `call_command`).
        gc.freeze()
        try:
            failed = self._draft(briefs)
        finally:
            gc.unfreeze()
        if failed:
            raise CommandError(
                f"{len(failed)} brief(s) could not be drafted (ids {', '.join(map(str, failed))}); the others were."
            )

    def _draft(self, briefs) -> list[int]:
        """Draft `briefs`, reporting each; the ids of those that could not be drafted."""
        failed = []
        # Pieces waiting are kept in batches, one commit each; a piece that fails is reported and the rest kept.
        # A language model takes seconds a piece: each of its drafts is kept as soon as it is made.
        batch = 1 if generative.is_enabled() else DRAFT_BATCH
        for start in range(0, len(briefs), batch):
            for drafted in enrich_articles(articles=briefs[start : start + batch], start_draft=True):
                brief, run = drafted.article, drafted.run
                if run is None:
                    failed.append(brief.pk)
                    self.stderr.write(f"{brief.pk} “{brief.title}”: not drafted: {drafted.error}")
                    continue
                filled = ", ".join(run.filled_sections) or "nothing (every section already written)"
                note = f" ({run.fallback_reason})" if run.fallback_reason else ""
                self.stdout.write(f"{brief.pk} “{brief.title}”: {run.get_backend_display()}; filled {filled}{note}")
        return failed
