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

The summary needs only the rows' products with each other (`cosines`, `cosines_with_first`):
those are added up here in the order scipy's sparse product adds them (for each word of the first
row in its row order, the product of the two weights), so they are its numbers to the last bit,
without building a sparse matrix or loading scipy (a third of a second of a drafting process's
CPU, bench/REPORT.md, "Drafting speed", ninth pass).

The English stop words are scikit-learn's list, read from its module file: importing scikit-learn
itself takes a drafting process one to four seconds, and with nothing published only the list is
needed.
"""

import functools
import importlib.util
import itertools
import re
import sys
from pathlib import Path

TOKEN = re.compile(r"(?u)\b\w\w+\b")
# Where scikit-learn keeps the list, inside its package (the file holds nothing else and imports nothing).
_STOP_WORDS_FILE = ("feature_extraction", "_stop_words.py")


@functools.cache
def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words (`ENGLISH_STOP_WORDS`), without importing scikit-learn."""
    loaded = sys.modules.get("sklearn.feature_extraction._stop_words")
    if loaded is not None:
        return loaded.ENGLISH_STOP_WORDS
    package = importlib.util.find_spec("sklearn")  # finds the package folder, runs none of its code
    path = Path(package.submodule_search_locations[0], *_STOP_WORDS_FILE) if package else None
    if path is None or not path.is_file():  # a layout this does not know: the library's own import
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return ENGLISH_STOP_WORDS
    spec = importlib.util.spec_from_file_location("articles.enrich._sklearn_stop_words", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ENGLISH_STOP_WORDS


@functools.lru_cache(maxsize=4096)
def _counted(text: str) -> dict[str, int]:
    """How often `text` uses each counted word, the words in the order it first uses them (never changed: shared).

    The summary fits its sentences once alone and once with the title: each sentence is read once.
    """
    stop_words = english_stop_words()
    counts: dict[str, int] = {}
    for word in TOKEN.findall(text.lower()):
        if word not in stop_words:
            counts[word] = counts.get(word, 0) + 1
    return counts


def _weights(texts: list[str]):
    """(data, indices, indptr, vocabulary size) of the TF-IDF matrix of `texts`: scikit-learn's CSR layout."""
    import numpy as np

    vocabulary: dict[str, int] = {}  # word -> the order in which the texts first used it
    rows = []
    for text in texts:
        counts: dict[int, int] = {}
        for word, count in _counted(text).items():
            counts[vocabulary.setdefault(word, len(vocabulary))] = count
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
    # Each row's squares summed in row order, as scikit-learn's normalizer does: `np.add.at` adds the values given
    # for one place one after another, in the order given (unbuffered), so each row's sum is ((0 + a²) + b²) + ….
    # Every stored weight is positive (1 + log(count) >= 1 times an idf >= 1), so a row with a weight has squares.
    row_of = np.repeat(np.arange(len(texts)), np.diff(indptr))
    squares = np.zeros(len(texts))
    np.add.at(squares, row_of, data * data)
    data /= np.sqrt(squares)[row_of]
    return data, indices, indptr, len(vocabulary)


def tfidf_rows(texts: list[str]):
    """The sparse TF-IDF matrix of `texts` (one row each, length 1); ValueError when no word counts."""
    import numpy as np
    from scipy.sparse import csr_matrix

    data, indices, indptr, size = _weights(texts)
    return csr_matrix((data, indices, np.array(indptr, dtype=np.int32)), shape=(len(texts), size))


def _rows(texts: list[str]) -> list[list[tuple[int, float]]]:
    """Each text's (column, weight) pairs in its row order."""
    data, indices, indptr, _size = _weights(texts)
    pairs = list(zip(indices.tolist(), data.tolist(), strict=True))
    return [pairs[start:end] for start, end in itertools.pairwise(indptr)]


def cosines(texts: list[str]):
    """`(rows @ rows.T).toarray()` of `tfidf_rows(texts)`, the same numbers (a dense numpy array); ValueError as
    tfidf_rows.

    scipy's product (`csr_matmat`) walks each row's weights in row order and, for each, the weights of the same
    word in the other rows (the transposed matrix lists a word's rows in increasing order), adding weight × weight
    into that pair's sum from 0.0. Here the same products are listed in that same order, then added with
    `np.add.at`, which adds the values given for one place one after another in the order given: each pair's sum
    gets the same terms in the same order, so the same bits.
    """
    import numpy as np

    data, indices, indptr, size = _weights(texts)
    row_of = np.repeat(np.arange(len(texts)), np.diff(indptr))  # the row of each stored weight
    by_word = np.argsort(indices, kind="stable")  # stored weights by word, and by row within a word
    word_sizes = np.bincount(indices, minlength=size)  # how many rows use each word
    word_starts = np.cumsum(word_sizes) - word_sizes
    # For each stored weight in turn, every stored weight of its word (its own included), in row order.
    partners = word_sizes[indices]
    first = np.repeat(np.arange(len(indices)), partners)
    offsets = np.arange(len(first)) - np.repeat(np.cumsum(partners) - partners, partners)
    second = by_word[np.repeat(word_starts[indices], partners) + offsets]
    products = np.zeros((len(texts), len(texts)))
    np.add.at(products, (row_of[first], row_of[second]), data[first] * data[second])
    return products


def cosines_with_first(texts: list[str]) -> list[float]:
    """`(rows[1:] @ rows[0].T).toarray().ravel()` of `tfidf_rows(texts)`, the same numbers; ValueError as tfidf_rows."""
    first, *rest = _rows(texts)
    weights = dict(first)
    products = []
    for row in rest:
        total = 0.0
        for column, weight in row:
            other = weights.get(column)
            if other is not None:
                total += weight * other
        products.append(total)
    return products
