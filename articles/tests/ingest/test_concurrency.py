"""Real Celery workers against a real Redis and PostgreSQL: no twins, nothing lost.

Each test gets its own PostgreSQL database (migrated by `manage.py migrate` in a
subprocess) and its own Redis database number, starts worker processes with the
environment the scaled mode uses, and cleans all of it up. Every wait is bounded.
"""

import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from articles.ingest.normalize import item_address
from articles.ingest.parse import parse_feed
from articles.tests.ingest.feeds import item, rss
from conftest import PROJECT_ROOT, private_redis_url

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

FEEDS = [
    "miniflux__golem_ISO-8859-1.xml",
    "rssparser__guardian.rss",
    "miniflux__dustri_large_rss.xml",
    "miniflux__dustri_large_atom.xml",  # the same 25 posts as the RSS file: sources race for them
    "miniflux__heise_rss090_rdf_UTF8.xml",
    "netnewswire__aktuality_sk.rss",
]
WAIT_SECONDS = 120


def wait_for(condition, *, timeout=WAIT_SECONDS, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"gave up after {timeout} s waiting for {message}")


@pytest.fixture
def scaled_environment(postgres_url, redis_url, tmp_path):
    """Environment of a scaled deployment on a fresh PostgreSQL database and Redis database number."""
    import psycopg
    import redis

    name = f"distillery_concurrency_{secrets.token_hex(4)}"
    parts = urlsplit(postgres_url)
    admin_url = postgres_url
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    database_url = urlunsplit(parts._replace(path=f"/{name}"))
    scaled_redis = private_redis_url(redis_url)
    redis.Redis.from_url(scaled_redis).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": scaled_redis,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "INGEST_ALLOW_LOOPBACK": "true",
        "INGEST_LOCK_SECONDS": "6",  # a killed worker's lock must expire within the test
        "DISTILLERY_VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert migrate.returncode == 0, migrate.stderr
    try:
        yield {"env": env, "database_url": database_url, "redis_url": scaled_redis, "logs": tmp_path}
    finally:
        redis.Redis.from_url(scaled_redis).flushdb()
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Workers:
    """Celery worker processes, each in its own process group so a kill takes its children too."""

    def __init__(self, environment):
        self.environment = environment
        self.processes: list[subprocess.Popen] = []

    def start(self, count: int):
        for _ in range(count):
            number = len(self.processes)
            log = open(self.environment["logs"] / f"worker{number}.log", "w")  # noqa: SIM115 (closed with the process)
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "celery", "--app", "portal", "worker", "--concurrency", "1",
                     "--hostname", f"w{number}-{secrets.token_hex(3)}@%h", "--without-mingle", "--without-gossip",
                     "--loglevel", "INFO"],
                    cwd=PROJECT_ROOT,
                    env=self.environment["env"],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )  # fmt: skip

    def kill(self, process: subprocess.Popen):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill(process)

    def log_tail(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-2000:]}"
            for path in sorted(self.environment["logs"].glob("worker*.log"))
        )


@pytest.fixture
def workers(scaled_environment):
    pool = Workers(scaled_environment)
    yield pool
    pool.stop_all()


@pytest.fixture
def threaded_server():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def sql(environment, query, *params):
    import psycopg

    with psycopg.connect(environment["database_url"], autocommit=True) as connection:
        return connection.execute(query, params).fetchall()


def add_sources(environment, urls: list[str], *, full_text=False) -> list[int]:
    ids = []
    for number, url in enumerate(urls):
        rows = sql(
            environment,
            "INSERT INTO articles_source (name, slug, kind, url, site_url, description, is_active,"
            " poll_interval_minutes, fetch_full_text, etag, last_modified, consecutive_failures, last_error,"
            " created_at, updated_at) VALUES (%s, %s, 'feed', %s, '', '', true, 60, %s, '', '', 0, '', now(), now())"
            " RETURNING id",
            f"Source {number}",
            f"source-{number}",
            url,
            full_text,
        )
        ids.append(rows[0][0])
    return ids


def queue(environment, task: str, *args):
    from celery import Celery

    sender = Celery("test-sender", broker=environment["redis_url"])
    sender.conf.task_serializer = "json"
    try:
        sender.send_task(task, args=list(args))
    finally:
        sender.close()


def finished_runs(environment) -> int:
    return sql(environment, "SELECT count(*) FROM articles_ingestionrun WHERE status <> 'running'")[0][0]


def settled(environment) -> bool:
    """Nothing queued, nothing delivered and unacknowledged, no run in progress."""
    import redis

    broker = redis.Redis.from_url(environment["redis_url"])
    if broker.llen("celery") or broker.llen("drafting") or broker.hlen("unacked"):
        return False
    return not sql(environment, "SELECT count(*) FROM articles_ingestionrun WHERE status = 'running'")[0][0]


def progress(environment) -> dict:
    """Where a run stands, for a failure's message: pieces by status, queued and unacknowledged messages,
    ingestion runs still running."""
    import redis

    broker = redis.Redis.from_url(environment["redis_url"])
    return {
        "pieces": dict(sql(environment, "SELECT status, count(*) FROM articles_article GROUP BY status")),
        "queued": {name: broker.llen(name) for name in ("celery", "drafting")},
        "unacked": broker.hlen("unacked"),
        "running runs": sql(environment, "SELECT count(*) FROM articles_ingestionrun WHERE status = 'running'")[0][0],
    }


def duplicates(environment) -> list:
    return sql(
        environment, "SELECT original_url, count(*) FROM articles_article GROUP BY original_url HAVING count(*) > 1"
    )


def test_four_workers_ingesting_the_same_feeds_at_once_make_no_twins(
    corpora, scaled_environment, workers, threaded_server
):
    expected = set()
    urls = []
    for name in FEEDS:
        body = (corpora / "realfeeds" / name).read_bytes()
        for copy in ("a", "b"):  # every feed twice, under two addresses: two sources racing for each item
            path = f"/{copy}/{name}"
            threaded_server.expect_request(path).respond_with_data(body, content_type="application/xml")
            urls.append(threaded_server.url_for(path))
        feed = parse_feed(body, url=urls[-1])
        expected |= {item_address(entry, feed_url=urls[-1]) for entry in feed.entries}
    source_ids = add_sources(scaled_environment, urls)

    workers.start(4)
    for round_number in (1, 2):
        for source_id in source_ids:
            queue(scaled_environment, "articles.tasks.ingest_source", source_id)
            queue(scaled_environment, "articles.tasks.ingest_source", source_id)  # a duplicate message, too
        try:
            wait_for(
                lambda round_number=round_number: (
                    finished_runs(scaled_environment) >= len(source_ids) * round_number and settled(scaled_environment)
                ),
                message=f"round {round_number} of ingestion",
            )
        except AssertionError:
            pytest.fail(workers.log_tail())
        assert duplicates(scaled_environment) == []

    busy_workers = [
        path.name
        for path in scaled_environment["logs"].glob("worker*.log")
        if "articles.tasks.ingest_source" in path.read_text() and "succeeded" in path.read_text()
    ]
    assert len(busy_workers) >= 2, "the work was not shared between workers"
    stored = [row[0] for row in sql(scaled_environment, "SELECT original_url FROM articles_article")]
    assert sorted(stored) == sorted(expected)  # every item present, exactly once
    failed = sql(scaled_environment, "SELECT error FROM articles_ingestionrun WHERE status = 'failed'")
    assert failed == []
    wait_for(
        lambda: sql(scaled_environment, "SELECT count(*) FROM articles_article WHERE status = 'ingested'")[0][0] == 0,
        message="enrichment of every new article",
    )


def test_a_worker_killed_mid_ingestion_loses_nothing(scaled_environment, workers, threaded_server):
    items = 24

    def slow_page(request):
        time.sleep(0.25)  # a slow site: the run takes a few seconds, time enough to kill it halfway
        paragraphs = "".join(f"<p>Paragraph {n} of {request.path}, long enough to count as text.</p>" for n in range(8))
        return Response(f"<html><body><article><h1>{request.path}</h1>{paragraphs}</article></body></html>",
                        content_type="text/html")  # fmt: skip

    threaded_server.expect_request("/feed.xml").respond_with_data(
        rss(*(item(n, link=threaded_server.url_for(f"/pieces/{n}"), guid=f"g{n}") for n in range(items)))
    )
    for n in range(items):
        threaded_server.expect_request(f"/pieces/{n}").respond_with_handler(slow_page)
    (source_id,) = add_sources(scaled_environment, [threaded_server.url_for("/feed.xml")], full_text=True)
    count = "SELECT count(*) FROM articles_article WHERE source_id = %s"

    workers.start(1)
    queue(scaled_environment, "articles.tasks.ingest_source", source_id)
    wait_for(lambda: sql(scaled_environment, count, source_id)[0][0] >= 3, message="the first articles")
    workers.kill(workers.processes[0])
    stored_when_killed = sql(scaled_environment, count, source_id)[0][0]
    assert 3 <= stored_when_killed < items
    assert sql(scaled_environment, "SELECT status FROM articles_ingestionrun") == [("running",)]

    import redis

    lock = redis.Redis.from_url(scaled_environment["redis_url"])
    wait_for(lambda: not lock.keys("*ingest:lock:*"), timeout=30, message="the dead worker's lock to expire")
    workers.start(1)
    queue(scaled_environment, "articles.tasks.ingest_source", source_id)
    wait_for(
        lambda: sql(scaled_environment, "SELECT count(*) FROM articles_ingestionrun WHERE status = 'succeeded'")[0][0],
        message="the next run",
    )

    assert sql(scaled_environment, count, source_id)[0][0] == items
    assert duplicates(scaled_environment) == []
    runs = sql(scaled_environment, "SELECT status, items_new, error FROM articles_ingestionrun ORDER BY started_at")
    assert runs[0][0] == "failed" and "stopped before this run finished" in runs[0][2]
    assert runs[1][:2] == ("succeeded", items - stored_when_killed)
    wait_for(
        lambda: sql(scaled_environment, "SELECT count(*) FROM articles_article WHERE status = 'draft'")[0][0] == items,
        message="enrichment of the articles the killed run had stored",
    )


def lock_holders(environment, prefix: str) -> list[int]:
    """Process ids of the pool processes holding locks named `prefix…` (read from the lock values)."""
    import pickle
    import socket

    import redis

    holders = []
    broker = redis.Redis.from_url(environment["redis_url"])
    for key in broker.keys(f"*{prefix}*"):
        if b":takeover:" in key:
            continue
        value = broker.get(key)
        with contextlib.suppress(Exception):
            host, pid, _token = pickle.loads(value).split("|")
            if host == socket.gethostname():
                holders.append(int(pid))
    return holders


def kill_worker_process(pid: int) -> bool:
    """SIGKILL one Celery pool process (checked to be one, so a reused process id is never hit)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if b"celery" not in cmdline.read():
                return False
        os.kill(pid, signal.SIGKILL)
    except (OSError, ProcessLookupError):
        return False
    return True


def test_workers_killed_twenty_times_during_ingestion_and_drafting_lose_and_double_nothing(
    scaled_environment, workers, threaded_server
):
    sources, items_each, kills_each = 4, 10, 10

    def slow_page(request):
        # A slow site: each run lasts long enough to be killed in the middle, ten times over (at 0.2 s a
        # page, ingestion once finished after 9 kills and the loop waited out its deadline).
        time.sleep(0.3)
        # A long piece, so that drafting it lasts long enough to be killed too (drafting an eight-paragraph
        # page took so little that fewer than ten kills of drafting could land).
        paragraphs = "".join(
            f"<p>Paragraph {n} of {request.path} says something about caching, queues and workers: "
            f"run {n * 7 % 13} retried batch {n * 3 % 11} after lease {n % 5} expired on node {n % 9}.</p>"
            for n in range(160)
        )
        return Response(f"<html><body><article><h1>{request.path}</h1>{paragraphs}</article></body></html>",
                        content_type="text/html")  # fmt: skip

    urls = []
    for s in range(sources):
        links = [threaded_server.url_for(f"/s{s}/pieces/{n}") for n in range(items_each)]
        threaded_server.expect_request(f"/s{s}/feed.xml").respond_with_data(
            rss(*(item(n, link=link, guid=link, title=f"Source {s} piece {n}") for n, link in enumerate(links)))
        )
        for n in range(items_each):
            threaded_server.expect_request(f"/s{s}/pieces/{n}").respond_with_handler(slow_page)
        urls.append(threaded_server.url_for(f"/s{s}/feed.xml"))
    expected = sorted(threaded_server.url_for(f"/s{s}/pieces/{n}") for s in range(sources) for n in range(items_each))
    source_ids = add_sources(scaled_environment, urls, full_text=True)
    # Kills here are the test's, not a poison message's: let every message be redelivered as often as it takes.
    scaled_environment["env"]["INGEST_MAX_DELIVERIES"] = "1000"

    workers.start(3)
    for source_id in source_ids:
        queue(scaled_environment, "articles.tasks.ingest_source", source_id)
    kills = {"ingest:lock:": 0, "enrich:lock:": 0}
    deadline = time.monotonic() + 150  # ends as soon as the kills have landed; the margin is for a loaded machine
    while min(kills.values()) < kills_each and time.monotonic() < deadline:
        # Whichever kind of work has been killed less, while it is running.
        for prefix in sorted(kills, key=kills.get):
            if kills[prefix] < kills_each and any(
                kill_worker_process(pid) for pid in lock_holders(scaled_environment, prefix)[:1]
            ):
                kills[prefix] += 1
                time.sleep(0.6)  # let the pool start a new process and the redelivered message get going
                break
        else:
            time.sleep(0.05)
    assert sum(kills.values()) >= 20 and min(kills.values()) >= 5, f"too few kills landed: {kills}"

    def everything_drafted():
        counts = sql(
            scaled_environment,
            "SELECT count(*) FILTER (WHERE status = 'draft'), count(*) FROM articles_article",
        )[0]
        return counts == (len(expected), len(expected)) and settled(scaled_environment)

    try:
        # Ends as soon as everything is drafted; the margin is for a loaded machine (40 long pages, each
        # drafted again after a kill, on three workers sharing two cores with the rest of the suite).
        wait_for(everything_drafted, timeout=240, message="every piece stored and drafted after the kills")
    except AssertionError:
        pytest.fail(f"kills: {kills}\nwhere it stopped: {progress(scaled_environment)}\n" + workers.log_tail())
    stored = [row[0] for row in sql(scaled_environment, "SELECT original_url FROM articles_article")]
    assert sorted(stored) == expected  # every item, exactly once
    assert sql(scaled_environment, "SELECT count(*) FROM articles_ingestionrun WHERE status = 'running'") == [(0,)]
    drafted_twice = sql(
        scaled_environment,
        "SELECT id, count(*) FROM articles_historicalarticle WHERE history_change_reason = 'Machine draft ready'"
        " GROUP BY id HAVING count(*) <> 1",
    )
    assert drafted_twice == []
    # A turn falls back to keeping its pieces one at a time only when its bulk writes fail, and here nothing should
    # make them fail: not a length written twice in one UPDATE (once), not two turns locking the pieces of one story
    # each from its own side (a deadlock, once; every piece here shares one text).
    logs = "".join(path.read_text() for path in scaled_environment["logs"].glob("worker*.log"))
    fallbacks = re.findall(r"Keeping a turn's drafts together failed.*?(?=\n\[\d{4}-|\Z)", logs, re.S)
    assert fallbacks == []


def run_script(environment, script: str) -> dict:
    """Run `script` in a Python process of the scaled deployment; what it printed last, as JSON."""
    import json

    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=environment["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


DRAFT_A_TURN_THAT_FILLS_THE_LENGTH = """
import json, logging
import django
django.setup()
from articles.enrich import enrich_articles
from articles.models import Article
from articles.tests.enrich.conftest import KNOWN_TEXT
from articles.tests.factories import make_article, make_source

failed = []
class Failures(logging.Handler):
    def emit(self, record):
        failed.append(record.getMessage())
logging.getLogger("articles.enrich").addHandler(Failures(level=logging.ERROR))
# No reading time: the length is the draft's to fill, beside the sections every save writes.
pieces = [
    make_article(complete=False, status="ingested", source=make_source(), title=f"Orders on a stream {n}",
                 content_text=KNOWN_TEXT, reading_minutes=None)
    for n in range(3)
]
done = enrich_articles(articles=pieces, start_draft=True)
stored = Article.objects.filter(pk__in=[piece.pk for piece in pieces]).order_by("pk")
print(json.dumps({
    "failed": failed,
    "errors": [str(outcome.error) for outcome in done if outcome.error],
    "rows": [[piece.status, piece.length, bool(piece.summary)] for piece in stored],
    "filled": [sorted(outcome.run.filled_sections) for outcome in done if outcome.run],
}))
"""


HOLD_A_PIECE_AND_CATCH_UP = """
import json, threading
import django
django.setup()
from django.db import connection, transaction
from articles.enrich import clusters
from articles.models import Article, StoryKey
from articles.tests.factories import make_article, make_source

words = " ".join(f"word{n}" for n in range(80))
being_drafted = make_article(complete=False, status="ingested", source=make_source(), content_text=words)
waiting = make_article(complete=False, status="ingested", source=make_source(), content_text=words)
newcomer = make_article(complete=False, status="ingested", source=make_source(), content_text=words)
held, let_go = threading.Event(), threading.Event()

def drafting_turn():  # another worker's turn, holding the piece it drafts until it commits
    with transaction.atomic():
        Article.objects.select_for_update(no_key=True).get(pk=being_drafted.pk)
        held.set()
        let_go.wait(60)
    connection.close()

turn = threading.Thread(target=drafting_turn)
turn.start()
held.wait(30)
with connection.cursor() as cursor:
    cursor.execute("SET lock_timeout = '5s'")  # waiting for the held piece would fail, not hang
while_held = clusters.catch_up([newcomer])
indexed_while_held = sorted(StoryKey.objects.values_list("article_id", flat=True).distinct())
let_go.set()
turn.join()
after = clusters.catch_up([newcomer])
print(json.dumps({
    "while_held": while_held, "after": after, "indexed_while_held": indexed_while_held,
    "being_drafted": being_drafted.pk, "waiting": waiting.pk,
    "unindexed": Article.objects.filter(story_indexed=False).exclude(pk=newcomer.pk).count(),
}))
"""


TWO_TURNS_OF_ONE_STORY = """
import json, logging, threading
import django
django.setup()
from django.db import connection
from articles.enrich import clusters, enrich_articles
from articles.models import Article
from articles.tests.enrich.conftest import KNOWN_TEXT
from articles.tests.factories import make_article, make_source

failed = []
class Failures(logging.Handler):
    def emit(self, record):
        failed.append(record.getMessage() + (repr(record.exc_info[1]) if record.exc_info else ""))
logging.getLogger("articles.enrich").addHandler(Failures(level=logging.ERROR))
# Two sources each publish the same story twice: each turn's pieces match the other turn's.
turns = [
    [make_article(complete=False, status="ingested", source=source, title=f"Orders on a stream {n}",
                  content_text=KNOWN_TEXT) for n in range(2)]
    for source in (make_source(), make_source())
]
clusters.catch_up([piece for turn in turns for piece in turn])  # every piece's keys known to both turns
# Both turns hold their own pieces before either writes the other's: the order that deadlocked.
both_locked = threading.Barrier(2)
prepare = clusters.TurnClusters.prepare
def prepare_when_both_hold_their_pieces(plan):
    try:
        both_locked.wait(timeout=3)
    except threading.BrokenBarrierError:
        pass  # the other turn waits for this one to end before it locks anything
    return prepare(plan)
clusters.TurnClusters.prepare = prepare_when_both_hold_their_pieces
outcomes = {}
def draft(n):
    try:
        done = enrich_articles(articles=turns[n], start_draft=True)
        outcomes[n] = [str(outcome.error) for outcome in done if outcome.error]
    finally:
        connection.close()
threads = [threading.Thread(target=draft, args=(n,)) for n in (0, 1)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(60)
stored = Article.objects.filter(pk__in=[piece.pk for turn in turns for piece in turn])
print(json.dumps({
    "failed": failed,
    "errors": outcomes,
    "statuses": sorted(stored.values_list("status", flat=True)),
    "stories": len(set(stored.values_list("story_cluster_id", flat=True))),
}))
"""


def test_two_drafting_turns_whose_pieces_match_each_others_stories_do_not_deadlock(scaled_environment):
    # Each turn locks its own pieces and then writes the story of the pieces it matches, which the other turn
    # holds: PostgreSQL broke the deadlock by failing one turn, whose pieces were then kept one at a time.
    outcome = run_script(scaled_environment, TWO_TURNS_OF_ONE_STORY)
    assert outcome["failed"] == [] and outcome["errors"] == {"0": [], "1": []}
    assert outcome["statuses"] == ["draft"] * 4
    assert outcome["stories"] == 1  # one story: each turn saw the other's pieces


def test_a_drafting_turn_that_fills_the_length_is_kept_in_bulk_on_postgresql(scaled_environment):
    # A draft filling the length wrote that column twice in the turn's one UPDATE: SQLite takes it, PostgreSQL
    # refuses it, and every such turn was kept again one piece at a time.
    outcome = run_script(scaled_environment, DRAFT_A_TURN_THAT_FILLS_THE_LENGTH)
    assert outcome["failed"] == [] and outcome["errors"] == []
    assert outcome["rows"] == [["draft", "short", True]] * 3
    assert all("length" in filled for filled in outcome["filled"])


def test_catching_up_on_waiting_pieces_passes_a_piece_another_worker_holds_instead_of_waiting(scaled_environment):
    # Before drafting, a turn indexes the waiting pieces of its window. When it waited for a piece
    # another turn was drafting, turns of different sources deadlocked on each other's pieces.
    outcome = run_script(scaled_environment, HOLD_A_PIECE_AND_CATCH_UP)
    assert outcome["while_held"] == 1 and outcome["indexed_while_held"] == [outcome["waiting"]]
    assert outcome["after"] == 1  # the piece let go is indexed by the next catch-up (or by its own draft)
    assert outcome["unindexed"] == 0
