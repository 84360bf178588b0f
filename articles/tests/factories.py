"""Objects for tests, in one place. Each maker fills what the model needs and takes overrides."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Article, Field, Role, Source, Status, Topic

_counter = itertools.count(1)


def make_source(**overrides) -> Source:
    n = next(_counter)
    values = {"name": f"Source {n}", "url": f"https://source-{n}.example/feed.xml", "is_active": False}
    values.update(overrides)
    return Source.objects.create(**values)


def make_area(name=None, **overrides) -> Field:
    return Field.objects.create(name=name or f"Area {next(_counter)}", **overrides)


def make_subfield(area=None, name=None, **overrides) -> Field:
    return Field.objects.create(parent=area or make_area(), name=name or f"Subfield {next(_counter)}", **overrides)


def make_role(name=None, **overrides) -> Role:
    return Role.objects.create(name=name or f"Role {next(_counter)}", **overrides)


def make_topic(name=None, **overrides) -> Topic:
    return Topic.objects.create(name=name or f"Topic {next(_counter)}", **overrides)


def make_article(*, complete=True, status=Status.DRAFT, fields=None, roles=None, topics=None, **overrides) -> Article:
    """A brief; `complete=True` fills everything publishing needs."""
    n = next(_counter)
    values = {
        "title": f"Brief number {n}",
        "source": overrides.pop("source", None) or make_source(),
        "original_url": f"https://origin.example/articles/{n}",
        "status": status,
        "content_text": f"Original text of piece {n}.",
    }
    if complete:
        values.update(
            summary=f"What piece {n} says and why it matters.",
            takeaway=f"What readers should do about piece {n}.",
            insights=[f"First insight of {n}", f"Second insight of {n}"],
            principles=[f"A principle of {n}"],
            method=f"How piece {n} was made.",
            in_practice=[f"Try {n} on Monday"],
            level="intermediate",
            reading_minutes=6,
        )
    if status == Status.PUBLISHED:
        values["published_at"] = timezone.now()
    values.update(overrides)
    article = Article.objects.create(**values)
    if complete:
        article.fields.set(fields if fields is not None else [make_subfield()])
        article.roles.set(roles if roles is not None else [make_role()])
        article.topics.set(topics if topics is not None else [make_topic()])
    else:
        article.fields.set(fields or [])
        article.roles.set(roles or [])
        article.topics.set(topics or [])
    return article


# Every staff account made here signs in with this (browser tests type it).
PASSWORD = "correct horse battery staple"


def make_staff(group_name: str | None, username=None, **overrides):
    """A staff user in the Curator or Editor group (made by the data migration)."""
    User = get_user_model()
    user = User.objects.create_user(
        username=username or f"{(group_name or 'staff').lower()}{next(_counter)}",
        password=PASSWORD,
        is_staff=True,
        **overrides,
    )
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


def signed_in(user):
    """A test client signed in as `user` (no password round trip)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
