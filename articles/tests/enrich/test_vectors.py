import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from articles.enrich.summarize import _candidates
from articles.enrich.vectors import cosines, cosines_with_first, english_stop_words, tfidf_rows
from articles.tests.enrich.conftest import KNOWN_TEXT

ROOT = Path(__file__).resolve().parents[3]

# A long page of many similar sentences: 60 sentences sharing nine words, over 30,000 products to add.
LONG_PAGE = [
    f"The harbour cranes moved {n * 7} containers past the quay while the port authority counted {n} ships."
    for n in range(60)
]
TEXT_SETS = [
    [s.text for s in _candidates(KNOWN_TEXT)],
    ["Moving orders from batch jobs to an event stream", *(s.text for s in _candidates(KNOWN_TEXT))],
    ["Größenordnung naïve café: CAFÉ straße", "Ελλάδα and Ελλάδα again", "x 1 22 333 state-of-the-art"],
    ["zeta alpha beta alpha", "beta gamma", "", "the and of"],
    LONG_PAGE,
]


@pytest.mark.parametrize(
    "texts", TEXT_SETS, ids=["sentences", "title-and-sentences", "alphabets", "edge-cases", "long-page"]
)
def test_tf_idf_rows_are_scikit_learns_to_the_last_bit(texts):
    expected = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)

    rows = tfidf_rows(texts)

    assert type(rows) is type(expected) and rows.shape == expected.shape
    # The same layout (a row's words in first-use order), so products over the rows add in the same order.
    assert np.array_equal(rows.indptr, expected.indptr) and np.array_equal(rows.indices, expected.indices)
    assert np.array_equal(rows.data, expected.data)
    assert np.array_equal((rows @ rows.T).toarray(), (expected @ expected.T).toarray())


def test_texts_without_a_counted_word_are_refused_as_scikit_learn_refuses_them():
    with pytest.raises(ValueError, match="empty vocabulary"):
        tfidf_rows(["the and of", "a"])


@pytest.mark.parametrize(
    "texts", [*TEXT_SETS[:3], LONG_PAGE], ids=["sentences", "title-and-sentences", "alphabets", "long-page"]
)
def test_sentence_similarities_are_the_sparse_products_to_the_last_bit(texts):
    rows = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)

    assert np.array_equal(np.array(cosines(texts)), (rows @ rows.T).toarray())
    assert np.array_equal(np.array(cosines_with_first(texts)), (rows[1:] @ rows[0].T).toarray().ravel())


def test_the_stop_words_are_scikit_learns_list():
    assert english_stop_words() == ENGLISH_STOP_WORDS
    assert {"the", "and", "whereafter"} <= english_stop_words() and "harbour" not in english_stop_words()


DRAFT_WITHOUT_A_LIBRARY = """
import sys, django
django.setup()
from articles.enrich import classify, clusters, related_index, summarize
from articles.enrich.keyphrases import keyphrases
from articles.models import Article
KNOWN_TEXT = open(sys.argv[1], encoding="utf-8").read()
brief = Article(title="Moving orders to an event stream", content_text=KNOWN_TEXT)
assert summarize.extractive_draft(KNOWN_TEXT, title=brief.title).summary
assert summarize.extractive_draft(sys.argv[2]).summary
assert keyphrases(KNOWN_TEXT) and classify.readability_grade(KNOWN_TEXT)
assert clusters.Fingerprint.of(brief).band_keys() and related_index.term_counts(brief)
print(" ".join(sorted(name for name in sys.modules if name.split(".")[0] in ("sklearn", "scipy"))))
"""


def test_drafting_a_feed_posts_text_loads_neither_scikit_learn_nor_scipy():
    # Loading scikit-learn took a drafting process 1.5 to 4 s; with nothing published only its stop words are needed.
    # A long page of many similar sentences, whose similarities once went to scipy's sparse product, loads neither.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "SECRET_KEY": "test-only-key"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            DRAFT_WITHOUT_A_LIBRARY,
            str(Path(__file__).with_name("known_article.txt")),
            " ".join(LONG_PAGE),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == ""
