"""Load the demo library: areas, roles, topics, (inactive) sources and briefs written by the team.

Idempotent: what exists already (matched by slug, feed address or original address) is
left exactly as it is, so a second run changes nothing, and a curator's edits to a demo
brief survive a later run.
"""

import hashlib
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.html import escape

from articles import anatomy
from articles.demo import data
from articles.enrich.related import refresh_related
from articles.models import Article, Field, Role, Source, Status, Topic


def _paragraphs_html(text: str) -> str:
    return "".join(f"<p>{escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


class Command(BaseCommand):
    help = "Load the demo briefs and their taxonomy (safe to run again: existing items are left alone)."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = self.load()
        total = sum(created.values())
        if total:
            summary = ", ".join(f"{count} {kind}" for kind, count in created.items() if count)
            self.stdout.write(self.style.SUCCESS(f"Demo content loaded: {summary}."))
        else:
            self.stdout.write("Demo content already present; nothing changed.")

    def load(self) -> dict[str, int]:
        created = dict.fromkeys(("areas and subfields", "roles", "topics", "sources", "briefs"), 0)
        fields = {}
        for position, area_data in enumerate(data.AREAS):
            area, made = Field.objects.get_or_create(
                slug=area_data["slug"],
                defaults={"name": area_data["name"], "description": area_data["description"], "position": position},
            )
            created["areas and subfields"] += made
            for sub_position, sub_data in enumerate(area_data["subfields"]):
                sub, made = Field.objects.get_or_create(
                    slug=sub_data["slug"],
                    defaults={
                        "name": sub_data["name"],
                        "description": sub_data.get("description", ""),
                        "parent": area,
                        "position": sub_position,
                    },
                )
                created["areas and subfields"] += made
                fields[sub.slug] = sub
        roles = {}
        for position, role_data in enumerate(data.ROLES):
            role, made = Role.objects.get_or_create(
                slug=role_data["slug"],
                defaults={"name": role_data["name"], "description": role_data["description"], "position": position},
            )
            created["roles"] += made
            roles[role.slug] = role
        topics = {}
        for topic_data in data.TOPICS:
            topic, made = Topic.objects.get_or_create(
                slug=topic_data["slug"],
                defaults={"name": topic_data["name"], "description": topic_data.get("description", "")},
            )
            created["topics"] += made
            topics[topic.slug] = topic
        sources = {}
        for source_data in data.SOURCES:
            # Demo sources are never polled until an operator switches one on: their
            # addresses are on the reserved .example domain anyway.
            source, made = Source.objects.get_or_create(
                url=source_data["url"],
                defaults={
                    "name": source_data["name"],
                    "slug": source_data["slug"],
                    "site_url": source_data.get("site_url", ""),
                    "description": source_data.get("description", ""),
                    "kind": source_data.get("kind", Source.Kind.FEED),
                    "is_active": False,
                },
            )
            created["sources"] += made
            sources[source_data["slug"]] = source
        new_briefs = []
        for brief in data.BRIEFS:
            if Article.objects.filter(original_url=brief["original_url"]).exists():
                continue
            new_briefs.append(self.create_brief(brief, sources=sources, fields=fields, roles=roles, topics=topics))
        created["briefs"] = len(new_briefs)
        # Related briefs now, so the site shows them before a worker has run.
        for article in new_briefs:
            refresh_related(article=article)
        return created

    def create_brief(self, brief, *, sources, fields, roles, topics):
        original_published_at = parse_datetime(brief["original_published_at"])
        status = brief["status"]
        content = brief["content"].strip()
        article = Article(
            title=brief["title"],
            slug=brief["slug"],
            source=sources[brief["source"]],
            original_url=brief["original_url"],
            author=brief.get("author", ""),
            original_published_at=original_published_at,
            language="en",
            summary=brief["summary"],
            takeaway=brief["takeaway"],
            insights=brief["insights"],
            principles=brief["principles"],
            method=brief["method"],
            in_practice=brief["in_practice"],
            level=brief["level"],
            reading_minutes=brief["reading_minutes"],
            content_text=content,
            content_html=_paragraphs_html(content),
            content_hash=hashlib.sha256(content.encode()).hexdigest(),
            status=status,
            created_at=original_published_at + timedelta(hours=2),
            status_changed_at=original_published_at + timedelta(days=1),
        )
        if status == Status.PUBLISHED:
            article.published_at = original_published_at + timedelta(days=1)
        article._change_reason = "Loaded with the demo content"
        article.full_clean(exclude=["slug"])
        article.save()
        article.fields.set([fields[slug] for slug in brief["fields"]])
        article.topics.set([topics[slug] for slug in brief["topics"]])
        article.roles.set([roles[slug] for slug in brief["roles"]])
        # "Why it matters for <role>": the per-role sections of the anatomy, one note per role.
        for section in anatomy.sections(kind=anatomy.Kind.PER_ROLE):
            for slug, text in brief.get(section.name, {}).items():
                getattr(article, section.name).create(role=roles[slug], text=text)
        return article
