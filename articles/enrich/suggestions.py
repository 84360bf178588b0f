"""A curator's decisions on machine suggestions: accept (adds to the brief, never removes) or discard.

Accepting is an edit of the brief, judged by the rule for edits (`workflow.check_edit`);
every refusal here is a `workflow.EditRefused`.
"""

from django.db import transaction
from django.utils import timezone

from articles import anatomy, workflow
from articles.models import Article, Suggestion, Topic
from articles.models.role_notes import replace_role_notes

S = Suggestion.Section


def _decide(suggestion: Suggestion, state: str, actor):
    suggestion.state = state
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["state", "decided_by", "decided_at"])


def _check(suggestion: Suggestion, actor):
    if actor is None or not actor.has_perm("articles.change_article"):
        raise workflow.EditRefused(
            "You may not edit briefs, so you cannot accept or discard suggestions.", forbidden=True
        )
    if suggestion.state in (Suggestion.State.ACCEPTED, Suggestion.State.DISCARDED):
        raise workflow.EditRefused(f"This suggestion was already {suggestion.get_state_display().lower()}.")


def _with_suggestion(article: Article, suggestion: Suggestion, section: anatomy.Section):
    """The section's value with the suggestion added: text after what is there, a list item last, a choice set,
    a per-role note after what the note for its role says (as {role: text})."""
    current = getattr(article, section.name)
    if section.kind == anatomy.Kind.PER_ROLE:
        notes = {note.role: note.text for note in current.select_related("role")}
        written = notes.get(suggestion.role, "").strip()
        if suggestion.text not in written:
            notes[suggestion.role] = f"{written} {suggestion.text}".strip()
        return notes
    if section.kind == anatomy.Kind.TEXT:
        current = current.strip()
        return current if suggestion.text in current else f"{current} {suggestion.text}".strip()
    if section.kind == anatomy.Kind.LIST:
        items = list(current or [])
        return items if suggestion.text in items else [*items, suggestion.text]
    return suggestion.text


def _taxonomy_entry(suggestion: Suggestion):
    if suggestion.section == S.NEW_TOPIC:
        # Accepting a proposed topic is the curator's decision to add it to the taxonomy.
        return Topic.objects.filter(name__iexact=suggestion.text).first() or Topic.objects.create(
            name=suggestion.text[:120]
        )
    return {S.TOPIC: suggestion.topic, S.FIELD: suggestion.field, S.ROLE: suggestion.role}[suggestion.section]


def accept_suggestion(
    *, suggestion: Suggestion, actor, override_originality: bool = False, reason: str = ""
) -> Article:
    """Put a suggestion into its brief: text is added after what is there, taxonomy is added, depth is set.

    On a published brief an editor may take it past the originality limit only with
    `override_originality` and a `reason`, as for any other edit.
    """
    _check(suggestion, actor)
    section = anatomy.for_suggestion(suggestion.section)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=suggestion.article_id)
        if section.kind == anatomy.Kind.TAXONOMY:
            # Adding an entry takes nothing away and copies nothing: only who may edit is in question.
            workflow.check_edit(article=article, actor=actor, changes={})
            edit = workflow.Edit()
            getattr(article, section.name).add(_taxonomy_entry(suggestion))
        else:
            value = _with_suggestion(article, suggestion, section)
            edit = workflow.check_edit(
                article=article,
                actor=actor,
                changes={section.name: value},
                override_originality=override_originality,
                reason=reason,
            )
            if section.kind == anatomy.Kind.PER_ROLE:
                replace_role_notes(getattr(article, section.name), value)
            else:
                setattr(article, section.name, value)
        article._history_user = actor
        article._change_reason = (
            edit.reason or f"Accepted a machine suggestion ({suggestion.get_section_display().lower()})"
        )
        article.save()
        edit.record()
        _decide(suggestion, Suggestion.State.ACCEPTED, actor)
    return article


def discard_suggestion(*, suggestion: Suggestion, actor) -> Suggestion:
    """Mark a suggestion discarded; re-enrichment will not offer the same text again."""
    _check(suggestion, actor)
    _decide(suggestion, Suggestion.State.DISCARDED, actor)
    return suggestion
