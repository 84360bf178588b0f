"""For my role: the roles a reader chose, with no account.

A choice lives in a cookie (saved from the chooser at /for-me/) or in the address
(`?for=cto,policy-maker`, which wins, so a link shows the same view to whoever opens it).
Home, listings and feeds put the briefs best for those roles first, and brief pages show
the editor's "Why it matters for <role>" notes for them. Pages vary by the choice: the
page cache keys on it (page_cache.py) and responses carry `Vary: Cookie`.
"""

import re

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from articles import anatomy
from articles.models import Article, Role
from articles.web import seo
from articles.web.crumbs import Crumb, home_crumb

COOKIE = "for_roles"
PARAM = "for"
MAX_ROLES = 6
COOKIE_SECONDS = 365 * 24 * 3600
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,140}")


def parse_roles(raw: str) -> tuple[str, ...]:
    """Slugs from "cto,policy-maker": well-formed, each once, in a stable order, at most MAX_ROLES."""
    slugs = {part.strip().lower() for part in (raw or "").split(",")}
    return tuple(sorted(slug for slug in slugs if _SLUG.fullmatch(slug)))[:MAX_ROLES]


def chosen_role_slugs(request) -> tuple[str, ...]:
    """The reader's roles: from the address when it names them (even as none), else the cookie."""
    if PARAM in request.GET:
        return parse_roles(",".join(request.GET.getlist(PARAM)))
    return parse_roles(request.COOKIES.get(COOKIE, ""))


def cache_variant(request) -> str:
    """What, beyond the address, makes two anonymous readers' pages differ: the roles the page reads, from the
    cookie or the address. The address's own key keeps one value a parameter, and `for` may be given twice."""
    return ",".join(chosen_role_slugs(request))


def chosen_roles(request) -> list[Role]:
    """The chosen roles that exist, in their display order (one query, none when nothing is chosen)."""
    slugs = chosen_role_slugs(request)
    return list(Role.objects.filter(slug__in=slugs)) if slugs else []


def notes_prefetch(role_slugs) -> list[Prefetch]:
    """Prefetches of every per-role section's rows (articles/anatomy.py), only those for `role_slugs` when given."""
    prefetches = []
    for section in anatomy.sections(kind=anatomy.Kind.PER_ROLE):
        rows = Article._meta.get_field(section.name).related_model.objects.select_related("role")
        if role_slugs:
            rows = rows.filter(role__slug__in=list(role_slugs))
        prefetches.append(Prefetch(section.name, queryset=rows))
    return prefetches


def share_url(request, roles) -> str:
    # Slugs need no escaping; "cto,policy-maker" reads better than "cto%2Cpolicy-maker".
    home = request.build_absolute_uri(reverse("articles:home"))
    return f"{home}?{PARAM}={','.join(role.slug for role in roles)}"


def _safe_next(request) -> str:
    target = request.GET.get("next") or reverse("articles:home")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return reverse("articles:home")
    return target


@require_safe
def choose_roles(request):
    """The chooser: with `save`, remember the checked roles in a cookie and go back; else show the form.

    A GET, so that the chooser on cached pages needs no CSRF token: it only sets a
    preference the reader can see and change, and robots.txt keeps crawlers away.
    """
    if "save" in request.GET:
        slugs = parse_roles(",".join(request.GET.getlist(PARAM)))
        known = list(Role.objects.filter(slug__in=slugs).values_list("slug", flat=True)) if slugs else []
        response = redirect(_safe_next(request))
        if known:
            response.set_cookie(
                COOKIE,
                ",".join(sorted(known)),
                max_age=COOKIE_SECONDS,
                samesite="Lax",
                httponly=True,
                secure=request.is_secure(),
            )
        else:
            response.delete_cookie(COOKIE, samesite="Lax")
        patch_cache_control(response, private=True, no_store=True)
        return response
    chosen = chosen_roles(request)
    context = {
        "roles": Role.objects.all(),
        "chosen_slugs": {role.slug for role in chosen},
        "chosen": chosen,
        "share_url": share_url(request, chosen) if chosen else "",
        "next": _safe_next(request),
        "breadcrumbs": [home_crumb(), Crumb("Your roles")],
        "meta": seo.page_meta(
            request,
            title="Choose your roles",
            description=f"Tell {settings.SITE_NAME} which roles you read for; their briefs come first.",
            noindex=True,
        ),
    }
    response = render(request, "articles/for_me.html", context)
    patch_cache_control(response, private=True, no_cache=True)
    return response
