"""Re-running enrichment through the API (issue 6: "re-runnable from the admin and the API")."""

import pytest

from articles.models import Status, Suggestion
from articles.tests.enrich.conftest import KNOWN_TEXT
from articles.tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_curator_asks_for_a_fresh_machine_draft_through_the_api(
    curator_api, eager_tasks, django_capture_on_commit_callbacks
):
    brief = make_article(status=Status.DRAFT, complete=False, content_text=KNOWN_TEXT, takeaway="Our own takeaway.")

    with django_capture_on_commit_callbacks(execute=True):
        response = curator_api.post(f"/api/v1/articles/{brief.slug}/enrich/")

    assert response.status_code == 202, response.content
    assert response.json() == {"brief": brief.slug, "queued": True}
    assert brief.enrichment_runs.count() == 1
    assert brief.suggestions.filter(section=Suggestion.Section.TAKEAWAY).exists()
    brief.refresh_from_db()
    assert brief.takeaway == "Our own takeaway."


def test_readers_cannot_ask_for_enrichment(client):
    brief = make_article(status=Status.PUBLISHED)

    response = client.post(f"/api/v1/articles/{brief.slug}/enrich/")

    assert response.status_code in (401, 403)
    assert not brief.enrichment_runs.exists()
