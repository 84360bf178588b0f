"""The work queue: drafts and briefs in review, oldest first, one row per story, worked from the keyboard.

Rows say what each brief still needs, how much is copied, what waits, where it came from, how
long it has waited and who has it open. Filters: status, what blocks publishing, field (an area
takes its subfields), role, topic, source, age, who has it open, level. Keys, shown above the
list: move, open, select, search, and the workflow steps this person may take (submit, publish,
reject, archive); reject and archive ask first. A step from the keyboard is the same bulk action
as the menu's, on the one row, so its refusals read the same.
"""

import json
from datetime import timedelta

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles import anatomy, workflow
from articles.admin import draft_panel, editing
from articles.admin.briefs import CONFIRMED_STEPS, ArticleAdmin, _edit_refusal, _transition_action
from articles.enrich.clusters import queue_once
from articles.models import QUEUE_STATUSES, Article, Field, Suggestion, WorkQueueItem

# The workflow steps on single keys in the queue; those that take a brief out of it for good ask first.
STEP_KEYS = {"submit": "s", "publish": "p", "reject": "r", "archive": "a"}


def step_keys(user) -> list[dict]:
    """The step keys `user` may press (their permissions decide), for the legend above the queue."""
    keys = []
    for name, key in STEP_KEYS.items():
        transition = workflow.TRANSITIONS[name]
        try:
            workflow.check_permission(transition=transition, actor=user)
        except workflow.TransitionRefused:
            continue
        keys.append({"key": key, "name": name, "label": transition.label, "confirm": name in CONFIRMED_STEPS})
    return keys


def row_steps(article, user, still_needed: list[str]) -> tuple[list[str], dict[str, str]]:
    """(steps `user` may take on `article` now, {step: why it is closed}) among the keyed ones.

    `still_needed` is what the brief lacks for publication, worked out once for the row (no query here).
    """
    open_steps, closed = [], {}
    for name in STEP_KEYS:
        transition = workflow.TRANSITIONS[name]
        try:
            workflow.check_transition(article=article, actor=user, name=name, check_content=False)
        except workflow.TransitionRefused as refusal:
            closed[name] = str(refusal)
            continue
        if transition.needs_complete_brief and still_needed:
            closed[name] = f"“{transition.label}” waits for {', '.join(still_needed)}."
            continue
        open_steps.append(name)
    return open_steps, closed


class QueueStatusFilter(admin.SimpleListFilter):
    """The statuses a brief can have in the queue (the others would always list nothing)."""

    title = "status"
    parameter_name = "status__exact"  # as the admin home's "Review the briefs waiting for an editor" links

    def lookups(self, request, model_admin):
        return [(status.value, status.label) for status in QUEUE_STATUSES]

    def queryset(self, request, queryset):
        if self.value() in QUEUE_STATUSES:
            return queryset.filter(status=self.value())
        return queryset


class BlocksPublishingFilter(admin.SimpleListFilter):
    """What still blocks publishing: one choice per required section (articles/anatomy.py), or nothing."""

    title = "what blocks publishing"
    parameter_name = "blocked_by"

    def lookups(self, request, model_admin):
        needs = [(section.name, f"Needs {section.required}") for section in anatomy.required()]
        return [("nothing", "Nothing: ready to publish"), *needs]

    @staticmethod
    def lacking(section: anatomy.Section) -> Q:
        if section.kind == anatomy.Kind.TAXONOMY:
            linked = getattr(Article, section.name).through.objects.filter(article_id=OuterRef("pk"))
            return ~Q(Exists(linked))
        if section.kind == anatomy.Kind.TEXT:
            return Q(**{f"{section.name}__regex": r"^\s*$"})
        if section.kind == anatomy.Kind.LIST:
            return Q(**{section.name: []})
        return Q(**{section.name: ""})

    def queryset(self, request, queryset):
        chosen = self.value()
        if chosen == "nothing":
            for section in anatomy.required():
                queryset = queryset.exclude(self.lacking(section))
            return queryset
        for section in anatomy.required():
            if section.name == chosen:
                return queryset.filter(self.lacking(section))
        return queryset


class FieldFilter(admin.SimpleListFilter):
    """A field: a subfield's briefs, or for an area the briefs of the area or any of its subfields."""

    title = "field"
    parameter_name = "field"

    def lookups(self, request, model_admin):
        fields = Field.objects.select_related("parent").order_by("parent__position", "parent__name", "position")
        areas = sorted((f for f in fields if f.parent_id is None), key=lambda f: (f.position, f.name))
        subfields = {}
        for field in fields:
            if field.parent_id is not None:
                subfields.setdefault(field.parent_id, []).append(field)
        choices = []
        for area in areas:
            choices.append((str(area.pk), area.name))
            choices.extend((str(sub.pk), f"{area.name} — {sub.name}") for sub in subfields.get(area.pk, []))
        return choices

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        field_id = int(self.value())
        links = Article.fields.through.objects.filter(article_id=OuterRef("pk")).filter(
            Q(field_id=field_id) | Q(field__parent_id=field_id)
        )
        return queryset.filter(Exists(links))


class WaitingFilter(admin.SimpleListFilter):
    """How long a brief has waited in the queue (since it arrived), as the Waiting column counts it."""

    title = "waiting"
    parameter_name = "waiting"
    SPANS = {
        "day": ("Less than a day", None, timedelta(days=1)),
        "week": ("1 to 7 days", timedelta(days=1), timedelta(days=7)),
        "month": ("1 to 4 weeks", timedelta(days=7), timedelta(days=28)),
        "older": ("More than 4 weeks", timedelta(days=28), None),
    }

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _least, _most) in self.SPANS.items()]

    def queryset(self, request, queryset):
        if self.value() not in self.SPANS:
            return queryset
        _label, least, most = self.SPANS[self.value()]
        now = timezone.now()
        if least is not None:
            queryset = queryset.filter(created_at__lte=now - least)
        if most is not None:
            queryset = queryset.filter(created_at__gt=now - most)
        return queryset


class OpenByFilter(admin.SimpleListFilter):
    """Who is working on it: the briefs someone has open in the editor now (the "Open by" column)."""

    title = "open by"
    parameter_name = "open_by"

    def _open(self, request) -> tuple[dict[int, str], dict[int, set[int]]]:
        """({staff id: name}, {staff id: ids of the briefs they have open}), read once per request."""
        if not hasattr(request, "_queue_open_briefs"):
            staff = {
                pk: f"{first} {last}".strip() or username
                for pk, first, last, username in get_user_model()
                .objects.filter(is_staff=True, is_active=True)
                .values_list("pk", "first_name", "last_name", "username")
            }
            request._queue_open_briefs = (staff, editing.open_briefs(list(staff)))
        return request._queue_open_briefs

    def lookups(self, request, model_admin):
        staff, open_now = self._open(request)
        others = sorted((pk for pk in open_now if pk != request.user.pk), key=lambda pk: staff[pk])
        people = [(f"user-{pk}", staff[pk]) for pk in others]
        return [("me", "Me"), ("anyone", "Anyone"), ("nobody", "Nobody"), *people]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        _staff, open_now = self._open(request)
        anyone = set().union(*open_now.values()) if open_now else set()
        if value == "me":
            return queryset.filter(pk__in=open_now.get(request.user.pk, set()))
        if value == "anyone":
            return queryset.filter(pk__in=anyone)
        if value == "nobody":
            return queryset.exclude(pk__in=anyone)
        if value.startswith("user-") and value[5:].isdigit():
            return queryset.filter(pk__in=open_now.get(int(value[5:]), set()))
        return queryset


@admin.register(WorkQueueItem)
class WorkQueueAdmin(ArticleAdmin):
    """Drafts and briefs in review, oldest first, one row per story: what needs a curator now."""

    change_list_template = "admin/articles/workqueueitem/change_list.html"
    list_display = (
        "title_cell",
        "status_badge",
        "missing",
        "copied",
        "pending",
        "source_cell",
        "waiting",
        "working_on",
    )
    list_display_links = ("title_cell",)
    list_filter = (
        QueueStatusFilter,
        BlocksPublishingFilter,
        FieldFilter,
        ("roles", admin.RelatedOnlyFieldListFilter),
        ("topics", admin.RelatedOnlyFieldListFilter),
        ("source", admin.RelatedOnlyFieldListFilter),
        WaitingFilter,
        OpenByFilter,
        "level",
    )
    search_fields = ("title", "summary", "source__name")
    date_hierarchy = None
    ordering = ("created_at", "pk")
    list_per_page = 50
    actions = [
        _transition_action(workflow.TRANSITIONS["reject"]),
        _transition_action(workflow.TRANSITIONS["archive"]),
        *(_transition_action(t) for name, t in workflow.TRANSITIONS.items() if name not in ("reject", "archive")),
        "rerun_enrichment",
        "lead_story",
    ]

    def get_queryset(self, request):
        # A story reported by several sources is one line, its lead, naming all its sources.
        pending = (
            Suggestion.objects.filter(article=OuterRef("pk"), state=Suggestion.State.PENDING)
            .values("article")
            .annotate(n=Count("pk"))
            .values("n")
        )
        members = (
            Article.objects.select_related("source")
            .only("pk", "story_cluster", "source__name")
            .order_by("created_at", "pk")
        )
        return (
            queue_once(super().get_queryset(request).in_queue())
            .select_related("story_cluster")
            .prefetch_related("topics", Prefetch("story_cluster__articles", queryset=members))
            # "Copied" counts the per-role sections' notes too: read them for the whole page at once.
            .prefetch_related(*anatomy.names(kind=anatomy.Kind.PER_ROLE))
            .annotate(pending_suggestions=Coalesce(Subquery(pending[:1]), 0))
        )

    @admin.display(description="Brief", ordering="title")
    def title_cell(self, obj):
        # The steps this person may take on this row from the keyboard, and why the others are closed.
        steps, closed = obj.key_steps
        return format_html(
            '<span class="queue-title" title="{}" data-steps="{}" data-closed="{}">{}</span>',
            obj.title,
            " ".join(steps),
            json.dumps(closed),
            obj.title,
        )

    @admin.display(description="Still needed")
    def missing(self, obj):
        needed = obj.still_needed
        if not needed:
            return mark_safe('<span class="queue-ready">Ready to publish</span>')
        return format_html('<span class="queue-missing">Needs {}</span>', ", ".join(needed))

    @admin.display(description="Copied")
    def copied(self, obj):
        report = draft_panel.check_article(obj)
        over = report.exceeds()
        return format_html(
            '<span class="queue-copied{}">{}% copied{}</span>',
            " over-limit" if over else "",
            report.percent,
            " (over the limit)" if over else "",
        )

    @admin.display(description="Suggestions", ordering="pending_suggestions")
    def pending(self, obj):
        n = obj.pending_suggestions
        return f"{n} suggestion{'s' if n != 1 else ''} waiting" if n else "No suggestions"

    @admin.display(description="Source")
    def source_cell(self, obj):
        if obj.story_cluster_id is not None:
            return format_html("From {}", draft_panel.story(obj))
        return format_html("From {}", obj.source.name)

    @admin.display(description="Open by")
    def working_on(self, obj):
        names = getattr(obj, "open_by", None)
        return format_html('<span class="queue-busy">Open by {}</span>', ", ".join(names)) if names else "—"

    def changelist_view(self, request, extra_context=None):
        # The queue's columns need the width the app menu would take; the breadcrumbs lead back to it.
        context = {
            "title": "Work queue: oldest first",
            "is_nav_sidebar_enabled": False,
            "step_keys": step_keys(request.user),
        }
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # Who has which brief open, for the rows of this page, in one cache round trip.
        present = editing.present_on([article.pk for article in changelist.result_list])
        for article in changelist.result_list:
            article.open_by = present.get(article.pk)
            taxonomy = {
                s.name: list(getattr(article, s.name).all())
                for s in anatomy.required()
                if s.kind == anatomy.Kind.TAXONOMY
            }
            article.still_needed = workflow.missing_for_publication(article, taxonomy)
            article.key_steps = row_steps(article, request.user, article.still_needed)
        return changelist

    # The queue is a view of briefs: the brief permissions govern it.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("articles.view_article") or request.user.has_perm("articles.change_article")

    def has_change_permission(self, request, obj=None):
        # As for briefs: the rule for edits decides whether this person may change this one.
        allowed = request.user.has_perm("articles.change_article")
        if allowed and obj is not None:
            return _edit_refusal(obj, request.user) is None
        return allowed

    def get_object(self, request, object_id, from_field=None):
        # A brief opened from the queue stays open here once a step has taken it out of the queue
        # (published, rejected), so the breadcrumbs and "Save and next" still lead through the queue.
        try:
            return ArticleAdmin.get_queryset(self, request).get(pk=int(object_id))
        except (ValueError, WorkQueueItem.DoesNotExist):
            return None

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    @admin.display(description="Waiting", ordering="created_at")
    def waiting(self, obj):
        age = timezone.now() - obj.created_at
        days, hours = age.days, age.seconds // 3600
        words = f"{days} day{'s' if days != 1 else ''}" if days else f"{hours} hour{'s' if hours != 1 else ''}"
        return format_html('<span title="{}">Waiting {}</span>', obj.created_at.isoformat(), words)
