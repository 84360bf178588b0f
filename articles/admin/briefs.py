"""Briefs in the curation panel: the list, and the change form (the brief editor) with its workflow steps.

The work queue, a view of the same briefs, is in queue.py."""

from copy import copy

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from articles import anatomy, tasks, workflow
from articles.admin import draft_panel, editing
from articles.admin.brief_inlines import PerRoleFormSet, RelatedLinkInline, per_role_inline
from articles.enrich.clusters import queue_once, set_story_lead
from articles.enrich.suggestions import accept_suggestion, discard_suggestion
from articles.enrich.text import paragraph_spans
from articles.forms import form_options
from articles.models import (
    Article,
    Source,
    Status,
    WorkQueueItem,
)
from articles.versions import edit_version, version_matches

# Steps that take a brief out of the queue for good, or off the site: the panel asks before taking them.
CONFIRMED_STEPS = ("reject", "archive", "unpublish")

STATUS_COLOURS = {
    Status.INGESTED: "#5a5a5a",
    Status.DRAFT: "#8a5300",
    Status.IN_REVIEW: "#0b5cad",
    Status.PUBLISHED: "#1d6b2f",
    Status.REJECTED: "#a1262b",
    Status.ARCHIVED: "#5a5a5a",
}


class LinkedOnlyFilter(admin.RelatedFieldListFilter):
    """The sources, fields, roles or topics some brief has, as `RelatedOnlyFieldListFilter` offers, each
    found by one probe of its links' index: listing every brief's links made distinct took a quarter of a
    second per filter at 100,000 briefs."""

    def field_choices(self, field, request, model_admin):
        if field.many_to_many:
            links = field.remote_field.through.objects.filter(**{field.m2m_reverse_field_name(): OuterRef("pk")})
        else:
            links = field.model.objects.filter(**{field.name: OuterRef("pk")})
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, limit_choices_to=Q(Exists(links)), ordering=ordering)


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
        ("source", LinkedOnlyFilter),
        ("fields", LinkedOnlyFilter),
        ("roles", LinkedOnlyFilter),
        ("topics", LinkedOnlyFilter),
        "level",
        "length",
        "published_at",
        "original_published_at",
        "created_at",
    )
    # Searched as the site's search does (get_search_results: a brief's words, “phrases”, or, -word), and
    # part of a source's name.
    search_fields = ("title", "summary", "source__name")
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

    def get_search_results(self, request, queryset, search_term):
        # The search index (articles/search.py) rather than the admin's ILIKE over every brief's title and
        # summary, which read the whole table four times a page (3-4 s each at 100,000 briefs).
        if not search_term.strip():
            return queryset, False
        from articles.search import matching  # imported by a search: drafting and ingestion never search

        sources = Source.objects.filter(name__icontains=search_term.strip()).values("pk")
        return matching(queryset, search_term) | queryset.filter(source__in=sources), False

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
            # The brief and its original side by side need the width the app menu would take.
            context["is_nav_sidebar_enabled"] = False
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
            context["confirmed_steps"] = CONFIRMED_STEPS
            context["edit_refusal"] = _edit_refusal(obj, request.user)
            form = getattr(context.get("adminform"), "form", None)
            if getattr(form, "conflict", None) is not None:
                # Saving again after reading both versions keeps the curator's: the form now carries theirs.
                context["version_token"] = form.current_version
                context["conflict_rows"] = editing.conflict_rows(form)
                context["conflict_at"] = form.conflict.updated_at
            else:
                context["version_token"] = edit_version(obj)
            context["others_editing"] = [
                name for user_id, name in editing.present(obj.pk).items() if user_id != request.user.pk
            ]
            context["presence_refresh_seconds"] = editing.PRESENCE_REFRESH_SECONDS
            context["next_in_queue"] = next_in_queue(obj, queue=self.queue_as_opened(request))
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
        was_current = version_matches(offered, edit_version(article))
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
                "version": edit_version(article) if was_current else offered,
                "message": f"Suggestion {decision}ed ({suggestion.get_section_display().lower()}).",
            }
        )

    def queue_as_opened(self, request):
        """The work queue with the filters and search it was opened with (the change page's preserved
        `_changelist_filters`), or None for the whole queue (and from the briefs' own list)."""
        if self.model is not WorkQueueItem:
            return None
        filters = QueryDict(request.GET.get("_changelist_filters", ""))
        if not any(key not in ("p", "o") for key in filters):
            return None  # the whole queue: one query, without building the list
        as_opened = copy(request)
        as_opened.GET = filters
        try:
            return self.get_changelist_instance(as_opened).queryset
        except IncorrectLookupParameters:
            return None  # filters this queue no longer has: the whole queue

    def response_change(self, request, obj):
        if "_save_next" in request.POST:
            following = next_in_queue(obj, queue=self.queue_as_opened(request))
            self.message_user(request, f"Saved “{obj.title}”.")
            preserved = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
            if following is None:
                self.message_user(request, "That was the last brief in the queue.")
                queue = reverse("admin:articles_workqueueitem_changelist")
                filters = request.GET.get("_changelist_filters", "")
                return HttpResponseRedirect(f"{queue}?{filters}" if filters else queue)
            url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[following.pk])
            return HttpResponseRedirect(add_preserved_filters(preserved, url))
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
            done = f"Saved, then “{label}”: “{obj.title}” is now {obj.get_status_display().lower()}."
            if obj.status == Status.PUBLISHED:
                done = format_html(
                    '{} <a href="{}" id="published-link">See it on the site</a>.', done, obj.get_absolute_url()
                )
            self.message_user(request, done)
        # The same page, with the queue's filters (a brief the step took out of the queue stays open there).
        return HttpResponseRedirect(request.get_full_path())

    def _decide_suggestion(self, request, obj, suggestion_id, decide):
        suggestion = obj.suggestions.filter(pk=suggestion_id if str(suggestion_id).isdigit() else None).first()
        if suggestion is None:
            self.message_user(request, "Your changes were saved, but that suggestion no longer exists.", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
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
        return HttpResponseRedirect(request.get_full_path())


def next_in_queue(article, *, queue=None) -> Article | None:
    """The brief after `article` in the work queue's order (oldest first), one per story.

    `queue`: the queue as a curator filtered it (WorkQueueAdmin's list), instead of the whole queue.
    """
    after = Q(created_at__gt=article.created_at) | Q(created_at=article.created_at, pk__gt=article.pk)
    if queue is None:
        queue = queue_once(Article.objects.in_queue())
    return queue.filter(after).order_by("created_at", "pk").first()


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
