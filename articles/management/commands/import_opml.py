"""Add feed sources from an OPML file: `manage.py import_opml subscriptions.opml`."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.ingest.opml import OPMLError, import_opml


class Command(BaseCommand):
    help = "Create a feed source for each feed in an OPML file; addresses already present are left alone."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The OPML file ('-' reads standard input).")
        parser.add_argument("--paused", action="store_true", help="Create the sources switched off.")

    def handle(self, *args, path, paused=False, **options):
        try:
            data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        try:
            report = import_opml(data, activate=not paused)
        except OPMLError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(report.summary())
