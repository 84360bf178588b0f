"""The work queue: one row per story saying what each brief still needs, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles.admin import editing
from articles.enrich.clusters import assign_story_cluster
from articles.models import Article, Status
from articles.tests.enrich.conftest import KNOWN_TEXT
from articles.tests.factories import (
    make_area,
    make_article,
    make_role,
    make_staff,
    make_subfield,
    make_topic,
    signed_in,
)
from articles.tests.test_edit_rule import suggestion_for

pytestmark = pytest.mark.django_db

QUEUE = "admin:articles_workqueueitem_changelist"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


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


# Two of them fill the filters (the fields to choose from, and the staff whose open briefs "Open by"
# names); one reads the per-role notes that "Copied" counts with the other sections.
QUERIES = 17


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


def test_the_queue_filters_by_field_role_topic_source_blocker_age_and_who_has_it_open():
    area = make_area("Technology")
    streams, chips = make_subfield(area, "Event streams"), make_subfield(make_area("Industry"), "Chips")
    cto, topic = make_role("CTO"), make_topic("Payments")
    on_streams = make_article(title="On streams, ready", fields=[streams], roles=[cto], topics=[topic])
    on_chips = make_article(title="On chips, no takeaway", fields=[chips], takeaway="  ")
    bare = make_article(title="Bare draft", complete=False)
    Article.objects.filter(pk=bare.pk).update(created_at=timezone.now() - timedelta(days=10))
    editor = make_staff("Editor", first_name="Erin")
    alice = make_staff("Curator", first_name="Alice")
    editing.mark_open(article_id=on_chips.pk, user=alice)
    editing.mark_open(article_id=bare.pk, user=editor)
    client = signed_in(editor)

    def shown(**query) -> set[str]:
        page = client.get(reverse(QUEUE), query).content.decode()
        return {b.title for b in (on_streams, on_chips, bare) if f">{b.title}</span>" in page}

    assert shown(field=area.pk) == {"On streams, ready"}  # an area takes its subfields
    assert shown(status__exact="draft") == {"On streams, ready", "On chips, no takeaway", "Bare draft"}
    assert shown(field=chips.pk) == {"On chips, no takeaway"}
    assert shown(roles__id__exact=cto.pk) == {"On streams, ready"}
    assert shown(topics__id__exact=topic.pk) == {"On streams, ready"}
    assert shown(source__id__exact=on_chips.source_id) == {"On chips, no takeaway"}
    assert shown(blocked_by="nothing") == {"On streams, ready"}
    assert shown(blocked_by="takeaway") == {"On chips, no takeaway", "Bare draft"}
    assert shown(blocked_by="fields") == {"Bare draft"}
    assert shown(waiting="day") == {"On streams, ready", "On chips, no takeaway"}
    assert shown(waiting="month") == {"Bare draft"}
    assert shown(open_by="me") == {"Bare draft"}
    assert shown(open_by=f"user-{alice.pk}") == {"On chips, no takeaway"}
    assert shown(open_by="nobody") == {"On streams, ready"}
    page = client.get(reverse(QUEUE)).content.decode()
    assert "Technology — Event streams" in page and "Needs a key takeaway" in page and ">Alice<" in page
    assert "?status__exact=published" not in page  # only the statuses a queued brief can have


def test_the_step_keys_shown_are_those_the_person_may_press_and_each_row_says_which_are_open():
    ready = make_article(status=Status.DRAFT, title="Ready draft")
    unfinished = make_article(status=Status.DRAFT, complete=False, title="Unfinished draft")
    editor_page = signed_in(make_staff("Editor")).get(reverse(QUEUE)).content.decode()
    curator_page = signed_in(make_staff("Curator")).get(reverse(QUEUE)).content.decode()

    legend = editor_page[editor_page.index('id="queue-step-keys"') :][:400]
    assert "<kbd>s</kbd> submit for review" in legend and "<kbd>p</kbd> publish" in legend
    assert "<kbd>r</kbd> reject (asks first)" in legend and "<kbd>a</kbd> archive (asks first)" in legend
    curator_legend = curator_page[curator_page.index('id="queue-step-keys"') :][:400]
    assert "<kbd>s</kbd> submit for review" in curator_legend and "publish" not in curator_legend

    def row_steps(page, brief):
        cell = page[: page.index(f">{brief.title}</span>")]
        return cell[cell.rindex('data-steps="') :].split('"')[1].split()

    assert row_steps(editor_page, ready) == ["submit", "publish", "reject", "archive"]
    assert row_steps(editor_page, unfinished) == ["reject", "archive"]
    assert row_steps(curator_page, ready) == ["submit"]
    assert "waits for at least one field" in editor_page[: editor_page.index(f">{unfinished.title}</span>")][-800:]
