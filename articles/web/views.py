"""The reader's website: home, brief pages, listings with filters, search, robots.txt.

Pages read through the QuerySet methods of models.py and the filters of browse.py; each
page runs a fixed number of queries whatever the number of briefs (pinned in tests).
Anonymous pages go through the page cache (page_cache.py).
"""

import dataclasses
import hashlib
import math
from collections import Counter
from functools import partial

from django.conf import settings
from django.db import connections
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from articles import anatomy
from articles.models import Article, Field, Level, RelatedLink, Role, Source, Topic
from articles.search import (
    MAX_QUERY_CHARS,
    Matches,
    best_matches,
    best_matches_beside,
    newest_matches,
    normalize_query,
    snippets_of,
)
from articles.search_index import DATED_FACETS
from articles.web import seo
from articles.web.browse import MAX_OPTIONS, BriefFilters, CountedPaginator, ListingPaginator
from articles.web.cards import CardOf, cards, fill, kept_parts
from articles.web.crumbs import Crumb, brief_crumbs, home_crumb, listing_crumbs
from articles.web.labels import facet_labels
from articles.web.page_cache import cached_public_page, page_query
from articles.web.readers import cache_variant, chosen_role_slugs, chosen_roles, notes_prefetch, share_url

HOME_LATEST = 12
# The ways in home offers (templates/articles/home.html): only their counts are read.
HOME_FACETS = ("role", "area", "topic", "level")


def _card_rows(queryset, roles):
    """`queryset` in a listing's order (the briefs best for `roles` first) as what `cards` needs of each row."""
    ordered = queryset.first_for_roles([role.slug for role in roles])
    return ordered.values_list("pk", "slug", "for_reader") if roles else ordered.values_list("pk", "slug")


def _listing_rows(filters, matching, roles):
    """`_card_rows(matching, roles)` of a listing. On PostgreSQL, the listing of a role, area, subfield or topic with
    nothing else chosen, for a reader with no roles chosen, reads that value's dated rows newest first
    (`ArticleQuerySet.holding_latest_first`): the page comes from their index, where the briefs of the value were
    joined from its pairs and sorted by date (a topic 410 of 100,000 briefs hold: 2-4 ms for the page's ids)."""
    if not roles and len(filters.selected) == 1 and connections[matching.db].vendor == "postgresql":
        ((name, value),) = filters.selected.items()
        if name in filters.fixed and name in DATED_FACETS:
            walked = Article.objects.published().holding_latest_first(f"{name}:{value.pk}")
            return walked.values_list("pk", "slug")
    return _card_rows(matching, roles)


def _cards_of(request, rows, *, snippets=None):
    """The cards of (id, slug[, best for the reader]) rows, in order, each with its snippet from `snippets` if any."""
    snippets = snippets or {}
    return cards(
        [CardOf(row[0], row[1], len(row) > 2 and row[2], snippets.get(row[0], "")) for row in rows],
        reader_roles=chosen_role_slugs(request),
    )


@require_safe
@cached_public_page
def home(request):
    published = Article.objects.published()
    facets = {facet.name: facet for facet in BriefFilters({}).published_facets(labels=facet_labels, only=HOME_FACETS)}
    roles = chosen_roles(request)
    context = {
        "briefs": _cards_of(request, _card_rows(published, roles)[:HOME_LATEST]),
        "facets": facets,
        "chosen_roles": roles,
        "share_url": share_url(request, roles) if roles else "",
        "meta": seo.page_meta(
            request,
            title="Briefs worth your time",
            description=f"Editorial briefs by {settings.SITE_NAME}: what a piece says, why it matters, "
            "and what to do about it, by role, field, topic and depth.",
        ),
    }
    return render(request, "articles/home.html", context)


def kept_brief_page_key(request, slug):
    # Per address: the page carries absolute addresses (canonical, og:url, JSON-LD).
    origin = hashlib.sha256(f"{request.scheme}://{request.get_host()}".encode()).hexdigest()[:16]
    return f"web:brief-page:{origin}:{slug}"


@require_safe
@cached_public_page(scope="brief", kept=kept_brief_page_key)
def brief_detail(request, slug):
    """A brief's page. For anonymous readers it is rendered once per version of what it shows and kept
    (WEB_BRIEF_BODY_SECONDS), with the notes for the reader's roles filled in per request: one
    kept page serves every role choice, whether the page cache is on or off."""
    reader_roles = chosen_role_slugs(request)
    kept = getattr(request, "kept_part", None)  # set by cached_public_page for anonymous readers only
    keep_seconds = settings.WEB_BRIEF_BODY_SECONDS
    if kept is None or not keep_seconds:
        html, brief = _render_brief(request, slug, reader_roles, notes_apart=kept is not None)
        return HttpResponse(_fill_reader_notes(html, brief, reader_roles) if kept is not None else html)
    stored = kept.current()
    if stored is None:
        html, brief = _render_brief(request, slug, reader_roles, notes_apart=True)
        kept.keep((brief.pk, html), seconds=keep_seconds)
    else:
        brief_pk, html = stored
        brief = Article(pk=brief_pk)
        if reader_roles and READER_NOTES_MARK in html:
            prefetch_related_objects([brief], *notes_prefetch(reader_roles))
    return HttpResponse(_fill_reader_notes(html, brief, reader_roles))


# Where a kept brief page takes the notes for the reader's roles (brief content is escaped: it cannot forge one).
READER_NOTES_MARK = "<!--reader-notes:"


def _render_brief(request, slug, reader_roles, *, notes_apart):
    """The brief page's HTML and its brief. `notes_apart`: per-role sections as places to fill per reader."""
    briefs = Article.objects.visible_to(request.user).with_taxonomy()
    if reader_roles:
        # The per-role sections show only the reader's roles: read just those notes, in the brief's query batch.
        briefs = briefs.prefetch_related(*notes_prefetch(reader_roles))
    brief = get_object_or_404(briefs, slug=slug)
    if notes_apart:
        filled = {section.name: value for section, value in anatomy.shown(brief, roles=())}
        sections = [
            (section, filled.get(section.name))
            for section in anatomy.sections(place=anatomy.Place.BODY)
            if section.kind == anatomy.Kind.PER_ROLE or section.name in filled
        ]
    else:
        sections = anatomy.shown(brief, roles=reader_roles)
    related = [link.to_article for link in RelatedLink.objects.shown_for(brief)]
    meta = seo.page_meta(
        request,
        title=brief.title,
        description=brief.summary or brief.takeaway or brief.title,
        og_type="article",
        json_ld=seo.brief_json_ld(request, brief),
        noindex=not brief.is_published,
        **seo.brief_share_facts(brief),
    )
    context = {
        "brief": brief,
        "sections": sections,
        "notes_mark": READER_NOTES_MARK if notes_apart else "",
        "related": related,
        "meta": meta,
        "breadcrumbs": brief_crumbs(brief),
        "reader_roles": reader_roles,
    }
    return render_to_string("articles/brief.html", context, request), brief


def _fill_reader_notes(html, brief, reader_roles) -> str:
    """`html` with each per-role section's place filled with the notes for `reader_roles` (prefetched on `brief`)."""
    if READER_NOTES_MARK not in html:
        return html
    for section in anatomy.sections(kind=anatomy.Kind.PER_ROLE):
        filled = ""
        if reader_roles:
            notes = [note for note in anatomy.value_of(brief, section) if note.role.slug in reader_roles]
            if anatomy.is_filled(section, notes):
                filled = render_to_string("articles/sections/_section.html", {"section": section, "value": notes})
        html = html.replace(f"{READER_NOTES_MARK}{section.name}-->", filled)
    return html


def _list_feeds(request, filters, *, scope, scope_obj, heading):
    """This list's own RSS and Atom, with its filters (and the reader's roles) in their address.

    A role, field, topic or source has feeds of its own; all briefs and a depth use the
    site's feeds narrowed by the same filters (a depth as `?level=`).
    """
    changes = {}
    chips = [chip.value_label for chip in filters.active()]
    if scope in (None, "level"):
        names, args, label = ("feed_rss", "feed_atom"), [], "all briefs"
        if scope == "level":
            changes["level"] = scope_obj
            chips.insert(0, Level(scope_obj).label)
    else:
        kind = "field" if scope == "area" else scope
        names, args, label = (f"{kind}_rss", f"{kind}_atom"), [scope_obj.slug], heading
    roles = chosen_role_slugs(request)
    if roles and "for" not in request.GET:
        changes["for"] = ",".join(roles)  # a feed reader has no cookie: the roles go in the address
    query = filters.query_string(page=None, **changes)
    label += f" ({', '.join(chips)})" if chips else ""
    rss, atom = (reverse(f"articles:{name}", args=args) for name in names)
    return seo.list_feeds(label, rss, atom, "" if query == "?" else query)


def kept_listing_key(request, *args, **kwargs):
    # The path names the listing; its filters are in the known parameters (the page number aside: one panel
    # serves every page). The panel's addresses are relative: one serves every host.
    params = request.GET.copy()
    params.pop("page", None)
    identity = f"{request.path}?{page_query(params)}"
    return f"web:listing-panel:{hashlib.sha256(identity.encode()).hexdigest()}"


def _listing(request, *, heading, intro="", scope=None, scope_obj=None, description="", crumb=""):
    fixed = {scope: scope_obj} if scope else {}
    filters = BriefFilters(request.GET, fixed=fixed)
    matching = filters.apply(Article.objects.published())
    roles = chosen_roles(request)
    # The count and the filter panel, kept for anonymous readers under the versions of the site and of the
    # listing's scope (or the library), which every change to a brief the listing can show bumps.
    kept = getattr(request, "kept_part", None)
    keep_seconds = settings.WEB_LISTING_KEEP_SECONDS
    stored = kept.current() if kept is not None and keep_seconds else None
    count, panel = stored if isinstance(stored, tuple) else (filters.published_count(), None)
    paginator = ListingPaginator(_listing_rows(filters, matching, roles), settings.WEB_PAGE_SIZE, count=count)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = _cards_of(request, page.object_list)
    if panel is None:
        panel_context = {"filters": filters, "facets": filters.published_facets(labels=facet_labels)}
        panel = render_to_string("articles/_filters.html", panel_context, request)
        if kept is not None and keep_seconds:
            kept.keep((count, panel), seconds=keep_seconds)
    feeds = _list_feeds(request, filters, scope=scope, scope_obj=scope_obj, heading=heading)
    context = {
        "heading": heading,
        "intro": intro,
        "page": page,
        "chosen_roles": roles,
        "filters": filters,
        "filter_panel": mark_safe(panel),
        "list_feeds": [request.build_absolute_uri(feed.url) for feed in feeds[:2]],
        "breadcrumbs": listing_crumbs(scope, scope_obj, crumb or heading),
        "meta": seo.page_meta(
            request,
            title=heading if page.number == 1 else f"{heading} (page {page.number})",
            description=description or intro or heading,
            page_number=page.number,
            feeds=feeds,
        ),
    }
    return render(request, "articles/listing.html", context)


@require_safe
@cached_public_page(kept=kept_listing_key)
def all_briefs(request):
    return _listing(request, heading="All briefs", intro=f"Every brief published on {settings.SITE_NAME}.")


@require_safe
@cached_public_page(scope="role", kept=kept_listing_key)
def role_listing(request, slug):
    role = get_object_or_404(Role, slug=slug)
    label = f"Best for {role.name}"
    return _listing(
        request,
        heading=label,
        intro=role.description,
        crumb=role.name,
        scope="role",
        scope_obj=role,
    )


@require_safe
@cached_public_page(scope="field", kept=kept_listing_key)
def field_listing(request, slug):
    field = get_object_or_404(Field.objects.select_related("parent"), slug=slug)
    return _listing(
        request,
        heading=str(field),
        intro=field.description,
        scope="field" if field.parent_id else "area",
        scope_obj=field,
    )


@require_safe
@cached_public_page(scope="topic", kept=kept_listing_key)
def topic_listing(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    return _listing(
        request,
        heading=topic.name,
        intro=topic.description,
        scope="topic",
        scope_obj=topic,
    )


@require_safe
@cached_public_page(scope="source", kept=kept_listing_key)
def source_listing(request, slug):
    source = get_object_or_404(Source.objects.public(), slug=slug)
    return _listing(
        request,
        heading=f"From {source.name}",
        intro=source.description,
        crumb=source.name,
        scope="source",
        scope_obj=source,
    )


@require_safe
@cached_public_page(scope="level", kept=kept_listing_key)
def depth_listing(request, level):
    if level not in Level.values:
        raise Http404("No such depth.")
    label = Level(level).label
    return _listing(request, heading=f"{label} briefs", scope="level", scope_obj=level, crumb=label)


def _search_page_cards(published, ids, query, *, rows=None) -> list[tuple[CardOf, tuple[str, str, str]]]:
    """Briefs `ids` still published, in that order, each with its snippet and its card's unfilled parts: one
    query for the snippets (and the slugs naming the kept cards), unless the search read them (`rows`, as
    `snippets_of` gives them), then the kept cards."""
    if not ids:
        return []
    if rows is None:
        rows = snippets_of(published.filter(pk__in=ids), query)
    found = {pk: CardOf(pk, slug, snippet=snippet) for pk, slug, snippet in rows}
    shown = [found[pk] for pk in ids if pk in found]  # one unpublished since it was ranked is left out
    parts = kept_parts(shown)
    return [(card, parts[card.slug]) for card in shown if card.slug in parts]


@dataclasses.dataclass
class SearchOutcome:
    """What a search found for one query, its filters and the reader's roles, kept briefly: the matches in
    the reader's order, the filter panel rendered with their counts, and the cards of each page shown so
    far (by page number, the first SEARCH_KEPT_PAGES read), with their snippets, unfilled (see `cards.fill`).

    Kept under the versions of the site and of the library: every change a card shows (its brief edited,
    unpublished, its roles or source renamed) bumps one of them too, so the page's cards are as current as
    the outcome and need no versions of their own here.
    """

    matched: Matches
    counts_estimated: bool
    filter_panel: str
    pages: dict[int, list] = dataclasses.field(default_factory=dict)


# Raise it when SearchOutcome changes shape: a release then never reads an outcome an older one kept.
SEARCH_OUTCOME_FORMAT = 5
# Pages of a search whose cards and snippets its outcome keeps (about 25 KB each).
SEARCH_KEPT_PAGES = 5


# Filters whose matches with and without them are found by one walk (`best_matches_beside`). Measured at 100,000
# briefs (bench/REPORT.md, "Search, seventh pass"): for two words and the CTO role the walk cost 7% less of
# PostgreSQL's time than the two queries, plus one query's Python; for the commonest word and a topic 45% of the
# briefs hold, 48% more (the walk carries every match to the 1,001st with the topic, where the second query
# stops after 1,001 matches of a word found nearly everywhere); the same for an area. With a second filter
# (a depth), the walk's bound made PostgreSQL sort every match: so a role filter alone.
ONE_WALK_FACETS = ("role",)
# The least share of the library a role must hold for its one walk. The rarer the role, the longer the walk to its
# 1,001st brief, through briefs without it whose words it must test: for two common words at 100,000 briefs the
# walk cost about what the two queries cost for a role 25% of the briefs hold and up to 1.5 times as much for one
# 12% hold (bench/REPORT.md, "Search, eleventh pass"), where the second query stops after 1,001 matches. A rarer
# role's own briefs are walked instead (`_walked_value`): the two queries then cost about 22 ms at 100,000 briefs
# for any role, against 20-21 ms for the one walk with the CTO role, held by 47% ("Search, twelfth pass").
ONE_WALK_MIN_SHARE = 0.3


def kept_search_key(request):
    # By the address's known parameters but the page (the outcome covers every page) and the cookie's roles.
    params = request.GET.copy()
    params.pop("page", None)
    identity = f"{page_query(params)}|{cache_variant(request)}"
    return f"web:search:{SEARCH_OUTCOME_FORMAT}:{hashlib.sha256(identity.encode()).hexdigest()}"


@require_safe
@cached_public_page(kept=kept_search_key)
def search_page(request):
    """Search results. For anonymous readers, the outcome of a query (`SearchOutcome`) is kept under the
    versions of the site and of the library (WEB_SEARCH_KEEP_SECONDS): any change to a published brief
    retires it, as it retires every cached page over the whole library."""
    raw = request.GET.get("q", "")
    query = normalize_query(raw)
    kept = getattr(request, "kept_part", None)  # set by cached_public_page for anonymous readers only
    # A filter's row is kept in the process under the versions the page's look-up has just read.
    filters = BriefFilters(request.GET, kept_under=kept.token if kept is not None else None)
    # Briefs best for the reader's roles first, by relevance within each part (the rank decides the rest).
    roles = chosen_roles(request)
    page, outcome = None, None
    context = {
        "raw_query": raw[:MAX_QUERY_CHARS],
        "query": query,
        "was_junk": bool(raw.strip()) and not query,
        "filters": filters,
        "chosen_roles": roles,
        "breadcrumbs": [home_crumb(), Crumb("Search")],
        "meta": seo.page_meta(
            request,
            title=f"Search: {query}" if query else "Search",
            description=f"Search the briefs of {settings.SITE_NAME}.",
            noindex=True,
        ),
    }
    if query:
        keep_seconds = settings.WEB_SEARCH_KEEP_SECONDS
        outcome = kept.current() if kept is not None and keep_seconds else None
        changed = not isinstance(outcome, SearchOutcome)
        first_page = None
        if changed:
            outcome, first_page = _search(request, query, filters, roles, context)
        matched = outcome.matched
        paginator = CountedPaginator(matched.ids, settings.WEB_PAGE_SIZE, count=matched.count)
        page = paginator.get_page(request.GET.get("page"))
        shown = outcome.pages.get(page.number)
        if shown is None:
            rows = first_page if page.number == 1 else None
            shown = _search_page_cards(Article.objects.published(), page.object_list, query, rows=rows)
            # The first few pages only, which most readers stop at: the outcome stays small to store and read.
            if len(outcome.pages) < SEARCH_KEPT_PAGES:
                outcome.pages[page.number] = shown
                changed = True
        if changed and kept is not None and keep_seconds:
            kept.keep(outcome, seconds=keep_seconds)
        reader_roles = chosen_role_slugs(request)
        page.object_list = [
            fill(parts, dataclasses.replace(card, for_reader=card.pk in matched.for_reader), reader_roles)
            for card, parts in shown
        ]
    context.update(
        page=page,
        matched=outcome and outcome.matched,
        counts_estimated=outcome and outcome.counts_estimated,
        filter_panel=mark_safe(outcome.filter_panel) if outcome else "",
    )
    return render(request, "articles/search.html", context)


def _search(request, query, filters, roles, context) -> tuple[SearchOutcome, list | None]:
    """The matches of `query` in the reader's order, and the filter panel with their counts; with the first
    page's snippets when the reader asks for that page and the query that ranks could read them (PostgreSQL).

    Everything works on bounded id lists (newest_matches), so a word found in every brief costs
    what a rare one does: the count stops at the limit, ranking and facet counts run over at most
    that many briefs, and the page says so when they did.
    """
    published = Article.objects.published()
    limit = settings.WEB_SEARCH_MATCH_LIMIT
    # Most searches show their first page: its snippets come with the matches, one query fewer.
    first_page = settings.WEB_PAGE_SIZE if request.GET.get("page", "1") == "1" else 0
    samples = {}

    def values_without(name):
        if name not in samples:
            walked = _walked_value(filters, skip=name)
            walk = walked and walked[1]
            narrowed = filters.apply(published, skip=name, by_kept_values=True, walked=walk)
            # Only its own facet is read, and of it only the values the panel can show.
            samples[name] = newest_matches(narrowed, query, limit=limit, facet=name, top_values=MAX_OPTIONS, walk=walk)
        return samples[name].values

    # The matches in the reader's order, ranked and their facet values counted by the query that finds them;
    # only the page shown is read. Filters are tested on the values each brief's row keeps.
    reader_roles = [role.slug for role in roles]
    common = filters.common_kept_value(facets=ONE_WALK_FACETS) if len(filters.selected) == 1 else None
    if common is not None and common[2] >= ONE_WALK_MIN_SHARE:
        # The matches without that filter (its facet's counts) are found by the same walk.
        name, held, share = common
        narrowed = filters.apply(published, skip=name, by_kept_values=True)
        both = best_matches_beside(
            narrowed,
            query,
            limit=limit,
            roles=reader_roles,
            held=held,
            facet=name,
            share=share,
            first_page=first_page,
            top_values=MAX_OPTIONS,
        )
        if both is not None:
            samples[None], samples[name] = both
    walked = _walked_value(filters)
    walk = walked and walked[1]
    if None not in samples and walked is not None and walked[0] not in filters.fixed:
        # The value's own facet counts need the matches without it in any case: asked first, they tell whether the
        # words are rare. When every one of those is known, the words' own index finds the few with the value; a
        # walk of its briefs would read all of them (at 100,000 briefs, 10,185 index entries for 1 match).
        values_without(walked[0])
        if samples[walked[0]].complete:
            walk = None
    if None not in samples:
        samples[None] = best_matches(
            filters.apply(published, by_kept_values=True, walked=walk),
            query,
            limit=limit,
            roles=reader_roles,
            first_page=first_page,
            top_values=MAX_OPTIONS,
            walk=walk,
        )
    matched = samples[None]
    # The names are kept under the site version, which the page's look-up has just read (anonymous readers).
    kept = getattr(request, "kept_part", None)
    labels = partial(facet_labels, site_version=kept.site_version if kept is not None else None)
    facets = filters.facets_among(values_without, labels=labels)
    counts_estimated = any(not sample.complete for sample in samples.values())
    # The outcome is kept: the counts, now in its filter panel, need not be, nor the first page (its cards are).
    first_page = matched.first_page
    matched = dataclasses.replace(matched, values=Counter(), first_page=None)
    panel = render_to_string(
        "articles/_filters.html",
        {**context, "facets": facets, "matched": matched, "counts_estimated": counts_estimated},
        request,
    )
    return SearchOutcome(matched, counts_estimated, panel), first_page


def _walked_value(filters, *, skip: str | None = None) -> tuple[str, str] | None:
    """Of the role, area, subfield and topic filters that narrow the matches (all but `skip`'s, as
    `BriefFilters.apply` skips it), the one the fewest published briefs hold, as (its facet, its kept value such as
    "topic:12"): the search walks that value's briefs newest first instead of every brief (`best_matches`' `walk`).
    None without one. At 100,000 briefs, the newest 1,001 briefs that match two common words and hold a role a tenth
    of the library holds were found after 17,500 briefs walked by date, and after 2,222 of the role's own
    (bench/REPORT.md, "Search, twelfth pass"); a topic, area or subfield alike ("thirteenth pass")."""
    held = [
        (getattr(value, "library_count", math.inf), name, f"{name}:{value.pk}")
        for name, value in filters.selected.items()
        if name in DATED_FACETS and not (name == skip and name not in filters.fixed)
    ]
    return min(held)[1:] if held else None


@require_safe
def favicon(request):
    """Browsers that ask for /favicon.ico whatever the page says get the site's icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        f"Disallow: {reverse('articles:search')}",
        f"Disallow: {reverse('articles:for_me')}",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
