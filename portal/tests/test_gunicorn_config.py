"""The scaled mode's gunicorn settings read the environment and refuse a malformed value in one line."""

import runpy
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:9001")
    values = runpy.run_path(str(CONFIG))
    assert (values["workers"], values["timeout"], values["bind"]) == (3, 45, "127.0.0.1:9001")
    assert values["accesslog"] == "-"


def test_gunicorn_refuses_a_malformed_worker_count(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "four")
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY must be a whole number"):
        runpy.run_path(str(CONFIG))


def test_gunicorn_accepts_the_configuration_file():
    # gunicorn's own checker loads the file and the application without serving.
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c", str(CONFIG), "portal.wsgi"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=CONFIG.parent.parent,
    )
    assert result.returncode == 0, result.stderr
