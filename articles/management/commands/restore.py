"""Restore a backup written by `manage.py backup`, exactly, in one transaction."""

from django.core.management.base import BaseCommand, CommandError

from articles.backup import BackupError, restore_backup
from articles.web.page_cache import invalidate_pages


class Command(BaseCommand):
    help = (
        "Restore the library from a file written by `manage.py backup`. Refuses a database that already "
        "holds a library unless --replace is given; stop the site and the worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A backup written by `manage.py backup`.")
        parser.add_argument("--database", default="default", help="The database alias to restore into.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the library this database holds (every brief, user and token in it) by the backup's.",
        )

    def handle(self, *args, file, database, replace, **options):
        try:
            outcome = restore_backup(file, using=database, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from None
        # Pages of the library that was there before must not be served from the cache.
        invalidate_pages()
        if outcome.migrated:
            self.stdout.write("The database was empty: created its tables first (migrate).")
        if outcome.replaced:
            self.stdout.write(f"Replaced the library that was there ({sum(outcome.replaced.values())} rows).")
        digest = outcome.digest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {digest.rows} rows of {len(digest.counts)} tables from {file} "
                f"(made {outcome.created_at} on {outcome.made_on}); checksum {digest.checksum} matches the backup."
            )
        )
        self.stdout.write("Sessions were not restored: everyone signs in again.")
