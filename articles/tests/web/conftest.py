import pytest
from django.core.cache import cache

from articles.models import RelatedLink, Status
from articles.tests.factories import make_area, make_article, make_role, make_source, make_subfield, make_topic


@pytest.fixture(autouse=True)
def empty_page_cache():
    # The test cache (LocMem) lives as long as the process; pages cached by one test must not leak.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def catalogue(db):
    """A small published catalogue with two roles, two areas, topics, sources and a draft."""
    tech = make_area("Technology & Digital")
    policy = make_area("Public Policy")
    ai = make_subfield(tech, "AI & ML")
    infra = make_subfield(tech, "Infrastructure")
    regulation = make_subfield(policy, "Regulation")
    cto = make_role("CTO")
    policy_maker = make_role("Policy Maker")
    models_topic = make_topic("Open models")
    chips = make_topic("Chips")
    journal = make_source(name="Interconnects Weekly")
    paper = make_source(name="Policy Paper")
    briefs = {
        "distillation": make_article(
            title="Distillation is a technique, not an attack",
            summary="Model distillation trains a small student on a large teacher's outputs.",
            takeaway="Keep the word distillation for the technique and call API abuse by its name.",
            status=Status.PUBLISHED,
            level="advanced",
            reading_minutes=8,
            source=journal,
            fields=[ai, regulation],
            roles=[cto, policy_maker],
            topics=[models_topic],
        ),
        "gpus": make_article(
            title="Where the GPUs went",
            summary="Datacentre build-outs absorbed most accelerators shipped this year.",
            status=Status.PUBLISHED,
            level="intermediate",
            reading_minutes=3,
            source=journal,
            fields=[infra],
            roles=[cto],
            topics=[chips],
        ),
        "rules": make_article(
            title="Drafting rules for open weights",
            summary="Regulators consider disclosure duties for open-weight releases.",
            status=Status.PUBLISHED,
            level="introductory",
            reading_minutes=15,
            source=paper,
            fields=[regulation],
            roles=[policy_maker],
            topics=[models_topic],
        ),
        "draft": make_article(
            title="Unreleased thoughts on distillation",
            status=Status.DRAFT,
            source=paper,
            fields=[ai],
            roles=[cto],
            topics=[models_topic],
        ),
    }
    RelatedLink.objects.create(from_article=briefs["distillation"], to_article=briefs["rules"], score=0.8)
    RelatedLink.objects.create(from_article=briefs["distillation"], to_article=briefs["draft"], score=0.9)
    return {
        "briefs": briefs,
        "areas": {"tech": tech, "policy": policy},
        "subfields": {"ai": ai, "infra": infra, "regulation": regulation},
        "roles": {"cto": cto, "policy_maker": policy_maker},
        "topics": {"models": models_topic, "chips": chips},
        "sources": {"journal": journal, "paper": paper},
    }


def add_published_briefs(count: int, **shared):
    """More briefs sharing the catalogue's taxonomy, to show query counts do not grow."""
    return [make_article(status=Status.PUBLISHED, **shared) for _ in range(count)]
