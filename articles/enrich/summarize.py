"""Extractive drafting: summary, key takeaway and key insights chosen among the original's sentences.

The ranking is LexRank-style: sentences are nodes, TF-IDF cosine similarities are edges,
and a PageRank walk finds the sentences most of the others agree with. News and essays
put their point early, so the walk restarts towards the opening sentences (a lead-biased
prior, as in PacSum/position-aware TextRank) instead of uniformly; `bench/summaries.py`
measures what that buys against LEAD-3. Redundancy is removed greedily (a sentence too
similar to one already chosen is skipped), and the summary keeps the original order.
"""

from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from articles.enrich.text import Sentence, sentences

DAMPING = 0.85
# How quickly the restart prior decays with a sentence's position (in sentences).
LEAD_DECAY = 3.0
# Share of the final score that comes from position rather than centrality.
LEAD_WEIGHT = 0.7
# Two sentences at least this similar say the same thing; only the better one is kept.
REDUNDANCY = 0.3
MIN_WORDS = 5
MAX_WORDS = 60
# A book-length page would make the similarity graph quadratic in its size; its opening
# is where a summary comes from anyway.
MAX_SENTENCES = 400


@dataclass(frozen=True)
class Extract:
    """A sentence chosen for a section, with where it came from and how sure the ranking is."""

    text: str
    paragraph: int
    start: int
    end: int
    confidence: float


@dataclass
class ExtractiveDraft:
    summary: list[Extract] = field(default_factory=list)  # in the original's order
    takeaway: Extract | None = None
    insights: list[Extract] = field(default_factory=list)  # most important first

    @property
    def summary_text(self) -> str:
        return " ".join(extract.text for extract in self.summary)


def _candidates(all_sentences: list[Sentence]) -> list[Sentence]:
    usable = [s for s in all_sentences if MIN_WORDS <= len(s.words) <= MAX_WORDS]
    # A very short text may have nothing "normal"; then every sentence competes.
    return (usable or all_sentences)[:MAX_SENTENCES]


def _similarity(texts: list[str]) -> np.ndarray | None:
    try:
        matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    except ValueError:  # no usable words at all (numbers, stop words only)
        return None
    similarity = (matrix @ matrix.T).toarray()
    np.fill_diagonal(similarity, 0.0)
    return similarity


def _pagerank(similarity: np.ndarray, prior: np.ndarray, iterations: int = 100) -> np.ndarray:
    row_sums = similarity.sum(axis=1, keepdims=True)
    # A sentence sharing no words with the others hands its weight to the prior.
    transition = np.divide(similarity, row_sums, out=np.zeros_like(similarity), where=row_sums > 0)
    dangling = (row_sums.ravel() == 0).astype(float)
    scores = prior.copy()
    for _ in range(iterations):
        updated = DAMPING * (scores @ transition + scores @ dangling * prior) + (1 - DAMPING) * prior
        if np.abs(updated - scores).sum() < 1e-9:
            return updated
        scores = updated
    return scores


@dataclass
class Ranking:
    candidates: list[Sentence]
    summary_scores: np.ndarray  # centrality with the lead prior: what a summary should open with
    centrality: np.ndarray  # plain LexRank centrality: what the piece keeps coming back to
    similarity: np.ndarray | None


def _normalised(values: np.ndarray) -> np.ndarray:
    return values / values.max() if values.size and values.max() > 0 else values


def rank(text: str) -> Ranking:
    """Candidate sentences with their summary scores and centrality (higher is better)."""
    candidates = _candidates(sentences(text))
    if not candidates:
        return Ranking([], np.zeros(0), np.zeros(0), None)
    positions = np.arange(len(candidates), dtype=float)
    prior = np.exp(-positions / LEAD_DECAY)
    prior /= prior.sum()
    similarity = _similarity([s.text for s in candidates])
    if similarity is None:
        return Ranking(candidates, _normalised(prior), _normalised(prior), None)
    uniform = np.full(len(candidates), 1 / len(candidates))
    centrality = _normalised(_pagerank(similarity, uniform))
    lead_biased = _normalised(_pagerank(similarity, prior))
    scores = (1 - LEAD_WEIGHT) * lead_biased + LEAD_WEIGHT * _normalised(prior)
    return Ranking(candidates, scores, centrality, similarity)


def _distinct(order: list[int], similarity: np.ndarray | None, limit: int) -> list[int]:
    chosen: list[int] = []
    for index in order:
        if len(chosen) == limit:
            break
        if similarity is not None and any(similarity[index, other] >= REDUNDANCY for other in chosen):
            continue
        chosen.append(index)
    return chosen


def _first_statement(index: int, scores: np.ndarray, similarity: np.ndarray | None) -> int:
    """A claim made twice is quoted where the piece first makes it, if that statement is nearly as central."""
    if similarity is None:
        return index
    for earlier in range(index):
        if similarity[index, earlier] >= REDUNDANCY and scores[earlier] >= 0.8 * scores[index]:
            return earlier
    return index


def extractive_draft(text: str, *, summary_sentences: int = 3, insights: int = 4) -> ExtractiveDraft:
    """Draft the summary (in the original's order), the takeaway and the insights of `text`.

    The summary follows the lead-biased scores (measured best against human summaries);
    the takeaway is the most central claim and the insights the next distinct ones.
    """
    ranking = rank(text)
    candidates, similarity = ranking.candidates, ranking.similarity
    if not candidates:
        return ExtractiveDraft()

    def extract(i: int, scores: np.ndarray) -> Extract:
        s = candidates[i]
        return Extract(s.text, s.paragraph, s.start, s.end, round(float(np.clip(scores[i], 0, 1)), 3))

    def best_first(scores: np.ndarray) -> list[int]:
        return sorted(range(len(candidates)), key=lambda i: (-scores[i], i))

    summary = _distinct(best_first(ranking.summary_scores), similarity, summary_sentences)
    claims = [
        _first_statement(i, ranking.centrality, similarity)
        for i in _distinct(best_first(ranking.centrality), similarity, insights + 1)
    ]
    return ExtractiveDraft(
        summary=[extract(i, ranking.summary_scores) for i in sorted(summary)],
        takeaway=extract(claims[0], ranking.centrality),
        insights=[extract(i, ranking.centrality) for i in claims[1:]],
    )
