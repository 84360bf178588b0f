"""The sentence filters search their patterns only where they could match (gates.py): the same answers as searching
every pattern everywhere, on the sentences where a gate could go wrong."""

import json
import re
import string

import pytest

from articles.enrich import filters, hooks
from articles.enrich.gates import FOLDED_TO_ASCII, Gate, branches, words_of
from articles.enrich.text import sentences
from articles.tests.enrich.conftest import KNOWN_TEXT

GATES = [
    *filters.UNUSABLE_GATES,
    *hooks.HOOK_GATES,
    filters.NEEDS_BEFORE_GATE,
    filters.ABOUT_THE_POST_GATE,
    filters.ABOUT_THE_PAGE_GATE,
    filters.PROMOTION_GATE,
    filters.RUN_ON_GATE,
    filters.ENGLISH_GATE,
]

# Each filter's answer on sentences chosen to reach the branches a gate guards, matching and not: a word the gate
# names used otherwise ("clicked", "read the report"), a long s that a case-blind pattern reads as "s", a mark
# ("@", "://", "(", a final "3.") and the words a branch needs in capitals and in lower case.
ANSWERS = [
    ("unusable", "Click here to download the full report on the harbour.", "call to action"),
    ("unusable", "He clicked through the harbour's report before the vote was taken.", None),
    ("unusable", "To keep reading, ſubscribe to the harbour newsletter today.", "call to action"),
    ("unusable", "The council will ſubmit its plan for the harbour in May.", None),
    ("unusable", "Readers can reach the desk at desk@harbour.example for corrections.", "metadata"),
    ("unusable", "The full plan is at https://harbour.example/plan for anyone to read.", "metadata"),
    ("unusable", "Updated: 3 May, with the council's reply.", "caption"),
    ("unusable", "The ferry (pictured) left the pier at dawn with forty passengers.", "caption"),
    ("unusable", "Thanks for reading, and see you next week at the harbour.", "boilerplate"),
    ("unusable", "This post first appeared on the harbour blog last spring.", "boilerplate"),
    ("unusable", "The harbour master read the report twice before the vote.", None),
    ("unusable", "Sponsored by Harbour Logistics, this week's issue covers ferries.", "call to action"),
    (
        "not_standalone",
        "The ferry company will close the northern pier at the end of the month, the council said.",
        "points back",
    ),
    (
        "not_standalone",
        "Harbour traffic fell by a third after the council raised the mooring fees on stage 3.",
        "glued caption",
    ),
    (
        "not_standalone",
        "Ferry crews were late on Monday, and neither, the council said, could explain why.",
        "points back",
    ),
    (
        "not_standalone",
        "Harbour footage in the video below shows where the old pier used to stand before the storm.",
        "about the page",
    ),
    (
        "not_standalone",
        "Harbour traffic fell by a third after Ana Ruiz says the council raised the mooring fees.",
        None,
    ),
    ("not_standalone", "The fixture HARBOUR V MILLTOWN was moved to Sunday because of the storm.", "glued caption"),
    (
        "not_standalone",
        "The council voted on the plan for the pier Officially named the New Pier in 2019.",
        "glued caption",
    ),
    ("not_standalone", "The council said the plan would cost more than the harbour could raise this year.", None),
    (
        "not_standalone",
        "Both ferries were late on Monday, and neither crew could say why the engines failed.",
        "points back",
    ),
    ("not_standalone", "Harbour traffic fell by a third after the council raised the mooring fees in spring.", None),
    (
        "not_standalone",
        "Stay tuned for more on the harbour plan as the council debates it next month.",
        "about the page",
    ),
    (
        "not_standalone",
        "The new ferries won't break the bank, at least for the council's transport budget.",
        "call to action",
    ),
    ("not_standalone", "Forty passengers on the old pier at dusk after the last ferry of the summer season.", None),
    (
        "not_standalone",
        "Because of the storm, they're keeping the ferries in port until the wind drops again.",
        "points back",
    ),
    ("not_standalone", "The harbour master, Ana Ruiz, said the ferries would sail again on Tuesday morning.", None),
    (
        "not_standalone",
        "The harbour master said GULL STEALS THE TROPHY was the best headline of the harbour year.",
        "glued caption",
    ),
    (
        "not_standalone",
        "The ferry left the harbour at dawn and The crew waved to the town from the old pier.",
        "glued caption",
    ),
    ("not_standalone", "Harbour crews met on Monday, and the council said Ana Ruiz has the final say on fees.", None),
    ("not_standalone", "The ferry crews in the harbour met the council on Monday to talk about the fees.", None),
    ("points_back", "The 27-year-old skipper brought the ferry home through the storm on Monday night.", True),
    ("points_back", "These problems will be harder to fix once the winter storms arrive in the harbour.", True),
    ("points_back", "The harbour council approved the plan for the new pier by nine votes to two.", False),
    ("points_back", "The ferry company, though, says the timetable will not change before the summer.", True),
    ("hook", "We begin our tour of the harbour with the old lighthouse keeper's cottage.", "opens the post"),
    ("hook", "The harbour plan has certainly been the talk of the town lately.", "buzz"),
    ("hook", "How ferries choose their routes in a storm remains poorly understood by engineers.", "background"),
    ("hook", "Last month, I took the first ferry of the day across the harbour.", "scene"),
    ("hook", "The harbour council began the meeting with a vote on the new ferry timetable.", None),
    ("hook", "Engineers have seen the new pier and say it will last for fifty years.", None),
]


@pytest.mark.parametrize(("name", "sentence", "answer"), ANSWERS)
def test_the_filters_answer_tricky_sentences_as_before(name, sentence, answer):
    assert getattr(hooks if name == "hook" else filters, name)(sentence) == answer


def _variants(sentence: str) -> list[str]:
    # The same words in capitals and in lower case, and with a long s or a Kelvin sign in place of an ASCII letter.
    return [sentence, sentence.upper(), sentence.lower(), sentence.replace("s", "ſ"), sentence.replace("k", "\u212a")]


def test_every_gate_answers_as_its_pattern_searched_everywhere():
    tricky = [sentence for _name, sentence, _answer in ANSWERS]
    known = [s.text for s in sentences(KNOWN_TEXT)]
    for sentence in [variant for text in tricky + known for variant in _variants(text)]:
        for gate in GATES:
            assert gate.found(sentence) == bool(gate.pattern.search(sentence)), (gate.pattern.pattern[:60], sentence)


def test_every_gate_answers_as_its_pattern_on_the_summaries_corpus(corpora):
    path = corpora / "summaries" / "cnndm_test_frank_250.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is not here")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:60]]
    texts = [max((v for v in row.values() if isinstance(v, str)), key=len) for row in rows]
    for sentence in {s.text for text in texts for s in sentences(text)}:
        words = words_of(sentence)
        for gate in GATES:
            assert gate.found(sentence, words) == bool(gate.pattern.search(sentence)), (
                gate.pattern.pattern[:60],
                sentence,
            )


def test_folded_to_ascii_holds_every_character_a_case_blind_pattern_reads_as_an_ascii_letter():
    others = "".join(chr(code) for code in range(128, 0x110000))
    as_class = set(re.findall("[a-z]", others, re.IGNORECASE))
    as_letters = set(re.findall("|".join(string.ascii_lowercase), others, re.IGNORECASE))
    assert as_class | as_letters == set(FOLDED_TO_ASCII)


def test_a_pattern_splits_into_its_top_level_alternatives_only():
    assert branches(r"^a(?:b|c)|[|(]d|e\|f") == ["^a(?:b|c)", "[|(]d", r"e\|f"]
    for gate in GATES:
        assert "|".join(branches(gate.pattern.pattern)) == gate.pattern.pattern


def test_a_gate_without_its_words_still_finds_what_its_opening_branches_match():
    gate = Gate(re.compile(r"^by \w+|\bsubscribe\b", re.IGNORECASE), words="subscribe")
    assert gate.found("By Ana Ruiz")
    assert gate.found("Please SUBSCRIBE now")
    assert not gate.found("Ana Ruiz subscribed")
    assert not gate.found("Written by Ana Ruiz")


# Sentences for the finite-verb check read from words: a verb of the list in any case, a word in -ed or -s, one
# that only looks like it ("bed", "glass", "Harbours"), a contraction, and none at all.
VERB_SENTENCES = [
    "The old pier at dusk.",
    "The old pier WAS at dusk.",
    "Forty passengers on the old pier at dusk.",
    "A bed of glass for the harbour.",
    "The Harbours of the north coast.",
    "The crew's boat in the harbour.",
    "The boat isn’t in the harbour.",
    "Naïve ferries in the harbour.",
    "The ferry sailed at dawn.",
    "The ferry, 3 knots, at dawn.",
]


def test_a_finite_verb_read_from_the_words_is_the_patterns_answer():
    tricky = VERB_SENTENCES + [sentence for _name, sentence, _answer in ANSWERS]
    known = [s.text for s in sentences(KNOWN_TEXT)]
    variants = [v for text in tricky + known for v in [*_variants(text), text.replace("i", "\u0130"), text.title()]]
    for sentence in variants:
        assert filters._finite_verb(sentence) == bool(filters.FINITE_VERB.search(sentence)), sentence
    assert "made" in filters.VERB_WORDS and "isn't" not in filters.VERB_WORDS and len(filters.VERB_WORDS) == 88
    # Lower-casing makes an ASCII letter only of the characters FOLDED_TO_ASCII sends to the pattern.
    lowered_to_ascii = {
        c for c in map(chr, range(128, 0x110000)) if any(x.isascii() and x.isalpha() for x in c.lower())
    }
    assert lowered_to_ascii <= set(FOLDED_TO_ASCII)
