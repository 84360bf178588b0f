import pytest

from articles.models import Status
from articles.tests.enrich.conftest import KNOWN_TEXT
from articles.tests.factories import make_article

pytestmark = pytest.mark.django_db


def _step(client, brief, step, **body):
    return client.post(f"/api/v1/articles/{brief.slug}/{step}/", body, format="json")


def test_editor_publishes_a_complete_draft_with_a_reason_in_history(editor_api):
    brief = make_article(status=Status.IN_REVIEW)
    response = _step(editor_api, brief, "publish", reason="Checked against the original.")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    brief.refresh_from_db()
    assert brief.status == Status.PUBLISHED and brief.published_at is not None
    assert brief.history.latest().history_change_reason == "Checked against the original."


def test_curator_may_not_publish_and_hears_the_workflow_reason(curator_api):
    brief = make_article(status=Status.IN_REVIEW)
    response = _step(curator_api, brief, "publish")
    assert response.status_code == 403
    message = response.json()["error"]["message"]
    assert "ask an editor" in message and "publish_article" in message
    brief.refresh_from_db()
    assert brief.status == Status.IN_REVIEW


def test_incomplete_brief_is_refused_with_what_it_lacks(editor_api):
    brief = make_article(complete=False, title="Half done")
    response = _step(editor_api, brief, "publish")
    assert response.status_code == 409
    message = response.json()["error"]["message"]
    assert "a summary" in message and "at least one role" in message
    assert response.json()["error"]["code"] == "conflict"
    brief.refresh_from_db()
    assert brief.status == Status.DRAFT


def test_step_from_the_wrong_status_is_a_409(editor_api):
    brief = make_article(status=Status.PUBLISHED)
    response = _step(editor_api, brief, "submit")
    assert response.status_code == 409
    assert "applies only to briefs that are draft" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("start", "step", "end"),
    [
        (Status.DRAFT, "submit", Status.IN_REVIEW),
        (Status.IN_REVIEW, "send-back", Status.DRAFT),
        (Status.PUBLISHED, "unpublish", Status.DRAFT),
        (Status.DRAFT, "reject", Status.REJECTED),
        (Status.PUBLISHED, "archive", Status.ARCHIVED),
        (Status.ARCHIVED, "restore", Status.DRAFT),
    ],
)
def test_editor_runs_every_step(editor_api, start, step, end):
    brief = make_article(status=start)
    response = _step(editor_api, brief, step)
    assert response.status_code == 200, response.content
    brief.refresh_from_db()
    assert brief.status == end


def test_curator_submits_for_review(curator_api):
    brief = make_article()
    assert _step(curator_api, brief, "submit").status_code == 200
    brief.refresh_from_db()
    assert brief.status == Status.IN_REVIEW


def test_anonymous_step_is_401_and_unknown_brief_404(api, editor_api):
    brief = make_article(status=Status.IN_REVIEW)
    assert _step(api, brief, "publish").status_code == 401
    response = editor_api.post("/api/v1/articles/no-such-brief/publish/", {}, format="json")
    assert response.status_code == 404


def test_reason_that_is_not_text_is_a_400(editor_api):
    brief = make_article(status=Status.IN_REVIEW)
    response = _step(editor_api, brief, "publish", reason={"nested": True})
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_editor_publishes_a_copied_brief_through_the_api_with_an_originality_override(editor_api):
    copied = (
        "The main lesson of the migration is that an event stream only pays off"
        " when every team owns the events it publishes."
    )
    brief = make_article(status=Status.IN_REVIEW, content_text=KNOWN_TEXT, summary=copied, takeaway=copied)
    refused = _step(editor_api, brief, "publish")
    assert refused.status_code == 409
    assert "originality override" in refused.json()["error"]["message"]

    response = _step(editor_api, brief, "publish", override_originality=True, reason="Quoted with the author's leave.")
    assert response.status_code == 200, response.content
    brief.refresh_from_db()
    assert brief.status == Status.PUBLISHED
    assert brief.originality_overrides.get().reason == "Quoted with the author's leave."


def test_an_originality_override_without_a_reason_is_refused(editor_api):
    brief = make_article(status=Status.IN_REVIEW, content_text=KNOWN_TEXT, summary=KNOWN_TEXT, takeaway=KNOWN_TEXT)
    response = _step(editor_api, brief, "publish", override_originality=True)
    assert response.status_code == 409
    assert "needs a reason" in response.json()["error"]["message"]
    brief.refresh_from_db()
    assert brief.status == Status.IN_REVIEW


def test_curator_starts_drafting_an_ingested_piece(curator_api):
    brief = make_article(complete=False, status=Status.INGESTED)
    response = _step(curator_api, brief, "start-draft", reason="Worth a brief.")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "draft"
    brief.refresh_from_db()
    assert brief.status == Status.DRAFT
