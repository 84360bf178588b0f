"""`manage.py check --deploy`: every warning has a documented variable that clears it."""

import os
import secrets
import subprocess
import sys

from conftest import PROJECT_ROOT

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "briefs.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://briefs.example.org",
    "BEHIND_HTTPS_PROXY": "true",
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def _check_deploy(tmp_path, **variables) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}", **variables}
    env["DISTILLERY_VAR_DIR"] = str(tmp_path / "var")
    for name in ("DEBUG", "REDIS_URL"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_check_deploy_reports_nothing_with_the_production_variables_set(tmp_path):
    finished = _check_deploy(tmp_path, **PRODUCTION)
    assert finished.returncode == 0, finished.stderr
    assert "System check identified no issues" in finished.stdout


def test_check_deploy_names_hsts_subdomains_and_preload_when_they_are_left_off(tmp_path):
    variables = {**PRODUCTION, "SECURE_HSTS_INCLUDE_SUBDOMAINS": "false", "SECURE_HSTS_PRELOAD": "false"}
    finished = _check_deploy(tmp_path, **variables)
    assert finished.returncode != 0
    assert "security.W005" in finished.stderr  # include subdomains
    assert "security.W021" in finished.stderr  # preload
