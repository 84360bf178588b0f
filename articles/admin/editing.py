"""No lost work in the brief editor: the version a form was loaded from, who else has it open, the live bar.

The version is the brief's edit version (articles/versions.py), the one the API's If-Match
compares: a save from the change form is refused, as a PATCH with a stale If-Match is, when
something the save would write over changed after the form was loaded (not when a worker only
recomputed its related briefs); the refusal keeps what the curator typed and shows both
versions side by side.

Presence is a short-lived record in the cache, refreshed by the editor's script every
PRESENCE_REFRESH_SECONDS; someone whose tab closed or whose network dropped is forgotten
after PRESENCE_SECONDS without a word from them.
"""

import time

from django import forms
from django.conf import settings
from django.core.cache import cache

from articles import anatomy, workflow
from articles.enrich.originality import check_article, compare
from articles.forms import ArticleAdminForm
from articles.models import Article
from articles.versions import FORM_FIELD, edit_version, version_matches

VERSION_FIELD = FORM_FIELD
PRESENCE_REFRESH_SECONDS = 20
PRESENCE_SECONDS = 50


class BriefChangeForm(ArticleAdminForm):
    """The brief's form, refusing a save based on a version someone else has changed since."""

    request = None  # set by the admin on the class it makes for each request
    conflict = None  # the stored brief, when the save was refused because it changed meanwhile

    def clean(self):
        if self.instance.pk and self.request is not None:
            # Lock the row: the comparison and the save that follows see one version (the admin's
            # change view runs in a transaction).
            Article.objects.select_for_update().filter(pk=self.instance.pk).values_list("pk").first()
            stored = Article.objects.select_related("source").get(pk=self.instance.pk)
            self.current_version = edit_version(stored)
            if not version_matches(self.data.get(VERSION_FIELD, ""), self.current_version):
                self.conflict = stored
                raise forms.ValidationError(
                    "Someone else saved this brief after you opened it. Nothing was saved: your text is "
                    "still in the form and their version is shown beside it. Copy what you need from "
                    "theirs, then save again to keep yours.",
                    code="conflict",
                )
        return super().clean()


def conflict_rows(form: BriefChangeForm) -> list[dict]:
    """The sections where the stored brief and the refused form differ: label, theirs, yours."""
    rows = []
    for section in anatomy.sections():
        if section.kind not in (anatomy.Kind.TEXT, anatomy.Kind.LIST) or section.name not in form.fields:
            continue
        theirs = getattr(form.conflict, section.name)
        theirs = "\n".join(theirs) if isinstance(theirs, list) else (theirs or "")
        yours = form.data.get(section.name, "")
        if theirs.strip() != yours.replace("\r\n", "\n").strip():
            rows.append({"name": section.name, "label": section.label, "theirs": theirs, "yours": yours})
    return rows


def _presence_key(article_id: int) -> str:
    return f"brief-editor-presence:{article_id}"


def _display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def present(article_id: int, *, now: float | None = None) -> dict[int, str]:
    """{user id: name} of everyone whose editor on this brief spoke within PRESENCE_SECONDS."""
    now = time.time() if now is None else now
    seen = cache.get(_presence_key(article_id)) or {}
    return {user_id: name for user_id, (name, at) in seen.items() if now - at < PRESENCE_SECONDS}


def present_on(article_ids) -> dict[int, list[str]]:
    """{article id: [names]} of who has each of these briefs open (one cache round trip)."""
    now = time.time()
    found = cache.get_many([_presence_key(pk) for pk in article_ids])
    result = {}
    for pk in article_ids:
        seen = found.get(_presence_key(pk)) or {}
        names = sorted(name for name, at in seen.values() if now - at < PRESENCE_SECONDS)
        if names:
            result[pk] = names
    return result


def _person_key(user_id: int) -> str:
    return f"brief-editor-presence-person:{user_id}"


def _note_person(user, article_id: int, *, now: float, closed: bool = False) -> None:
    # The same record turned round (whose editors have which briefs open), for the queue's "Open by" filter;
    # only this person's own tabs write it.
    briefs = {pk: at for pk, at in (cache.get(_person_key(user.pk)) or {}).items() if now - at < PRESENCE_SECONDS}
    if closed:
        briefs.pop(article_id, None)
    else:
        briefs[article_id] = now
    cache.set(_person_key(user.pk), briefs, PRESENCE_SECONDS)


def open_briefs(user_ids) -> dict[int, set[int]]:
    """{user id: ids of the briefs they have open now} for these people (one cache round trip)."""
    now = time.time()
    found = cache.get_many([_person_key(pk) for pk in user_ids])
    result = {}
    for pk in user_ids:
        seen = found.get(_person_key(pk)) or {}
        briefs = {article_id for article_id, at in seen.items() if now - at < PRESENCE_SECONDS}
        if briefs:
            result[pk] = briefs
    return result


def mark_open(*, article_id: int, user) -> list[str]:
    """Record that `user` has the brief open now; return the names of the others who have it open."""
    now = time.time()
    seen = {
        user_id: (name, at)
        for user_id, (name, at) in (cache.get(_presence_key(article_id)) or {}).items()
        if now - at < PRESENCE_SECONDS
    }
    seen[user.pk] = (_display_name(user), now)
    cache.set(_presence_key(article_id), seen, PRESENCE_SECONDS)
    _note_person(user, article_id, now=now)
    return sorted(name for user_id, (name, _at) in seen.items() if user_id != user.pk)


def mark_closed(*, article_id: int, user) -> None:
    seen = cache.get(_presence_key(article_id)) or {}
    if seen.pop(user.pk, None) is not None:
        cache.set(_presence_key(article_id), seen, PRESENCE_SECONDS)
    _note_person(user, article_id, now=time.time(), closed=True)


def _typed_rows(data, prefix: str) -> list[str]:
    """The texts typed in a per-role section's rows (the admin's inline formset), deleted rows left out."""
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS") or 0), 1000)
    except ValueError:
        total = 0
    return [
        data.get(f"{prefix}-{n}-text", "")
        for n in range(total)
        if not data.get(f"{prefix}-{n}-DELETE") and data.get(f"{prefix}-{n}-text", "").strip()
    ]


def live_state(article: Article, data) -> dict:
    """What the editor's bar shows for the text being typed (`data`, the form's fields): what still
    blocks publishing and how much is copied from the original, per section and overall."""
    changes = {}
    for section in anatomy.sections():
        if section.kind == anatomy.Kind.TEXT and section.name in data:
            changes[section.name] = data.get(section.name, "")
        elif section.kind == anatomy.Kind.LIST and section.name in data:
            changes[section.name] = [line.strip() for line in data.get(section.name, "").splitlines() if line.strip()]
        elif section.kind == anatomy.Kind.TAXONOMY and section.name in data:
            changes[section.name] = [value for value in data.getlist(section.name) if value]
        elif section.kind == anatomy.Kind.PER_ROLE and f"{section.name}-TOTAL_FORMS" in data:
            changes[section.name] = _typed_rows(data, section.name)
    original = article.content_text or ""
    sections = {}
    for section in anatomy.counted_by_originality():
        value = changes.get(section.name, getattr(article, section.name))
        parts = [part for part in anatomy.texts_of(section, value) if isinstance(part, str) and part.strip()]
        if parts:
            sections[section.name] = compare(parts, original).percent
    overall = check_article(article, changes)
    return {
        "missing": workflow.missing_for_publication(article, changes),
        "copied": {
            "overall": round(overall.shared_share * 100),
            "limit": round(settings.ENRICH_ORIGINALITY_MAX_SHARE * 100),
            "sections": sections,
        },
    }
