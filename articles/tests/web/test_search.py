"""Full-text search through articles/search.py, the same behaviours on SQLite and PostgreSQL."""

import os

import pytest
from django.utils import timezone

from articles.models import Article, DatedFacetValue, Field, Role, Source, Status, Topic
from articles.search import (
    Matches,
    best_matches,
    best_matches_beside,
    fts5_query,
    matching,
    newest_matches,
    normalize_query,
    search,
    snippets_of,
    with_snippets,
)

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


def test_search_follows_edits_of_a_brief(alias, corpus):
    brief = corpus["scattered"]
    brief.summary = "Now about kestrels."
    brief.save(using=alias)
    assert slugs(search(published(alias), "kestrel")) == ["scattered"]
    Article.objects.using(alias).filter(pk=brief.pk).delete()
    assert slugs(search(published(alias), "kestrel")) == []


@pytest.mark.django_db(databases=DATABASES)
def test_postgresql_index_survives_a_later_change_of_column_type(postgres_url):
    from django.db import connections

    with connections["postgres"].cursor() as cursor:
        cursor.execute("ALTER TABLE articles_article ALTER COLUMN title TYPE varchar(400)")
    add_brief("postgres", "longer-title", title="Ospreys over the estuary")
    assert slugs(search(published("postgres"), "osprey")) == ["longer-title"]


def test_search_works_on_distinct_querysets_and_counts(alias, corpus):
    # Area listings filter with .distinct(); the search page counts its results for the paginator.
    results = search(published(alias).distinct(), "distillation")
    assert results.count() == 3
    assert slugs(results[:2]) == ["title-hit", "summary-hit"]


def test_newest_matches_stops_at_the_limit_newest_first_and_says_whether_it_has_them_all(alias, corpus):
    capped = newest_matches(published(alias), "distillation", limit=2)
    assert capped.ids == [corpus["content_hit"].pk, corpus["summary_hit"].pk]
    assert not capped.complete
    everything = newest_matches(published(alias), "distillation", limit=3)
    assert everything.count == 3 and everything.complete
    assert newest_matches(published(alias), '"', limit=3) == Matches(ids=[], complete=True)


@pytest.mark.parametrize(
    "query", ["distillation", '"open weights"', "teacher or cooling", "distillation -regulators", "weights"]
)
def test_best_matches_put_the_briefs_in_the_order_search_gives(alias, corpus, query):
    assert best_matches(published(alias), query, limit=10).ids == [
        brief.pk for brief in search(published(alias), query)
    ]


def test_best_matches_put_the_readers_roles_first_and_keep_the_ranking_within_each_part(alias, corpus):
    cto = Role.objects.using(alias).create(name="CTO", slug="cto")
    corpus["content_hit"].roles.add(cto)
    mine = best_matches(published(alias), "distillation", limit=10, roles=["cto"])
    assert mine.ids == [corpus["content_hit"].pk, corpus["title_hit"].pk, corpus["summary_hit"].pk]
    assert mine.for_reader == {corpus["content_hit"].pk}
    assert best_matches(published(alias), "distillation", limit=10).for_reader == frozenset()


def test_best_matches_rank_only_the_newest_matches_up_to_the_limit(alias, corpus):
    # Written oldest first: the title hit falls outside the newest two, however well it ranks.
    capped = best_matches(published(alias), "distillation", limit=2)
    assert capped.ids == [corpus["summary_hit"].pk, corpus["content_hit"].pk]
    assert not capped.complete
    assert best_matches(published(alias), "distillation", limit=3).complete
    assert best_matches(published(alias), '"', limit=3) == Matches(ids=[], complete=True)


def test_a_page_of_best_matches_gets_snippets_with_the_matched_words_marked(alias, corpus):
    ids = best_matches(published(alias), "distillation", limit=10).ids
    snippets = {
        brief.slug: brief.search_snippet for brief in with_snippets(published(alias).filter(pk__in=ids), "distillation")
    }
    assert set(snippets) == {"title-hit", "summary-hit", "content-hit"}
    assert "<mark>distillation</mark>" in snippets["content-hit"]
    assert "<script>" not in snippets["content-hit"]


def test_the_first_page_read_with_the_matches_gets_the_snippets_a_page_of_them_gets(alias, corpus):
    for i in range(3):
        add_brief(alias, f"kiln-distillation-{i}", summary=f"A kiln {i} and its distillation.")
    for query in ("distillation", "distillation -regulators", "nothing-has-this"):
        matched = best_matches(published(alias), query, limit=10, first_page=2)
        if alias == "default":
            assert matched.first_page is None  # SQLite: the page asks for them
            continue
        if not matched.ids:
            assert matched.first_page == []
            continue
        page = published(alias).filter(pk__in=matched.ids[:2])
        assert sorted(matched.first_page) == sorted(snippets_of(page, query))
        assert len(matched.first_page) == 2
    assert best_matches(published(alias), "distillation", limit=10).first_page is None


def test_one_walk_reads_the_first_page_of_the_matches_with_the_filter(postgres_url):
    cto = Role.objects.using("postgres").create(name="CTO", slug="cto")
    kilns = [add_brief("postgres", f"kiln-{i}", summary=f"A kiln {i}.") for i in range(6)]
    for i in (0, 2, 3, 5):
        kilns[i].roles.add(cto)
    beside = {"limit": 10, "held": f"role:{cto.pk}", "facet": "role", "share": 0.5}
    with_it, without = best_matches_beside(published("postgres"), "kiln", first_page=3, **beside)
    assert [pk for pk, _slug, _snippet in sorted(with_it.first_page)] == sorted(with_it.ids[:3])
    assert sorted(with_it.first_page) == sorted(
        snippets_of(published("postgres").filter(pk__in=with_it.ids[:3]), "kiln")
    )
    assert without.first_page is None


def test_the_matches_count_the_facet_values_of_the_newest_of_them_up_to_the_limit(alias, corpus):
    cto = Role.objects.using(alias).create(name="CTO", slug="cto")
    first = add_brief(alias, "first-kiln", summary="A kiln.", level="advanced")
    second = add_brief(alias, "second-kiln", summary="A kiln.", level="advanced")
    third = add_brief(alias, "third-kiln", summary="A kiln.", level="introductory")
    for brief in (first, third):
        brief.roles.add(cto)
    role, source = f"role:{cto.pk}", f"source:{first.source_id}"
    everything = newest_matches(published(alias), "kiln", limit=3).values
    assert everything == {"level:advanced": 2, "level:introductory": 1, role: 2, source: 3}
    # The newest two (third, second) only: the first is beyond the limit, in neither the ids nor the counts.
    newest_two = newest_matches(published(alias), "kiln", limit=2)
    assert newest_two.ids == [third.pk, second.pk]
    assert newest_two.values == {
        "level:advanced": 1,
        "level:introductory": 1,
        role: 1,
        source: 2,
    }
    assert best_matches(published(alias), "kiln", limit=2).values == {
        "level:advanced": 1,
        "level:introductory": 1,
        role: 1,
        source: 2,
    }
    assert newest_matches(published(alias), "kiln", limit=3, facet="role").values == {role: 2}
    assert newest_matches(published(alias), "nothing-has-this", limit=2).values == {}


def test_the_counts_can_keep_each_facets_most_held_values_with_those_tied_with_the_last(postgres_url):
    one, two, three = (Role.objects.using("postgres").create(name=name, slug=name) for name in ("one", "two", "three"))
    first = add_brief("postgres", "first-kiln", summary="A kiln.", level="advanced")
    second = add_brief("postgres", "second-kiln", summary="A kiln.", level="advanced")
    third = add_brief("postgres", "third-kiln", summary="A kiln.", level="introductory")
    for brief, roles in ((first, [one, two]), (second, [one, two]), (third, [three])):
        brief.roles.add(*roles)
    tied = {f"role:{one.pk}": 2, f"role:{two.pk}": 2}
    source = {f"source:{first.source_id}": 3}
    assert best_matches(published("postgres"), "kiln", limit=10, top_values=1).values == {
        **tied,
        "level:advanced": 2,
        **source,
    }
    assert newest_matches(published("postgres"), "kiln", limit=10, facet="role", top_values=1).values == tied
    assert best_matches(published("postgres"), "kiln", limit=10, top_values=2).values == {
        **tied,
        "level:advanced": 2,
        "level:introductory": 1,
        **source,
    }
    with_it, without = best_matches_beside(
        published("postgres"), "kiln", limit=10, held=f"role:{one.pk}", facet="role", share=0.5, top_values=1
    )
    assert with_it.values == {**tied, "level:advanced": 2, f"source:{first.source_id}": 2}
    assert without.values == tied


def test_a_filter_on_the_kept_values_follows_the_briefs_roles(alias, corpus):
    cto = Role.objects.using(alias).create(name="CTO", slug="cto")
    first = add_brief(alias, "first-kiln", summary="A kiln.")
    second = add_brief(alias, "second-kiln", summary="A kiln.")
    draft = add_brief(alias, "draft-kiln", summary="A kiln.", status=Status.DRAFT)
    for brief in (first, second, draft):
        brief.roles.add(cto)
    for_cto = published(alias).with_facet_value(f"role:{cto.pk}")
    assert best_matches(for_cto, "kiln", limit=10).ids == [second.pk, first.pk]
    # Tested in the row, for a value many briefs hold: the same briefs.
    held_by_many = published(alias).with_facet_value(f"role:{cto.pk}", common=True)
    assert best_matches(held_by_many, "kiln", limit=10).ids == [second.pk, first.pk]
    second.roles.remove(cto)
    assert newest_matches(for_cto, "kiln", limit=10).ids == [first.pk]
    # A stale copy of the brief saved whole writes its old values back; the count that follows mends them.
    stale = Article.objects.using(alias).get(pk=first.pk)
    first.roles.clear()
    stale.save()
    assert newest_matches(for_cto, "kiln", limit=10).ids == []


def test_one_walk_finds_the_matches_with_a_filter_and_without_it_as_two_searches_would(alias, corpus):
    cto = Role.objects.using(alias).create(name="CTO", slug="cto")
    kilns = [add_brief(alias, f"kiln-{i}", summary="A kiln." if i % 3 else "A kiln, a kiln.") for i in range(7)]
    for i in (1, 4, 5):
        kilns[i].roles.add(cto)
    held = f"role:{cto.pk}"
    for limit in (1, 2, 3, 4, 10):
        both = best_matches_beside(
            published(alias), "kiln", limit=limit, roles=["cto"], held=held, facet="role", share=0.5
        )
        if alias == "default":
            assert both is None  # SQLite: the two searches
            continue
        with_it, without = both
        apart = best_matches(published(alias).with_facet_value(held, common=True), "kiln", limit=limit, roles=["cto"])
        assert (with_it, with_it.values) == (apart, apart.values)
        alone = newest_matches(published(alias), "kiln", limit=limit, facet="role")
        assert (without, without.values) == (alone, alone.values)


def test_one_walk_cut_short_by_its_bound_is_not_taken_for_the_answer(postgres_url):
    cto = Role.objects.using("postgres").create(name="CTO", slug="cto")
    oldest = add_brief("postgres", "kiln-oldest", summary="A kiln.")
    oldest.roles.add(cto)
    for i in range(8):
        add_brief("postgres", f"kiln-{i}", summary="A kiln.")
    held = f"role:{cto.pk}"
    # Expecting every brief to hold it, the walk stops after 8 briefs: the one that does is not among them.
    beside = {"limit": 1, "held": held, "facet": "role"}
    assert best_matches_beside(published("postgres"), "kiln", share=1.0, **beside) is None
    with_it, without = best_matches_beside(published("postgres"), "kiln", share=0.2, **beside)
    assert (with_it.ids, with_it.complete, without.complete) == ([oldest.pk], True, False)


def test_searches_of_one_shape_each_find_their_own_words_filters_and_roles(alias, corpus):
    cto = Role.objects.using(alias).create(name="CTO", slug="cto")
    policy = Role.objects.using(alias).create(name="Policy maker", slug="policy-maker")
    kiln = add_brief(alias, "kiln", summary="A kiln.", level="advanced")
    oven = add_brief(alias, "oven", summary="An oven.", level="expert")
    kiln.roles.add(cto)
    oven.roles.add(policy)
    # The same shape of query each time (one word, one filter, one role), on PostgreSQL written once and kept.
    for word, level, role, found in (("kiln", "advanced", "cto", kiln), ("oven", "expert", "policy-maker", oven)):
        for _ in range(2):
            matched = best_matches(published(alias).filter(level=level), word, limit=10, roles=[role])
            assert (matched.ids, matched.for_reader) == ([found.pk], {found.pk})
            assert newest_matches(published(alias).filter(level=level), word, limit=10).ids == [found.pk]
            ((pk, slug, snippet),) = snippets_of(published(alias).filter(pk=found.pk), word)
            assert (pk, slug) == (found.pk, found.slug) and f"<mark>{word}</mark>" in snippet
        assert best_matches(published(alias).filter(level=level), "kiln oven", limit=10, roles=[role]).ids == []


@pytest.mark.parametrize(
    "query", ["distillation", '"open weights"', "teacher or cooling", "distillation -regulators", "*"]
)
def test_matching_selects_the_same_briefs_as_search(alias, corpus, query):
    assert set(slugs(matching(published(alias), query))) == set(slugs(search(published(alias), query)))


def test_search_finds_accented_words_in_insights(alias, corpus):
    add_brief(alias, "accented", insights=["Die Größenordnung zählt", "Café owners read the menu twice"])
    assert slugs(search(published(alias), "Größenordnung")) == ["accented"]
    assert slugs(search(published(alias), "café")) == ["accented"]


def test_search_snippet_shows_insights_as_text_not_json(alias, corpus):
    add_brief(alias, "insightful", insights=["Herons wait for café scraps", "Egrets don't"])
    (hit,) = search(published(alias), "herons")
    assert "<mark>Herons</mark> wait for café scraps" in hit.search_snippet
    assert "[" not in hit.search_snippet
    assert "&quot;" not in hit.search_snippet
    assert "\\u" not in hit.search_snippet


def test_the_snippet_quotes_the_briefs_own_words_before_the_originals_text(alias, corpus):
    add_brief(
        alias,
        "own-words",
        summary="Herons nest in colonies.",
        content_text="The original says herons twice, then egrets, then herons again. " * 20,
    )
    (hit,) = search(published(alias), "herons")
    assert "<mark>Herons</mark> nest in colonies" in hit.search_snippet
    assert "egrets" not in hit.search_snippet
    # Words found only in the original are still shown where they are.
    (content_hit,) = search(published(alias), "egrets")
    assert "<mark>egrets</mark>" in content_hit.search_snippet


def test_the_snippet_quotes_the_summary_before_the_insights_and_the_insights_when_only_they_hold_the_words(
    alias, corpus
):
    add_brief(
        alias,
        "summary-words",
        summary="Herons nest in colonies by the lake.",
        insights=["Herons also wade, an insight for later."],
    )
    add_brief(alias, "insight-words", summary="Birds by the lake.", insights=["Egrets wade in shallow water."])
    snippets = {brief.slug: brief.search_snippet for brief in search(published(alias), "herons or egrets")}
    assert "<mark>Herons</mark> nest in colonies" in snippets["summary-words"]
    assert "insight for later" not in snippets["summary-words"]
    assert "<mark>Egrets</mark> wade in shallow water" in snippets["insight-words"]


def test_search_index_upgrades_triggers_that_indexed_insights_as_json():
    from django.db import connection

    from articles import search_index

    old_insert = search_index._TRIGGERS[f"{search_index.FTS_TABLE}_after_insert"].replace(
        search_index._sqlite_column_sql("new", "insights"), "new.insights"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {search_index.FTS_TABLE}_after_insert")
        cursor.execute(old_insert)
    add_brief("default", "before-upgrade", insights=["Lapwings nest on the ground"])

    search_index.reinstall_after_migrate(sender=type("App", (), {"name": "articles"}), using="default")

    (hit,) = search(published("default"), "lapwings")
    assert "[" not in hit.search_snippet
    add_brief("default", "after-upgrade", insights=["Größere Lapwings"])
    assert slugs(search(published("default"), "größere")) == ["after-upgrade"]


def test_a_brief_changed_through_queryset_update_is_found_by_its_new_words_only(alias, corpus):
    # update() sends no signal and calls no save(): the index must follow the row itself.
    Article.objects.using(alias).filter(slug="scattered").update(summary="Now about kingfishers.")
    assert slugs(search(published(alias), "kingfisher")) == ["scattered"]
    assert slugs(search(published(alias), "ships")) == []


def test_the_search_vector_is_a_model_field_filled_on_postgresql(postgres_url):
    brief = add_brief("postgres", "vector-field", title="Avocets feeding", summary="Shallow water.")
    vector = Article.objects.using("postgres").values_list("search_vector", flat=True).get(pk=brief.pk)
    assert "'avocet':1A" in vector  # stemmed, the title weighted A
    assert "'shallow':3B" in vector


def test_the_search_vector_is_kept_in_the_briefs_row_on_postgresql(postgres_url):
    from django.db import connections

    # Storage MAIN (migration 0018): testing a brief against a query reads its row, not the TOAST table.
    with connections["postgres"].cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'articles_article'::regclass AND attname = %s",
            ["search_vector"],
        )
        assert cursor.fetchone() == ("m",)


def test_the_search_vector_migration_fills_vectors_of_briefs_written_without_one(postgres_url):
    import importlib

    from django.apps import apps
    from django.db import connections

    brief = add_brief("postgres", "unindexed", title="Dunlins in winter")
    # Text unchanged: the trigger keeps the vector it is given, here none (as before the column existed).
    Article.objects.using("postgres").filter(pk=brief.pk).update(search_vector=None)
    assert slugs(search(published("postgres"), "dunlin")) == []

    migration = importlib.import_module("articles.migrations.0008_arch_search_tests_search_vector_field")
    with connections["postgres"].cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a migration runs with no deferred checks pending
    with connections["postgres"].schema_editor() as schema_editor:
        migration.install_and_backfill(apps, schema_editor)

    assert slugs(search(published("postgres"), "dunlin")) == ["unindexed"]


def test_a_walk_of_a_roles_own_briefs_finds_what_a_walk_of_every_brief_finds(postgres_url):
    few = Role.objects.using("postgres").create(name="Researcher", slug="researcher")
    other = Role.objects.using("postgres").create(name="CTO", slug="cto")
    now = timezone.now()
    kilns = []
    # Dates out of the ids' order, two briefs published at the same moment (the id breaks the tie).
    for i, days in enumerate([5, 1, 9, 3, 3, 7, 2, 8, 4, 6, 0, 10]):
        brief = add_brief("postgres", f"kiln-{i}", summary="A kiln." if i % 4 else "A kiln, a kiln.")
        Article.objects.using("postgres").filter(pk=brief.pk).update(published_at=now - timezone.timedelta(days=days))
        kilns.append(brief)
    for i in (0, 2, 3, 4, 6, 9, 11):
        kilns[i].roles.add(few)
    for i in (1, 2, 5, 6):
        kilns[i].roles.add(other)
    held = f"role:{few.pk}"
    with_it = published("postgres").with_facet_value(held, common=True)

    def both_ways():
        for limit in (1, 2, 3, 5, 10):
            apart = best_matches(with_it, "kiln", limit=limit, roles=["cto"], first_page=2)
            walked = best_matches(with_it, "kiln", limit=limit, roles=["cto"], first_page=2, walk=held)
            assert (walked, walked.values, walked.first_page) == (apart, apart.values, apart.first_page)
            apart = newest_matches(with_it, "kiln", limit=limit, facet="level")
            walked = newest_matches(with_it, "kiln", limit=limit, facet="level", walk=held)
            assert (walked, walked.values) == (apart, apart.values)
        return newest_matches(with_it, "kiln", limit=3, walk=held).ids

    assert both_ways() == [kilns[6].pk, kilns[4].pk, kilns[3].pk]
    # A new date written by update(), a withdrawn brief and a role taken away: the walk follows each row.
    Article.objects.using("postgres").filter(pk=kilns[0].pk).update(published_at=now + timezone.timedelta(days=1))
    assert both_ways() == [kilns[0].pk, kilns[6].pk, kilns[4].pk]
    kilns[4].status = Status.DRAFT
    kilns[4].save()
    kilns[3].roles.remove(few)
    assert both_ways() == [kilns[0].pk, kilns[6].pk, kilns[9].pk]


def test_a_briefs_dated_roles_follow_its_row(postgres_url):
    cto = Role.objects.using("postgres").create(name="CTO", slug="cto")
    policy = Role.objects.using("postgres").create(name="Policy maker", slug="policy-maker")
    draft = add_brief("postgres", "draft-kiln", status=Status.DRAFT, summary="A kiln.")
    draft.roles.add(cto)
    brief = add_brief("postgres", "kiln", summary="A kiln.")
    brief.roles.add(cto, policy)

    def dated():
        return sorted(DatedFacetValue.objects.using("postgres").values_list("value", "published_at", "article_id"))

    when = Article.objects.using("postgres").get(pk=brief.pk).published_at
    assert dated() == sorted([(f"role:{cto.pk}", when, brief.pk), (f"role:{policy.pk}", when, brief.pk)])
    brief.roles.remove(cto)
    later = when + timezone.timedelta(hours=1)
    Article.objects.using("postgres").filter(pk=brief.pk).update(published_at=later)
    assert dated() == [(f"role:{policy.pk}", later, brief.pk)]
    draft.status, draft.published_at = Status.PUBLISHED, when
    draft.save()  # the refresh that follows a save writes its kept values, and with them its dated role
    assert dated() == sorted([(f"role:{cto.pk}", when, draft.pk), (f"role:{policy.pk}", later, brief.pk)])
    brief.delete()
    assert dated() == [(f"role:{cto.pk}", when, draft.pk)]


def _dated(alias):
    return sorted(DatedFacetValue.objects.using(alias).values_list("value", "published_at", "article_id"))


def test_a_briefs_dated_topics_subfields_and_areas_follow_its_row(postgres_url):
    db = "postgres"
    area = Field.objects.using(db).create(name="Science", slug="science")
    physics = Field.objects.using(db).create(name="Physics", slug="physics", parent=area)
    optics = Topic.objects.using(db).create(name="Optics", slug="optics")
    kilns = Topic.objects.using(db).create(name="Kilns", slug="kilns")
    brief = add_brief(db, "kiln", summary="A kiln.")
    brief.fields.add(physics)
    brief.topics.add(optics, kilns)
    when = Article.objects.using(db).get(pk=brief.pk).published_at

    # The subfield's brief is the area's too, as its kept values and the area's listing count it.
    values = [f"area:{area.pk}", f"field:{physics.pk}", f"topic:{optics.pk}", f"topic:{kilns.pk}"]
    assert _dated(db) == sorted((value, when, brief.pk) for value in values)
    brief.topics.remove(kilns)
    brief.fields.remove(physics)
    assert _dated(db) == [(f"topic:{optics.pk}", when, brief.pk)]
    brief.status = Status.DRAFT
    brief.save()
    assert _dated(db) == []


def test_migration_0024_dates_the_topics_subfields_and_areas_of_briefs_published_before_it(postgres_url):
    import importlib

    from django.apps import apps
    from django.db import connections

    db = "postgres"
    migration = importlib.import_module("articles.migrations.0024_dated_areas_fields_topics")
    role = Role.objects.using(db).create(name="CTO", slug="cto")
    optics = Topic.objects.using(db).create(name="Optics", slug="optics")
    older = add_brief(db, "older-kiln", summary="A kiln.")
    older.roles.add(role)
    older.topics.add(optics)
    when = Article.objects.using(db).get(pk=older.pk).published_at

    def run(step):
        with connections[db].cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a migration runs with no deferred checks pending
        with connections[db].schema_editor() as schema_editor:
            step(apps, schema_editor)

    try:
        run(migration.backwards)  # as before 0024: roles only, for the briefs there and for the next one
        assert _dated(db) == [(f"role:{role.pk}", when, older.pk)]
        newer = add_brief(db, "newer-kiln", summary="A kiln.")
        newer.topics.add(optics)
        assert _dated(db) == [(f"role:{role.pk}", when, older.pk)]
    finally:
        run(migration.forwards)
    newer_when = Article.objects.using(db).get(pk=newer.pk).published_at
    assert _dated(db) == sorted(
        [(f"role:{role.pk}", when, older.pk), (f"topic:{optics.pk}", when, older.pk),
         (f"topic:{optics.pk}", newer_when, newer.pk)]
    )  # fmt: skip
