"""sitemap.xml: every published brief, and every listing that has published briefs."""

from collections.abc import Sequence

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.http import http_date

from articles import facets
from articles.models import Article, Field, Level, Role, Source, Topic
from articles.models.base import slug_urls
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

_URLSET = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)


def sitemap_section(request, sitemaps, section):
    """One section's sitemap page (`?p=`): the briefs' written by `brief_urlset`, the others by Django's view."""
    if section == "briefs" and sitemaps.get(section) is BriefSitemap:
        return brief_urlset(request)
    return sitemap_views.sitemap(request, sitemaps=sitemaps, section=section)


@sitemap_views.x_robots_tag
def brief_urlset(request):
    """A page of the briefs' sitemap, the same bytes Django's sitemap view and template make of BriefSitemap.

    Made through them, a page of 50,000 briefs built 50,000 model objects and rendered the template's loop
    once each: 4–8 s of CPU a page at 100,000 briefs. Here the page's (slug, updated_at) rows are read as
    values and each entry written as one string; the template's `spaceless` and `date:"Y-m-d"` (in the
    current time zone) are what the strings do.
    """
    sitemap = BriefSitemap()
    number = request.GET.get("p", 1)
    try:
        number = sitemap.paginator.validate_number(number)
    except EmptyPage:
        raise Http404(f"Page {number} empty") from None
    except PageNotAnInteger:
        raise Http404(f"No page '{number}'") from None
    bottom = (number - 1) * sitemap.limit
    rows = sitemap.items().values_list("slug", "updated_at")[bottom : bottom + sitemap.limit]
    site = f"{sitemap.get_protocol(request.scheme)}://{sitemap.get_domain(get_current_site(request))}"
    url = slug_urls("articles:brief")
    # Slugs are letters, digits, "-" and "_" (the URL pattern allows nothing else): only the rest is escaped.
    head, _, tail = escape(site + url("\x00")).partition("\x00")  # NUL: in no address
    rest = f"</loc><lastmod>{{}}</lastmod><changefreq>{sitemap.changefreq}</changefreq>"
    rest += f"<priority>{sitemap.priority}</priority></url>"
    entries, latest = [], None
    for slug, updated_at in rows:
        entries.append(f"<url><loc>{head}{slug}{tail}{rest.format(timezone.localtime(updated_at).date())}")
        latest = updated_at if latest is None or updated_at > latest else latest
    headers = {"Last-Modified": http_date(latest.timestamp())} if latest else None
    body = f"{_URLSET}{''.join(entries)}\n</urlset>\n"
    return HttpResponse(body, content_type="application/xml", headers=headers)
