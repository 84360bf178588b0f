"""A published brief's page is rendered once per version of what it shows and kept for every
anonymous reader (WEB_BRIEF_BODY_SECONDS), page cache on or off; the notes for the reader's roles
are filled in per request. Every change the page shows retires it."""

import pytest
from django.test import Client

from articles import workflow
from articles.models import RelatedLink, RoleNote
from articles.tests.factories import make_staff
from articles.web.readers import COOKIE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    settings.WEB_PAGE_CACHE_SECONDS = 0  # the kept page alone, as the scale bench measures it cold
    settings.WEB_BRIEF_BODY_SECONDS = 600


@pytest.fixture
def brief(catalogue):
    return catalogue["briefs"]["distillation"]


@pytest.fixture
def editor(db):
    return make_staff("Editor")


def reader(roles: str = "") -> Client:
    client = Client()
    if roles:
        client.cookies[COOKIE] = roles
    return client


def page(url, roles: str = "") -> str:
    response = reader(roles).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_kept_brief_page_is_served_without_a_query_and_is_the_same_page(brief, django_assert_num_queries):
    first = page(brief.get_absolute_url())
    with django_assert_num_queries(0):
        again = page(brief.get_absolute_url())
    assert again == first
    assert brief.title in again and "reader-notes" not in again


def test_one_kept_page_serves_every_role_choice_with_one_query_for_the_readers_notes(
    catalogue, brief, django_assert_num_queries
):
    RoleNote.objects.create(article=brief, role=catalogue["roles"]["cto"], text="Budget for a student model.")
    RoleNote.objects.create(
        article=brief, role=catalogue["roles"]["policy_maker"], text="Name the abuse, not the method."
    )
    assert "Budget for a student model." not in page(brief.get_absolute_url())  # kept, without any notes
    with django_assert_num_queries(1):
        html = page(brief.get_absolute_url(), roles="cto")
    assert "Budget for a student model." in html
    assert "Name the abuse, not the method." not in html
    assert "Name the abuse, not the method." in page(brief.get_absolute_url(), roles="policy-maker")
    with django_assert_num_queries(0):
        assert "Budget for a student model." not in page(brief.get_absolute_url())


def test_a_kept_page_is_the_page_the_brief_renders_fresh(catalogue, brief, settings):
    RoleNote.objects.create(article=brief, role=catalogue["roles"]["cto"], text="Budget for a student model.")
    page(brief.get_absolute_url(), roles="cto")  # kept by a reader with a role chosen
    kept = page(brief.get_absolute_url(), roles="cto"), page(brief.get_absolute_url())
    settings.WEB_BRIEF_BODY_SECONDS = 0
    assert (page(brief.get_absolute_url(), roles="cto"), page(brief.get_absolute_url())) == kept


def test_an_edit_shows_on_the_kept_page_at_once(brief, django_capture_on_commit_callbacks):
    page(brief.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        brief.takeaway = "Call API abuse what it is."
        brief.save()
    assert "Call API abuse what it is." in page(brief.get_absolute_url())


def test_unpublishing_takes_the_kept_page_away_at_once(brief, editor, django_capture_on_commit_callbacks):
    page(brief.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(article=brief, actor=editor, reason="Checking a claim.")
    assert reader().get(brief.get_absolute_url()).status_code == 404


def test_a_new_related_brief_shows_on_the_kept_page(catalogue, brief, django_capture_on_commit_callbacks):
    other = catalogue["briefs"]["gpus"]
    RelatedLink.objects.filter(from_article=brief).delete()
    assert other.title not in page(brief.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        RelatedLink.objects.create(from_article=brief, to_article=other, score=0.9)
    assert other.title in page(brief.get_absolute_url())


def test_a_related_brief_unpublished_leaves_the_kept_page(catalogue, brief, editor, django_capture_on_commit_callbacks):
    other = catalogue["briefs"]["gpus"]
    RelatedLink.objects.get_or_create(from_article=brief, to_article=other, defaults={"score": 0.9})
    assert other.title in page(brief.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(article=other, actor=editor, reason="Withdrawn.")
    assert other.title not in page(brief.get_absolute_url())


def test_renaming_a_topic_shows_on_the_kept_page(catalogue, brief, django_capture_on_commit_callbacks):
    topic = catalogue["topics"]["models"]
    assert "Open weights models" not in page(brief.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        topic.name = "Open weights models"
        topic.save()
    assert "Open weights models" in page(brief.get_absolute_url())


def test_a_role_note_written_shows_on_the_kept_page_for_that_role(catalogue, brief, django_capture_on_commit_callbacks):
    page(brief.get_absolute_url(), roles="cto")
    with django_capture_on_commit_callbacks(execute=True):
        RoleNote.objects.create(article=brief, role=catalogue["roles"]["cto"], text="Plan for the teacher licence.")
    assert "Plan for the teacher licence." in page(brief.get_absolute_url(), roles="cto")


def test_staff_get_a_page_made_for_them_not_the_kept_one(catalogue, brief, editor):
    draft = catalogue["briefs"]["draft"]
    client = Client()
    client.force_login(editor)
    assert "Draft preview." in client.get(draft.get_absolute_url()).content.decode()
    page(brief.get_absolute_url())
    assert "private" in client.get(brief.get_absolute_url())["Cache-Control"]
    assert reader().get(draft.get_absolute_url()).status_code == 404


def test_each_address_keeps_its_own_page(brief):
    page(brief.get_absolute_url())
    other_host = Client(HTTP_HOST="localhost").get(brief.get_absolute_url()).content.decode()
    assert 'rel="canonical" href="http://localhost/' in other_host
    assert 'rel="canonical" href="http://testserver/' in page(brief.get_absolute_url())
