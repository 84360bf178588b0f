"""Feeds out: RSS 2.0 and Atom 1.0 for the site and for each role, field, topic and
source, and a JSON Feed 1.1 for the site. Items are published briefs, newest first."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.views.decorators.http import require_safe

from articles import anatomy
from articles.models import Article, Field, Role, Source, Topic
from articles.web.browse import BriefFilters
from articles.web.page_cache import cached_public_page
from articles.web.readers import chosen_role_slugs, notes_prefetch

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


def latest_briefs(queryset=None, *, role_slugs=(), note_roles=None):
    """The newest published briefs (those best for `role_slugs` first), with their per-role notes.

    The per-role sections (articles/anatomy.py) carry the notes for `note_roles` (by default
    the chosen roles), or all of them when none is chosen, so a plain feed still carries every note.
    """
    queryset = queryset if queryset is not None else Article.objects.published()
    note_roles = role_slugs if note_roles is None else note_roles
    return list(
        queryset.with_taxonomy()
        .prefetch_related(*notes_prefetch(note_roles))
        .defer("content_html", "content_text")
        .first_for_roles(role_slugs)[: settings.WEB_FEED_ITEMS]
    )


def per_role_sections(brief) -> list[tuple[anatomy.Section, list]]:
    """[(section, notes)] of the brief's filled per-role sections, as prefetched by latest_briefs."""
    return [
        (section, notes)
        for section in anatomy.sections(kind=anatomy.Kind.PER_ROLE)
        if (notes := anatomy.value_of(brief, section))
    ]


def brief_feed_html(brief) -> str:
    return render_to_string("articles/feed_item.html", {"brief": brief, "per_role": per_role_sections(brief)})


@dataclass
class FeedScope:
    """What one feed request covers: a role, field, topic or source (or the site), the
    filters of the list it mirrors, and the reader's roles that come first."""

    scope: str | None
    obj: object
    filters: BriefFilters
    role_slugs: tuple[str, ...]

    @property
    def label(self) -> str:
        base = SCOPES[self.scope][2].format(self.obj) if self.obj is not None else "latest briefs"
        chips = [f"{chip.label}: {chip.value_label}" for chip in self.filters.active()]
        return base + (f" ({'; '.join(chips)})" if chips else "")

    def briefs(self):
        queryset = Article.objects.published()
        if self.obj is not None:
            queryset = SCOPES[self.scope][1](queryset, self.obj)
        # A role's own feed carries that role's notes besides the reader's.
        note_roles = (*self.role_slugs, self.obj.slug) if self.scope == "role" else self.role_slugs
        return latest_briefs(self.filters.apply(queryset), role_slugs=self.role_slugs, note_roles=note_roles)

    def page_url(self) -> str:
        """The listing this feed mirrors, with the same filters."""
        base = self.obj.get_absolute_url() if self.obj is not None else reverse("articles:briefs")
        query = self.filters.query_string()
        if self.obj is None and query == "?" and not self.role_slugs:
            return reverse("articles:home")
        return base if query == "?" else base + query


def feed_scope(request, scope: str | None = None, slug: str | None = None) -> FeedScope:
    obj = None
    fixed = {}
    if scope is not None:
        model = SCOPES[scope][0]
        manager = model.objects.select_related("parent") if model is Field else model.objects
        if model is Source:
            manager = Source.objects.public()  # no feed of a source before it has a published brief
        obj = get_object_or_404(manager, slug=slug)
        # The listing filter the address fixes: an area's feed is the area filter, as its listing.
        name = ("field" if obj.parent_id else "area") if scope == "field" else scope
        fixed = {name: obj}
    filters = BriefFilters(request.GET, fixed=fixed)
    return FeedScope(scope, obj, filters, chosen_role_slugs(request))


class BriefFeed(Feed):
    """The whole site's briefs, or with `scope` those of one role, field, topic or source,
    narrowed by the same filters as the listings (`?area=…&level=…`) and ordered for the
    roles in `?for=`."""

    def __init__(self, feed_type=Rss201rev2Feed, scope: str | None = None):
        super().__init__()
        self.feed_type = xml_safe_feed_type(feed_type)
        self.scope = scope

    def get_object(self, request, slug=None):
        return feed_scope(request, self.scope, slug)

    def title(self, obj):
        return f"{settings.SITE_NAME} — {obj.label}"

    def subtitle(self, obj):
        return f"Editorial briefs by {settings.SITE_NAME}: {obj.label}."

    description = subtitle

    def link(self, obj):
        return obj.page_url()

    def items(self, obj):
        return obj.briefs()

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
    return cached_public_page(require_safe(BriefFeed(feed_type, scope)), scope=scope)


site_rss = feed_view(Rss201rev2Feed)
site_atom = feed_view(Atom1Feed)


@require_safe
@cached_public_page
def site_json_feed(request):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    absolute = request.build_absolute_uri
    scope = feed_scope(request)
    items = []
    for brief in scope.briefs():
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
        per_role = per_role_sections(brief)
        if per_role:
            # A JSON Feed extension (names starting with "_" are for publishers' own data), keyed as in the API.
            item["_distillery"] = {
                section.name: [
                    {"role": {"slug": note.role.slug, "name": note.role.name}, "text": note.text} for note in notes
                ]
                for section, notes in per_role
            }
        if brief.published_at:
            item["date_published"] = brief.published_at.isoformat()
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{settings.SITE_NAME} — {scope.label}",
        "home_page_url": absolute(scope.page_url()),
        "feed_url": absolute(request.get_full_path()),
        "description": f"Editorial briefs by {settings.SITE_NAME}.",
        "language": "en",
        "items": items,
    }
    return JsonResponse(
        feed, content_type="application/feed+json; charset=utf-8", json_dumps_params={"ensure_ascii": False}
    )
