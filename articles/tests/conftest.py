import pytest

from articles.tests.factories import make_staff


@pytest.fixture
def curator(db):
    return make_staff("Curator")


@pytest.fixture
def editor(db):
    return make_staff("Editor")


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def eager_tasks():
    """Run queued Celery tasks in the test process, as a worker would."""
    from portal.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _forget_the_classifiers_library_version():
    """Each test's database is rolled back without a signal, like a restore: its library version must not outlive it."""
    yield
    from django.core.cache import cache

    from articles.enrich.classify import LIBRARY_VERSION_KEY

    cache.delete(LIBRARY_VERSION_KEY)
