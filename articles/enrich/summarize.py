"""Extractive drafting: summary, key takeaway and key insights chosen among the original's sentences.

The ranking is LexRank-style: sentences are nodes, TF-IDF cosine similarities are edges,
and a PageRank walk finds the sentences most of the others agree with. News and essays
put their point early, so the walk restarts towards the opening sentences (a lead-biased
prior, as in PacSum/position-aware TextRank) instead of uniformly; `bench/summaries.py`
measures what that buys against LEAD-3. Redundancy is removed greedily (a sentence too
similar to one already chosen is skipped), and the summary keeps the original order.

What no editor would keep never competes (`articles.enrich.filters`: bylines, captions,
calls to action, list intros, boilerplate, quotation fragments), and sentences come from
the one splitter (`articles.enrich.text.sentences`), which survives abbreviations,
numbers and quotations. The three sections never repeat each other: the takeaway is the
piece's main claim among the sentences that read on their own and are not in the
summary (nor say the same as one), and the insights are the next distinct claims.

A hook (a scene, an anecdote, the buzz around the subject, the post announcing itself, an
abstract's background) is never the takeaway: feed posts open with one before their claim.
A summary that opens on a line that is no claim (a standfirst or headline without a full
stop, a hook) has its first claim after it; when that claim beats every sentence outside and
another summary sentence partly says it again, the summary hands it to the takeaway and goes
on with its next sentence. A summary that opens on its claim (a news lede) keeps it: handing the lede
over cost the summary more ROUGE than LEAD-3's margin on CNN/DM. `bench/defects.py` measures
the takeaway against the CNN/DM highlights and the labelled key points; `bench/summaries.py`
the summary against LEAD-3.
"""

from dataclasses import dataclass, field

import numpy as np

from articles.enrich.filters import lead_in, not_standalone, points_back, unusable
from articles.enrich.hooks import hook
from articles.enrich.preceding import needs_what_comes_before
from articles.enrich.text import Sentence, sentences, words
from articles.enrich.vectors import cosines, cosines_with_first, english_stop_words

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


def _without_dateline(text: str, sentence: Sentence) -> Sentence:
    skip = lead_in(text[sentence.start : sentence.end])
    if not skip or sentence.start + skip >= sentence.end:
        return sentence
    start = sentence.start + skip
    piece = " ".join(text[start : sentence.end].split())
    return Sentence(text=piece, index=sentence.index, paragraph=sentence.paragraph, start=start, end=sentence.end)


def _candidates(text: str) -> list[Sentence]:
    kept = [_without_dateline(text, s) for s in sentences(text) if unusable(s.text) is None]
    usable = [s for s in kept if MIN_WORDS <= len(s.words) <= MAX_WORDS]
    # A very short text may have nothing "normal"; then every keepable sentence competes.
    return (usable or kept)[:MAX_SENTENCES]


def _similarity(texts: list[str]) -> np.ndarray | None:
    try:
        similarity = cosines(texts)
    except ValueError:  # no usable words at all (numbers, stop words only)
        return None
    np.fill_diagonal(similarity, 0.0)
    return similarity


def _transition(similarity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The walk's step from each sentence (its row of similarities over their sum), and the dangling sentences."""
    row_sums = similarity.sum(axis=1, keepdims=True)
    # A sentence sharing no words with the others hands its weight to the prior.
    transition = np.divide(similarity, row_sums, out=np.zeros_like(similarity), where=row_sums > 0)
    dangling = (row_sums.ravel() == 0).astype(float)
    return transition, dangling


def _pagerank(walk: tuple[np.ndarray, np.ndarray], prior: np.ndarray, iterations: int = 100) -> np.ndarray:
    transition, dangling = walk
    restart = (1 - DAMPING) * prior
    scores = prior.copy()
    # With no dangling sentence the prior's share of a step is 0.0 times the prior: adding it changes no bit. The
    # same operations in place where they can be (a walk takes up to a hundred steps of a few small arrays each).
    any_dangling = bool(dangling.any())
    change = np.empty_like(prior)
    for _ in range(iterations):
        if any_dangling:
            updated = DAMPING * (scores @ transition + scores @ dangling * prior) + restart
        else:
            updated = scores @ transition
            np.multiply(updated, DAMPING, out=updated)
            np.add(updated, restart, out=updated)
        np.subtract(updated, scores, out=change)
        np.absolute(change, out=change)
        if np.add.reduce(change) < 1e-9:  # change.sum(): the same pairwise sum
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
    candidates = _candidates(text)
    if not candidates:
        return Ranking([], np.zeros(0), np.zeros(0), None)
    positions = np.arange(len(candidates), dtype=float)
    prior = np.exp(-positions / LEAD_DECAY)
    prior /= prior.sum()
    similarity = _similarity([s.text for s in candidates])
    if similarity is None:
        return Ranking(candidates, _normalised(prior), _normalised(prior), None)
    uniform = np.full(len(candidates), 1 / len(candidates))
    walk = _transition(similarity)
    centrality = _normalised(_pagerank(walk, uniform))
    lead_biased = _normalised(_pagerank(walk, prior))
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


# How the takeaway weighs what the piece keeps coming back to, what its title announces,
# and where it says it (chosen on labelled/dev.jsonl's key points; see bench/REPORT.md).
TAKEAWAY_WEIGHTS = (0.5, 0.3, 0.2)
# A sentence this similar to a summary sentence says the same thing again.
REPEATS_SUMMARY = 0.5
# A summary's first claim this similar to another of its sentences is partly said again there, so the summary can
# give it to the takeaway (chosen on articles 1-125 of the CNN/DM highlights; see bench/REPORT.md).
RESTATED = 0.15
# Why a sentence cannot be a takeaway that still lets it open a summary, if it does not point back: a standfirst or
# a headline is no claim, yet a reader can start with it ("But will he face death?" cannot).
OPENS_A_SUMMARY = frozenset({None, "too short", "too long", "no full stop", "no verb", "question", "exclamation"})


def _title_similarity(title: str, candidates: list[Sentence]) -> np.ndarray:
    if not title.strip():
        return np.zeros(len(candidates))
    try:
        about_title = cosines_with_first([title, *(s.text for s in candidates)])
    except ValueError:
        return np.zeros(len(candidates))
    return _normalised(np.array(about_title, dtype=np.float64))


def _content_words(text: str) -> set[str]:
    stop_words = english_stop_words()
    return {word for word in words(text) if len(word) > 3 and word not in stop_words}


def _claim_scores(ranking: Ranking, about_title: np.ndarray) -> np.ndarray:
    centrality, title_weight, position = TAKEAWAY_WEIGHTS
    prior = np.exp(-np.arange(len(ranking.candidates), dtype=float) / (2 * LEAD_DECAY))
    return centrality * ranking.centrality + title_weight * about_title + position * _normalised(prior)


def extractive_draft(text: str, *, title: str = "", summary_sentences: int = 3, insights: int = 4) -> ExtractiveDraft:
    """Draft the summary (in the original's order), the takeaway and the insights of `text`.

    The summary follows the lead-biased scores (measured best against human summaries).
    The takeaway is the best claim (central, about what the title announces, early) among
    the sentences that read on their own (also in their place: not inside a quotation, not
    announced by a colon), share a word with the title or the summary, and neither are nor
    repeat a summary sentence.
    A hook is no claim. When the summary opens on a line that is no claim (a standfirst, a
    hook), its first claim becomes the takeaway instead if it is a better claim than that
    one and another summary sentence partly says it again (similarity >= RESTATED); the
    summary goes on with its next best sentence, still opening on that line. A summary that
    opens on its claim keeps it;
    and when only the summary has a sentence that can be the takeaway, the summary gives up
    its best such claim (never its opening) and takes its next best sentence instead, so the
    takeaway is not left empty. Insights are the next claims,
    each distinct from everything chosen before. Any section may come out empty: no
    sentence is better than one an editor must delete.
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

    def repeats(i: int, chosen: list[int], threshold: float) -> bool:
        return similarity is not None and any(similarity[i, j] >= threshold for j in chosen)

    standalone = [
        i
        for i in range(len(candidates))
        if not_standalone(candidates[i].text) is None and needs_what_comes_before(text, candidates[i].start) is None
    ]
    about_title = _title_similarity(title, candidates)
    claim_scores = _claim_scores(ranking, about_title)
    # "As I sit in the kitchen …", "X has been the talk of the town lately": how the piece starts, not what it claims.
    claims = [i for i in best_first(claim_scores) if i in standalone and hook(candidates[i].text) is None]
    summary = _distinct(best_first(ranking.summary_scores), similarity, summary_sentences)

    subject = _content_words(title).union(*(_content_words(candidates[j].text) for j in summary))

    def on_the_subject(i: int) -> bool:
        # A takeaway shares a word with the title or the summary: "Last month a mob …" in a story
        # about something else is an aside, however central its words are to the page.
        return not subject or bool(_content_words(candidates[i].text) & subject)

    takeaway = next(
        (i for i in claims if i not in summary and not repeats(i, summary, REPEATS_SUMMARY) and on_the_subject(i)),
        None,
    )

    def refill_without(given: int) -> list[int]:
        """The summary without `given`, with its next best sentence instead, so it keeps its length."""
        rest = [i for i in summary if i != given]
        refill = next(
            (
                i
                for i in best_first(ranking.summary_scores)
                if i not in rest and i != given and not repeats(i, [*rest, given], REDUNDANCY)
            ),
            None,
        )
        return rest if refill is None else [*rest, refill]

    def opens_a_summary(i: int) -> bool:
        sentence = candidates[i]
        return (
            not_standalone(sentence.text) in OPENS_A_SUMMARY
            and not points_back(sentence.text)
            and needs_what_comes_before(text, sentence.start) is None
        )

    # A feed item or a newspaper page often opens on a standfirst or a hook; the summary's first claim after it is
    # the piece's main claim. When it is a better claim than any sentence outside and the summary partly says it
    # again, it goes to the takeaway, and the summary goes on with its next best sentence, still opening on a line
    # a reader can start with. A summary opening on its claim (a news lede) keeps it: on CNN/DM handing the lede
    # over took the summary below LEAD-3 (bench/REPORT.md).
    opening = min(summary)
    claim = next((i for i in sorted(summary) if i in claims), None)
    if (
        claim is not None
        and claim != opening
        and (takeaway is None or claim_scores[claim] > claim_scores[takeaway])
        and similarity is not None
        and max(similarity[claim, j] for j in summary if j != claim) >= RESTATED
    ):
        rest = refill_without(claim)
        if opens_a_summary(min(rest)):
            takeaway, summary = claim, rest
    if takeaway is None and len(summary) > 1:
        opening = min(summary)
        givable = [i for i in claims if i in summary and i != opening]
        if givable:
            takeaway = givable[0]
            summary = refill_without(takeaway)
    chosen = [*summary, *([takeaway] if takeaway is not None else [])]
    picked: list[int] = []
    for i in best_first(ranking.centrality):
        if len(picked) == insights:
            break
        if i in standalone and i not in chosen and not repeats(i, chosen + picked, REDUNDANCY):
            picked.append(i)
    return ExtractiveDraft(
        summary=[extract(i, ranking.summary_scores) for i in sorted(summary)],
        takeaway=extract(takeaway, claim_scores) if takeaway is not None else None,
        insights=[extract(i, ranking.centrality) for i in picked],
    )
