"""Configuration errors are one clear line naming the variable, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env_overrides, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "REDIS_URL", "DEBUG"}}
    env["DISTILLERY_VAR_DIR"] = str(tmp_path)
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"DATABASE_URL": "not a url at all", "SECRET_KEY": "x" * 50}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://u:p@localhost/db", "SECRET_KEY": "x" * 50}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://localhost:5432/distillery"}, "SECRET_KEY"),
        ({"DATABASE_URL": "postgres://localhost:5432/", "SECRET_KEY": "x" * 50}, "DATABASE_URL"),
        ({"DEBUG": "perhaps"}, "DEBUG"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"CELERY_TASK_TIME_LIMIT": "ten"}, "CELERY_TASK_TIME_LIMIT"),
    ],
)
def test_bad_configuration_gives_one_line_naming_the_variable(variables, named, tmp_path):
    result = run_manage("check", env_overrides=variables, tmp_path=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: ")
    assert named in lines[0]
    assert "Traceback" not in result.stderr


def test_embedded_run_generates_and_keeps_a_secret_key(tmp_path):
    first = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        env_overrides={},
        tmp_path=tmp_path,
    )
    second = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        env_overrides={},
        tmp_path=tmp_path,
    )
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50
    assert key == second.stdout.strip()
    assert (tmp_path / "secret_key").read_text().strip() == key
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_embedded_database_uses_wal_and_immediate_transactions(tmp_path):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection; c = connection.cursor(); c.execute('PRAGMA journal_mode');"
        " print(c.fetchone()[0], connection.settings_dict['OPTIONS']['transaction_mode'])",
        env_overrides={},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE"]
