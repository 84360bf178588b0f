"""The scaled mode: two real Celery workers on Redis and PostgreSQL, given the same digest several
times at once, send it once through a real SMTP server."""

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller

from articles.tests.subscriptions.conftest import SmtpHandler, _free_port
from conftest import PROJECT_ROOT, private_redis_url

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SET_UP = """
from datetime import timedelta
from django.utils import timezone
from articles.models import DigestSubscription, Status
from articles.tests.factories import make_article, make_role
role = make_role("CTO")
make_article(title="Said once", status=Status.PUBLISHED, published_at=timezone.now() - timedelta(hours=1), roles=[role])
subscription = DigestSubscription.objects.create(
    email="reader@example.net", frequency="daily", confirmed_at=timezone.now() - timedelta(days=3)
)
subscription.roles.set([role])
print(subscription.pk)
"""


@pytest.fixture
def smtp():
    handler = SmtpHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def scaled(postgres_url, redis_url, tmp_path, smtp):
    """A fresh PostgreSQL database and Redis database number, migrated, with mail going to `smtp`."""
    import psycopg
    import redis

    name = f"distillery_digests_{secrets.token_hex(4)}"
    # Databases are made and dropped from the server's maintenance database, which always exists.
    admin_url = urlunsplit(urlsplit(postgres_url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    broker_url = private_redis_url(redis_url)
    redis.Redis.from_url(broker_url).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(urlsplit(postgres_url)._replace(path=f"/{name}")),
        "REDIS_URL": broker_url,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "SITE_URL": "https://briefs.example.org",
        "DISTILLERY_VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    processes: list[subprocess.Popen] = []

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180
        )

    def start_worker(number: int):
        log = open(tmp_path / f"worker{number}.log", "w")  # noqa: SIM115 (closed with the process)
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "--app", "portal", "worker", "--concurrency", "1",
                 "--hostname", f"digest{number}-{secrets.token_hex(3)}@%h", "--without-mingle", "--without-gossip"],
                cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        )  # fmt: skip

    migrated = manage("migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    try:
        yield {"manage": manage, "start_worker": start_worker, "broker": broker_url, "logs": tmp_path}
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        redis.Redis.from_url(broker_url).flushdb()
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_workers_given_the_same_digest_four_times_send_it_once(scaled, smtp):
    import redis
    from celery import Celery

    made = scaled["manage"]("shell", "--no-imports", "-c", SET_UP)
    assert made.returncode == 0, made.stderr
    subscription_id = int(made.stdout.split()[-1])
    sender = Celery("test-sender", broker=scaled["broker"])
    for _ in range(4):  # a beat tick, its redelivery, and two retries arriving together
        sender.send_task("articles.tasks.send_digest", args=[subscription_id, "2026-12-02"])
    sender.close()

    scaled["start_worker"](0)
    scaled["start_worker"](1)
    broker = redis.Redis.from_url(scaled["broker"])
    deadline = time.monotonic() + 120
    while not smtp.received or broker.llen("celery") or broker.hlen("unacked"):
        assert time.monotonic() < deadline, "\n".join(p.read_text()[-2000:] for p in scaled["logs"].glob("*.log"))
        time.sleep(0.25)

    [mail] = smtp.received
    assert mail.rcpt_tos == ["reader@example.net"]
    assert "Said once" in mail.message.get_body(preferencelist=("plain",)).get_content()
    sent = scaled["manage"]("shell", "--no-imports", "-c", (
        "from articles.models import DigestDelivery as D; print(list(D.objects.values_list('period', 'state')))"
    ))  # fmt: skip
    assert sent.stdout.strip() == "[('2026-12-02', 'sent')]"
