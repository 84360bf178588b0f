from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from articles.models import Article, Field, IngestionRun, Length, RelatedLink, Status
from articles.tests.factories import make_area, make_article, make_source, make_subfield

pytestmark = pytest.mark.django_db


def test_database_refuses_a_second_brief_for_the_same_original():
    first = make_article(original_url="https://origin.example/piece")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(title="Twin", source=first.source, original_url="https://origin.example/piece")
    assert Article.objects.filter(original_url="https://origin.example/piece").count() == 1


def test_database_refuses_a_duplicate_slug():
    first = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(
            title="Other", slug=first.slug, source=first.source, original_url="https://origin.example/other"
        )


def test_briefs_with_the_same_title_get_distinct_slugs():
    source = make_source()
    one = Article.objects.create(title="The distillation panic", source=source, original_url="https://a.example/1")
    two = Article.objects.create(title="The distillation panic", source=source, original_url="https://a.example/2")
    assert one.slug == "the-distillation-panic"
    assert two.slug == "the-distillation-panic-2"


def test_slug_of_a_published_brief_cannot_change():
    article = make_article(status=Status.PUBLISHED)
    article.slug = "a-new-address"
    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()
    assert "can no longer change" in str(excinfo.value)


def test_database_refuses_a_published_brief_without_a_publication_date():
    article = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status=Status.PUBLISHED, published_at=None)


def test_database_refuses_an_unknown_status():
    article = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status="lost")


def test_fields_have_two_levels_only():
    area = make_area("Technology & Digital")
    sub = make_subfield(area, "AI & ML")
    deeper = Field(name="Deep learning", slug="deep-learning", parent=sub)
    with pytest.raises(ValidationError) as excinfo:
        deeper.full_clean()
    assert "two levels" in str(excinfo.value)


def test_database_refuses_two_areas_with_one_name():
    make_area("Science")
    with pytest.raises(IntegrityError), transaction.atomic():
        Field.objects.create(name="Science", slug="science-2")


def test_field_label_groups_subfields_under_their_area():
    tech = make_area("Technology & Digital", position=1)
    policy = make_area("Public Policy", position=2)
    article = make_article(
        fields=[make_subfield(policy, "Regulation"), make_subfield(tech, "AI & ML"), make_subfield(tech, "Cloud")]
    )
    article = Article.objects.with_taxonomy().get(pk=article.pk)
    assert article.field_label == "Technology & Digital — AI & ML, Cloud; Public Policy — Regulation"


def test_depth_label_reads_like_the_brief_page():
    article = make_article(level="advanced", reading_minutes=7)
    assert article.length == Length.MEDIUM
    assert article.depth_label == "Advanced, medium"


@pytest.mark.parametrize(
    ("minutes", "length"), [(1, "short"), (4, "short"), (5, "medium"), (11, "medium"), (12, "long")]
)
def test_length_follows_reading_time(minutes, length):
    assert make_article(reading_minutes=minutes).length == length


def test_ordered_lists_must_hold_text():
    article = make_article()
    article.insights = ["A real insight", "   "]
    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()
    assert "Item 2 is empty" in str(excinfo.value)


def test_attribution_names_the_site_and_the_source(settings):
    settings.SITE_NAME = "AIssential"
    article = make_article(source=make_source(name="Interconnects AI"))
    assert article.attribution == (
        "Editorial summary, takeaway, and curation by AIssential. Original article published by Interconnects AI."
    )


def test_a_brief_cannot_be_related_to_itself():
    article = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        RelatedLink.objects.create(from_article=article, to_article=article, score=1.0)


def test_related_links_show_pinned_first_then_by_score_and_hide_excluded():
    article = make_article(status=Status.PUBLISHED)
    low, high, pinned, excluded = (make_article(status=Status.PUBLISHED) for _ in range(4))
    draft = make_article(status=Status.DRAFT)
    RelatedLink.objects.create(from_article=article, to_article=low, score=0.2)
    RelatedLink.objects.create(from_article=article, to_article=high, score=0.9)
    RelatedLink.objects.create(from_article=article, to_article=pinned, score=0.0, kind=RelatedLink.Kind.PINNED)
    RelatedLink.objects.create(from_article=article, to_article=excluded, score=0.95, kind=RelatedLink.Kind.EXCLUDED)
    RelatedLink.objects.create(from_article=article, to_article=draft, score=0.99)
    shown = [link.to_article for link in RelatedLink.objects.shown_for(article)]
    assert shown == [pinned, high, low]


def test_edits_are_kept_in_the_history():
    article = make_article(title="First title")
    article.title = "Second title"
    article.save()
    titles = [h.title for h in article.history.order_by("history_date")]
    assert titles[0] == "First title"
    assert titles[-1] == "Second title"


def test_ingestion_run_reports_its_duration():
    source = make_source()
    run = IngestionRun.objects.create(source=source)
    assert run.duration is None
    run.finished_at = run.started_at + timedelta(seconds=3)
    assert run.duration.total_seconds() == 3
