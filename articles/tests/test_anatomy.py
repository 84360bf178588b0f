"""The anatomy of a brief is declared once; the form, the serializers, the page and publishing follow it."""

import re

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from articles import anatomy, workflow
from articles.anatomy import Kind, Place, Section
from articles.api.serializers import BriefSerializer, BriefWriteSerializer
from articles.forms import ArticleAdminForm
from articles.models import Article, Status, Suggestion
from articles.tests.factories import make_article, make_staff

pytestmark = pytest.mark.django_db


def sections_in(names) -> list[str]:
    declared = anatomy.names()
    return [name for name in names if name in declared]


def test_the_curation_form_has_the_anatomys_sections_in_page_order():
    assert sections_in(ArticleAdminForm.base_fields) == anatomy.field_names()
    assert anatomy.field_names() == [s.name for s in anatomy.SECTIONS if s.kind != Kind.PER_ROLE]


def test_the_admin_shows_every_section_once_in_its_fieldsets_or_as_rows_of_its_own(rf):
    request = rf.get("/")
    request.user = make_staff("Editor")
    admin = site._registry[Article]
    shown = [name for _title, options in admin.get_fieldsets(request) for name in options["fields"]]
    assert sorted(sections_in(shown)) == sorted(anatomy.field_names())
    assert len(shown) == len(set(shown))
    # A per-role section is edited as one row per role, labelled and explained as the anatomy says.
    inlines = admin.get_inline_instances(request, make_article())
    for section in anatomy.sections(kind=Kind.PER_ROLE):
        rows = Article._meta.get_field(section.name).related_model
        (inline,) = [inline for inline in inlines if inline.model is rows]
        assert str(inline.verbose_name_plural).startswith(section.label)
        assert rows._meta.get_field("text").help_text == section.help


def test_both_serializers_have_the_anatomys_sections_in_page_order():
    assert sections_in(BriefSerializer().fields) == anatomy.names()
    assert sections_in(BriefWriteSerializer().fields) == anatomy.names()


def test_the_brief_page_shows_its_sections_in_the_anatomys_order(client):
    # Every text and list section written, whatever the anatomy holds; the factory fills the taxonomy.
    written = {s.name: "Written." for s in anatomy.sections(kind=Kind.TEXT)}
    written.update({s.name: ["One item."] for s in anatomy.sections(kind=Kind.LIST)})
    brief = make_article(status=Status.PUBLISHED, **written)
    role = brief.roles.get()
    for section in anatomy.sections(kind=Kind.PER_ROLE):
        getattr(brief, section.name).create(role=role, text="Written for this role.")
    # A per-role section is shown to a reader who chose the role, one heading per role.
    html = client.get(brief.get_absolute_url(), {"for": role.slug}).content.decode()
    headings = re.findall(r'<h2 id="(s-[a-z0-9_-]+)">', html)
    expected = [
        f"{section.page_id}-{role.slug}" if section.kind == Kind.PER_ROLE else section.page_id
        for section in anatomy.sections(place=Place.BODY)
    ]
    assert [heading for heading in headings if heading in expected] == expected
    assert html.index("<h1") < html.index("Field:") < html.index("Depth:") < html.index(expected[0])
    for section in anatomy.sections(kind=Kind.PER_ROLE):
        assert f"{section.label} {role.name}</h2>" in html

    # A reader who chose another role, or none, sees no per-role heading at all.
    for params in ({}, {"for": "someone-else"}):
        html = client.get(brief.get_absolute_url(), params).content.decode()
        assert "Written for this role." not in html
        assert all(f'id="{section.page_id}-' not in html for section in anatomy.sections(kind=Kind.PER_ROLE))


def test_every_machine_suggestion_belongs_to_one_section_of_the_brief():
    for value in Suggestion.Section.values:
        owners = [section.name for section in anatomy.SECTIONS if value in section.suggestions]
        assert len(owners) == 1, value


def test_the_models_help_texts_say_what_the_anatomy_says():
    for section in anatomy.SECTIONS:
        if section.kind == Kind.PER_ROLE:  # kept in rows: the row's text carries the help
            field = Article._meta.get_field(section.name).related_model._meta.get_field("text")
        else:
            field = Article._meta.get_field(section.name)
        assert field.help_text == section.help, section.name


def test_a_per_role_section_is_optional_and_counted_by_the_originality_check():
    from articles.enrich.originality import check_article

    copied = "the committee found that shared evaluation traces cut review time by half across every team"
    brief = make_article(status=Status.PUBLISHED, content_text=f"Intro. {copied}. Outro.")
    assert workflow.missing_for_publication(brief) == []  # no note, nothing missing
    for section in anatomy.sections(kind=Kind.PER_ROLE):
        assert not section.required
        before = check_article(brief)
        getattr(brief, section.name).create(role=brief.roles.get(), text=copied)
        assert check_article(brief).shared_share > before.shared_share


def test_what_publishing_requires_is_what_the_anatomy_marks_required():
    brief = make_article(complete=False, title="", summary="", takeaway="")
    assert workflow.missing_for_publication(brief) == [section.required for section in anatomy.required()]


# A section declared in a test: the original's plain text, required and shown (a real one would be a new field).
PLAIN = Section("content_text", Kind.TEXT, "Plain text", help="The original, as text.", required="the original's text")


@pytest.fixture
def plain_text_section(monkeypatch):
    monkeypatch.setattr(anatomy, "SECTIONS", (*anatomy.SECTIONS, PLAIN))
    return PLAIN


def test_a_section_declared_in_the_anatomy_reaches_the_form_publishing_and_the_page(plain_text_section, client):
    editor = make_staff("Editor")
    brief = make_article(status=Status.IN_REVIEW, title="Without its text", content_text="")
    request = RequestFactory().get("/")
    request.user = editor
    form = site._registry[Article].get_form(request, brief, change=True)

    assert form.base_fields["content_text"].label == "Plain text"
    assert form.base_fields["content_text"].help_text == "The original, as text."
    assert workflow.missing_for_publication(brief) == ["the original's text"]
    with pytest.raises(workflow.TransitionRefused, match="it still needs the original's text"):
        workflow.publish(article=brief, actor=editor)

    brief.content_text = "The original's words."
    brief.save()
    workflow.publish(article=brief, actor=editor)
    html = client.get(brief.get_absolute_url()).content.decode()
    assert '<h2 id="s-content_text">Plain text</h2><p>The original&#x27;s words.</p>' in html
    assert html.index(">Best for<") < html.index(">Plain text<")
