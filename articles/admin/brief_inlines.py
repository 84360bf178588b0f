"""The rows edited below a brief: its related briefs (pinned, excluded, computed) and its "why it matters" notes.

The admin saves an inline row only when this person changed it, so a stale page never writes
over a colleague's rows; that is why they are not part of the brief's edit version
(articles/versions.py).
"""

import functools
import re

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from articles import anatomy, workflow
from articles.models import Article, RelatedLink


class RelatedLinkFormSet(BaseInlineFormSet):
    """The brief's related links, tolerant of the worker that recomputes them.

    A computed link the worker removed after the page was loaded is dropped from what the page
    sent instead of failing the whole save ("select a valid choice"): nobody chose it. A link a
    curator pinned or excluded is never removed by the worker, so it is always still there.
    """

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        if self.is_bound and hasattr(self.data, "lists"):
            self.data = self._without_vanished_computed_rows(self.data)

    def _without_vanished_computed_rows(self, data):
        prefix = self.prefix
        try:
            total = int(data[f"{prefix}-TOTAL_FORMS"])
            initial = int(data[f"{prefix}-INITIAL_FORMS"])
        except (KeyError, ValueError):
            return data  # the management form's own error says what is wrong
        posted = {i: data.get(f"{prefix}-{i}-id", "") for i in range(min(initial, total))}
        ids = {int(value) for value in posted.values() if value.isdigit()}
        still_there = set(self.get_queryset().filter(pk__in=ids).values_list("pk", flat=True))
        vanished = {
            i
            for i, value in posted.items()
            if value.isdigit()
            and int(value) not in still_there
            and data.get(f"{prefix}-{i}-kind") == RelatedLink.Kind.COMPUTED
        }
        if not vanished:
            return data
        kept = [i for i in range(total) if i not in vanished]
        row_field = re.compile(rf"{re.escape(prefix)}-(\d+)-(.+)")
        cleaned, rows = data.copy(), {}
        for key, values in data.lists():
            if match := row_field.fullmatch(key):
                del cleaned[key]
                rows.setdefault(int(match[1]), []).append((match[2], values))
        for new_number, old_number in enumerate(kept):
            for name, values in rows.get(old_number, []):
                cleaned.setlist(f"{prefix}-{new_number}-{name}", values)
        cleaned[f"{prefix}-TOTAL_FORMS"] = str(len(kept))
        cleaned[f"{prefix}-INITIAL_FORMS"] = str(initial - len(vanished))
        return cleaned


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    formset = RelatedLinkFormSet
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
