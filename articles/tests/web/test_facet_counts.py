"""Kept facet counts say exactly what counting the published briefs would say, after every kind of change."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from articles import facets, workflow
from articles.models import Article, FacetCount, FacetSnapshot, Field, Role, Source, Status, Topic
from articles.tests.factories import make_area, make_article, make_role, make_staff, make_subfield, make_topic
from articles.web import browse
from articles.web.browse import BriefFilters

pytestmark = pytest.mark.django_db


def as_table(facet_list):
    return {facet.name: sorted((o.value, o.label, o.count, o.selected) for o in facet.options) for facet in facet_list}


def assert_kept_counts_match_live(catalogue_params):
    published = Article.objects.published()
    # Each published brief's row keeps the values it is counted under (search filters and counts with them).
    snapshots = dict(FacetSnapshot.objects.values_list("article_id", "values"))
    assert {pk: sorted(values) for pk, values in published.values_list("pk", "facet_values")} == snapshots
    for params, fixed in catalogue_params:
        filters = BriefFilters(params, fixed=fixed)
        assert as_table(filters.published_facets()) == as_table(filters.facets(published)), (params, fixed)
        assert filters.published_count() == filters.apply(published).count(), (params, fixed)
        by_kept_values = filters.apply(published, by_kept_values=True)
        assert set(by_kept_values.values_list("pk", flat=True)) == set(
            filters.apply(published).values_list("pk", flat=True)
        )


def scopes(catalogue):
    cto, chips = catalogue["cto"], catalogue["chips"]
    area = catalogue["tech"]
    return [
        ({}, None),
        ({"role": cto.slug}, None),
        ({"topic": chips.slug}, None),
        ({"level": "advanced"}, None),
        ({}, {"role": cto}),
        ({}, {"area": area}),
        ({"topic": chips.slug}, {"role": cto}),  # two filters: counted live on both sides
    ]


@pytest.fixture
def catalogue(db):
    tech = make_area("Technology")
    ai, infra = make_subfield(tech, "AI"), make_subfield(tech, "Infrastructure")
    policy = make_subfield(make_area("Policy"), "Regulation")
    cto, scientist = make_role("CTO"), make_role("AI Scientist")
    chips, models = make_topic("Chips"), make_topic("Open models")
    briefs = [
        make_article(
            status=Status.PUBLISHED,
            level="advanced",
            fields=[ai, policy],
            roles=[cto, scientist],
            topics=[chips, models],
        ),
        make_article(status=Status.PUBLISHED, level="introductory", fields=[infra], roles=[cto], topics=[chips]),
        make_article(status=Status.PUBLISHED, level="advanced", fields=[tech], roles=[scientist], topics=[models]),
        make_article(status=Status.DRAFT, fields=[ai], roles=[cto], topics=[chips]),
    ]
    return {
        "tech": tech,
        "ai": ai,
        "infra": infra,
        "policy": policy,
        "cto": cto,
        "scientist": scientist,
        "chips": chips,
        "models": models,
        "briefs": briefs,
    }


def test_kept_counts_match_counting_for_a_new_catalogue(catalogue):
    assert_kept_counts_match_live(scopes(catalogue))
    assert BriefFilters({}).published_count() == 3


def test_kept_counts_follow_publishing_unpublishing_and_rejecting(catalogue):
    editor = make_staff("Editor")
    draft, first = catalogue["briefs"][3], catalogue["briefs"][0]
    Article.objects.filter(pk=draft.pk).update(content_text="")  # nothing copied: no originality refusal
    draft.refresh_from_db()
    workflow.publish(article=draft, actor=editor)
    assert_kept_counts_match_live(scopes(catalogue))
    workflow.unpublish(article=first, actor=editor)
    assert_kept_counts_match_live(scopes(catalogue))
    workflow.reject(article=draft, actor=editor)
    assert_kept_counts_match_live(scopes(catalogue))
    assert BriefFilters({}).published_count() == 2


def test_kept_counts_follow_taxonomy_edits_of_a_published_brief(catalogue):
    brief = catalogue["briefs"][1]
    brief.topics.add(catalogue["models"])
    brief.roles.remove(catalogue["cto"])
    brief.roles.add(catalogue["scientist"])
    brief.fields.set([catalogue["policy"]])
    brief.level = "expert"
    brief.save()
    assert_kept_counts_match_live(scopes(catalogue))


def test_kept_counts_follow_deleting_a_brief_and_moving_a_subfield(catalogue, django_capture_on_commit_callbacks):
    catalogue["briefs"][0].delete()
    assert_kept_counts_match_live(scopes(catalogue))
    with django_capture_on_commit_callbacks(execute=True):
        infra = catalogue["infra"]
        infra.parent = catalogue["policy"].parent
        infra.save()
    assert_kept_counts_match_live(scopes(catalogue))


def test_search_tests_a_value_most_briefs_hold_in_the_row_and_looks_a_rare_one_up(catalogue):
    for number in range(8):
        make_article(status=Status.PUBLISHED, title=f"Filler {number}", roles=[catalogue["scientist"]])
    rare = make_topic("Rare")
    make_article(status=Status.PUBLISHED, title="The rare one", topics=[rare])
    filters = BriefFilters({"role": catalogue["scientist"].slug, "topic": rare.slug})
    assert browse._is_common(filters.selected["role"])  # 10 of 12 published briefs
    assert not browse._is_common(filters.selected["topic"])  # 1 of 12
    assert not browse._is_common(catalogue["cto"])  # fixed by an address: no counts read, looked up
    assert_kept_counts_match_live([({"role": catalogue["scientist"].slug, "topic": rare.slug}, None)])


def test_rebuilding_the_counts_gives_what_the_changes_kept(catalogue):
    catalogue["briefs"][1].topics.add(catalogue["models"])
    kept = sorted(FacetCount.objects.filter(count__gt=0).values_list("scope", "scope_value", "facet", "value", "count"))
    assert facets.rebuild() == 3
    assert sorted(FacetCount.objects.values_list("scope", "scope_value", "facet", "value", "count")) == kept


def test_saving_a_draft_costs_one_look_at_the_counts_and_a_new_piece_none(catalogue):
    draft = catalogue["briefs"][3]
    draft.summary = "Edited"
    with CaptureQueriesContext(connection) as saved:
        draft.save()
    # One look for a snapshot (was it published before?); nothing is counted.
    assert [q["sql"] for q in saved.captured_queries if "articles_facet" in q["sql"]][1:] == []
    with CaptureQueriesContext(connection) as created:
        make_article(status=Status.INGESTED, complete=False)
    assert not [q["sql"] for q in created.captured_queries if "articles_facet" in q["sql"]]


def test_each_filter_finds_the_row_it_names_with_its_library_count(catalogue):
    # The look-ups' SQL is built once per facet (browse._look_up): each slug must still find its own row.
    named = {
        "role": browse._with_library_count(Role.objects, "role"),
        "topic": browse._with_library_count(Topic.objects, "topic"),
        "area": browse._with_library_count(Field.objects.areas(), "area"),
        "source": Source.objects.public(),
    }
    for facet, rows in named.items():
        expected = list(rows)
        assert expected, facet
        for row in expected:
            (found,) = BriefFilters(QueryDict(f"{facet}={row.slug}")).selected.values()
            assert (type(found), found.pk, str(found)) == (type(row), row.pk, str(row))
            assert getattr(found, "library_count", None) == getattr(row, "library_count", None)
            assert getattr(found, "library_total", None) == getattr(row, "library_total", None)
        filters = BriefFilters(QueryDict(f"{facet}=no-such-{facet}"))
        assert filters.selected == {} and len(filters.unknown) == 1
