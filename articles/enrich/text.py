"""Paragraphs and sentences of an original's plain text, each with its place in that text.

Every machine suggestion points back to where it came from ("from paragraph 4"), so the
splitters keep character offsets into `Article.content_text` rather than copies.
"""

import re
from dataclasses import dataclass

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# A sentence ends at . ! ? (or …), optionally followed by closing quotes or brackets, then
# whitespace and something that can start a sentence.
SENTENCE_END = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")
# Words after which a full stop does not end the sentence.
ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "gen", "col", "lt", "sgt", "capt", "gov", "sen"}
    | {"rep", "rev", "fig", "vs", "etc", "inc", "ltd", "co", "corp", "no", "vol", "jan", "feb", "mar", "apr"}
    | {"jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "e.g", "i.e", "u.s", "u.k", "u.n", "a.m", "p.m"}
)
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")


@dataclass(frozen=True)
class Sentence:
    text: str
    index: int  # position among all sentences of the text, from 0
    paragraph: int  # paragraph number, from 1, as a curator counts
    start: int  # character offsets into the full text
    end: int

    @property
    def words(self) -> list[str]:
        return WORD.findall(self.text)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank paragraph."""
    spans, position = [], 0
    for match in PARAGRAPH_BREAK.finditer(text):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(text)))
    return [(start, end) for start, end in spans if text[start:end].strip()]


def _is_abbreviation(text: str, dot_position: int) -> bool:
    before = text[:dot_position].rsplit(None, 1)
    token = before[-1].lower().lstrip("(\"'“‘") if before else ""
    # Single capitals ("J. Smith") and known short forms do not end a sentence.
    return token in ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def sentences(text: str) -> list[Sentence]:
    """The sentences of `text` in order, each with its paragraph and character span."""
    found: list[Sentence] = []
    for paragraph_number, (p_start, p_end) in enumerate(paragraph_spans(text), start=1):
        chunk = text[p_start:p_end]
        cut = 0
        for match in SENTENCE_END.finditer(chunk):
            if chunk[match.start()] == "." and _is_abbreviation(chunk, match.start()):
                continue
            _add(found, text, paragraph_number, p_start + cut, p_start + match.end())
            cut = match.end()
        _add(found, text, paragraph_number, p_start + cut, p_end)
    return found


def _add(found: list[Sentence], text: str, paragraph: int, start: int, end: int):
    # Trim whitespace without losing the offsets.
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        piece = " ".join(text[start:end].split())
        found.append(Sentence(text=piece, index=len(found), paragraph=paragraph, start=start, end=end))


def paragraph_of(text: str, offset: int) -> int:
    """The paragraph number (from 1) holding character `offset`."""
    for number, (start, end) in enumerate(paragraph_spans(text), start=1):
        if offset < end or offset <= start:
            return number
    return max(1, len(paragraph_spans(text)))


def word_count(text: str) -> int:
    return len(WORD.findall(text))
