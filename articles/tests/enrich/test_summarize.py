from hypothesis import given, settings
from hypothesis import strategies as st

from articles.enrich.summarize import extractive_draft
from articles.enrich.text import paragraph_of, sentences
from articles.tests.enrich.conftest import KNOWN_TEXT

CENTRAL_CLAIM = (
    "The main lesson of the migration is that an event stream only pays off"
    " when every team owns the events it publishes."
)


def test_draft_of_known_text_is_stable():
    draft = extractive_draft(KNOWN_TEXT, summary_sentences=3, insights=4)

    assert draft.takeaway.text == CENTRAL_CLAIM
    assert draft.takeaway.paragraph == 2
    assert [extract.text for extract in draft.summary] == [
        "Harbour Logistics spent the spring moving its order system from nightly batch jobs to an event stream.",
        "The team of twelve engineers had run the batch jobs for nine years.",
        CENTRAL_CLAIM,
    ]
    assert [extract.paragraph for extract in draft.insights] == [1, 2, 1, 5]
    assert extractive_draft(KNOWN_TEXT, summary_sentences=3, insights=4) == draft


def test_provenance_spans_point_at_the_sentence_in_the_original():
    draft = extractive_draft(KNOWN_TEXT)

    for extract in [*draft.summary, draft.takeaway, *draft.insights]:
        assert KNOWN_TEXT[extract.start : extract.end] == extract.text
        assert paragraph_of(KNOWN_TEXT, extract.start) == extract.paragraph
        assert 0 <= extract.confidence <= 1


def test_summary_keeps_the_original_order():
    draft = extractive_draft(KNOWN_TEXT, summary_sentences=4)

    starts = [extract.start for extract in draft.summary]
    assert starts == sorted(starts)


def test_a_claim_made_twice_is_drafted_once():
    draft = extractive_draft(KNOWN_TEXT, summary_sentences=5, insights=6)

    chosen = [draft.takeaway.text, *(extract.text for extract in draft.insights)]
    repeated = "An event stream pays off only when each team owns the events it publishes"
    assert CENTRAL_CLAIM in chosen
    assert not any(text.startswith(repeated) for text in chosen)


def test_titles_and_initials_do_not_end_a_sentence():
    found = sentences("Dr. Amira Salo met J. Smith at 9 a.m. on Monday. They agreed on names.")

    assert [s.text for s in found] == ["Dr. Amira Salo met J. Smith at 9 a.m. on Monday.", "They agreed on names."]


def test_empty_or_wordless_text_gives_an_empty_draft():
    assert extractive_draft("").takeaway is None
    assert extractive_draft("").summary == []
    assert extractive_draft("12 34 56. 78 90 12.").summary  # numbers only: still a draft, not a crash


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab. C!?\n\n\"'Dr.e.g 9")), max_size=300))
def test_every_sentence_span_slices_back_to_its_text(text):
    found = sentences(text)

    previous_end = 0
    for sentence in found:
        assert sentence.start >= previous_end
        assert " ".join(text[sentence.start : sentence.end].split()) == sentence.text
        assert sentence.text.strip()
        previous_end = sentence.end
    assert "".join(text.split()) == "".join("".join(s.text.split()) for s in found)


def test_a_very_long_text_is_drafted_from_its_opening():
    text = " ".join(f"Sentence number {n} talks about topic {n % 7} in some detail." for n in range(3000))

    draft = extractive_draft(text)

    assert draft.takeaway is not None
    assert all(extract.start < len(text) // 5 for extract in [*draft.summary, *draft.insights])
