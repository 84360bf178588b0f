"""Full-text search through articles/search.py, the same behaviours on SQLite and PostgreSQL."""

import os

import pytest
from django.utils import timezone

from articles.models import Article, Source, Status
from articles.search import fts5_query, normalize_query, search

# The "postgres" alias exists only when TEST_DATABASE_URL is set (root conftest).
DATABASES = ["default", "postgres"] if os.environ.get("TEST_DATABASE_URL") else ["default"]
pytestmark = pytest.mark.django_db(databases=DATABASES)


@pytest.fixture(params=["default", "postgres"])
def alias(request):
    if request.param == "postgres":
        request.getfixturevalue("postgres_url")
    return request.param


def add_brief(alias, slug, *, status=Status.PUBLISHED, **text):
    """Factories write to "default"; these briefs go to the database under test."""
    source, _ = Source.objects.using(alias).get_or_create(
        slug="search-source", defaults={"name": "Search Source", "url": "https://search-source.example/feed"}
    )
    values = {"title": slug.replace("-", " ").title(), "summary": "", "takeaway": "", "content_text": ""}
    values.update(text)
    return Article.objects.db_manager(alias).create(
        slug=slug,
        source=source,
        original_url=f"https://search-source.example/{slug}",
        status=status,
        published_at=timezone.now() if status == Status.PUBLISHED else None,
        **values,
    )


@pytest.fixture
def corpus(alias):
    return {
        "title_hit": add_brief(
            alias,
            "title-hit",
            title="Distillation is not an attack",
            summary="Small student models learn from large teacher models.",
        ),
        "summary_hit": add_brief(
            alias,
            "summary-hit",
            title="Open weights and the regulators",
            summary="Regulators weigh rules on distillation of frontier models.",
        ),
        "content_hit": add_brief(
            alias,
            "content-hit",
            title="A week of infrastructure news",
            summary="Data centres, power, cooling.",
            content_text="Among many things, one vendor mentioned distillation in passing. <script>alert(1)</script>",
        ),
        "draft_hit": add_brief(alias, "draft-hit", status=Status.DRAFT, title="Distillation draft not yet public"),
        "scattered": add_brief(
            alias, "scattered", title="Weights of the open sea", summary="Ships carry weights across open water."
        ),
    }


def slugs(results):
    return [brief.slug for brief in results]


def published(alias):
    return Article.objects.using(alias).published()


def test_search_ranks_title_matches_above_summary_above_content(alias, corpus):
    assert slugs(search(published(alias), "distillation")) == ["title-hit", "summary-hit", "content-hit"]


def test_search_stays_within_the_given_queryset(alias, corpus):
    assert "draft-hit" not in slugs(search(published(alias), "distillation"))
    assert "draft-hit" in slugs(search(Article.objects.using(alias).all(), "distillation"))


def test_search_finds_other_forms_of_a_word(alias, corpus):
    assert "title-hit" in slugs(search(published(alias), "distilling"))
    assert "title-hit" in slugs(search(published(alias), "student"))


def test_search_matches_quoted_phrase_only_in_order(alias, corpus):
    assert slugs(search(published(alias), '"open weights"')) == ["summary-hit"]
    assert set(slugs(search(published(alias), "open weights"))) == {"summary-hit", "scattered"}


def test_search_supports_or_and_exclusion(alias, corpus):
    assert set(slugs(search(published(alias), "teacher or cooling"))) == {"title-hit", "content-hit"}
    assert slugs(search(published(alias), "distillation -regulators")) == ["title-hit", "content-hit"]


def test_search_annotates_rank_and_escaped_snippet_with_marks(alias, corpus):
    results = list(search(published(alias), "distillation"))
    ranks = [brief.search_rank for brief in results]
    assert ranks == sorted(ranks, reverse=True)
    assert all(isinstance(rank, float) for rank in ranks)
    content_hit = next(brief for brief in results if brief.slug == "content-hit")
    assert "<mark>distillation</mark>" in content_hit.search_snippet
    assert "<script>" not in content_hit.search_snippet


@pytest.mark.parametrize(
    "junk", ['"', "*", "(", ")", "AND", "NOT", "OR", "NEAR(", "title:x", "😀", "-", '"""', "a" * 2000, "x " * 1000]
)
def test_search_never_fails_on_junk(alias, corpus, junk):
    list(search(published(alias), junk))  # evaluating the query is what would raise


@pytest.mark.parametrize("empty", ["", "   ", '"', "*", "(", "😀", "-distillation", "\x00"])
def test_search_returns_nothing_for_empty_or_junk_queries(alias, corpus, empty):
    assert list(search(published(alias), empty)) == []


def test_normalize_query_trims_and_caps_length():
    assert normalize_query("  open \n  weights ") == "open weights"
    assert normalize_query("🙂🙂") == ""
    assert len(normalize_query("word " * 500)) <= 200
    assert normalize_query(None) == ""


def test_fts5_query_quotes_every_term():
    assert fts5_query('NEAR(a b) "x y" -z or w*') == '("NEAR a" "b" "x y" NOT "z") OR ("w")'


def test_search_index_recovers_when_a_table_rebuild_dropped_its_triggers():
    from django.db import connection

    from articles import search_index

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {search_index.FTS_TABLE}_after_insert")
    add_brief("default", "written-while-unindexed", title="Cormorant migration patterns")
    assert list(search(published("default"), "cormorant")) == []

    search_index.reinstall_after_migrate(sender=type("App", (), {"name": "articles"}), using="default")

    assert slugs(search(published("default"), "cormorant")) == ["written-while-unindexed"]
    add_brief("default", "written-after", title="Cormorant diets")
    assert set(slugs(search(published("default"), "cormorant"))) == {"written-while-unindexed", "written-after"}
