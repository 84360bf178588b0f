"""Fill a database with many realistic, generated briefs: the library the scale benchmarks run on.

Deterministic by `--seed`: the same count and seed give the same briefs, sources, taxonomy
and related links. Everything is written with bulk inserts (no history rows, no signals), so
100,000 briefs take minutes, not hours. Generated sources live on the reserved `.example`
domain and are never polled; the command refuses a database that holds a real library.

    python manage.py generate_briefs --count 100000 --sources 1000
"""

import functools
import hashlib
import itertools
import math
import random
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from articles import facets
from articles.enrich import classify
from articles.models import Article, Field, Level, RelatedLink, Role, Source, Status, Topic, length_for_minutes

GENERATED_HOST = "generated.example"
BATCH = 2000

# Words that read like the portal's subjects; the rest of each text is drawn Zipf-wise from them.
_VOCABULARY_TEXT = (
    "model distillation inference training agents evaluation policy regulation chips datacentre energy "
    "privacy security open weights benchmark reasoning retrieval latency cost governance safety cloud "
    "budget vendor procurement audit compliance hiring teams platform pipeline observability incident "
    "migration database warehouse streaming edge devices battery grid climate health clinical trial "
    "patients diagnosis payments fraud lending risk capital market supply logistics factory robotics "
    "sensor quantum encryption identity access software release testing review architecture scaling "
    "throughput memory storage network bandwidth contract licence copyright liability standard treaty "
    "election misinformation moderation education curriculum research funding startup acquisition "
    "revenue margin pricing customer support triage dataset labelling synthetic feedback alignment"
)
VOCABULARY = _VOCABULARY_TEXT.split()
STATUS_MIX = [
    (Status.PUBLISHED, 0.82),
    (Status.DRAFT, 0.08),
    (Status.IN_REVIEW, 0.03),
    (Status.INGESTED, 0.03),
    (Status.REJECTED, 0.02),
    (Status.ARCHIVED, 0.02),
]


class Words:
    """Sentences drawn from the vocabulary with Zipf weights: a few words everywhere, most rare."""

    cum_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(VOCABULARY))))

    def __init__(self, rng: random.Random):
        self.rng = rng

    def phrase(self, count: int) -> str:
        return " ".join(self.rng.choices(VOCABULARY, cum_weights=self.cum_weights, k=count))

    def sentence(self, low: int = 8, high: int = 22) -> str:
        text = self.phrase(self.rng.randint(low, high))
        return text[0].upper() + text[1:] + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))


@functools.cache
def _zipf_cum_weights(size: int, skew: float) -> list[float]:
    return list(itertools.accumulate(1 / (rank + 1) ** skew for rank in range(size)))


def zipf_pick(rng: random.Random, items: list, k: int, skew: float = 1.1) -> list:
    """`k` distinct items, the first of the list far more often than the last."""
    cum_weights = _zipf_cum_weights(len(items), skew)
    chosen: list = []
    while len(chosen) < min(k, len(items)):
        item = rng.choices(items, cum_weights=cum_weights, k=1)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


class Command(BaseCommand):
    help = "Generate realistic briefs in bulk for benchmarks (deterministic by --seed; refuses a real library)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="Briefs to add.")
        parser.add_argument("--sources", type=int, default=200, help="Generated sources to spread them over.")
        parser.add_argument("--topics", type=int, default=150, help="Topics in all, the demo's included.")
        parser.add_argument("--related", type=int, default=5, help="Computed related links per published brief.")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, count, sources, topics, related, seed, **options):
        if count < 1 or sources < 1:
            raise CommandError("--count and --sources must be at least 1.")
        real = Source.objects.exclude(url__contains=".example/").count()
        if real:
            raise CommandError(
                f"This database holds {real} real source(s); generate_briefs only fills benchmark databases."
            )
        # The demo library brings the full taxonomy (and its 17 hand-written briefs).
        call_command("load_demo", verbosity=0)
        with transaction.atomic():
            source_rows = self.make_sources(sources, Words(random.Random(f"{seed}-sources")))
            topic_rows = self.make_topics(topics, Words(random.Random(f"{seed}-topics")))
        subfields = list(Field.objects.subfields().order_by("position", "pk"))
        roles = list(Role.objects.order_by("position", "pk"))
        start = Article.objects.filter(original_url__contains=f"//{GENERATED_HOST}/").count()
        made = 0
        while made < count:
            size = min(BATCH, count - made)
            with transaction.atomic():
                self.make_batch(start + made, size, seed, source_rows, topic_rows, subfields, roles)
            made += size
            self.stdout.write(f"{made:,} / {count:,} briefs", ending="\r")
            self.stdout.flush()
        self.stdout.write("")
        linked = self.make_related(related, random.Random(f"{seed}-related"))
        classify.library_changed()  # bulk inserts send no signals: the classifiers retrain on the new library
        facets.rebuild()  # nor are they counted: the facet counts, and the values search reads in each row
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {count:,} briefs over {len(source_rows):,} sources, {linked:,} related links."
            )
        )

    def make_sources(self, total: int, words: Words) -> list[Source]:
        existing = {s.url: s for s in Source.objects.filter(url__contains=f".{GENERATED_HOST}/")}
        new = []
        for index in range(total):
            url = f"https://s{index}.{GENERATED_HOST}/feed"
            if url in existing:
                continue
            name = f"{words.phrase(2).title()} Review {index}"
            new.append(
                Source(
                    name=name,
                    slug=f"{slugify(name)}",
                    url=url,
                    site_url=f"https://s{index}.{GENERATED_HOST}/",
                    description=words.sentence(),
                    is_active=False,
                )
            )
        Source.objects.bulk_create(new, batch_size=BATCH)
        return list(Source.objects.filter(url__contains=f".{GENERATED_HOST}/").order_by("pk"))

    def make_topics(self, total: int, words: Words) -> list[Topic]:
        have = Topic.objects.count()
        new = []
        names = set(Topic.objects.values_list("name", flat=True))
        while have + len(new) < total:
            name = words.phrase(2).title()
            if name in names:
                name = f"{name} {len(new)}"
            names.add(name)
            new.append(Topic(name=name, slug=slugify(name), description=words.sentence()))
        Topic.objects.bulk_create(new, batch_size=BATCH)
        # Demo topics first: they are the popular ones.
        return list(Topic.objects.order_by("pk"))

    def make_batch(self, offset, size, seed, sources, topics, subfields, roles):
        now = timezone.now()
        statuses, weights = zip(*STATUS_MIX, strict=True)
        articles, rngs = [], []
        for index in range(offset, offset + size):
            # Each brief from its own seed: the same index is the same brief, however the run is split.
            rng = random.Random(f"{seed}-brief-{index}")
            words = Words(rng)
            rngs.append(rng)
            title = f"{words.sentence(5, 11)[:-1]} ({index})"
            content = "\n\n".join(words.paragraph(rng.randint(3, 6)) for _ in range(rng.randint(3, 6)))
            minutes = max(1, round(len(content.split()) / 230 * rng.uniform(1, 6)))
            status = rng.choices(statuses, weights=weights, k=1)[0]
            # Three years of publishing, denser lately.
            age = timedelta(days=1095 * (1 - math.sqrt(rng.random())), seconds=rng.randint(0, 86399))
            original = now - age - timedelta(hours=rng.randint(1, 72))
            published = now - age if status in (Status.PUBLISHED, Status.ARCHIVED) else None
            articles.append(
                Article(
                    title=title,
                    slug=f"{slugify(title)[:180]}-{index}",
                    source=zipf_pick(rng, sources, 1, skew=0.8)[0],
                    original_url=f"https://{GENERATED_HOST}/pieces/{index}",
                    author=words.phrase(2).title(),
                    original_published_at=original,
                    language="en",
                    summary=words.paragraph(4),
                    takeaway=words.paragraph(2),
                    insights=[words.sentence() for _ in range(rng.randint(3, 5))],
                    principles=[words.sentence() for _ in range(rng.randint(0, 3))],
                    method=words.paragraph(2) if rng.random() < 0.6 else "",
                    in_practice=[words.sentence() for _ in range(rng.randint(0, 3))],
                    level=rng.choice(Level.values),
                    reading_minutes=minutes,
                    length=length_for_minutes(minutes),
                    content_text=content,
                    content_html="".join(f"<p>{escape(p)}</p>" for p in content.split("\n\n")),
                    content_hash=hashlib.sha256(content.encode()).hexdigest(),
                    status=status,
                    created_at=original + timedelta(hours=1),
                    status_changed_at=published or original + timedelta(hours=2),
                    published_at=published,
                )
            )
        Article.objects.bulk_create(articles, batch_size=BATCH)
        # bulk_create sets primary keys on PostgreSQL and SQLite alike.
        field_links, topic_links, role_links = [], [], []
        for article, rng in zip(articles, rngs, strict=True):
            for field in zipf_pick(rng, subfields, rng.randint(1, 2)):
                field_links.append(Article.fields.through(article_id=article.pk, field_id=field.pk))
            for topic in zipf_pick(rng, topics, rng.randint(1, 4)):
                topic_links.append(Article.topics.through(article_id=article.pk, topic_id=topic.pk))
            for role in zipf_pick(rng, roles, rng.randint(1, 3), skew=0.7):
                role_links.append(Article.roles.through(article_id=article.pk, role_id=role.pk))
        Article.fields.through.objects.bulk_create(field_links, batch_size=BATCH)
        Article.topics.through.objects.bulk_create(topic_links, batch_size=BATCH)
        Article.roles.through.objects.bulk_create(role_links, batch_size=BATCH)

    def make_related(self, per_brief: int, rng: random.Random) -> int:
        """Computed links between published briefs that share a topic, as enrichment would make them."""
        if per_brief < 1:
            return 0
        by_topic: dict[int, list[int]] = {}
        through = Article.topics.through.objects.filter(article__status=Status.PUBLISHED)
        for article_id, topic_id in through.values_list("article_id", "topic_id").iterator(chunk_size=BATCH):
            by_topic.setdefault(topic_id, []).append(article_id)
        first_topic: dict[int, int] = {}
        for topic_id, ids in by_topic.items():
            for article_id in ids:
                first_topic.setdefault(article_id, topic_id)
        linked = set(RelatedLink.objects.values_list("from_article_id", flat=True).distinct())
        links, total = [], 0
        for article_id, topic_id in first_topic.items():
            if article_id in linked:
                continue
            pool = by_topic[topic_id]
            targets = {rng.choice(pool) for _ in range(per_brief * 2)} - {article_id}
            for position, target in enumerate(sorted(targets)[:per_brief]):
                links.append(
                    RelatedLink(
                        from_article_id=article_id,
                        to_article_id=target,
                        score=round(0.9 - position * 0.1 + rng.random() * 0.05, 3),
                    )
                )
            if len(links) >= BATCH:
                RelatedLink.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
                total += len(links)
                links = []
        RelatedLink.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
        return total + len(links)
