"""Project-wide pytest set-up: where shared test data lives, what a missing dependency does, and
the one line at the end of every run that says how many tests were skipped and why.

Settings for tests are in portal/settings_test.py (named in pyproject.toml).
"""

import os
import secrets
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent
# Data nobody on the project wrote (feeds, articles, labels), kept beside the checkout, never in it.
SHARED_CORPORA = Path(os.environ.get("DISTILLERY_SHARED_CORPORA") or PROJECT_ROOT.parent / "shared" / "corpora")
SHARED_DATA_MISSING = f"shared test data not found at {SHARED_CORPORA}"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
REAL_SETTINGS = "portal.settings"


@pytest.fixture(scope="session", autouse=True)
def child_processes_run_the_real_settings():
    """manage.py and Celery workers started by a test run the settings a deployment runs; this
    process already read portal.settings_test."""
    os.environ["DJANGO_SETTINGS_MODULE"] = REAL_SETTINGS


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
    """The shared test data folder; a test that reads it skips without it (fails in CI)."""
    require_or_skip(SHARED_CORPORA.is_dir(), SHARED_DATA_MISSING)
    return SHARED_CORPORA


@pytest.fixture
def postgres_url() -> str:
    """URL of the CI's PostgreSQL server (TEST_DATABASE_URL)."""
    require_or_skip(bool(TEST_DATABASE_URL), "needs PostgreSQL: set TEST_DATABASE_URL (.ci/run does)")
    return TEST_DATABASE_URL


def xdist_worker_index() -> int:
    """0 in a plain run; 0, 1, … for pytest-xdist's workers gw0, gw1, … (`make test` runs two)."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def redis_database(url: str, number: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{number}"))


@pytest.fixture
def redis_url() -> str:
    """URL of the CI's Redis server (TEST_REDIS_URL), on a database number of this test worker's own,
    so that two workers never read or flush each other's keys."""
    require_or_skip(bool(TEST_REDIS_URL), "needs Redis: set TEST_REDIS_URL (.ci/run does)")
    base = int(urlsplit(TEST_REDIS_URL).path.strip("/") or 0)
    return redis_database(TEST_REDIS_URL, base + xdist_worker_index())


def private_redis_url(redis_url: str) -> str:
    """A Redis database for a test's own broker (flushed, its workers' only), away from the numbers
    `redis_url` hands out: 10–12 for the first test worker, 13–15 for the second."""
    return redis_database(redis_url, 10 + 3 * (xdist_worker_index() % 2) + secrets.randbelow(3))


def skip_reason(report) -> str:
    longrepr = report.longrepr
    message = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return message.removeprefix("Skipped: ")


def skipped_summary(reasons: Counter) -> str:
    """One line: how many tests were skipped and why, the commonest reason first."""
    total = sum(reasons.values())
    if not total:
        return "No test was skipped."
    tests = "test" if total == 1 else "tests"
    if len(reasons) == 1:
        return f"{total} {tests} skipped: {next(iter(reasons))}"
    why = "; ".join(f"{reason} ({count})" for reason, count in reasons.most_common())
    return f"{total} {tests} skipped: {why}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    # The outermost wrapper: the line comes after pytest's own short summary, just above the counts.
    result = yield
    if terminalreporter.config.option.collectonly:
        return result
    reasons = Counter(skip_reason(report) for report in terminalreporter.stats.get("skipped", []))
    terminalreporter.write_line(skipped_summary(reasons))
    return result


def pytest_collection_modifyitems(items):
    # schemathesis names each API operation's test ("test_x[GET /api/v1/articles/]") but gives them
    # all the function's node id; pytest-xdist schedules tests by node id and would run one of them.
    for item in items:
        if item.name.endswith("]") and not item.nodeid.endswith("]"):
            item._id = item.parent.id.child(item.name)  # pytest 9 keeps the node id here
