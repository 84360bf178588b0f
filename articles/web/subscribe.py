"""The Subscribe page: every feed the site offers, with addresses to copy.

Email digests are another helper's part (readers-subs, under /subscribe/email/); this page
links to them when that address exists and says nothing about email otherwise.
"""

from django.conf import settings
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.http import require_safe

from articles import facets
from articles.web import seo
from articles.web.crumbs import Crumb, home_crumb
from articles.web.indexes import counted_roles, counted_topics, field_tree, most_published_sources
from articles.web.page_cache import cached_public_page
from articles.web.readers import chosen_roles

EMAIL_PATH = "/subscribe/email/"
# Sources listed with their feeds here; the sources index has them all, a page at a time.
SUBSCRIBE_SOURCES = 50


def email_digests_url() -> str:
    """The email sign-up page's address when the site has one, else ""."""
    try:
        resolve(EMAIL_PATH)
    except Resolver404:
        return ""
    return EMAIL_PATH


@require_safe
@cached_public_page
def subscribe(request):
    origin = request.build_absolute_uri("/").rstrip("/")
    roles = chosen_roles(request)
    kept = facets.counts_by_pk("area", "field", "source")  # the field tree's and the sources' counts, at once
    context = {
        "origin": origin,
        "site_feeds": [
            ("RSS", origin + reverse("articles:feed_rss")),
            ("Atom", origin + reverse("articles:feed_atom")),
            ("JSON Feed", origin + reverse("articles:feed_json")),
        ],
        "groups": [
            ("roles", "By role", "Briefs best for one role.", counted_roles()),
            ("fields", "By field", "An area's feed includes its subfields.", field_tree(kept=kept)),
            ("topics", "By topic", "Briefs on one subject.", counted_topics()),
            (
                "sources",
                "By source",
                f"Briefs of one publication's pieces. The {SUBSCRIBE_SOURCES} with the most briefs are here; every "
                "source's page in the sources index has its feeds.",
                most_published_sources(SUBSCRIBE_SOURCES, kept=kept),
            ),
        ],
        "chosen_roles": roles,
        "for_value": ",".join(role.slug for role in roles),
        "email_url": email_digests_url(),
        "breadcrumbs": [home_crumb(), Crumb("Subscribe")],
        "meta": seo.page_meta(
            request,
            title="Subscribe",
            description=f"Follow {settings.SITE_NAME} in a feed reader: every brief, or those for one role, "
            "field, topic or source, or any filtered list.",
        ),
    }
    return render(request, "articles/subscribe.html", context)
