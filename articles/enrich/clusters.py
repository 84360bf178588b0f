"""Story clusters: the same story from several sources, grouped so the queue shows it once.

Two pieces are the same story when their titles match once case, punctuation and quotes
are ignored, or when their texts share most of their 5-word sequences. Only pieces from
other sources ingested within ENRICH_CLUSTER_WINDOW_DAYS are compared, and only those the
story index names: each piece's title words and opening shingles are summarised by MinHash
signatures whose bands are stored as `StoryKey` rows, so a new piece finds the pieces that
share a band by an indexed lookup of its own keys, and the exact comparison runs on those few.
Bands are sized so that pieces over the match thresholds share a band all but certainly (see
TEXT_BANDS); the cost of clustering one piece depends on how many pieces tell its story, not
on the library or the window. A piece joins the index when it is clustered, or when a piece
in its window is clustered before it (the partial index on `story_indexed` finds those).
The lead (the brief the queue shows) is the earliest piece until an editor picks another.
"""

import functools
import hashlib
import random
import re
import threading
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F, Min, OuterRef, Q, Subquery
from django.db.models.expressions import Col
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.utils import timezone

from articles import workflow
from articles.enrich.text import shingles, words
from articles.models import QUEUE_STATUSES, Article, Source, Status, StoryCluster, StoryKey
from articles.models.base import insert_values

# Sent (sender=StoryCluster, cluster=…) when a story with a published brief gained or merged members
# through update(), which sends no post_save; the page cache listens ("Also reported by").
published_story_changed = Signal()

TEXT_SHINGLE = 5
TEXT_WORDS = 400  # the opening of a piece identifies it; syndicated copies differ in their tails
TEXT_MATCH = 0.6
TITLE_MATCH = 0.85
MIN_TITLE_WORDS = 3
MIN_SHINGLES = 10  # very short texts ("Link.") match by accident; they need the title
# MinHash bands: pieces share a band with probability 1 - (1 - J**rows)**bands for Jaccard J.
# Texts at TEXT_MATCH (0.6) share one of 20 bands of 3 with probability 0.992, at 0.7 0.9998;
# titles at TITLE_MATCH (0.85) one of 12 bands of 4 with probability 0.9999. Unrelated pieces
# (J below 0.1) almost never do, so the exact comparison sees only likely matches.
TEXT_BANDS, TEXT_ROWS = 20, 3
TITLE_BANDS, TITLE_ROWS = 12, 4
_PRIME = (1 << 31) - 1
# Fixed forever: the stored keys were made with them (changing them needs `manage.py index_drafting`).
_rng = random.Random("distillery-story-minhash")
_HASHES = [(_rng.randrange(1, _PRIME), _rng.randrange(0, _PRIME)) for _ in range(TEXT_BANDS * TEXT_ROWS)]
CATCH_UP_BATCH = 500
# Band keys remembered per process (a catch-up's pieces are drafted next): at most a few hundred KB.
RECENT_KEYS = 2 * CATCH_UP_BATCH
_recent_keys: dict[bytes, frozenset[int]] = {}
_recent_lock = threading.Lock()


def title_key(title: str) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFKD", title).casefold()
    return tuple(re.findall(r"[^\W_]+", folded))


def text_shingles(text: str) -> set[tuple[str, ...]]:
    return set(shingles(words(text, limit=TEXT_WORDS), TEXT_SHINGLE))


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class Fingerprint:
    """A piece's title words and opening shingles, computed once however many pieces it is compared with."""

    def __init__(self, title: str, text: str):
        self.title = title_key(title or "")
        self.title_words = set(self.title)
        self._title_text = title or ""
        self._text = text or ""

    @functools.cached_property
    def _digest(self) -> bytes:
        """What the remembered keys are found by: made when keys are asked for (a candidate compared needs none)."""
        return hashlib.blake2b(f"{self._title_text}\0{self._text}".encode(), digest_size=16).digest()

    @functools.cached_property
    def shingles(self) -> set[tuple[str, ...]]:
        """Made when first compared or keyed: a piece a catch-up indexed has its keys remembered, and most pieces
        of a turn are compared with none."""
        return text_shingles(self._text)

    @classmethod
    def of(cls, article: Article) -> "Fingerprint":
        return cls(article.title, article.content_text)

    def same_story(self, other: "Fingerprint") -> bool:
        long_enough = min(len(self.title), len(other.title)) >= MIN_TITLE_WORDS
        if long_enough and (self.title == other.title or _jaccard(self.title_words, other.title_words) >= TITLE_MATCH):
            return True
        if min(len(self.shingles), len(other.shingles)) < MIN_SHINGLES:
            return False
        return _jaccard(self.shingles, other.shingles) >= TEXT_MATCH

    def band_keys(self) -> set[int]:
        """The LSH band keys of the title (when long enough to match) and of the text (when long enough).

        A piece indexed by a catch-up is drafted soon after in the same process: its keys are
        remembered by its title and text (RECENT_KEYS pieces), not computed twice.
        """
        with _recent_lock:
            known = _recent_keys.get(self._digest)
        if known is not None:
            return set(known)
        keys = self._compute_band_keys()
        with _recent_lock:
            _recent_keys[self._digest] = frozenset(keys)
            while len(_recent_keys) > RECENT_KEYS:
                del _recent_keys[next(iter(_recent_keys))]  # the oldest
        return keys

    def _compute_band_keys(self) -> set[int]:
        keys = set()
        if len(self.title) >= MIN_TITLE_WORDS:
            keys |= _band_keys("title", self.title_words, TITLE_BANDS, TITLE_ROWS)
        if len(self.shingles) >= MIN_SHINGLES:
            keys |= _band_keys("text", {" ".join(shingle) for shingle in self.shingles}, TEXT_BANDS, TEXT_ROWS)
        return keys


def _stable_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


@functools.cache
def _coefficients(count: int):
    """The first `count` hash functions' (a, b), as two arrays of unsigned 64-bit integers."""
    import numpy as np  # loaded with scikit-learn by the drafting anyway

    return tuple(np.array(column[:count], dtype=np.uint64) for column in zip(*_HASHES, strict=True))


def _band_keys(kind: str, items: set[str], bands: int, rows: int) -> set[int]:
    import numpy as np

    # Each item's `_stable_hash` modulo the prime: its 8-byte digests read as big-endian unsigned integers at once.
    digests = b"".join([hashlib.blake2b(item.encode(), digest_size=8).digest() for item in items])
    values = np.frombuffer(digests, dtype=">u8").astype(np.uint64) % np.uint64(_PRIME)
    a, b = _coefficients(bands * rows)
    # (a·x + b) mod p stays below 2**64: a, b and x are all below 2**31.
    signature = ((a[:, None] * values[None, :] + b[:, None]) % np.uint64(_PRIME)).min(axis=1).tolist()
    keys = set()
    for band in range(bands):
        row = ",".join(map(str, signature[band * rows : (band + 1) * rows]))
        digest = hashlib.blake2b(f"{kind}:{band}:{row}".encode(), digest_size=8).digest()
        keys.add(int.from_bytes(digest, "big", signed=True))
    return keys


def same_story(a: Article, b: Article) -> bool:
    return Fingerprint.of(a).same_story(Fingerprint.of(b))


def _window(article: Article) -> dict:
    window = timedelta(days=settings.ENRICH_CLUSTER_WINDOW_DAYS)
    return {"created_at__gte": article.created_at - window, "created_at__lte": article.created_at + window}


def index_story_keys(articles, *, replace: bool) -> int:
    """Store the story keys of `articles` (pieces with pk, title, content_text) and mark them indexed.

    `replace` drops keys stored before (their text may have changed); without it a second run adds
    nothing (the unique constraint). Three queries whatever the number of pieces.
    """
    return _store_keys({article: Fingerprint.of(article).band_keys() for article in articles}, replace=replace)


def _store_keys(keys_of: dict[Article, set[int]], *, replace: bool) -> int:
    if not keys_of:
        return 0
    ids = [article.pk for article in keys_of]
    wanted = {(article.pk, key) for article, keys in keys_of.items() for key in keys}
    if replace:
        # Only the difference is written: a piece whose text did not change since it was indexed
        # (a catch-up indexed it before its draft, or it is drafted again) costs one read.
        stored = {
            (a, k): pk
            for pk, a, k in StoryKey.objects.filter(article_id__in=ids).values_list("pk", "article_id", "key")
        }
        stale = [pk for pair, pk in stored.items() if pair not in wanted]
        if stale:
            StoryKey.objects.filter(pk__in=stale).delete()
        missing = wanted - stored.keys()
    else:
        missing = wanted
    insert_values(StoryKey, ["article", "key"], sorted(missing), ignore_conflicts=True)
    if not all(article.story_indexed for article in keys_of):  # a piece drafted again is marked already
        Article.objects.filter(pk__in=ids).update(story_indexed=True)
    for article in keys_of:
        article.story_indexed = True
    return len(wanted)


def catch_up(articles) -> int:
    """Index the never-clustered pieces in the windows of `articles`; returns how many were indexed.

    Those pieces are stored and not drafted yet: indexed, the drafts of `articles` find them by
    their keys. Call it before the drafts' transaction opens. Each batch is a transaction of its
    own and takes only the rows nobody holds (SKIP LOCKED, on PostgreSQL): a piece locked right
    now is being drafted (its draft stores its keys) or indexed by another catch-up. A catch-up
    therefore never waits for a lock, and drafting turns of different sources, each indexing the
    others' waiting pieces, cannot deadlock on them. Nothing waiting costs one query.
    """
    if not articles:
        return 0
    window = timedelta(days=settings.ENRICH_CLUSTER_WINDOW_DAYS)
    waiting = (
        Article.objects.filter(
            story_indexed=False,
            created_at__gte=min(article.created_at for article in articles) - window,
            created_at__lte=max(article.created_at for article in articles) + window,
        )
        .exclude(pk__in=[article.pk for article in articles])
        .order_by("pk")
    )
    indexed, after = 0, 0
    while ids := list(waiting.filter(pk__gt=after).values_list("pk", flat=True)[:CATCH_UP_BATCH]):
        after = ids[-1]
        with transaction.atomic():
            free = Article.objects.select_for_update(skip_locked=True, no_key=True).filter(
                pk__in=ids, story_indexed=False
            )
            batch = list(free.only("pk", "title", "content_text"))
            index_story_keys(batch, replace=False)
        indexed += len(batch)
        if len(ids) < CATCH_UP_BATCH:
            break  # that was the last of them
    return indexed


def candidates_for(article: Article, keys: set[int] | None = None):
    """Pieces of other sources in the window that share a story key with `article`."""
    keys = Fingerprint.of(article).band_keys() if keys is None else keys
    return (
        Article.objects.filter(pk__in=StoryKey.objects.filter(key__in=keys).values("article_id"))
        .exclude(pk=article.pk)
        .exclude(source_id=article.source_id)
        .filter(**_window(article))
        .only("pk", "title", "content_text", "source_id", "story_cluster_id", "created_at")
        .order_by("-created_at")
    )


def assign_story_cluster(*, article: Article, caught_up: bool = False) -> StoryCluster | None:
    """Put `article` in the story cluster of its near-duplicates from other sources (made if needed).

    Its near-duplicates still waiting to be drafted are found once `catch_up` has indexed them;
    drafting does that before its transaction opens (`caught_up`), so its locks are not held long.
    """
    fingerprint = Fingerprint.of(article)
    keys = fingerprint.band_keys()
    if not caught_up:
        catch_up([article])
    # A piece drafted again may have new text: its old keys go (a first draft has none to drop).
    _store_keys({article: keys}, replace=article.story_indexed)
    if not keys:
        return None
    matches = [c for c in candidates_for(article, keys) if fingerprint.same_story(Fingerprint.of(c))]
    if not matches:
        return None
    with transaction.atomic():
        # In one order for every worker, and FOR NO KEY UPDATE: rows elsewhere may still refer to them meanwhile.
        members = list(
            Article.objects.select_for_update(no_key=True)
            .filter(pk__in=[article.pk, *(m.pk for m in matches)])
            .order_by("pk")
        )
        cluster_ids = sorted({m.story_cluster_id for m in members if m.story_cluster_id})
        if cluster_ids:
            cluster = StoryCluster.objects.get(pk=cluster_ids[0])
            # Two clusters the new piece bridges become one.
            Article.objects.filter(story_cluster_id__in=cluster_ids[1:]).update(story_cluster=cluster)
            StoryCluster.objects.filter(pk__in=cluster_ids[1:]).delete()
        else:
            cluster = StoryCluster.objects.create()
        Article.objects.filter(pk__in=[m.pk for m in members]).update(story_cluster=cluster)
        article.story_cluster = cluster
        if cluster.lead_id is None:
            cluster.lead = min(cluster.articles.all(), key=lambda m: (m.created_at, m.pk))
            cluster.save(update_fields=["lead", "updated_at"])
        if cluster.articles.filter(status=Status.PUBLISHED).exists():
            # update() sends no post_save: a published brief's cached "Also reported by" would stay old.
            published_story_changed.send(sender=StoryCluster, cluster=cluster)
    return cluster


def set_story_lead(*, cluster: StoryCluster, article: Article, actor) -> StoryCluster:
    """An editor picks which brief stands for the story; the others are named as its other sources.

    Refusals are `workflow.EditRefused`: choosing the lead is an edit the rule for edits gives to editors.
    """
    if article.story_cluster_id != cluster.pk:
        raise workflow.EditRefused(f"“{article.title}” is not part of this story, so it cannot lead it.")
    workflow.check_edit(article=article, actor=actor, changes={"story_lead": cluster})
    with transaction.atomic():
        cluster.lead = article
        cluster.lead_chosen_by = actor
        cluster.save(update_fields=["lead", "lead_chosen_by", "updated_at"])
    return cluster


def story_sources(article: Article, *, public_only: bool = False) -> list[Source]:
    """The sources of the story's other pieces, for "Also reported by" on the brief.

    `public_only` is for readers: a source with nothing published is not named to them.
    """
    if not article.story_cluster_id:
        return []
    sources = Source.objects.public() if public_only else Source.objects.all()
    return list(
        sources.filter(articles__story_cluster_id=article.story_cluster_id)
        .exclude(pk=article.source_id)
        .distinct()
        .order_by("name")
    )


def queue_once(queryset):
    """The queue with each story shown once: its lead, or its earliest piece while the lead is not in the queue."""
    first_member = (
        Article.objects.filter(story_cluster=OuterRef("story_cluster"), status__in=QUEUE_STATUSES)
        .values("story_cluster")
        .annotate(first=Min("pk"))
        .values("first")
    )
    return queryset.annotate(
        story_shown=Coalesce(
            Subquery(
                Article.objects.filter(pk=OuterRef("story_cluster__lead"), status__in=QUEUE_STATUSES).values("pk")[:1]
            ),
            Subquery(first_member[:1]),
        )
    ).filter(Q(story_cluster__isnull=True) | Q(story_shown=F("pk")))


# --- A drafting turn's clustering, decided in memory and written at once (articles/enrich/turn.py) ----------

# Story keys looked up in one statement (a turn of 20 pieces has ~560); a larger turn's are read in parts.
SHARED_KEYS_CHUNK = 5000


def _sharing_keys(keys: set[int], excluded: list[int]):
    """(piece, key, its source, its `created_at` as the database gives it) of the stored story keys among `keys`,
    but those of the pieces `excluded`.

    The statement `StoryKey.objects.filter(key__in=keys).exclude(article_id__in=excluded).values_list("article_id",
    "key", "article__source_id", "article__created_at")` makes, written from the models' metadata: the ORM prepared
    each of a turn's ~560 keys for its IN, about 2 ms a turn (bench/REPORT.md, "Ninth pass"), and converted the date
    of every row where the turn needs it once a piece (`_created_at_converter`)."""
    connection = connections[router.db_for_read(StoryKey)]
    quote = connection.ops.quote_name
    keys_table, articles_table = quote(StoryKey._meta.db_table), quote(Article._meta.db_table)
    key_article = f"{keys_table}.{quote(StoryKey._meta.get_field('article').column)}"
    key = f"{keys_table}.{quote(StoryKey._meta.get_field('key').column)}"
    article = Article._meta
    columns = (
        f"{key_article}, {key}, {articles_table}.{quote(article.get_field('source').column)}, "
        f"{articles_table}.{quote(article.get_field('created_at').column)}"
    )
    join = f"{keys_table} INNER JOIN {articles_table} ON ({key_article} = {articles_table}.{quote(article.pk.column)})"
    wanted = sorted(keys)
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), SHARED_KEYS_CHUNK):
            chunk = wanted[start : start + SHARED_KEYS_CHUNK]
            where = f"{key} IN ({', '.join(['%s'] * len(chunk))})"
            if excluded:
                where = f"({where} AND NOT ({key_article} IN ({', '.join(['%s'] * len(excluded))})))"
            cursor.execute(f"SELECT {columns} FROM {join} WHERE {where}", [*chunk, *excluded])
            yield from cursor.fetchall()


def _created_at_converter():
    """What the ORM does to a `created_at` the database gives (SQLite's text made an aware datetime)."""
    connection = connections[router.db_for_read(Article)]
    field = Article._meta.get_field("created_at")
    column = Col(Article._meta.db_table, field)
    converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)

    def convert(value):
        for converter in converters:
            value = converter(value, column, connection)
        return value

    return convert


class TurnClusters:
    """The story clusters of a drafting turn's pieces, decided in order as `assign_story_cluster` would, then written.

    A piece's cluster depends on the pieces clustered before it in the turn (their keys are in the
    index then, their clusters may have merged): `assign` plays each piece's clustering on what the
    database held when the turn began plus what the turn's earlier pieces did, and `write` stores
    the outcome (keys, new clusters, leads, memberships, merged clusters gone) in a few statements.
    Until `write`, a new cluster has a stand-in id above every real one (it is created after them),
    which `resolve` maps to the real id.
    """

    _NEW = 1 << 62

    def __init__(self, articles):
        self.articles = list(articles)
        self.fingerprints = {article.pk: Fingerprint.of(article) for article in self.articles}
        self.keys = {article.pk: self.fingerprints[article.pk].band_keys() for article in self.articles}
        self.turn = {article.pk: article for article in self.articles}
        indexed = [article.pk for article in self.articles if article.story_indexed]
        self.stored = {}  # (article, key) -> StoryKey pk, of the turn's pieces indexed before it
        if indexed:
            for pk, article_id, key in StoryKey.objects.filter(article_id__in=indexed).values_list(
                "pk", "article_id", "key"
            ):
                self.stored[(article_id, key)] = pk
        # Keys in the index now, as the turn plays out: the turn's pieces' (stored, then their new ones), the rest's.
        self.index: dict[int, set[int]] = {}
        self.keys_now: dict[int, set[int]] = {article.pk: set() for article in self.articles}
        for article_id, key in self.stored:
            self.keys_now[article_id].add(key)
        wanted = set().union(*self.keys.values()) if self.keys else set()
        # Pieces sharing a key that no piece of the turn may be compared with (of its own source, out of its window)
        # are left out, and their texts are not read.
        others: dict[int, set[int]] = {}
        placed: dict[int, tuple] = {}  # pk -> (source, created_at) of the pieces that may match
        if wanted:
            comparable: dict[int, bool] = {}
            created = _created_at_converter()
            for article_id, key, source_id, created_at in _sharing_keys(wanted, list(self.turn)):
                if article_id not in comparable:
                    created_at = created(created_at)
                    comparable[article_id] = any(self._may_match(a, source_id, created_at) for a in self.articles)
                    placed[article_id] = (source_id, created_at)
                if comparable[article_id]:
                    others.setdefault(article_id, set()).add(key)
        for article_id, keys in others.items():
            for key in keys:
                self.index.setdefault(key, set()).add(article_id)
        for article_id, keys in self.keys_now.items():
            for key in keys:
                self.index.setdefault(key, set()).add(article_id)
        self.rows = {}  # pk -> (title, content_text, source_id, created_at) of the pieces that may match
        if others:
            for pk, title, text in Article.objects.filter(pk__in=list(others)).values_list(
                "pk", "title", "content_text"
            ):
                self.rows[pk] = (title, text, *placed[pk])
        for article in self.articles:
            self.rows[article.pk] = (article.title, article.content_text, article.source_id, article.created_at)
        self._matches: dict[int, list[int]] = {}
        self.cluster_of: dict[int, int | None] = {}
        self.lead_of: dict[int, int | None] = {}
        self.created_at: dict[int, object] = {}
        self.published: set[int] = set()
        self.new_clusters: list[int] = []  # stand-ins, in the order the clusters are made
        self.leads_set: dict[int, int] = {}  # existing clusters without a lead that get one
        self.merged: list[int] = []
        self.changed: list[int] = []  # published_story_changed, for these clusters, in order
        self.indexed_now: list[int] = []  # pieces marked indexed by the turn
        self.initial: dict[int, int | None] = {}
        self.real: dict[int, int] = {}

    @staticmethod
    def _may_match(article, source_id, created_at) -> bool:
        """Whether a piece of `source_id` stored at `created_at` is compared with `article` (`candidates_for`)."""
        window = timedelta(days=settings.ENRICH_CLUSTER_WINDOW_DAYS)
        return (
            source_id != article.source_id and article.created_at - window <= created_at <= article.created_at + window
        )

    def _candidates(self, article) -> list[int]:
        found = set()
        for key in self.keys[article.pk]:
            found |= self.index.get(key, set())
        found.discard(article.pk)
        return [pk for pk in found if self._may_match(article, self.rows[pk][2], self.rows[pk][3])]

    def _load_clusters(self, first_matches: dict[int, list[int]]) -> None:
        """The clusters (members, leads) of every piece the turn may put in a story, under lock."""
        involved = set(first_matches) | {pk for pks in first_matches.values() for pk in pks}
        rows = list(
            Article.objects.select_for_update(no_key=True)
            .filter(pk__in=involved)
            .order_by("pk")
            .values_list("pk", "story_cluster_id", "created_at", "status")
        )
        clusters_ids = {cluster_id for _pk, cluster_id, _c, _s in rows if cluster_id}
        if clusters_ids:
            rows += list(
                Article.objects.select_for_update(no_key=True)
                .filter(story_cluster_id__in=clusters_ids)
                .exclude(pk__in=involved)
                .order_by("pk")
                .values_list("pk", "story_cluster_id", "created_at", "status")
            )
            self.lead_of.update(StoryCluster.objects.filter(pk__in=clusters_ids).values_list("pk", "lead_id"))
        for pk, cluster_id, created_at, status in rows:
            self.cluster_of[pk] = cluster_id
            self.created_at[pk] = created_at
            if status == Status.PUBLISHED:
                self.published.add(pk)
        self.initial = dict(self.cluster_of)

    def prepare(self) -> None:
        """Find each piece's possible matches (on the index as it will be when its turn comes) and lock them."""
        # A piece may match any piece whose keys the index holds when its turn comes: the turn's earlier pieces with
        # their new keys, its later pieces with their stored ones, and every other piece.
        for article in self.articles:
            self._play_keys(article)
            if self.keys[article.pk]:
                fingerprint = self.fingerprints[article.pk]
                self._matches[article.pk] = [
                    pk for pk in self._candidates(article) if fingerprint.same_story(self._fingerprint(pk))
                ]
        self._undo_keys()
        if any(self._matches.values()):
            self._load_clusters({pk: matches for pk, matches in self._matches.items() if matches})

    def _fingerprint(self, pk: int) -> Fingerprint:
        if pk not in self.fingerprints:
            title, text, _source, _created = self.rows[pk]
            self.fingerprints[pk] = Fingerprint(title, text)
        return self.fingerprints[pk]

    def _play_keys(self, article) -> None:
        pk = article.pk  # (once: `.pk` is a property, read here for each of a turn's thousand keys)
        for key in self.keys_now[pk] - self.keys[pk]:
            self.index[key].discard(pk)
        for key in self.keys[pk]:
            self.index.setdefault(key, set()).add(pk)

    def _undo_keys(self) -> None:
        for pk in self.keys:
            for key in self.keys[pk]:
                self.index[key].discard(pk)
            for key in self.keys_now[pk]:
                self.index.setdefault(key, set()).add(pk)

    def assign(self, article) -> int | None:
        """Play `article`'s clustering (the turn's pieces in order); its cluster id or stand-in, or None."""
        if not article.story_indexed:
            self.indexed_now.append(article.pk)
        article.story_indexed = True
        matches = self._matches.get(article.pk)
        if not matches:
            return self.cluster_of.get(article.pk, article.story_cluster_id)
        members = sorted({article.pk, *matches})
        cluster_ids = sorted({self.cluster_of[pk] for pk in members if self.cluster_of[pk]})
        if cluster_ids:
            cluster = cluster_ids[0]
            for pk, cluster_id in self.cluster_of.items():
                if cluster_id in cluster_ids[1:]:
                    self.cluster_of[pk] = cluster
            self.merged += cluster_ids[1:]
        else:
            cluster = self._NEW + len(self.new_clusters)
            self.new_clusters.append(cluster)
            self.lead_of[cluster] = None
        for pk in members:
            self.cluster_of[pk] = cluster
        in_cluster = [pk for pk, cluster_id in self.cluster_of.items() if cluster_id == cluster]
        if self.lead_of.get(cluster) is None:
            self.lead_of[cluster] = min(in_cluster, key=lambda pk: (self.created_at[pk], pk))
            if cluster < self._NEW:
                self.leads_set[cluster] = self.lead_of[cluster]
        if any(pk in self.published for pk in in_cluster):
            self.changed.append(cluster)
        return cluster

    def cluster_now(self, pk: int, default):
        return self.cluster_of.get(pk, default)

    def create(self) -> None:
        """Make the turn's new clusters (with their leads), so that `resolve` knows their ids."""
        made = StoryCluster.objects.bulk_create([StoryCluster(lead_id=self.lead_of[c]) for c in self.new_clusters])
        self.real = {stand_in: cluster.pk for stand_in, cluster in zip(self.new_clusters, made, strict=True)}

    def resolve(self, cluster_id):
        return self.real.get(cluster_id, cluster_id) if cluster_id is not None else None

    def write(self) -> None:
        """Store the turn's keys and memberships (after `create` and the pieces' own rows), drop merged clusters."""
        stale = [pk for (article_id, key), pk in self.stored.items() if key not in self.keys[article_id]]
        if stale:
            StoryKey.objects.filter(pk__in=stale).delete()
        missing = sorted((pk, key) for pk, keys in self.keys.items() for key in keys if (pk, key) not in self.stored)
        insert_values(StoryKey, ["article", "key"], missing, ignore_conflicts=True)
        if self.indexed_now:
            Article.objects.filter(pk__in=self.indexed_now).update(story_indexed=True)
        moved: dict[int, list[int]] = {}
        for pk, cluster_id in self.cluster_of.items():
            if cluster_id != self.initial.get(pk):
                moved.setdefault(self.resolve(cluster_id), []).append(pk)
        for cluster_id, pks in sorted(moved.items()):
            Article.objects.filter(pk__in=sorted(pks)).update(story_cluster_id=cluster_id)
        for cluster_id, lead_id in self.leads_set.items():
            if cluster_id not in self.merged:
                StoryCluster.objects.filter(pk=cluster_id).update(lead_id=lead_id, updated_at=timezone.now())
        if self.merged:
            StoryCluster.objects.filter(pk__in=[self.resolve(c) for c in self.merged]).delete()

    def announce(self) -> None:
        """published_story_changed for each story with a published brief that gained or merged members."""
        for cluster_id in self.changed:
            cluster = StoryCluster(pk=self.resolve(cluster_id))
            published_story_changed.send(sender=StoryCluster, cluster=cluster)
