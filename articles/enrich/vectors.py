"""TF-IDF rows of a handful of sentences, fitted on them alone, as often as drafting needs them.

The numbers of scikit-learn's `TfidfVectorizer(stop_words="english", sublinear_tf=True)
.fit_transform(texts)`, to the last bit and in the same sparse layout (the summary's sentence
choice compares them, so a last-bit difference could change a draft), computed here without
the vectorizer's machinery: on a feed post's few dozen sentences that machinery (input checks,
vocabulary pruning, column slicing) cost several times the counting itself (bench/REPORT.md,
"Drafting speed", third pass). `test_tf_idf_rows_are_scikit_learns_to_the_last_bit` holds the
two together.

The steps are scikit-learn's: words of two or more letters or digits (`\\b\\w\\w+\\b`) of the
lower-cased text, English stop words dropped; columns in alphabetical order of the words, and
within a row the words in the order the texts first used them; term frequency 1 + log(count);
inverse document frequency 1 + log((1 + texts) / (1 + texts with the word)); each row divided by
its length, the squares summed in that row order.
"""

import itertools
import math
import re

TOKEN = re.compile(r"(?u)\b\w\w+\b")


def tfidf_rows(texts: list[str]):
    """The sparse TF-IDF matrix of `texts` (one row each, length 1); ValueError when no word counts."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    vocabulary: dict[str, int] = {}  # word -> the order in which the texts first used it
    rows = []
    for text in texts:
        counts: dict[int, int] = {}
        for word in TOKEN.findall(text.lower()):
            if word in ENGLISH_STOP_WORDS:
                continue
            first_use = vocabulary.setdefault(word, len(vocabulary))
            counts[first_use] = counts.get(first_use, 0) + 1
        rows.append(counts)
    if not vocabulary:
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    column = np.empty(len(vocabulary), dtype=np.int32)
    for position, word in enumerate(sorted(vocabulary)):
        column[vocabulary[word]] = position
    indptr, first_uses, counts_in_order = [0], [], []
    for counts in rows:
        for first_use in sorted(counts):
            first_uses.append(first_use)
            counts_in_order.append(counts[first_use])
        indptr.append(len(first_uses))
    indices = column[np.array(first_uses, dtype=np.int64)]
    texts_with = np.bincount(indices, minlength=len(vocabulary)).astype(np.float64)
    texts_with += 1.0
    idf = np.full_like(texts_with, fill_value=len(texts) + 1, dtype=np.float64)
    idf /= texts_with
    np.log(idf, out=idf)
    idf += 1.0
    data = np.array(counts_in_order, dtype=np.float64)
    np.log(data, data)
    data += 1.0
    data *= idf[indices]
    for start, end in itertools.pairwise(indptr):
        squares = 0.0
        for value in data[start:end].tolist():  # summed in row order, as scikit-learn's normalizer does
            squares += value * value
        if squares:
            data[start:end] /= math.sqrt(squares)
    return csr_matrix((data, indices, np.array(indptr, dtype=np.int32)), shape=(len(texts), len(vocabulary)))
