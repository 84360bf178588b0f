"""sitemap.xml: every published brief, and every listing that has published briefs."""

from collections.abc import Sequence

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils.functional import cached_property

from articles import facets
from articles.models import Article, Field, Level, Role, Source, Topic
from articles.web.browse import CountedPaginator


class BriefSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    # The protocol's ceiling: the index lists one sitemap page per 50,000 briefs.
    limit = 50000

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, brief):
        return brief.updated_at

    @property
    def paginator(self):
        # The number of published briefs is kept with the facet counts: no COUNT(*) over the table.
        total = facets.library_sizes().get("", (0, 0))[1]
        return CountedPaginator(self._items(), self.limit, count=total)

    def get_latest_lastmod(self):
        # Django's default builds every brief to take the newest date; the updated_at index has it.
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class BuiltWhenRead(Sequence):
    """A list made the first time an item is read (a page of the section), not when it is counted."""

    def __init__(self, make):
        self._make = make

    @cached_property
    def _items(self):
        return list(self._make())

    def __getitem__(self, index):
        return self._items[index]

    def __len__(self):
        return len(self._items)


LISTED_FACETS = ("role", "area", "field", "topic", "source", "level")


class ListingSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    @cached_property
    def paginator(self):
        # The index asks only how many pages there are: count what the kept facet counts hold
        # instead of building a thousand sources; the section's own page builds its listings.
        sizes = facets.library_sizes()
        total = sum(sizes.get(name, (0, 0))[0] for name in LISTED_FACETS)
        return CountedPaginator(BuiltWhenRead(self._items), self.limit, count=total)

    def items(self):
        # What has published briefs is what the kept facet counts hold for the whole library.
        present = facets.read([("", "")])[("", "")]
        ids = {name: [int(value) for value in present.get(name, ())] for name in ("role", "area", "field", "topic")}
        # A source counted here has published briefs,
        # so it is public without asking again for each of a thousand sources.
        listings = [
            *Role.objects.filter(pk__in=ids["role"]),
            *Field.objects.filter(pk__in=ids["area"] + ids["field"]),
            *Topic.objects.filter(pk__in=ids["topic"]),
            *Source.objects.filter(pk__in=[int(value) for value in present.get("source", ())]).order_by("pk"),
        ]
        return listings + [level for level in Level.values if level in present.get("level", ())]

    def location(self, item):
        if isinstance(item, str):
            return reverse("articles:depth", args=[item])
        return item.get_absolute_url()


class PagesSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return [
            "articles:home",
            "articles:briefs",
            "articles:roles",
            "articles:fields",
            "articles:topics",
            "articles:sources",
            "articles:subscribe",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"briefs": BriefSitemap, "listings": ListingSitemap, "pages": PagesSitemap}
