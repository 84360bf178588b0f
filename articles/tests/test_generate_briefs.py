"""The benchmark library generator: realistic, deterministic, and never let loose on a real library."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article, RelatedLink, Source, Status
from articles.tests.factories import make_source

pytestmark = pytest.mark.django_db


def generated_titles() -> list[str]:
    return list(
        Article.objects.filter(original_url__contains="//generated.example/")
        .order_by("pk")
        .values_list("title", flat=True)
    )


def test_generate_briefs_fills_taxonomy_sources_and_related_links():
    call_command("generate_briefs", count=300, sources=20, related=3, verbosity=0)

    generated = Article.objects.filter(original_url__contains="//generated.example/")
    assert generated.count() == 300
    published = generated.filter(status=Status.PUBLISHED)
    assert 200 < published.count() < 300  # mostly published, some still in the queue
    assert not published.filter(published_at__isnull=True).exists()
    # Every brief carries a field and a role, as publishing requires, and its sources are never polled.
    assert not generated.filter(fields=None).exists()
    assert not generated.filter(roles=None).exists()
    assert not Source.objects.filter(url__contains="generated.example", is_active=True).exists()
    assert RelatedLink.objects.filter(from_article__in=published).count() >= published.count() * 2


def test_generate_briefs_is_deterministic_by_seed():
    call_command("generate_briefs", count=40, sources=5, seed=11, verbosity=0)
    first = generated_titles()
    Article.objects.filter(original_url__contains="//generated.example/").delete()
    call_command("generate_briefs", count=40, sources=5, seed=11, verbosity=0)
    assert [title.rsplit(" (", 1)[0] for title in generated_titles()] == [title.rsplit(" (", 1)[0] for title in first]


def test_generate_briefs_refuses_a_database_with_real_sources():
    make_source(url="https://real-newsletter.org/feed.xml")
    with pytest.raises(CommandError, match="1 real source"):
        call_command("generate_briefs", count=10, verbosity=0)
    assert not Article.objects.exists()
