"""Project-wide pytest set-up: test settings and the paths of shared test data."""

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent
SHARED_CORPORA = PROJECT_ROOT.parent / "shared" / "corpora"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def pytest_configure(config):
    from django.conf import settings

    # Hashed static names need collectstatic; tests serve the sources as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # A second database alias on a real PostgreSQL, for the tests marked `postgres`
    # (they ask for it with @pytest.mark.django_db(databases=["default", "postgres"])).
    if TEST_DATABASE_URL:
        from portal.config import database_from_url

        settings.DATABASES["postgres"] = {**database_from_url(TEST_DATABASE_URL), "CONN_MAX_AGE": 0}
        # The connection handler has already read DATABASES; let it fill the new alias's defaults (TEST …).
        from django.db import connections

        connections.settings = connections.configure_settings(settings.DATABASES)


def pytest_runtest_setup(item):
    # A test that asks for the "postgres" database cannot even set up without it: say why
    # (skip on a developer's machine, fail in CI) before pytest-django tries.
    marker = item.get_closest_marker("django_db")
    if marker and "postgres" in (marker.kwargs.get("databases") or ()):
        require_or_skip(bool(TEST_DATABASE_URL), "needs PostgreSQL: set TEST_DATABASE_URL (.ci/run does)")


def require_or_skip(available: bool, reason: str):
    """Skip a test whose outside dependency is missing, except in CI, where it fails."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI must provide it)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def corpora() -> Path:
    require_or_skip(SHARED_CORPORA.is_dir(), f"shared test data not found at {SHARED_CORPORA}")
    return SHARED_CORPORA


@pytest.fixture
def postgres_url() -> str:
    """URL of the CI's PostgreSQL server (TEST_DATABASE_URL)."""
    require_or_skip(bool(TEST_DATABASE_URL), "needs PostgreSQL: set TEST_DATABASE_URL (.ci/run does)")
    return TEST_DATABASE_URL


@pytest.fixture
def redis_url() -> str:
    """URL of the CI's Redis server (TEST_REDIS_URL)."""
    require_or_skip(bool(TEST_REDIS_URL), "needs Redis: set TEST_REDIS_URL (.ci/run does)")
    return TEST_REDIS_URL
