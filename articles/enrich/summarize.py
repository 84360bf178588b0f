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
    return usable or all_sentences


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


def rank(text: str) -> tuple[list[Sentence], np.ndarray, np.ndarray | None]:
    """Candidate sentences, their scores (higher is more central), and their similarity matrix."""
    candidates = _candidates(sentences(text))
    if not candidates:
        return [], np.zeros(0), None
    positions = np.arange(len(candidates), dtype=float)
    prior = np.exp(-positions / LEAD_DECAY)
    prior /= prior.sum()
    similarity = _similarity([s.text for s in candidates])
    if similarity is None:
        return candidates, prior, None
    centrality = _pagerank(similarity, prior)
    centrality = centrality / centrality.max() if centrality.max() > 0 else centrality
    scores = (1 - LEAD_WEIGHT) * centrality + LEAD_WEIGHT * (prior / prior.max())
    return candidates, scores, similarity


def _distinct(order: list[int], similarity: np.ndarray | None, limit: int) -> list[int]:
    chosen: list[int] = []
    for index in order:
        if len(chosen) == limit:
            break
        if similarity is not None and any(similarity[index, other] >= REDUNDANCY for other in chosen):
            continue
        chosen.append(index)
    return chosen


def extractive_draft(text: str, *, summary_sentences: int = 3, insights: int = 4) -> ExtractiveDraft:
    """Draft the summary (in the original's order), the takeaway and the insights of `text`."""
    candidates, scores, similarity = rank(text)
    if not candidates:
        return ExtractiveDraft()
    top = float(scores.max()) or 1.0
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))

    def extract(i: int) -> Extract:
        s = candidates[i]
        return Extract(s.text, s.paragraph, s.start, s.end, round(float(scores[i]) / top, 3))

    picked = _distinct(order, similarity, max(summary_sentences, insights + 1))
    return ExtractiveDraft(
        summary=[extract(i) for i in sorted(picked[:summary_sentences])],
        takeaway=extract(picked[0]),
        insights=[extract(i) for i in picked[1 : insights + 1]],
    )
