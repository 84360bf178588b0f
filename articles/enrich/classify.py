"""Taxonomy and depth suggestions: topics, fields, roles, level and length, each with a confidence.

Topics come from the piece's key phrases (keyphrases.py) matched against the existing topics; keywords
that match none are proposed as new topics, never created. Fields and roles come from a
classifier trained on the newest published briefs once there are enough of them (the
ENRICH_CLASSIFIER_MIN_BRIEFS and ENRICH_CLASSIFIER_MAX_BRIEFS settings); before that, from keyword rules built on the
taxonomy's own names and descriptions. Length follows reading time; level follows
readability (Flesch-Kincaid grade) and vocabulary.
"""

import functools
import math
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from articles.enrich import lexicon
from articles.enrich.keyphrases import keyphrases
from articles.enrich.lexicon import phrases
from articles.enrich.text import WORD, sentences, word_count
from articles.models import Article, Field, Level, Role, Status, Topic, length_for_minutes

WORDS_PER_MINUTE = 230
KEYWORD_CHARS = 20000  # a piece's topics show in its first pages
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
    return tuple([_norm_token(word) for word in WORD.findall(text) if len(word) > 1])


@functools.lru_cache(maxsize=4096)
def _name_tokens(name: str) -> tuple[str, ...]:
    """`_norm_tokens` of a taxonomy entry's name, which every piece reads again."""
    return _norm_tokens(name)


@functools.lru_cache(maxsize=65536)
def _norm_token(word: str) -> str:
    return word.lower().rstrip("s")


# --- Topics -----------------------------------------------------------------------------


def _keywords(text: str, top: int) -> list[tuple[str, float]]:
    return keyphrases(text[:KEYWORD_CHARS], top=top) if text.strip() else []


def _mentions(lowered: str, name_tokens: tuple[str, ...]) -> int:
    return lowered.count(" " + " ".join(name_tokens) + " ")


@dataclass(frozen=True)
class Taxonomy:
    """What the suggesters match against and learn from, read once for a batch of pieces: the topics,
    subfields and roles, and the published library's version."""

    topics: list
    subfields: list
    roles: list
    library_version: str

    @classmethod
    def read(cls) -> "Taxonomy":
        return cls(
            list(Topic.objects.all()),
            list(Field.objects.subfields().select_related("parent")),
            list(Role.objects.all()),
            _library_version(),
        )


def suggest_topics(
    article: Article, *, limit: int = 5, proposals: int = 3, taxonomy: Taxonomy | None = None
) -> list[Guess]:
    """Existing topics the piece is about, and recurring phrases that could become new topics.

    A topic needs its whole name: a keyword "data" never matches "Data Governance". The
    evidence is how often the piece names the topic, whether its title does, and whether
    the name is among the piece's key phrases; a single passing mention is offered
    at low confidence, never filled in.
    """
    text = article_text(article)
    keywords = _keywords(text, top=15)
    known_topics = taxonomy.topics if taxonomy is not None else Topic.objects.all()
    topics = [(topic, _name_tokens(topic.name)) for topic in known_topics]
    text_tokens = _norm_tokens(text)
    lowered = " " + " ".join(text_tokens) + " "
    # A name is in the text only if each of its words is (a padded name matches whole words): most topics are
    # ruled out by a look-up instead of a search of the whole text.
    in_text = set(text_tokens)
    title = " " + " ".join(_norm_tokens(article.title or "")) + " "
    keyword_tokens = [_norm_tokens(keyword) for keyword, _score in keywords]
    found: list[Guess] = []
    for topic, name_tokens in topics:
        if not name_tokens or not in_text.issuperset(name_tokens):
            continue
        mentions = _mentions(lowered, name_tokens)
        if not mentions:
            continue
        in_title = _mentions(title, name_tokens) > 0
        # A key phrase that contains the topic's whole name, in order.
        key_phrase = any(" " + " ".join(name_tokens) + " " in " " + " ".join(tokens) + " " for tokens in keyword_tokens)
        signals = (mentions >= 2) + (mentions >= 4) + in_title + key_phrase
        confidence = round(min(0.95, 0.2 + 0.2 * signals), 2)
        found.append(Guess("topic", topic.name, confidence, topic))
    proposed: list[Guess] = []
    known = {" ".join(tokens) for _topic, tokens in topics}
    for rank, (keyword, _score) in enumerate(keywords):
        tokens = keyword_tokens[rank]
        if not tokens or " ".join(tokens) in known or keyword.isdigit():
            continue
        fresh = not any(set(tokens) & set(_norm_tokens(p.text)) for p in proposed)
        # A phrase the piece uses once is rarely its topic ("Harbour Logistics spent").
        if fresh and len(tokens) >= 2 and _mentions(lowered, tokens) >= 2 and len(proposed) < proposals:
            proposed.append(Guess("new_topic", keyword, round(max(0.2, 0.7 - 0.04 * rank), 2)))
    ranked = sorted(found, key=lambda guess: -guess.confidence)[:limit]
    return ranked + proposed


# --- Fields and roles -------------------------------------------------------------------


def _terms(*texts: str) -> set[str]:
    return {token for text in texts for token in _norm_tokens(text) if len(token) > 3 and token not in STOP}


# A rule suggestion is filled in only on several independent signals: distinct evidence
# phrases (a repeated word counts once), multi-word phrases, the title, and how much of
# the piece is about the subject (the share of its sentences carrying any evidence).
EVIDENCE_SCALE = 5.0
MAIN_SUBJECT_SHARE = 0.2
# Field evidence is right more often than its raw score says: on the tuning half of
# labelled/dev.jsonl (bench/taxonomy.py) every field offered at 0.36-0.48 on two or more
# phrases was right. The held-out half is reported beside it, never used to set this.
CALIBRATION = {"field": 1.4}
# Below this a role is not offered at all: a reader list that is mostly wrong costs more than it saves.
ROLE_MIN_CONFIDENCE = 0.35
FIELD_MIN_CONFIDENCE = 0.2


def _padded(text: str) -> str:
    return " " + " ".join(_norm_tokens(text)) + " "


def _evidence_phrases(obj, lexicon: dict[str, str]) -> tuple[str, ...]:
    return _evidence(obj.name, obj.description, lexicon.get(getattr(obj, "slug", ""), ""))


@functools.lru_cache(maxsize=1024)
def _evidence(name: str, description: str, spec: str) -> tuple[str, ...]:
    """The padded evidence phrases of a taxonomy entry (its name, and its lexicon's phrases or its description's
    words), read once a process rather than once a piece."""
    found = [name, *(phrases(spec) if spec else sorted(_terms(name, description)))]
    return tuple(sorted({_padded(phrase) for phrase in found if _norm_tokens(phrase)}))


@functools.lru_cache(maxsize=4)
def _units(body: str, title: str) -> tuple[tuple[str, ...], str]:
    """The padded sentences of a piece's body (its title when it has none), and the same joined by line breaks:
    a padded phrase holds no line break, so it is in the joined text exactly when it is in one of them. The
    field and the role rules read the same piece's."""
    units = tuple(_padded(s.text) for s in sentences(body)) or (_padded(title),)
    return units, "\n".join(units)


def _rule_guesses(kind: str, objects, lexicon: dict[str, str], article: Article, limit: int, floor: float):
    objects = list(objects)
    if not objects:  # no taxonomy yet: nothing to guess, and the piece's sentences need not be read (0.3 ms a piece)
        return []
    body = "\n\n".join(part for part in (article.summary, article.content_text) if part)
    units, joined = _units(body, article.title or "")
    title = _padded(article.title or "")
    guesses = []
    for obj in objects:
        evidence = _evidence_phrases(obj, lexicon)
        distinct = {phrase for phrase in evidence if phrase in joined}
        if not distinct:
            continue
        in_title = any(phrase in title for phrase in evidence)
        multiword = sum(1 for phrase in distinct if phrase.strip().count(" "))
        coverage = sum(1 for unit in units if any(phrase in unit for phrase in distinct)) / len(units)
        strength = len(distinct) + multiword + 2 * in_title
        confidence = 0.95 * (1 - math.exp(-strength / EVIDENCE_SCALE)) * min(1.0, coverage / MAIN_SUBJECT_SHARE)
        confidence = min(0.95, confidence * CALIBRATION.get(kind, 1.0))
        if len(distinct) < 2:  # one phrase alone is a hint, never enough to fill in
            confidence = min(confidence, 0.3)
        confidence = round(confidence, 2)
        if confidence >= floor:
            guesses.append(Guess(kind, str(obj), confidence, obj))
    return sorted(guesses, key=lambda guess: -guess.confidence)[:limit]


_models: dict[str, tuple[tuple, object]] = {}


@dataclass
class TrainedClassifier:
    """TF-IDF + one-vs-rest logistic regression over texts with any number of labels each."""

    model: object
    labels: list
    # Every label's logistic regression as one matrix (features x labels) and its intercepts, made once.
    _stacked: tuple | None = field(default=None, init=False, repr=False)

    def probabilities(self, texts: list[str], *, rows=None):
        """The probability of each label for each text: the pipeline's predict_proba, the same numbers.

        The pipeline asks each label's regression in turn, checking the input every time (16 ms a
        piece with 20 labels); here the text's TF-IDF row meets all the regressions in one product.
        `rows`: the texts' rows from this classifier's vectorizer when the caller has them already.
        """
        vectorizer, one_vs_rest = self.model[0], self.model[-1]
        regressions = getattr(one_vs_rest, "estimators_", [])
        plain = len(regressions) > 1 and one_vs_rest.multilabel_
        if not plain or not all(getattr(r, "coef_", None) is not None and r.coef_.shape[0] == 1 for r in regressions):
            return self.model.predict_proba(texts)  # a label on every brief or on none: the library's own way
        if self._stacked is None:
            import numpy as np

            self._stacked = (
                np.hstack([r.coef_.T for r in regressions]),
                np.array([r.intercept_[0] for r in regressions]),
            )
        from scipy.special import expit

        weights, intercepts = self._stacked
        return expit((vectorizer.transform(texts) if rows is None else rows) @ weights + intercepts)

    def predict(self, texts: list[str]) -> list:
        """The most probable label of each text."""
        return [self.labels[row.argmax()] for row in self.probabilities(texts)]


def train_classifier(texts: list[str], label_lists: list[list]) -> TrainedClassifier | None:
    """The classifier the published briefs train (None when they carry fewer than two labels)."""
    vectorizer, matrix = _fit_words(texts)
    return _fit_labels(vectorizer, matrix, label_lists)


def _fit_words(texts: list[str]):
    """The TF-IDF vectorizer fitted on `texts`, and their rows: what every classifier of one library shares."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, max_features=50000)
    return vectorizer, vectorizer.fit_transform(texts)


def _fit_labels(vectorizer, matrix, label_lists: list[list]) -> TrainedClassifier | None:
    """One-vs-rest logistic regressions on the rows of a fitted vectorizer: its pipeline's fit, the same model."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MultiLabelBinarizer

    binarizer = MultiLabelBinarizer()
    targets = binarizer.fit_transform(label_lists)
    if targets.shape[1] < 2:
        return None
    one_vs_rest = OneVsRestClassifier(LogisticRegression(max_iter=1000, class_weight="balanced"))
    one_vs_rest.fit(matrix, targets)
    return TrainedClassifier(make_pipeline(vectorizer, one_vs_rest), list(binarizer.classes_))


@dataclass(frozen=True)
class Library:
    """The published briefs a classifier learns from (all but the brief being drafted), as drafting sees them."""

    count: int
    version: str  # changes whenever the published library does: with it, says whether a trained model is current
    article_pk: int | None  # the brief it was read for
    exclude_pk: int | None  # that brief, when it is published itself (it never learns from its own labels)


# The published library's version, in the shared cache: every process drafting sees the same one.
LIBRARY_VERSION_KEY = "enrich:library-version"
# The number of published briefs under the version last read (one count a process per change).
_library_sizes: dict[str, int] = {}


def _new_version() -> str:
    return f"{time.time():.6f}-{uuid.uuid4().hex[:8]}"


def _bump_library_version() -> None:
    cache.set(LIBRARY_VERSION_KEY, _new_version(), timeout=None)


def library_changed() -> None:
    """Say the published library changed (a brief published, edited or labelled while published, unpublished,
    deleted, or briefs written in bulk): the classifiers retrain before their next suggestion.

    The version moves now and again once the transaction commits, so a draft that read the library
    before the commit is not taken for current afterwards.
    """
    _bump_library_version()
    transaction.on_commit(_bump_library_version)


def _library_version() -> str:
    version = cache.get(LIBRARY_VERSION_KEY)
    if version is None:
        # Never set, or evicted: a new version, which can only cost one retraining.
        version = _new_version()
        if not cache.add(LIBRARY_VERSION_KEY, version, timeout=None):
            version = cache.get(LIBRARY_VERSION_KEY) or version
    return version


def published_library(article: Article, *, version: str | None = None) -> Library:
    """How many briefs the classifiers would learn from for `article`, and the library's version.

    One cache read (none when a batch read the `version` already); the published briefs are counted
    only when the version moved since this process last counted them (at 100,000 briefs, a count and
    the latest change over all of them took a scan).
    """
    version = version or _library_version()
    count = _library_sizes.get(version)
    if count is None:
        count = Article.objects.published().count()
        _library_sizes.clear()
        _library_sizes[version] = count
    own = article.pk is not None and article.status == Status.PUBLISHED
    return Library(count - own, version, article.pk, article.pk if own else None)


# The taxonomy lists the classifiers learn: trained together, on one TF-IDF fit of the library's texts.
CLASSIFIED = ("fields", "roles")
# The library's text of the version last trained on ((version, brief left out), vectorizer, the briefs' rows and
# labels): the second classifier of a version fits no words again.
_library_words: dict[str, tuple] = {}


def _trained(kind: str, library: Library):
    """A TF-IDF + one-vs-rest logistic regression over the newest published briefs (at most
    ENRICH_CLASSIFIER_MAX_BRIEFS), retrained when the library changes.

    Both classifiers of a version share the briefs read, the TF-IDF fit and so each piece's row
    (`_text_row`); each is the model its own pipeline would fit on the same briefs. The cap bounds
    what every drafting process pays after each change of a grown library: the time and memory of
    reading and fitting a few thousand briefs, not all of them.
    """
    stamp = (library.version, library.exclude_pk)
    cached = _models.get(kind)
    if cached and cached[0] == stamp:
        return cached[1]
    words = _library_words.get("current")
    if words is None or words[0] != stamp:
        published = Article.objects.published().exclude(pk=library.exclude_pk).latest_first()
        briefs = list(published.prefetch_related(*CLASSIFIED)[: settings.ENRICH_CLASSIFIER_MAX_BRIEFS])
        labels = {name: [[obj.pk for obj in getattr(brief, name).all()] for brief in briefs] for name in CLASSIFIED}
        words = (stamp, *_fit_words([article_text(brief) for brief in briefs]), labels)
        _library_words["current"] = words
    _stamp, vectorizer, matrix, labels = words
    _models[kind] = (stamp, _fit_labels(vectorizer, matrix, labels[kind]))
    if all(_models.get(name, (None,))[0] == stamp for name in CLASSIFIED):
        _library_words.clear()  # every classifier of the version trained: the briefs' rows are not needed
    return _models[kind][1]


# The last piece's TF-IDF row under the library's vectorizer: (vectorizer, text, row).
_last_row: dict[str, tuple] = {}
# A turn's pieces' rows, made at once (`keep_turn_rows`): (vectorizer, {text: row}).
_turn_rows: dict[str, tuple] = {}


def _text_row(vectorizer, text: str):
    """`vectorizer.transform([text])`, kept for the next classifier of the same piece (they share the vectorizer)."""
    turn = _turn_rows.get("rows")
    if turn is not None and turn[0] is vectorizer and text in turn[1]:
        return turn[1][text]
    last = _last_row.get("row")
    if last is not None and last[0] is vectorizer and last[1] == text:
        return last[2]
    row = vectorizer.transform([text])
    _last_row["row"] = (vectorizer, text, row)
    return row


def keep_turn_rows(articles: list[Article], *, taxonomy: Taxonomy) -> None:
    """Make the TF-IDF rows of a turn's unpublished pieces under the trained classifiers' vectorizer in one call, for
    their drafts (`_text_row`); `forget_turn_rows` drops them.

    scikit-learn's `transform` checks its input and builds a matrix at every call: for one text that took 0.9 ms,
    for 20 at once 0.35 ms a text (bench/REPORT.md, "Eleventh pass"). A text's row does not depend on the texts
    beside it (its words counted, weighed and scaled to length 1 on their own), so the rows, and the probabilities,
    are the same to the last bit. A published piece is classified by a model that leaves it out: it keeps its own
    call. Nothing is made while the library is too small to train on.
    """
    _turn_rows.clear()
    unpublished = [article for article in articles if article.status != Status.PUBLISHED]
    if len(unpublished) < 2:
        return
    library = published_library(unpublished[0], version=taxonomy.library_version)
    if library.count < settings.ENRICH_CLASSIFIER_MIN_BRIEFS:
        return
    trained = next((model for kind in CLASSIFIED if (model := _trained(kind, library)) is not None), None)
    if trained is None:
        return
    texts = list(dict.fromkeys(article_text(article) for article in unpublished))
    matrix = trained.model[0].transform(texts)
    _turn_rows["rows"] = (trained.model[0], {text: matrix[position] for position, text in enumerate(texts)})


def forget_turn_rows() -> None:
    _turn_rows.clear()


def _classifier_guesses(
    kind: str, model_kind: str, model_class, article: Article, limit: int, library: Library | None, known=None
) -> list[Guess] | None:
    if library is None or library.article_pk != article.pk:
        library = published_library(article)
    if library.count < settings.ENRICH_CLASSIFIER_MIN_BRIEFS:
        return None
    trained = _trained(model_kind, library)
    if trained is None:
        return None
    text = article_text(article)
    probabilities = trained.probabilities([text], rows=_text_row(trained.model[0], text))[0]
    ranked = sorted(zip(trained.labels, probabilities, strict=True), key=lambda pair: -pair[1])[:limit]
    # The taxonomy read for a batch holds the entries (fields with their areas, for their names); else one query.
    objects = {obj.pk: obj for obj in known or ()}
    missing = [pk for pk, _p in ranked if pk not in objects]
    if missing:
        entries = model_class.objects.select_related("parent") if model_class is Field else model_class.objects
        objects.update(entries.in_bulk(missing))
    return [
        Guess(kind, str(objects[pk]), round(float(p), 2), objects[pk]) for pk, p in ranked if pk in objects and p >= 0.2
    ]


def suggest_fields(
    article: Article, *, limit: int = 3, library: Library | None = None, taxonomy: Taxonomy | None = None
) -> list[Guess]:
    """`library` (published_library(article)) spares a query when the caller also suggests roles, and
    `taxonomy` (Taxonomy.read()) one for each piece of a batch."""
    known = taxonomy.subfields if taxonomy is not None else None
    trained = _classifier_guesses("field", "fields", Field, article, limit, library, known)
    if trained is not None:
        return trained
    subfields = taxonomy.subfields if taxonomy is not None else Field.objects.subfields().select_related("parent")
    return _rule_guesses("field", subfields, lexicon.FIELDS, article, limit, FIELD_MIN_CONFIDENCE)


def suggest_roles(
    article: Article, *, limit: int = 3, library: Library | None = None, taxonomy: Taxonomy | None = None
) -> list[Guess]:
    known = taxonomy.roles if taxonomy is not None else None
    trained = _classifier_guesses("role", "roles", Role, article, limit, library, known)
    if trained is not None:
        # Whoever suggests them, readers at low confidence are not offered.
        return [guess for guess in trained if guess.confidence >= ROLE_MIN_CONFIDENCE]
    roles = taxonomy.roles if taxonomy is not None else Role.objects.all()
    return _rule_guesses("role", roles, lexicon.ROLES, article, limit, ROLE_MIN_CONFIDENCE)


# --- Depth ------------------------------------------------------------------------------

# Flesch-Kincaid grade at which a text stops being introductory, intermediate, advanced.
LEVEL_GRADES = ((13.0, Level.INTRODUCTORY), (17.0, Level.INTERMEDIATE), (20.0, Level.ADVANCED))
VOWEL_GROUPS = re.compile(r"[aeiouy]+")


@functools.lru_cache(maxsize=65536)
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
    # Each distinct word is read once, however often the text uses it (sums of whole numbers: the same totals).
    uses = Counter(words)
    syllables = sum(_syllables(word) * count for word, count in uses.items())
    grade = 0.39 * len(words) / sentence_count + 11.8 * syllables / len(words) - 15.59
    jargon = sum(count for word, count in uses.items() if _jargon(word))
    return grade + 10 * jargon / len(words)


def _jargon(word: str) -> bool:
    """An acronym or a word with a digit in it."""
    # A word of letters only has no digit: most words are decided without reading them character by character.
    return (word.isupper() and len(word) > 1) or (not word.isalpha() and any(c.isdigit() for c in word))


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
