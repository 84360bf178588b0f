"""Settings for the test suite (pytest reads this module through pyproject.toml).

Everything in portal/settings.py, plus what only a test run wants. Processes that the
tests start themselves (manage.py, Celery workers) run portal/settings.py, as a
deployment does: the root conftest.py points DJANGO_SETTINGS_MODULE back at it for them.
"""

import os

from portal.config import database_from_url
from portal.settings import *  # noqa: F403
from portal.settings import DATABASES, STORAGES

# Hashed static names need collectstatic; tests serve the sources as they are.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Hashing passwords slowly protects nothing in a test database and costs seconds per login.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# One in-process cache: tests clear it freely and no two test runs share it. Code that wants the
# "pages", "locks" or "api_throttle" cache falls back to this one when it is not configured.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A second database alias on a real PostgreSQL, for the tests marked `postgres` (they ask for it with
# @pytest.mark.django_db(databases=["default", "postgres"])); without TEST_DATABASE_URL they skip, or
# fail in CI (see the root conftest.py).
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
if TEST_DATABASE_URL:
    DATABASES = {**DATABASES, "postgres": {**database_from_url(TEST_DATABASE_URL), "CONN_MAX_AGE": 0}}
