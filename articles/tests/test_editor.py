"""The brief editor keeps everyone's work: versions checked on save, presence, the live bar, in-place decisions."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles.enrich.related import refresh_related
from articles.models import Article, EnrichmentRun, RelatedLink, Status, Suggestion
from articles.tests.enrich.conftest import KNOWN_TEXT, change_form_data
from articles.tests.factories import make_article, make_staff, make_topic, signed_in
from articles.tests.test_edit_rule import suggestion_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def change_url(brief) -> str:
    return reverse("admin:articles_article_change", args=[brief.pk])


def opened_form(client, brief) -> dict:
    """What the browser would send back from the change form as it was loaded now."""
    return change_form_data(client.get(change_url(brief)).content.decode())


def test_the_later_of_two_saves_on_one_brief_is_refused_and_keeps_both_texts():
    brief = make_article(status=Status.DRAFT, summary="The summary as ingested.")
    alice, bob = signed_in(make_staff("Curator")), signed_in(make_staff("Editor"))
    alice_form, bob_form = opened_form(alice, brief), opened_form(bob, brief)

    saved = alice.post(change_url(brief), {**alice_form, "summary": ["Alice's careful summary."], "_continue": "1"})
    assert saved.status_code == 302

    refused = bob.post(change_url(brief), {**bob_form, "summary": ["Bob's own summary."], "_continue": "1"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Someone else saved this brief after you opened it" in page
    conflict = page[page.index('id="editor-conflict"') :]
    assert "Alice&#x27;s careful summary." in conflict and "Bob&#x27;s own summary." in conflict
    # Bob's text is still in the form, and Alice's is what is stored.
    assert re.search(r'<textarea name="summary"[^>]*>\s*Bob&#x27;s own summary.</textarea>', page)
    assert Article.objects.get(pk=brief.pk).summary == "Alice's careful summary."

    # Having read both, Bob saves again from the refused page: now his version is kept, knowingly.
    again = bob.post(change_url(brief), {**change_form_data(page), "_continue": "1"})
    assert again.status_code == 302
    assert Article.objects.get(pk=brief.pk).summary == "Bob's own summary."


def test_a_save_without_the_version_it_was_loaded_from_is_refused():
    brief = make_article(status=Status.DRAFT, summary="As ingested.")
    client = signed_in(make_staff("Curator"))
    form = opened_form(client, brief)
    del form["_version"]
    response = client.post(change_url(brief), {**form, "summary": ["Changed."], "_continue": "1"})
    assert response.status_code == 200
    assert Article.objects.get(pk=brief.pk).summary == "As ingested."


def test_the_form_carries_the_version_the_api_etag_starts_with_and_if_match_accepts():
    brief = make_article(status=Status.DRAFT)
    editor = make_staff("Editor")
    client = signed_in(editor)
    form = opened_form(client, brief)
    api = client.get(reverse("api:brief-detail", args=[brief.slug]), HTTP_ACCEPT="application/json")
    assert api["ETag"].startswith(f'"{form["_version"][0]}.')
    patched = client.patch(
        reverse("api:brief-detail", args=[brief.slug]),
        {"summary": "Written through the API with the panel's token."},
        content_type="application/json",
        HTTP_IF_MATCH=form["_version"][0],
    )
    assert patched.status_code == 200


def test_a_worker_refreshing_related_briefs_between_open_and_save_does_not_refuse_the_save():
    text = "Event streams replace nightly batch jobs for orders, payments and stock levels."
    brief = make_article(status=Status.DRAFT, title="Orders on a stream", content_text=text, summary="As drafted.")
    # Nothing in common with the brief, not even the factory's wording of the other sections.
    bread = "Flour and water, fed daily."
    gone = make_article(
        status=Status.PUBLISHED,
        title="Sourdough",
        content_text=bread,
        **dict.fromkeys(("summary", "takeaway", "method"), bread),
        **{key: [bread] for key in ("insights", "principles", "in_practice")},
    )
    RelatedLink.objects.create(from_article=brief, to_article=gone, score=0.3)
    for n in range(3):
        make_article(status=Status.PUBLISHED, title=f"Streams {n}", content_text=f"{text} Part {n}.")
    client = signed_in(make_staff("Curator"))
    form = opened_form(client, brief)
    assert form["related_links-TOTAL_FORMS"] == ["1"]  # the computed link the worker is about to drop

    refresh_related(article=brief)  # the worker: the stale link goes, three close ones arrive
    Article.objects.filter(pk=brief.pk).update(updated_at=timezone.now())  # and the row's date moves
    assert not RelatedLink.objects.filter(from_article=brief, to_article=gone).exists()

    saved = client.post(change_url(brief), {**form, "summary": ["Our own words on streams."], "_continue": "1"})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert Article.objects.get(pk=brief.pk).summary == "Our own words on streams."
    assert RelatedLink.objects.filter(from_article=brief).count() == 3  # the worker's links are kept

    # A colleague's text edit is another matter: the next stale save is refused.
    stale = opened_form(client, brief)
    Article.objects.filter(pk=brief.pk).update(takeaway="A colleague's takeaway.")
    refused = client.post(change_url(brief), {**stale, "summary": ["Mine again."], "_continue": "1"})
    assert refused.status_code == 200 and "Someone else saved this brief" in refused.content.decode()
    assert Article.objects.get(pk=brief.pk).summary == "Our own words on streams."


def test_a_patch_through_the_api_refuses_the_panels_stale_save():
    brief = make_article(status=Status.DRAFT, summary="As ingested.")
    editor = make_staff("Editor")
    panel = signed_in(editor)
    form = opened_form(panel, brief)
    api = signed_in(editor)
    etag = api.get(reverse("api:brief-detail", args=[brief.slug]), HTTP_ACCEPT="application/json")["ETag"]
    patched = api.patch(
        reverse("api:brief-detail", args=[brief.slug]),
        {"summary": "Written through the API."},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert patched.status_code == 200
    refused = panel.post(change_url(brief), {**form, "summary": ["Written in the panel."], "_continue": "1"})
    assert refused.status_code == 200
    assert Article.objects.get(pk=brief.pk).summary == "Written through the API."


def test_the_editor_shows_who_else_has_the_brief_open():
    brief = make_article(status=Status.DRAFT)
    alice = make_staff("Curator", first_name="Alice", last_name="Martin")
    bob = make_staff("Editor", username="bob")
    presence = reverse("admin:articles_article_presence", args=[brief.pk])
    assert signed_in(alice).post(presence).json() == {"others": []}
    assert signed_in(bob).post(presence).json() == {"others": ["Alice Martin"]}
    assert "Also open by Alice Martin" in signed_in(bob).get(change_url(brief)).content.decode()
    signed_in(alice).post(presence, {"closed": "1"})
    assert signed_in(bob).post(presence).json() == {"others": []}


def test_the_bar_says_what_blocks_publishing_for_the_text_being_typed():
    brief = make_article(status=Status.DRAFT, complete=False, content_text=KNOWN_TEXT)
    client = signed_in(make_staff("Curator"))
    live = reverse("admin:articles_article_live", args=[brief.pk])
    form = opened_form(client, brief)
    before = client.post(live, {**form, "summary": [""]}).json()
    after = client.post(live, {**form, "summary": ["A summary in our own words about the orders."]}).json()
    assert any("summary" in item for item in before["missing"])
    assert not any("summary" in item for item in after["missing"])
    copied = client.post(live, {**form, "summary": [KNOWN_TEXT[:400]]}).json()["copied"]
    assert copied["sections"]["summary"] > 80 and copied["overall"] > 0


def test_accepting_a_suggestion_in_place_answers_the_new_text_and_version():
    brief = make_article(status=Status.DRAFT, takeaway="")
    suggestion = suggestion_for(brief, "takeaway", "Move the orders to a stream.")
    client = signed_in(make_staff("Curator"))
    form = opened_form(client, brief)
    url = reverse("admin:articles_article_suggestion", args=[brief.pk, suggestion.pk, "accept"])
    answer = client.post(url, {"_version": form["_version"][0]}, HTTP_ACCEPT="application/json").json()
    assert answer["value"] == "Move the orders to a stream."
    assert answer["version"] != form["_version"][0]
    # The form, now carrying the answered version, saves without a false conflict.
    saved = client.post(
        change_url(brief),
        {**form, "takeaway": [answer["value"]], "_version": [answer["version"]], "_continue": "1"},
    )
    assert saved.status_code == 302


def test_an_in_place_decision_does_not_refresh_a_form_someone_else_has_overtaken():
    brief = make_article(status=Status.DRAFT, summary="As ingested.")
    suggestion = suggestion_for(brief, "takeaway", "A takeaway.")
    bob = signed_in(make_staff("Editor"))
    stale = opened_form(bob, brief)["_version"][0]
    Article.objects.filter(pk=brief.pk).update(summary="Someone else's summary.")
    url = reverse("admin:articles_article_suggestion", args=[brief.pk, suggestion.pk, "discard"])
    answer = bob.post(url, {"_version": stale}).json()
    assert answer["version"] == stale


def test_save_and_next_opens_the_next_brief_in_queue_order():
    first = make_article(status=Status.DRAFT, title="First in the queue")
    second = make_article(status=Status.IN_REVIEW, title="Second in the queue")
    make_article(status=Status.PUBLISHED, title="Already out")
    client = signed_in(make_staff("Curator"))
    response = client.post(change_url(first), {**opened_form(client, first), "_save_next": "Save and next"})
    assert response.status_code == 302 and response["Location"] == change_url(second)
    last = client.post(change_url(second), {**opened_form(client, second), "_save_next": "Save and next"})
    assert last["Location"] == reverse("admin:articles_workqueueitem_changelist")


def test_save_and_next_keeps_to_the_queue_as_it_was_filtered():
    source = make_article(status=Status.DRAFT, title="First from the chosen source").source
    make_article(status=Status.DRAFT, title="From another source")
    second = make_article(status=Status.DRAFT, title="Second from the chosen source", source=source)
    first = Article.objects.get(title="First from the chosen source")
    client = signed_in(make_staff("Curator"))
    filters = f"?_changelist_filters=source__id__exact%3D{source.pk}"
    url = reverse("admin:articles_workqueueitem_change", args=[first.pk]) + filters
    form = change_form_data(client.get(url).content.decode())
    response = client.post(url, {**form, "_save_next": "Save and next"})
    assert response["Location"] == reverse("admin:articles_workqueueitem_change", args=[second.pk]) + filters
    last = client.post(response["Location"], {**opened_form(client, second), "_save_next": "Save and next"})
    assert last["Location"] == reverse("admin:articles_workqueueitem_changelist") + f"?source__id__exact={source.pk}"


def test_accepting_a_topic_in_place_names_the_entry_the_form_must_now_show_chosen():
    brief = make_article(status=Status.DRAFT, topics=[])
    topic = make_topic("Event streams")
    run = EnrichmentRun.objects.create(article=brief, backend=EnrichmentRun.Backend.EXTRACTIVE)
    suggestion = Suggestion.objects.create(
        article=brief, run=run, section="topic", topic=topic, text="Event streams", confidence=0.8
    )
    client = signed_in(make_staff("Curator"))
    form = opened_form(client, brief)
    url = reverse("admin:articles_article_suggestion", args=[brief.pk, suggestion.pk, "accept"])
    answer = client.post(url, {"_version": form["_version"][0]}).json()
    assert answer["entry"] == {"id": topic.pk, "label": "Event streams"}
    saved = client.post(
        change_url(brief),
        {**form, "topics": [str(answer["entry"]["id"])], "_version": [answer["version"]], "_continue": "1"},
    )
    assert saved.status_code == 302
    assert list(Article.objects.get(pk=brief.pk).topics.all()) == [topic]
