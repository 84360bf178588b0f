"""Breadcrumbs: Home › index › (area ›) the page, on every listing and brief page.

Rendered as a schema.org BreadcrumbList (templates/articles/_breadcrumbs.html).
"""

from dataclasses import dataclass

from django.urls import reverse

from articles.models.base import address


@dataclass
class Crumb:
    label: str
    url: str = ""  # empty for the page the reader is on


INDEXES = {
    "role": ("Roles", "articles:roles"),
    "topic": ("Topics", "articles:topics"),
    "field": ("Fields", "articles:fields"),
    "area": ("Fields", "articles:fields"),
    "source": ("Sources", "articles:sources"),
    "level": ("All briefs", "articles:briefs"),
}


def home_crumb() -> Crumb:
    return Crumb("Home", address("articles:home"))


def listing_crumbs(scope: str | None, obj, label: str) -> list[Crumb]:
    """Home › index › (area ›) this listing."""
    crumbs = [home_crumb()]
    if scope is None:
        return [*crumbs, Crumb(label)]
    index_label, index_url = INDEXES[scope]
    crumbs.append(Crumb(index_label, reverse(index_url)))
    if scope == "field" and obj.parent_id:
        crumbs.append(Crumb(obj.parent.name, obj.parent.get_absolute_url()))
        label = obj.name
    return [*crumbs, Crumb(label)]


def brief_crumbs(brief) -> list[Crumb]:
    """Home › Fields › area › subfield › the brief, along the brief's first field (prefetched)."""
    crumbs = [home_crumb()]
    groups = brief.field_groups()
    if groups:
        area, subfields = groups[0]
        crumbs.append(Crumb("Fields", reverse("articles:fields")))
        crumbs.append(Crumb(area.name, area.get_absolute_url()))
        if subfields:
            crumbs.append(Crumb(subfields[0].name, subfields[0].get_absolute_url()))
    else:
        crumbs.append(Crumb("All briefs", reverse("articles:briefs")))
    return [*crumbs, Crumb(brief.title)]
