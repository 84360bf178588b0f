"""Fields (as a tree), topics, roles and sources, each with its count of published briefs."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from articles import facets
from articles.api.caching import conditional_get
from articles.api.errors import Conflict
from articles.api.permissions import CanIngestSources
from articles.api.serializers import (
    AreaSerializer,
    FieldDetailSerializer,
    RoleSerializer,
    SourceSerializer,
    TopicSerializer,
)
from articles.ingest.pipeline import NotAFeedSource
from articles.models import Field, Role, Source, Topic
from articles.tasks import queue_ingestion


class IngestQueuedSerializer(serializers.Serializer):
    source = serializers.IntegerField(help_text="The source's id.")
    queued = serializers.BooleanField()


class CachedReadMixin:
    """Validators, 304s and Cache-Control on every successful GET."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return conditional_get(request, response)


def _field_counts() -> dict[int, int]:
    """Published briefs per field, kept (articles/facets.py); an area counts each brief in it or its subfields once."""
    kept = facets.counts_by_pk("area", "field")
    return {**kept["area"], **kept["field"]}  # areas and subfields are different rows


def _with_tree(fields: list[Field], counts: dict[int, int]) -> list[Field]:
    for field in fields:
        field.published_count = counts.get(field.pk, 0)
        field.subfield_list = []
    return fields


@extend_schema_view(
    list=extend_schema(summary="The field tree", description="Areas in order, each with its subfields."),
    retrieve=extend_schema(summary="One field (area or subfield)"),
)
class FieldViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    queryset = Field.objects.select_related("parent")
    pagination_class = None
    filter_backends = []

    def get_serializer_class(self):
        return AreaSerializer if self.action == "list" else FieldDetailSerializer

    def list(self, request, *args, **kwargs):
        counts = _field_counts()
        fields = _with_tree(list(Field.objects.all()), counts)
        areas = [field for field in fields if field.parent_id is None]
        by_pk = {area.pk: area for area in areas}
        for field in fields:
            if field.parent_id is not None:
                by_pk[field.parent_id].subfield_list.append(field)
        return Response(self.get_serializer(areas, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        field = self.get_object()
        counts = _field_counts()
        _with_tree([field], counts)
        field.subfield_list = _with_tree(list(field.subfields.all()), counts)
        return Response(self.get_serializer(field).data)


class CountedTaxonomyViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    pagination_class = None
    filter_backends = []
    model = None
    facet = ""

    def get_queryset(self):
        return self.model.objects.annotate(published_count=facets.kept_count(self.facet))


@extend_schema_view(list=extend_schema(summary="Topics"), retrieve=extend_schema(summary="One topic"))
class TopicViewSet(CountedTaxonomyViewSet):
    model = Topic
    facet = "topic"
    serializer_class = TopicSerializer


@extend_schema_view(list=extend_schema(summary="Roles (Best for)"), retrieve=extend_schema(summary="One role"))
class RoleViewSet(CountedTaxonomyViewSet):
    model = Role
    facet = "role"
    serializer_class = RoleSerializer


@extend_schema_view(list=extend_schema(summary="Sources"), retrieve=extend_schema(summary="One source"))
class SourceViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        # Readers meet a source once something of it is published; editors queue any of theirs.
        sources = Source.objects.all() if self.action == "ingest" else Source.objects.visible_to(self.request.user)
        return sources.annotate(articles_published=facets.kept_count("source"))

    @extend_schema(
        operation_id="sources_ingest",
        summary="Ingest now",
        description=(
            "Queues one ingestion run of this feed source, whether it is due or not (as the admin's "
            "“Ingest now”). Needs the permission `articles.change_source` (Editors). The run's outcome "
            "appears on the source in the admin; this answers 202 as soon as the run is queued. "
            "A source of single pages has no feed: 409."
        ),
        request=None,
        responses={202: IngestQueuedSerializer},
        examples=[OpenApiExample("Queued", value={"source": 3, "queued": True}, response_only=True)],
    )
    @action(detail=True, methods=["post"], permission_classes=[CanIngestSources])
    def ingest(self, request, pk=None):
        source = self.get_object()
        try:
            queue_ingestion(source=source)
        except NotAFeedSource as exc:
            raise Conflict(str(exc)) from None
        return Response({"source": source.pk, "queued": True}, status=status.HTTP_202_ACCEPTED)
