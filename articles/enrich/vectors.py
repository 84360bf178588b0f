"""TF-IDF rows of a handful of sentences, fitted on them alone, as often as drafting needs them.

scikit-learn's `TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)`,
computed by one vectorizer a thread that is fitted again on each call: a new vectorizer checked
its stop words and its parameters every time, which cost more than fitting a piece's sentences
(1.6 ms against 0.8 ms a call). The rows are the same numbers.
"""

import threading

_local = threading.local()


def tfidf_rows(texts: list[str]):
    """The sparse TF-IDF matrix of `texts` (one row each, length 1); ValueError when no word counts."""
    import sklearn
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = getattr(_local, "vectorizer", None)
    if vectorizer is None:
        vectorizer = _local.vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    # The parameters never change after the first call, which checks them.
    with sklearn.config_context(skip_parameter_validation=getattr(_local, "checked", False)):
        rows = vectorizer.fit_transform(texts)
    _local.checked = True
    return rows
