"""Keeping machine drafts: one piece (`enrich_article`) is a turn of one, a turn (`enrich_articles`) of several.

The rule the curators rely on: a machine never overwrites what a person wrote. The draft
(`pipeline.draft_suggestions`) is kept as `Suggestion` rows (with provenance and confidence)
whatever happens; only the sections still empty in the database at the moment of writing (the
row is locked) are filled from it, and those suggestions are marked "applied". A published brief
is never filled: what readers see changes only when a person accepts a suggestion. A section is
filled once: if a curator empties it, later drafts leave it empty and only suggest. What a
curator discarded is not suggested again.

`keep_turn` reads what the drafts need for the whole turn at once (the rows, under lock, their
runs, earlier decisions, taxonomy and notes), plays each piece's draft in order in memory (the
sections filled, history records with their taxonomy rows, the enrichment run, suggestions,
taxonomy links, per-role notes, the address of a piece without one, story keys and clusters,
related links, the step to draft; a piece's story cluster depends on the pieces drafted before it
in the turn: `clusters.TurnClusters`), then writes each table once, and sends the signals a save
of each piece would (pre_save, post_save, m2m_changed, the history's own, `status_changed` after
the commit, `published_story_changed`, `published_related_changed`).

Turns write one at a time. A turn locks its own pieces, then writes rows of pieces it does not own (the story
cluster of a piece its pieces match, a published neighbour's related links); two turns whose pieces match each
other's could each hold what the other waits for. On PostgreSQL every turn therefore first takes one
transaction-level lock (`_one_turn_at_a_time`), held until its transaction ends, so every turn locks rows in the same
order. The drafts' text is computed before, outside the transaction, so only the writes wait. SQLite lets one writer
at a time anyway.

Failures: a turn of several is kept under a savepoint; whatever goes wrong (a piece's draft, a
statement) undoes the whole bulk attempt, and the caller keeps the turn again one piece after
another, each a turn of one under its own savepoint: a piece that fails is left as it was and the
others' drafts are kept. A piece deleted since the turn began is reported as failed and skipped.
`enrich_article` raises what drafting or keeping its piece raised.
"""

import logging
from contextlib import suppress
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.utils import timezone

from articles import anatomy, workflow
from articles.enrich import classify, clusters, generative, pipeline, related, related_index
from articles.models import Article, EnrichmentRun, RelatedLink, Status, Suggestion
from articles.models.base import insert_objects, insert_returning_ids, unique_slug, update_values
from articles.models.briefs import taxonomy_links

S = Suggestion.Section
Kind = anatomy.Kind
logger = logging.getLogger(__name__)
# What the caller's object is given of the row the draft wrote.
REFRESHED = [
    s.name for kind in (Kind.TEXT, Kind.LIST, Kind.CHOICE) for s in anatomy.sections(kind=kind) if s.suggestions
] + ["slug"]
PER_ROLE = {s.suggestions[0] for s in anatomy.sections(kind=Kind.PER_ROLE) if s.suggestions}
# What a save without update_fields writes.
WHOLE_ROW = [f.name for f in Article._meta.local_concrete_fields if not f.primary_key]
STEP_ATTRIBUTES = ("status", "status_changed_at", "published_at", "curated_by_id", "updated_at")
# A piece without an address gets one as it is first saved; two workers may pick the same one at once, and the
# loser takes the next free one (as Article.save does).
SLUG_ATTEMPTS = 5
# On PostgreSQL, the transaction-level advisory lock a turn takes before it locks any row ("DISTTURN" in ASCII).
TURN_LOCK_KEY = 0x44495354_5455524E


@dataclass(frozen=True)
class Drafted:
    """What drafting one piece of a batch came to: its run, or the error that left it as it was."""

    article: Article
    run: EnrichmentRun | None = None
    error: Exception | None = None


def enrich_article(
    *, article: Article, cluster: bool = True, relate: bool = True, start_draft: bool = False
) -> EnrichmentRun:
    """Draft `article`, keep the draft as suggestions, and fill its empty sections; safe to run again.

    With `start_draft`, a piece still "ingested" moves to "draft" in the same transaction (a
    curator who moved it meanwhile keeps their step). The draft is computed before the
    transaction opens: a slow generative backend never holds the database's locks. Kept as a
    turn of one (`keep_turn`); raises what drafting or keeping it raised, the piece left as it was.
    """
    drafted = pipeline.draft_suggestions(article)
    if cluster:
        clusters.catch_up([article])
    options = {"cluster": cluster, "relate": relate, "start_draft": start_draft}
    for attempt in range(SLUG_ATTEMPTS):
        try:
            outcome = _keep_alone(article, drafted, **options)
            break
        except IntegrityError:
            if article.slug or attempt == SLUG_ATTEMPTS - 1:
                raise
    if outcome.error is not None:
        raise outcome.error
    return outcome.run


def enrich_articles(
    *, articles: list[Article], cluster: bool = True, relate: bool = True, start_draft: bool = False
) -> list[Drafted]:
    """Draft several pieces as `enrich_article` drafts one, keeping all their drafts in one commit.

    Each commit is a disk flush (on PostgreSQL, of the write-ahead log): a batch of pieces waiting
    pays it once. The batch's writes are made together (`keep_turn`: each table once,
    not ~16 statements a piece) under a savepoint; if that fails, each piece is kept again as a turn
    of one under its own savepoint, so a piece whose draft fails (its error is returned in its
    `Drafted`) is left as it was and the others' drafts are kept; a process killed before the commit
    leaves the whole batch as it was, to be drafted again. The drafts are computed before the
    transaction opens, as for one piece.
    """

    computed = []
    taxonomy = classify.Taxonomy.read() if articles else None
    try:
        if len(articles) > 1 and not generative.is_enabled():
            # (A model's draft may suggest fields and roles itself: then the classifiers are not asked.)
            try:
                classify.keep_turn_rows(articles, taxonomy=taxonomy)
            except Exception:  # each piece then makes its own row, and fails on its own if it must
                logger.exception("Making the turn's rows for the classifiers failed")
        for article in articles:
            try:
                computed.append((article, pipeline.draft_suggestions(article, taxonomy=taxonomy)))
            except Exception as error:  # one piece's failure is reported, the batch goes on
                logger.exception("Drafting article %s failed", article.pk)
                computed.append((article, error))
    finally:
        classify.forget_turn_rows()
    if cluster:
        clusters.catch_up(articles)
    drafts = [(article, drafted) for article, drafted in computed if not isinstance(drafted, Exception)]
    options = {"cluster": cluster, "relate": relate, "start_draft": start_draft}
    with transaction.atomic():
        kept = None
        if len(drafts) > 1:  # (a turn of one is kept alone below: it would fail the same way twice)
            # The turn's writes in a few statements (`keep_turn`). If anything in it fails, the
            # savepoint undoes all of it and the pieces are kept one by one below, each under its own.
            before = {id(article): article.__dict__.copy() for article, _ in drafts}
            try:
                with transaction.atomic():
                    kept = keep_turn(drafts, **options)
            except Exception:
                logger.exception("Keeping a turn's drafts together failed; keeping them one by one")
                for article, _ in drafts:
                    article.__dict__.clear()
                    article.__dict__.update(before[id(article)])
        outcomes = kept if kept is not None else _one_by_one(drafts, **options)
    by_article = {id(outcome.article): outcome for outcome in outcomes}
    return [
        Drafted(article, error=drafted) if isinstance(drafted, Exception) else by_article[id(article)]
        for article, drafted in computed
    ]


def _keep_alone(article: Article, drafted, **options) -> Drafted:
    """Keep one piece's draft as a turn of one in a transaction (a savepoint inside the caller's) of its own; if that
    raises, the caller's object is as it was before and the error goes on up."""
    before = article.__dict__.copy()
    try:
        with transaction.atomic():
            return keep_turn([(article, drafted)], **options)[0]
    except Exception:
        article.__dict__.clear()
        article.__dict__.update(before)
        raise


def _one_by_one(drafts, **options) -> list[Drafted]:
    outcomes = []
    for article, drafted in drafts:
        try:
            outcomes.append(_keep_alone(article, drafted, **options))
        except Exception as error:
            logger.exception("Keeping the draft of article %s failed", article.pk)
            outcomes.append(Drafted(article, error=error))
    return outcomes


def _fill_empty(locked: Article, suggestions: list[Suggestion], skip: set[str]) -> list[str]:
    """Fill the locked brief's empty sections (except `skip`) from the draft; return the sections filled.

    A text takes all its suggestions joined, a list all of them in order, a choice the first.
    """
    filled = []
    by_section: dict[str, list[Suggestion]] = {}
    for suggestion in suggestions:
        by_section.setdefault(suggestion.section, []).append(suggestion)
    # Reported texts first, then lists, then choices ("filled summary, takeaway, insights, level").
    for section in [s for kind in (Kind.TEXT, Kind.LIST, Kind.CHOICE) for s in anatomy.sections(kind=kind)]:
        if not section.suggestions or section.name in skip:
            continue
        chosen = by_section.get(section.suggestions[0])
        if not chosen or anatomy.is_filled(section, getattr(locked, section.name)):
            continue
        if section.kind == Kind.TEXT:
            value = " ".join(s.text for s in chosen)
        elif section.kind == Kind.LIST:
            value = [s.text for s in chosen]
        else:
            chosen = chosen[:1]
            value = chosen[0].text
        setattr(locked, section.name, value)
        filled.append(section.name)
        for s in chosen:
            s.state = Suggestion.State.APPLIED
    return filled


def _taxonomy_attribute(section: anatomy.Section) -> str:
    """The Suggestion's link to an entry of the section's taxonomy (Suggestion.topic for topics …)."""
    model = Article._meta.get_field(section.name).related_model
    return next(f.name for f in Suggestion._meta.get_fields() if f.many_to_one and f.related_model is model)


def _taxonomy_entries(links) -> dict[str, set[int]]:
    """The ids in each taxonomy section ({"fields": {…}, "topics": {…}, "roles": {…}}) of `taxonomy_links`' rows."""
    entries: dict[str, set[int]] = {section.name: set() for section in anatomy.sections(kind=Kind.TAXONOMY)}
    for name, _pk, _brief_id, entry_id in links:
        entries.setdefault(name, set()).add(entry_id)
    return entries


class _Piece:
    """One piece of the turn as it is played: its locked row, its draft, and what the turn will write for it."""

    def __init__(self, article, locked, drafted):
        self.article, self.locked = article, locked
        self.suggestions, self.backend, self.reason, self.usage = drafted
        self.saves: list[tuple[Article, list[str]]] = []  # (the row as saved, the columns) in order
        self.added: list[tuple[str, list[int]]] = []  # (taxonomy list, entry ids) added, in `.add()`'s order
        self.notes = []  # per-role rows written
        self.run = None
        self.relates = False  # whether its related briefs are ranked with the turn's (an unpublished piece)
        self.ranked = None
        self.stepped = None  # the old status, when the step to draft was made
        self.viewed = None  # the row as the taxonomy's m2m_changed signals show it


def _still_in_brief(locked: Article, suggestion: Suggestion, notes: dict) -> bool:
    section = anatomy.for_suggestion(suggestion.section)
    if section is None or section.kind == Kind.TAXONOMY:
        return False
    if section.kind == Kind.PER_ROLE:
        return (suggestion.role_id, suggestion.text) in notes.get((section.name, locked.pk), set())
    value = getattr(locked, section.name)
    if section.kind == Kind.CHOICE:
        return suggestion.text == value
    return suggestion.text in (value or ("" if section.kind == Kind.TEXT else []))


def _fill_taxonomy(piece: _Piece, skip: set[str], entries: dict[str, set[int]]) -> list[str]:
    """Fill the brief's empty taxonomy sections in memory (`entries` holds what they hold, and receives what is
    added); the entries to add are kept on `piece.added` and written with the turn's."""
    filled = []
    threshold = settings.ENRICH_AUTOFILL_MIN_CONFIDENCE
    for section in anatomy.sections(kind=Kind.TAXONOMY):
        if not section.suggestions or section.name in skip or entries[section.name]:
            continue
        chosen = [s for s in piece.suggestions if s.section == section.suggestions[0] and s.confidence >= threshold]
        if chosen:
            attribute = _taxonomy_attribute(section)
            # In the order the related manager's add() inserts them: a set of the ids, less those already linked
            # (none: the list is empty).
            target_ids = set()
            for s in chosen:
                target_ids.add(getattr(s, attribute).pk)
            piece.added.append((section.name, list(target_ids.difference([]))))
            entries[section.name] |= {getattr(s, f"{attribute}_id") for s in chosen}
            filled.append(section.name)
            for s in chosen:
                s.state = Suggestion.State.APPLIED
    return filled


def _fill_per_role(piece: _Piece, skip: set[str], best_for: set[int], notes: dict) -> list[str]:
    """The drafted notes of an empty per-role section, for the roles the brief is best for (after filling); the
    rows are kept on `piece.notes` and written with the turn's."""
    filled = []
    for section in anatomy.sections(kind=Kind.PER_ROLE):
        if not section.suggestions or section.name in skip:
            continue
        chosen = [s for s in piece.suggestions if s.section == section.suggestions[0] and s.role_id in best_for]
        if chosen and not notes.get((section.name, piece.locked.pk)):
            model = getattr(piece.locked, section.name).model
            piece.notes += [model(article=piece.locked, role_id=s.role_id, text=s.text) for s in chosen]
            filled.append(section.name)
            for s in chosen:
                s.state = Suggestion.State.APPLIED
    return filled


def _one_turn_at_a_time(db: str) -> None:
    """Wait until no other turn is writing, and keep the others waiting until this transaction ends (see the module)."""
    connection = connections[db]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TURN_LOCK_KEY])


def _read_turn(ids: list[int]):
    """Everything the turn's drafts read, for all of its pieces at once (the rows locked, in one order)."""
    # FOR NO KEY UPDATE: other pieces' rows may refer to these meanwhile (a key, a link); they need not wait.
    rows = {row.pk: row for row in Article.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")}
    runs: dict[int, list] = {}
    for article_id, sections in EnrichmentRun.objects.filter(article_id__in=list(rows)).values_list(
        "article_id", "filled_sections"
    ):
        runs.setdefault(article_id, []).append(sections)
    decided: dict[int, list] = {}
    if runs:
        earlier = Suggestion.objects.filter(
            article_id__in=list(runs), state__in=[Suggestion.State.DISCARDED, Suggestion.State.APPLIED]
        )
        for article_id, section, text, state in earlier.values_list("article_id", "section", "text", "state"):
            decided.setdefault(article_id, []).append((section, text, state))
    links: dict[int, list] = {pk: [] for pk in rows}
    for link in taxonomy_links(list(rows)):
        links[link[2]].append(link)
    return rows, runs, decided, links


def _read_notes(ids: list[int]) -> dict[tuple[str, int], set]:
    """The per-role notes of the pieces whose drafts suggest some ({(section, piece): {(role, text), …}})."""
    notes: dict[tuple[str, int], set] = {}
    if not ids:
        return notes
    for section in anatomy.sections(kind=Kind.PER_ROLE):
        model = Article._meta.get_field(section.name).related_model
        for article_id, role_id, text in model.objects.filter(article_id__in=ids).values_list(
            "article_id", "role_id", "text"
        ):
            notes.setdefault((section.name, article_id), set()).add((role_id, text))
    return notes


def keep_turn(computed, *, cluster: bool, relate: bool, start_draft: bool) -> list[Drafted]:
    """Keep the computed drafts of a turn (`[(article, draft_suggestions(...))]`, in order) inside the caller's
    transaction; a `Drafted` for each piece in that order. Run it under a savepoint (see the module)."""
    db = router.db_for_write(Article)
    _one_turn_at_a_time(db)
    rows, runs_of, decided_of, links_of = _read_turn([article.pk for article, _ in computed])
    pieces, outcomes = [], []
    for article, drafted in computed:
        locked = rows.get(article.pk)
        if locked is None:
            outcomes.append(Drafted(article, error=Article.DoesNotExist("Article matching query does not exist.")))
            continue
        piece = _Piece(article, locked, drafted)
        pieces.append(piece)
        outcomes.append(piece)
    # Only a draft with per-role notes (a generative one) reads, or may write, the pieces' notes.
    notes = _read_notes([piece.locked.pk for piece in pieces if any(s.section in PER_ROLE for s in piece.suggestions)])
    plan = None
    if cluster and pieces:
        for piece in pieces:
            # As stored: a catch-up may have indexed the piece since the caller read it (its keys are then compared).
            piece.article.story_indexed = piece.locked.story_indexed
        plan = clusters.TurnClusters([piece.article for piece in pieces])
        plan.prepare()

    addresses: set[str] = set()  # given to the turn's pieces without one
    for piece in pieces:
        _play(
            piece,
            runs_of,
            decided_of,
            links_of,
            notes,
            plan=plan,
            relate=relate,
            start_draft=start_draft,
            addresses=addresses,
        )

    # --- The writes, each table once ------------------------------------------------------
    if plan is not None:
        plan.create()
        for piece in pieces:
            for row in [piece.locked, piece.article, *(saved for saved, _ in piece.saves)]:
                row.story_cluster_id = plan.resolve(row.story_cluster_id)
    _write_taxonomy(pieces, db)
    final_links = {pk: list(links) for pk, links in links_of.items()}
    added_to = [piece.locked.pk for piece in pieces if piece.added]
    if added_to:
        for pk in added_to:
            final_links[pk] = []
        for link in taxonomy_links(added_to):
            final_links[link[2]].append(link)
    notes_written = [note for piece in pieces for note in piece.notes]
    if notes_written:
        type(notes_written[0]).objects.bulk_create(notes_written)
    saves = [(saved, columns) for piece in pieces for saved, columns in piece.saves]
    for saved, columns in saves:
        saved._known_taxonomy_links = final_links[saved.pk]
        pre_save.send(sender=Article, instance=saved, raw=False, using=db, update_fields=_update_fields(columns))
    _write_rows(pieces, db)
    if plan is not None:
        plan.write()
    Article.history_recorder.record_saves([saved for saved, _ in saves], using=db)
    insert_returning_ids([piece.run for piece in pieces], using=db)  # (bulk_create's rows and ids)
    for piece in pieces:
        for suggestion in piece.suggestions:
            suggestion.run_id = piece.run.pk
    drafted_before = [piece.locked.pk for piece in pieces if runs_of.get(piece.locked.pk)]
    if drafted_before:
        # The new draft replaces the old one; a curator's accepted and discarded decisions stay on record.
        Suggestion.objects.filter(
            article_id__in=drafted_before, state__in=[Suggestion.State.PENDING, Suggestion.State.APPLIED]
        ).delete()
    insert_objects([s for piece in pieces for s in piece.suggestions], using=db)
    if relate:
        relating = [piece for piece in pieces if piece.relates]
        # The pieces' words are looked up in the related index's vocabulary once for the turn.
        counts = {piece.locked.pk: related_index.term_counts(piece.article) for piece in relating}
        known = related_index.vocabulary(set().union(*counts.values())) if any(counts.values()) else {}
        for piece in relating:
            piece.ranked = related.neighbours(
                piece.article, links=final_links[piece.locked.pk], counts=counts[piece.locked.pk], known=known
            )
        _write_related([piece for piece in pieces if piece.relates])
        for piece in pieces:
            if not piece.relates:  # published: offered to its neighbours too, one by one
                related.refresh_related(article=piece.article, links=final_links[piece.locked.pk])

    # --- What the rest of the product hears -------------------------------------------------
    for piece in pieces:
        if piece.viewed is not None:
            for name, target_ids in piece.added:
                _taxonomy_signal(piece.viewed, name, target_ids, "post_add", db)
    for saved, columns in saves:
        saved.skip_history_when_saving = True  # recorded above
        post_save.send(
            sender=Article, instance=saved, created=False, update_fields=_update_fields(columns), raw=False, using=db
        )
        del saved.skip_history_when_saving
        saved.__dict__.pop("_known_taxonomy_links", None)
    for piece in pieces:
        if piece.stepped is not None:
            workflow.announce_transition(article=piece.locked, old_status=piece.stepped, actor=None)
    if plan is not None:
        plan.announce()
    return [o if isinstance(o, Drafted) else Drafted(o.article, run=o.run) for o in outcomes]


def _play(
    piece: _Piece, runs_of, decided_of, links_of, notes, *, plan, relate: bool, start_draft: bool, addresses: set[str]
) -> None:
    """One piece's draft kept in memory: what it fills and records, its cluster, its related briefs, its step."""
    locked, article = piece.locked, piece.article
    runs = runs_of.get(locked.pk, [])
    discarded, applied = set(), set()
    for section, text, state in decided_of.get(locked.pk, []):
        (discarded if state == Suggestion.State.DISCARDED else applied).add((section, text))
    # Copies: if the bulk attempt fails, the caller keeps the same drafts one by one.
    piece.suggestions = [_copy(s) for s in piece.suggestions if (s.section, s.text) not in discarded]
    for suggestion in piece.suggestions:
        if (suggestion.section, suggestion.text) in applied and _still_in_brief(locked, suggestion, notes):
            suggestion.state = Suggestion.State.APPLIED
    filled = []
    filled_before = {name for sections in runs for name in sections}
    links = links_of[locked.pk]
    if plan is not None:
        # The row as the lock would read it now: the turn's earlier pieces may have put it in a story.
        locked.story_cluster_id = plan.cluster_now(locked.pk, locked.story_cluster_id)
    if locked.status != Status.PUBLISHED:
        filled = _fill_empty(locked, piece.suggestions, skip=filled_before)
        columns = [*filled, "updated_at", "length"]
        entries = _taxonomy_entries(links)
        filled_lists = _fill_taxonomy(piece, skip=filled_before, entries=entries)
        if piece.added:
            piece.viewed = _copy(locked)
            piece.viewed.skip_history_when_saving = True  # the save records the whole draft, its lists included
        filled += filled_lists
        filled += _fill_per_role(piece, skip=filled_before, best_for=entries["roles"], notes=notes)
        if filled:
            locked._change_reason = f"Machine draft filled empty sections: {', '.join(filled)}"
            _save(piece, columns, addresses)
    piece.run = EnrichmentRun(
        article=locked,
        backend=piece.backend,
        fallback_reason=piece.reason,
        filled_sections=filled,
        prompt_tokens=piece.usage.get("prompt_tokens"),
        completion_tokens=piece.usage.get("completion_tokens"),
    )
    for suggestion in piece.suggestions:
        # The brief's id, not the brief: assigning a related object runs the foreign key's checks and caches it,
        # which then sends every suggestion through bulk_create's check of related objects (`_prepared_rows`). The
        # run's id is known once the runs are inserted (`keep_turn`).
        suggestion.article_id = locked.pk
    for name in REFRESHED:
        setattr(article, name, getattr(locked, name))
    if plan is not None:
        cluster_id = plan.assign(article)
        if cluster_id is not None and plan._matches.get(article.pk):
            article.story_cluster_id = cluster_id
    # An unpublished piece's related briefs are ranked once its taxonomy links are written (they are read with
    # its candidates'); a published one's are refreshed, and offered to its neighbours, after the turn's writes.
    piece.relates = relate and article.status != Status.PUBLISHED
    if start_draft and locked.status == Status.INGESTED:
        locked.story_cluster_id, locked.story_indexed = article.story_cluster_id, article.story_indexed
        with suppress(workflow.TransitionRefused):
            piece.stepped = workflow.begin_transition(
                locked=locked, actor=None, name="start_draft", reason="Machine draft ready"
            )
            _save(piece, list(workflow.TRANSITION_FIELDS), addresses)
            for attr in STEP_ATTRIBUTES:
                setattr(article, attr, getattr(locked, attr))


def _save(piece: _Piece, columns: list[str], addresses: set[str]) -> None:
    """A save of the piece's row as it is now, in memory: the record it leaves and the columns it writes (None: the
    whole row, for a piece given its address here, as `Article.save` gives one)."""
    locked = piece.locked
    locked.fill_derived()
    locked.updated_at = timezone.now()
    if not locked.slug:
        locked.slug = unique_slug(Article, locked.title, exclude_pk=locked.pk, also_taken=addresses)
        addresses.add(locked.slug)
        piece.article.slug = locked.slug
        columns = None
    piece.saves.append((_copy(locked), columns))


def _copy(instance):
    """`copy.copy` of a model instance (its fields, its state and the related objects it holds), without the
    round trip through pickling's protocol that took five times as long."""
    clone = object.__new__(type(instance))
    clone.__dict__ = instance.__dict__.copy()
    clone._state = object.__new__(type(instance._state))
    clone._state.__dict__ = instance._state.__dict__.copy()
    clone._state.fields_cache = dict(instance._state.fields_cache)
    return clone


def _update_fields(columns: list[str] | None) -> frozenset[str] | None:
    return None if columns is None else frozenset(columns)


def _taxonomy_signal(instance: Article, name: str, target_ids: list[int], action: str, db: str) -> None:
    field = Article._meta.get_field(name)
    m2m_changed.send(
        sender=field.remote_field.through,
        action=action,
        instance=instance,
        reverse=False,
        model=field.related_model,
        pk_set=set(target_ids),
        using=db,
    )


def _write_taxonomy(pieces: list[_Piece], db: str) -> None:
    """The taxonomy links the drafts add: one INSERT a list, with the m2m_changed "pre_add" of each piece first."""
    for piece in pieces:
        for name, target_ids in piece.added:
            _taxonomy_signal(piece.viewed, name, target_ids, "pre_add", db)
    for section in anatomy.sections(kind=Kind.TAXONOMY):
        field = Article._meta.get_field(section.name)
        through = field.remote_field.through
        brief, entry = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        rows = [
            through(**{brief: piece.locked.pk, entry: target_id})
            for piece in pieces
            for name, target_ids in piece.added
            if name == section.name
            for target_id in target_ids
        ]
        if rows:
            through.objects.using(db).bulk_create(rows, ignore_conflicts=True)


def _write_rows(pieces: list[_Piece], db: str) -> None:
    """Each saved piece's row once, with every column its saves wrote: one UPDATE for the pieces that wrote the
    same columns, sent once with each piece's values (`executemany`).

    Written from the models' metadata: `bulk_update` builds a CASE of a filter for every row and column,
    which took 54 ms a turn (cProfile of `enrich --ingested`: 7.7 s of the turns' 18.3 s) for 0.6 ms of SQL.
    """
    by_columns: dict[tuple[str, ...], list[Article]] = {}
    for piece in pieces:
        if not piece.saves:
            continue
        columns = []
        for _saved, written in piece.saves:
            for column in WHOLE_ROW if written is None else written:
                if column not in columns:  # (a draft that fills the length writes it once)
                    columns.append(column)
        by_columns.setdefault(tuple(columns), []).append(piece.locked)
    connection = connections[db]
    quote = connection.ops.quote_name
    meta = Article._meta
    for columns, rows in by_columns.items():
        fields = [meta.get_field(name) for name in columns]
        sql = (
            f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(field.column)} = %s' for field in fields)} "
            f"WHERE {quote(meta.pk.column)} = %s"
        )
        prepared = update_values(fields, connection)
        values = [[*prepared(row), row.pk] for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)


def _write_related(pieces: list[_Piece]) -> None:
    """`related.refresh_related` for the turn's unpublished pieces: their lists read, trimmed and written at once."""
    if not pieces:
        return
    limit = settings.ENRICH_RELATED_COUNT
    stored: dict[int, list] = {}
    for pk, from_id, to_id, kind in RelatedLink.objects.filter(
        from_article_id__in=[piece.locked.pk for piece in pieces]
    ).values_list("pk", "from_article_id", "to_article_id", "kind"):
        stored.setdefault(from_id, []).append((pk, to_id, kind))
    dropped, written = [], []
    for piece in pieces:
        curated, computed = set(), {}
        for pk, to_article_id, kind in stored.get(piece.locked.pk, []):
            if kind in related.CURATED:
                curated.add(to_article_id)
            elif kind == RelatedLink.Kind.COMPUTED:
                computed[to_article_id] = pk
        top = [n for n in piece.ranked if n.article_id not in curated][:limit]
        kept = {n.article_id for n in top}
        dropped += [pk for to_article_id, pk in computed.items() if to_article_id not in kept]
        written += [RelatedLink(from_article=piece.article, to_article_id=n.article_id, score=n.score) for n in top]
    if dropped:
        RelatedLink.objects.filter(pk__in=dropped).delete()
    if written:
        RelatedLink.objects.bulk_create(
            written, update_conflicts=True, unique_fields=["from_article", "to_article"], update_fields=["score"]
        )
