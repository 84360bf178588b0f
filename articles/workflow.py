"""Status transitions of a brief, their preconditions, and who may make them.

The admin, the API and the tasks all move briefs through `apply_transition` (or the
named wrappers `publish`, `reject` …). A refused transition raises `TransitionRefused`
whose message a curator can read as is.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from articles.enrich.originality import check_article as check_originality
from articles.models import Article, OriginalityOverride, Status

# Sent after the transaction commits: sender=Article, article, old_status, new_status, actor.
status_changed = Signal()


class TransitionRefused(Exception):
    """A transition that may not happen now; the message says why in the curator's words."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # as a button or an admin action says it
    sources: frozenset[str]
    target: str
    permission: str
    needs_complete_brief: bool = False


ALL_STATUSES = frozenset(Status.values)

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "start_draft", "Start drafting", frozenset({Status.INGESTED}), Status.DRAFT, "articles.change_article"
        ),
        Transition(
            "submit",
            "Submit for review",
            frozenset({Status.DRAFT}),
            Status.IN_REVIEW,
            "articles.change_article",
            needs_complete_brief=True,
        ),
        Transition(
            "send_back", "Send back to draft", frozenset({Status.IN_REVIEW}), Status.DRAFT, "articles.change_article"
        ),
        Transition(
            "publish",
            "Publish",
            frozenset({Status.DRAFT, Status.IN_REVIEW}),
            Status.PUBLISHED,
            "articles.publish_article",
            needs_complete_brief=True,
        ),
        Transition("unpublish", "Unpublish", frozenset({Status.PUBLISHED}), Status.DRAFT, "articles.publish_article"),
        Transition("reject", "Reject", ALL_STATUSES - {Status.REJECTED}, Status.REJECTED, "articles.reject_article"),
        Transition("archive", "Archive", ALL_STATUSES - {Status.ARCHIVED}, Status.ARCHIVED, "articles.archive_article"),
        Transition(
            "restore",
            "Restore to draft",
            frozenset({Status.REJECTED, Status.ARCHIVED}),
            Status.DRAFT,
            "articles.archive_article",
        ),
    )
}

# The pipeline (actor None) may only turn what it ingested into a draft.
SYSTEM_TRANSITIONS = frozenset({"start_draft"})


REQUIRED_TEXT = (("title", "a title"), ("summary", "a summary"), ("takeaway", "a key takeaway"))
REQUIRED_TAXONOMY = (("fields", "at least one field"), ("roles", "at least one role (Best for)"))


def missing_for_publication(article: Article, changes: dict | None = None) -> list[str]:
    """What a brief still lacks before it can be submitted or published, in words.

    `changes` (field name → new value, e.g. a form's cleaned data) are judged in place of
    the stored values, so an edit can be checked before it is saved.
    """
    changes = changes or {}
    missing = []
    for name, words in REQUIRED_TEXT:
        value = changes[name] if name in changes else getattr(article, name)
        if not (value or "").strip():
            missing.append(words)
    for name, words in REQUIRED_TAXONOMY:
        present = bool(changes[name]) if name in changes else article.pk is not None and getattr(article, name).exists()
        if not present:
            missing.append(words)
    return missing


def check_published_stays_complete(*, article: Article, changes: dict | None = None) -> None:
    """Refuse an edit that takes from a published brief what publishing required (readers would see the gap)."""
    if article.status != Status.PUBLISHED:
        return
    missing = missing_for_publication(article, changes)
    if missing:
        raise TransitionRefused(
            f"“{article.title or 'This brief'}” is published, so it must keep {_join(missing)}; "
            "unpublish it first to take them away."
        )


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _status_phrase(statuses) -> str:
    labels = [Status(s).label.lower() for s in Status.values if s in statuses]
    return _join(labels)


def check_transition(*, article: Article, actor, name: str, check_content: bool = True) -> Transition:
    """Return the transition if `actor` may apply it to `article` now; raise TransitionRefused if not.

    With `check_content=False` only status and permission are checked (to offer a step
    whose content checks the curator may still satisfy in the same save).
    """
    try:
        transition = TRANSITIONS[name]
    except KeyError:
        raise TransitionRefused(f"There is no step called {name!r}.") from None
    title = article.title or "this brief"
    if article.status not in transition.sources:
        raise TransitionRefused(
            f"“{title}” is {article.get_status_display().lower()}; "
            f"“{transition.label}” applies only to briefs that are {_status_phrase(transition.sources)}."
        )
    if actor is None:
        if name not in SYSTEM_TRANSITIONS:
            raise TransitionRefused(f"“{transition.label}” needs a person with the right to do it.")
    elif not (actor.is_active and actor.has_perm(transition.permission)):
        raise TransitionRefused(
            f"You may not “{transition.label.lower()}” briefs: ask an editor"
            f" (your account is missing the permission “{transition.permission.split('.')[-1]}”)."
        )
    if check_content and transition.needs_complete_brief:
        missing = missing_for_publication(article)
        if missing:
            raise TransitionRefused(f"“{title}” cannot be {_past(transition)} yet: it still needs {_join(missing)}.")
    return transition


def _past(transition: Transition) -> str:
    return {"publish": "published", "submit": "submitted for review"}.get(transition.name, transition.label.lower())


def available_transitions(*, article: Article, actor, check_content: bool = True) -> list[Transition]:
    """The steps `actor` could take on `article` now."""
    available = []
    for name in TRANSITIONS:
        try:
            available.append(check_transition(article=article, actor=actor, name=name, check_content=check_content))
        except TransitionRefused:
            continue
    return available


def check_originality_for_publication(*, article: Article, actor, reason: str, override_originality: bool) -> str:
    """Refuse to publish a brief copied from its original beyond the limit, unless overridden with a reason.

    An override is recorded in full as an `OriginalityOverride`; the returned text is the
    history's change reason, naming the override and its figures.
    """
    report = check_originality(article)
    if not report.exceeds():
        return reason
    limit = round(settings.ENRICH_ORIGINALITY_MAX_SHARE * 100)
    title = article.title or "this brief"
    if not override_originality:
        raise TransitionRefused(
            f"“{title}” cannot be published yet: {report.describe()}; the limit is {limit}%. "
            "Rewrite the copied parts in your own words, or, as an editor, publish with an originality "
            "override and a reason."
        )
    if not reason.strip():
        raise TransitionRefused(
            f"Publishing “{title}” over the originality limit ({report.percent}% copied, limit {limit}%) "
            "needs a reason for the history."
        )
    OriginalityOverride.objects.create(
        article=article,
        actor=actor,
        reason=reason.strip(),
        shared_share=report.shared_share,
        longest_words=report.longest_words,
        limit=settings.ENRICH_ORIGINALITY_MAX_SHARE,
    )
    return f"Originality override ({report.percent}% verbatim, limit {limit}%): {reason.strip()}"


def apply_transition(
    *, article: Article, actor, name: str, reason: str = "", override_originality: bool = False
) -> Article:
    """Move `article` through the step `name`, recording who did it and why in its history.

    Publishing also passes the originality check; `override_originality` (with a reason)
    lets an editor publish above the limit.
    """
    with transaction.atomic():
        # Lock the row so two editors clicking at once cannot both act on a stale status.
        locked = Article.objects.select_for_update().get(pk=article.pk)
        transition = check_transition(article=locked, actor=actor, name=name)
        if transition.target == Status.PUBLISHED:
            reason = check_originality_for_publication(
                article=locked, actor=actor, reason=reason, override_originality=override_originality
            )
        old_status = locked.status
        now = timezone.now()
        locked.status = transition.target
        locked.status_changed_at = now
        if transition.target == Status.PUBLISHED and locked.published_at is None:
            locked.published_at = now
        if actor is not None:
            locked.curated_by = actor
            locked._history_user = actor
        locked._change_reason = reason or transition.label
        locked.save()
        transaction.on_commit(
            lambda: status_changed.send(
                sender=Article, article=locked, old_status=old_status, new_status=locked.status, actor=actor
            )
        )
    # Callers keep using the object they passed in.
    for attr in ("status", "status_changed_at", "published_at", "curated_by_id", "updated_at"):
        setattr(article, attr, getattr(locked, attr))
    return article


def start_draft(*, article: Article, actor=None, reason: str = "") -> Article:
    return apply_transition(article=article, actor=actor, name="start_draft", reason=reason)


def submit(*, article: Article, actor, reason: str = "") -> Article:
    return apply_transition(article=article, actor=actor, name="submit", reason=reason)


def send_back(*, article: Article, actor, reason: str = "") -> Article:
    return apply_transition(article=article, actor=actor, name="send_back", reason=reason)


def publish(*, article: Article, actor, reason: str = "", override_originality: bool = False) -> Article:
    return apply_transition(
        article=article, actor=actor, name="publish", reason=reason, override_originality=override_originality
    )


def unpublish(*, article: Article, actor, reason: str = "") -> Article:
    return apply_transition(article=article, actor=actor, name="unpublish", reason=reason)


def reject(*, article: Article, actor, reason: str = "") -> Article:
    return apply_transition(article=article, actor=actor, name="reject", reason=reason)


def archive(*, article: Article, actor, reason: str = "") -> Article:
    return apply_transition(article=article, actor=actor, name="archive", reason=reason)


def restore(*, article: Article, actor, reason: str = "") -> Article:
    return apply_transition(article=article, actor=actor, name="restore", reason=reason)
