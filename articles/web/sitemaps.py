"""sitemap.xml: every published brief, and every listing that has published briefs."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from articles.models import Article, Field, Level, Role, Source, Topic


class BriefSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, brief):
        return brief.updated_at


class ListingSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        published = Article.objects.published()
        listings = [
            *Role.objects.filter(Exists(published.filter(roles=OuterRef("pk")))),
            *Field.objects.filter(
                Exists(published.filter(Q(fields=OuterRef("pk")) | Q(fields__parent=OuterRef("pk"))))
            ),
            *Topic.objects.filter(Exists(published.filter(topics=OuterRef("pk")))),
            *Source.objects.filter(Exists(published.filter(source=OuterRef("pk")))),
        ]
        levels = set(published.exclude(level="").values_list("level", flat=True).distinct())
        return listings + [level for level in Level.values if level in levels]

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
