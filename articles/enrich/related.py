"""Related briefs: text similarity blended with shared taxonomy, top N kept as computed links.

Refreshing one brief scores it against the published briefs that share its telling words
(the TF-IDF index of related_index.py, kept up to date as briefs are published) and those
that share most of its taxonomy, never refitting over the library, and then, if the brief is published, offers it to the
briefs that now rank it among their top N, trimming their lists in two queries. A
curator's pinned and excluded links are never touched and never recomputed over.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Min, Window
from django.db.models.functions import RowNumber
from django.dispatch import Signal

from articles.enrich import related_index
from articles.enrich.related_index import CONTENT_CHARS, brief_text  # noqa: F401 (the bench reads them here)
from articles.models import Article, Field, RelatedLink, Status
from articles.models.briefs import taxonomy_links, taxonomy_table

# Sent (sender=Article, article=the brief) when a published brief's related lists changed through bulk
# queries, which send no post_save; the page cache listens.
published_related_changed = Signal()

CURATED = (RelatedLink.Kind.PINNED, RelatedLink.Kind.EXCLUDED)
TAXONOMY_CANDIDATES = 100  # briefs sharing the most fields and topics, scored even when their words differ


class TextIndex:
    """TF-IDF vectors of a set of texts fitted at once; `similarities(i)` is one row of the cosine matrix.

    The portal scores through related_index.py; this whole-set fit is the reference the
    bench (bench/related.py) compares the index with.
    """

    def __init__(self, texts: list[str]):
        from sklearn.feature_extraction.text import TfidfVectorizer  # heavy: loaded when a brief is related

        self.vectorizer = TfidfVectorizer(
            stop_words="english", sublinear_tf=True, min_df=1, max_df=0.5 if len(texts) > 20 else 1.0
        )
        try:
            self.matrix = self.vectorizer.fit_transform(texts)
        except ValueError:  # nothing but stop words or numbers anywhere
            self.matrix = None
        self.size = len(texts)

    def similarities(self, index: int) -> "np.ndarray":  # noqa: F821 (numpy loads with scikit-learn)
        import numpy as np

        if self.matrix is None:
            return np.zeros(self.size)
        row = (self.matrix @ self.matrix[index].T).toarray().ravel()
        row[index] = 0.0
        return row


def taxonomy_overlap(mine: set, theirs: set) -> float:
    if not mine or not theirs:
        return 0.0
    return len(mine & theirs) / len(mine | theirs)


def blend(text_score: float, taxonomy_score: float) -> float:
    weight = settings.ENRICH_RELATED_TAXONOMY_WEIGHT
    return (1 - weight) * text_score + weight * taxonomy_score


@dataclass(frozen=True)
class Neighbour:
    article_id: int
    score: float


def _taxonomy(article_ids: list[int]) -> dict[int, set]:
    """Field, area and topic keys of each brief, in one query whatever the number of briefs.

    Written in SQL from the models' metadata: the ORM took ten times longer to build this union
    than the database to run it (bench/REPORT.md, "Drafting speed", fifth pass).
    """
    keys: dict[int, set] = {pk: set() for pk in article_ids}
    if not article_ids:
        return keys
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(article_ids))
    fields, _pk, field_brief, field_entry = taxonomy_table("fields")
    topics, _pk, topic_brief, topic_entry = taxonomy_table("topics")
    field, parent = quote(Field._meta.db_table), quote(Field._meta.get_field("parent").column)
    sql = (
        f"SELECT {quote(field_brief)}, {quote(field_entry)}, {field}.{parent}, 0 FROM {quote(fields)} "
        f"INNER JOIN {field} ON {field}.{quote(Field._meta.pk.column)} = {quote(field_entry)} "
        f"WHERE {quote(field_brief)} IN ({marks}) "
        f"UNION ALL SELECT {quote(topic_brief)}, {quote(topic_entry)}, NULL, 1 FROM {quote(topics)} "
        f"WHERE {quote(topic_brief)} IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*article_ids, *article_ids])
        rows = cursor.fetchall()
    for article_id, entry_id, parent_id, is_topic in rows:
        if is_topic:
            keys[article_id].add(("topic", entry_id))
            continue
        keys[article_id].add(("field", entry_id))
        if parent_id:
            keys[article_id].add(("area", parent_id))
    return keys


def _taxonomy_candidates(article: Article, field_ids: list[int], topic_ids: list[int]) -> list[int]:
    """The published briefs sharing the most of `field_ids` and `topic_ids` (`article`'s own), in one query.

    A brief shares as many entries as it has links among those (a brief links an entry once): one
    count over the links of those entries. Counting distinct entries over the briefs joined to both
    lists made a row for every pair of a brief's links and, on SQLite, grouped whole rows.
    """
    if not field_ids or not topic_ids:
        # Only a brief with both fields and topics is given candidates, as before this query was written in SQL
        # (the ORM's filter on an empty list of ids returned no rows). Giving them to the 28 real feed pieces
        # drafted beside the demo library with fields and no topics added 7 links, by eye unrelated: a shared
        # field alone scores 0.1, above ENRICH_RELATED_MIN_SCORE (bench/REPORT.md, fifth pass).
        return []
    quote = connection.ops.quote_name
    parts, params = [], []
    for name, entry_ids in (("fields", field_ids), ("topics", topic_ids)):
        table, _pk, brief, entry = taxonomy_table(name)
        marks = ", ".join(["%s"] * len(entry_ids))
        parts.append(f"SELECT {quote(brief)} AS brief FROM {quote(table)} WHERE {quote(entry)} IN ({marks})")
        params += entry_ids
    # The published briefs' ids come from an index on the status (a join read every brief's row: on
    # SQLite the status sits behind the full text).
    published = (
        f"SELECT {quote(Article._meta.pk.column)} FROM {quote(Article._meta.db_table)} "
        f"WHERE {quote(Article._meta.get_field('status').column)} = %s"
    )
    sql = (
        f"SELECT shared.brief FROM ({' UNION ALL '.join(parts)}) shared "
        f"WHERE shared.brief IN ({published}) AND shared.brief <> %s "
        f"GROUP BY shared.brief ORDER BY COUNT(*) DESC, shared.brief LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, Status.PUBLISHED, article.pk, TAXONOMY_CANDIDATES])
        return [brief for (brief,) in cursor.fetchall()]


def neighbours(article: Article, *, links=None, counts=None, known=None) -> list[Neighbour]:
    """The published briefs related to `article`, best first: those scoring at least ENRICH_RELATED_MIN_SCORE.

    Below that score a brief shares little more than common words; a list of two related
    briefs is better than five with three unrelated ones (bench/related.py measures it).
    `links`: the brief's `taxonomy_links` rows when the caller has just read them (drafting); `counts` and
    `known`: its words and their vocabulary rows, when a drafting turn read them for all its pieces at once
    (`related_index.text_scores`).
    """
    links = taxonomy_links([article.pk]) if links is None else links
    field_ids = sorted(entry_id for name, _pk, _brief, entry_id in links if name == "fields")
    topic_ids = sorted(entry_id for name, _pk, _brief, entry_id in links if name == "topics")
    by_taxonomy = _taxonomy_candidates(article, field_ids, topic_ids)
    text_scores = related_index.text_scores(article, also=by_taxonomy, counts=counts, known=known)
    candidates = sorted(set(text_scores) | set(by_taxonomy))
    if not candidates:
        return []
    # The brief's own keys (its fields' areas included) in the same read as its candidates'.
    taxonomy = _taxonomy([*candidates, article.pk])
    scored = [
        Neighbour(pk, round(blend(text_scores.get(pk, 0.0), taxonomy_overlap(taxonomy[article.pk], taxonomy[pk])), 4))
        for pk in candidates
    ]
    minimum = settings.ENRICH_RELATED_MIN_SCORE
    return sorted((n for n in scored if n.score > 0 and n.score >= minimum), key=lambda n: (-n.score, n.article_id))


def refresh_related(*, article: Article, links=None) -> list[Neighbour]:
    """Recompute `article`'s computed related briefs (and offer it to others if published); return its new top N.

    `links`: the brief's `taxonomy_links` rows when the caller has just read them (drafting).
    """
    limit = settings.ENRICH_RELATED_COUNT
    ranked = neighbours(article, links=links)
    # Inside a draft's transaction no savepoint of its own: an error here undoes the whole draft anyway.
    with transaction.atomic(savepoint=False):
        links = RelatedLink.objects.filter(from_article=article).values_list("pk", "to_article_id", "kind")
        curated, computed = set(), {}
        for pk, to_article_id, kind in links:
            if kind in CURATED:
                curated.add(to_article_id)
            elif kind == RelatedLink.Kind.COMPUTED:
                computed[to_article_id] = pk
        top = [n for n in ranked if n.article_id not in curated][:limit]
        kept = {n.article_id for n in top}
        dropped = [pk for to_article_id, pk in computed.items() if to_article_id not in kept]
        if dropped:  # a first draft has no links yet: nothing to read again or delete
            RelatedLink.objects.filter(pk__in=dropped).delete()
        if top:
            RelatedLink.objects.bulk_create(
                [RelatedLink(from_article=article, to_article_id=n.article_id, score=n.score) for n in top],
                update_conflicts=True,
                unique_fields=["from_article", "to_article"],
                update_fields=["score"],
            )
        if article.status == Status.PUBLISHED:
            _offer_to_neighbours(article, ranked, limit)
            # bulk_create sends no post_save: readers' cached pages would keep the old lists.
            published_related_changed.send(sender=Article, article=article)
    return top


# Only the closest briefs are offered the newcomer: it keeps the query small, and a brief
# that ranks a newcomer lower than this has closer neighbours to show.
OFFER_TO = 500


def _offer_to_neighbours(article: Article, ranked: list[Neighbour], limit: int):
    by_id = {n.article_id: n.score for n in ranked[:OFFER_TO]}
    lists = {
        row["from_article"]: row
        for row in RelatedLink.objects.filter(from_article__in=by_id, kind=RelatedLink.Kind.COMPUTED)
        .values("from_article")
        .annotate(count=Count("pk"), lowest=Min("score"))
    }
    curated_by = set(
        RelatedLink.objects.filter(to_article=article, kind__in=CURATED).values_list("from_article_id", flat=True)
    )
    joining = [
        pk
        for pk, score in by_id.items()
        if pk not in curated_by and (pk not in lists or lists[pk]["count"] < limit or score > lists[pk]["lowest"])
    ]
    if not joining:
        return
    RelatedLink.objects.bulk_create(
        [RelatedLink(from_article_id=pk, to_article=article, score=by_id[pk]) for pk in joining],
        update_conflicts=True,
        unique_fields=["from_article", "to_article"],
        update_fields=["score"],
    )
    overflow = (
        RelatedLink.objects.filter(from_article__in=joining, kind=RelatedLink.Kind.COMPUTED)
        .annotate(rank=Window(RowNumber(), partition_by=F("from_article"), order_by=[F("score").desc(), F("pk")]))
        .filter(rank__gt=limit)
        .values_list("pk", flat=True)
    )
    RelatedLink.objects.filter(pk__in=list(overflow)).delete()


def withdraw_related(*, article: Article) -> list[int]:
    """Drop computed links to a brief that left publication; return the briefs whose lists need refilling."""
    related_index.remove(article)
    links = RelatedLink.objects.filter(to_article=article, kind=RelatedLink.Kind.COMPUTED)
    affected = list(links.values_list("from_article_id", flat=True))
    links.delete()
    return affected
