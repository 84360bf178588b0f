"""A listing's deep pages: the same briefs as the list sliced, for the queries of page one."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from articles.tests.web.conftest import add_published_briefs
from articles.web.readers import COOKIE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_pages(settings):
    settings.WEB_PAGE_SIZE = 4
    settings.WEB_PAGE_CACHE_SECONDS = 0  # each page's own queries
    settings.WEB_LISTING_KEEP_SECONDS = settings.WEB_CARD_SECONDS = 0  # made every time


def titles_on(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', response.content.decode())


def test_every_page_of_all_briefs_shows_the_next_briefs_newest_first(client, catalogue):
    add_published_briefs(9)
    newest_first = list(Article.objects.published().latest_first().values_list("title", flat=True))
    pages = [titles_on(client.get(reverse("articles:briefs"), {"page": number})) for number in (1, 2, 3)]
    assert [title for page in pages for title in page] == newest_first  # 12 briefs, 4 a page
    assert titles_on(client.get(reverse("articles:briefs"), {"page": 99})) == newest_first[8:]  # past the end: the last


def test_a_deep_page_keeps_the_readers_roles_first_order(catalogue):
    cto = catalogue["roles"]["cto"]
    add_published_briefs(5, roles=[cto])
    add_published_briefs(5)
    reader = Client()
    reader.cookies[COOKIE] = "cto"
    shown = [titles_on(reader.get(reverse("articles:briefs"), {"page": n})) for n in (1, 2, 3, 4)]
    for_cto = set(Article.objects.published().filter(roles=cto).values_list("title", flat=True))
    order = [title for page in shown for title in page]
    assert len(order) == len(set(order)) == Article.objects.published().count()
    assert set(order[: len(for_cto)]) == for_cto  # the CTO's briefs first, across page boundaries


def test_a_deep_page_costs_the_queries_of_page_one(client, catalogue):
    add_published_briefs(12)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("articles:briefs"))
    with CaptureQueriesContext(connection) as deep:
        client.get(reverse("articles:briefs"), {"page": 3})
    assert len(deep) == len(first)
