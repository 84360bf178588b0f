"""Finish: share cards, favicon, dark mode and labelled landmarks on every reader page."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def meta(html: str, key: str) -> list[str]:
    return re.findall(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)


def test_brief_page_has_an_open_graph_article_card_and_a_twitter_card(client, catalogue):
    brief = catalogue["briefs"]["distillation"]
    html = client.get(brief.get_absolute_url()).content.decode()
    assert meta(html, "og:type") == ["article"]
    assert meta(html, "og:title") == [brief.title]
    assert meta(html, "og:image") == ["http://testserver/static/img/share-card.png"]
    assert meta(html, "og:image:alt")
    assert meta(html, "article:published_time") == [brief.published_at.isoformat()]
    assert meta(html, "article:section") == ["Public Policy"]
    assert meta(html, "article:tag") == ["Open models"]
    assert meta(html, "twitter:card") == ["summary_large_image"]
    assert meta(html, "twitter:title") == [brief.title]
    assert meta(html, "twitter:description") == meta(html, "og:description")


def test_listings_have_a_share_card_too(client, catalogue):
    html = client.get(catalogue["topics"]["models"].get_absolute_url()).content.decode()
    assert meta(html, "og:type") == ["website"]
    assert meta(html, "og:title") == ["Open models"]
    assert meta(html, "twitter:card") == ["summary_large_image"]
    assert not meta(html, "article:published_time")


def test_the_share_image_and_favicon_exist_and_are_linked(client, catalogue):
    assert finders.find("img/share-card.png") and finders.find("img/favicon.svg")
    html = client.get(reverse("articles:home")).content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"


def test_the_stylesheet_follows_the_readers_dark_mode_setting():
    css = Path(finders.find("css/site.css")).read_text(encoding="utf-8")
    dark = css[css.index("@media (prefers-color-scheme: dark)") :]
    for variable in ("--text", "--bg", "--link", "--muted", "--field-bg"):
        assert f"{variable}:" in dark
    assert "color-scheme: light dark" in css


READER_PAGES = [
    "articles:home",
    "articles:briefs",
    "articles:roles",
    "articles:fields",
    "articles:topics",
    "articles:sources",
    "articles:subscribe",
    "articles:for_me",
    "articles:search",
]


@pytest.mark.parametrize("name", READER_PAGES)
def test_every_reader_page_has_a_labelled_search_landmark_and_labelled_navigation(client, catalogue, name):
    html = client.get(reverse(name)).content.decode()
    searches = re.findall(r'<form class="[^"]*" role="search" aria-label="([^"]+)"', html)
    assert len(searches) == 1 and searches[0]  # one search box, its landmark named
    for nav in re.findall(r"<nav([^>]*)>", html):
        assert "aria-label=" in nav
    assert re.search(r'<footer class="site-footer" aria-label="[^"]+">', html)
