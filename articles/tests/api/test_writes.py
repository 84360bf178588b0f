import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from articles.models import Article, RelatedLink, Status
from articles.tests.factories import make_article, make_role, make_source, make_subfield, make_topic

pytestmark = pytest.mark.django_db


def _new_draft(**overrides):
    source = make_source(name="Example Weekly")
    body = {
        "title": "Evaluating agents in production",
        "source": source.slug,
        "original_url": "https://weekly.example/posts/agents",
        "summary": "Why offline benchmarks miss what matters.",
        "takeaway": "Budget for evaluation in production.",
        "insights": ["Offline scores and outcomes diverge.", "Traces are the raw material."],
        "fields": [make_subfield().slug],
        "topics": [make_topic().slug],
        "roles": [make_role().slug],
        "level": "advanced",
        "reading_minutes": 9,
    }
    body.update(overrides)
    return body


def test_curator_creates_a_draft_with_taxonomy_by_slug(curator_api):
    body = _new_draft()
    response = curator_api.post("/api/v1/articles/", body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    article = Article.objects.get(slug=created["slug"])
    assert article.status == Status.DRAFT
    assert article.insights == body["insights"]
    assert [f.slug for f in article.fields.all()] == body["fields"]
    assert [t.slug for t in article.topics.all()] == body["topics"]
    assert article.length == "medium"  # filled from the reading time
    assert response.headers["Location"] == created["api_url"]
    assert response.headers["ETag"]
    assert article.history.latest().history_user.groups.filter(name="Curator").exists()


def test_invalid_draft_is_a_400_naming_each_field_and_saves_nothing(curator_api):
    make_article(original_url="https://weekly.example/posts/taken")
    body = _new_draft(
        title="  ",
        original_url="https://weekly.example/posts/taken",
        insights=["fine", ""],
        topics=["no-such-topic"],
        level="genius",
        source="nobody",
    )
    before = Article.objects.count()
    response = curator_api.post("/api/v1/articles/", body, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"title", "original_url", "insights.1", "topics", "level", "source"}
    assert "already" in fields["original_url"][0]
    assert Article.objects.count() == before


def test_ordered_lists_must_be_json_arrays_of_text(curator_api):
    response = curator_api.post("/api/v1/articles/", _new_draft(insights="one\ntwo", principles=[3]), format="json")
    assert response.status_code == 400
    assert "insights" in response.json()["error"]["fields"]


def test_anonymous_write_is_401_and_wrong_group_is_403(api):
    assert api.post("/api/v1/articles/", _new_draft(), format="json").status_code == 401
    brief = make_article()
    assert api.patch(f"/api/v1/articles/{brief.slug}/", {"title": "x"}, format="json").status_code == 401

    staff_without_group = get_user_model().objects.create_user(username="intern", password="x" * 12, is_staff=True)
    api.force_authenticate(staff_without_group)
    response = api.post("/api/v1/articles/", _new_draft(), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_curator_updates_a_draft_partially(curator_api):
    brief = make_article(title="Old title")
    new_role = make_role()
    response = curator_api.patch(
        f"/api/v1/articles/{brief.slug}/",
        {"title": "New title", "roles": [new_role.slug], "in_practice": ["Try it"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    brief.refresh_from_db()
    assert brief.title == "New title"
    assert brief.slug == response.json()["slug"]
    assert list(brief.roles.all()) == [new_role]
    assert brief.in_practice == ["Try it"]
    assert brief.summary  # untouched


def test_stale_if_match_is_412_and_changes_nothing(curator_api):
    brief = make_article(title="Original")
    read = curator_api.get(f"/api/v1/articles/{brief.slug}/")
    etag = read.headers["ETag"]
    other = APIClient()
    other.force_authenticate(get_user_model().objects.get(pk=read.wsgi_request.user.pk))
    assert other.patch(f"/api/v1/articles/{brief.slug}/", {"summary": "Changed by someone else."}, format="json")

    response = curator_api.patch(
        f"/api/v1/articles/{brief.slug}/", {"title": "Mine"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "precondition_failed"
    brief.refresh_from_db()
    assert brief.title == "Original"
    assert brief.summary == "Changed by someone else."


def test_if_match_ignores_related_briefs_recomputed_since_the_read(curator_api):
    brief = make_article(title="Original")
    read = curator_api.get(f"/api/v1/articles/{brief.slug}/")
    RelatedLink.objects.create(from_article=brief, to_article=make_article(status=Status.PUBLISHED), score=0.5)
    reread = curator_api.get(f"/api/v1/articles/{brief.slug}/", HTTP_IF_NONE_MATCH=read.headers["ETag"])
    assert reread.status_code == 200  # a reader sees a new related brief: the ETag moved
    response = curator_api.patch(
        f"/api/v1/articles/{brief.slug}/", {"title": "Mine"}, format="json", HTTP_IF_MATCH=read.headers["ETag"]
    )
    assert response.status_code == 200
    assert Article.objects.get(pk=brief.pk).title == "Mine"


def test_current_if_match_lets_the_change_through(curator_api):
    brief = make_article(title="Original")
    etag = curator_api.get(f"/api/v1/articles/{brief.slug}/").headers["ETag"]
    response = curator_api.patch(
        f"/api/v1/articles/{brief.slug}/", {"title": "Mine"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_curator_cannot_edit_a_published_brief_but_an_editor_can(curator_api, editor_api):
    brief = make_article(status=Status.PUBLISHED, title="Live")
    refused = curator_api.patch(f"/api/v1/articles/{brief.slug}/", {"title": "Sneaky"}, format="json")
    assert refused.status_code == 403
    accepted = editor_api.patch(f"/api/v1/articles/{brief.slug}/", {"title": "Fixed typo"}, format="json")
    assert accepted.status_code == 200
    brief.refresh_from_db()
    assert brief.title == "Fixed typo"
    assert brief.slug == accepted.json()["slug"]  # a published address never moves


def test_archived_brief_must_be_restored_before_editing(editor_api):
    brief = make_article(status=Status.ARCHIVED)
    response = editor_api.patch(f"/api/v1/articles/{brief.slug}/", {"title": "x"}, format="json")
    assert response.status_code == 409
    assert "restore" in response.json()["error"]["message"]


def test_put_and_delete_are_not_offered(editor_api):
    brief = make_article()
    for method in ("put", "delete"):
        response = getattr(editor_api, method)(f"/api/v1/articles/{brief.slug}/", {}, format="json")
        assert response.status_code == 405
        assert response.json()["error"]["code"] == "method_not_allowed"
    assert Article.objects.filter(pk=brief.pk).exists()


def test_non_json_body_is_415(curator_api):
    response = curator_api.post("/api/v1/articles/", "title=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("roles", {}),
        ("topics", "evaluation"),
        ("title", 42),
        ("insights", [3]),
        ("summary", True),
        ("original_url", "ftp://files.example/piece"),
        ("original_url", "https://[weekly.example/piece"),
    ],
)
def test_values_of_the_wrong_type_or_scheme_are_refused_not_coerced(curator_api, field, value):
    response = curator_api.post("/api/v1/articles/", _new_draft(**{field: value}), format="json")
    assert response.status_code == 400
    assert any(name.split(".")[0] == field for name in response.json()["error"]["fields"])
    assert not Article.objects.exists()


def test_malformed_patch_is_a_400_even_with_a_stale_if_match(curator_api):
    brief = make_article(title="Original")
    response = curator_api.patch(
        f"/api/v1/articles/{brief.slug}/", {"roles": "x"}, format="json", HTTP_IF_MATCH='"stale"'
    )
    assert response.status_code == 400


def test_losing_a_race_for_the_original_address_is_a_400_not_a_500(curator_api, monkeypatch):
    from rest_framework.validators import UniqueValidator

    body = _new_draft(original_url="https://weekly.example/posts/contested")
    make_article(title="Winner", original_url=body["original_url"])
    # The race: our uniqueness check ran before the other writer committed, so it saw nothing.
    monkeypatch.setattr(UniqueValidator, "__call__", lambda self, value, serializer_field: None)

    response = curator_api.post("/api/v1/articles/", body, format="json")

    assert response.status_code == 400
    assert "already" in response.json()["error"]["fields"]["original_url"][0]
    assert list(Article.objects.values_list("title", flat=True)) == ["Winner"]


def test_a_draft_is_stored_under_the_canonical_address_of_its_original(curator_api):
    body = _new_draft(original_url="HTTPS://Weekly.Example:443/posts/agents?utm_source=newsletter&id=7#comments")
    response = curator_api.post("/api/v1/articles/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["original_url"] == "https://weekly.example/posts/agents?id=7"


def test_the_same_original_with_tracking_parameters_is_refused_as_a_twin(curator_api):
    make_article(original_url="https://weekly.example/posts/agents")
    before = Article.objects.count()
    body = _new_draft(original_url="https://weekly.example/posts/agents?utm_campaign=spring")
    response = curator_api.post("/api/v1/articles/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"original_url"}
    assert Article.objects.count() == before


@pytest.mark.parametrize(
    ("change", "lacking"), [({"summary": "  "}, "a summary"), ({"roles": []}, "at least one role")]
)
def test_a_published_brief_cannot_be_emptied_of_what_publishing_required(editor_api, change, lacking):
    brief = make_article(status=Status.PUBLISHED, summary="What readers see.")
    response = editor_api.patch(f"/api/v1/articles/{brief.slug}/", change, format="json")
    assert response.status_code == 409, response.content
    assert lacking in response.json()["error"]["message"]
    brief.refresh_from_db()
    assert brief.summary == "What readers see." and brief.roles.exists()


def test_sending_back_an_anchor_address_ingestion_stored_leaves_it_as_it_is(curator_api):
    # Ingestion keeps the fragment of feeds whose items are anchors on one daily page.
    brief = make_article(original_url="https://daily.example/2026-11-28#item-2")
    response = curator_api.patch(
        f"/api/v1/articles/{brief.slug}/",
        {"original_url": "https://daily.example/2026-11-28#item-2", "summary": "Edited."},
        format="json",
    )
    assert response.status_code == 200, response.content
    brief.refresh_from_db()
    assert brief.original_url == "https://daily.example/2026-11-28#item-2"
