"""The one tokenizer: words, shingles, sentences and paragraphs of an original's plain text.

Summarizing, story clustering, the originality check and provenance (which paragraph a
suggestion came from) all read text through this module, so they agree on what a word is,
in any alphabet: a Cyrillic or Greek original has words, sentences and shingles like an
English one. Every machine suggestion points back to where it came from ("from paragraph
4"), so the splitters keep character offsets into `Article.content_text` rather than copies.
"""

import re
import unicodedata
from dataclasses import dataclass

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Capitals of the alphabets below U+2000 (Latin with its accents, Greek, Cyrillic, Armenian,
# Georgian …): Python's re has no \p{Lu}, and a sentence may start with "Ж" or "Έ" too.
_CAPITALS = "".join(chr(code) for code in range(0xC0, 0x2000) if chr(code).isupper())
# A sentence ends at . ! ? (or …), optionally followed by closing quotes or brackets, then
# whitespace and something that can start a sentence.
SENTENCE_END = re.compile(rf"""[.!?…]+["'”’»)\]]*(?=\s+["'“‘«„(\[]?[A-Z0-9{_CAPITALS}])""")
# Words after which a full stop does not end the sentence.
ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "gen", "col", "lt", "sgt", "capt", "gov", "sen"}
    | {"rep", "rev", "fig", "vs", "etc", "inc", "ltd", "co", "corp", "no", "vol", "jan", "feb", "mar", "apr"}
    | {"jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "e.g", "i.e", "u.s", "u.k", "u.n", "a.m", "p.m"}
)
# A word: a letter or digit of any alphabet, then letters, digits, apostrophes and hyphens
# ("don't", "state-of-the-art", "Größenordnung" and "Ελλάδα" are one word each).
WORD = re.compile(r"[^\W_][\w'’\-]*")


def words(text: str) -> list[str]:
    """The words of `text` in order, in the form every comparison uses: Unicode-normalized
    (NFKC), case-folded, the typographic apostrophe made plain."""
    return [word.casefold().replace("’", "'") for word in WORD.findall(unicodedata.normalize("NFKC", text))]


def shingles(word_list: list[str], size: int) -> list[tuple[str, ...]]:
    """Every run of `size` consecutive words, in order (a repeated run appears again)."""
    return [tuple(word_list[i : i + size]) for i in range(len(word_list) - size + 1)]


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
