"""`manage.py backup` and `manage.py restore`: the whole library back exactly, SQLite and PostgreSQL both ways."""

import gzip
import io
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from articles.backup import library_checksum
from articles.models import (
    ApiToken,
    Article,
    DatedFacetValue,
    EnrichmentRun,
    IngestionRun,
    OriginalityOverride,
    RelatedLink,
    Source,
    Status,
    StoryCluster,
    Suggestion,
)
from articles.models.tokens import issue_token
from articles.search import search
from articles.tests.factories import make_article, make_role, make_source, make_staff, make_subfield, make_topic

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATABASES = ["default", "postgres"] if os.environ.get("TEST_DATABASE_URL") else ["default"]
pytestmark = pytest.mark.django_db(databases=DATABASES)

# Written with its microseconds, as ingestion writes them; a restore must give back every digit.
EDITED_AT = datetime(2025, 3, 4, 5, 6, 7, 891234, tzinfo=UTC)

# Every kind of thing the brief names must be in the test library, or the round trip proves nothing about it.
LIBRARY_TABLES = [
    "articles.Source",
    "articles.Article",
    "articles.Field",
    "articles.Topic",
    "articles.Role",
    "articles.Article_fields",
    "articles.RelatedLink",
    "articles.StoryCluster",
    "articles.Suggestion",
    "articles.EnrichmentRun",
    "articles.OriginalityOverride",
    "articles.IngestionRun",
    "articles.HistoricalArticle",
    "articles.HistoricalArticle_topics",
    "articles.ApiToken",
    "auth.User",
    "auth.User_groups",
    "auth.User_user_permissions",
    "auth.Group",
    "auth.Group_permissions",
    "auth.Permission",
    "contenttypes.ContentType",
    "admin.LogEntry",
]


def build_library() -> Article:
    """A small library with one of everything, written the way the site writes it (history included)."""
    editor = make_staff("Editor", username="night-editor", first_name="Zoë")
    curator = make_staff("Curator", username="curator-ana")
    curator.user_permissions.add(Permission.objects.get(codename="view_logentry"))
    desk = Group.objects.create(name="Night desk")
    desk.permissions.add(Permission.objects.get(codename="change_source"))
    editor.groups.add(desk)
    get_user_model().objects.create_superuser("root", "root@example.org", "s3cret-pass-phrase")
    issue_token(user=editor, name="Newsletter builder")

    source = make_source(name="Économie Weekly", url="https://eco.example/feed.xml")
    IngestionRun.objects.create(
        source=source, started_at=EDITED_AT, finished_at=EDITED_AT + timedelta(seconds=3, microseconds=7),
        status=IngestionRun.Outcome.SUCCEEDED, http_status=200, items_seen=2, items_new=2,
    )  # fmt: skip
    IngestionRun.objects.create(source=source, status=IngestionRun.Outcome.FAILED, error="Timed out after 20 s.")
    role, topic, sub = make_role("CTO"), make_topic("Photonics"), make_subfield(name="Optics")
    lead = make_article(
        title="Photonic interconnects cut inference costs",
        source=source,
        status=Status.PUBLISHED,
        fields=[sub],
        roles=[role],
        topics=[topic],
        insights=["Light beats copper past 2 m", "Café-grade lasers suffice 🙂"],
        curated_by=editor,
    )
    other = make_article(title="Copper still wins inside the rack", source=source, status=Status.PUBLISHED)
    lead.summary = "Edited by the night desk."
    lead.save()  # a second history row
    lead.topics.add(make_topic("Inference"))  # many-to-many history
    RelatedLink.objects.create(from_article=lead, to_article=other, kind=RelatedLink.Kind.PINNED, score=0.8125)
    cluster = StoryCluster.objects.create(lead=lead, lead_chosen_by=editor)
    Article.objects.filter(pk=other.pk).update(story_cluster=cluster)
    run = EnrichmentRun.objects.create(
        article=lead, backend=EnrichmentRun.Backend.EXTRACTIVE, filled_sections=["summary"]
    )
    Suggestion.objects.create(
        article=lead, run=run, section=Suggestion.Section.SUMMARY, text="A suggested summary.",
        confidence=0.7312345678901234, paragraph=2, char_start=10, char_end=80, topic=topic,
    )  # fmt: skip
    OriginalityOverride.objects.create(
        article=lead, actor=editor, reason="Quoted law text", shared_share=0.41, longest_words=30, limit=0.35
    )
    LogEntry.objects.create(
        user=editor,
        content_type=ContentType.objects.get_for_model(Article),
        object_id=str(lead.pk),
        object_repr=str(lead),
        action_flag=CHANGE,
        change_message="Changed summary.",
    )
    # Timestamps in the past, with microseconds: a restore must not set them to "now".
    Article.objects.filter(pk=lead.pk).update(updated_at=EDITED_AT, status_changed_at=EDITED_AT)
    return lead


def _assert_library_holds_everything(digest):
    empty = [label for label in LIBRARY_TABLES if not digest.counts.get(label)]
    assert not empty, f"the test library has no rows in {empty}"


def _assert_same_library(source_db: str, target_db: str) -> None:
    before, after = library_checksum(source_db), library_checksum(target_db)
    assert after.counts == before.counts
    assert after.checksum == before.checksum
    lead = Article.objects.using(target_db).get(title__startswith="Photonic")
    assert lead.updated_at == EDITED_AT  # to the microsecond, and auto_now left it alone
    assert lead.insights[1] == "Café-grade lasers suffice 🙂"
    assert lead.history.using(target_db).count() == Article.history.using(source_db).filter(id=lead.pk).count()
    assert [t.name for t in lead.topics.using(target_db).order_by("name")] == ["Inference", "Photonics"]
    # The search index was rebuilt on the target: the restored brief is found.
    found = search(Article.objects.using(target_db).published(), "photonic")
    assert [brief.pk for brief in found] == [lead.pk]


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


class _EverythingOnPostgres:
    def db_for_read(self, model, **hints):
        return "postgres"

    def db_for_write(self, model, **hints):
        return "postgres"


def test_a_backup_restored_into_a_new_sqlite_database_gives_back_the_same_library(tmp_path):
    lead = build_library()
    file = tmp_path / "library.json.gz"
    call_command("backup", str(file), stdout=(out := io.StringIO()))
    before = library_checksum()
    _assert_library_holds_everything(before)
    assert before.checksum in out.getvalue()

    # As an operator moves the library to a new machine: a new file, restored by the command.
    new_file = tmp_path / "new.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{new_file}", "SECRET_KEY": "test", "DISTILLERY_VAR_DIR": str(tmp_path / "var")}
    restored = _manage("restore", str(file), env=env)
    assert restored.returncode == 0, restored.stderr
    assert "created its tables first" in restored.stdout
    assert f"checksum {before.checksum} matches the backup" in restored.stdout
    recomputed = _manage("backup", "--checksum", env=env)
    assert recomputed.stdout.split()[-1] == before.checksum

    with closing(sqlite3.connect(new_file)) as database:
        updated_at = database.execute("SELECT updated_at FROM articles_article WHERE id = ?", [lead.pk]).fetchone()
        found = database.execute("SELECT rowid FROM articles_article_fts WHERE articles_article_fts MATCH 'photonic'")
        assert [row[0] for row in found] == [lead.pk]  # the search index was rebuilt
    assert datetime.fromisoformat(updated_at[0]).replace(tzinfo=UTC) == EDITED_AT


def test_a_backup_from_sqlite_restores_exactly_into_postgresql(tmp_path, postgres_url):
    build_library()
    file = tmp_path / "library.json.gz"
    call_command("backup", str(file))

    call_command("restore", str(file), database="postgres")

    _assert_same_library("default", "postgres")
    # The briefs' dated roles, topics, subfields and areas, which search walks, come back from their rows, and again
    # over a replaced library.
    dated = _dated_values("postgres")
    assert dated == _dated_of_published("postgres")
    assert {value.split(":")[0] for value, _when, _pk in dated} == {"role", "topic", "field", "area"}
    call_command("restore", str(file), database="postgres", replace=True)
    assert _dated_values("postgres") == _dated_of_published("postgres")
    # The id sequences moved past the restored rows: the next brief gets a new id, not a clash.
    source = Source.objects.using("postgres").first()
    newer = Article.objects.using("postgres").create(
        title="After the move", source=source, original_url="https://n.example/1"
    )
    assert newer.pk > max(Article.objects.using("default").values_list("pk", flat=True))


def _dated_values(using: str) -> set[tuple]:
    return set(DatedFacetValue.objects.using(using).values_list("value", "published_at", "article_id"))


def _dated_of_published(using: str) -> set[tuple]:
    """The dated rows the published briefs should have: their roles, topics, subfields and areas, from the pair
    tables (a brief of a subfield is its area's too)."""
    published = Article.objects.using(using).published()
    rows = set()
    for article in published.prefetch_related("roles", "topics", "fields"):
        values = {f"role:{role.pk}" for role in article.roles.all()} | {f"topic:{t.pk}" for t in article.topics.all()}
        for field in article.fields.all():
            values |= {f"field:{field.pk}", f"area:{field.parent_id}"} if field.parent_id else {f"area:{field.pk}"}
        rows |= {(value, article.published_at, article.pk) for value in values}
    return rows


def test_a_backup_from_postgresql_restores_exactly_into_sqlite(tmp_path, postgres_url, settings):
    settings.DATABASE_ROUTERS = [_EverythingOnPostgres()]
    build_library()
    settings.DATABASE_ROUTERS = []
    file = tmp_path / "library.json.gz"
    call_command("backup", str(file), database="postgres")

    call_command("restore", str(file))

    _assert_same_library("postgres", "default")


def test_a_restore_adds_no_history_and_gives_back_what_was_changed_since(tmp_path):
    lead = build_library()
    file = tmp_path / "library.json.gz"
    call_command("backup", str(file))
    before = library_checksum()
    history_rows = Article.history.count()
    lead.title = "Retitled after the backup"
    lead.save()
    lead.topics.clear()
    ApiToken.objects.all().delete()
    assert library_checksum().checksum != before.checksum

    call_command("restore", str(file), replace=True)

    assert library_checksum() == before
    assert Article.history.count() == history_rows
    assert Article.objects.get(pk=lead.pk).title == "Photonic interconnects cut inference costs"


def test_restore_refuses_a_database_that_holds_a_library_unless_told_to_replace_it(tmp_path):
    build_library()
    file = tmp_path / "library.json.gz"
    call_command("backup", str(file))
    before = library_checksum()

    with pytest.raises(CommandError, match=r"already holds a library \(3 users, 2 briefs, 1 source, .*--replace"):
        call_command("restore", str(file))

    assert library_checksum() == before


def test_a_backup_cut_short_is_refused_and_the_library_is_left_as_it_was(tmp_path):
    build_library()
    file = tmp_path / "library.json.gz"
    call_command("backup", str(file))
    whole = gzip.decompress(file.read_bytes()).decode().splitlines()
    before = library_checksum()
    Source.objects.update(description="Changed after the backup.")
    changed = library_checksum()

    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(file.read_bytes()[:-300])
    with pytest.raises(CommandError, match=r"cut short or damaged.*nothing was restored"):
        call_command("restore", str(cut), replace=True)
    no_end = tmp_path / "no-end.json.gz"
    no_end.write_bytes(gzip.compress("\n".join(whole[:-1]).encode()))
    with pytest.raises(CommandError, match=r"backup is incomplete.*nothing was restored"):
        call_command("restore", str(no_end), replace=True)

    assert library_checksum() == changed != before


def test_a_backup_whose_rows_the_database_refuses_restores_nothing(tmp_path):
    build_library()
    file = tmp_path / "library.json.gz"
    call_command("backup", str(file))
    lines = [json.loads(line) for line in gzip.decompress(file.read_bytes()).splitlines()]
    for line in lines:
        if line.get("model") == "articles.RelatedLink":
            line["rows"].append(list(line["rows"][0]))  # the same primary key twice
            lines[-1]["counts"]["articles.RelatedLink"] += 1
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(gzip.compress("\n".join(json.dumps(line) for line in lines).encode()))
    before = library_checksum()

    with pytest.raises(CommandError, match=r"The database refused the backup's rows .*nothing was restored"):
        call_command("restore", str(bad), replace=True)

    assert library_checksum() == before


@pytest.mark.parametrize(
    ("content", "refusal"),
    [
        (b"id,title\n1,Not a backup\n", r"not a Distillery backup \(it is not a gzip file\)"),
        (
            gzip.compress(mtime=0, data=b'{"model": "auth.User", "rows": []}\n'),
            r"not a Distillery backup \(its first line",
        ),
        (gzip.compress(mtime=0, data=b"\x00\x01 binary junk"), "is damaged: line 1 is not readable"),
        (gzip.compress(mtime=0, data=b'{"format": "distillery-backup", "version": 99}\n'), "version 99 backup"),
        (
            gzip.compress(
                mtime=0, data=b'{"format": "distillery-backup", "version": 1, "tables": {"shop.Order": ["id"]}}\n'
            ),
            r"a table this version does not know \(shop.Order\)",
        ),
    ],
    ids=["csv", "another-dump", "binary", "newer-version", "unknown-table"],
)
def test_a_file_that_is_not_a_backup_of_this_version_is_refused_with_a_sentence(tmp_path, content, refusal):
    file = tmp_path / "suspect.gz"
    file.write_bytes(content)
    with pytest.raises(CommandError, match=refusal):
        call_command("restore", str(file))


def test_restore_of_a_missing_file_says_so(tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        call_command("restore", str(tmp_path / "nowhere.json.gz"))


def test_a_backup_file_can_be_read_by_its_owner_only_and_a_failed_one_leaves_no_file(tmp_path):
    build_library()
    file = tmp_path / "library.json.gz"
    call_command("backup", str(file))
    assert file.stat().st_mode & 0o777 == 0o600
    with pytest.raises(CommandError, match="Cannot write the backup"):
        call_command("backup", str(tmp_path / "no-such-folder" / "library.json.gz"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.json.gz"]


def test_the_checksum_changes_with_a_single_microsecond(tmp_path):
    lead = build_library()
    before = library_checksum()
    Article.objects.filter(pk=lead.pk).update(updated_at=EDITED_AT + timedelta(microseconds=1))
    after = library_checksum()
    assert after.counts == before.counts
    assert after.checksum != before.checksum


def test_backup_checksum_prints_counts_and_checksum_without_writing(tmp_path):
    build_library()
    call_command("backup", checksum=True, stdout=(out := io.StringIO()))
    assert out.getvalue().strip().endswith(library_checksum().checksum)
    assert list(tmp_path.iterdir()) == []
