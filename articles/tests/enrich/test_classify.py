import pytest

from articles.enrich import classify
from articles.models import Article, Status, Topic
from articles.tests.enrich.conftest import KNOWN_TEXT
from articles.tests.factories import make_article, make_role, make_subfield, make_topic

pytestmark = pytest.mark.django_db


def test_topics_match_existing_ones_and_new_ones_are_only_proposed(known_article):
    streams = make_topic("Event streams")
    make_topic("Quantum computing")
    topics_before = Topic.objects.count()

    guesses = classify.suggest_topics(known_article)

    matched = [g for g in guesses if g.kind == "topic"]
    proposed = [g for g in guesses if g.kind == "new_topic"]
    assert [g.obj for g in matched] == [streams]
    assert proposed and all(g.obj is None for g in proposed)
    assert "batch jobs" in {g.text.lower() for g in proposed}
    assert Topic.objects.count() == topics_before
    assert all(0 < g.confidence <= 1 for g in guesses)


def test_roles_and_fields_come_from_keyword_rules_before_there_are_enough_briefs(settings):
    settings.ENRICH_CLASSIFIER_MIN_BRIEFS = 50
    policy = make_role("Policy Maker")
    make_role("AI Scientist")
    law = make_subfield(name="Law and regulation", description="Courts, regulators and compliance")
    make_subfield(name="Chip design")
    article = make_article(
        complete=False,
        title="Regulators draft a new law",
        content_text="Regulators and government lawmakers published a draft regulation on compliance. "
        "The policy sets out legal duties and public rights, and courts will enforce the law.",
    )

    roles = classify.suggest_roles(article)
    fields = classify.suggest_fields(article)

    assert roles[0].obj == policy
    assert fields[0].obj == law
    assert len(fields) == 1


CHIPS = "Wafer lithography yields at the fab improved as the new chip node entered volume production."
COURTS = "The judge ruled that the licence and the copyright claim must go to trial in the spring."


def publish_chips_and_courts(hardware, legal, *, count=5):
    """`count` published briefs about chips for `hardware`, as many about courts for `legal`."""
    for n in range(count):
        make_article(status=Status.PUBLISHED, content_text=f"{CHIPS} Part {n}.", roles=[hardware])
        make_article(status=Status.PUBLISHED, content_text=f"{COURTS} Part {n}.", roles=[legal])
    return make_article(complete=False, content_text="A chip fab reports better lithography yields on its new node.")


def test_a_classifier_trained_on_published_briefs_takes_over(settings):
    settings.ENRICH_CLASSIFIER_MIN_BRIEFS = 8
    # Names that no keyword rule can match: only the training briefs link them to the texts.
    hardware, legal = make_role("Reader A"), make_role("Reader B")
    new = publish_chips_and_courts(hardware, legal)

    roles = classify.suggest_roles(new)

    assert roles[0].obj == hardware
    assert roles[0].confidence > 0.5
    assert all(guess.obj != legal or guess.confidence < roles[0].confidence for guess in roles)
    assert all(guess.confidence >= classify.ROLE_MIN_CONFIDENCE for guess in roles)


def test_the_classifier_learns_from_the_newest_published_briefs_only(settings):
    settings.ENRICH_CLASSIFIER_MIN_BRIEFS = 8
    settings.ENRICH_CLASSIFIER_MAX_BRIEFS = 10
    hardware, legal = make_role("Reader A"), make_role("Reader B")
    for n in range(20):  # older briefs, the same text labelled otherwise: past the ten newest, never read
        make_article(status=Status.PUBLISHED, content_text=f"{CHIPS} Part {n}.", roles=[legal])
    new = publish_chips_and_courts(hardware, legal)

    roles = classify.suggest_roles(new)

    assert roles[0].obj == hardware


def test_depth_length_follows_reading_time_and_level_readability():
    plain = make_article(
        complete=False,
        reading_minutes=14,
        content_text=" ".join(["The cat sat on the mat. It was a warm day. We had tea."] * 10),
    )
    dense = make_article(
        complete=False,
        content_text=" ".join(
            [
                "Heterogeneous quantization of transformer activations, parameterized via per-channel "
                "calibration statistics, substantially reduces inference-time memory bandwidth requirements "
                "on GPU accelerators without measurable perplexity degradation across multilingual benchmarks."
            ]
            * 6
        ),
    )

    plain_depth = {g.kind: g for g in classify.suggest_depth(plain)}
    dense_depth = {g.kind: g for g in classify.suggest_depth(dense)}

    assert plain_depth["length"].text == "long" and plain_depth["length"].confidence == 0.9
    assert plain_depth["level"].text == "introductory"
    assert dense_depth["level"].text == "expert"
    assert dense_depth["length"].text == "short"  # from the word count: under a minute of reading


def test_known_text_reads_as_introductory_to_intermediate(known_article):
    level = {g.kind: g for g in classify.suggest_depth(known_article)}["level"]

    assert level.text in {"introductory", "intermediate"}
    assert classify.readability_grade(KNOWN_TEXT) == pytest.approx(7.5, abs=0.1)


def test_a_one_word_keyword_never_files_a_piece_under_every_topic_containing_it():
    make_topic("Data Governance")
    make_topic("Data Platform Costs")
    make_topic("Remote Work")
    article = make_article(
        complete=False,
        title="A startup wants to end passwords with social login",
        content_text="The startup collects less data than its rivals. Data from the login is kept for a day. "
        "Its founders say the data never leaves the device, and work on the app began last year. "
        "Customers can work with the service from any browser.",
    )

    assert [g for g in classify.suggest_topics(article) if g.kind == "topic"] == []


def test_a_word_repeated_many_times_is_not_enough_for_a_role(settings):
    settings.ENRICH_CLASSIFIER_MIN_BRIEFS = 50
    make_role("AI Scientist")
    article = make_article(
        complete=False,
        title="NASA scientist expects signs of life within a decade",
        content_text="A NASA scientist said life beyond Earth may be found soon. The scientist spoke on a panel. "
        "Another scientist agreed with the scientist. The chief scientist said missions would look for water.",
    )

    assert classify.suggest_roles(article) == []


def test_several_independent_signals_make_a_sure_field(settings):
    settings.ENRICH_CLASSIFIER_MIN_BRIEFS = 50
    security = make_subfield(name="Cybersecurity", slug="cybersecurity")
    make_subfield(name="Climate & Energy", slug="climate-energy")
    article = make_article(
        complete=False,
        title="A heap overflow in the logging library is exploitable",
        content_text="Researchers published an exploit for the heap overflow. Attackers can gain root access. "
        "The vulnerability was patched last week, and the mitigations in the allocator make exploitation harder. "
        "Administrators should apply the patch.",
    )

    fields = classify.suggest_fields(article)

    assert [g.obj for g in fields] == [security]
    assert fields[0].confidence >= settings.ENRICH_AUTOFILL_MIN_CONFIDENCE


def test_a_field_named_by_one_phrase_is_offered_but_never_filled_in(settings):
    settings.ENRICH_CLASSIFIER_MIN_BRIEFS = 50
    make_subfield(name="Cybersecurity", slug="cybersecurity")
    article = make_article(
        complete=False,
        title="The vulnerability in the village hall roof",
        content_text="The vulnerability of the old roof worried the council. The vulnerability was plain after the "
        "storm. Volunteers repaired the roof over two weekends, and the hall reopened for the harvest dance.",
    )

    fields = classify.suggest_fields(article)

    assert all(guess.confidence < settings.ENRICH_AUTOFILL_MIN_CONFIDENCE for guess in fields)


@pytest.mark.filterwarnings("ignore:Label .* is present in all training examples")
def test_a_trained_classifier_gives_the_same_probabilities_as_its_pipeline():
    import numpy as np

    texts = [
        "Kernel scheduler latency and interrupt handling on embedded boards",
        "Quarterly revenue, margins and the cost of capital for retailers",
        "Scheduler patches cut interrupt latency on the new embedded kernel",
        "Retailers report revenue up and margins down as capital costs rise",
        "Embedded boards ship with a real-time kernel and a new scheduler",
        "Capital markets reward retailers whose margins survive the quarter",
    ]
    labels = [["kernels", "hardware"], ["finance"], ["kernels"], ["finance", "retail"], ["hardware"], ["retail"]]
    trained = classify.train_classifier(texts, labels)
    unseen = ["A kernel scheduler for embedded retail tills", "Margins of retailers and the cost of capital"]

    for text in unseen:
        assert np.array_equal(trained.probabilities([text]), trained.model.predict_proba([text]))
    # A label every brief carries is the library's own case: the same numbers again.
    everywhere = classify.train_classifier(texts, [[*labels[i], "news"] for i in range(len(texts))])
    assert np.array_equal(everywhere.probabilities(unseen), everywhere.model.predict_proba(unseen))


def test_the_classifiers_count_the_published_library_only_after_it_changes(django_assert_num_queries, editor):
    from articles.workflow import apply_transition

    make_article(status=Status.PUBLISHED)
    first, second = make_article(complete=False), make_article(complete=False)
    assert classify.published_library(first).count == 1

    with django_assert_num_queries(0):  # nothing changed: no count, no scan of the published briefs
        unchanged = classify.published_library(second)
    newly = make_article(status=Status.DRAFT)
    apply_transition(article=newly, actor=editor, name="submit")
    apply_transition(article=newly, actor=editor, name="publish", reason="Checked")
    after_publishing = classify.published_library(second)
    apply_transition(article=newly, actor=editor, name="unpublish", reason="Withdrawn")
    after_unpublishing = classify.published_library(second)

    assert unchanged.count == 1 and after_publishing.count == 2 and after_unpublishing.count == 1
    assert len({unchanged.version, after_publishing.version, after_unpublishing.version}) == 3


def test_a_published_brief_relabelled_or_edited_moves_the_library_version():
    brief = make_article(status=Status.PUBLISHED)
    piece = make_article(complete=False)
    before = classify.published_library(piece).version

    brief.roles.add(make_role("Another reader"))
    relabelled = classify.published_library(piece).version
    brief.summary = "A curator's better summary."
    brief.save()
    edited = classify.published_library(piece).version
    piece.summary = "A draft's summary."
    piece.save()  # a draft is not part of the library

    assert len({before, relabelled, edited}) == 3
    assert classify.published_library(piece).version == edited


def test_a_published_brief_drafted_again_never_learns_from_its_own_labels():
    brief = make_article(status=Status.PUBLISHED)
    make_article(status=Status.PUBLISHED)

    library = classify.published_library(brief)

    assert library.count == 1 and library.exclude_pk == brief.pk


def test_fields_and_roles_learn_from_one_reading_of_the_library_with_their_own_pipelines_numbers(
    settings, monkeypatch, django_assert_num_queries
):
    import numpy as np

    settings.ENRICH_CLASSIFIER_MIN_BRIEFS = 8
    # Names no keyword rule can match: only the training briefs link them to the texts.
    fab, court = make_subfield(name="Field A"), make_subfield(name="Field B")
    hardware, legal = make_role("Reader A"), make_role("Reader B")
    for n in range(5):
        make_article(status=Status.PUBLISHED, content_text=f"{CHIPS} Part {n}.", fields=[fab], roles=[hardware])
        make_article(status=Status.PUBLISHED, content_text=f"{COURTS} Part {n}.", fields=[court], roles=[legal])
    fitted, fit_words = [], classify._fit_words
    monkeypatch.setattr(classify, "_fit_words", lambda texts: fitted.append(len(texts)) or fit_words(texts))
    new = make_article(complete=False, content_text="A chip fab reports better lithography yields on its new node.")
    taxonomy = classify.Taxonomy.read()

    fields = classify.suggest_fields(new, library=classify.published_library(new), taxonomy=taxonomy)
    roles = classify.suggest_roles(new, library=classify.published_library(new), taxonomy=taxonomy)

    assert fitted == [10]  # one TF-IDF fit over the ten briefs for both lists
    assert (fields[0].obj, fields[0].text, roles[0].obj) == (fab, str(fab), hardware)
    briefs = list(Article.objects.published())
    texts = [classify.article_text(brief) for brief in briefs]
    for kind in ("fields", "roles"):
        # Each list's probabilities are those of the pipeline trained for it alone.
        alone = classify.train_classifier(texts, [[obj.pk for obj in getattr(b, kind).all()] for b in briefs])
        together = classify._models[kind][1]
        assert together.labels == alone.labels
        unseen = [classify.article_text(new)]
        assert np.array_equal(together.probabilities(unseen), alone.model.predict_proba(unseen))
    # The next piece of the batch: its suggestions are named from the batch's taxonomy, without a query.
    second = make_article(complete=False, content_text="The court heard the copyright claim about the licence.")
    library = classify.published_library(second, version=taxonomy.library_version)
    with django_assert_num_queries(0):
        assert classify.suggest_fields(second, library=library, taxonomy=taxonomy)[0].obj == court
        assert classify.suggest_roles(second, library=library, taxonomy=taxonomy)[0].obj == legal


def test_a_turns_pieces_are_classified_from_rows_made_in_one_call_with_the_same_suggestions(settings):
    from unittest import mock

    from sklearn.feature_extraction.text import TfidfVectorizer

    from articles.enrich import enrich_articles, pipeline

    settings.ENRICH_CLASSIFIER_MIN_BRIEFS = 8
    hardware, legal = make_role("Reader A"), make_role("Reader B")
    publish_chips_and_courts(hardware, legal)
    pieces = [
        make_article(complete=False, content_text="A chip fab reports better lithography yields on its new node."),
        make_article(complete=False, content_text="The judge sent the copyright claim to trial."),
        make_article(complete=False, content_text="Volume production of the new chip node starts at the fab."),
    ]
    alone = {}
    for piece in pieces:  # each piece's suggestions drafted on its own, the classifiers trained first
        suggestions = pipeline.draft_suggestions(piece)[0]
        alone[piece.pk] = [(s.section, s.text, s.confidence) for s in suggestions if s.section in ("field", "role")]
    assert any(alone.values())

    transform = TfidfVectorizer.transform
    with mock.patch.object(TfidfVectorizer, "transform", autospec=True, side_effect=transform) as calls:
        enrich_articles(articles=pieces)

    assert calls.call_count == 1  # one for the turn, not one a piece
    for piece in pieces:
        kept = piece.suggestions.filter(section__in=["field", "role"]).order_by("pk")
        assert [(s.section, s.text, s.confidence) for s in kept] == alone[piece.pk]
