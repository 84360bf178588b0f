import pytest
from django.test import override_settings

from articles import workflow
from articles.enrich.originality import check_article, compare
from articles.models import Status
from articles.tests.enrich.conftest import KNOWN_TEXT
from articles.tests.factories import make_article

pytestmark = pytest.mark.django_db

COPIED = (
    "The main lesson of the migration is that an event stream only pays off"
    " when every team owns the events it publishes."
)


def test_figures_of_a_copied_sentence():
    report = compare(
        [COPIED, "Our own words about ownership of events, written by the editor for readers."], KNOWN_TEXT
    )

    assert report.longest_words == 22
    assert report.longest_passage.startswith("the main lesson of the migration")
    # All 15 sequences of the copied sentence are shared, none of the 6 of the editor's sentence.
    assert report.shingles == 15 + 6
    assert report.percent == round(100 * 15 / 21)


def test_punctuation_and_case_do_not_hide_copying():
    report = compare([COPIED.upper().replace(" ", " , ")], KNOWN_TEXT)

    assert report.shared_share == 1.0


def test_shingles_never_span_two_sections():
    half = COPIED.split(" an event stream")
    report = compare([half[0], "an event stream" + half[1]], KNOWN_TEXT)

    assert report.shingles == (len(half[0].split()) - 7) + (len(("an event stream" + half[1]).split()) - 7)


@pytest.fixture
def copied_brief():
    return make_article(status=Status.IN_REVIEW, content_text=KNOWN_TEXT, summary=COPIED, takeaway=COPIED)


def test_publish_refuses_a_copied_brief_with_the_figures(copied_brief, editor):
    with pytest.raises(workflow.TransitionRefused) as refusal:
        workflow.publish(article=copied_brief, actor=editor)

    message = str(refusal.value)
    assert "cannot be published yet" in message
    assert "100% of its 8-word sequences appear word for word in the original" in message
    assert "the longest copied passage is 22 words" in message
    assert "the limit is 35%" in message
    copied_brief.refresh_from_db()
    assert copied_brief.status == Status.IN_REVIEW


def test_override_needs_a_reason(copied_brief, editor):
    with pytest.raises(workflow.TransitionRefused, match="needs a reason"):
        workflow.publish(article=copied_brief, actor=editor, override_originality=True)


def test_editor_override_with_reason_publishes_and_is_recorded(copied_brief, editor):
    workflow.publish(article=copied_brief, actor=editor, reason="Quoting the key claim", override_originality=True)

    copied_brief.refresh_from_db()
    assert copied_brief.status == Status.PUBLISHED
    latest = copied_brief.history.latest()
    assert latest.history_change_reason == "Originality override (100% verbatim, limit 35%): Quoting the key claim"
    assert latest.history_user == editor
    override = copied_brief.originality_overrides.get()
    assert (override.actor, override.reason, override.shared_share, override.longest_words) == (
        editor,
        "Quoting the key claim",
        1.0,
        22,
    )


def test_a_long_override_reason_is_kept_in_full(copied_brief, editor):
    reason = "The author granted permission to quote this passage verbatim; " * 5

    workflow.publish(article=copied_brief, actor=editor, reason=reason, override_originality=True)

    assert copied_brief.originality_overrides.get().reason == reason.strip()
    assert copied_brief.history.latest().history_change_reason.endswith(reason.strip())


def test_curator_cannot_override(copied_brief, curator):
    with pytest.raises(workflow.TransitionRefused, match="ask an editor"):
        workflow.publish(article=copied_brief, actor=curator, reason="please", override_originality=True)


@override_settings(ENRICH_ORIGINALITY_MAX_SHARE=1.0)
def test_threshold_is_a_setting(copied_brief, editor):
    workflow.publish(article=copied_brief, actor=editor)

    assert copied_brief.status == Status.PUBLISHED


def test_own_words_publish_without_override(editor):
    brief = make_article(status=Status.IN_REVIEW, content_text=KNOWN_TEXT)

    workflow.publish(article=brief, actor=editor)

    assert check_article(brief).shared_share == 0
    assert brief.status == Status.PUBLISHED


RUSSIAN_ORIGINAL = (
    "Главный урок миграции состоит в том, что поток событий окупается только тогда, когда каждая команда"
    " владеет событиями, которые она публикует, и отвечает за их схему перед всеми потребителями."
)


def test_copying_from_an_original_in_another_alphabet_is_measured():
    report = compare([RUSSIAN_ORIGINAL], RUSSIAN_ORIGINAL)

    assert report.shared_share == 1.0
    assert report.longest_words == len(RUSSIAN_ORIGINAL.split())


def test_accents_do_not_split_words_of_a_copied_passage():
    original = "Le café réunit les équipes chaque matin pour décider des priorités de la journée entière."
    report = compare([original], original)

    assert report.longest_words == len(original.split())


def test_publish_refuses_a_brief_copied_from_a_russian_original(editor):
    brief = make_article(
        status=Status.IN_REVIEW, content_text=RUSSIAN_ORIGINAL, summary=RUSSIAN_ORIGINAL, takeaway=RUSSIAN_ORIGINAL
    )

    with pytest.raises(workflow.TransitionRefused, match="cannot be published yet"):
        workflow.publish(article=brief, actor=editor)
