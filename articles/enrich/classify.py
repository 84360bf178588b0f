"""Taxonomy and depth suggestions: topics, fields, roles, level and length, each with a confidence.

Topics come from keyword extraction (yake) matched against the existing topics; keywords
that match none are proposed as new topics, never created. Fields and roles come from a
classifier trained on the published briefs once there are enough of them (the
ENRICH_CLASSIFIER_MIN_BRIEFS setting); before that, from keyword rules built on the
taxonomy's own names and descriptions. Length follows reading time; level follows
readability (Flesch-Kincaid grade) and vocabulary.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max

from articles.enrich.text import WORD, sentences, word_count
from articles.models import Article, Field, Level, Role, Topic, length_for_minutes

WORDS_PER_MINUTE = 230
KEYWORD_CHARS = 20000  # yake's cost grows with the text; a piece's topics show in its first pages
STOP = frozenset(
    {"the", "and", "for", "with", "from", "that", "this", "into", "over", "under", "about", "your", "their", "what"}
    | {
        "when",
        "where",
        "which",
        "while",
        "will",
        "area",
        "field",
        "fields",
        "role",
        "roles",
        "other",
        "more",
        "most",
        "also",
    }
    | {"than", "have", "has", "been", "were", "they", "them", "such", "these", "those", "engineering"}
)
# Words that tell which reader a piece serves, beyond the role's own name and description.
ROLE_LEXICON = {
    "cto": "architecture infrastructure platform stack scalability vendor build buy security technical debt",
    "engineering": "team teams hiring delivery deployment developer developers productivity process tooling",
    "executive": "strategy market revenue investment business competitive board growth cost costs",
    "scientist": "model models training dataset datasets benchmark paper research experiment evaluation",
    "director": "roadmap deployment production adoption team models mlops evaluation",
    "policy": "regulation regulators policy law legal government governance compliance rights public",
    "data": "data pipeline warehouse analytics quality governance",
}


@dataclass(frozen=True)
class Guess:
    """One taxonomy or depth suggestion; `obj` is the existing Topic/Field/Role when there is one."""

    kind: str  # topic, new_topic, field, role, level, length
    text: str
    confidence: float
    obj: object | None = None


def article_text(article: Article) -> str:
    return "\n\n".join(part for part in (article.title, article.summary, article.content_text) if part)


def _norm_tokens(text: str) -> tuple[str, ...]:
    return tuple(word.lower().rstrip("s") for word in WORD.findall(text) if len(word) > 1)


# --- Topics -----------------------------------------------------------------------------


def _keywords(text: str, top: int) -> list[tuple[str, float]]:
    import yake

    extractor = yake.KeywordExtractor(lan="en", n=3, top=top, dedupLim=0.7)
    return extractor.extract_keywords(text[:KEYWORD_CHARS]) if text.strip() else []


def suggest_topics(article: Article, *, limit: int = 5, proposals: int = 3) -> list[Guess]:
    text = article_text(article)
    keywords = _keywords(text, top=15)
    topics = [(topic, _norm_tokens(topic.name)) for topic in Topic.objects.all()]
    lowered = " " + " ".join(_norm_tokens(text)) + " "
    found: dict[int, Guess] = {}
    proposed: list[Guess] = []
    for rank, (keyword, _score) in enumerate(keywords):
        confidence = round(max(0.2, 0.9 - 0.05 * rank), 2)
        tokens = _norm_tokens(keyword)
        matched = False
        for topic, name_tokens in topics:
            if not name_tokens:
                continue
            if set(name_tokens) <= set(tokens) or (len(tokens) > 0 and set(tokens) <= set(name_tokens)):
                matched = True
                if topic.pk not in found or found[topic.pk].confidence < confidence:
                    found[topic.pk] = Guess("topic", topic.name, confidence, topic)
        fresh = not any(set(tokens) & set(_norm_tokens(p.text)) for p in proposed)
        # A phrase the piece uses once is rarely its topic ("Harbour Logistics spent").
        recurring = lowered.count(" ".join(tokens)) >= 2
        if not matched and fresh and recurring and len(proposed) < proposals and not keyword.isdigit():
            proposed.append(Guess("new_topic", keyword, round(confidence * 0.8, 2)))
    # A topic named several times in the text is a topic of the text even if yake ranked it low.
    for topic, name_tokens in topics:
        if topic.pk in found or not name_tokens:
            continue
        mentions = lowered.count(" ".join(name_tokens))
        if mentions >= 2:
            found[topic.pk] = Guess("topic", topic.name, round(min(0.8, 0.3 + 0.1 * mentions), 2), topic)
    ranked = sorted(found.values(), key=lambda guess: -guess.confidence)[:limit]
    return ranked + proposed


# --- Fields and roles -------------------------------------------------------------------


def _terms(*texts: str) -> set[str]:
    return {token for text in texts for token in _norm_tokens(text) if len(token) > 3 and token not in STOP}


def _rule_guesses(kind: str, objects, extra_terms, text: str, limit: int) -> list[Guess]:
    counts = Counter(_norm_tokens(text))
    words = max(1, sum(counts.values()))
    guesses = []
    for obj in objects:
        terms = _terms(obj.name, obj.description, extra_terms(obj))
        hits = sum(counts[term] for term in terms)
        if not hits:
            continue
        # Mentions per 100 words, squashed into 0..1; a rule is never as sure as a trained model.
        confidence = round(0.8 * (1 - math.exp(-hits * 100 / words / 2)), 2)
        if confidence >= 0.1:
            guesses.append(Guess(kind, str(obj), confidence, obj))
    return sorted(guesses, key=lambda guess: -guess.confidence)[:limit]


def _role_terms(role: Role) -> str:
    name = role.name.lower()
    return " ".join(words for key, words in ROLE_LEXICON.items() if key in name)


def _field_terms(field: Field) -> str:
    return field.parent.name if field.parent_id else ""


_models: dict[str, tuple[tuple, object]] = {}


def _trained(kind: str, published):
    """A TF-IDF + one-vs-rest logistic regression over published briefs, retrained when they change."""
    stamp = (published.count(), published.aggregate(latest=Max("updated_at"))["latest"])
    cached = _models.get(kind)
    if cached and cached[0] == stamp:
        return cached[1]
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MultiLabelBinarizer

    briefs = list(published.prefetch_related(kind))
    labels = [[obj.pk for obj in getattr(brief, kind).all()] for brief in briefs]
    binarizer = MultiLabelBinarizer()
    targets = binarizer.fit_transform(labels)
    if targets.shape[1] < 2:
        _models[kind] = (stamp, None)
        return None
    model = make_pipeline(
        TfidfVectorizer(stop_words="english", sublinear_tf=True, max_features=50000),
        OneVsRestClassifier(LogisticRegression(max_iter=1000, class_weight="balanced")),
    )
    model.fit([article_text(brief) for brief in briefs], targets)
    _models[kind] = (stamp, (model, binarizer))
    return _models[kind][1]


def _classifier_guesses(kind: str, model_kind: str, model_class, article: Article, limit: int) -> list[Guess] | None:
    published = Article.objects.published().exclude(pk=article.pk)
    if published.count() < settings.ENRICH_CLASSIFIER_MIN_BRIEFS:
        return None
    trained = _trained(model_kind, published)
    if trained is None:
        return None
    model, binarizer = trained
    probabilities = model.predict_proba([article_text(article)])[0]
    ranked = sorted(zip(binarizer.classes_, probabilities, strict=True), key=lambda pair: -pair[1])[:limit]
    objects = model_class.objects.in_bulk([pk for pk, _p in ranked])
    return [
        Guess(kind, str(objects[pk]), round(float(p), 2), objects[pk]) for pk, p in ranked if pk in objects and p >= 0.2
    ]


def suggest_fields(article: Article, *, limit: int = 3) -> list[Guess]:
    trained = _classifier_guesses("field", "fields", Field, article, limit)
    if trained is not None:
        return trained
    subfields = Field.objects.subfields().select_related("parent")
    return _rule_guesses("field", subfields, _field_terms, article_text(article), limit)


def suggest_roles(article: Article, *, limit: int = 3) -> list[Guess]:
    trained = _classifier_guesses("role", "roles", Role, article, limit)
    if trained is not None:
        return trained
    return _rule_guesses("role", Role.objects.all(), _role_terms, article_text(article), limit)


# --- Depth ------------------------------------------------------------------------------

# Flesch-Kincaid grade at which a text stops being introductory, intermediate, advanced.
LEVEL_GRADES = ((9.0, Level.INTRODUCTORY), (12.0, Level.INTERMEDIATE), (15.0, Level.ADVANCED))
VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def _syllables(word: str) -> int:
    word = word.lower()
    count = len(VOWEL_GROUPS.findall(word))
    if word.endswith("e") and count > 1 and not word.endswith(("le", "ee")):
        count -= 1
    return max(1, count)


def readability_grade(text: str) -> float | None:
    """Flesch-Kincaid grade, raised for dense vocabulary (long words, acronyms, numbers)."""
    words = WORD.findall(text)
    sentence_count = len(sentences(text))
    if len(words) < 30 or not sentence_count:
        return None
    syllables = [_syllables(word) for word in words]
    grade = 0.39 * len(words) / sentence_count + 11.8 * sum(syllables) / len(words) - 15.59
    jargon = sum(1 for word in words if (word.isupper() and len(word) > 1) or any(c.isdigit() for c in word))
    return grade + 10 * jargon / len(words)


def suggest_depth(article: Article) -> list[Guess]:
    guesses = []
    minutes = article.reading_minutes or math.ceil(word_count(article.content_text or "") / WORDS_PER_MINUTE)
    if minutes and (article.content_text or article.reading_minutes):
        length = length_for_minutes(minutes)
        guesses.append(Guess("length", str(length), 0.9 if article.reading_minutes else 0.75))
    grade = readability_grade(article.content_text or "")
    if grade is not None:
        level = next((lvl for limit, lvl in LEVEL_GRADES if grade < limit), Level.EXPERT)
        distance = min(abs(grade - limit) for limit, _lvl in LEVEL_GRADES)
        guesses.append(Guess("level", str(level), round(min(0.85, 0.45 + distance / 8), 2)))
    return guesses
