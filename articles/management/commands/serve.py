"""Run the embedded mode: the web server plus one Celery worker with beat, no Redis needed.

Leaves nothing behind, whatever happens: the port is taken before anything is started (a
taken port starts no worker), the worker runs in its own process group that is stopped as
a whole (its pool children and beat included) on Ctrl-C, SIGTERM, a crash of the worker or
an error of the server, and on Linux the worker is told to stop if this process is killed.

With --prepare it also does, in this one Python process, what `make run` needs first:
migrate when a migration is pending, load the demo library into an empty one, collect the
static files when they changed, and create the first admin login.
"""

import contextlib
import ctypes
import hashlib
import json
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer, get_internal_wsgi_application
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

STOP_SECONDS = 20  # a warm shutdown lets running tasks finish; then the group is killed
READY_SECONDS = 60
PR_SET_PDEATHSIG = 1
STATIC_FINGERPRINT = ".distillery-static-fingerprint"


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    """runserver's server: one thread per request, not waited for at shutdown."""

    daemon_threads = True


def _die_with_parent():
    """For the worker, run between fork and exec: on Linux, SIGTERM it if `serve` is killed outright."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded here, before the fork; the child only calls it
    return lambda: libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def static_fingerprint() -> str:
    """A digest of every static file collectstatic would copy (path, size, time) and the storage."""
    digest = hashlib.sha256(json.dumps(settings.STORAGES["staticfiles"], sort_keys=True).encode())
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Start the site and its Celery worker and beat (the embedded mode of `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--concurrency", type=int, default=2, help="Worker processes.")
        parser.add_argument(
            "--prepare",
            action="store_true",
            help="First migrate, load the demo into an empty library, collect changed static files, create the admin.",
        )

    def handle(self, *args, host, port, concurrency, prepare, **options):
        self.stopping = False
        server = self.bind(host, port)
        worker = None
        serving = threading.Event()
        try:
            if prepare:
                self.prepare()
            server.set_app(get_internal_wsgi_application())
            # From here on Ctrl-C and SIGTERM (a service manager) end the loop below, then the finally.
            signal.signal(signal.SIGTERM, self.on_signal)
            signal.signal(signal.SIGINT, self.on_signal)
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
            serving.set()
            # The site first, the worker once the site answers: on two cores, two Python start-ups
            # at once make both slow, and the queue keeps what is sent in the meantime.
            self.announce(host, port)
            if not self.stopping:
                worker = self.start_worker(concurrency)
            while not self.stopping:
                if worker.poll() is not None:
                    raise CommandError(
                        f"The Celery worker stopped unexpectedly (exit status {worker.returncode}); "
                        "stopped the site too. Its log is above."
                    )
                time.sleep(0.2)
            self.stdout.write("Stopping the site and the worker …")
        except KeyboardInterrupt:  # Ctrl-C while preparing, before the handlers above were set
            self.stdout.write("Stopped before the site was up.")
        finally:
            if serving.is_set():
                server.shutdown()
            server.server_close()
            if worker is not None:
                self.stop_worker(worker)

    def on_signal(self, signum, frame):
        self.stopping = True

    def bind(self, host: str, port: int) -> WSGIServer:
        ipv6 = ":" in host
        try:
            server = _ThreadingServer((host.strip("[]"), port), WSGIRequestHandler, ipv6=ipv6)
        except OSError as error:
            if error.errno in (98, 48):  # EADDRINUSE on Linux, macOS
                raise CommandError(
                    f"Port {port} on {host} is already in use (another Distillery, or another program); "
                    f"stop it or choose another port: make run PORT={port + 1}. Nothing was started."
                ) from None
            raise CommandError(f"Cannot listen on {host}:{port}: {error.strerror}. Nothing was started.") from None
        return server

    def prepare(self) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", interactive=False, verbosity=1)
        from articles.models import Source

        if not Source.objects.exists():
            call_command("load_demo")
        self.collect_static()
        call_command("ensure_admin")

    def collect_static(self) -> None:
        fingerprint = static_fingerprint()
        marker = settings.STATIC_ROOT / STATIC_FINGERPRINT
        if marker.exists() and marker.read_text() == fingerprint:
            return  # nothing changed since the last collection
        call_command("collectstatic", interactive=False, verbosity=0)
        marker.write_text(fingerprint)

    def start_worker(self, concurrency: int) -> subprocess.Popen:
        command = [
            sys.executable, "-m", "celery", "--app", "portal", "worker", "--beat",
            "--loglevel", "INFO", "--concurrency", str(concurrency),
            "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME,
        ]  # fmt: skip
        # Its own process group, so that stopping it reaches the pool's children and beat as well.
        return subprocess.Popen(command, start_new_session=True, preexec_fn=_die_with_parent())

    def stop_worker(self, worker: subprocess.Popen) -> None:
        """Warm shutdown (the main process stops its pool and beat), then kill whatever is left of the group."""
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The worker did not stop within {STOP_SECONDS} s; killing it.")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    def announce(self, host: str, port: int) -> None:
        address = f"http://{host}:{port}/"
        answer = self.health(host, port)
        if answer is None:
            self.stderr.write(f"{address} did not answer its health check within {READY_SECONDS} s.")
        elif answer.get("down"):
            self.stderr.write(
                f"{address} is up, but not all is well: {', '.join(answer['down'])} (see {address}healthz)."
            )
        self.stdout.write(self.style.SUCCESS(f"{settings.SITE_NAME} on {address} (admin: {address}admin/)"))

    def health(self, host: str, port: int) -> dict | None:
        """/healthz's answer once the server answers, as a load balancer would ask it."""
        probe_host = "127.0.0.1" if host in ("0.0.0.0", "::", "[::]") else host
        named = [name for name in settings.ALLOWED_HOSTS if not name.startswith((".", "*"))]
        request = urllib.request.Request(
            f"http://{probe_host}:{port}/healthz", headers={"Host": named[0] if named else probe_host}
        )
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline and not self.stopping:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    return json.load(response)
            except urllib.error.HTTPError as error:  # 503 names what is down
                try:
                    return json.load(error)
                except ValueError:
                    return {"down": [f"the health check itself (HTTP {error.code})"]}
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                time.sleep(0.1)
        return None
