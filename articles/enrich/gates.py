"""A sentence filter's pattern searched only where it could match, with the same answer as searching it everywhere.

A filter's pattern is an alternation of many branches, most of them a phrase that can start anywhere: Python's
`re` tries every branch at every character of the sentence, and most sentences match none (25-70 µs a sentence
for the largest patterns). A `Gate` answers `bool(pattern.search(text))` in two parts:

- the branches anchored at the start (`^…`) are one pattern tried at the first character only (`match`);
- the others are searched only when the sentence holds one of the words, or one of the marks, that every match of
  theirs contains (a word the pattern sets off on both sides: "\\bsubscribe\\b", " below\\b", "sponsor(?:ed|s)? ").

The words a gate names are found among the sentence's runs of word characters (`Words`, read once a sentence and
shared by every gate): a branch that sets a word off with `\\b`, a space or a mark matches it as one whole run.
A case-insensitive pattern compares them lower-cased; four characters that Python's `re` takes for an ASCII
letter without `str.lower` making them one ("ſ" for "s", the Kelvin sign for "k", the dotted and dotless i) make
such a gate search the sentence in full. A gate's words and marks are declared beside its pattern, which stays
the one judge: a gate that says "could match" only costs the search it saved.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

RUNS = re.compile(r"\w+")
# Characters outside ASCII that a case-insensitive pattern matches to an ASCII letter (all of them: the test
# checks every code point) and that lower-casing does not turn into that letter.
FOLDED_TO_ASCII = "\u0130\u0131\u017f\u212a"


@dataclass(frozen=True)
class Words:
    """The runs of word characters of one sentence, as written and lower-cased (None: a character of
    FOLDED_TO_ASCII makes lower-cased words unreliable)."""

    cased: frozenset[str]
    folded: frozenset[str] | None


@lru_cache(maxsize=4096)
def words_of(text: str) -> Words:
    cased = frozenset(RUNS.findall(text))
    if not text.isascii() and any(char in text for char in FOLDED_TO_ASCII):
        return Words(cased, None)
    return Words(cased, frozenset(map(str.lower, cased)))


def branches(source: str) -> list[str]:
    """The top-level alternatives of a pattern's source."""
    found, depth, in_class, start, position = [], 0, False, 0, 0
    while position < len(source):
        char = source[position]
        if char == "\\":
            position += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if source[position + 1 : position + 2] == "]":  # "[]…]": a "]" right after "[" is a member
                position += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and not depth:
            found.append(source[start:position])
            start = position + 1
        position += 1
    found.append(source[start:])
    return found


class Gate:
    """`pattern`, searched only where it could match. `words`: every match of a branch not anchored at the start
    holds one of them as a whole run of word characters (compared lower-cased when the pattern ignores case);
    `marks`: or one of these strings; `also(text)`: or this holds."""

    def __init__(self, pattern: re.Pattern, *, words: str = "", marks: tuple[str, ...] = (), also=None):
        self.pattern = pattern
        parts = branches(pattern.pattern)
        opening = [part for part in parts if part.startswith("^")]
        anywhere = [part for part in parts if not part.startswith("^")]
        self.opening = re.compile("|".join(opening), pattern.flags).match if opening else None
        self.anywhere = re.compile("|".join(anywhere), pattern.flags).search if anywhere else None
        self.words = frozenset(words.split())
        self.marks = marks
        self.also = also
        self.ignores_case = bool(pattern.flags & re.IGNORECASE)

    def found(self, text: str, words: Words | None = None) -> bool:
        """`bool(self.pattern.search(text))`."""
        if self.opening is not None and self.opening(text):
            return True
        if self.anywhere is None:
            return False
        return self.could_be_anywhere(text, words or words_of(text)) and self.anywhere(text) is not None

    def could_be_anywhere(self, text: str, words: Words) -> bool:
        runs = words.folded if self.ignores_case else words.cased
        if runs is None or not self.words.isdisjoint(runs):
            return True
        return any(mark in text for mark in self.marks) or (self.also is not None and self.also(text))
