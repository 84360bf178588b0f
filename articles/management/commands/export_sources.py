"""Write the feed sources as OPML: `manage.py export_sources -o sources.opml`."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from articles.ingest.opml import export_opml
from articles.models import Source


class Command(BaseCommand):
    help = "Export the feed sources as an OPML 2.0 file (standard output unless --output is given)."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="File to write.")
        parser.add_argument("--active-only", action="store_true", help="Leave paused sources out.")

    def handle(self, *args, output=None, active_only=False, **options):
        sources = Source.objects.filter(kind=Source.Kind.FEED).order_by("name")
        if active_only:
            sources = sources.active()
        document = export_opml(sources, title=f"{settings.SITE_NAME} sources")
        if output:
            Path(output).write_bytes(document)
            self.stdout.write(f"{sources.count()} source(s) written to {output}.")
        else:
            self.stdout.write(document.decode("utf-8"), ending="")
