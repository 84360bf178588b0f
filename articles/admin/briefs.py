"""Briefs in the curation panel: the list, the change form with its workflow steps, the work queue."""

import functools

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from articles import anatomy, tasks, workflow
from articles.admin import draft_panel, editing
from articles.api.caching import brief_etag, version_matches
from articles.enrich.clusters import queue_once, set_story_lead
from articles.enrich.suggestions import accept_suggestion, discard_suggestion
from articles.enrich.text import paragraph_spans
from articles.forms import form_options
from articles.models import (
    Article,
    RelatedLink,
    Status,
    Suggestion,
    WorkQueueItem,
)

STATUS_COLOURS = {
    Status.INGESTED: "#5a5a5a",
    Status.DRAFT: "#8a5300",
    Status.IN_REVIEW: "#0b5cad",
    Status.PUBLISHED: "#1d6b2f",
    Status.REJECTED: "#a1262b",
    Status.ARCHIVED: "#5a5a5a",
}


def _transition_action(transition: workflow.Transition):
    """A bulk action that applies one workflow step to each selected brief, reporting refusals one by one."""

    def action(modeladmin, request, queryset):
        done = 0
        for article in queryset.order_by("pk"):
            try:
                workflow.apply_transition(article=article, actor=request.user, name=transition.name)
            except workflow.TransitionRefused as refusal:
                modeladmin.message_user(request, str(refusal), messages.WARNING)
            else:
                done += 1
        if done:
            modeladmin.message_user(
                request, f"{transition.label}: done for {done} brief{'s' if done != 1 else ''}.", messages.SUCCESS
            )

    action.__name__ = f"transition_{transition.name}"
    action.short_description = f"{transition.label} (selected briefs)"
    action.allowed_permissions = (f"transition_{transition.name}",)
    return action


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    fk_name = "from_article"
    fields = ("to_article", "kind", "score", "position")
    readonly_fields = ("score",)
    autocomplete_fields = ("to_article",)
    extra = 0
    verbose_name = "related brief"
    verbose_name_plural = "Related briefs (pin to show first, exclude to hide a computed one)"


class PerRoleFormSet(BaseInlineFormSet):
    """The rows of a per-role section, judged by the rule for edits as one change of that section.

    The admin hands the formset the brief with the form's new values already applied, so an
    edit that copies a little in the summary and a little in a note is judged as a whole.
    """

    section: anatomy.Section  # set by per_role_inline
    actor = None  # set on the class made for each request
    edit = workflow.Edit()
    originality_refused = False

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.pk is None or not self.has_changed():
            return
        kept = {
            form.cleaned_data["role"]: form.cleaned_data["text"]
            for form in self.forms
            if form.cleaned_data.get("role") and not self._should_delete_form(form)
        }
        try:
            self.edit = workflow.check_edit(
                article=self.instance,
                actor=self.actor,
                changes={self.section.name: kept},
                override_originality=bool(self.data.get("_override_originality")),
                reason=self.data.get("_step_reason", ""),
            )
        except workflow.EditRefused as refusal:
            self.originality_refused = refusal.needs_override
            raise forms.ValidationError(str(refusal)) from None


@functools.cache
def per_role_inline(section: anatomy.Section) -> type[admin.StackedInline]:
    """The inline editing a per-role section (articles/anatomy.py): a row per role, named as the anatomy says."""
    rows = Article._meta.get_field(section.name).related_model

    class PerRoleInline(admin.StackedInline):
        """Who may change the brief may change these rows (no separate permission)."""

        model = rows
        formset = type(f"{rows.__name__}FormSet", (PerRoleFormSet,), {"section": section})
        fields = ("role", "text")
        autocomplete_fields = ("role",)
        extra = 0
        verbose_name = f"{section.label.lower()} a role"
        verbose_name_plural = f"{section.label} … (optional; one per role, shown to readers who chose it)"

        def get_formset(self, request, obj=None, **kwargs):
            formset = super().get_formset(request, obj, **kwargs)
            formset.actor = request.user
            return formset

        def _may_change_brief(self, request, obj) -> bool:
            return self.admin_site.get_model_admin(self.parent_model).has_change_permission(request, obj)

        def has_view_permission(self, request, obj=None):
            return request.user.has_perm("articles.view_article") or self._may_change_brief(request, obj)

        def has_add_permission(self, request, obj=None):
            return self._may_change_brief(request, obj)

        def has_change_permission(self, request, obj=None):
            return self._may_change_brief(request, obj)

        def has_delete_permission(self, request, obj=None):
            return self._may_change_brief(request, obj)

    PerRoleInline.__name__ = PerRoleInline.__qualname__ = f"{rows.__name__}Inline"
    return PerRoleInline


class ArticleAdmin(SimpleHistoryAdmin):
    form = editing.BriefChangeForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = (
        "title",
        "status_badge",
        "source",
        "field_list",
        "role_list",
        "depth",
        "original_published_at",
        "published_at",
        "updated_at",
    )
    list_display_links = ("title",)
    list_filter = (
        "status",
        ("source", admin.RelatedOnlyFieldListFilter),
        ("fields", admin.RelatedOnlyFieldListFilter),
        ("roles", admin.RelatedOnlyFieldListFilter),
        ("topics", admin.RelatedOnlyFieldListFilter),
        "level",
        "length",
        "published_at",
        "original_published_at",
        "created_at",
    )
    search_fields = ("title", "summary", "source__name")
    date_hierarchy = "created_at"
    list_per_page = 50
    autocomplete_fields = ("source", *anatomy.names(kind=anatomy.Kind.TAXONOMY))
    inlines = (RelatedLinkInline,)  # after the per-role sections' inlines (get_inlines)
    readonly_fields = (
        "status",
        "status_changed_at",
        "published_at",
        "curated_by",
        "created_at",
        "updated_at",
        "content_hash",
        "machine_draft",
        "originality",
        "story",
    )
    # After the brief's sections (get_fieldsets): what is not a section.
    other_fieldsets = (
        (
            "Source & original",
            {
                "fields": (
                    "source",
                    "original_url",
                    "author",
                    "original_published_at",
                    "language",
                    "guid",
                    "content_hash",
                )
            },
        ),
        (
            "Workflow",
            {"fields": ("status", "status_changed_at", "published_at", "curated_by", "created_at", "updated_at")},
        ),
    )
    actions = [*(_transition_action(t) for t in workflow.TRANSITIONS.values()), "rerun_enrichment", "lead_story"]

    def get_fieldsets(self, request, obj=None):
        # The brief's sections by kind, in page order (articles/anatomy.py); the slug follows the title.
        writing = [s.name for s in anatomy.sections() if s.kind in (anatomy.Kind.TEXT, anatomy.Kind.LIST)]
        brief = [*writing[:1], "slug", *writing[1:]]
        return (
            ("Brief", {"fields": tuple(brief)}),
            ("Taxonomy", {"fields": tuple(anatomy.names(kind=anatomy.Kind.TAXONOMY))}),
            ("Depth", {"fields": (*anatomy.names(kind=anatomy.Kind.CHOICE), "reading_minutes")}),
            ("Machine draft (suggestions)", {"fields": ("machine_draft",)}),
            ("Originality", {"fields": ("originality", "story")}),
            *self.other_fieldsets,
        )

    def get_inlines(self, request, obj):
        # Each per-role section of the anatomy is edited as rows, in page order, before the related briefs.
        return [*(per_role_inline(section) for section in anatomy.sections(kind=anatomy.Kind.PER_ROLE)), *self.inlines]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source").prefetch_related("roles", "fields__parent")

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The anatomy as it is now (labels, help, widgets); the form judges the edit as this person's.
        options = {key: value for key, value in form_options().items() if key != "fields"}
        form = super().get_form(request, obj, change, **{**options, **kwargs})
        form.actor = request.user
        form.request = request if obj is not None else None
        return form

    def has_change_permission(self, request, obj=None):
        # The rule for edits decides who may change this brief; a curator sees a live one read-only.
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None:
            return _edit_refusal(obj, request.user) is None
        return allowed

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.published_at:
            readonly.append("slug")  # the address readers and feeds already know
        return readonly

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<strong style="color:{}">{}</strong>', STATUS_COLOURS.get(obj.status, "#333"), obj.get_status_display()
        )

    @admin.display(description="Fields")
    def field_list(self, obj):
        return obj.field_label or "—"

    @admin.display(description="Best for")
    def role_list(self, obj):
        return ", ".join(role.name for role in obj.roles.all()) or "—"

    @admin.display(description="Depth", ordering="level")
    def depth(self, obj):
        return obj.depth_label or "—"

    @admin.display(description="Machine draft")
    def machine_draft(self, obj):
        return draft_panel.machine_draft(obj) if obj.pk else "—"

    @admin.display(description="Copied from the original")
    def originality(self, obj):
        return draft_panel.originality(obj) if obj.pk else "—"

    @admin.display(description="Same story from")
    def story(self, obj):
        return draft_panel.story(obj)

    @admin.action(description="Re-run enrichment (selected briefs)", permissions=["change"])
    def rerun_enrichment(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        for article_id in ids:
            transaction.on_commit(lambda article_id=article_id: tasks.enrich_article.delay(article_id))
        self.message_user(
            request,
            f"Enrichment queued for {len(ids)} brief{'s' if len(ids) != 1 else ''}; "
            "new suggestions appear on each brief when it is done. Nothing you wrote will be replaced.",
        )

    @admin.action(description="Make the selected brief the lead of its story", permissions=["change"])
    def lead_story(self, request, queryset):
        for article in queryset.select_related("story_cluster"):
            if article.story_cluster is None:
                self.message_user(request, f"“{article.title}” is not part of a story.", messages.WARNING)
                continue
            try:
                set_story_lead(cluster=article.story_cluster, article=article, actor=request.user)
            except workflow.EditRefused as refusal:
                self.message_user(request, str(refusal), messages.WARNING)
            else:
                self.message_user(request, f"“{article.title}” now leads its story.")

    def save_model(self, request, obj, form, change):
        if form.edit.reason:
            obj._change_reason = form.edit.reason
        super().save_model(request, obj, form, change)
        form.edit.record()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for formset in formsets:
            if isinstance(formset, PerRoleFormSet):
                formset.edit.record()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            refused = getattr(context.get("adminform"), "form", None)
            context["originality_over_limit"] = (
                draft_panel.check_article(obj).exceeds()
                or getattr(refused, "originality_refused", False)
                or any(
                    getattr(inline.formset, "originality_refused", False)
                    for inline in context.get("inline_admin_formsets", [])
                )
            )
            context["workflow_steps"] = workflow.available_transitions(
                article=obj, actor=request.user, check_content=False
            )
            context["missing_for_publication"] = workflow.missing_for_publication(obj)
            context["edit_refusal"] = _edit_refusal(obj, request.user)
            form = getattr(context.get("adminform"), "form", None)
            if getattr(form, "conflict", None) is not None:
                # Saving again after reading both versions keeps the curator's: the form now carries theirs.
                context["version_token"] = form.current_version
                context["conflict_rows"] = editing.conflict_rows(form)
                context["conflict_at"] = form.conflict.updated_at
            else:
                context["version_token"] = brief_etag(obj, request=request)
            context["others_editing"] = [
                name for user_id, name in editing.present(obj.pk).items() if user_id != request.user.pk
            ]
            context["presence_refresh_seconds"] = editing.PRESENCE_REFRESH_SECONDS
            context["next_in_queue"] = next_in_queue(obj)
            copied = draft_panel.check_article(obj)
            context["copied_overall"] = copied.percent
            context["copied_limit"] = round(settings.ENRICH_ORIGINALITY_MAX_SHARE * 100)
            # As enrichment numbers them, so a suggestion's paragraph and offsets point into this text.
            text = obj.content_text or ""
            context["original_paragraphs"] = [
                {"number": n, "start": start, "text": text[start:end]}
                for n, (start, end) in enumerate(paragraph_spans(text), start=1)
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/presence/", view(self.presence_view), name=f"{info}_presence"),
            path("<int:pk>/live/", view(self.live_view), name=f"{info}_live"),
            path(
                "<int:pk>/suggestion/<int:suggestion_id>/<str:decision>/",
                view(self.suggestion_view),
                name=f"{info}_suggestion",
            ),
            *super().get_urls(),
        ]

    def _editable(self, request, pk) -> Article:
        article = get_object_or_404(Article, pk=pk)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def presence_view(self, request, pk):
        """POST: "I have this brief open" (or, with `closed`, "I left"); answers who else has it open."""
        article = self._editable(request, pk)
        if request.method != "POST":
            return JsonResponse({"error": "Send a POST."}, status=405)
        if request.POST.get("closed"):
            editing.mark_closed(article_id=article.pk, user=request.user)
            return JsonResponse({"others": []})
        return JsonResponse({"others": editing.mark_open(article_id=article.pk, user=request.user)})

    def live_view(self, request, pk):
        """POST the form's fields: what would still block publishing, and how much is copied, with this text."""
        article = self._editable(request, pk)
        if request.method != "POST":
            return JsonResponse({"error": "Send a POST."}, status=405)
        return JsonResponse(editing.live_state(article, request.POST))

    def suggestion_view(self, request, pk, suggestion_id, decision):
        """Accept or discard one suggestion in place; answers the section's new value and the brief's version."""
        article = self._editable(request, pk)
        if request.method != "POST" or decision not in ("accept", "discard"):
            return JsonResponse({"error": "Send a POST to …/accept/ or …/discard/."}, status=405)
        suggestion = article.suggestions.filter(pk=suggestion_id).first()
        if suggestion is None:
            return JsonResponse({"error": "That suggestion no longer exists."}, status=404)
        offered = request.POST.get(editing.VERSION_FIELD, "")
        was_current = version_matches(offered, brief_etag(article, request=request))
        try:
            if decision == "accept":
                article = accept_suggestion(
                    suggestion=suggestion,
                    actor=request.user,
                    override_originality=bool(request.POST.get("_override_originality")),
                    reason=request.POST.get("_step_reason", ""),
                )
            else:
                discard_suggestion(suggestion=suggestion, actor=request.user)
        except workflow.EditRefused as refusal:
            return JsonResponse({"error": str(refusal)}, status=409)
        article = Article.objects.select_related("source").get(pk=article.pk)
        section = anatomy.for_suggestion(suggestion.section)
        value = getattr(article, section.name) if section and section.kind != anatomy.Kind.TAXONOMY else None
        entry = suggestion.topic or suggestion.field or suggestion.role
        return JsonResponse(
            {
                # A taxonomy entry the form must now show chosen, or its next save would take it away again.
                "entry": {"id": entry.pk, "label": str(entry)} if entry is not None and decision == "accept" else None,
                "state": suggestion.get_state_display() if decision == "discard" else "Accepted",
                "section": section.name if section else "",
                "value": "\n".join(value) if isinstance(value, list) else value,
                # A form loaded before someone else's save stays stale, so its next save is still refused.
                "version": brief_etag(article, request=request) if was_current else offered,
                "message": f"Suggestion {decision}ed ({suggestion.get_section_display().lower()}).",
            }
        )

    def response_change(self, request, obj):
        if "_save_next" in request.POST:
            following = next_in_queue(obj)
            self.message_user(request, f"Saved “{obj.title}”.")
            if following is None:
                self.message_user(request, "That was the last brief in the queue.")
                return HttpResponseRedirect(reverse("admin:articles_workqueueitem_changelist"))
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[following.pk]))
        for key, decide in (("_accept_suggestion", accept_suggestion), ("_discard_suggestion", discard_suggestion)):
            if key in request.POST:
                return self._decide_suggestion(request, obj, request.POST[key], decide)
        # "_step_reason" is the note field, not a button; it comes first in a browser's POST.
        step = next(
            (key[len("_step_") :] for key in request.POST if key.startswith("_step_") and key != "_step_reason"), None
        )
        if step is None:
            return super().response_change(request, obj)
        try:
            workflow.apply_transition(
                article=obj,
                actor=request.user,
                name=step,
                reason=request.POST.get("_step_reason", "").strip(),
                override_originality=bool(request.POST.get("_override_originality")),
            )
        except workflow.TransitionRefused as refusal:
            self.message_user(request, f"Your changes were saved, but: {refusal}", messages.ERROR)
        else:
            label = workflow.TRANSITIONS[step].label
            self.message_user(
                request, f"Saved, then “{label}”: “{obj.title}” is now {obj.get_status_display().lower()}."
            )
        return self._back_to_brief(request, obj)

    def _back_to_brief(self, request, obj):
        # A brief the step took out of this list (published from the work queue) is shown in the brief admin.
        if self.get_queryset(request).filter(pk=obj.pk).exists():
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))

    def _decide_suggestion(self, request, obj, suggestion_id, decide):
        suggestion = obj.suggestions.filter(pk=suggestion_id if str(suggestion_id).isdigit() else None).first()
        if suggestion is None:
            self.message_user(request, "Your changes were saved, but that suggestion no longer exists.", messages.ERROR)
            return HttpResponseRedirect(request.path)
        try:
            if decide is accept_suggestion:
                accept_suggestion(
                    suggestion=suggestion,
                    actor=request.user,
                    override_originality=bool(request.POST.get("_override_originality")),
                    reason=request.POST.get("_step_reason", ""),
                )
            else:
                decide(suggestion=suggestion, actor=request.user)
        except workflow.EditRefused as refusal:
            self.message_user(request, f"Your changes were saved, but: {refusal}", messages.ERROR)
        else:
            verb = "accepted" if decide is accept_suggestion else "discarded"
            self.message_user(request, f"Saved; suggestion {verb} ({suggestion.get_section_display().lower()}).")
        return HttpResponseRedirect(request.path)


def next_in_queue(article) -> Article | None:
    """The brief after `article` in the work queue's order (oldest first), one per story."""
    after = Q(created_at__gt=article.created_at) | Q(created_at=article.created_at, pk__gt=article.pk)
    return queue_once(Article.objects.in_queue().filter(after)).first()


def _edit_refusal(article, user) -> str | None:
    """Why `user` may not change `article` (the rule for edits' sentence), or None if they may."""
    try:
        workflow.check_editor(article=article, actor=user)
    except workflow.EditRefused as refusal:
        return str(refusal)
    return None


def _permission_check(transition: workflow.Transition):
    def has_permission(self, request):
        return request.user.has_perm(transition.permission)

    return has_permission


# Each bulk action is offered only to those who may take that step.
for _transition in workflow.TRANSITIONS.values():
    setattr(ArticleAdmin, f"has_transition_{_transition.name}_permission", _permission_check(_transition))

admin.site.register(Article, ArticleAdmin)


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
        "status",
        ("source", admin.RelatedOnlyFieldListFilter),
        ("roles", admin.RelatedOnlyFieldListFilter),
        ("topics", admin.RelatedOnlyFieldListFilter),
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
        return format_html('<span class="queue-title" title="{}">{}</span>', obj.title, obj.title)

    @admin.display(description="Still needed")
    def missing(self, obj):
        taxonomy = {
            s.name: list(getattr(obj, s.name).all()) for s in anatomy.required() if s.kind == anatomy.Kind.TAXONOMY
        }
        needed = workflow.missing_for_publication(obj, taxonomy)
        if not needed:
            return format_html('<span class="queue-ready">Ready to publish</span>')
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
        context = {"title": "Work queue: oldest first", "is_nav_sidebar_enabled": False}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # Who has which brief open, for the rows of this page, in one cache round trip.
        present = editing.present_on([article.pk for article in changelist.result_list])
        for article in changelist.result_list:
            article.open_by = present.get(article.pk)
        return changelist

    # The queue is a view of briefs: the brief permissions govern it.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("articles.view_article") or request.user.has_perm("articles.change_article")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("articles.change_article")

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
