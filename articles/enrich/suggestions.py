"""A curator's decisions on machine suggestions: accept (adds to the brief, never removes) or discard."""

from django.db import transaction
from django.utils import timezone

from articles.enrich.originality import edit_copies_more
from articles.models import Article, Status, Suggestion, Topic

S = Suggestion.Section
TEXT_FIELDS = {S.SUMMARY: "summary", S.TAKEAWAY: "takeaway", S.METHOD: "method"}
LIST_FIELDS = {S.INSIGHT: "insights", S.PRINCIPLE: "principles", S.IN_PRACTICE: "in_practice"}
CHOICE_FIELDS = {S.LEVEL: "level", S.LENGTH: "length"}


class SuggestionRefused(Exception):
    """A suggestion that cannot be accepted or discarded now; the message says why."""


def _decide(suggestion: Suggestion, state: str, actor):
    suggestion.state = state
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["state", "decided_by", "decided_at"])


def _check(suggestion: Suggestion, actor):
    if actor is None or not actor.has_perm("articles.change_article"):
        raise SuggestionRefused("You may not edit briefs, so you cannot accept or discard suggestions.")
    if suggestion.state in (Suggestion.State.ACCEPTED, Suggestion.State.DISCARDED):
        raise SuggestionRefused(f"This suggestion was already {suggestion.get_state_display().lower()}.")


def _with_suggestion(article: Article, suggestion: Suggestion) -> tuple[str, object]:
    """The text or list section the suggestion goes to, and its value with the suggestion added after the rest."""
    if suggestion.section in TEXT_FIELDS:
        name = TEXT_FIELDS[suggestion.section]
        current = getattr(article, name).strip()
        return name, current if suggestion.text in current else f"{current} {suggestion.text}".strip()
    name = LIST_FIELDS[suggestion.section]
    items = list(getattr(article, name) or [])
    return name, items if suggestion.text in items else [*items, suggestion.text]


def accept_suggestion(*, suggestion: Suggestion, actor) -> Article:
    """Put a suggestion into its brief: text is added after what is there, taxonomy is added, depth is set."""
    _check(suggestion, actor)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=suggestion.article_id)
        if article.status == Status.PUBLISHED and not actor.has_perm("articles.publish_article"):
            # As everywhere else: a live brief changes only through an editor.
            raise SuggestionRefused(f"“{article.title}” is published: ask an editor to accept this suggestion.")
        section = suggestion.section
        if section in TEXT_FIELDS or section in LIST_FIELDS:
            name, value = _with_suggestion(article, suggestion)
            copied = edit_copies_more(article, {name: value}) if article.status == Status.PUBLISHED else None
            if copied is not None:
                raise SuggestionRefused(
                    f"“{article.title}” is published and this suggestion would take it past the originality limit "
                    f"({copied.percent}% copied): write it in your own words instead, or unpublish, accept it and "
                    "publish again with an originality override."
                )
            setattr(article, name, value)
        elif section in CHOICE_FIELDS:
            setattr(article, CHOICE_FIELDS[section], suggestion.text)
        elif section == S.TOPIC:
            article.topics.add(suggestion.topic)
        elif section == S.NEW_TOPIC:
            # Accepting a proposed topic is the curator's decision to add it to the taxonomy.
            topic = Topic.objects.filter(name__iexact=suggestion.text).first() or Topic.objects.create(
                name=suggestion.text[:120]
            )
            article.topics.add(topic)
        elif section == S.FIELD:
            article.fields.add(suggestion.field)
        elif section == S.ROLE:
            article.roles.add(suggestion.role)
        article._history_user = actor
        article._change_reason = f"Accepted a machine suggestion ({suggestion.get_section_display().lower()})"
        article.save()
        _decide(suggestion, Suggestion.State.ACCEPTED, actor)
    return article


def discard_suggestion(*, suggestion: Suggestion, actor) -> Suggestion:
    """Mark a suggestion discarded; re-enrichment will not offer the same text again."""
    _check(suggestion, actor)
    _decide(suggestion, Suggestion.State.DISCARDED, actor)
    return suggestion
