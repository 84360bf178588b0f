"""One brief's machine draft: run every suggester, keep the draft, fill only what is empty.

The rule the curators rely on: a machine never overwrites what a person wrote. The draft
is kept as `Suggestion` rows (with provenance and confidence) whatever happens; only the
sections still empty in the database at the moment of writing (the row is locked) are
filled from it, and those suggestions are marked "applied". A published brief is never
filled: what readers see changes only when a person accepts a suggestion. A section is
filled once: if a curator empties it, later drafts leave it empty and only suggest.
"""

import logging
from contextlib import suppress
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from articles import anatomy, workflow
from articles.enrich import classify, clusters, generative, related
from articles.enrich.summarize import Extract, extractive_draft
from articles.enrich.text import sentences, words
from articles.models import Article, EnrichmentRun, Field, Role, Status, Suggestion, Topic
from articles.models.briefs import taxonomy_links

logger = logging.getLogger(__name__)

S = Suggestion.Section
Kind = anatomy.Kind
# A generated text has no exact span; it is placed where the original says most of the same words.
GENERATED_CONFIDENCE = 0.6


def _from_extract(section: str, position: int, extract: Extract) -> Suggestion:
    return Suggestion(
        section=section,
        position=position,
        text=extract.text,
        confidence=extract.confidence,
        paragraph=extract.paragraph,
        char_start=extract.start,
        char_end=extract.end,
    )


def _nearest_span(text: str, original_sentences) -> dict:
    ours = {word for word in words(text) if len(word) > 3}
    best, best_overlap = None, 0.0
    for sentence in original_sentences:
        theirs = {word for word in words(sentence.text) if len(word) > 3}
        overlap = len(ours & theirs) / len(ours | theirs) if ours and theirs else 0.0
        if overlap > best_overlap:
            best, best_overlap = sentence, overlap
    if best is None or best_overlap < 0.1:
        return {}
    return {"paragraph": best.paragraph, "char_start": best.start, "char_end": best.end}


def _generated(card: dict, text: str) -> list[Suggestion]:
    original_sentences = sentences(text)
    made = []

    def add(section, position, value):
        if not value.strip():
            return
        made.append(
            Suggestion(
                section=section,
                position=position,
                text=value.strip(),
                confidence=GENERATED_CONFIDENCE,
                **_nearest_span(value, original_sentences),
            )
        )

    # The card's keys are the sections' names (generative.CARD_SCHEMA).
    for section in anatomy.sections(kind=Kind.TEXT):
        if section.suggestions and (card.get(section.name) or "").strip():
            add(section.suggestions[0], 0, card[section.name])
    for section in anatomy.sections(kind=Kind.LIST):
        if section.suggestions:
            for position, item in enumerate(card.get(section.name) or []):
                add(section.suggestions[0], position, item)
    # Slugs were checked against the taxonomy by generative.repair_slugs.
    for section, key, model in ((S.TOPIC, "topics", Topic), (S.FIELD, "fields", Field), (S.ROLE, "roles", Role)):
        by_slug = model.objects.in_bulk(card.get(key) or [], field_name="slug")
        for position, slug in enumerate(card.get(key) or []):
            if slug in by_slug:
                obj = by_slug[slug]
                made.append(
                    Suggestion(
                        section=section,
                        position=position,
                        text=str(obj),
                        confidence=GENERATED_CONFIDENCE,
                        **{section: obj},
                    )
                )
    if card.get("level"):
        made.append(Suggestion(section=S.LEVEL, text=card["level"], confidence=GENERATED_CONFIDENCE))
    # Per-role sections: one note per role of the card (generative.repair_slugs kept only those).
    for section in anatomy.sections(kind=Kind.PER_ROLE):
        notes = card.get(section.name) or []
        roles = Role.objects.in_bulk([note["role"] for note in notes], field_name="slug")
        for position, note in enumerate(notes):
            if note["role"] in roles and note["text"].strip():
                add(section.suggestions[0], position, note["text"])
                made[-1].role = roles[note["role"]]
    return made


def _extractive(text: str, title: str) -> list[Suggestion]:
    draft = extractive_draft(
        text, title=title, summary_sentences=settings.ENRICH_SUMMARY_SENTENCES, insights=settings.ENRICH_INSIGHTS
    )
    made = [_from_extract(S.SUMMARY, i, extract) for i, extract in enumerate(draft.summary)]
    if draft.takeaway:
        made.append(_from_extract(S.TAKEAWAY, 0, draft.takeaway))
    made += [_from_extract(S.INSIGHT, i, extract) for i, extract in enumerate(draft.insights)]
    return made


def _taxonomy(article: Article, skip: set[str], taxonomy: classify.Taxonomy | None) -> list[Suggestion]:
    made = []
    # Fields and roles learn from the same published library: it is counted once for both.
    version = taxonomy.library_version if taxonomy is not None else None
    library = classify.published_library(article, version=version) if {S.FIELD, S.ROLE} - skip else None
    topics = classify.suggest_topics(article, taxonomy=taxonomy) if S.TOPIC not in skip else []
    for position, guess in enumerate(topics):
        section = S.TOPIC if guess.kind == "topic" else S.NEW_TOPIC
        made.append(
            Suggestion(
                section=section, position=position, text=guess.text, topic=guess.obj, confidence=guess.confidence
            )
        )
    fields = classify.suggest_fields(article, library=library, taxonomy=taxonomy) if S.FIELD not in skip else []
    for position, guess in enumerate(fields):
        made.append(
            Suggestion(
                section=S.FIELD, position=position, text=guess.text, field=guess.obj, confidence=guess.confidence
            )
        )
    if S.ROLE not in skip:
        for position, guess in enumerate(classify.suggest_roles(article, library=library, taxonomy=taxonomy)):
            made.append(
                Suggestion(
                    section=S.ROLE, position=position, text=guess.text, role=guess.obj, confidence=guess.confidence
                )
            )
    for guess in classify.suggest_depth(article):
        if guess.kind in skip:
            continue
        made.append(Suggestion(section=guess.kind, text=guess.text, confidence=guess.confidence))
    return made


def draft_suggestions(
    article: Article, *, taxonomy: classify.Taxonomy | None = None
) -> tuple[list[Suggestion], str, str, dict]:
    """(suggestions, backend, reason, token usage) for `article`, nothing saved.

    The reason says why the generative draft was not used, or what was repaired in it. `taxonomy`
    (classify.Taxonomy.read()) spares a batch of pieces reading the taxonomy for each.
    """
    text = article.content_text or ""
    backend, reason, made, usage = EnrichmentRun.Backend.EXTRACTIVE, "", None, {}
    if generative.is_enabled():
        try:
            card = generative.generate_card(article=article)
        except generative.GenerativeFailure as failure:
            reason, usage = f"Fell back to the extractive draft: {failure}.", failure.usage
            logger.warning("Generative draft of article %s failed: %s", article.pk, failure)
        else:
            made, backend, usage = _generated(card.sections, text), EnrichmentRun.Backend.GENERATIVE, card.usage
            if card.repairs:
                reason = f"Repaired the generated draft: {'; '.join(card.repairs)}."
    if made is None:
        made = _extractive(text, article.title)
    made += _taxonomy(article, skip={s.section for s in made}, taxonomy=taxonomy)
    return made, backend, reason, usage


def _fill_empty(locked: Article, suggestions: list[Suggestion], skip: set[str]) -> list[str]:
    """Fill the locked brief's empty sections (except `skip`) from the draft; return the sections filled.

    A text takes all its suggestions joined, a list all of them in order, a choice the first.
    """
    filled = []
    by_section: dict[str, list[Suggestion]] = {}
    for suggestion in suggestions:
        by_section.setdefault(suggestion.section, []).append(suggestion)
    # Reported texts first, then lists, then choices ("filled summary, takeaway, insights, level").
    for section in [s for kind in (Kind.TEXT, Kind.LIST, Kind.CHOICE) for s in anatomy.sections(kind=kind)]:
        if not section.suggestions or section.name in skip:
            continue
        chosen = by_section.get(section.suggestions[0])
        if not chosen or anatomy.is_filled(section, getattr(locked, section.name)):
            continue
        if section.kind == Kind.TEXT:
            value = " ".join(s.text for s in chosen)
        elif section.kind == Kind.LIST:
            value = [s.text for s in chosen]
        else:
            chosen = chosen[:1]
            value = chosen[0].text
        setattr(locked, section.name, value)
        filled.append(section.name)
        for s in chosen:
            s.state = Suggestion.State.APPLIED
    return filled


def _still_in_brief(article: Article, suggestion: Suggestion) -> bool:
    section = anatomy.for_suggestion(suggestion.section)
    if section is None or section.kind == Kind.TAXONOMY:
        return False
    if section.kind == Kind.PER_ROLE:
        return getattr(article, section.name).filter(role=suggestion.role_id, text=suggestion.text).exists()
    value = getattr(article, section.name)
    if section.kind == Kind.CHOICE:
        return suggestion.text == value
    return suggestion.text in (value or ("" if section.kind == Kind.TEXT else []))


def _taxonomy_attribute(section: anatomy.Section) -> str:
    """The Suggestion's link to an entry of the section's taxonomy (Suggestion.topic for topics …)."""
    model = Article._meta.get_field(section.name).related_model
    return next(f.name for f in Suggestion._meta.get_fields() if f.many_to_one and f.related_model is model)


def _taxonomy_entries(links) -> dict[str, set[int]]:
    """The ids in each taxonomy section ({"fields": {…}, "topics": {…}, "roles": {…}}) of `taxonomy_links`' rows."""
    entries: dict[str, set[int]] = {section.name: set() for section in anatomy.sections(kind=Kind.TAXONOMY)}
    for name, _pk, _brief_id, entry_id in links:
        entries.setdefault(name, set()).add(entry_id)
    return entries


def _fill_empty_taxonomy(
    locked: Article, suggestions: list[Suggestion], skip: set[str], entries: dict[str, set[int]]
) -> list[str]:
    """Fill the brief's empty taxonomy sections (`entries` holds what they hold, and receives what is added)."""
    filled = []
    threshold = settings.ENRICH_AUTOFILL_MIN_CONFIDENCE
    for section in anatomy.sections(kind=Kind.TAXONOMY):
        if not section.suggestions or section.name in skip or entries[section.name]:
            continue
        # Only suggestions of entries already in the taxonomy fill a section (a new topic waits for a curator).
        chosen = [s for s in suggestions if s.section == section.suggestions[0] and s.confidence >= threshold]
        if chosen:
            attribute = _taxonomy_attribute(section)
            getattr(locked, section.name).add(*(getattr(s, attribute) for s in chosen))
            entries[section.name] |= {getattr(s, f"{attribute}_id") for s in chosen}
            filled.append(section.name)
            for s in chosen:
                s.state = Suggestion.State.APPLIED
    return filled


def _fill_empty_per_role(
    locked: Article, suggestions: list[Suggestion], skip: set[str], best_for: set[int]
) -> list[str]:
    """Write the drafted notes of an empty per-role section, for the roles the brief is best for (after filling)."""
    filled = []
    for section in anatomy.sections(kind=Kind.PER_ROLE):
        if not section.suggestions or section.name in skip:
            continue
        chosen = [s for s in suggestions if s.section == section.suggestions[0] and s.role_id in best_for]
        rows = getattr(locked, section.name)
        if chosen and not rows.exists():  # nothing to write (a brief best for no role yet): no query
            rows.bulk_create([rows.model(article=locked, role_id=s.role_id, text=s.text) for s in chosen])
            filled.append(section.name)
            for s in chosen:
                s.state = Suggestion.State.APPLIED
    return filled


@dataclass(frozen=True)
class Drafted:
    """What drafting one piece of a batch came to: its run, or the error that left it as it was."""

    article: Article
    run: EnrichmentRun | None = None
    error: Exception | None = None


def enrich_article(
    *, article: Article, cluster: bool = True, relate: bool = True, start_draft: bool = False
) -> EnrichmentRun:
    """Draft `article`, keep the draft as suggestions, and fill its empty sections; safe to run again.

    With `start_draft`, a piece still "ingested" moves to "draft" in the same transaction (a
    curator who moved it meanwhile keeps their step). The draft is computed before the
    transaction opens: a slow generative backend never holds the database's locks.
    """
    drafted = draft_suggestions(article)
    if cluster:
        clusters.catch_up([article])
    with transaction.atomic():
        return _keep_draft(article, *drafted, cluster=cluster, relate=relate, start_draft=start_draft)


def _keep_draft(
    article: Article,
    suggestions: list[Suggestion],
    backend: str,
    reason: str,
    usage: dict,
    *,
    cluster: bool,
    relate: bool,
    start_draft: bool,
) -> EnrichmentRun:
    """Write a computed draft (inside the caller's transaction): suggestions, empty sections filled, the rest."""
    # FOR NO KEY UPDATE: other pieces' rows may refer to this one meanwhile (a key, a link); they need not wait.
    locked = Article.objects.select_for_update(no_key=True).get(pk=article.pk)
    runs = list(locked.enrichment_runs.values_list("filled_sections", flat=True))
    discarded, applied = set(), set()
    if runs:  # every suggestion belongs to a run: a piece never drafted has none to read (or replace below)
        earlier = locked.suggestions.filter(state__in=[Suggestion.State.DISCARDED, Suggestion.State.APPLIED])
        for section, text, state in earlier.values_list("section", "text", "state"):
            (discarded if state == Suggestion.State.DISCARDED else applied).add((section, text))
    # What a curator discarded stays discarded: the same text is not suggested again.
    suggestions = [s for s in suggestions if (s.section, s.text) not in discarded]
    for suggestion in suggestions:
        if (suggestion.section, suggestion.text) in applied and _still_in_brief(locked, suggestion):
            suggestion.state = Suggestion.State.APPLIED  # still the text an earlier draft filled in
    filled = []
    # A section an earlier draft filled and that is empty now was emptied by a person: it stays so.
    filled_before = {name for sections in runs for name in sections}
    # The brief's taxonomy, read once for the draft, its history records and its related briefs.
    links = taxonomy_links([locked.pk])
    # What readers see changes only through a person: a published brief's draft stays suggestions.
    if locked.status != Status.PUBLISHED:
        filled = _fill_empty(locked, suggestions, skip=filled_before)
        columns = [*filled, "updated_at", "length"]  # the sections written, and what every save sets
        # The taxonomy lists are filled without a history record each: the save below records
        # the whole draft once, its lists included.
        entries = _taxonomy_entries(links)
        locked.skip_history_when_saving = True
        try:
            filled_lists = _fill_empty_taxonomy(locked, suggestions, skip=filled_before, entries=entries)
        finally:
            del locked.skip_history_when_saving
        if filled_lists:
            links = taxonomy_links([locked.pk])  # with the rows just added
        filled += filled_lists
        filled += _fill_empty_per_role(locked, suggestions, skip=filled_before, best_for=entries["roles"])
        if filled:
            locked._change_reason = f"Machine draft filled empty sections: {', '.join(filled)}"
            locked._known_taxonomy_links = links
            # Only the sections filled are written (a brief without an address yet is written whole, as
            # Article.save gives it one): the rest of the row is as the lock read it.
            locked.save(update_fields=columns if locked.slug else None)
    run = EnrichmentRun.objects.create(
        article=locked,
        backend=backend,
        fallback_reason=reason,
        filled_sections=filled,
        prompt_tokens=usage.get("prompt_tokens"),
        completion_tokens=usage.get("completion_tokens"),
    )
    if runs:
        # The new draft replaces the old one; a curator's accepted and discarded decisions stay on record.
        locked.suggestions.filter(state__in=[Suggestion.State.PENDING, Suggestion.State.APPLIED]).delete()
    for suggestion in suggestions:
        suggestion.article, suggestion.run = locked, run
    Suggestion.objects.bulk_create(suggestions)
    # The caller's object sees what the draft filled (taxonomy and per-role rows are read from the database anyway).
    refreshed = [s.name for kind in (Kind.TEXT, Kind.LIST, Kind.CHOICE) for s in anatomy.sections(kind=kind)]
    for name in [name for name in refreshed if anatomy.section(name).suggestions] + ["slug"]:
        setattr(article, name, getattr(locked, name))
    # In the same transaction: one commit a draft instead of five (each one a disk flush on SQLite).
    if cluster:
        # As stored: a catch-up may have indexed the piece since the caller read it (its keys are then compared).
        article.story_indexed = locked.story_indexed
        clusters.assign_story_cluster(article=article, caught_up=True)
    if relate:
        related.refresh_related(article=article, links=links)
    if start_draft and locked.status == Status.INGESTED:
        # The row as stored now: clustering may have indexed it and put it in a story (with update(), which
        # `locked` did not see).
        locked.story_cluster_id, locked.story_indexed = article.story_cluster_id, article.story_indexed
        locked._known_taxonomy_links = links
        with suppress(workflow.TransitionRefused):
            workflow.apply_transition_locked(
                locked=locked, actor=None, name="start_draft", reason="Machine draft ready"
            )
            for attr in ("status", "status_changed_at", "published_at", "curated_by_id", "updated_at"):
                setattr(article, attr, getattr(locked, attr))
    locked.__dict__.pop("_known_taxonomy_links", None)  # true of this moment only
    return run
