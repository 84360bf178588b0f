"""Ingest sources now, by hand, with a progress bar: `manage.py ingest --all` or `--source ID`."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles import tasks
from articles.ingest import pipeline
from articles.locks import Busy
from articles.management.checks import WITHOUT_URLCONF
from articles.models import Source


class Command(BaseCommand):
    help = "Fetch and store feed sources now (in this process, not through the queue)."
    requires_system_checks = WITHOUT_URLCONF

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--source", type=int, action="append", dest="source_ids", metavar="ID", help="May repeat.")
        which.add_argument("--all", action="store_true", help="Every active feed source.")
        parser.add_argument("--force", action="store_true", help="Ignore ETag/Last-Modified and fetch in full.")

    def handle(self, *args, source_ids=None, all=False, force=False, **options):
        if all:
            sources = list(Source.objects.active().filter(kind=Source.Kind.FEED).order_by("pk"))
        else:
            sources = list(Source.objects.filter(pk__in=source_ids).order_by("pk"))
            missing = sorted(set(source_ids) - {s.pk for s in sources})
            if missing:
                raise CommandError(f"No source with id {', '.join(map(str, missing))}.")
            pages = [s for s in sources if s.kind != Source.Kind.FEED]
            if pages:
                raise CommandError(f"{pages[0]} holds single pages added by hand; it has no feed to ingest.")
        failures = 0
        totals = {"new": 0, "updated": 0}
        with tqdm(total=len(sources), unit="source", file=self.stderr, disable=not sources) as progress:
            # One source after another, while a thread fetches and parses the next few feeds.
            for source, outcome in pipeline.ingest_sources(sources, force=force):
                progress.update()
                progress.set_postfix_str(source.name[:40])
                if isinstance(outcome, Busy):
                    progress.write(f"{source}: already being ingested elsewhere; skipped.")
                    continue
                tasks.queue_follow_ups(outcome)
                run = outcome.run
                totals["new"] += run.items_new
                totals["updated"] += run.items_updated
                if run.status == run.Outcome.FAILED:
                    failures += 1
                    progress.write(f"{source}: failed: {run.error}")
        self.stdout.write(
            f"{len(sources)} source(s): {totals['new']} new, {totals['updated']} updated, {failures} failed."
        )
        if failures:
            raise CommandError(f"{failures} source(s) failed; see their last error in the admin.")
