"""The bulk inserts drafting uses (models/base.py) write what `bulk_create` writes: the same values, the same ids.

Run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (psycopg wraps integers, SQLite takes them as they are).
"""

import datetime
import warnings
import zoneinfo

import pytest
from django.db import connections
from django.utils import timezone
from django.utils.functional import lazystr

from articles.models import Article, EnrichmentRun, Suggestion, Topic
from articles.models.base import _prepared_rows, insert_returning_ids, update_values

_IN_PARIS = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
DATABASES = [
    pytest.param("default", marks=pytest.mark.django_db),
    pytest.param("postgres", marks=pytest.mark.django_db(databases=["default", "postgres"])),
]


@pytest.mark.parametrize("alias", DATABASES)
def test_values_are_prepared_as_bulk_create_prepares_them(alias):
    connection = connections[alias]
    article = Article(pk=7, title="Harbour", slug="harbour", source_id=3, summary="Filled.", insights=["One", "Two"])
    run = EnrichmentRun(pk=11, article=article, backend=EnrichmentRun.Backend.EXTRACTIVE)
    topic = Topic(pk=5, name="Ports", slug="ports")
    suggestions = [
        Suggestion(article=article, run=run, section="summary", position=0, text="A plain sentence.", confidence=0.5),
        # Values a field changes on the way (a lazy string, a whole number in a float column, True in an integer
        # column, an id given as text) go through the field as before.
        Suggestion(article=article, run=run, section=lazystr("takeaway"), position=True, text="x", confidence=1),
        Suggestion(article_id="7", run=run, section="topic", topic=topic, text="", paragraph=2, char_start=None),
        Suggestion(article=article, run=run, section="insight", decided_at=timezone.now(), state="applied"),
        # Ids given as ids (nothing held to check), a related object held as None, dates in another zone and the
        # same date twice (adapted once).
        Suggestion(article_id=7, run_id=11, section="level", topic=None, decided_at=_IN_PARIS, text="advanced"),
        Suggestion(article_id=7, run_id=11, section="length", decided_at=_IN_PARIS, text="short"),
    ]
    expected = _as_bulk_create_sends([Suggestion(**_fields(s)) for s in suggestions], connection)
    assert _typed(_prepared_rows(suggestions, _insertable(Suggestion), connection)) == expected

    history = Article.history.model
    article.status_changed_at, article.original_published_at = _IN_PARIS, None
    copied = {field.attname: getattr(article, field.attname) for field in history.tracked_fields}
    records = [
        history(history_date=timezone.now(), history_type="~", history_change_reason="Draft", **copied),
        history(history_date=_IN_PARIS, history_type="~", history_user=None, **copied),
    ]
    expected = _as_bulk_create_sends([history(**_fields(r)) for r in records], connection)
    assert _typed(_prepared_rows(records, _insertable(history), connection)) == expected


@pytest.mark.parametrize("alias", DATABASES)
def test_a_naive_date_still_goes_through_the_field_with_its_warning(alias):
    connection = connections[alias]
    naive = datetime.datetime(2026, 3, 1, 12, 0)
    made = [Suggestion(article_id=7, run_id=11, section="level", decided_at=naive, text="advanced")]
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        expected = _as_bulk_create_sends([Suggestion(**_fields(s)) for s in made], connection)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        assert _typed(_prepared_rows(made, _insertable(Suggestion), connection)) == expected


@pytest.mark.parametrize("alias", DATABASES)
def test_an_updates_values_are_prepared_as_the_fields_prepare_them(alias):
    connection = connections[alias]
    article = Article(pk=7, title="Harbour", source_id=3, summary="Filled.", insights=["One", "Two"], status="draft")
    article.status_changed_at, article.published_at, article.curated_by_id = _IN_PARIS, None, None
    fields = [Article._meta.get_field(name) for name in ("summary", "insights", "status", "status_changed_at")]
    fields += [Article._meta.get_field(name) for name in ("published_at", "curated_by", "updated_at", "length")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing naive here
        expected = [field.get_db_prep_save(getattr(article, field.attname), connection) for field in fields]
        assert _typed([update_values(fields, connection)(article)]) == _typed([expected])


@pytest.mark.parametrize("alias", DATABASES)
def test_new_rows_get_their_ids_in_order(alias):
    before = Topic.objects.using(alias).count()
    topics = [Topic(name=f"Harbour topic {i}", slug=f"harbour-topic-{i}") for i in range(5)]
    insert_returning_ids(topics, using=alias)
    assert [t.pk for t in topics] == sorted(t.pk for t in topics)
    stored = dict(Topic.objects.using(alias).filter(pk__in=[t.pk for t in topics]).values_list("pk", "name"))
    assert stored == {t.pk: t.name for t in topics}
    assert Topic.objects.using(alias).count() == before + 5
    assert all(not t._state.adding and t._state.db == alias for t in topics)


def _insertable(model) -> list:
    return [field for field in model._meta.local_concrete_fields if not field.primary_key]


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in _insertable(type(instance))}


def _as_bulk_create_sends(objects: list, connection) -> list[list]:
    fields = _insertable(type(objects[0]))
    return _typed([[field.get_db_prep_save(field.pre_save(o, True), connection) for field in fields] for o in objects])


def _typed(rows: list[list]) -> list[list]:
    # A value and its type: psycopg's integer wrappers equal the int they wrap; its JSON wrapper holds the value.
    return [[(type(value), getattr(value, "obj", value)) for value in row] for row in rows]


@pytest.mark.parametrize("alias", DATABASES)
def test_a_related_object_saved_after_it_was_assigned_gives_its_id_as_bulk_create_takes_it(alias):
    connection = connections[alias]
    run = EnrichmentRun(article_id=7, backend=EnrichmentRun.Backend.EXTRACTIVE)
    suggestion = Suggestion(article_id=7, run=run, section="method", text="Measure first.")
    run.pk = 12  # given its id once the runs are inserted
    fields = _insertable(Suggestion)
    (row,) = _prepared_rows([suggestion], fields, connection)
    sent = row[[field.name for field in fields].index("run")]
    assert getattr(sent, "obj", sent) == 12  # (psycopg's integer wrapper holds the value)
    assert suggestion.run_id == 12
