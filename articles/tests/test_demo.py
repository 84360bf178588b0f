import pytest
from django.core.management import call_command
from django.db.models import Count

from articles.models import Article, Field, Length, RelatedLink, Role, Source, Status, Topic
from articles.workflow import missing_for_publication

pytestmark = pytest.mark.django_db

MODELS = (Article, Field, Role, Topic, Source, RelatedLink)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS} | {
        "history": Article.history.count(),
        "statuses": dict(Article.objects.values_list("status").annotate(n=Count("pk")).order_by()),
    }


def test_load_demo_twice_changes_nothing():
    call_command("load_demo", verbosity=0)
    first = counts()
    call_command("load_demo", verbosity=0)
    assert counts() == first


def test_load_demo_keeps_a_curators_edit():
    call_command("load_demo", verbosity=0)
    brief = Article.objects.order_by("pk").first()
    brief.summary = "Rewritten by our curator."
    brief.save()
    call_command("load_demo", verbosity=0)
    brief.refresh_from_db()
    assert brief.summary == "Rewritten by our curator."


def test_demo_library_is_broad_enough_to_browse():
    call_command("load_demo", verbosity=0)
    briefs = Article.objects.with_taxonomy()
    assert briefs.count() >= 12
    published = briefs.filter(status=Status.PUBLISHED)
    used_subfields = Field.objects.filter(articles__in=briefs).distinct()
    assert Field.objects.areas().filter(subfields__in=used_subfields).distinct().count() >= 4
    assert Role.objects.filter(articles__in=published).distinct().count() >= 6
    assert Topic.objects.filter(articles__in=published).distinct().count() >= 10
    assert Source.objects.filter(articles__in=briefs).distinct().count() >= 4
    assert set(briefs.values_list("length", flat=True)) == set(Length.values)
    assert len(set(briefs.values_list("level", flat=True))) >= 3
    assert briefs.filter(status=Status.DRAFT).exists()
    assert briefs.filter(status=Status.IN_REVIEW).exists()


def test_every_demo_brief_has_every_section_filled():
    call_command("load_demo", verbosity=0)
    for brief in Article.objects.with_taxonomy():
        assert missing_for_publication(brief) == [], brief.title
        for section in ("insights", "principles", "in_practice", "method", "content_text", "level", "length"):
            assert getattr(brief, section), f"{brief.title}: {section} is empty"
        assert brief.topics.all(), brief.title


def test_demo_sources_are_never_polled_and_stay_on_reserved_domains():
    call_command("load_demo", verbosity=0)
    assert not Source.objects.active().exists()
    for url in [*Source.objects.values_list("url", flat=True), *Article.objects.values_list("original_url", flat=True)]:
        host = url.split("/")[2]
        assert host.endswith(".example"), url


def test_published_demo_briefs_have_related_briefs():
    call_command("load_demo", verbosity=0)
    for brief in Article.objects.published():
        shown = list(RelatedLink.objects.shown_for(brief))
        assert shown, f"{brief.title} has no related briefs"
        assert all(link.to_article.status == Status.PUBLISHED for link in shown)


def test_some_demo_briefs_say_why_they_matter_for_roles_they_are_best_for_within_the_originality_limit():
    from articles.enrich.originality import check_article
    from articles.models import RoleNote

    call_command("load_demo", verbosity=0)
    notes = list(RoleNote.objects.select_related("article", "role"))
    assert len({note.article_id for note in notes}) >= 3
    for note in notes:
        assert note.article.roles.filter(pk=note.role_id).exists(), note
        assert not check_article(note.article).exceeds(), note.article.title
