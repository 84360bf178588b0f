"""One brief's machine draft: every suggester run, the draft computed (`draft_suggestions`), nothing saved.

The draft is kept by articles/enrich/turn.py (`enrich_article` for one piece, `enrich_articles`
for a turn), under the rule the curators rely on: a machine never overwrites what a person wrote.
"""

import logging

from django.conf import settings

from articles import anatomy
from articles.enrich import classify, generative
from articles.enrich.summarize import Extract, extractive_draft
from articles.enrich.text import sentences, words
from articles.models import Article, EnrichmentRun, Field, Role, Suggestion, Topic

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
