"""The related-briefs index: TF-IDF kept up to date one brief at a time, never refitted over the library.

Each published brief's POSTINGS_PER_BRIEF most weighted words are stored with their weights
(`RelatedPosting`: sublinear term frequency times smoothed inverse document frequency, the
brief's vector of length 1, as scikit-learn's TfidfVectorizer weighs them); the vocabulary
keeps how many published briefs use each word (`RelatedTerm`; its empty word counts the
briefs) and `RelatedDocument` the words each brief was counted under. Publishing or editing a
published brief replaces its own postings and moves the counts of the words it gained or lost;
unpublishing or deleting it takes them back. Scoring a brief reads the counts of its own words,
picks the briefs that weigh its most telling words highest, and scores those exactly on all
its words: a fixed number of queries, and rows bounded by CANDIDATES, whatever the library's size.

A stored weight keeps the document counts of the moment its brief was indexed; as the library
grows they drift slowly. `manage.py index_drafting` reweighs every brief with today's counts.
Safe to run twice: refreshing a brief whose words did not change rewrites the same rows.
"""

import math
from collections import Counter

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models import F

from articles.enrich.vectors import TOKEN, english_stop_words
from articles.models import Article, RelatedDocument, RelatedPosting, RelatedTerm, Status

# The original's text is long; its opening carries the subject, the rest mostly noise.
CONTENT_CHARS = 6000
EVERY_BRIEF = ""  # the vocabulary row whose count is the number of indexed briefs
MAX_TERM_LENGTH = 64
MAX_DF = 0.5  # words in more than half the briefs say nothing about relatedness (above MAX_DF_FROM briefs)
MAX_DF_FROM = 20
TOP_TERMS = 40  # a brief's most telling words choose the candidates (by their summed weight there)
CANDIDATES = 300
# A brief's lightest words add little to any similarity; keeping the heaviest bounds the index
# (bench/related.py: precision@5 0.890 with 150 kept, 0.885 with all, on briefs of ~140 words).
POSTINGS_PER_BRIEF = 150


def brief_text(article) -> str:
    parts = [article.title, article.title, article.summary, article.takeaway, *(article.insights or [])]
    parts.append((article.content_text or "")[:CONTENT_CHARS])
    return "\n".join(part for part in parts if isinstance(part, str) and part)


def term_counts(article) -> Counter:
    """The words TfidfVectorizer(stop_words="english") would count in the brief (its analyzer's steps:
    lower case, `vectors.TOKEN`, stop words dropped), without loading scikit-learn."""
    stop_words = english_stop_words()
    return Counter(
        term
        for term in TOKEN.findall(brief_text(article).lower())
        if len(term) <= MAX_TERM_LENGTH and term not in stop_words
    )


def idf(documents_with_term: int, documents: int) -> float:
    """scikit-learn's smoothed inverse document frequency."""
    return math.log((1 + documents) / (1 + documents_with_term)) + 1


def weigh(counts: Counter, document_counts: dict[str, int], documents: int) -> dict[str, float]:
    """The brief's TF-IDF vector, of length 1 over the words rare enough to count (MAX_DF).

    `document_counts` and `documents` include the brief itself. Words too common to count keep a
    weight (the library may change) but do not take part in the length.
    """
    raw = {term: (1 + math.log(tf)) * idf(document_counts.get(term, 1), documents) for term, tf in counts.items()}
    limit = MAX_DF * documents if documents > MAX_DF_FROM else documents
    norm = math.sqrt(sum(w * w for term, w in raw.items() if document_counts.get(term, 1) <= limit)) or 1.0
    return {term: w / norm for term, w in raw.items()}


def heaviest(weights: dict[str, float]) -> dict[str, float]:
    """The POSTINGS_PER_BRIEF words of a brief that are stored (ties broken by the word, so runs agree)."""
    kept = sorted(weights, key=lambda term: (-weights[term], term))[:POSTINGS_PER_BRIEF]
    return {term: weights[term] for term in kept}


# --- Keeping the index in step ------------------------------------------------------------


def refresh(article: Article) -> None:
    """Index `article` as it is now if it is published, else take it out of the index (in its own database)."""
    if article.status != Status.PUBLISHED:
        remove(article)
        return
    db = article._state.db or DEFAULT_DB_ALIAS
    counts = term_counts(article)
    with transaction.atomic(using=db):
        document = RelatedDocument.objects.using(db).select_for_update().filter(article_id=article.pk).first()
        old = set(document.terms) if document else set()
        wanted = set(counts) | {EVERY_BRIEF}
        added = wanted - old
        RelatedTerm.objects.using(db).bulk_create(
            [RelatedTerm(term=term) for term in added], ignore_conflicts=True, batch_size=1000
        )
        _move_counts(db, added, +1)
        _move_counts(db, old - wanted, -1)
        rows = RelatedTerm.objects.using(db).filter(term__in=wanted).values_list("term", "pk", "documents")
        terms = {term: (pk, n) for term, pk, n in rows}
        weights = heaviest(weigh(counts, {t: n for t, (_pk, n) in terms.items()}, terms[EVERY_BRIEF][1]))
        RelatedDocument.objects.using(db).update_or_create(article_id=article.pk, defaults={"terms": sorted(wanted)})
        RelatedPosting.objects.using(db).filter(article_id=article.pk).delete()
        RelatedPosting.objects.using(db).bulk_create(
            [RelatedPosting(article_id=article.pk, term_id=terms[t][0], weight=w) for t, w in weights.items()],
            batch_size=1000,
        )


def remove(article: Article) -> None:
    """Take `article` out of the index (a no-op, one query, if it is not in it)."""
    db = article._state.db or DEFAULT_DB_ALIAS
    with transaction.atomic(using=db):
        document = RelatedDocument.objects.using(db).select_for_update().filter(article_id=article.pk).first()
        if document is None:
            return
        _move_counts(db, set(document.terms), -1)
        RelatedPosting.objects.using(db).filter(article_id=article.pk).delete()
        document.delete(using=db)


def _move_counts(db: str, terms: set[str], step: int) -> None:
    if not terms:
        return
    chosen = RelatedTerm.objects.using(db).filter(term__in=terms)
    # Rows locked in one order: two briefs published at once cannot deadlock on shared words.
    list(chosen.order_by("pk").select_for_update().values_list("pk"))
    chosen.update(documents=F("documents") + step)


def rebuild(
    *,
    batch: int = 500,
    article_model=Article,
    term_model=RelatedTerm,
    document_model=RelatedDocument,
    posting_model=RelatedPosting,
) -> int:
    """Index every published brief again with today's document counts; return how many were indexed.

    Two passes over the published briefs (counting, then weighing), `batch` at a time in memory.
    The models are parameters so a data migration can pass its historical ones.
    """
    published = article_model.objects.filter(status=Status.PUBLISHED).order_by("pk")
    fields = ("pk", "title", "summary", "takeaway", "insights", "content_text")
    document_counts: Counter = Counter()
    documents = 0
    for brief in published.only(*fields).iterator(chunk_size=batch):
        document_counts.update(term_counts(brief).keys())
        documents += 1
    document_counts[EVERY_BRIEF] = documents
    with transaction.atomic():
        posting_model.objects.all().delete()
        document_model.objects.all().delete()
        term_model.objects.all().delete()
        if not documents:
            return 0  # an empty library leaves the index empty (a fresh database holds no rows)
        term_model.objects.bulk_create(
            [term_model(term=t, documents=n) for t, n in document_counts.items()], batch_size=2000
        )
        term_ids = dict(term_model.objects.values_list("term", "pk"))
        rows, documents_rows = [], []
        for brief in published.only(*fields).iterator(chunk_size=batch):
            counts = term_counts(brief)
            documents_rows.append(document_model(article_id=brief.pk, terms=sorted({*counts, EVERY_BRIEF})))
            for term, weight in heaviest(weigh(counts, document_counts, documents)).items():
                rows.append(posting_model(article_id=brief.pk, term_id=term_ids[term], weight=weight))
            if len(rows) >= 5000:
                posting_model.objects.bulk_create(rows, batch_size=5000)
                document_model.objects.bulk_create(documents_rows, batch_size=1000)
                rows, documents_rows = [], []
        posting_model.objects.bulk_create(rows, batch_size=5000)
        document_model.objects.bulk_create(documents_rows, batch_size=1000)
    return documents


# --- Scoring ------------------------------------------------------------------------------


# Terms looked up in one query: a turn's pieces may have tens of thousands, beyond what one statement takes.
VOCABULARY_CHUNK = 5000


def vocabulary(terms) -> dict[str, tuple[int, int]]:
    """{term: (id, documents)} of the indexed terms among `terms`, and of EVERY_BRIEF: one query (per 5,000 terms).

    The query `RelatedTerm.objects.filter(term__in=…).values_list("term", "pk", "documents")` makes, written from
    the model's metadata: the ORM prepared each of a turn's thousands of words one by one, which took longer than
    the database's answer (cProfile of `enrich --ingested`: bench/REPORT.md, "Eighth pass")."""
    wanted = sorted({*terms, EVERY_BRIEF})
    connection = connections[router.db_for_read(RelatedTerm)]
    quote = connection.ops.quote_name
    meta = RelatedTerm._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("term", "id", "documents"))
    known = {}
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), VOCABULARY_CHUNK):
            chunk = wanted[start : start + VOCABULARY_CHUNK]
            cursor.execute(
                f"SELECT {columns} FROM {quote(meta.db_table)} "
                f"WHERE {quote(meta.get_field('term').column)} IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            known.update({term: (pk, documents) for term, pk, documents in cursor.fetchall()})
    return known


def text_scores(
    article: Article, *, also: list[int] = (), counts: Counter | None = None, known: dict | None = None
) -> dict[int, float]:
    """Cosine similarity of `article` with the published briefs that share its telling words (and `also`).

    Three queries' worth of reads at most: the counts of its words, then the postings of the
    candidates on all its words. Briefs absent from the result share no counted word with it.
    A drafting turn passes its pieces' `counts` (`term_counts`) and the `vocabulary` of all their
    words, read once for the turn.
    """
    counts = term_counts(article) if counts is None else counts
    if not counts:
        return {}
    in_index = article.status == Status.PUBLISHED  # a published brief is counted in the vocabulary itself
    known = vocabulary(counts) if known is None else known
    others = known.get(EVERY_BRIEF, (None, 0))[1] - in_index
    if others <= 0:
        return {}
    documents = others + 1  # the library as scikit-learn would see it: the others and this brief
    document_counts = {term: known.get(term, (None, in_index))[1] - in_index + 1 for term in counts}
    weights = weigh(counts, document_counts, documents)
    limit = MAX_DF * documents if documents > MAX_DF_FROM else documents
    query = {
        known[term][0]: weight
        for term, weight in weights.items()
        if term in known and document_counts[term] > 1 and document_counts[term] <= limit
    }
    if not query:
        return {}
    telling = sorted(query, key=lambda pk: -query[pk])[:TOP_TERMS]
    scores: dict[int, float] = {}
    # (The rows come in the database's order, as before: the same statement, so the same sums to the last bit.)
    for article_id, term_id, weight in _postings(article.pk, telling, list(query), list(also)):
        scores[article_id] = scores.get(article_id, 0.0) + query[term_id] * weight
    return scores


def _postings(article_pk: int, telling: list[int], terms: list[int], also: list[int]) -> list[tuple]:
    """(brief, term, weight) of the postings on `terms` of the CANDIDATES published briefs weighing the `telling` terms
    highest, and of the briefs `also`, but `article_pk`'s.

    The statement this queryset makes, written from the models' metadata (the ORM prepared each of the hundreds of
    term ids one by one, which took longer than the database's answer: bench/REPORT.md, "Eleventh pass"):

        closest = (RelatedPosting.objects.filter(term_id__in=telling, article__status=Status.PUBLISHED)
                   .exclude(article_id=article_pk).values("article_id").annotate(partial=Sum("weight"))
                   .order_by("-partial", "article_id").values("article_id")[:CANDIDATES])
        chosen = Q(article_id__in=Subquery(closest)) | Q(article_id__in=also)  # (the second only with `also`)
        RelatedPosting.objects.filter(chosen, term_id__in=terms).exclude(article_id=article_pk)
            .values_list("article_id", "term_id", "weight")

    `test_related_index`'s test compares the two statements, text and parameters, on the database it runs on.
    """
    connection = connections[router.db_for_read(RelatedPosting)]
    quote = connection.ops.quote_name
    meta, brief_meta = RelatedPosting._meta, Article._meta
    table = quote(meta.db_table)
    brief, term, weight = (quote(meta.get_field(name).column) for name in ("article", "term", "weight"))
    names = [quote(name) for name in ("article_id", "term_id", "weight")]

    def marks(values) -> str:
        return ", ".join(["%s"] * len(values))

    closest = (
        f"SELECT U0.{brief} AS {names[0]} FROM {table} U0 INNER JOIN {quote(brief_meta.db_table)} U1 "
        f"ON (U0.{brief} = U1.{quote(brief_meta.pk.column)}) "
        f"WHERE (U1.{quote(brief_meta.get_field('status').column)} = %s AND U0.{term} IN ({marks(telling)}) "
        f"AND NOT (U0.{brief} = %s)) GROUP BY 1 ORDER BY SUM(U0.{weight}) DESC, 1 ASC LIMIT {CANDIDATES}"
    )
    chosen = f"{table}.{brief} IN ({closest})"
    params = [Status.PUBLISHED, *telling, article_pk]
    if also:
        chosen = f"({chosen} OR {table}.{brief} IN ({marks(also)}))"
        params += also
    sql = (
        f"SELECT {table}.{brief} AS {names[0]}, {table}.{term} AS {names[1]}, {table}.{weight} AS {names[2]} "
        f"FROM {table} WHERE ({chosen} AND {table}.{term} IN ({marks(terms)}) AND NOT ({table}.{brief} = %s))"
    )
    params += [*terms, article_pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
