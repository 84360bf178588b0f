"""Task locks, per-host request slots and delivery counting: what keeps two workers apart and a
killed one from blocking the rest.

The contract:

- A lock is a *lease*: a key in the "locks" cache (apart from the page cache, so readers never
  evict it) naming its holder (host, process id, token). While the holder lives, one keeper
  thread per process renews every lease it holds each third of INGEST_LOCK_SECONDS; a holder
  that dies (SIGKILL, out of memory, the hard time limit) stops renewing, and its lease lapses
  within INGEST_LOCK_SECONDS on any machine.
- On the holder's own machine a lease is taken over at once when its process is gone, so a
  message redelivered after a worker was killed does the work instead of finding the source
  "busy". Only one contender wins a takeover.
- `source_lock` keeps two runs of one source (or one page address) apart and raises `Busy`
  when a live run holds it; `host_slot` allows at most INGEST_PER_HOST_CONCURRENCY requests to
  one host across all workers, `model_slot` at most ENRICH_LLM_CONCURRENCY requests to the
  generative backend; a dead holder's slot is freed the same way as a lease.
- `run_alive(run_id)` says whether the process running an ingestion run still renews its
  lease: a run marked "running" without one was interrupted (the beat task closes it).
- `too_many_deliveries(message_id)` counts deliveries of one message, to stop a poison message
  that kills every worker that takes it.

Everything here is safe to call from any process; nothing here queues work or touches a model.
If the cache itself is flushed, locks are lost: the database's unique constraints still keep
twins out, and at worst a run is done twice.
"""

import hashlib
import logging
import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)


class Busy(Exception):
    """A live holder has the lock."""


def lock_cache():
    """The cache that holds locks and counters (settings' "locks", kept apart from the page cache)."""
    return caches["locks"] if "locks" in settings.CACHES else caches["default"]


def lease_seconds() -> int:
    return max(1, int(settings.INGEST_LOCK_SECONDS))


# --- Holders ------------------------------------------------------------------------------

HOST = socket.gethostname()


def _holder_value() -> str:
    return f"{HOST}|{os.getpid()}|{uuid.uuid4().hex}"


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, owned by another user
    try:  # killed but not yet reaped by its parent: a zombie holds nothing
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return False


def holder_is_dead(value) -> bool:
    """True when `value` names a process on this machine that no longer runs (other machines: unknown, False)."""
    if not isinstance(value, str) or value.count("|") != 2:
        return False
    host, pid, _token = value.split("|")
    return host == HOST and pid.isdigit() and int(pid) != os.getpid() and _process_gone(int(pid))


# --- The keeper: one thread per process renews every lease the process holds --------------


class _Keeper:
    def __init__(self):
        self.mutex = threading.Lock()
        self.held: dict[str, str] = {}  # key -> holder value
        self.pid = None
        self.thread = None
        self.wake = threading.Event()
        self.sleeping_on = 0  # the lease (seconds) whose third the keeper is sleeping for

    def hold(self, key: str, value: str) -> None:
        with self.mutex:
            if self.pid != os.getpid():  # a forked child inherits neither the thread nor the leases
                self.held, self.pid, self.thread = {}, os.getpid(), None
            self.held[key] = value
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)
                self.thread.start()
            elif lease_seconds() < self.sleeping_on:
                # The keeper would wake after this lease ran out: wake it now to sleep shorter. Otherwise
                # it wakes within a third of this lease anyway, and renewing a key just set (two round
                # trips per key held, on each acquire) would only compete with the holder's own work.
                self.wake.set()

    def drop(self, key: str) -> None:
        with self.mutex:
            self.held.pop(key, None)

    def holds(self, key: str) -> bool:
        with self.mutex:
            return self.pid == os.getpid() and key in self.held

    def _run(self):
        while True:
            with self.mutex:
                self.sleeping_on = lease_seconds()
            self.wake.wait(self.sleeping_on / 3)
            self.wake.clear()
            with self.mutex:
                held = dict(self.held)
            for key, value in held.items():
                try:
                    self._renew(key, value)
                except Exception:  # a cache hiccup: the next beat tries again, well within the lease
                    logger.exception("Could not renew the lease %s", key)
            self._close_connections()

    @staticmethod
    def _renew(key: str, value: str) -> None:
        cache = lock_cache()
        current = cache.get(key)
        if current == value:
            cache.touch(key, lease_seconds())
        elif current is None and keeper.holds(key):
            # Expired under a long pause (a stopped process, a slow cache): take it back unless someone else did.
            cache.add(key, value, timeout=lease_seconds())

    @staticmethod
    def _close_connections():
        # The database cache renews through this thread's own connection: do not keep it open between beats.
        from django.db import connections

        connections.close_all()


keeper = _Keeper()


class Lease:
    """One key held by this process while it lives; `acquire()` → bool, `release()`."""

    def __init__(self, key: str):
        self.key = key
        self.value = _holder_value()

    def acquire(self) -> bool:
        cache = lock_cache()
        if not cache.add(self.key, self.value, timeout=lease_seconds()) and not self._take_over(cache):
            return False
        keeper.hold(self.key, self.value)
        return True

    def _take_over(self, cache) -> bool:
        current = cache.get(self.key)
        if current is None:  # released or lapsed a moment ago
            return cache.add(self.key, self.value, timeout=lease_seconds())
        if not holder_is_dead(current):
            return False
        # Several contenders may find the same dead holder; one marker per dead holder picks one.
        marker = f"{self.key}:takeover:{hashlib.sha256(current.encode()).hexdigest()[:16]}"
        if not cache.add(marker, self.value, timeout=lease_seconds()):
            return False
        logger.warning("Took over %s from %s, a process that no longer runs.", self.key, current.rsplit("|", 1)[0])
        cache.set(self.key, self.value, timeout=lease_seconds())
        return True

    def release(self) -> None:
        keeper.drop(self.key)
        cache = lock_cache()
        delete_if_held = getattr(cache, "delete_if_held", None)
        if delete_if_held is not None:  # Redis: the check and the delete in one atomic step
            delete_if_held(self.key, self.value)
        elif cache.get(self.key) == self.value:
            cache.delete(self.key)

    def __enter__(self):
        if not self.acquire():
            raise Busy(self.key)
        return self

    def __exit__(self, *exc):
        self.release()
        return False


def _digest(text: str) -> str:
    # Hashed: a page address can be longer than a cache key may be (250 characters).
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def source_lock(key: str) -> Lease:
    """`with source_lock("source:<id>")` or `("page:<url>")`: raises Busy while a live run holds it."""
    return Lease(f"ingest:lock:{_digest(key)}")


def enrich_lock(article_id: int) -> Lease:
    """One drafting of a brief at a time."""
    return Lease(f"enrich:lock:{article_id}")


# --- Drafting turns ------------------------------------------------------------------------
# A source's drafting turns form a chain, each turn queuing the next. Each turn queued is
# noted for DRAFTING_STALL_MINUTES, so beat can tell a source whose chain stopped from one whose
# next turn is only waiting in the queue.


def _turn_key(source_id: int) -> str:
    return f"drafting:turn:{source_id}"


def note_drafting_turn(source_id: int) -> None:
    """A drafting turn of `source_id` was just queued."""
    lock_cache().set(_turn_key(source_id), 1, timeout=settings.DRAFTING_STALL_MINUTES * 60)


def sources_with_recent_turns(source_ids) -> set[int]:
    """Those of `source_ids` whose drafting turn was queued within DRAFTING_STALL_MINUTES."""
    source_ids = list(source_ids)
    found = lock_cache().get_many([_turn_key(source_id) for source_id in source_ids])
    return {source_id for source_id in source_ids if _turn_key(source_id) in found}


# --- Ingestion runs -------------------------------------------------------------------------


def run_lease(run_id: int) -> Lease:
    """Held for as long as the process running ingestion run `run_id` lives."""
    return Lease(f"ingest:run:{run_id}")


def run_alive(run_id: int) -> bool:
    return lock_cache().get(f"ingest:run:{run_id}") is not None


# --- Slots: at most N holders at once across all workers ----------------------------------


class SlotsBusy(Exception):
    """Every slot of a kind stayed taken for as long as the caller would wait."""


class HostBusy(SlotsBusy):
    """Every slot of a host stayed taken for INGEST_HOST_SLOT_WAIT seconds."""


class ModelBusy(SlotsBusy):
    """Every language-model request slot stayed taken for as long as the drafting would wait."""


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


@contextmanager
def _one_of(prefix: str, *, slots: int, wait: float, busy):
    """Hold one of `slots` leases "<prefix>:<n>" while the block runs; `busy(waited)` is raised after `wait` seconds.

    Slots are leases, so a holder that dies frees its slot as any lease lapses (at once on
    its own machine). The wait counts the pauses between attempts, so a test can stub them.
    """
    waited, delay = 0.0, 0.05
    while True:
        for number in range(slots):
            lease = Lease(f"{prefix}:{number}")
            if lease.acquire():
                try:
                    yield
                finally:
                    lease.release()
                return
        if waited >= wait:
            raise busy(waited)
        _sleep(delay)
        waited += delay
        delay = min(delay * 2, 1.0)


def host_slot(host: str):
    """Hold one of INGEST_PER_HOST_CONCURRENCY slots for `host`; raises HostBusy after INGEST_HOST_SLOT_WAIT."""
    slots = settings.INGEST_PER_HOST_CONCURRENCY
    return _one_of(
        f"ingest:host:{_digest(host.lower())}",
        slots=slots,
        wait=settings.INGEST_HOST_SLOT_WAIT,
        busy=lambda _waited: HostBusy(f"{host} is busy with {slots} other requests from us; try again later."),
    )


def model_slot(*, wait: float):
    """Hold one of ENRICH_LLM_CONCURRENCY language-model request slots; raises ModelBusy after `wait` seconds."""
    slots = settings.ENRICH_LLM_CONCURRENCY
    return _one_of(
        "enrich:llm-slot",
        slots=slots,
        wait=wait,
        busy=lambda waited: ModelBusy(f"all {slots} language-model slots stayed busy for {waited:.0f} seconds"),
    )


# --- Poison messages ------------------------------------------------------------------------


def too_many_deliveries(message_id: str) -> bool:
    """True once this very message has been delivered more than INGEST_MAX_DELIVERIES times.

    A task that kills its worker (out of memory, hard time limit) is redelivered because
    of acks_late; counting deliveries per message stops such a poison message.
    """
    key = f"ingest:deliveries:{message_id}"
    counters = lock_cache()
    counters.add(key, 0, timeout=24 * 3600)
    try:
        deliveries = counters.incr(key)
    except ValueError:  # expired between add and incr
        deliveries = 1
    return deliveries > settings.INGEST_MAX_DELIVERIES
