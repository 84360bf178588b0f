"""Feeds out, sitemap.xml, robots.txt and the error pages."""

import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse

from articles.tests.web.conftest import add_published_briefs

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def parse_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


def test_site_rss_and_atom_list_published_briefs_newest_first(client, catalogue):
    for name, version, mime in (
        ("feed_rss", "rss20", "application/rss+xml"),
        ("feed_atom", "atom10", "application/atom+xml"),
    ):
        response, feed = parse_feed(client, reverse(f"articles:{name}"))
        assert response["Content-Type"].startswith(mime)
        assert feed.version == version
        titles = [entry.title for entry in feed.entries]
        assert set(titles) == {
            "Distillation is a technique, not an attack",
            "Where the GPUs went",
            "Drafting rules for open weights",
        }
        entry = next(e for e in feed.entries if e.title.startswith("Distillation"))
        assert entry.link == "http://testserver" + catalogue["briefs"]["distillation"].get_absolute_url()
        assert "Original article published by Interconnects Weekly" in entry.summary
        assert [tag.term for tag in entry.tags] == ["Open models"]


@pytest.mark.parametrize("name", ["feed_rss", "feed_atom", "topic_rss", "topic_atom"])
def test_feeds_survive_control_characters_in_a_brief(client, catalogue, name):
    # Text pasted from a PDF carries form feeds and the like, which XML 1.0 cannot hold.
    topic = catalogue["topics"]["chips"]
    topic.name = "Chips\x0b and more"
    topic.save()
    add_published_briefs(
        1,
        title="Page\x0cbreak in a title",
        summary="A summary\x0b with a vertical tab.",
        takeaway="Escape\x1b sequences too.",
        topics=[topic],
    )
    url = reverse(f"articles:{name}", args=[topic.slug] if name.startswith("topic") else [])
    _response, feed = parse_feed(client, url)
    entry = next(e for e in feed.entries if e.title.startswith("Page"))
    assert entry.title == "Pagebreak in a title"
    assert "A summary with a vertical tab." in entry.summary
    assert [tag.term for tag in entry.tags] == ["Chips and more"]


@pytest.mark.parametrize(
    ("scope", "key", "expected"),
    [
        (
            "role",
            ("roles", "policy_maker"),
            {"Distillation is a technique, not an attack", "Drafting rules for open weights"},
        ),
        ("field", ("areas", "tech"), {"Distillation is a technique, not an attack", "Where the GPUs went"}),
        ("field", ("subfields", "infra"), {"Where the GPUs went"}),
        ("topic", ("topics", "chips"), {"Where the GPUs went"}),
        ("source", ("sources", "paper"), {"Drafting rules for open weights"}),
    ],
)
def test_scoped_feeds_hold_only_their_briefs(client, catalogue, scope, key, expected):
    obj = catalogue[key[0]][key[1]]
    for kind in ("rss", "atom"):
        _, feed = parse_feed(client, reverse(f"articles:{scope}_{kind}", args=[obj.slug]))
        assert {entry.title for entry in feed.entries} == expected
        assert obj.name in feed.feed.title


def test_scoped_feed_of_unknown_slug_is_not_found(client, catalogue):
    assert client.get(reverse("articles:role_rss", args=["nobody"])).status_code == 404


def test_json_feed_follows_version_1_1(client, catalogue):
    response = client.get(reverse("articles:feed_json"))
    assert response["Content-Type"].startswith("application/feed+json")
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "http://testserver" + reverse("articles:feed_json")
    assert len(feed["items"]) == 3
    item = next(i for i in feed["items"] if i["title"].startswith("Distillation"))
    assert item["external_url"] == catalogue["briefs"]["distillation"].original_url
    assert item["url"].endswith(catalogue["briefs"]["distillation"].get_absolute_url())
    assert item["date_published"]
    assert all({"id", "url", "title", "content_html"} <= set(i) for i in feed["items"])


def test_pages_advertise_their_feeds(client, catalogue):
    role = catalogue["roles"]["cto"]
    html = client.get(role.get_absolute_url()).content.decode()
    rss_url = reverse("articles:role_rss", args=[role.slug])
    assert f'type="application/rss+xml" title="Distillery — Best for CTO (RSS)" href="{rss_url}"' in html
    assert 'type="application/atom+xml" title="Distillery — Best for CTO (Atom)"' in html
    home = client.get(reverse("articles:home")).content.decode()
    for name in ("feed_rss", "feed_atom", "feed_json"):
        assert f'href="{reverse("articles:" + name)}"' in home
    assert 'rel="alternate" type="application/feed+json"' in home


def test_a_filtered_list_advertises_and_offers_its_own_feed_honouring_the_filters(client, catalogue):
    role = catalogue["roles"]["cto"]
    html = client.get(role.get_absolute_url() + "?area=public-policy").content.decode()
    rss = reverse("articles:role_rss", args=[role.slug]) + "?area=public-policy"
    # First in <head>, so a browser or feed reader finds this list's feed before the site's.
    first_alternate = re.search(r'<link rel="alternate" type="([^"]+)" title="([^"]+)" href="([^"]+)"', html)
    assert first_alternate.groups() == ("application/rss+xml", "Distillery — Best for CTO (Public Policy) (RSS)", rss)
    assert re.search(r"Subscribe to this list</summary>", html)
    assert f'value="http://testserver{rss}"' in html
    feed = feedparser.parse(client.get(rss).content)
    assert [entry.title for entry in feed.entries] == ["Distillation is a technique, not an attack"]
    assert feed.feed.title == "Distillery — Best for CTO (Area: Public Policy)"


def test_depth_listing_offers_a_feed_of_that_depth_alone(client, catalogue):
    html = client.get(reverse("articles:depth", args=["advanced"])).content.decode()
    rss = reverse("articles:feed_rss") + "?level=advanced"
    assert f'value="http://testserver{rss}"' in html
    feed = feedparser.parse(client.get(rss).content)
    assert [entry.title for entry in feed.entries] == ["Distillation is a technique, not an attack"]


def test_list_feeds_carry_the_readers_roles_since_a_feed_reader_has_no_cookie(client, catalogue):
    client.cookies["for_roles"] = "cto"
    html = client.get(reverse("articles:briefs") + "?level=intermediate").content.decode()
    assert f'value="http://testserver{reverse("articles:feed_rss")}?level=intermediate&amp;for=cto"' in html


def test_a_feed_ignores_unknown_filters_rather_than_failing(client, catalogue):
    response = client.get(reverse("articles:feed_rss") + "?topic=no-such-topic&level=%00")
    assert response.status_code == 200
    assert len(feedparser.parse(response.content).entries) == 3


def test_subscribe_page_explains_every_feed_with_addresses_to_copy(client, catalogue):
    response = client.get(reverse("articles:subscribe"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("feed_rss", "feed_atom", "feed_json"):
        assert f'readonly value="http://testserver{reverse("articles:" + name)}"' in html
    for obj in (
        catalogue["roles"]["cto"],
        catalogue["areas"]["tech"],
        catalogue["subfields"]["ai"],
        catalogue["topics"]["chips"],
        catalogue["sources"]["paper"],
    ):
        assert f'href="{obj.get_absolute_url()}rss/"' in html
        assert client.get(obj.get_absolute_url() + "rss/").status_code == 200
    assert "Any list you filter" in html
    # Email digests: the page sends readers to the sign-up.
    assert '<a href="/subscribe/email/">Sign up for email digests</a>' in html


def test_subscribe_page_writes_the_feed_address_for_the_readers_roles(client, catalogue):
    client.cookies["for_roles"] = "policy-maker"
    html = client.get(reverse("articles:subscribe")).content.decode()
    assert f'value="http://testserver{reverse("articles:feed_rss")}?for=policy-maker"' in html


def test_subscribe_page_query_count_does_not_grow_with_briefs(client, catalogue, django_assert_num_queries):
    add_published_briefs(10)
    # Roles, topics, sources (one each, with their kept counts) and the field tree (two).
    with django_assert_num_queries(5):
        assert client.get(reverse("articles:subscribe")).status_code == 200


def test_subscribe_in_the_menu_opens_the_subscribe_page_not_raw_xml(client, catalogue):
    html = client.get(reverse("articles:home")).content.decode()
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    assert f'<a href="{reverse("articles:subscribe")}">Subscribe</a>' in nav


def sitemap_locations(client) -> set[str]:
    """Every address in the sitemap index's sitemaps, following their pages."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    locations = set()
    for sitemap_url in [loc.text for loc in ET.fromstring(index.content).findall(".//sm:loc", SITEMAP_NS)]:
        page = 1
        while True:
            response = client.get(sitemap_url.removeprefix("http://testserver"), {"p": page})
            if response.status_code == 404:
                break
            assert response.status_code == 200
            locations |= {loc.text for loc in ET.fromstring(response.content).findall(".//sm:loc", SITEMAP_NS)}
            page += 1
    return locations


def test_sitemap_lists_published_briefs_and_listings_only(client, catalogue):
    locations = sitemap_locations(client)
    briefs = catalogue["briefs"]
    for key in ("distillation", "gpus", "rules"):
        assert "http://testserver" + briefs[key].get_absolute_url() in locations
    assert "http://testserver" + briefs["draft"].get_absolute_url() not in locations
    for obj in (
        catalogue["roles"]["cto"],
        catalogue["areas"]["tech"],
        catalogue["subfields"]["ai"],
        catalogue["topics"]["chips"],
        catalogue["sources"]["paper"],
    ):
        assert "http://testserver" + obj.get_absolute_url() in locations
    assert "http://testserver" + reverse("articles:depth", args=["advanced"]) in locations
    assert "http://testserver" + reverse("articles:depth", args=["expert"]) not in locations
    assert "http://testserver" + reverse("articles:home") in locations
    for name in ("roles", "fields", "topics", "sources", "subscribe"):
        assert "http://testserver" + reverse(f"articles:{name}") in locations


def test_sitemap_pages_list_every_brief_beyond_one_page(client, catalogue, monkeypatch):
    from articles.web.sitemaps import BriefSitemap

    monkeypatch.setattr(BriefSitemap, "limit", 2)
    more = add_published_briefs(3)
    locations = sitemap_locations(client)
    for brief in [*more, catalogue["briefs"]["gpus"]]:
        assert "http://testserver" + brief.get_absolute_url() in locations


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /admin/" in body


def test_not_found_page_offers_search_and_home(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'name="q"' in html


def test_server_error_handler_answers_with_our_page(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_server_error_page_renders_without_a_request_or_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Something went wrong on our side" in html


def test_sitemap_index_dates_its_briefs_by_the_newest_change_in_a_constant_number_of_queries(
    client, catalogue, django_assert_num_queries
):
    from articles.web.sitemaps import BriefSitemap

    assert BriefSitemap.limit == 50000  # the protocol's ceiling per sitemap page
    newest = catalogue["briefs"]["gpus"]
    newest.summary = "Edited just now."
    newest.save()
    newest.refresh_from_db()
    # The newest change, and the kept counts twice (the number of briefs; the number of listings that have
    # briefs): no listing and no brief is built to count the sitemap's pages.
    with django_assert_num_queries(3):
        index = client.get("/sitemap.xml")
    entries = ET.fromstring(index.content).findall(".//sm:sitemap", SITEMAP_NS)
    brief_entry = next(e for e in entries if "sitemap-briefs" in e.find("sm:loc", SITEMAP_NS).text)
    assert brief_entry.find("sm:lastmod", SITEMAP_NS).text.startswith(newest.updated_at.strftime("%Y-%m-%dT%H:%M:%S"))
    add_published_briefs(5)
    cache.clear()  # the page cache retires pages on commit, which a test's transaction never reaches
    with django_assert_num_queries(3):
        client.get("/sitemap.xml")


def test_a_page_of_the_briefs_sitemap_is_what_djangos_sitemap_view_makes_of_it(
    rf, catalogue, monkeypatch, settings, django_assert_num_queries
):
    from django.contrib.sitemaps import views as sitemap_views
    from django.http import Http404

    from articles.models import Article
    from articles.web.sitemaps import BriefSitemap, brief_urlset

    # The page is written without the template (50,000 entries a page); its bytes must stay the template's.
    settings.TIME_ZONE = "Pacific/Auckland"  # late evening in UTC is the next day there: dates are the reader's zone's
    monkeypatch.setattr(BriefSitemap, "limit", 2)
    late = add_published_briefs(3)[0]
    Article.objects.filter(pk=late.pk).update(updated_at="2026-11-30T23:30:00Z")
    written = []
    for number in ("1", "2", "3", "4", "x", "0"):
        request = rf.get("/sitemap-briefs.xml", {"p": number})
        try:
            expected = sitemap_views.sitemap(request, sitemaps={"briefs": BriefSitemap}, section="briefs")
        except Http404 as refused:
            with pytest.raises(Http404, match=re.escape(str(refused))):
                brief_urlset(request)
            continue
        with django_assert_num_queries(2):  # how many briefs there are (kept), the page's rows
            ours = brief_urlset(request)
        assert ours.content == expected.render().content
        assert ours["Last-Modified"] == expected["Last-Modified"]
        assert ours["X-Robots-Tag"] == expected["X-Robots-Tag"]
        assert ours["Content-Type"] == expected["Content-Type"]
        written.append(ours.content.decode())
    assert len(written) == 3  # six published briefs, two a page
    assert f"{late.slug}/</loc><lastmod>2026-12-01</lastmod>" in "".join(written)
