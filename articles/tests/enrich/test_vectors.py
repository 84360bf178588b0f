import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from articles.enrich.summarize import _candidates
from articles.enrich.vectors import tfidf_rows
from articles.tests.enrich.conftest import KNOWN_TEXT

TEXT_SETS = [
    [s.text for s in _candidates(KNOWN_TEXT)],
    ["Moving orders from batch jobs to an event stream", *(s.text for s in _candidates(KNOWN_TEXT))],
    ["Größenordnung naïve café: CAFÉ straße", "Ελλάδα and Ελλάδα again", "x 1 22 333 state-of-the-art"],
    ["zeta alpha beta alpha", "beta gamma", "", "the and of"],
]


@pytest.mark.parametrize("texts", TEXT_SETS, ids=["sentences", "title-and-sentences", "alphabets", "edge-cases"])
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
