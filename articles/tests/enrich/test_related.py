import pytest

from articles import workflow
from articles.enrich import related
from articles.enrich.related import refresh_related
from articles.models import RelatedLink, Status
from articles.tests.factories import make_article, make_subfield, make_topic

pytestmark = pytest.mark.django_db

THEMES = {
    "chips": "Semiconductor fabs, lithography machines and wafer yields decide who ships the next chip generation.",
    "courts": "The court ruled on copyright, fair use and licensing of training data in a landmark judgment.",
    "energy": "Solar farms, battery storage and grid operators are reshaping how electricity is priced.",
}
VARIANTS = [
    "Analysts expect {} to dominate the agenda this year.",
    "A new report on {} was published this week.",
    "Investors keep asking about {}.",
    "Engineers debated {} at the conference.",
    "Regulators are studying {} closely.",
    "A long interview about {} closes the issue.",
]


def themed(theme: str, n: int, **overrides):
    text = f"{THEMES[theme]} {VARIANTS[n % len(VARIANTS)].format(theme)}"
    values = {
        "status": Status.PUBLISHED,
        "title": f"{theme} story {n}",
        "content_text": text,
        "summary": f"On {theme}.",
    }
    return make_article(**{**values, **overrides})


@pytest.fixture
def library():
    return {theme: [themed(theme, n) for n in range(6)] for theme in THEMES}


def test_top_five_related_briefs_with_scores_best_first(library):
    brief = library["chips"][0]

    top = refresh_related(article=brief)

    links = list(RelatedLink.objects.filter(from_article=brief).order_by("-score"))
    assert len(links) == 5
    assert {link.to_article.title.split()[0] for link in links} == {"chips"}
    assert [n.score for n in top] == [link.score for link in links]
    assert all(0 < link.score <= 1 and link.kind == RelatedLink.Kind.COMPUTED for link in links)


def test_a_brief_with_nothing_related_shows_fewer_than_five(library, settings):
    settings.ENRICH_RELATED_MIN_SCORE = 0.08
    loner = make_article(
        status=Status.PUBLISHED,
        title="Sourdough starters",
        content_text="Flour, water and patience make a sourdough starter; feed it daily. The chips were stale.",
        summary="On baking.",
    )

    top = refresh_related(article=loner)

    assert len(top) < 5
    assert all(n.score >= 0.08 for n in top)
    assert RelatedLink.objects.filter(from_article=loner).count() == len(top)


def test_shared_taxonomy_lifts_a_brief(library, settings):
    brief, twin = library["chips"][0], library["courts"][0]
    brief.fields.set(twin.fields.all())
    brief.topics.set(twin.topics.all())
    settings.ENRICH_RELATED_TAXONOMY_WEIGHT = 0.0
    text_only = [n.article_id for n in related.neighbours(brief)][:5]
    settings.ENRICH_RELATED_TAXONOMY_WEIGHT = 0.5

    blended = [n.article_id for n in related.neighbours(brief)][:5]

    assert twin.pk not in text_only
    assert blended[0] == twin.pk


def test_pinned_and_excluded_links_are_respected(library):
    brief = library["chips"][0]
    refresh_related(article=brief)
    best = RelatedLink.objects.filter(from_article=brief).order_by("-score").first()
    best.kind = RelatedLink.Kind.EXCLUDED
    best.save()
    pinned = RelatedLink.objects.create(
        from_article=brief, to_article=library["energy"][3], kind=RelatedLink.Kind.PINNED, position=1
    )

    refresh_related(article=brief)

    best.refresh_from_db()
    pinned.refresh_from_db()
    assert best.kind == RelatedLink.Kind.EXCLUDED
    assert pinned.kind == RelatedLink.Kind.PINNED and pinned.position == 1 and pinned.score == 0
    computed = RelatedLink.objects.filter(from_article=brief, kind=RelatedLink.Kind.COMPUTED)
    assert computed.count() == 5
    assert best.to_article_id not in set(computed.values_list("to_article_id", flat=True))
    shown = [link.to_article for link in RelatedLink.objects.shown_for(brief)]
    assert shown[0] == library["energy"][3]
    assert best.to_article not in shown


def test_refreshing_one_brief_reads_the_index_and_compares_no_other_pairs(
    library, django_assert_max_num_queries, monkeypatch
):
    others = [b for theme in library.values() for b in theme][1:]
    for other in others:
        refresh_related(article=other)
    before = {
        (link.pk, link.score)
        for link in RelatedLink.objects.exclude(from_article=library["chips"][0]).exclude(
            to_article=library["chips"][0]
        )
    }
    fits = []
    monkeypatch.setattr(related.TextIndex, "__init__", lambda self, texts: fits.append(len(texts)))

    # 12 queries before the fields' areas were read with the candidates' taxonomy, 11 since.
    with django_assert_max_num_queries(11):
        refresh_related(article=library["chips"][0])

    assert fits == []  # scored from the kept index: no TF-IDF fitted over the library
    after = {
        (link.pk, link.score)
        for link in RelatedLink.objects.exclude(from_article=library["chips"][0]).exclude(
            to_article=library["chips"][0]
        )
    }
    # Links between other briefs are left as they were, except the ones the brief displaced.
    assert after <= before


def test_query_count_does_not_grow_with_the_library(library, django_assert_max_num_queries):
    for n in range(6, 30):
        themed("energy", n)

    with django_assert_max_num_queries(11):
        refresh_related(article=library["chips"][0])


def test_publishing_offers_the_brief_to_its_neighbours(
    library, editor, eager_tasks, django_capture_on_commit_callbacks
):
    for theme in library.values():
        for brief in theme:
            refresh_related(article=brief)
    newcomer = themed("courts", 99, status=Status.IN_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article=newcomer, actor=editor)

    assert RelatedLink.objects.filter(from_article=newcomer).count() == 5
    offered = RelatedLink.objects.filter(to_article=newcomer, kind=RelatedLink.Kind.COMPUTED)
    assert offered.exists()
    assert {link.from_article.title.split()[0] for link in offered} == {"courts"}
    for brief in library["courts"]:
        assert RelatedLink.objects.filter(from_article=brief, kind=RelatedLink.Kind.COMPUTED).count() <= 5


def test_unpublishing_withdraws_the_brief_and_refills_lists(
    library, editor, eager_tasks, django_capture_on_commit_callbacks
):
    for theme in library.values():
        for brief in theme:
            refresh_related(article=brief)
    leaving = library["courts"][1]
    assert RelatedLink.objects.filter(to_article=leaving).exists()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(article=leaving, actor=editor)

    assert not RelatedLink.objects.filter(to_article=leaving, kind=RelatedLink.Kind.COMPUTED).exists()
    assert RelatedLink.objects.filter(from_article=library["courts"][0], kind=RelatedLink.Kind.COMPUTED).count() == 5


def test_the_published_briefs_sharing_most_of_a_briefs_taxonomy_are_its_candidates_most_shared_first():
    first, second, topic = make_subfield(), make_subfield(), make_topic()
    all_three = make_article(status=Status.PUBLISHED, fields=[first, second], topics=[topic])
    one = make_article(status=Status.PUBLISHED, fields=[first], topics=[make_topic()])
    two = make_article(status=Status.PUBLISHED, fields=[second], topics=[topic])
    other_two = make_article(status=Status.PUBLISHED, fields=[first, second], topics=[make_topic()])
    make_article(status=Status.PUBLISHED)  # shares nothing
    make_article(status=Status.DRAFT, fields=[first, second], topics=[topic])  # not published: never related
    brief = make_article(complete=False, fields=[first, second], topics=[topic])

    candidates = related._taxonomy_candidates(brief, sorted([first.pk, second.pk]), [topic.pk])

    # Most entries shared first, ties in the order the briefs were stored.
    assert candidates == [all_three.pk, two.pk, other_two.pk, one.pk]


@pytest.mark.parametrize("also", [[], [7, 5]])
def test_the_postings_of_a_briefs_candidates_are_read_by_the_statement_the_orm_makes(also):
    from django.db import connection
    from django.db.models import Q, Subquery, Sum

    from articles.enrich import related_index
    from articles.models import RelatedPosting

    telling, terms = [3, 1], [1, 3, 9]
    closest = (
        RelatedPosting.objects.filter(term_id__in=telling, article__status=Status.PUBLISHED)
        .exclude(article_id=11)
        .values("article_id")
        .annotate(partial=Sum("weight"))
        .order_by("-partial", "article_id")
        .values("article_id")[: related_index.CANDIDATES]
    )
    chosen = Q(article_id__in=Subquery(closest))
    if also:
        chosen |= Q(article_id__in=also)
    orm = RelatedPosting.objects.filter(chosen, term_id__in=terms).exclude(article_id=11)
    expected = orm.values_list("article_id", "term_id", "weight").query.sql_with_params()
    sent = []

    def capture(execute, sql, params, many, context):
        sent.append((sql, tuple(params)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        related_index._postings(11, telling, terms, also)

    # The same statement, so the database returns the rows in the same order and the scores add up the same.
    assert sent == [expected]
