"""The test run itself, as an operator meets it: on a checkout without the shared test data every
test that reads it is still collected and skipped with the reason, and the run ends with one line
that counts them; in CI the same tests fail instead."""

import os
import re
import subprocess
import sys
from collections import Counter

from conftest import PROJECT_ROOT, skipped_summary

DATA_TESTS = ["articles/tests/ingest/test_feed_corpus.py", "articles/tests/ingest/test_realfeeds.py"]
FEED_CASES = (PROJECT_ROOT / "articles" / "tests" / "ingest" / "feed_corpus_cases.txt").read_text().split()
# Set by the outer run (or by the root conftest for its child processes); the inner run chooses its own.
NOT_INHERITED = {"CI", "TEST_DATABASE_URL", "TEST_REDIS_URL", "DJANGO_SETTINGS_MODULE", "PYTEST_ADDOPTS"}


def run_pytest(*args, shared_data, tmp_path, ci=False):
    env = {name: value for name, value in os.environ.items() if name not in NOT_INHERITED}
    env.update(DISTILLERY_SHARED_CORPORA=str(shared_data), DISTILLERY_VAR_DIR=str(tmp_path))
    if ci:
        env["CI"] = "true"
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900)


def counts(final_line: str) -> dict[str, int]:
    return {word: int(number) for number, word in re.findall(r"(\d+) (\w+)", final_line)}


def test_without_shared_data_every_data_test_is_collected_skipped_and_counted_in_one_line(tmp_path):
    missing = tmp_path / "no-shared" / "corpora"

    collected = run_pytest("--collect-only", "-q", *DATA_TESTS, shared_data=missing, tmp_path=tmp_path)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    ids = [line for line in collected.stdout.splitlines() if "::" in line]
    assert all(any(f"[{case}]" in test_id for test_id in ids) for case in FEED_CASES)

    run = run_pytest("-q", *DATA_TESTS, shared_data=missing, tmp_path=tmp_path)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    lines = run.stdout.strip().splitlines()
    outcome = counts(lines[-1])
    assert set(outcome) <= {"passed", "skipped"}  # nothing failed, nothing errored, nothing left out
    assert outcome["passed"] + outcome["skipped"] == len(ids)
    assert outcome["skipped"] >= len(FEED_CASES) + 20  # every feed case and every real feed
    expected = f"{outcome['skipped']} tests skipped: shared test data not found at {missing}"
    assert [line for line in lines if "tests skipped:" in line or "test skipped:" in line] == [expected]
    assert lines[-2] == expected  # the last line before pytest's own counts


def test_in_ci_a_test_whose_shared_data_is_missing_fails_with_the_reason(tmp_path):
    missing = tmp_path / "no-shared" / "corpora"

    run = run_pytest(
        "-q", DATA_TESTS[0], "-k", "holds_exactly_the_cases", shared_data=missing, tmp_path=tmp_path, ci=True
    )

    assert run.returncode == 1
    assert f"shared test data not found at {missing} (CI must provide it)" in run.stdout
    final = counts(run.stdout.strip().splitlines()[-1])
    assert final.get("failed", 0) + final.get("error", 0) == 1  # the fixture fails it: pytest says "error"
    assert "passed" not in final and "skipped" not in final


def test_the_closing_line_names_every_reason_with_its_count_commonest_first():
    reasons = Counter({"needs Redis: set TEST_REDIS_URL": 3, "shared test data not found at /x": 412})
    assert skipped_summary(reasons) == (
        "415 tests skipped: shared test data not found at /x (412); needs Redis: set TEST_REDIS_URL (3)"
    )
    assert skipped_summary(Counter({"needs PostgreSQL": 1})) == "1 test skipped: needs PostgreSQL"
    assert skipped_summary(Counter()) == "No test was skipped."
