"""The rows edited below a brief: its related briefs (pinned, excluded, computed) and its "why it matters" notes.

The admin saves an inline row only when this person changed it, so a stale page never writes
over a colleague's rows; that is why they are not part of the brief's edit version
(articles/versions.py).
"""

import re

from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from articles.models import RelatedLink, RoleNote


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


class RoleNoteInline(admin.StackedInline):
    """ "Why it matters for <role>": who may change the brief may change its notes (no separate permission)."""

    model = RoleNote
    fields = ("role", "text")
    autocomplete_fields = ("role",)
    extra = 0
    verbose_name = "note: why it matters for a role"
    verbose_name_plural = "Why it matters, by role (optional; shown to readers who chose the role)"

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
