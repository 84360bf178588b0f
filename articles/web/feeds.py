"""Feeds out: RSS 2.0 and Atom 1.0 for the site and for each role, field, topic and
source, and a JSON Feed 1.1 for the site. Items are published briefs, newest first."""

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.views.decorators.http import require_safe

from articles.models import Article, Field, Role, Source, Topic
from articles.web.page_cache import cached_public_page

SCOPES = {
    "role": (Role, lambda qs, obj: qs.for_role(obj), "Best for {}"),
    "field": (Field, lambda qs, obj: qs.for_field(obj), "{}"),
    "topic": (Topic, lambda qs, obj: qs.for_topic(obj), "{}"),
    "source": (Source, lambda qs, obj: qs.for_source(obj), "From {}"),
}


# Characters XML 1.0 cannot hold: Django refuses to write them, so one brief with a form
# feed pasted from a PDF would turn every feed it is in into a server error.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(value):
    if isinstance(value, str):
        return _NOT_IN_XML.sub("", value)
    if isinstance(value, (list, tuple)):
        return [_xml_safe(item) for item in value]
    return value


def xml_safe_feed_type(feed_type):
    """`feed_type` (an RSS or Atom generator) that drops what XML cannot hold from every text it is given."""

    class XmlSafeFeed(feed_type):
        def __init__(self, *args, **kwargs):
            super().__init__(*map(_xml_safe, args), **{key: _xml_safe(value) for key, value in kwargs.items()})

        def add_item(self, *args, **kwargs):
            super().add_item(*map(_xml_safe, args), **{key: _xml_safe(value) for key, value in kwargs.items()})

    XmlSafeFeed.__name__ = XmlSafeFeed.__qualname__ = f"XmlSafe{feed_type.__name__}"
    return XmlSafeFeed


def latest_briefs(queryset=None):
    queryset = queryset if queryset is not None else Article.objects.published()
    return queryset.with_taxonomy().defer("content_html", "content_text").latest_first()[: settings.WEB_FEED_ITEMS]


def brief_feed_html(brief) -> str:
    return render_to_string("articles/feed_item.html", {"brief": brief})


class BriefFeed(Feed):
    """The whole site's briefs, or with `scope` those of one role, field, topic or source."""

    def __init__(self, feed_type=Rss201rev2Feed, scope: str | None = None):
        super().__init__()
        self.feed_type = xml_safe_feed_type(feed_type)
        self.scope = scope

    def get_object(self, request, slug=None):
        if self.scope is None:
            return None
        model = SCOPES[self.scope][0]
        manager = model.objects.select_related("parent") if model is Field else model.objects
        if model is Source:
            manager = Source.objects.public()  # no feed of a source before it has a published brief
        return get_object_or_404(manager, slug=slug)

    def _label(self, obj) -> str:
        return SCOPES[self.scope][2].format(obj) if obj is not None else "latest briefs"

    def title(self, obj=None):
        return f"{settings.SITE_NAME} — {self._label(obj)}"

    def subtitle(self, obj=None):
        return f"Editorial briefs by {settings.SITE_NAME}: {self._label(obj)}."

    description = subtitle

    def link(self, obj=None):
        return obj.get_absolute_url() if obj is not None else reverse("articles:home")

    def items(self, obj=None):
        queryset = Article.objects.published()
        if obj is not None:
            queryset = SCOPES[self.scope][1](queryset, obj)
        return latest_briefs(queryset)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return brief_feed_html(item)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return settings.SITE_NAME

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]


def feed_view(feed_type, scope=None):
    return cached_public_page(require_safe(BriefFeed(feed_type, scope)))


site_rss = feed_view(Rss201rev2Feed)
site_atom = feed_view(Atom1Feed)


@require_safe
@cached_public_page
def site_json_feed(request):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    absolute = request.build_absolute_uri
    items = []
    for brief in latest_briefs():
        item = {
            "id": absolute(brief.get_absolute_url()),
            "url": absolute(brief.get_absolute_url()),
            "external_url": brief.original_url,
            "title": brief.title,
            "content_html": brief_feed_html(brief),
            "summary": brief.summary,
            "date_modified": brief.updated_at.isoformat(),
            "authors": [{"name": settings.SITE_NAME}],
            "tags": [topic.name for topic in brief.topics.all()],
        }
        if brief.published_at:
            item["date_published"] = brief.published_at.isoformat()
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{settings.SITE_NAME} — latest briefs",
        "home_page_url": absolute(reverse("articles:home")),
        "feed_url": absolute(reverse("articles:feed_json")),
        "description": f"Editorial briefs by {settings.SITE_NAME}.",
        "language": "en",
        "items": items,
    }
    return JsonResponse(
        feed, content_type="application/feed+json; charset=utf-8", json_dumps_params={"ensure_ascii": False}
    )
