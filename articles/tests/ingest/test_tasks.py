"""The Celery tasks: what beat queues, retries for temporary failures only, poison messages, enrichment."""

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from articles import tasks
from articles.locks import enrich_lock, lock_cache, run_lease, source_lock
from articles.models import Article, IngestionRun, Source, Status
from articles.tests.factories import make_article, make_source
from articles.tests.ingest.feeds import item, rss

pytestmark = pytest.mark.django_db


def test_beat_queues_each_due_source_once(ingest_settings, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(tasks.ingest_source, "delay", lambda source_id: queued.append(source_id))
    now = timezone.now()
    never = make_source(is_active=True)
    overdue = make_source(is_active=True)
    Source.objects.filter(pk=overdue.pk).update(next_fetch_at=now - timedelta(minutes=1))
    later = make_source(is_active=True)
    Source.objects.filter(pk=later.pk).update(next_fetch_at=now + timedelta(minutes=10))
    make_source(is_active=False)
    make_source(is_active=True, kind=Source.Kind.PAGE)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.ingest_due_sources() == 2
    assert sorted(queued) == sorted([never.pk, overdue.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.ingest_due_sources() == 0  # claimed until their next interval
    assert len(queued) == 2


def test_a_temporary_failure_is_retried_a_bounded_number_of_times(
    ingest_settings, httpserver, feed_source, monkeypatch
):
    monkeypatch.setattr(tasks, "retry_countdown", lambda retries: 0)
    monkeypatch.setattr(tasks.ingest_source, "retry", lambda **kwargs: Retry("scheduled"))
    httpserver.expect_request("/feed.xml").respond_with_data("busy", status=503)
    source = feed_source()
    for attempt in range(ingest_settings.INGEST_TASK_RETRIES):
        with pytest.raises(Retry):
            tasks.ingest_source.apply(args=[source.pk], retries=attempt, throw=True)
    last = tasks.ingest_source.apply(args=[source.pk], retries=ingest_settings.INGEST_TASK_RETRIES)
    assert last.result == IngestionRun.Outcome.FAILED  # recorded, and no further retry
    assert IngestionRun.objects.filter(source=source).count() == 1 + ingest_settings.INGEST_TASK_RETRIES


def test_a_permanent_failure_is_not_retried(ingest_settings, httpserver, feed_source):
    httpserver.expect_request("/feed.xml").respond_with_data("gone", status=404)
    source = feed_source()
    tasks.ingest_source.apply(args=[source.pk])
    assert IngestionRun.objects.filter(source=source).count() == 1


def test_retry_delays_grow_and_are_jittered():
    first, third = tasks.retry_countdown(0), tasks.retry_countdown(2)
    assert 15 <= first <= 30 and 60 <= third <= 120


def test_a_message_delivered_too_many_times_is_dropped_with_a_reason(ingest_settings, httpserver, feed_source):
    httpserver.expect_request("/feed.xml").respond_with_data(rss(item(1)))
    source = feed_source()
    for _ in range(ingest_settings.INGEST_MAX_DELIVERIES):
        tasks.ingest_source.apply(args=[source.pk], task_id="same-message")
    assert IngestionRun.objects.count() == ingest_settings.INGEST_MAX_DELIVERIES
    assert tasks.ingest_source.apply(args=[source.pk], task_id="same-message").result is None
    assert IngestionRun.objects.count() == ingest_settings.INGEST_MAX_DELIVERIES
    source.refresh_from_db()
    assert "attempts that never finished" in source.last_error


def test_the_task_skips_a_source_already_being_ingested(feed_source):
    source = feed_source()
    with source_lock(f"source:{source.pk}"):
        assert tasks.ingest_source.apply(args=[source.pk]).result is None
    assert not IngestionRun.objects.exists()


def test_the_task_skips_a_deleted_source(db):
    assert tasks.ingest_source.apply(args=[999_999]).result is None


def test_enrich_article_turns_an_ingested_article_into_a_draft_once(db):
    article = make_article(status=Status.INGESTED, complete=False)
    tasks.enrich_article.apply(args=[article.pk])
    article.refresh_from_db()
    assert article.status == Status.DRAFT
    drafted_at = article.status_changed_at
    tasks.enrich_article.apply(args=[article.pk])  # a second delivery moves nothing
    article.refresh_from_db()
    assert article.status == Status.DRAFT
    assert article.status_changed_at == drafted_at


def test_enrich_article_leaves_other_statuses_alone(db):
    published = make_article(status=Status.PUBLISHED)
    tasks.enrich_article.apply(args=[published.pk])
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED
    assert tasks.enrich_article.apply(args=[123_456_789]).result is None


def test_beat_schedule_runs_due_sources_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["ingest-due-sources"]
    assert (entry["task"], entry["schedule"]) == ("articles.tasks.ingest_due_sources", 60.0)


def test_retries_of_one_failed_poll_count_as_one_failure_for_the_backoff(
    ingest_settings, httpserver, feed_source, monkeypatch
):
    """A short outage retried a few times must not push an hourly source 16 hours out."""
    monkeypatch.setattr(tasks, "retry_countdown", lambda retries: 0)
    monkeypatch.setattr(tasks.ingest_source, "retry", lambda **kwargs: Retry("scheduled"))
    httpserver.expect_request("/feed.xml").respond_with_data("busy", status=503)
    source = feed_source(poll_interval_minutes=60)
    for attempt in range(ingest_settings.INGEST_TASK_RETRIES):
        with pytest.raises(Retry):
            tasks.ingest_source.apply(args=[source.pk], retries=attempt, throw=True)
    tasks.ingest_source.apply(args=[source.pk], retries=ingest_settings.INGEST_TASK_RETRIES)
    source.refresh_from_db()
    assert source.consecutive_failures == 1
    assert source.next_fetch_at == source.last_fetched_at + timedelta(hours=2)
    assert "HTTP 503" in source.last_error


def test_a_retry_waits_at_least_as_long_as_the_server_asked(ingest_settings, httpserver, feed_source, monkeypatch):
    asked = []

    def retry(**kwargs):
        asked.append(kwargs.get("countdown"))
        return Retry("scheduled")

    monkeypatch.setattr(tasks.ingest_source, "retry", retry)
    httpserver.expect_request("/feed.xml").respond_with_data("busy", status=503, headers={"Retry-After": "600"})
    source = feed_source()
    with pytest.raises(Retry):
        tasks.ingest_source.apply(args=[source.pk], throw=True)
    assert len(asked) == 1 and asked[0] >= 600


def test_a_queued_poll_of_a_source_paused_meanwhile_does_not_fetch_it(ingest_settings, httpserver, feed_source):
    httpserver.expect_request("/feed.xml").respond_with_data(rss(item(1)))
    source = feed_source()
    Source.objects.filter(pk=source.pk).update(is_active=False)  # paused after beat queued it
    assert tasks.ingest_source.apply(args=[source.pk]).result is None
    assert not IngestionRun.objects.exists() and httpserver.log == []
    # "Ingest now" on a paused source is a curator's explicit wish and still runs.
    assert tasks.ingest_source.apply(args=[source.pk], kwargs={"force": True}).result == IngestionRun.Outcome.SUCCEEDED


def test_runs_whose_worker_died_are_closed_and_their_sources_queued_again_at_once(
    ingest_settings, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.ingest_source, "delay", lambda source_id: queued.append(source_id))
    long_ago = timezone.now() - timedelta(seconds=ingest_settings.INGEST_LOCK_SECONDS + 5)
    feed, paused, pages = make_source(is_active=True), make_source(is_active=False), make_source(kind=Source.Kind.PAGE)
    dead = [
        IngestionRun.objects.create(source=source, status=IngestionRun.Outcome.RUNNING)
        for source in (feed, paused, pages)
    ]
    IngestionRun.objects.filter(pk__in=[run.pk for run in dead]).update(started_at=long_ago)
    alive = IngestionRun.objects.create(source=make_source(is_active=True), status=IngestionRun.Outcome.RUNNING)
    IngestionRun.objects.filter(pk=alive.pk).update(started_at=long_ago)
    just_started = IngestionRun.objects.create(source=make_source(is_active=True), status=IngestionRun.Outcome.RUNNING)

    with run_lease(alive.pk), django_capture_on_commit_callbacks(execute=True):
        assert tasks.close_interrupted_runs() == 1

    assert queued == [feed.pk]  # not the paused source, nor a source of single pages
    for run in dead:
        run.refresh_from_db()
        assert run.status == IngestionRun.Outcome.FAILED and "stopped before this run finished" in run.error
    assert IngestionRun.objects.filter(pk__in=[alive.pk, just_started.pk], status="running").count() == 2


def test_beat_looks_for_interrupted_runs_every_lease(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["close-interrupted-runs"]
    assert entry["task"] == "articles.tasks.close_interrupted_runs"
    assert entry["schedule"] <= max(settings.INGEST_LOCK_SECONDS, 5)


def test_the_broker_hands_back_a_dead_workers_message_only_after_any_task_could_have_finished(settings):
    longest_hold = settings.TASK_MAX_RETRY_WAIT + settings.CELERY_TASK_TIME_LIMIT
    assert longest_hold < settings.CELERY_BROKER_VISIBILITY_TIMEOUT <= longest_hold + 120
    assert tasks.retry_countdown(30) <= settings.TASK_MAX_RETRY_WAIT


def test_drafting_has_its_own_queue_and_a_worker_consumes_both_unless_told_otherwise():
    from portal.celery import app

    assert app.amqp.router.route({}, "articles.tasks.enrich_article")["queue"].name == "drafting"
    assert app.amqp.router.route({}, "articles.tasks.refresh_related")["queue"].name == "drafting"
    assert app.amqp.router.route({}, "articles.tasks.ingest_source")["queue"].name == "celery"
    assert {"celery", "drafting"} <= set(app.amqp.queues)  # what `celery worker` (and `serve`) consumes


def test_a_flood_from_one_source_takes_turns_with_the_other_sources_drafts(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.ENRICH_ON_INGEST, settings.DRAFTING_TURN_PIECES = True, 5
    queue = []  # the drafting queue, first in first out
    monkeypatch.setattr(tasks.draft_next, "delay", lambda *args: queue.append(args))
    flood, quiet = make_source(), make_source()
    flooded = [make_article(source=flood, status=Status.INGESTED, complete=False) for _ in range(12)]
    late = make_article(source=quiet, status=Status.INGESTED, complete=False)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.queue_enrichment([piece.pk for piece in flooded])
    with django_capture_on_commit_callbacks(execute=True):
        tasks.queue_enrichment([late.pk])
    turns = []
    while queue:
        with django_capture_on_commit_callbacks(execute=True):  # each turn queues the next once committed
            turns.append(tasks.draft_next(*queue.pop(0)))

    # The flood's first turn drafts a few of its pieces, then the quiet source's piece: second, not thirteenth.
    assert turns[0] == [piece.pk for piece in flooded[: tasks.drafting_turn()]]
    assert turns[1] == [late.pk]
    assert [pk for turn in turns for pk in turn if pk != late.pk] == [piece.pk for piece in flooded]
    assert set(Article.objects.values_list("status", flat=True)) == {Status.DRAFT}
    assert turns[-1] == []  # each source's turns end once nothing waits


def test_a_drafting_turn_passes_a_piece_another_worker_is_drafting(db):
    source = make_source()
    busy, free = (make_article(source=source, status=Status.INGESTED, complete=False) for _ in range(2))
    with enrich_lock(busy.pk):
        assert tasks.draft_next.apply(args=[source.pk]).result == [free.pk]
    busy.refresh_from_db()
    assert busy.status == Status.INGESTED  # left to the worker drafting it


def keeping_fails_for(monkeypatch, article, error: Exception) -> list:
    """Make keeping `article`'s draft raise `error` (every other piece is kept as usual); returns the
    list the turns queued next are recorded in."""
    from articles.enrich import turn

    play = turn._play

    def play_or_fail(piece, *args, **options):  # in a turn kept together, and alone as a turn of one
        if piece.article.pk == article.pk:
            raise error
        return play(piece, *args, **options)

    monkeypatch.setattr(turn, "_play", play_or_fail)
    next_turns = []
    monkeypatch.setattr(tasks.draft_next, "delay", lambda *args: next_turns.append(args))
    return next_turns


def test_a_piece_a_turn_cannot_draft_is_passed_and_the_rest_of_the_turn_kept(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    source = make_source()
    first, broken, last = (make_article(source=source, status=Status.INGESTED, complete=False) for _ in range(3))
    next_turns = keeping_fails_for(monkeypatch, broken, ValueError("a draft the database refuses"))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.draft_next(source.pk) == [first.pk, last.pk]

    statuses = dict(Article.objects.values_list("pk", "status"))
    assert statuses == {first.pk: Status.DRAFT, broken.pk: Status.INGESTED, last.pk: Status.DRAFT}
    assert next_turns == [(source.pk, last.pk)]  # the next turn goes on after the piece it passed


def test_a_turn_that_loses_the_database_is_retried_and_queues_no_second_next_turn(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import OperationalError

    source = make_source()
    first, cut = (make_article(source=source, status=Status.INGESTED, complete=False) for _ in range(2))
    next_turns = keeping_fails_for(monkeypatch, cut, OperationalError("server closed the connection unexpectedly"))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OperationalError):
        tasks.draft_next(source.pk)

    statuses = dict(Article.objects.values_list("pk", "status"))
    assert statuses == {first.pk: Status.DRAFT, cut.pk: Status.INGESTED}  # the retry drafts the one left
    assert next_turns == []  # the retried turn queues the next one, once


def _waiting_since(minutes: int, *, status=Status.INGESTED) -> Article:
    piece = make_article(source=make_source(), status=status, complete=False)
    Article.objects.filter(pk=piece.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    return piece


def test_a_source_whose_drafting_turns_stopped_gets_a_turn_again_and_no_other_does(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.ENRICH_ON_INGEST, settings.DRAFTING_STALL_MINUTES = True, 15
    lock_cache().clear()
    queued = []
    monkeypatch.setattr(tasks.draft_next, "delay", lambda *args: queued.append(args))
    stopped = _waiting_since(20)  # its turn ran out of retries 20 minutes ago
    going_on = _waiting_since(20)  # a long backlog: its next turn is in the queue
    tasks.queue_drafting_turn(going_on.source_id, 12345)
    just_in = _waiting_since(1)  # its first turn is in the queue
    _waiting_since(20, status=Status.DRAFT)  # drafted: nothing waits
    queued.clear()

    assert tasks.resume_drafting() == [stopped.source_id]
    assert queued == [(stopped.source_id, 0)]  # from its first waiting piece
    assert tasks.resume_drafting() == []  # the turn given is noted: no second chain five minutes later

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.draft_next(*queued.pop(0)) == [stopped.pk]
    assert Article.objects.get(pk=stopped.pk).status == Status.DRAFT
    assert Article.objects.get(pk=just_in.pk).status == Status.INGESTED  # left to its own turn


def test_a_turn_the_broker_refused_is_not_noted_so_beat_gives_the_source_another(monkeypatch, settings):
    from kombu.exceptions import OperationalError as BrokerError

    settings.ENRICH_ON_INGEST, settings.DRAFTING_STALL_MINUTES = True, 15
    lock_cache().clear()
    piece = _waiting_since(20)

    def broker_away(*args):
        raise BrokerError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.draft_next, "delay", broker_away)
    with pytest.raises(BrokerError):
        tasks.queue_drafting_turn(piece.source_id, piece.pk - 1)

    queued = []
    monkeypatch.setattr(tasks.draft_next, "delay", lambda *args: queued.append(args))
    assert tasks.resume_drafting() == [piece.source_id]
    assert queued == [(piece.source_id, 0)]


def test_pieces_left_for_curators_are_not_drafted_by_beat(monkeypatch, settings):
    settings.ENRICH_ON_INGEST = False
    lock_cache().clear()
    _waiting_since(60)
    monkeypatch.setattr(tasks.draft_next, "delay", lambda *args: pytest.fail("a turn was queued"))
    assert tasks.resume_drafting() == []


def test_beat_looks_for_stopped_drafting_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["resume-drafting"]
    assert entry["task"] == "articles.tasks.resume_drafting"
    assert entry["schedule"] == 300.0
