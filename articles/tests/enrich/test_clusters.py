"""Story clusters on real data: Daring Fireball's Atom and JSON feeds carry the same 48 posts
under different ids and links. The ingestion code lives on another branch, so the feeds are
parsed here directly (feedparser for Atom, json for JSON Feed) into briefs."""

import json
from datetime import timedelta

import feedparser
import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.utils import timezone
from django.utils.html import strip_tags

from articles.enrich.clusters import assign_story_cluster, set_story_lead, story_sources
from articles.models import Article, Status, StoryCluster, WorkQueueItem
from articles.tests.factories import make_article, make_source
from articles.workflow import EditRefused

pytestmark = pytest.mark.django_db


def _plain(html: str) -> str:
    return " ".join(strip_tags(html).split())


@pytest.fixture
def daring_fireball(corpora):
    atom_source = make_source(name="Daring Fireball (Atom)", url="https://df.example/feeds/main")
    json_source = make_source(name="Daring Fireball (JSON Feed)", url="https://df.example/feeds/json")
    atom = feedparser.parse((corpora / "realfeeds" / "netnewswire__DaringFireball.atom").read_bytes())
    feed = json.loads((corpora / "realfeeds" / "netnewswire__DaringFireball.json").read_text(encoding="utf-8"))
    atom_briefs = [
        Article.objects.create(
            source=atom_source,
            title=entry.title,
            guid=entry.id,
            # Links are rewritten to .example hosts: test data never points at the internet.
            original_url=f"https://atom.example/{n}",
            content_text=_plain(entry.content[0].value),
            status=Status.DRAFT,
        )
        for n, entry in enumerate(atom.entries)
    ]
    json_briefs = [
        Article.objects.create(
            source=json_source,
            title=item["title"],
            guid=item["id"],
            original_url=f"https://json.example/{n}",
            content_text=_plain(item.get("content_html", "")),
            status=Status.DRAFT,
        )
        for n, item in enumerate(feed["items"])
    ]
    return atom_briefs, json_briefs


def test_the_same_posts_from_two_feeds_form_one_story_each(daring_fireball):
    atom_briefs, json_briefs = daring_fireball
    assert len(atom_briefs) == len(json_briefs) == 48
    assert not {a.guid for a in atom_briefs} & {j.guid for j in json_briefs}

    for brief in json_briefs:
        assign_story_cluster(article=brief)

    assert StoryCluster.objects.count() == 48
    for brief in Article.objects.select_related("story_cluster"):
        members = list(brief.story_cluster.articles.all())
        assert len(members) == 2
        assert {m.source.name for m in members} == {"Daring Fireball (Atom)", "Daring Fireball (JSON Feed)"}
        assert len({m.title for m in members}) == 1


def test_the_queue_shows_each_story_once_with_all_its_sources(daring_fireball, editor):
    atom_briefs, json_briefs = daring_fireball
    for brief in json_briefs:
        assign_story_cluster(article=brief)
    request = RequestFactory().get("/admin/articles/workqueueitem/")
    request.user = editor
    queue_admin = site._registry[WorkQueueItem]

    shown = list(queue_admin.get_queryset(request))

    assert len(shown) == 48
    assert {brief.pk for brief in shown} == {brief.pk for brief in atom_briefs}  # the earlier copies lead
    sources = queue_admin.source_cell(shown[0])
    assert "Daring Fireball (Atom)</a> (lead), " in sources and "Daring Fireball (JSON Feed)</a>" in sources


def test_the_editor_picks_the_lead_and_the_brief_names_the_other_sources(daring_fireball, editor, curator):
    _atom_briefs, json_briefs = daring_fireball
    cluster = assign_story_cluster(article=json_briefs[0])
    chosen = Article.objects.get(pk=json_briefs[0].pk)

    with pytest.raises(EditRefused, match="Only an editor"):
        set_story_lead(cluster=cluster, article=chosen, actor=curator)
    set_story_lead(cluster=cluster, article=chosen, actor=editor)

    cluster.refresh_from_db()
    assert cluster.lead == chosen and cluster.lead_chosen_by == editor
    assert [source.name for source in story_sources(chosen)] == ["Daring Fireball (Atom)"]
    with pytest.raises(EditRefused, match="not part of this story"):
        set_story_lead(cluster=cluster, article=json_briefs[1], actor=editor)


def test_near_duplicate_text_under_a_different_title_joins_the_story():
    words = " ".join(f"word{n}" for n in range(80))
    original = make_article(title="Chipmaker doubles output", content_text=f"Breaking. {words} ends here.")
    syndicated = make_article(title="Output doubled at the chipmaker, sources say", content_text=f"{words} ends here.")

    cluster = assign_story_cluster(article=syndicated)

    assert cluster is not None and set(cluster.articles.all()) == {original, syndicated}


def test_different_stories_and_old_pieces_stay_apart():
    make_article(title="Chipmaker doubles output", content_text="A fab story told in its own words entirely.")
    old = make_article(title="Court rules on training data", content_text="Ruling text.")
    Article.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    fresh = make_article(title="Court rules on training data", content_text="Ruling text.")

    assert assign_story_cluster(article=fresh) is None
    assert not StoryCluster.objects.exists()


def test_a_piece_bridging_two_stories_merges_them():
    words = " ".join(f"term{n}" for n in range(60))
    first = make_article(title="Alpha title of a long story", content_text="unrelated alpha text")
    second = make_article(title="Beta heading quite different", content_text=words)
    assign_story_cluster(article=make_article(title="Alpha title of a long story", content_text="other"))
    assign_story_cluster(article=make_article(title="Gamma", content_text=words))
    bridge = make_article(title="Alpha title of a long story", content_text=words)

    cluster = assign_story_cluster(article=bridge)

    assert StoryCluster.objects.count() == 1
    assert {first, second, bridge} <= set(cluster.articles.all())


def test_a_published_brief_names_the_other_sources_of_its_story(client):
    words = " ".join(f"word{n}" for n in range(60))
    lead = make_article(status=Status.PUBLISHED, title="One story, two sources", content_text=words)
    other = make_article(title="One story, two sources", content_text=words)
    make_article(status=Status.PUBLISHED, source=other.source)  # a source readers can already visit
    assign_story_cluster(article=other)

    page = client.get(lead.get_absolute_url()).content.decode()

    assert f'Also reported by: <a href="{other.source.get_absolute_url()}">{other.source.name}</a>.' in page
    assert (
        "Also reported by" not in client.get(make_article(status=Status.PUBLISHED).get_absolute_url()).content.decode()
    )


def test_a_cached_brief_page_learns_of_a_new_source_of_its_story(client, django_capture_on_commit_callbacks):
    words = " ".join(f"word{n}" for n in range(60))
    lead = make_article(status=Status.PUBLISHED, title="One story, told twice", content_text=words)
    known_source = make_article(status=Status.PUBLISHED).source  # readers may be told of it
    assert "Also reported by" not in client.get(lead.get_absolute_url()).content.decode()  # now cached
    other = make_article(title="One story, told twice", content_text=words, source=known_source)

    with django_capture_on_commit_callbacks(execute=True):
        assign_story_cluster(article=other)

    assert "Also reported by" in client.get(lead.get_absolute_url()).content.decode()
