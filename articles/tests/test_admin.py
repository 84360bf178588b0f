import re

import pytest
from django.urls import reverse

from articles.models import Article, IngestionRun, Status
from articles.tests.factories import make_area, make_article, make_source, make_subfield
from articles.versions import edit_version

pytestmark = pytest.mark.django_db

STAFF = ["curator_client", "editor_client"]


@pytest.fixture
def briefs():
    return {
        "draft": make_article(status=Status.DRAFT, title="A draft waiting"),
        "review": make_article(status=Status.IN_REVIEW, title="A brief in review"),
        "published": make_article(status=Status.PUBLISHED, title="Already out"),
        "ingested": make_article(status=Status.INGESTED, complete=False, title="Fresh from a feed"),
    }


@pytest.mark.parametrize("who", STAFF)
@pytest.mark.parametrize(
    "page",
    [
        "admin:index",
        "admin:articles_article_changelist",
        "admin:articles_workqueueitem_changelist",
        "admin:articles_source_changelist",
        "admin:articles_ingestionrun_changelist",
        "admin:articles_field_changelist",
        "admin:articles_topic_changelist",
        "admin:articles_role_changelist",
    ],
)
def test_admin_pages_render_for_staff(request, who, page, briefs):
    client = request.getfixturevalue(who)
    response = client.get(reverse(page))
    assert response.status_code == 200


@pytest.mark.parametrize("who", STAFF)
def test_change_form_renders_with_workflow_steps(request, who, briefs):
    client = request.getfixturevalue(who)
    response = client.get(reverse("admin:articles_article_change", args=[briefs["draft"].pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Save and submit for review" in content
    assert ("Save and publish" in content) == (who == "editor_client")
    if who == "editor_client":  # reject asks first; publish does not
        assert re.search(
            r'name="_step_reject"[^>]*data-confirm="Reject “A draft waiting”\? It leaves the work queue', content
        )
        assert not re.search(r'name="_step_publish"[^>]*data-confirm', content)
    headings = re.findall(r'<h2 id="fieldset-[^"]*" class="fieldset-heading">([^<]*)</h2>', content)
    assert headings == [
        "Brief",
        "Taxonomy",
        "Depth",
        "Machine draft (suggestions)",
        "Originality",
        "Source &amp; original",
        "Workflow",
    ]
    # The original is beside the brief, not folded away below it.
    assert '<aside class="brief-original"' in content


def test_list_filters_by_status_and_searches_title_summary_and_source(editor_client, briefs):
    url = reverse("admin:articles_article_changelist")
    drafts = editor_client.get(url, {"status__exact": "draft"}).content.decode()
    assert "A draft waiting" in drafts
    assert "Already out" not in drafts
    make_article(title="Unrelated", source=make_source(name="Interconnects AI"))
    found = editor_client.get(url, {"q": "Interconnects"}).content.decode()
    assert "Unrelated" in found
    assert "A draft waiting" not in found


def test_the_brief_list_searches_words_as_the_site_does_in_every_status(editor_client, briefs):
    url = reverse("admin:articles_article_changelist")
    make_article(status=Status.DRAFT, title="Chip supply", insights=["Photonic interconnects cut power"])
    make_article(status=Status.PUBLISHED, title="Photonic computing, again", summary="Optical links at scale.")
    make_article(status=Status.INGESTED, complete=False, title="Raw photonic news")

    found = editor_client.get(url, {"q": "photonic"}).content.decode()
    assert "Chip supply" in found  # a word of its insights, not of its title or summary
    assert "Photonic computing, again" in found and "Raw photonic news" in found
    assert "A draft waiting" not in found
    narrowed = editor_client.get(url, {"q": "photonic -optical"}).content.decode()
    assert "Chip supply" in narrowed and "Photonic computing, again" not in narrowed
    assert "0 results" in editor_client.get(url, {"q": "!!!"}).content.decode()


def test_the_brief_lists_filters_offer_only_values_some_brief_has(editor_client, briefs):
    area = make_area("Quantum")
    used = make_subfield(area, "Qubits")
    make_subfield(area, "Nobody uses this one")
    make_article(status=Status.DRAFT, title="On qubits", fields=[used])
    filters = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert f"fields__id__exact={used.pk}" in filters
    assert "Nobody uses this one" not in filters


def test_work_queue_shows_drafts_and_reviews_oldest_first(editor_client, briefs):
    response = editor_client.get(reverse("admin:articles_workqueueitem_changelist"))
    content = response.content.decode()
    assert content.index("A draft waiting") < content.index("A brief in review")
    assert "Already out" not in content
    assert "Fresh from a feed" not in content


def test_admin_index_links_to_the_work_queue_with_counts(curator_client, briefs):
    content = curator_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:articles_workqueueitem_changelist") in content
    assert "1 draft and 1 in review" in content


def test_bulk_publish_publishes_complete_briefs_and_refuses_incomplete_ones(editor_client):
    complete = make_article(title="Ready to go")
    incomplete = make_article(title="Missing its takeaway", takeaway="")
    response = editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "transition_publish", "_selected_action": [complete.pk, incomplete.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("“Missing its takeaway” cannot be published yet: it still needs a key takeaway" in m for m in messages)
    assert any("Publish: done for 1 brief." in m for m in messages)
    assert Article.objects.get(pk=complete.pk).status == Status.PUBLISHED
    assert Article.objects.get(pk=incomplete.pk).status == Status.DRAFT


def test_curators_are_not_offered_editor_bulk_actions(curator_client, briefs):
    content = curator_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert 'value="transition_submit"' in content
    assert 'value="transition_publish"' not in content
    assert 'value="transition_reject"' not in content


def test_curator_cannot_publish_by_posting_the_action_anyway(curator_client, briefs):
    curator_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "transition_publish", "_selected_action": [briefs["draft"].pk]},
    )
    assert Article.objects.get(pk=briefs["draft"].pk).status == Status.DRAFT


def _form_data(article, **changes):
    data = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "takeaway": article.takeaway,
        "insights": "\n".join(article.insights),
        "principles": "\n".join(article.principles),
        "method": article.method,
        "in_practice": "\n".join(article.in_practice),
        "fields": [f.pk for f in article.fields.all()],
        "topics": [t.pk for t in article.topics.all()],
        "roles": [r.pk for r in article.roles.all()],
        "level": article.level,
        "length": article.length,
        "reading_minutes": article.reading_minutes or "",
        "source": article.source_id,
        "original_url": article.original_url,
        "author": article.author,
        "original_published_at_0": "",
        "original_published_at_1": "",
        "language": "",
        "guid": "",
        "related_links-TOTAL_FORMS": "0",
        "related_links-INITIAL_FORMS": "0",
        "related_links-MIN_NUM_FORMS": "0",
        "related_links-MAX_NUM_FORMS": "1000",
        "role_notes-TOTAL_FORMS": "0",
        "role_notes-INITIAL_FORMS": "0",
        "role_notes-MIN_NUM_FORMS": "0",
        "role_notes-MAX_NUM_FORMS": "1000",
        # The version the form was loaded from, as the change form carries it.
        "_version": edit_version(Article.objects.get(pk=article.pk)),
    }
    data.update(changes)
    return data


def test_editor_saves_the_missing_takeaway_and_publishes_in_one_click(editor_client):
    article = make_article(takeaway="")
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        _form_data(article, takeaway="CTOs should read this first.", _step_publish="Save and publish"),
        follow=True,
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.takeaway == "CTOs should read this first."
    assert article.status == Status.PUBLISHED


def test_lines_become_an_ordered_list(curator_client):
    article = make_article()
    curator_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        _form_data(article, insights="Second matters less\n\n  First matters most  \n"),
    )
    article.refresh_from_db()
    assert article.insights == ["Second matters less", "First matters most"]


def test_a_refused_step_keeps_the_edit_and_says_why(curator_client):
    article = make_article(summary="")
    response = curator_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        _form_data(article, title="A better title", _step_submit="Save and submit for review"),
        follow=True,
    )
    article.refresh_from_db()
    assert article.title == "A better title"
    assert article.status == Status.DRAFT
    messages = [str(m) for m in response.context["messages"]]
    assert any("it still needs a summary" in m for m in messages)


def test_view_on_site_previews_a_draft_for_staff_only(client, curator_client):
    draft = make_article(status=Status.DRAFT, title="Not public yet")
    assert curator_client.get(draft.get_absolute_url()).status_code == 200
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_source_admin_shows_health_and_recent_runs(editor_client):
    source = make_source(name="Flaky feed", is_active=True)
    source.consecutive_failures = 3
    source.last_error = "The server answered 503 Service Unavailable."
    source.save()
    IngestionRun.objects.create(source=source, status=IngestionRun.Outcome.FAILED, http_status=503, error="503")
    listing = editor_client.get(reverse("admin:articles_source_changelist")).content.decode()
    assert "Failing (3×)" in listing
    page = editor_client.get(reverse("admin:articles_source_change", args=[source.pk])).content.decode()
    assert "503 Service Unavailable" in page
    assert "Recent ingestion runs" in page


def test_history_page_lists_changes(editor_client):
    article = make_article(title="Tracked")
    article.title = "Tracked and edited"
    article.save()
    response = editor_client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert response.status_code == 200
    assert "Tracked and edited" in response.content.decode()


def test_ingestion_runs_are_read_only(editor_client):
    run = IngestionRun.objects.create(source=make_source())
    response = editor_client.post(reverse("admin:articles_ingestionrun_change", args=[run.pk]), {"error": "edited"})
    run.refresh_from_db()
    assert run.error == ""
    assert response.status_code == 403


def test_area_autocomplete_offers_areas_only(editor_client):
    area = make_area("Science & Research")
    make_subfield(area, "Climate Science")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": "field", "field_name": "parent", "term": "Sci"},
    )
    names = [item["text"] for item in response.json()["results"]]
    assert names == ["Science & Research"]


def test_curator_cannot_change_a_published_brief_in_the_panel(curator_client, editor):
    article = make_article(status=Status.PUBLISHED, title="Live")
    url = reverse("admin:articles_article_change", args=[article.pk])

    page = curator_client.get(url)
    refused = curator_client.post(url, _form_data(article, title="Sneaky"))

    assert page.status_code == 200 and 'name="title"' not in page.content.decode()  # shown read-only
    assert refused.status_code == 403
    article.refresh_from_db()
    assert article.title == "Live"
    curator_client.force_login(editor)
    curator_client.post(url, _form_data(article, title="Fixed typo"))
    article.refresh_from_db()
    assert article.title == "Fixed typo"


def test_publishing_from_the_work_queue_stays_on_the_published_brief_in_the_queue(editor_client):
    article = make_article(status=Status.IN_REVIEW, title="Ready to go")
    queue_form = reverse("admin:articles_workqueueitem_change", args=[article.pk]) + "?_changelist_filters=q%3DReady"

    response = editor_client.post(queue_form, _form_data(article, _step_publish="Save and publish"), follow=True)

    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert response.redirect_chain[-1][0] == queue_form  # the queue's filters kept, its breadcrumbs above
    messages = [str(m) for m in response.context["messages"]]
    assert any("is now published" in m for m in messages)
    assert not any("doesn’t exist" in m for m in messages)


@pytest.mark.parametrize(
    ("change", "words"),
    [({"summary": ""}, "a summary"), ({"roles": []}, "at least one role"), ({"fields": []}, "at least one field")],
)
def test_editor_cannot_empty_a_published_brief_in_the_panel(editor_client, change, words):
    article = make_article(status=Status.PUBLISHED)
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]), _form_data(article, **change)
    )
    assert response.status_code == 200  # the form again, with the reason
    assert words in response.content.decode()
    assert "unpublish it first" in response.content.decode()
    article.refresh_from_db()
    assert article.summary
    assert article.roles.exists()
    assert article.fields.exists()


def test_editor_writes_why_it_matters_for_a_role_in_the_brief_form(editor_client):
    from articles.models import RoleNote

    article = make_article()
    role = article.roles.get()
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        _form_data(
            article,
            **{
                "role_notes-TOTAL_FORMS": "1",
                "role_notes-0-role": role.pk,
                "role_notes-0-text": "Plan the migration before the vendor forces it.",
                "_continue": "Save",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    note = RoleNote.objects.get(article=article)
    assert (note.role, note.text) == (role, "Plan the migration before the vendor forces it.")
    assert note.history.count() == 1
