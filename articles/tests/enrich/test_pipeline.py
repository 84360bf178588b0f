from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles import tasks
from articles.enrich import enrich_article
from articles.enrich.suggestions import accept_suggestion, discard_suggestion
from articles.models import Article, EnrichmentRun, Status, Suggestion, Topic
from articles.tests.enrich.conftest import KNOWN_TEXT
from articles.tests.factories import make_article, make_role, make_subfield, make_topic
from articles.workflow import EditRefused

pytestmark = pytest.mark.django_db


def test_enrichment_fills_an_empty_brief_and_keeps_the_draft(known_article):
    run = enrich_article(article=known_article)

    known_article.refresh_from_db()
    assert run.backend == EnrichmentRun.Backend.EXTRACTIVE
    assert known_article.takeaway.startswith("Without ownership, the stream filled")
    assert known_article.summary.startswith("Harbour Logistics spent the spring")
    assert len(known_article.insights) == 4
    assert known_article.level and known_article.length == "short"
    assert set(run.filled_sections) >= {"summary", "takeaway", "insights", "level"}
    takeaway = known_article.suggestions.get(section=Suggestion.Section.TAKEAWAY)
    assert takeaway.state == Suggestion.State.APPLIED
    assert takeaway.provenance == "from paragraph 2"
    assert KNOWN_TEXT[takeaway.char_start : takeaway.char_end] == takeaway.text
    assert known_article.history.latest().history_change_reason.startswith("Machine draft filled empty sections")


def test_a_curators_edit_is_never_overwritten_by_re_enrichment(known_article, curator):
    enrich_article(article=known_article)
    known_article.refresh_from_db()
    known_article.takeaway = "Engineering leaders: give every event an owning team before you build the stream."
    known_article.insights = ["Our own insight."]
    known_article.method = ""
    known_article.save()

    enrich_article(article=known_article)
    enrich_article(article=known_article)

    known_article.refresh_from_db()
    assert known_article.takeaway == "Engineering leaders: give every event an owning team before you build the stream."
    assert known_article.insights == ["Our own insight."]
    # The machine's version stays available as a suggestion beside the curator's.
    assert known_article.suggestions.filter(
        section=Suggestion.Section.TAKEAWAY, state=Suggestion.State.PENDING
    ).exists()


def test_re_enrichment_replaces_waiting_suggestions_but_keeps_decisions(known_article, curator):
    enrich_article(article=known_article)
    insight = known_article.suggestions.filter(section=Suggestion.Section.INSIGHT).first()
    discard_suggestion(suggestion=insight, actor=curator)

    enrich_article(article=known_article)

    assert known_article.enrichment_runs.count() == 2
    latest = known_article.enrichment_runs.first()
    assert set(known_article.suggestions.exclude(pk=insight.pk).values_list("run", flat=True)) == {latest.pk}
    # What the curator discarded is not offered again.
    assert not known_article.suggestions.filter(
        section=Suggestion.Section.INSIGHT, text=insight.text, state=Suggestion.State.PENDING
    ).exists()


def test_accepting_a_suggestion_adds_it_after_what_the_curator_wrote(known_article, curator):
    known_article.takeaway = "Our own takeaway."
    known_article.save()
    enrich_article(article=known_article)
    suggestion = known_article.suggestions.get(section=Suggestion.Section.TAKEAWAY)

    accept_suggestion(suggestion=suggestion, actor=curator)

    known_article.refresh_from_db()
    assert known_article.takeaway == f"Our own takeaway. {suggestion.text}"
    suggestion.refresh_from_db()
    assert suggestion.state == Suggestion.State.ACCEPTED and suggestion.decided_by == curator
    assert known_article.history.latest().history_user == curator
    with pytest.raises(EditRefused, match="already accepted"):
        accept_suggestion(suggestion=suggestion, actor=curator)


def test_accepting_a_proposed_topic_creates_it(known_article, curator):
    enrich_article(article=known_article)
    proposal = known_article.suggestions.filter(section=Suggestion.Section.NEW_TOPIC).first()
    assert proposal is not None
    assert not Topic.objects.filter(name__iexact=proposal.text).exists()

    accept_suggestion(suggestion=proposal, actor=curator)

    assert known_article.topics.filter(name__iexact=proposal.text).exists()


def test_empty_taxonomy_is_filled_only_with_sure_suggestions(known_article, settings):
    settings.ENRICH_AUTOFILL_MIN_CONFIDENCE = 0.0
    streaming = make_topic("Event stream")
    platform = make_role("Platform owner", description="Owns the platform and architecture of the stream")
    data = make_subfield(name="Data engineering and event stream")

    enrich_article(article=known_article)

    assert streaming in known_article.topics.all()
    assert platform in known_article.roles.all()
    assert data in known_article.fields.all()


def test_a_draft_that_fills_text_and_taxonomy_is_one_history_record_listing_both(known_article, settings):
    settings.ENRICH_AUTOFILL_MIN_CONFIDENCE = 0.0
    streaming = make_topic("Event stream")
    platform = make_role("Platform owner", description="Owns the platform and architecture of the stream")
    data = make_subfield(name="Data engineering and event stream")
    before = known_article.history.count()

    enrich_article(article=known_article)

    assert known_article.history.count() == before + 1
    record = known_article.history.latest()
    assert record.history_change_reason.startswith("Machine draft filled empty sections: summary")
    assert {"topics", "fields", "roles"} <= set(record.history_change_reason.split(": ")[1].split(", "))
    assert record.summary == known_article.summary and record.summary
    assert [row.topic for row in record.topics.all()] == [streaming]
    assert [row.role for row in record.roles.all()] == [platform]
    assert [row.field for row in record.fields.all()] == [data]


def test_a_piece_drafted_and_moved_to_draft_shows_both_steps_in_its_history_with_the_same_taxonomy(
    known_article, settings, django_assert_max_num_queries
):
    settings.ENRICH_AUTOFILL_MIN_CONFIDENCE = 0.0
    streaming = make_topic("Event stream")
    platform = make_role("Platform owner", description="Owns the platform and architecture of the stream")
    data = make_subfield(name="Data engineering and event stream")

    # The step to draft moves the row the draft holds (no second read, no rewrite of its text), and the
    # taxonomy is read once for the draft, both history records and related briefs: 46 queries before, 36 then,
    # 35 since related briefs read the areas of the brief's fields with its candidates' taxonomy, 27 since one
    # piece is kept as a turn of one (each table written once).
    with django_assert_max_num_queries(27):
        enrich_article(article=known_article, start_draft=True)

    known_article.refresh_from_db()
    assert known_article.status == Status.DRAFT
    filled, ready = known_article.history.order_by("-history_date", "-history_id")[:2][::-1]
    assert filled.history_change_reason.startswith("Machine draft filled empty sections: summary")
    assert filled.status == Status.INGESTED
    assert ready.history_change_reason == "Machine draft ready" and ready.status == Status.DRAFT
    for record in (filled, ready):
        assert record.summary == known_article.summary and record.summary
        assert [row.topic for row in record.topics.all()] == [streaming]
        assert [row.role for row in record.roles.all()] == [platform]
        assert [row.field for row in record.fields.all()] == [data]


def test_curated_taxonomy_is_left_alone(known_article):
    chosen = make_topic("Hand-picked")
    known_article.topics.set([chosen])
    make_topic("Event stream")

    enrich_article(article=known_article)

    assert list(known_article.topics.all()) == [chosen]
    assert known_article.suggestions.filter(section=Suggestion.Section.TOPIC, text="Event stream").exists()


def test_enrich_task_drafts_an_ingested_piece_once(known_article, eager_tasks):
    tasks.enrich_article.delay(known_article.pk)
    tasks.enrich_article.delay(known_article.pk)

    known_article.refresh_from_db()
    assert known_article.status == Status.DRAFT
    assert known_article.history.filter(history_change_reason="Machine draft ready").count() == 1
    assert known_article.suggestions.filter(section=Suggestion.Section.TAKEAWAY).count() == 1


def test_enrich_task_for_a_deleted_brief_does_nothing(eager_tasks):
    tasks.enrich_article.delay(987654)

    assert not EnrichmentRun.objects.exists()


def test_a_newly_ingested_piece_is_drafted_once_committed(eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        piece = make_article(complete=False, status=Status.INGESTED, content_text=KNOWN_TEXT)
        tasks.queue_enrichment([piece.pk])

    piece.refresh_from_db()
    assert piece.status == Status.DRAFT
    assert piece.takeaway.startswith("Without ownership, the stream filled")


def test_enrich_command_drafts_the_waiting_pieces(known_article):
    out = StringIO()

    call_command("enrich", "--ingested", stdout=out)

    known_article.refresh_from_db()
    assert known_article.status == Status.DRAFT
    assert "Extractive (sentences of the original); filled summary, takeaway, insights" in out.getvalue()


def test_a_piece_that_cannot_be_drafted_leaves_the_rest_of_its_batch_drafted(known_article, monkeypatch):
    from articles.enrich import related

    broken = make_article(complete=False, status=Status.INGESTED, title="Breaks", content_text=KNOWN_TEXT)
    after = make_article(complete=False, status=Status.INGESTED, title="After it", content_text=KNOWN_TEXT)
    neighbours = related.neighbours

    def neighbours_or_fail(article, **options):
        if article.pk == broken.pk:
            raise RuntimeError("the related index is unreadable")
        return neighbours(article, **options)

    # Fails in the turn's writes together and again when its pieces are kept one by one.
    monkeypatch.setattr(related, "neighbours", neighbours_or_fail)
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match=rf"1 brief\(s\) could not be drafted \(ids {broken.pk}\)"):
        call_command("enrich", "--ingested", stdout=out, stderr=err)

    statuses = dict(Article.objects.values_list("pk", "status"))
    assert statuses == {known_article.pk: Status.DRAFT, broken.pk: Status.INGESTED, after.pk: Status.DRAFT}
    # The broken piece's half-written draft went with it; it waits, untouched, to be drafted again.
    assert not broken.suggestions.exists() and not broken.enrichment_runs.exists()
    assert after.suggestions.exists() and "the related index is unreadable" in err.getvalue()


def test_enrich_command_refuses_unknown_ids(known_article):
    with pytest.raises(CommandError, match="No brief with id 987654"):
        call_command("enrich", str(known_article.pk), "987654")

    assert not EnrichmentRun.objects.exists()


def test_a_piece_with_no_text_gets_a_run_and_no_invented_sections():
    piece = make_article(complete=False, status=Status.INGESTED, title="Link only", content_text="")

    run = enrich_article(article=piece)

    piece.refresh_from_db()
    assert run.filled_sections == []
    assert (piece.summary, piece.takeaway, piece.insights) == ("", "", [])
    assert not piece.suggestions.filter(section__in=[Suggestion.Section.SUMMARY, Suggestion.Section.TAKEAWAY]).exists()


def test_re_enriching_a_published_brief_changes_nothing_readers_see():
    brief = make_article(
        status=Status.PUBLISHED, content_text=KNOWN_TEXT, insights=[], principles=[], in_practice=[], method=""
    )
    brief.topics.clear()
    before = brief.history.count()

    run = enrich_article(article=brief)

    brief.refresh_from_db()
    assert brief.insights == [] and brief.topics.count() == 0
    assert run.filled_sections == []
    assert brief.history.count() == before
    # The draft is still there for an editor to accept what they want.
    assert brief.suggestions.filter(section=Suggestion.Section.INSIGHT, state=Suggestion.State.PENDING).exists()


def test_a_curator_cannot_accept_a_suggestion_into_a_published_brief(curator, editor, settings):
    settings.ENRICH_ORIGINALITY_MAX_SHARE = 1.0  # the originality limit is another test's subject
    brief = make_article(status=Status.PUBLISHED, content_text=KNOWN_TEXT, insights=[])
    enrich_article(article=brief)
    insight = brief.suggestions.filter(section=Suggestion.Section.INSIGHT).first()

    with pytest.raises(EditRefused, match="published"):
        accept_suggestion(suggestion=insight, actor=curator)

    brief.refresh_from_db()
    assert brief.insights == []
    insight.refresh_from_db()
    assert insight.state == Suggestion.State.PENDING
    accept_suggestion(suggestion=insight, actor=editor)
    brief.refresh_from_db()
    assert brief.insights == [insight.text]


def test_a_section_the_curator_emptied_is_not_filled_again(known_article, settings):
    settings.ENRICH_AUTOFILL_MIN_CONFIDENCE = 0.0
    make_topic("Event stream")
    enrich_article(article=known_article)
    known_article.refresh_from_db()
    assert known_article.insights and known_article.topics.exists()
    # The curator removes the machine's insights and topics, meaning to write their own later.
    known_article.insights = []
    known_article.save()
    known_article.topics.clear()

    enrich_article(article=known_article)
    enrich_article(article=known_article)

    known_article.refresh_from_db()
    assert known_article.insights == []
    assert not known_article.topics.exists()
    # The machine's insights are still offered, waiting for the curator.
    assert known_article.suggestions.filter(section=Suggestion.Section.INSIGHT, state=Suggestion.State.PENDING).exists()


def test_accepting_copied_sentences_into_a_published_brief_past_the_limit_is_refused(editor):
    brief = make_article(status=Status.PUBLISHED, content_text=KNOWN_TEXT, summary="Ours.", takeaway="Ours too.")
    brief.insights = []
    brief.principles = brief.in_practice = []
    brief.method = ""
    brief.save()
    enrich_article(article=brief)
    insight = brief.suggestions.filter(section=Suggestion.Section.INSIGHT).first()

    with pytest.raises(EditRefused, match="limit"):
        accept_suggestion(suggestion=insight, actor=editor)

    brief.refresh_from_db()
    assert brief.insights == []
