"""The brief endpoints: list, detail, drafts written by curators, and the workflow steps."""

from contextlib import contextmanager
from datetime import datetime
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch, TextField
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from articles import tasks, workflow
from articles.api.caching import (
    conditional_get,
    counters_share_round_trip,
    etag_for,
    if_match_allows,
    last_modified_for,
    shared_representations,
)
from articles.api.errors import Conflict, PreconditionFailed
from articles.api.filters import ORDERINGS, BriefFilter, BriefFilterBackend
from articles.api.pagination import BriefCursorPagination, KeptSQLValues
from articles.api.permissions import CanWriteBriefs, IsStaff
from articles.api.serializers import (
    UNSHOWN_FIELDS,
    BriefSerializer,
    BriefWriteSerializer,
    EnrichQueuedSerializer,
    TransitionSerializer,
    related_prefetch,
)
from articles.models import Article, RoleNote, Status
from articles.versions import edit_version

# API step name (URL) → workflow transition.
STEPS = {
    "start-draft": "start_draft",
    "submit": "submit",
    "send-back": "send_back",
    "publish": "publish",
    "unpublish": "unpublish",
    "reject": "reject",
    "archive": "archive",
    "restore": "restore",
}
# Keys of a PATCH body that are a note on the edit, not the brief's content.
EDIT_NOTE_KEYS = ("override_originality", "reason")


class ListedBrief(NamedTuple):
    """What the list reads of a brief on its page before the kept representations."""

    pk: int
    slug: str
    title: str
    published_at: datetime | None
    # Its `updated_at` as the database writes it: part of a kept representation's token, never read as a date
    # (decoding 21 more dates cost more than the rest of the rows).
    changed: str


LIST_KEY_COLUMNS = ("pk", "slug", "title", "published_at")
LIST_KEY_EXPRESSIONS = {"changed": Cast("updated_at", output_field=TextField())}
# Briefs a PATCH may not touch until a step brings them back.
FROZEN_STATUSES = {Status.REJECTED, Status.ARCHIVED}


def readable_briefs(user):
    """What `user` may read (briefs_for adds what a representation reads, and leaves out the full text)."""
    briefs = Article.objects.visible_to(user)
    if user is not None and user.is_active and user.is_staff:
        # Drafts have no publication date; the cursor needs a value for every row. (Others see
        # published briefs only, listed by `published_at`: see BriefViewSet.cursor_ordering.)
        briefs = briefs.annotate(listed_at=Coalesce("published_at", "created_at"))
    return briefs


def with_representation(briefs):
    """`briefs` with no more than a brief's own columns (no full text) and everything its representation needs
    prefetched. (The list reads its page's keys without them: deferring cost a tenth of a millisecond there.)"""
    return (
        briefs.defer(*UNSHOWN_FIELDS)
        .with_taxonomy()
        .prefetch_related(related_prefetch(), Prefetch("role_notes", queryset=RoleNote.objects.select_related("role")))
    )


def briefs_for(user):
    """What `user` may read, with everything a brief's representation needs prefetched."""
    return with_representation(readable_briefs(user))


def _step_view(step: str):
    transition = workflow.TRANSITIONS[STEPS[step]]

    def step_view(self, request, slug=None):
        return self.run_step(request, transition)

    # DRF maps the HTTP method to the function's name when @action runs, so name it first.
    step_view.__name__ = transition.name
    step_view = action(detail=True, methods=["post"], url_path=step, url_name=step, permission_classes=[IsStaff])(
        step_view
    )
    return extend_schema(
        operation_id=f"articles_{transition.name}",
        summary=transition.label,
        description=(
            f"Runs the workflow step “{transition.label}” (from {', '.join(sorted(transition.sources))} "
            f"to {transition.target}); needs the permission `{transition.permission}`. A refusal because of "
            "the brief's state or content answers 409 with the reason in `error.message`."
        ),
        request=TransitionSerializer,
        responses={200: BriefSerializer},
        examples=[OpenApiExample("With a reason", value={"reason": "Checked against the original."})],
    )(step_view)


@extend_schema_view(
    list=extend_schema(
        summary="List briefs",
        description="Published briefs (staff also see the rest), newest first unless `ordering` says otherwise.",
    ),
    retrieve=extend_schema(summary="Read one brief"),
    create=extend_schema(
        summary="Create a draft",
        request=BriefWriteSerializer,
        responses={201: BriefSerializer},
        description="Needs the permission `articles.add_article` (Curator or Editor). The new brief is a draft.",
    ),
    partial_update=extend_schema(
        summary="Update a brief",
        request=BriefWriteSerializer,
        responses={200: BriefSerializer},
        description=(
            "Needs `articles.change_article`; a published brief also needs `articles.publish_article`, keeps "
            "what publishing required (title, summary, takeaway, a field, a role; taking one away is a 409) and "
            "copies no more of its original than ENRICH_ORIGINALITY_MAX_SHARE allows (409), unless an editor "
            "adds `override_originality: true` and a `reason` to the body: the override is recorded. "
            "Send `If-Match` with the ETag you read to refuse the change (412) if someone changed meanwhile what "
            "an edit writes (the sections, taxonomy, depth, status, source details); related briefs recomputed "
            "since you read it do not refuse it. The curation panel's form checks the same version."
        ),
    ),
)
class BriefViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_class = BriefFilter
    filter_backends = [BriefFilterBackend]
    pagination_class = BriefCursorPagination
    permission_classes = [CanWriteBriefs]
    serializer_class = BriefSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return briefs_for(self.request.user)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise exceptions.NotFound(
                f"No brief has the address “{self.kwargs.get('slug')}” (or it is not published yet)."
            ) from None

    def cursor_ordering(self, request, queryset):
        ordering = request.query_params.get("ordering") or ""
        searched = "search_rank" in queryset.query.annotations
        if ordering == "relevance" and not request.query_params.get("q", "").strip():
            raise exceptions.ValidationError({"ordering": ["Ordering by relevance needs a search (`q`)."]})
        if ordering == "relevance" and not searched:
            # `q` held nothing searchable, so search() answered an empty list with no ranks to order by.
            ordering = "-published"
        if not ordering:
            ordering = "relevance" if searched else "-published"
        user = request.user
        if not (user.is_active and user.is_staff):
            # Only published briefs here (visible_to), all dated: order on the indexed column
            # rather than the Coalesce that drafts need.
            return tuple(key.replace("listed_at", "published_at") for key in ORDERINGS[ordering])
        return ORDERINGS[ordering]

    # (throttle, its counter) of a request to be counted in the round trip that reads its page's kept
    # representations (see check_throttles); None once counted, or when counted the usual way.
    _uncounted = None

    def check_throttles(self, request):
        # An anonymous list request is counted in the round trip that reads its page's kept representations:
        # one round trip to Redis where there were two. A request that ends before that read (a bad cursor,
        # an unknown filter value) is counted then (handle_exception), so every request still counts, and a
        # client over its budget still gets 429 whatever else is wrong with its request. (A client over its
        # budget now costs the page's key query, one index read, before its 429.)
        if self.action == "list" and not request.user.is_authenticated and "q" not in request.query_params:
            counters = [(throttle, throttle.counter(request, self)) for throttle in self.get_throttles()]
            counters = [(throttle, counter) for throttle, counter in counters if counter is not None]
            if len(counters) == 1 and counters_share_round_trip(counters[0][0]):
                self._uncounted = counters[0]
                return
        super().check_throttles(request)

    def _count_with_page(self):
        """(counter, seconds, check) for shared_representations: the deferred count, checked there."""
        (throttle, counter), self._uncounted = self._uncounted, None

        def check(count):
            if not throttle.allows(count):
                self.throttled(self.request, throttle.wait())

        return throttle.cache.make_key(counter), throttle.keep, check

    def _count_now(self):
        """Count a request whose count was left for its page's read, and refuse it over budget (429)."""
        if self._uncounted is not None:
            (throttle, counter), self._uncounted = self._uncounted, None
            if not throttle.allows(throttle.count(counter)):
                self.throttled(self.request, throttle.wait())

    def handle_exception(self, exc):
        # A request that ended before its page was read is counted now; over budget, its answer is the 429.
        try:
            self._count_now()
        except exceptions.Throttled as throttled:
            exc = throttled
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.action == "list":
            # Any change to any brief (including leaving the published list) moves this date; for
            # anonymous clients, the page cache's change time does (read with the kept representations).
            if response.status_code != 200:
                return response
            last_modified = getattr(self, "_list_changed_at", None)
            if last_modified is None:
                last_modified = last_modified_for(Article.objects.aggregate(last=Max("updated_at"))["last"])
            return conditional_get(request, response, last_modified=last_modified, of_rendered=True)
        if self.action == "retrieve":
            if response.status_code != 200:
                return response
            updated_at = getattr(self, "_object_updated_at", None)
            return conditional_get(
                request,
                response,
                last_modified=last_modified_for(updated_at),
                version=getattr(self, "_object_version", ""),
            )
        return response

    def list(self, request, *args, **kwargs):
        # Prefetches are added only where representations are made (building them costs a millisecond).
        queryset = self.filter_queryset(readable_briefs(request.user))
        if request.user.is_authenticated or "search_rank" in queryset.query.annotations:
            self._count_now()  # (not left for later when there is `q` or a user: see check_throttles)
            # Staff see drafts (whose changes retire nothing); a search adds a rank and a snippet to each brief.
            page = self.paginate_queryset(with_representation(queryset))
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        # The page's briefs without what their representation needs; those not kept are loaded in full.
        # Only what keys a kept representation and places the cursor (the ordering columns), read as
        # rows: building 21 deferred model instances cost more than the rest of the page's query.
        keys = queryset.values(*LIST_KEY_COLUMNS, **LIST_KEY_EXPRESSIONS)
        keys._iterable_class = KeptSQLValues
        rows = self.paginate_queryset(keys)
        page = [ListedBrief(**row) for row in rows]

        def build(briefs):
            loaded = self.get_queryset().in_bulk([brief.pk for brief in briefs])
            return self.get_serializer([loaded[brief.pk] for brief in briefs], many=True).data

        # Every change an anonymous client can see moves the page cache's change time, read with the kept ones.
        counted = self._count_with_page() if self._uncounted is not None else None
        representations, self._list_changed_at = shared_representations(
            page, request=request, build=build, count=counted
        )
        return self.get_paginated_response(representations)

    def retrieve(self, request, *args, **kwargs):
        article = self.get_object()
        self._object_updated_at = article.updated_at
        self._object_version = edit_version(article)
        return Response(self.get_serializer(article).data)

    def _answer(self, article, *, status_code: int = status.HTTP_200_OK) -> Response:
        """The brief as it is now, with its ETag (its edit version and the hash of this answer)."""
        fresh = self.get_queryset().get(pk=article.pk)
        data = BriefSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers={"ETag": etag_for(data, version=edit_version(fresh))})

    def create(self, request, *args, **kwargs):
        serializer = BriefWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with _original_url_race_as_400(serializer):
            article = serializer.save()
        response = self._answer(article, status_code=status.HTTP_201_CREATED)
        response["Location"] = response.data["api_url"]
        return response

    def partial_update(self, request, *args, **kwargs):
        found = self.get_object()  # 404 for what the requester cannot see
        with transaction.atomic():
            # Lock the row: the status checks, the If-Match comparison and the write see one version.
            Article.objects.select_for_update().filter(pk=found.pk).values_list("pk").first()
            article = self.get_queryset().get(pk=found.pk)
            if article.status in FROZEN_STATUSES:
                raise Conflict(
                    f"“{article.title}” is {article.get_status_display().lower()}; restore it to draft before editing."
                )
            with _edit_refusals():
                # Whether this person may edit the brief at all comes before what the request says (403, then 400).
                workflow.check_editor(article=article, actor=request.user)
            serializer = BriefWriteSerializer(
                article, data=request.data, partial=True, context=self.get_serializer_context()
            )
            # A malformed request is a 400 whatever its If-Match says.
            serializer.is_valid(raise_exception=True)
            note = TransitionSerializer(data={key: request.data[key] for key in EDIT_NOTE_KEYS if key in request.data})
            note.is_valid(raise_exception=True)
            with _edit_refusals():
                edit = workflow.check_edit(
                    article=article,
                    actor=request.user,
                    changes=serializer.validated_data,
                    override_originality=note.validated_data["override_originality"],
                    reason=note.validated_data.get("reason", ""),
                )
            if not if_match_allows(request, article):
                raise PreconditionFailed()
            with _original_url_race_as_400(serializer):
                serializer.save(**({"change_reason": edit.reason} if edit.reason else {}))
            edit.record()
        return self._answer(article)

    def run_step(self, request, transition: workflow.Transition):
        article = self.get_object()
        if not request.user.has_perm(transition.permission):
            raise exceptions.PermissionDenied(_permission_refusal(request.user, transition))
        reason_serializer = TransitionSerializer(data=request.data)
        reason_serializer.is_valid(raise_exception=True)
        try:
            workflow.apply_transition(
                article=article,
                actor=request.user,
                name=transition.name,
                reason=reason_serializer.validated_data.get("reason", ""),
                override_originality=(
                    transition.target == Status.PUBLISHED and reason_serializer.validated_data["override_originality"]
                ),
            )
        except workflow.TransitionRefused as refusal:
            raise Conflict(str(refusal)) from None
        return self._answer(article)

    @extend_schema(
        operation_id="articles_enrich",
        summary="Re-run enrichment",
        description=(
            "Queues a fresh machine draft of this brief (as the admin's “Re-run enrichment”). Needs "
            "`articles.change_article`. Its suggestions replace the waiting ones; nothing a person wrote "
            "is replaced, and a published brief's draft stays suggestions. Answers 202 once queued."
        ),
        request=None,
        responses={202: EnrichQueuedSerializer},
        examples=[OpenApiExample("Queued", value={"brief": "a-brief", "queued": True}, response_only=True)],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def enrich(self, request, slug=None):
        article = self.get_object()
        if not request.user.has_perm("articles.change_article"):
            raise exceptions.PermissionDenied("Your account may not edit briefs, so it cannot ask for a new draft.")
        article_id = article.pk
        transaction.on_commit(lambda: tasks.enrich_article.delay(article_id))
        return Response({"brief": article.slug, "queued": True}, status=status.HTTP_202_ACCEPTED)

    start_draft = _step_view("start-draft")
    submit = _step_view("submit")
    send_back = _step_view("send-back")
    publish = _step_view("publish")
    unpublish = _step_view("unpublish")
    reject = _step_view("reject")
    archive = _step_view("archive")
    restore = _step_view("restore")


@contextmanager
def _original_url_race_as_400(serializer):
    """Another writer took this original address between validation and save: the same 400 as the validator's."""
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint, so the transaction can still be queried after the error
                yield
        except IntegrityError:
            url = serializer.validated_data.get("original_url")
            if url and Article.objects.filter(original_url=url).exists():
                raise exceptions.ValidationError(
                    {"original_url": ["Another brief already has this original address."]}
                ) from None
            raise


@contextmanager
def _edit_refusals():
    """The rule for edits' refusal as the API answers it: 403 for who may edit, 409 for what the edit does."""
    try:
        yield
    except workflow.EditRefused as refusal:
        raise (exceptions.PermissionDenied if refusal.forbidden else Conflict)(str(refusal)) from None


def _permission_refusal(user, transition: workflow.Transition) -> str:
    """The workflow's own wording for a missing permission (the admin shows the same sentence)."""
    try:
        workflow.check_permission(transition=transition, actor=user)
    except workflow.TransitionRefused as refusal:
        return str(refusal)
    return f"You may not “{transition.label.lower()}” briefs."
