""" "Why it matters for <role>": one short editorial note per role on a brief."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .base import TimeStamped

ROLE_NOTE_MAX_LENGTH = 600


class RoleNoteQuerySet(models.QuerySet):
    def for_roles(self, slugs):
        return self.filter(role__slug__in=list(slugs))


class RoleNote(TimeStamped):
    """What one brief means for readers in one role, written (or accepted) by an editor."""

    article = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="role_notes", verbose_name="brief")
    role = models.ForeignKey("Role", on_delete=models.PROTECT, related_name="notes")
    text = models.TextField(
        max_length=ROLE_NOTE_MAX_LENGTH,
        help_text="Two or three sentences addressed to this role: why the piece matters to them, what to do. "
        "Shown under “Why it matters for …” to readers who chose the role.",
    )

    history = HistoricalRecords()

    objects = RoleNoteQuerySet.as_manager()

    class Meta:
        verbose_name = "why it matters for a role"
        verbose_name_plural = "why it matters, by role"
        ordering = ["role__position", "role__name"]
        constraints = [
            models.UniqueConstraint(fields=["article", "role"], name="role_note_one_per_role"),
            models.CheckConstraint(condition=~Q(text=""), name="role_note_not_empty"),
        ]

    def __str__(self):
        return f"Why it matters for {self.role.name}"


def replace_role_notes(notes, texts: dict) -> None:
    """Make a brief's notes (`notes`: its related manager) exactly `texts` (role → text), keeping unchanged rows."""
    notes.exclude(role__in=list(texts)).delete()
    stored = {note.role_id: note for note in notes.all()}
    for role, text in texts.items():
        note = stored.get(role.pk)
        if note is None:
            notes.create(role=role, text=text)
        elif note.text != text:
            note.text = text
            note.save(update_fields=["text", "updated_at"])
