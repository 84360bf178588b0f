"""Query parameters of the brief list; each one narrows through a QuerySet method of the model."""

import django_filters
from django.conf import settings
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from articles.models import Article, Field, Length, Level, Role, Source, Status, Topic
from articles.search import matching, search

# `ordering` value → the order the cursor walks (first key is the cursor position; pk breaks ties).
ORDERINGS = {
    "-published": ("-listed_at", "-pk"),
    "published": ("listed_at", "pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "relevance": ("-search_rank", "-pk"),
}
ORDERING_HELP = (
    "`-published` (newest first, the default), `published`, `title`, `-title`, or `relevance` "
    "(with `q`; the default when `q` is given)."
)


@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(django_filters.ModelChoiceFilter):
    """A taxonomy value by slug; an unknown slug is a 400 naming the parameter."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("error_messages", {"invalid_choice": "Nothing here has the slug “%(value)s”."})
        super().__init__(*args, **kwargs)


def _sources_for(request):
    # A source with nothing published is unknown to anonymous readers, not "known, but empty".
    return Source.objects.visible_to(getattr(request, "user", None))


class BriefFilter(django_filters.FilterSet):
    role = SlugFilter(queryset=Role.objects.all(), method="filter_role", help_text="Role slug (Best for).")
    area = SlugFilter(
        queryset=Field.objects.areas(),
        method="filter_field",
        help_text="Area slug: briefs in the area or any of its subfields.",
    )
    field = SlugFilter(
        queryset=Field.objects.all(),
        method="filter_field",
        help_text="Field slug (an area includes its subfields).",
    )
    topic = SlugFilter(queryset=Topic.objects.all(), method="filter_topic", help_text="Topic slug.")
    source = SlugFilter(queryset=_sources_for, method="filter_source", help_text="Source slug.")
    level = django_filters.ChoiceFilter(choices=Level.choices, help_text="Depth level.")
    length = django_filters.ChoiceFilter(choices=Length.choices, help_text="Reading length.")
    status = django_filters.ChoiceFilter(
        choices=Status.choices, help_text="Workflow status; only staff see briefs that are not published."
    )
    published_from = django_filters.DateFilter(
        field_name="published_at", lookup_expr="date__gte", help_text="Published on or after this date (YYYY-MM-DD)."
    )
    published_until = django_filters.DateFilter(
        field_name="published_at", lookup_expr="date__lte", help_text="Published on or before this date (YYYY-MM-DD)."
    )
    q = django_filters.CharFilter(
        method="filter_search",
        help_text=(
            'Full-text search (words, "phrases", -exclusions, OR), the same as the site\'s: ranks by relevance '
            "the newest WEB_SEARCH_MATCH_LIMIT (1,000 by default) briefs that match."
        ),
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(key, key) for key in ORDERINGS], method="filter_nothing", help_text=ORDERING_HELP
    )

    class Meta:
        model = Article
        fields = []

    def is_valid(self):
        valid = super().is_valid()
        # "?level=" is a mistake, not a wish for no filter (only an empty search means "no search").
        for name in self.filters:
            if name != "q" and name in self.data and self.data.get(name) == "":
                self.form.add_error(name, "Give a value or leave the parameter out.")
                valid = False
        return valid

    def filter_role(self, queryset, name, value):
        return queryset.for_role(value)

    def filter_field(self, queryset, name, value):
        return queryset.for_field(value)

    def filter_topic(self, queryset, name, value):
        return queryset.for_topic(value)

    def filter_source(self, queryset, name, value):
        return queryset.for_source(value)

    def filter_search(self, queryset, name, value):
        # As the site's search page: only the newest WEB_SEARCH_MATCH_LIMIT matches are ranked (ranking every
        # brief a common word matches read most of the library: 0.9 s at 100,000 briefs). Applied after the
        # other filters (declared before it), so they are the newest matches among the briefs they leave.
        newest = matching(queryset, value).latest_first().values("pk")[: settings.WEB_SEARCH_MATCH_LIMIT]
        return search(queryset.filter(pk__in=newest), value)

    def filter_nothing(self, queryset, name, value):
        return queryset  # the paginator orders, see BriefCursorPagination


class BriefFilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names none of the filters (most list requests).

    The filter set builds a form on every request, deep-copying each field and its queryset: about
    a third of the list's CPU when there is nothing to filter. With no filter named, its answer is
    the queryset unchanged anyway.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
