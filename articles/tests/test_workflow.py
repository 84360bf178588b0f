import pytest

from articles import workflow
from articles.models import Article, Status
from articles.tests.factories import make_article, make_staff

pytestmark = pytest.mark.django_db

ALLOWED = [
    # (step, from status, group that may take it, status after)
    ("start_draft", Status.INGESTED, "Curator", Status.DRAFT),
    ("submit", Status.DRAFT, "Curator", Status.IN_REVIEW),
    ("send_back", Status.IN_REVIEW, "Curator", Status.DRAFT),
    ("publish", Status.IN_REVIEW, "Editor", Status.PUBLISHED),
    ("publish", Status.DRAFT, "Editor", Status.PUBLISHED),
    ("unpublish", Status.PUBLISHED, "Editor", Status.DRAFT),
    *[("reject", status, "Editor", Status.REJECTED) for status in Status.values if status != Status.REJECTED],
    *[("archive", status, "Editor", Status.ARCHIVED) for status in Status.values if status != Status.ARCHIVED],
    ("restore", Status.REJECTED, "Editor", Status.DRAFT),
    ("restore", Status.ARCHIVED, "Editor", Status.DRAFT),
]


@pytest.mark.parametrize(("step", "start", "group", "end"), ALLOWED)
def test_allowed_transition_moves_the_brief(step, start, group, end):
    actor = make_staff(group)
    article = make_article(status=start)
    workflow.apply_transition(article=article, actor=actor, name=step, reason="checked")
    article.refresh_from_db()
    assert article.status == end
    assert article.curated_by == actor
    latest = article.history.latest()
    assert latest.history_user == actor
    assert latest.history_change_reason == "checked"


@pytest.mark.parametrize(("step", "start"), [(s, st) for s, st, group, _ in ALLOWED if group == "Editor"])
def test_curator_may_not_take_editor_steps(step, start):
    curator = make_staff("Curator")
    article = make_article(status=start)
    with pytest.raises(workflow.TransitionRefused, match="ask an editor"):
        workflow.apply_transition(article=article, actor=curator, name=step)
    article.refresh_from_db()
    assert article.status == start


@pytest.mark.parametrize(
    ("step", "start"),
    [
        (name, status)
        for name, transition in workflow.TRANSITIONS.items()
        for status in Status.values
        if status not in transition.sources
    ],
)
def test_transition_from_a_wrong_status_is_refused_with_the_reason(step, start):
    editor = make_staff("Editor")
    article = make_article(status=start)
    with pytest.raises(workflow.TransitionRefused) as excinfo:
        workflow.apply_transition(article=article, actor=editor, name=step)
    assert f"is {Status(start).label.lower()}" in str(excinfo.value)
    article.refresh_from_db()
    assert article.status == start


def test_staff_without_a_group_may_not_edit_the_workflow():
    nobody = make_staff(None)
    article = make_article(status=Status.INGESTED)
    with pytest.raises(workflow.TransitionRefused):
        workflow.start_draft(article=article, actor=nobody)


def test_inactive_editor_is_refused():
    editor = make_staff("Editor", is_active=False)
    with pytest.raises(workflow.TransitionRefused):
        workflow.publish(article=make_article(), actor=editor)


def test_the_pipeline_may_only_turn_ingested_pieces_into_drafts():
    article = make_article(status=Status.INGESTED)
    workflow.start_draft(article=article, actor=None)
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    with pytest.raises(workflow.TransitionRefused, match="needs a person"):
        workflow.publish(article=article, actor=None)


@pytest.mark.parametrize(
    ("blank", "words"),
    [
        ({"summary": ""}, "a summary"),
        ({"takeaway": "  "}, "a key takeaway"),
        ({"title": ""}, "a title"),
    ],
)
def test_publish_refuses_a_brief_missing_a_section(blank, words):
    editor = make_staff("Editor")
    article = make_article(**blank)
    with pytest.raises(workflow.TransitionRefused) as excinfo:
        workflow.publish(article=article, actor=editor)
    assert "cannot be published yet" in str(excinfo.value)
    assert words in str(excinfo.value)
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_publish_refuses_a_brief_without_field_or_role_and_names_both():
    editor = make_staff("Editor")
    article = make_article(fields=[], roles=[])
    with pytest.raises(workflow.TransitionRefused) as excinfo:
        workflow.publish(article=article, actor=editor)
    assert "at least one field and at least one role" in str(excinfo.value)


def test_submit_for_review_needs_a_complete_brief_too():
    curator = make_staff("Curator")
    article = make_article(complete=False)
    with pytest.raises(workflow.TransitionRefused, match="cannot be submitted for review yet"):
        workflow.submit(article=article, actor=curator)


def test_publish_sets_the_date_once_and_keeps_it_through_unpublishing():
    editor = make_staff("Editor")
    article = make_article()
    workflow.publish(article=article, actor=editor)
    first = Article.objects.get(pk=article.pk).published_at
    assert first is not None
    workflow.unpublish(article=article, actor=editor)
    workflow.publish(article=article, actor=editor)
    assert Article.objects.get(pk=article.pk).published_at == first


def test_status_changed_signal_fires_after_commit(django_capture_on_commit_callbacks):
    editor = make_staff("Editor")
    article = make_article()
    seen = []

    def receiver(sender, article, old_status, new_status, actor, **kwargs):
        seen.append((article.pk, old_status, new_status, actor))

    workflow.status_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            workflow.publish(article=article, actor=editor)
    finally:
        workflow.status_changed.disconnect(receiver)
    assert seen == [(article.pk, Status.DRAFT, Status.PUBLISHED, editor)]


def test_superuser_may_take_every_step():
    from django.contrib.auth import get_user_model

    boss = get_user_model().objects.create_superuser("boss", password="x" * 12)
    article = make_article()
    workflow.publish(article=article, actor=boss)
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED


def test_a_long_note_is_kept_whole_in_the_history():
    editor = make_staff("Editor")
    article = make_article()
    note = "Checked every figure against the original report and the two follow-up pieces. " * 4
    workflow.publish(article=article, actor=editor, reason=note)
    assert article.history.latest().history_change_reason == note
