"""A drafting turn's writes kept together (articles/enrich/turn.py): the same drafts as one by one, in fewer queries."""

from collections import Counter

import pytest

from articles.enrich import enrich_article, enrich_articles, turn
from articles.models import Article, Status
from articles.tests.enrich.conftest import KNOWN_TEXT
from articles.tests.factories import make_article, make_role, make_source, make_subfield, make_topic

pytestmark = pytest.mark.django_db

PARAGRAPHS = KNOWN_TEXT.split("\n\n")
TEXTS = [KNOWN_TEXT, "\n\n".join(reversed(PARAGRAPHS)), "\n\n".join(PARAGRAPHS[1:4]), ""]


def _pieces(source, tag: str) -> list[Article]:
    return [
        make_article(
            complete=False,
            status=Status.INGESTED,
            source=source,
            title=f"Piece {n}: orders on an event stream",
            slug=f"{tag}-{n}",
            content_text=text,
            reading_minutes=2,
        )
        for n, text in enumerate(TEXTS)
    ]


def _kept(article: Article) -> dict:
    """What drafting left on a piece, without ids, addresses and dates."""
    article.refresh_from_db()
    skipped = {"id", "slug", "original_url", "created_at", "updated_at", "status_changed_at", "history_date"}
    records = []
    for record in article.history.order_by("history_id"):
        values = {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}
        values = {k: v for k, v in values.items() if k not in skipped and k != "history_id"}
        values["taxonomy"] = (
            sorted(r.field_id for r in record.fields.all()),
            sorted(r.topic_id for r in record.topics.all()),
            sorted(r.role_id for r in record.roles.all()),
        )
        records.append(values)
    return {
        "row": (article.status, article.summary, article.takeaway, article.insights, article.level, article.length),
        "taxonomy": (
            sorted(article.fields.values_list("pk", flat=True)),
            sorted(article.topics.values_list("pk", flat=True)),
            sorted(article.roles.values_list("pk", flat=True)),
        ),
        "history": records,
        "runs": list(article.enrichment_runs.order_by("pk").values_list("backend", "filled_sections")),
        "suggestions": list(
            article.suggestions.order_by("pk").values_list(
                "section", "position", "text", "topic", "field", "role", "confidence", "char_start", "state"
            )
        ),
    }


@pytest.fixture
def taxonomy(settings):
    settings.ENRICH_AUTOFILL_MIN_CONFIDENCE = 0.0
    make_topic("Event stream")
    make_role("Platform owner", description="Owns the platform and architecture of the stream")
    make_subfield(name="Data engineering and event stream")


def _summary(article: Article) -> tuple:
    """What drafting left on a piece, in words: its step, its runs, its history's reasons and steps, its taxonomy by
    name, and how many suggestions of each section and state."""
    article.refresh_from_db()
    return (
        article.status,
        [(backend, filled) for backend, filled in article.enrichment_runs.values_list("backend", "filled_sections")],
        [(record.history_change_reason, record.status) for record in article.history.order_by("history_id")],
        tuple(sorted(getattr(article, name).values_list("name", flat=True)) for name in ("fields", "topics", "roles")),
        sorted(Counter(article.suggestions.values_list("section", "state")).items()),
    )


def _old(filled: list[str], roles: list[str], suggestions: dict) -> tuple:
    reason = f"Machine draft filled empty sections: {', '.join(filled)}"
    return (
        "draft",
        [("extractive", filled)],
        [(None, "ingested"), (reason, "ingested"), ("Machine draft ready", "draft")],
        (["Data engineering and event stream"], ["Event stream"], roles),
        sorted(((section, state), count) for (section, state), count in suggestions.items()),
    )


WHOLE = ["summary", "takeaway", "insights", "level", "fields", "topics", "roles"]
APPLIED = {("field", "applied"): 1, ("topic", "applied"): 1, ("length", "pending"): 1}
TEXT = {("role", "applied"): 1, ("summary", "applied"): 3, ("takeaway", "applied"): 1, ("level", "applied"): 1}
# The pieces of `_pieces` as they were drafted, one by one, before a piece drafted alone was a turn of one
# (pipeline._keep_draft, main at 407632a).
OLD_ROWS = [
    _old(WHOLE, ["Platform owner"], {**APPLIED, **TEXT, ("insight", "applied"): 4, ("new_topic", "pending"): 2}),
    _old(WHOLE, ["Platform owner"], {**APPLIED, **TEXT, ("insight", "applied"): 4, ("new_topic", "pending"): 2}),
    _old(WHOLE, ["Platform owner"], {**APPLIED, **TEXT, ("insight", "applied"): 2, ("new_topic", "pending"): 1}),
    _old(["fields", "topics"], [], APPLIED),
]


def test_a_turn_kept_together_leaves_the_same_drafts_and_history_as_its_pieces_kept_alone(taxonomy):
    source = make_source()  # one source: the two sets tell the same stories without being clustered together
    together, alone = _pieces(source, "together"), _pieces(source, "apart")

    enrich_articles(articles=together, start_draft=True)
    for piece in alone:
        enrich_article(article=piece, start_draft=True)

    for mine, theirs in zip(together, alone, strict=True):
        assert _kept(mine) == _kept(theirs)
    assert [_summary(piece) for piece in together] == OLD_ROWS
    drafted = _kept(together[0])
    assert drafted["row"][0] == Status.DRAFT and drafted["taxonomy"] != ([], [], [])
    reasons = [record["history_change_reason"] for record in drafted["history"]]
    assert (
        reasons[-2].startswith("Machine draft filled empty sections: summary") and reasons[-1] == "Machine draft ready"
    )


def test_a_turn_whose_writes_fail_together_keeps_every_draft_one_by_one_with_nothing_written_twice(
    taxonomy, monkeypatch
):
    pieces = _pieces(make_source(), "retried")

    record_saves = Article.history_recorder.record_saves

    def unwritable(saved, **options):  # for a turn of several pieces; each piece kept alone is recorded
        if len({row.pk for row in saved}) > 1:
            raise RuntimeError("the history table is locked")
        return record_saves(saved, **options)

    monkeypatch.setattr(Article.history_recorder, "record_saves", unwritable)
    outcomes = enrich_articles(articles=pieces, start_draft=True)

    assert [outcome.error for outcome in outcomes] == [None] * len(pieces)
    for piece in pieces:
        piece.refresh_from_db()
        assert piece.status == Status.DRAFT
        assert piece.enrichment_runs.count() == 1
        assert piece.history.filter(history_change_reason="Machine draft ready").count() == 1
        assert piece.topics.count() <= 1


def test_a_piece_deleted_before_its_turn_is_written_is_reported_and_the_others_are_kept(monkeypatch):
    pieces = _pieces(make_source(), "gone")
    gone = pieces[1]
    read = turn._read_turn

    def read_after_a_delete(ids):
        Article.objects.filter(pk=gone.pk).delete()
        return read(ids)

    monkeypatch.setattr(turn, "_read_turn", read_after_a_delete)
    outcomes = enrich_articles(articles=pieces, start_draft=True)

    assert isinstance(outcomes[1].error, Article.DoesNotExist)
    assert [outcome.run is not None for outcome in outcomes] == [True, False, True, True]
    assert set(Article.objects.values_list("status", flat=True)) == {Status.DRAFT}


def test_pieces_of_one_story_drafted_in_one_turn_are_clustered_in_order():
    first = make_article(
        complete=False, status=Status.INGESTED, title="Orders move to an event stream", content_text=KNOWN_TEXT
    )
    copy = make_article(
        complete=False, status=Status.INGESTED, title="Orders move to an event stream", content_text=KNOWN_TEXT
    )

    enrich_articles(articles=[first, copy], start_draft=True)

    first.refresh_from_db()
    copy.refresh_from_db()
    assert first.story_cluster_id and first.story_cluster_id == copy.story_cluster_id
    assert first.story_cluster.lead == first  # the earliest piece leads
    # When the first piece was drafted its copy was not in the story index yet: its record has no story; the
    # copy's step to draft carries the story it joined.
    ready = {a.pk: a.history.get(history_change_reason="Machine draft ready") for a in (first, copy)}
    assert ready[first.pk].story_cluster_id is None
    assert ready[copy.pk].story_cluster_id == copy.story_cluster_id


def test_a_turns_queries_grow_with_its_pieces_only_by_their_related_briefs_candidates(
    django_assert_max_num_queries, taxonomy
):
    source = make_source()
    few = _pieces(source, "few")[:2]
    many = [*_pieces(source, "many"), *_pieces(source, "more")]
    enrich_articles(articles=_pieces(source, "warm"))  # the classifiers' counts and the taxonomy read once

    # Kept one by one before a piece alone was a turn of one, a piece with its taxonomy filled and its step to draft
    # took 35 queries: 70 for two pieces, 280 for eight (27 for one piece now, test_pipeline). A turn reads and
    # writes each table once (its pieces' words are looked up in the related index together); what still grows with
    # the pieces is their related briefs' taxonomy candidates, one query for each piece with both fields and topics.
    # 30 and 38 before the per-role notes were read only for drafts that suggest some.
    with django_assert_max_num_queries(28):
        enrich_articles(articles=few, start_draft=True)
    with django_assert_max_num_queries(36):
        enrich_articles(articles=many, start_draft=True)


def _nameless(text: str) -> Article:
    """A piece stored without an address (the unique constraint allows one such piece at a time)."""
    piece = make_article(
        complete=False, status=Status.INGESTED, title="Orders on an event stream", content_text=text, reading_minutes=2
    )
    Article.objects.filter(pk=piece.pk).update(slug="")
    piece.slug = ""
    return piece


def test_pieces_without_an_address_are_given_one_as_their_drafts_are_kept(taxonomy):
    nameless = _nameless(TEXTS[0])
    named = make_article(
        complete=False, status=Status.INGESTED, title="Orders on an event stream", content_text=TEXTS[1]
    )
    enrich_articles(articles=[nameless, named], start_draft=True)
    alone = _nameless(TEXTS[2])
    enrich_article(article=alone, start_draft=True)

    addresses = ["orders-on-an-event-stream-2", "orders-on-an-event-stream", "orders-on-an-event-stream-3"]
    assert [piece.slug for piece in (nameless, named, alone)] == addresses
    for piece, address in zip((nameless, named, alone), addresses, strict=True):
        piece.refresh_from_db()
        assert piece.slug == address and piece.status == Status.DRAFT
        assert [record.slug for record in piece.history.order_by("history_id")][-2:] == [address, address]
