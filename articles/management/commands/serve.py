"""Run the embedded mode: the web server plus one Celery worker with beat, no Redis needed."""

import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the site and its Celery worker and beat (the embedded mode of `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--concurrency", type=int, default=2, help="Worker processes.")

    def handle(self, *args, host, port, concurrency, **options):
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "--app",
                "portal",
                "worker",
                "--beat",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(concurrency),
                "--schedule",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ]
        )
        self.stdout.write(self.style.SUCCESS(f"{settings.SITE_NAME} on http://{host}:{port}/ (admin: /admin/)"))
        # Stopped by a service manager: shut the worker down too, as Ctrl-C does.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
