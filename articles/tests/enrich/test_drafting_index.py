"""The drafting indexes: story keys and the related-briefs index are kept up to date, never rebuilt per piece."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.enrich import clusters, enrich_article, related_index
from articles.enrich.related import TextIndex, brief_text, neighbours, withdraw_related
from articles.models import Article, RelatedPosting, RelatedTerm, Status, StoryCluster, StoryKey
from articles.tests.enrich.conftest import KNOWN_TEXT
from articles.tests.enrich.test_related import themed
from articles.tests.factories import make_article, make_source

pytestmark = pytest.mark.django_db


def _drafted_pieces(count: int, *, start: int = 0) -> list[Article]:
    """Pieces from five other sources, each telling a different story, in the story index as drafting leaves them."""
    sources = [make_source() for _ in range(5)]
    pieces = []
    for n in range(start, start + count):
        source = sources[n % 5]
        words = " ".join(f"w{n}x{k}" for k in range(60))
        pieces.append(
            Article(
                source=source,
                title=f"Story number {n} of the waiting pile",
                slug=f"waiting-{n}",
                original_url=f"https://waiting.example/{n}",
                content_text=f"Opening of piece {n}. {words}.",
                status=Status.DRAFT,
            )
        )
    pieces = Article.objects.bulk_create(pieces)
    clusters.index_story_keys(pieces, replace=False)
    return pieces


def _queries_to_draft(article: Article) -> int:
    with CaptureQueriesContext(connection) as captured:
        enrich_article(article=Article.objects.get(pk=article.pk))
    return len(captured.captured_queries)


def test_drafting_the_50th_piece_costs_no_more_queries_than_the_5th(settings):
    settings.ENRICH_CLASSIFIER_MIN_BRIEFS = 1000  # the same suggesters for both pieces, whatever the library
    source = make_source()
    for n in range(3):
        themed("chips", n)
    _drafted_pieces(4)
    fifth = make_article(source=source, complete=False, status=Status.INGESTED, content_text=KNOWN_TEXT)
    at_fifth = _queries_to_draft(fifth)

    # The library grows: 45 more pieces drafted, 12 more published briefs.
    _drafted_pieces(45, start=100)
    for n in range(3, 15):
        themed("courts" if n % 2 else "energy", n)
    fiftieth = make_article(
        source=source, complete=False, status=Status.INGESTED, content_text=KNOWN_TEXT, title="The same text again"
    )
    at_fiftieth = _queries_to_draft(fiftieth)

    # 44 before the history records, the classifiers' library count and related briefs' reads were cut;
    # 32 then, and 2 more since the catch-up on waiting pieces commits on its own (here, a savepoint); 28 since
    # the taxonomy is read once a draft, a first draft reads no earlier suggestions and keys are written once.
    assert at_fiftieth <= at_fifth <= 28
    assert not Article.objects.filter(story_indexed=False).exists()  # every piece met was put in the index once


def test_a_piece_waiting_in_the_window_is_indexed_once_and_found_by_its_keys():
    words = " ".join(f"word{n}" for n in range(80))
    waiting = make_article(title="Chipmaker doubles output", content_text=f"Breaking. {words} ends here.")
    newcomer = make_article(title="Output doubled at the chipmaker, sources say", content_text=f"{words} ends here.")
    assert not waiting.story_indexed

    cluster = clusters.assign_story_cluster(article=newcomer)

    waiting.refresh_from_db()
    assert waiting.story_indexed and StoryKey.objects.filter(article=waiting).exists()
    assert set(cluster.articles.all()) == {waiting, newcomer}
    assert set(clusters.candidates_for(newcomer)) == {waiting}


def test_a_piece_drafted_again_is_matched_on_its_new_text_only():
    words = " ".join(f"word{n}" for n in range(80))
    make_article(title="First heading of the day", content_text=words)
    piece = make_article(title="Another heading entirely", content_text=words)
    assert clusters.assign_story_cluster(article=piece) is not None
    StoryCluster.objects.all().delete()
    piece.refresh_from_db()
    piece.content_text = " ".join(f"other{n}" for n in range(80))
    piece.save()

    assert clusters.assign_story_cluster(article=piece) is None
    assert StoryKey.objects.filter(article=piece).count() == len(clusters.Fingerprint.of(piece).band_keys())


def test_publishing_unpublishing_and_deleting_keep_the_word_counts_in_step():
    first = themed("chips", 1)
    second = themed("chips", 2)
    lithography = RelatedTerm.objects.get(term="lithography")
    assert lithography.documents == 2
    assert RelatedTerm.objects.get(term=related_index.EVERY_BRIEF).documents == 2

    Article.objects.filter(pk=second.pk).update(status=Status.DRAFT)
    second.refresh_from_db()
    withdraw_related(article=second)
    first.delete()

    lithography.refresh_from_db()
    assert lithography.documents == 0
    assert RelatedTerm.objects.get(term=related_index.EVERY_BRIEF).documents == 0
    assert not RelatedPosting.objects.exists()


def test_the_kept_index_scores_like_tf_idf_fitted_over_the_whole_library():
    library = [themed(theme, n) for theme in ("chips", "courts", "energy") for n in range(5)]
    call_command("index_drafting", related_only=True, stdout=StringIO())  # today's counts for every brief
    brief = library[0]

    kept = related_index.text_scores(brief)

    fitted = TextIndex([brief_text(b) for b in library]).similarities(0)
    expected = {b.pk: float(score) for b, score in zip(library, fitted, strict=True) if score > 0}
    assert kept.keys() == expected.keys()
    assert all(kept[pk] == pytest.approx(expected[pk], abs=1e-9) for pk in expected)


def test_index_drafting_indexes_briefs_written_in_bulk():
    source = make_source()
    now = timezone.now()
    bulk = Article.objects.bulk_create(
        Article(
            source=source,
            title=f"Solar storage {n}",
            slug=f"solar-storage-{n}",
            original_url=f"https://bulk.example/{n}",
            content_text=themed.__globals__["THEMES"]["energy"],
            status=Status.PUBLISHED,
            published_at=now,
        )
        for n in range(3)
    )
    assert neighbours(bulk[0]) == []  # no signals: not in the index yet

    out = StringIO()
    call_command("index_drafting", stdout=out)

    assert "3 pieces" in out.getvalue() and "3 published briefs" in out.getvalue()
    assert {n.article_id for n in neighbours(bulk[0])} == {bulk[1].pk, bulk[2].pk}
    assert not Article.objects.filter(story_indexed=False).exists()
