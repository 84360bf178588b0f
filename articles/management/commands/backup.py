"""Write the whole library to one file that `manage.py restore` reads back exactly."""

from django.core.management.base import BaseCommand, CommandError

from articles.backup import BackupError, library_checksum, write_backup


class Command(BaseCommand):
    help = (
        "Back up the whole library (briefs, sources, taxonomy, history, users, tokens …) to FILE, "
        "a gzip file that `manage.py restore FILE` restores exactly, on SQLite or PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Where to write the backup (e.g. var/backup-2026-12-02.json.gz).")
        parser.add_argument("--database", default="default", help="The database alias to back up.")
        parser.add_argument(
            "--checksum",
            action="store_true",
            help="Write nothing; print the library's row counts and checksum (to compare two databases).",
        )

    def handle(self, *args, file, database, checksum, verbosity, **options):
        if checksum:
            digest = library_checksum(database)
            if verbosity > 1:
                for label, count in digest.counts.items():
                    self.stdout.write(f"{label}: {count}")
            self.stdout.write(f"{digest.rows} rows in {len(digest.counts)} tables, checksum {digest.checksum}")
            return
        if not file:
            raise CommandError("Name the file to write, e.g. manage.py backup var/backup.json.gz.")
        try:
            digest = write_backup(file, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backed up {digest.rows} rows of {len(digest.counts)} tables to {file}."))
        self.stdout.write(f"Checksum {digest.checksum}")
