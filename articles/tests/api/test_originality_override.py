"""Publishing over the originality limit through the API: refused, or overridden by an editor with a reason."""

import pytest

from articles.models import OriginalityOverride, Status
from articles.tests.enrich.conftest import KNOWN_TEXT
from articles.tests.factories import make_article

pytestmark = pytest.mark.django_db

COPIED = (
    "The main lesson of the migration is that an event stream only pays off"
    " when every team owns the events it publishes."
)


@pytest.fixture
def copied_brief():
    return make_article(status=Status.IN_REVIEW, content_text=KNOWN_TEXT, summary=COPIED, takeaway=COPIED)


def test_api_publish_refuses_a_copied_brief(editor_api, copied_brief):
    response = editor_api.post(f"/api/v1/articles/{copied_brief.slug}/publish/", {}, format="json")

    assert response.status_code == 409
    assert "originality override" in response.json()["error"]["message"]


def test_editor_publishes_a_copied_brief_through_the_api_with_an_override_and_a_reason(editor_api, copied_brief):
    url = f"/api/v1/articles/{copied_brief.slug}/publish/"
    no_reason = editor_api.post(url, {"override_originality": True}, format="json")
    published = editor_api.post(
        url, {"override_originality": True, "reason": "The quoted claim is the point."}, format="json"
    )

    assert no_reason.status_code == 409
    assert published.status_code == 200, published.json()
    copied_brief.refresh_from_db()
    assert copied_brief.status == Status.PUBLISHED
    assert OriginalityOverride.objects.get(article=copied_brief).reason == "The quoted claim is the point."


def test_api_edit_that_pastes_the_original_into_a_published_brief_is_refused(editor_api):
    brief = make_article(status=Status.PUBLISHED, content_text=KNOWN_TEXT)
    own_summary = brief.summary

    response = editor_api.patch(f"/api/v1/articles/{brief.slug}/", {"summary": COPIED}, format="json")

    assert response.status_code == 409
    assert "the limit is 35%" in response.json()["error"]["message"]
    brief.refresh_from_db()
    assert brief.summary == own_summary
    fixed = editor_api.patch(f"/api/v1/articles/{brief.slug}/", {"summary": "Our own account of it."}, format="json")
    assert fixed.status_code == 200
