"""Task locks are leases: a live holder keeps them, a dead one loses them (at once on its own machine)."""

import os
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit

import pytest

from articles import locks
from articles.ingest.fetch import FetchError, fetch
from articles.ingest.pipeline import ingest_source
from articles.models import IngestionRun
from articles.tests.ingest.feeds import item, rss

pytestmark = pytest.mark.django_db
Outcome = IngestionRun.Outcome


@pytest.fixture(autouse=True)
def _no_locks_left_behind():
    yield
    locks.lock_cache().clear()


@pytest.fixture
def dead_holder():
    """The holder value of a process on this machine that has exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{locks.HOST}|{process.pid}|left-behind"


def hold_as(key: str, holder: str, seconds: int = 300):
    locks.lock_cache().set(key, holder, timeout=seconds)


def first_slot_of(url: str) -> str:
    return f"ingest:host:{locks._digest(urlsplit(url).hostname)}:0"


@pytest.fixture
def feed(httpserver, feed_source):
    httpserver.expect_request("/feed.xml").respond_with_data(rss(item(1)), content_type="application/rss+xml")
    return feed_source()


def test_a_source_lock_left_by_a_killed_worker_is_taken_over_at_once(feed, dead_holder):
    hold_as(locks.source_lock(f"source:{feed.pk}").key, dead_holder)

    assert ingest_source(source_id=feed.pk).status == Outcome.SUCCEEDED


def test_a_lock_held_on_another_machine_lapses_once_its_holder_stops_renewing(feed, ingest_settings):
    ingest_settings.INGEST_LOCK_SECONDS = 1
    hold_as(locks.source_lock(f"source:{feed.pk}").key, "another-machine|4242|token", seconds=1)

    with pytest.raises(locks.Busy):
        ingest_source(source_id=feed.pk)  # its holder may still be alive: we cannot ask it
    time.sleep(1.2)
    assert ingest_source(source_id=feed.pk).status == Outcome.SUCCEEDED


def test_a_live_holder_keeps_its_lock_well_past_the_lease(settings):
    settings.INGEST_LOCK_SECONDS = 1
    with locks.source_lock("source:busy"):
        time.sleep(2.5)  # more than two leases: the keeper renewed it
        with pytest.raises(locks.Busy), locks.source_lock("source:busy"):
            pass
    with locks.source_lock("source:busy"):  # released by its holder: free at once
        pass


def test_only_one_contender_takes_over_a_dead_holders_lock(dead_holder):
    key = locks.source_lock("source:contested").key
    hold_as(key, dead_holder)
    first, second = locks.source_lock("source:contested"), locks.source_lock("source:contested")
    try:
        assert first.acquire()
        assert not second.acquire()
    finally:
        first.release()


def test_a_host_slot_held_by_a_killed_worker_is_free_for_the_next_fetch(httpserver, ingest_settings, dead_holder):
    ingest_settings.INGEST_PER_HOST_CONCURRENCY = 1
    ingest_settings.INGEST_HOST_SLOT_WAIT = 0  # no waiting: the slot must be free at once
    httpserver.expect_request("/page").respond_with_data("hello")
    hold_as(first_slot_of(httpserver.url_for("/page")), dead_holder)

    assert fetch(httpserver.url_for("/page")).content == b"hello"


def test_a_host_slot_held_by_a_live_request_elsewhere_makes_the_fetch_a_temporary_failure(httpserver, ingest_settings):
    ingest_settings.INGEST_PER_HOST_CONCURRENCY = 1
    ingest_settings.INGEST_HOST_SLOT_WAIT = 0
    hold_as(first_slot_of(httpserver.url_for("/page")), "another-machine|4242|token")

    with pytest.raises(FetchError, match="busy") as failure:
        fetch(httpserver.url_for("/page"))
    assert failure.value.transient


def test_a_running_ingestion_is_known_alive_only_while_its_process_renews_it(settings):
    settings.INGEST_LOCK_SECONDS = 1
    with locks.run_lease(987):
        time.sleep(1.5)
        assert locks.run_alive(987)
    assert not locks.run_alive(987)


def test_a_holder_releasing_its_redis_lease_never_deletes_the_lease_of_one_who_took_it_over(settings, redis_url):
    settings.CACHES = {
        **settings.CACHES,
        "locks": {"BACKEND": "portal.redis_cache.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": uuid.uuid4().hex},
    }
    lease = locks.source_lock("source:released")
    assert lease.acquire()
    lease.release()
    assert locks.lock_cache().get(lease.key) is None  # released by its holder: free at once

    late = locks.source_lock("source:released")
    assert late.acquire()
    hold_as(late.key, "another-machine|4242|token")  # its lease lapsed and another process took it
    late.release()
    assert locks.lock_cache().get(late.key) == "another-machine|4242|token"
    locks.lock_cache().delete(late.key)


def test_the_keeper_is_woken_only_by_a_lease_that_would_lapse_before_it_wakes(settings):
    keeper = locks._Keeper()  # not the process's: its thread is this one, asleep on a 300-second lease
    keeper.pid, keeper.thread, keeper.sleeping_on = os.getpid(), threading.current_thread(), 300
    settings.INGEST_LOCK_SECONDS = 300
    keeper.hold("ingest:lock:as-long", "holder")
    assert not keeper.wake.is_set()  # renewed at its next beat, well within the lease
    settings.INGEST_LOCK_SECONDS = 1
    keeper.hold("ingest:lock:shorter", "holder")
    assert keeper.wake.is_set()  # it would have lapsed while the keeper slept
