"""The operator's day: `make run` (the `serve` command) and the first admin login (`ensure_admin`).

The `serve` tests start the real command in a subprocess, with a real Celery worker, and look
in /proc for anything left running afterwards.
"""

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.management.commands import serve
from conftest import PROJECT_ROOT

WAIT_SECONDS = 90


def _env(var: Path) -> dict:
    env = {**os.environ, "DISTILLERY_VAR_DIR": str(var), "PYTHONUNBUFFERED": "1"}
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "SECRET_KEY"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def migrated_var(tmp_path_factory) -> Path:
    var = tmp_path_factory.mktemp("migrated") / "var"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=PROJECT_ROOT, env=_env(var), check=True, timeout=300,
    )  # fmt: skip
    return var


@pytest.fixture
def var(migrated_var, tmp_path) -> Path:
    """A migrated embedded installation of this test's own."""
    own = tmp_path / "var"
    shutil.copytree(migrated_var, own)
    return own


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains `text` (the worker's names the var folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in command:
            found.append(int(entry.name))
    return found


def _wait_for(condition, what: str, seconds: float = WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _healthz(port: int):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return json.load(response)
    except OSError:
        return None


def _start_serve(var: Path, port: int, tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--concurrency", "1"],
        cwd=PROJECT_ROOT, env=_env(var), stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    return process, log


def _stop_everything(process: subprocess.Popen, var: Path) -> None:
    """Clean up after a failed test, so that one failure does not leave workers running."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    for pid in _processes_mentioning(str(var)):
        os.kill(pid, signal.SIGKILL)


def _worker_pid(serve_pid: int, var: Path) -> int | None:
    for pid in _processes_mentioning(str(var)):
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == serve_pid:
            return pid
    return None


def test_make_run_on_a_taken_port_says_so_and_starts_no_worker(var):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        finished = subprocess.run(
            [sys.executable, "manage.py", "serve", "--prepare", "--port", str(port)],
            cwd=PROJECT_ROOT, env=_env(var), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert finished.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in finished.stderr
    assert "Nothing was started." in finished.stderr
    assert _processes_mentioning(str(var)) == []
    assert not (var / "staticfiles").exists()  # it stopped before preparing anything


def test_ctrl_c_stops_the_site_the_worker_and_beat(var, tmp_path):
    port = _free_port()
    process, log = _start_serve(var, port, tmp_path)
    try:
        _wait_for(lambda: _healthz(port), "the site to answer /healthz")
        _wait_for(lambda: "Distillery on http://127.0.0.1" in log.read_text(), "the start-up line")
        _wait_for(lambda: _worker_pid(process.pid, var), "the worker to start")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=WAIT_SECONDS) == 0, log.read_text()[-3000:]
        _wait_for(lambda: _processes_mentioning(str(var)) == [], "the worker's processes to end", seconds=10)
        assert _healthz(port) is None
    finally:
        _stop_everything(process, var)


def test_a_worker_crash_stops_the_site_too_and_says_why(var, tmp_path):
    port = _free_port()
    process, log = _start_serve(var, port, tmp_path)
    try:
        _wait_for(lambda: _healthz(port), "the site to answer /healthz")
        worker = _wait_for(lambda: _worker_pid(process.pid, var), "the worker to start")
        os.kill(worker, signal.SIGKILL)
        assert process.wait(timeout=WAIT_SECONDS) == 1
        assert "The Celery worker stopped unexpectedly" in log.read_text()
        _wait_for(lambda: _processes_mentioning(str(var)) == [], "the worker's pool and beat to end", seconds=10)
        assert _healthz(port) is None
    finally:
        _stop_everything(process, var)


def test_killing_serve_outright_still_stops_its_worker(var, tmp_path):
    port = _free_port()
    process, _log = _start_serve(var, port, tmp_path)
    try:
        _wait_for(lambda: _worker_pid(process.pid, var), "the worker to start")
        process.kill()
        process.wait(timeout=10)
        _wait_for(lambda: _processes_mentioning(str(var)) == [], "the orphaned worker to stop", seconds=60)
    finally:
        _stop_everything(process, var)


def test_static_files_are_collected_again_only_when_they_changed(settings, tmp_path):
    sources = tmp_path / "static-sources"
    sources.mkdir()
    (sources / "extra.css").write_text("body { color: black; }")
    settings.STATICFILES_DIRS = [sources]
    settings.STATIC_ROOT = tmp_path / "collected"
    command = serve.Command()

    command.collect_static()
    collected = settings.STATIC_ROOT / "extra.css"
    assert collected.read_text() == "body { color: black; }"
    collected.unlink()
    command.collect_static()  # nothing changed: no copying
    assert not collected.exists()

    (sources / "extra.css").write_text("body { color: navy; }")
    command.collect_static()
    assert collected.read_text() == "body { color: navy; }"


@pytest.mark.django_db
def test_ensure_admin_creates_one_admin_and_prints_the_same_login_on_every_start(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("ensure_admin", stdout=(first := io.StringIO()))
    call_command("ensure_admin", stdout=(second := io.StringIO()))

    password = (tmp_path / "admin-password.txt").read_text().strip()
    admin = get_user_model().objects.get()
    assert admin.username == "admin" and admin.is_superuser and admin.is_staff
    assert admin.check_password(password)
    assert (tmp_path / "admin-password.txt").stat().st_mode & 0o777 == 0o600
    assert f"password {password!r}" in first.getvalue()
    assert f"password {password!r}" in second.getvalue()


@pytest.mark.django_db
def test_ensure_admin_stops_printing_a_password_the_admin_has_changed(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("ensure_admin", stdout=io.StringIO())
    admin = get_user_model().objects.get()
    admin.set_password("a new passphrase of my own")
    admin.save()

    call_command("ensure_admin", stdout=(out := io.StringIO()))

    old = (tmp_path / "admin-password.txt").read_text().strip()
    assert old not in out.getvalue()
    assert "with the password you set" in out.getvalue()


@pytest.mark.django_db
def test_ensure_admin_creates_nobody_when_another_superuser_exists(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    get_user_model().objects.create_superuser("chief", "", "chief's own passphrase")

    call_command("ensure_admin", stdout=(out := io.StringIO()))

    assert "An admin account already exists" in out.getvalue()
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["chief"]
    assert not (tmp_path / "admin-password.txt").exists()
