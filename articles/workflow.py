"""Status transitions of a brief, their preconditions, and who may make them; and the one rule for edits.

The admin, the API and the tasks all move briefs through `apply_transition` (or the
named wrappers `publish`, `reject` …; drafting, which already holds the brief's row, through
`apply_transition_locked`). A refused transition raises `TransitionRefused` whose message a
curator can read as is.

Every change to a brief's content (the admin's form, the API's PATCH, accepting a machine
suggestion, choosing the lead of a story) is judged by `check_edit`: a published brief
changes only through an editor, keeps what publishing required, and copies no more of its
original unless an editor overrides the limit with a reason. A refused edit raises
`EditRefused`, with one sentence whatever the path.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from articles import anatomy
from articles.enrich.originality import Originality
from articles.enrich.originality import check_article as check_originality
from articles.models import Article, OriginalityOverride, Status

# Sent after the transaction commits: sender=Article, article, old_status, new_status, actor.
status_changed = Signal()


class TransitionRefused(Exception):
    """A transition that may not happen now; the message says why in the curator's words."""


class EditRefused(Exception):
    """An edit that may not be saved; the message says why in the curator's words.

    `forbidden`: the person lacks the right (the API answers 403; other refusals are 409).
    `needs_override`: an editor may save it anyway with an originality override and a reason.
    """

    def __init__(self, message: str, *, forbidden: bool = False, needs_override: bool = False):
        super().__init__(message)
        self.forbidden = forbidden
        self.needs_override = needs_override


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


def missing_for_publication(article: Article, changes: dict | None = None) -> list[str]:
    """What a brief still lacks before it can be submitted or published, in words (the anatomy's `required`).

    `changes` (field name → new value, e.g. a form's cleaned data) are judged in place of
    the stored values, so an edit can be checked before it is saved.
    """
    changes = changes or {}
    missing = []
    for section in anatomy.required():
        if section.name in changes:
            value = changes[section.name]
        elif section.kind == anatomy.Kind.TAXONOMY and article.pk is None:
            value = []
        else:
            value = getattr(article, section.name)
        if not anatomy.is_filled(section, value):
            missing.append(section.required)
    return missing


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
    check_permission(transition=transition, actor=actor)
    if check_content and transition.needs_complete_brief:
        missing = missing_for_publication(article)
        if missing:
            raise TransitionRefused(f"“{title}” cannot be {_past(transition)} yet: it still needs {_join(missing)}.")
    return transition


def check_permission(*, transition: Transition, actor) -> None:
    """Refuse `actor` a step they may not take on any brief (the status and content aside)."""
    if actor is None:
        if transition.name not in SYSTEM_TRANSITIONS:
            raise TransitionRefused(f"“{transition.label}” needs a person with the right to do it.")
    elif not (actor.is_active and actor.has_perm(transition.permission)):
        raise TransitionRefused(
            f"You may not “{transition.label.lower()}” briefs: ask an editor"
            f" (your account is missing the permission “{transition.permission.split('.')[-1]}”)."
        )


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


def _originality_limit() -> int:
    return round(settings.ENRICH_ORIGINALITY_MAX_SHARE * 100)


def _override(*, article: Article, actor, report: Originality, reason: str) -> tuple[OriginalityOverride, str]:
    """The override to record (not saved yet) and the history's change reason naming it with its figures."""
    override = OriginalityOverride(
        article=article,
        actor=actor,
        reason=reason.strip(),
        shared_share=report.shared_share,
        longest_words=report.longest_words,
        limit=settings.ENRICH_ORIGINALITY_MAX_SHARE,
    )
    return (
        override,
        f"Originality override ({report.percent}% verbatim, limit {_originality_limit()}%): {reason.strip()}",
    )


def check_originality_for_publication(*, article: Article, actor, reason: str, override_originality: bool) -> str:
    """Refuse to publish a brief copied from its original beyond the limit, unless overridden with a reason.

    An override is recorded in full as an `OriginalityOverride`; the returned text is the
    history's change reason, naming the override and its figures.
    """
    report = check_originality(article)
    if not report.exceeds():
        return reason
    limit = _originality_limit()
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
    override, history_reason = _override(article=article, actor=actor, report=report, reason=reason)
    override.save()
    return history_reason


# --- The one rule for edits ----------------------------------------------------------------

# Who may change what: a draft's content, anyone who may change briefs (Curator, Editor); a
# published brief, and the changes named here, an editor only.
EDITOR_PERMISSION = "articles.publish_article"
EDITOR_ONLY_CHANGES = {"story_lead": "choose which brief leads a story"}


@dataclass(frozen=True)
class Edit:
    """What an allowed edit leaves on record.

    `reason`: the history's change reason, when the edit needs its own ("" = the caller's);
    `override`: the originality override an editor gave, to be saved once the brief is.
    """

    reason: str = ""
    override: OriginalityOverride | None = None

    def record(self) -> None:
        """Save what the edit leaves on record; call it after saving the brief, in the same transaction."""
        if self.override is not None:
            self.override.save()


def check_editor(*, article: Article, actor, changes=()) -> None:
    """The "who" of the rule: refuse `actor` an edit of `article` (touching `changes`) that is not theirs to make."""
    if actor is None or not actor.has_perm("articles.change_article"):
        raise EditRefused(
            "You may not edit briefs: your account is missing the permission “change_article”.", forbidden=True
        )
    if actor.has_perm(EDITOR_PERMISSION):
        return
    if article.status == Status.PUBLISHED:
        raise EditRefused(
            f"“{article.title or 'This brief'}” is published: only an editor may change it.", forbidden=True
        )
    for name in changes:
        if name in EDITOR_ONLY_CHANGES:
            raise EditRefused(f"Only an editor may {EDITOR_ONLY_CHANGES[name]}.", forbidden=True)


def _copies_more(article: Article, changes: dict) -> Originality | None:
    """The figures if `changes` take `article` past the originality limit and copy more than it does now.

    None otherwise: a brief published over the limit with an override may still have its typos fixed.
    """
    if not any(section.name in changes for section in anatomy.counted_by_originality()):
        return None
    after = check_originality(article, changes)
    if not after.exceeds() or after.shared_share <= check_originality(article).shared_share:
        return None
    return after


def check_edit(*, article: Article, actor, changes: dict, override_originality: bool = False, reason: str = "") -> Edit:
    """Judge an edit of `article` by `actor` before it is saved; return what to record, or raise EditRefused.

    `changes` maps field names to their new values (a form's cleaned data, an API body, the
    section a suggestion goes to) and is judged in place of the stored values. A published
    brief changes only through an editor, keeps what publishing required, and copies no more
    of its original unless `override_originality` is given with a `reason`.
    """
    check_editor(article=article, actor=actor, changes=changes)
    if article.status != Status.PUBLISHED:
        return Edit()
    title = article.title or "This brief"
    missing = missing_for_publication(article, changes)
    if missing:
        raise EditRefused(
            f"“{title}” is published, so it must keep {_join(missing)}; unpublish it first to take them away."
        )
    report = _copies_more(article, changes)
    if report is None:
        return Edit()
    limit = _originality_limit()
    if not override_originality:
        raise EditRefused(
            f"“{title}” is published and this edit copies more of the original: {report.describe()}; "
            f"the limit is {limit}%. Rewrite the copied parts in your own words, or save the edit with an "
            "originality override and a reason.",
            needs_override=True,
        )
    if not reason.strip():
        raise EditRefused(
            f"Saving “{title}” over the originality limit ({report.percent}% copied, limit {limit}%) "
            "needs a reason for the history.",
            needs_override=True,
        )
    override, history_reason = _override(article=article, actor=actor, report=report, reason=reason)
    return Edit(reason=history_reason, override=override)


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
        apply_transition_locked(
            locked=locked, actor=actor, name=name, reason=reason, override_originality=override_originality
        )
    # Callers keep using the object they passed in.
    for attr in ("status", "status_changed_at", "published_at", "curated_by_id", "updated_at"):
        setattr(article, attr, getattr(locked, attr))
    return article


# What a step writes; the rest of the row is as the locked read found it (on SQLite, writing the
# text columns again would make the search index's trigger index the whole text again).
TRANSITION_FIELDS = ["status", "status_changed_at", "published_at", "curated_by", "updated_at", "length"]


def apply_transition_locked(
    *, locked: Article, actor, name: str, reason: str = "", override_originality: bool = False
) -> Article:
    """`apply_transition` for a caller that holds the brief's row lock in its open transaction.

    `locked` must be the row as stored (read under the lock, or saved since): drafting moves
    the piece it has just written without reading it again. The same checks, history record
    and `status_changed` signal (after the commit) as `apply_transition`.
    """
    old_status = begin_transition(
        locked=locked, actor=actor, name=name, reason=reason, override_originality=override_originality
    )
    # A brief without an address yet gets one as it is saved (Article.save): the whole row is written then.
    locked.save(update_fields=TRANSITION_FIELDS if locked.slug else None)
    announce_transition(article=locked, old_status=old_status, actor=actor)
    return locked


def begin_transition(*, locked: Article, actor, name: str, reason: str = "", override_originality: bool = False) -> str:
    """Check the step and make it on `locked` in memory (status, dates, who and why); return the old status.

    The caller writes TRANSITION_FIELDS (with the history record the reason is for) and then calls
    `announce_transition`: `apply_transition_locked` saves one brief, a drafting turn writes its
    pieces' rows and records together (articles/enrich/turn.py).
    """
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
    return old_status


def announce_transition(*, article: Article, old_status: str, actor) -> None:
    """Send `status_changed` for a step just written, once the transaction commits."""
    transaction.on_commit(
        lambda: status_changed.send(
            sender=Article, article=article, old_status=old_status, new_status=article.status, actor=actor
        )
    )


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
