"""The embedded mode: a real Celery worker with beat on kombu's filesystem transport and SQLite, no Redis."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from celery import Celery

from articles.tests.ingest.feeds import item, rss
from conftest import PROJECT_ROOT

WAIT_SECONDS = 60


def test_a_worker_without_redis_runs_queued_ingestion(tmp_path, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(rss(item(1), item(2)))
    var = tmp_path / "var"
    env = {**os.environ, "DISTILLERY_VAR_DIR": str(var), "INGEST_ALLOW_LOOPBACK": "true"}
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=PROJECT_ROOT, env=env, check=True, timeout=120
    )
    database = var / "distillery.sqlite3"
    with sqlite3.connect(database) as connection:
        source_id = connection.execute(
            "INSERT INTO articles_source (name, slug, kind, url, site_url, description, is_active,"
            " poll_interval_minutes, fetch_full_text, etag, last_modified, consecutive_failures, last_error,"
            " created_at, updated_at) VALUES ('Local', 'local', 'feed', ?, '', '', 1, 60, 0, '', '', 0, '',"
            " datetime('now'), datetime('now'))",
            (httpserver.url_for("/feed.xml"),),
        ).lastrowid
    queue_dir = var / "celery"
    for folder in ("queue", "control"):
        (queue_dir / folder).mkdir(parents=True, exist_ok=True)
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "--app", "portal", "worker", "--beat", "--concurrency", "1",
         "--schedule", str(var / "celerybeat-schedule"), "--loglevel", "INFO"],
        cwd=PROJECT_ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        sender = Celery("sender", broker="filesystem://")
        sender.conf.broker_transport_options = {
            "data_folder_in": str(queue_dir / "queue"),
            "data_folder_out": str(queue_dir / "queue"),
            "control_folder": str(queue_dir / "control"),
        }
        sender.send_task("articles.tasks.ingest_source", args=[source_id])
        deadline = time.monotonic() + WAIT_SECONDS
        drafts = 0
        while time.monotonic() < deadline and drafts < 2:
            time.sleep(0.5)
            with sqlite3.connect(database) as connection:
                drafts = connection.execute("SELECT count(*) FROM articles_article WHERE status = 'draft'").fetchone()[
                    0
                ]
        if drafts < 2:
            os.killpg(worker.pid, signal.SIGKILL)
            pytest.fail(f"the embedded worker did not ingest and enrich in time:\n{log.read_text()[-3000:]}")
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
    assert drafts == 2
