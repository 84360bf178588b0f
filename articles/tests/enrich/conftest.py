"""Fixtures for the enrichment tests: a fixed original text, and Celery running tasks in-process."""

from pathlib import Path

import pytest

from articles.models import Status
from articles.tests.factories import make_article

# known_article.txt was written for these tests: five paragraphs with one clear central claim (paragraph 2) and
# a near-duplicate of it (paragraph 4) that the drafts must not repeat.
KNOWN_TEXT = (Path(__file__).parent / "known_article.txt").read_text(encoding="utf-8")


@pytest.fixture
def known_article(db):
    return make_article(
        complete=False,
        status=Status.INGESTED,
        title="Moving orders from batch jobs to an event stream",
        content_text=KNOWN_TEXT,
        reading_minutes=2,
    )


@pytest.fixture
def eager_tasks():
    """Run queued Celery tasks in the test process, as a worker would."""
    from portal.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous
