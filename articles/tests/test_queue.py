"""The work queue: one row per story saying what each brief still needs, in a fixed number of queries."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from articles.admin import editing
from articles.enrich.clusters import assign_story_cluster
from articles.models import Article, Status
from articles.tests.enrich.conftest import KNOWN_TEXT
from articles.tests.factories import make_article, make_staff
from articles.tests.test_edit_rule import suggestion_for

pytestmark = pytest.mark.django_db

QUEUE = "admin:articles_workqueueitem_changelist"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_row_says_what_is_missing_how_much_is_copied_what_waits_and_who_has_it_open():
    ready = make_article(status=Status.IN_REVIEW, title="A brief ready to go", summary="Our own words.")
    unfinished = make_article(status=Status.DRAFT, complete=False, title="A draft without a summary")
    copied = make_article(
        status=Status.DRAFT, title="A copied draft", summary=KNOWN_TEXT[:500], content_text=KNOWN_TEXT
    )
    suggestion_for(unfinished, "summary", "A suggested summary.")
    suggestion_for(unfinished, "takeaway", "A suggested takeaway.")
    alice = make_staff("Curator", first_name="Alice")
    editing.mark_open(article_id=copied.pk, user=alice)

    page = signed_in(make_staff("Editor")).get(reverse(QUEUE)).content.decode()
    rows = {brief.title: page[page.index(f">{brief.title}</span>") :][:2500] for brief in (ready, unfinished, copied)}
    assert "Ready to publish" in rows[ready.title]
    assert "Needs at least one field, a summary, a key takeaway" in rows[unfinished.title]
    assert "2 suggestions waiting" in rows[unfinished.title]
    assert "(over the limit)" in rows[copied.title]
    assert "Open by Alice" in rows[copied.title]
    assert "Waiting 0 hours" in rows[ready.title]
    assert "<kbd>j</kbd> next row" in page


def test_a_story_from_two_sources_is_one_row_naming_both():
    words = " ".join(f"word{n}" for n in range(60))
    first = make_article(title="Same story told twice here", content_text=words)
    second = make_article(title="Same story told twice here", content_text=words)
    assign_story_cluster(article=second)
    page = signed_in(make_staff("Editor")).get(reverse(QUEUE)).content.decode()
    assert page.count('name="_selected_action"') == 1
    assert first.source.name in page and second.source.name in page


def test_the_queue_costs_the_same_queries_for_three_rows_as_for_nine(django_assert_num_queries):
    editor = make_staff("Editor")
    client = signed_in(editor)
    for n in range(3):
        brief = make_article(status=Status.DRAFT, content_text=KNOWN_TEXT)
        suggestion_for(brief, "summary", f"Suggestion {n}")
    client.get(reverse(QUEUE))  # the session and permissions warmed, as on every page after the first
    with django_assert_num_queries(QUERIES):
        assert client.get(reverse(QUEUE)).status_code == 200
    for _ in range(6):
        make_article(status=Status.IN_REVIEW, content_text=KNOWN_TEXT)
    with django_assert_num_queries(QUERIES):
        assert client.get(reverse(QUEUE)).status_code == 200


# 14, plus one for the per-role notes that "Copied" counts with the other sections.
QUERIES = 15


def test_bulk_reject_and_archive_take_the_selected_briefs_out_of_the_queue():
    drafts = [make_article(status=Status.DRAFT) for _ in range(3)]
    client = signed_in(make_staff("Editor"))
    client.post(reverse(QUEUE), {"action": "transition_reject", "_selected_action": [drafts[0].pk, drafts[1].pk]})
    client.post(reverse(QUEUE), {"action": "transition_archive", "_selected_action": [drafts[2].pk]})
    assert list(Article.objects.order_by("pk").values_list("status", flat=True)) == [
        Status.REJECTED,
        Status.REJECTED,
        Status.ARCHIVED,
    ]
