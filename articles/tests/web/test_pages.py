"""Home, brief pages, listings with filters and the search page, as a reader sees them."""

import json
import re

import pytest
from django.urls import reverse

from articles.models import RelatedLink
from articles.tests.factories import make_article, make_role, make_staff, make_topic
from articles.tests.web.conftest import add_published_briefs
from articles.web.browse import BriefFilters

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return response.content.decode()


def titles_in(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', html)


# --- Brief page -------------------------------------------------------------------------


def test_brief_page_shows_the_anatomy_in_reference_order(client, catalogue):
    brief = catalogue["briefs"]["distillation"]
    html = text_of(client.get(brief.get_absolute_url()))
    html = html[html.index('<article class="brief">') :]  # the header's navigation names "Topics" too
    order = [
        brief.title,
        "Source:",
        "Field:",
        "Depth:",
        ">Summary<",
        ">Key takeaway<",
        ">Key insights<",
        ">Principles<",
        ">Method<",
        ">In practice<",
        ">Topics<",
        ">Best for<",
        "Related on Distillery<",
        "Read the original at Interconnects Weekly",
        "Editorial summary, takeaway, and curation by Distillery. Original article published by Interconnects Weekly.",
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "Technology &amp; Digital</a> — <a" in html
    assert 'Advanced</a>, <a href="/briefs/?length=medium">medium</a>' in html


def test_brief_page_links_every_taxonomy_value_to_its_listing(client, catalogue):
    html = text_of(client.get(catalogue["briefs"]["distillation"].get_absolute_url()))
    for obj in [
        catalogue["sources"]["journal"],
        catalogue["areas"]["tech"],
        catalogue["subfields"]["ai"],
        catalogue["areas"]["policy"],
        catalogue["subfields"]["regulation"],
        catalogue["topics"]["models"],
        catalogue["roles"]["cto"],
        catalogue["roles"]["policy_maker"],
    ]:
        assert f'href="{obj.get_absolute_url()}"' in html
    assert f'href="{reverse("articles:depth", args=["advanced"])}"' in html


def test_brief_page_leaves_out_empty_sections(client, catalogue):
    brief = make_article(
        title="Sparse brief",
        status="published",
        principles=[],
        method="",
        in_practice=[],
        insights=[],
        source=catalogue["sources"]["paper"],
    )
    html = text_of(client.get(brief.get_absolute_url()))
    for heading in ("Principles", "Method", "In practice", "Key insights", "Related on"):
        assert f">{heading}" not in html
    assert ">Summary<" in html


def test_related_briefs_show_only_published_ones(client, catalogue):
    html = text_of(client.get(catalogue["briefs"]["distillation"].get_absolute_url()))
    assert catalogue["briefs"]["rules"].get_absolute_url() in html
    assert catalogue["briefs"]["draft"].title not in html


def test_draft_is_not_found_for_the_public(client, catalogue):
    response = client.get(catalogue["briefs"]["draft"].get_absolute_url())
    assert response.status_code == 404
    assert "We could not find that page" in text_of(response)


def test_staff_preview_a_draft_under_a_banner(client, catalogue):
    client.force_login(make_staff("Curator"))
    response = client.get(catalogue["briefs"]["draft"].get_absolute_url())
    assert response.status_code == 200
    html = text_of(response)
    assert "Draft preview." in html
    assert '<meta name="robots" content="noindex">' in html
    assert "private" in response["Cache-Control"]


def test_brief_page_has_title_description_canonical_opengraph_and_json_ld(client, catalogue):
    brief = catalogue["briefs"]["distillation"]
    html = text_of(client.get(brief.get_absolute_url()))
    assert f"<title>{brief.title} · Distillery</title>" in html
    assert '<meta name="description" content="Model distillation trains a small student' in html
    assert f'<link rel="canonical" href="http://testserver{brief.get_absolute_url()}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:title" content="{brief.title}">' in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert ld["@type"] == "Article"
    assert ld["headline"] == brief.title
    assert ld["isBasedOn"] == brief.original_url
    assert ld["datePublished"].startswith(str(brief.published_at.year))


def test_json_ld_cannot_be_broken_out_of_by_a_title(client, catalogue):
    brief = make_article(title="Ends </script><script>alert(1)</script>", status="published")
    html = text_of(client.get(brief.get_absolute_url()))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(block)["headline"].startswith("Ends </script>")


def test_brief_page_query_count_does_not_grow_with_taxonomy_or_related(
    client, catalogue, django_assert_max_num_queries
):
    brief = catalogue["briefs"]["distillation"]
    for other in add_published_briefs(6):
        RelatedLink.objects.create(from_article=brief, to_article=other, score=0.5)
    brief.topics.add(*[make_topic() for _ in range(5)])
    brief.roles.add(*[make_role() for _ in range(5)])
    with django_assert_max_num_queries(6):
        assert client.get(brief.get_absolute_url()).status_code == 200


# --- Home -------------------------------------------------------------------------------


def test_home_lists_latest_briefs_and_entry_points(client, catalogue):
    html = text_of(client.get(reverse("articles:home")))
    assert catalogue["briefs"]["distillation"].title in html
    assert catalogue["briefs"]["draft"].title not in html
    for obj in (catalogue["roles"]["cto"], catalogue["areas"]["tech"], catalogue["topics"]["chips"]):
        assert f'href="{obj.get_absolute_url()}"' in html
    assert f'href="{reverse("articles:depth", args=["advanced"])}"' in html
    # CTO is best-for two published briefs (the draft does not count).
    assert re.search(r">CTO <span class=\"count\">2</span>", html)


def test_home_query_count_does_not_grow_with_briefs(client, catalogue, django_assert_max_num_queries):
    add_published_briefs(15)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("articles:home")).status_code == 200


def test_home_made_again_reads_only_the_kept_counts_and_its_briefs(
    client, catalogue, settings, django_assert_num_queries
):
    settings.WEB_PAGE_CACHE_SECONDS = 0  # the page made again, as after a publish retires it
    add_published_briefs(15)
    first = client.get(reverse("articles:home")).content
    # The filter options' names are kept (as the cards are): the library's kept counts, the page's briefs.
    with django_assert_num_queries(2) as captured:
        assert client.get(reverse("articles:home")).content == first
    # Only the counts of the ways in home shows: not a row for each of a library's (thousand) sources.
    (counts,) = [query["sql"] for query in captured.captured_queries if "articles_facetcount" in query["sql"]]
    assert "'topic'" in counts and "'source'" not in counts


# --- Listings ---------------------------------------------------------------------------


def test_role_listing_combines_with_an_area_filter(client, catalogue):
    url = catalogue["roles"]["cto"].get_absolute_url()
    everything = titles_in(text_of(client.get(url)))
    assert set(everything) == {"Distillation is a technique, not an attack", "Where the GPUs went"}
    area = catalogue["areas"]["policy"]
    narrowed = text_of(client.get(url, {"area": area.slug}))
    assert titles_in(narrowed) == ["Distillation is a technique, not an attack"]
    assert "1 brief<" in narrowed
    assert f"Remove filter Area: {area.name}" in narrowed


def test_listing_facets_count_what_each_choice_would_give(client, catalogue):
    html = text_of(client.get(catalogue["roles"]["cto"].get_absolute_url()))
    assert '<option value="technology-digital">Technology &amp; Digital (2)</option>' in html
    assert '<option value="public-policy">Public Policy (1)</option>' in html
    assert '<option value="advanced">Advanced (1)</option>' in html
    assert 'id="filter-role"' not in html  # the page's own scope is not a filter


def test_facet_counts_say_what_switching_a_chosen_filter_would_give(client, catalogue):
    url = reverse("articles:briefs")
    html = text_of(client.get(url, {"role": "cto"}))
    # Picking Policy Maker instead of CTO lists two briefs, not the one they share.
    assert '<option value="policy-maker">Policy Maker (2)</option>' in html
    assert len(titles_in(text_of(client.get(url, {"role": "policy-maker"})))) == 2
    # Other facets still count within the chosen role.
    assert '<option value="public-policy">Public Policy (1)</option>' in html
    query = {"q": "open weights or distillation", "level": "advanced"}
    searched = text_of(client.get(reverse("articles:search"), query))
    assert '<option value="introductory">Introductory (1)</option>' in searched


def test_area_listing_includes_its_subfields_briefs(client, catalogue):
    html = text_of(client.get(catalogue["areas"]["tech"].get_absolute_url()))
    assert set(titles_in(html)) == {"Distillation is a technique, not an attack", "Where the GPUs went"}


def test_topic_source_and_depth_listings(client, catalogue):
    assert set(titles_in(text_of(client.get(catalogue["topics"]["models"].get_absolute_url())))) == {
        "Distillation is a technique, not an attack",
        "Drafting rules for open weights",
    }
    assert titles_in(text_of(client.get(catalogue["sources"]["paper"].get_absolute_url()))) == [
        "Drafting rules for open weights"
    ]
    depth = text_of(client.get(reverse("articles:depth", args=["introductory"])))
    assert titles_in(depth) == ["Drafting rules for open weights"]
    assert client.get(reverse("articles:depth", args=["bottomless"])).status_code == 404


def test_listing_filters_by_length_and_subfield(client, catalogue):
    url = reverse("articles:briefs")
    assert titles_in(text_of(client.get(url, {"length": "long"}))) == ["Drafting rules for open weights"]
    assert titles_in(text_of(client.get(url, {"field": catalogue["subfields"]["infra"].slug}))) == [
        "Where the GPUs went"
    ]


def test_unknown_filter_values_are_reported_and_ignored(client, catalogue):
    response = client.get(reverse("articles:briefs"), {"role": "astronaut", "level": "bottomless"})
    assert response.status_code == 200
    html = text_of(response)
    assert "Ignored unknown filters: Best for “astronaut”, Level “bottomless”." in html
    assert len(titles_in(html)) == 3


class ReadsFrom:
    """A database router sending every read to one alias: the filters' look-ups on PostgreSQL."""

    def __init__(self, alias):
        self.alias = alias

    def db_for_read(self, model, **hints):
        return self.alias


@pytest.mark.django_db(databases=["default", "postgres"])
def test_filter_values_with_nul_bytes_are_ignored_not_an_error(postgres_url, settings):
    # PostgreSQL refuses NUL in any text parameter: /briefs/?role=%00 answered 500 in the scaled mode.
    settings.DATABASE_ROUTERS = [ReadsFrom("postgres")]
    filters = BriefFilters({"role": "cto\x00", "topic": "a\x00b", "area": "\x00", "field": "x\x00", "source": "\x00"})
    assert filters.selected == {}
    assert len(filters.unknown) == 5


def test_listing_ignores_a_filter_value_with_a_nul_byte(client, catalogue):
    response = client.get(reverse("articles:briefs"), {"role": "cto\x00"})
    assert response.status_code == 200
    assert "Ignored unknown filter: Best for “cto”." in text_of(response)
    assert len(titles_in(text_of(response))) == 3


def test_listing_paginates_and_keeps_filters_in_page_links(client, catalogue, settings):
    settings.WEB_PAGE_SIZE = 2
    add_published_briefs(3, roles=[catalogue["roles"]["cto"]])
    url = reverse("articles:briefs")
    first = text_of(client.get(url, {"role": "cto"}))
    assert "Page 1 of 3" in first
    assert 'href="?role=cto&amp;page=2"' in first
    last = text_of(client.get(url, {"role": "cto", "page": 3}))
    assert len(titles_in(last)) == 1
    assert text_of(client.get(url, {"role": "cto", "page": "junk"})).count('class="card"') == 2


def test_listing_query_count_does_not_grow_with_briefs(client, catalogue, django_assert_max_num_queries):
    add_published_briefs(25, roles=[catalogue["roles"]["cto"]])
    url = catalogue["roles"]["cto"].get_absolute_url()
    with django_assert_max_num_queries(15):
        assert client.get(url, {"area": catalogue["areas"]["tech"].slug, "level": "advanced"}).status_code == 200


def test_unknown_listing_is_not_found(client, catalogue):
    assert client.get(reverse("articles:role", args=["nobody"])).status_code == 404


# --- Search page ------------------------------------------------------------------------


def test_search_page_finds_and_highlights(client, catalogue):
    html = text_of(client.get(reverse("articles:search"), {"q": "distillation"}))
    assert titles_in(html)[0] == "Distillation is a technique, not an attack"
    assert "Unreleased thoughts" not in html
    assert "<mark>" in html
    assert '<meta name="robots" content="noindex">' in html


def test_search_page_facets_narrow_results(client, catalogue):
    url = reverse("articles:search")
    html = text_of(client.get(url, {"q": "open weights or distillation"}))
    assert '<option value="policy-maker">Policy Maker (2)</option>' in html
    narrowed = text_of(client.get(url, {"q": "open weights or distillation", "source": "policy-paper"}))
    assert titles_in(narrowed) == ["Drafting rules for open weights"]


@pytest.mark.parametrize("junk", ["", '"', "*", "(", "😀", "AND", "x" * 2000])
def test_search_page_is_helpful_for_empty_or_junk_queries(client, catalogue, junk):
    response = client.get(reverse("articles:search"), {"q": junk})
    assert response.status_code == 200
    html = text_of(response)
    assert "Put “quotes” around words" in html or "found" in html


def test_search_page_says_when_nothing_matched(client, catalogue):
    html = text_of(client.get(reverse("articles:search"), {"q": "zeppelin"}))
    assert "No published brief matches “zeppelin”" in html


def test_search_page_query_count_does_not_grow_with_results(client, catalogue, django_assert_num_queries, settings):
    settings.WEB_PAGE_CACHE_SECONDS = 0  # the page's own queries each time
    settings.WEB_SEARCH_KEEP_SECONDS = 0  # the search made each time (its kept outcome: test_kept_search.py)
    add_published_briefs(20, summary="Another look at distillation in practice.")
    # The matching ids, ranked in the reader's order (the newest, bounded), with their facet values counted
    # by the same query; the page's snippets; the cards not kept yet, with their roles (two); the names of
    # the roles, fields, topics and sources (four).
    with django_assert_num_queries(8):
        assert client.get(reverse("articles:search"), {"q": "distillation"}).status_code == 200
    # The cards and the taxonomy's names are kept now (articles/web/cards.py, labels.py): six queries fewer.
    with django_assert_num_queries(2):
        assert client.get(reverse("articles:search"), {"q": "distillation"}).status_code == 200
    # A filter adds its look-up and the matches without it, their facet values counted by the same query.
    with django_assert_num_queries(4):
        assert client.get(reverse("articles:search"), {"q": "distillation", "role": "cto"}).status_code == 200


def test_search_page_beyond_the_match_limit_says_more_than_and_ranks_the_newest(client, catalogue, settings):
    settings.WEB_SEARCH_MATCH_LIMIT = 2
    cto = catalogue["roles"]["cto"]
    oldest = make_article(status="published", title="Old notes", content_text="quantisation once", roles=[cto])
    title_hit = make_article(status="published", title="Quantisation explained", roles=[cto])
    newest = make_article(status="published", title="New notes", content_text="quantisation again", roles=[cto])
    html = text_of(client.get(reverse("articles:search"), {"q": "quantisation"}))
    assert "More than 2 briefs found" in html
    assert "Showing the best matches among the 2 newest." in html
    assert "Counts from the 2 newest matches." in html
    # Ranked among the newest two: the title match first, the oldest match left out.
    assert titles_in(html) == [title_hit.title, newest.title]
    assert oldest.title not in html
    assert '<option value="cto">CTO (2)</option>' in html


def test_search_page_within_the_match_limit_counts_exactly(client, catalogue, settings):
    settings.WEB_SEARCH_MATCH_LIMIT = 2
    html = text_of(client.get(reverse("articles:search"), {"q": "open weights or distillation"}))
    assert "2 briefs found" in html and "More than" not in html
    assert "Counts from" not in html


def test_every_page_has_a_labelled_search_field_named_q(client, catalogue):
    for url in (reverse("articles:home"), catalogue["briefs"]["gpus"].get_absolute_url(), reverse("articles:briefs")):
        html = text_of(client.get(url))
        assert '<label for="site-search-q"' in html
        assert 'id="site-search-q" type="search" name="q"' in html


def test_an_empty_site_still_answers_every_page(client, db):
    for url in (
        reverse("articles:home"),
        reverse("articles:briefs"),
        reverse("articles:search") + "?q=anything",
        reverse("articles:feed_rss"),
        reverse("articles:feed_atom"),
        reverse("articles:feed_json"),
        "/sitemap.xml",
        "/robots.txt",
    ):
        assert client.get(url).status_code == 200, url
    assert "No briefs have been published yet." in text_of(client.get(reverse("articles:home")))


def test_staff_preview_an_incomplete_ingested_brief(client, db):
    client.force_login(make_staff("Editor"))
    brief = make_article(complete=False, status="ingested", title="Just ingested")
    html = text_of(client.get(brief.get_absolute_url()))
    assert "Draft preview." in html
    assert "This brief is ingested and not public" in html
    assert ">Summary<" not in html


# --- Cards and brief dates --------------------------------------------------------------


def test_card_leads_with_the_takeaway_in_whole_sentences(client, catalogue):
    brief = catalogue["briefs"]["distillation"]
    brief.takeaway = (
        "Call API abuse by its name. "
        + "Keep distillation as the word for a standard technique that many labs rely on every day. " * 6
    )
    brief.save()
    html = text_of(client.get(reverse("articles:briefs")))
    card = html[html.index(f'href="{brief.get_absolute_url()}"') :]
    lead = re.search(r'<p class="card-lead">([^<]+)</p>', card).group(1)
    assert lead.startswith("Call API abuse by its name. Keep distillation")
    assert lead.endswith("every day.")  # whole sentences, never cut mid-sentence
    assert len(lead.split()) <= 45
    assert brief.summary not in html  # the takeaway leads, not the summary


def test_card_without_a_takeaway_leads_with_the_summary(client, catalogue):
    catalogue["briefs"]["gpus"].takeaway = ""
    catalogue["briefs"]["gpus"].save()
    html = text_of(client.get(reverse("articles:briefs")))
    assert '<p class="card-lead">Datacentre build-outs absorbed most accelerators shipped this year.</p>' in html


def test_cards_and_brief_show_the_originals_date_beside_ours_and_the_reading_time(client, catalogue):
    import datetime

    brief = catalogue["briefs"]["distillation"]
    brief.original_published_at = datetime.datetime(2019, 3, 4, 12, tzinfo=datetime.UTC)
    brief.author = "Ada Writer"
    brief.save()
    card_html = text_of(client.get(reverse("articles:briefs")))
    assert re.search(
        r"<span>Original <time datetime=\"2019-03-04T12:00:00\+00:00\">4 Mar 2019</time></span>", card_html
    )
    assert "<span>8 min read</span>" in card_html
    page = text_of(client.get(brief.get_absolute_url()))
    assert 'Original published <time datetime="2019-03-04T12:00:00+00:00">4 March 2019</time> by Ada Writer' in page
    assert re.search(r"Brief published <time datetime=\"[^\"]+\">\d+ \w+ \d{4}</time>", page)
    assert "Original: 8 min read" in page


def test_brief_page_links_to_the_original_near_the_top_too(client, catalogue):
    brief = catalogue["briefs"]["distillation"]
    html = text_of(client.get(brief.get_absolute_url()))
    top = html.index(f'<a href="{brief.original_url}" rel="noopener">Open the original</a>')
    assert top < html.index(">Summary<") < html.index("Read the original at Interconnects Weekly")
