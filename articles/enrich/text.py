"""The one tokenizer: words, shingles, sentences and paragraphs of an original's plain text.

Summarizing, story clustering, the originality check, taxonomy evidence and provenance
(which paragraph a suggestion came from) all read text through this module, so they agree
on what a word and a sentence are, in any alphabet: a Cyrillic or Greek original has words,
sentences and shingles like an English one. Every machine suggestion points back to where
it came from ("from paragraph 4"), so the splitters keep character offsets into
`Article.content_text` rather than copies.

Sentence boundaries survive what broke drafts before:

- a full stop after a title ("Dr.", "Gen.") never ends a sentence; after a reference word
  ("No.", "Nos.", "Fig.", "Jan.") only when no number follows; after a company suffix or
  "etc." only when an ordinary sentence opener follows ("Acme Inc. The company …");
- a full stop inside a quotation that closes later in the paragraph does not end the
  sentence: `"We know where to look. We know how to look," she said.` is one sentence,
  never the fragment `We know how to look," she said.`;
- a photo caption glued to the next sentence without a full stop (common in news pages
  converted to text: "… than a colleague The cost of divorce …") is cut off where a
  lower-case word runs into a capitalised sentence opener.

`bench/sentences.py` measures this splitter against the regex splitter it replaced and
against pysbd; the numbers are in bench/REPORT.md.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# A word: a letter or digit of any alphabet, then letters, digits, apostrophes and hyphens
# ("don't", "state-of-the-art", "Größenordnung" and "Ελλάδα" are one word each).
WORD = re.compile(r"[^\W_][\w'’\-]*")


def words(text: str, limit: int | None = None) -> list[str]:
    """The words of `text` in order, in the form every comparison uses: Unicode-normalized
    (NFKC), case-folded, the typographic apostrophe made plain. With `limit`, only the first
    `limit` words (the rest of a long text is not read)."""
    normalized = unicodedata.normalize("NFKC", text)
    found = WORD.findall(normalized) if limit is None else _first_words(normalized, limit)
    if not found:
        return []
    # Folded at once: case folding maps each character on its own (no context, unlike lower()'s final sigma) and
    # never makes a space, and a word holds none, so the joined words split back into the same words, folded.
    return " ".join(found).casefold().replace("’", "'").split(" ")


def _first_words(text: str, limit: int) -> list[str]:
    """`WORD.findall(text)[:limit]`, reading only as much of `text` as those words take.

    A stretch is read from the start; when it holds more than `limit` words, the first `limit` are whole (each
    ends before the next begins, inside the stretch), so they are the text's own; else a stretch twice as long.
    """
    stretch = 8 * limit
    while stretch < len(text):
        found = WORD.findall(text, 0, stretch)
        if len(found) > limit:
            return found[:limit]
        stretch *= 2
    return WORD.findall(text)[:limit]


def shingles(word_list: list[str], size: int) -> list[tuple[str, ...]]:
    """Every run of `size` consecutive words, in order (a repeated run appears again)."""
    if size < 1:
        return [()] * (len(word_list) + 1)
    return list(zip(*(word_list[i:] for i in range(size)), strict=False))  # the same tuples as slicing each run


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


# --- Sentences --------------------------------------------------------------------------

# Capitals of the alphabets below U+2000 (Latin with its accents, Greek, Cyrillic, Armenian,
# Georgian …): Python's re has no \p{Lu}, and a sentence may start with "Ж" or "Έ" too.
_CAPITALS = "".join(chr(code) for code in range(0xC0, 0x2000) if chr(code).isupper())
# A sentence may end at . ! ? (or …), optionally followed by closing quotes or brackets, then
# whitespace and something that can start a sentence.
SENTENCE_END = re.compile(rf"""[.!?…]+["'”’»)\]]*(?=\s+["'“‘«„(\[]?[A-Z0-9{_CAPITALS}])""")
# A caption run into the next sentence: a lower-case word (or number) and then an opener
# that only starts sentences, followed by a lower-case word.
GLUED = re.compile(
    r"(?<=[a-z0-9%)’'])\s+(?="
    r"(?:The|He|She|They|It|But|This|His|Her|Their|We|However|Meanwhile)\s+[a-z]"
    r"|(?:It|He|She|That|There|What)['’]s\s|In\s+\d{4}\b"
    r"|(?:[A-Z][a-z]+ly|Indeed|However|Meanwhile|Now|Today|Yesterday|Earlier|Later|Instead|Still),\s"
    r")"
)


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# A caption glued on without a full stop can also end where a lower-case word runs into a
# capitalised common word ("… turned the music down Neighbours were told …"): a word the same
# text also uses in lower case, so not a name. Never after a word that precedes names.
GLUED_COMMON = re.compile(r"(?<=[a-z])\s+(?=([A-Z][a-z]+(?:['’][a-z]+)?)\s+[a-z])")
BEFORE_NAMES = _words(
    "manager coach striker president minister secretary chief director boss star actor actress singer captain"
    " defender midfielder forward goalkeeper winger officer spokesman spokeswoman professor judge senator"
    " governor leader founder executive analyst author player mother father wife husband son daughter brother"
    " sister friend colleague partner girlfriend boyfriend legend champion chairman owner said says told and or"
    " but with of in on at by to from for as than like that when while after before where about against into"
    " over under between during named called the a an his her their its our my your this these those new old"
    " said, says, told, nurse doctor dr mr mrs ms miss sir lord lady king queen prince princess pope saint"
)


# Never end a sentence: titles and other words that always precede a name.
TITLES = _words(
    "mr mrs ms dr prof sr jr st mt gen col lt sgt capt gov sen rep rev hon pres supt det insp cmdr"
    " adm maj brig cpl pvt messrs mme mlle fr"
)
# End a sentence only when no number follows ("No. 4", "Jan. 2025", "Fig. 3").
BEFORE_NUMBERS = _words(
    "no nos fig figs vol vols p pp art sec ch chap eq ref nr op jan feb mar apr jun jul aug sep sept"
    " oct nov dec approx ca c"
)
# End a sentence only when an ordinary sentence opener follows ("… Acme Inc. The company …").
SUFFIXES = _words("inc ltd co corp plc llc bros etc al vs est dept univ assn ave blvd rd")
OPENERS = _words(
    "the a an it he she they we i this that these those there his her their its our but and so yet"
    " however in on at for as after before when while if then now meanwhile"
)
# Dotted short forms ("U.S.", "e.g.", "a.m.") never end a sentence unless an opener follows.
DOTTED = re.compile(r"^(?:[a-z]\.){1,3}[a-z]?$")
DOUBLE_QUOTES = {'"': 0, "“": 1, "”": -1}
QUOTE_MARKS = re.compile('["“”]')
# A quotation is kept whole only when it closes within this many characters.
QUOTE_REACH = 600


def _token_before(chunk: str, dot: int) -> str:
    before = chunk[:dot].rsplit(None, 1)
    # "then-Sen." is a title too: the part after the last hyphen decides.
    return before[-1].lower().lstrip("(\"'“‘[").rsplit("-", 1)[-1] if before else ""


NEXT_WORD = re.compile(r"""\s*["'“‘(\[]?([A-Za-z0-9]+)""")


def _next_word(chunk: str, position: int) -> str:
    match = NEXT_WORD.match(chunk, position)
    return match.group(1) if match else ""


def _ends_here(chunk: str, match: re.Match) -> bool:
    if chunk[match.start()] != "." or match.group().startswith(".."):
        return True
    token = _token_before(chunk, match.start())
    following = _next_word(chunk, match.end())
    if token in TITLES:
        return False
    if token in BEFORE_NUMBERS:
        return not following[:1].isdigit()
    if token in SUFFIXES or DOTTED.match(token + "."):
        return following.lower() in OPENERS
    # Single capitals are initials ("J. Smith").
    return not (len(token) == 1 and token.isalpha())


def _inside_quotation(chunk: str, start: int, position: int) -> bool:
    """Whether `position` lies inside a double quotation opened since `start` that closes later, nearby."""
    depth = 0
    for char in QUOTE_MARKS.findall(chunk, start, position):  # the quotation marks only, in order
        kind = DOUBLE_QUOTES[char]
        depth = (1 - depth) if kind == 0 else max(0, depth + kind)
    if not depth:
        return False
    ahead = chunk[position : position + QUOTE_REACH]
    return '"' in ahead or "”" in ahead


def _glued_common(chunk: str, lowered_words: frozenset[str]) -> list[int]:
    cuts = []
    for match in GLUED_COMMON.finditer(chunk):
        before = chunk[: match.start()].rsplit(None, 1)
        # Only after a lower-case word: "the Premier League" and "Welcome Pole" are names.
        if not before or not before[-1][:1].islower() or before[-1].lower() in BEFORE_NAMES:
            continue
        if match.group(1).lower() in lowered_words:
            cuts.append(match.start())
    return cuts


def _boundaries(chunk: str, lowered_words: frozenset[str] = frozenset()) -> list[int]:
    cuts, start = [], 0
    glued = [m.start() for m in GLUED.finditer(chunk)] + _glued_common(chunk, lowered_words)
    candidates = sorted(
        [(m.end(), m) for m in SENTENCE_END.finditer(chunk)] + [(position, None) for position in glued],
        key=lambda pair: pair[0],
    )
    for position, match in candidates:
        if position <= start:
            continue
        if match is not None and (not _ends_here(chunk, match) or _inside_quotation(chunk, start, position)):
            continue
        cuts.append(position)
        start = position
    return cuts


def sentences(text: str) -> list[Sentence]:
    """The sentences of `text` in order, each with its paragraph and character span.

    A draft reads the same original's sentences several times (the summary, the field and role
    evidence, the reading grade): the last few texts' sentences are kept, and each caller gets
    its own list.
    """
    return list(_sentences(text))


LOWER_CASE_WORD = re.compile(r"(?<![\w'’])[a-z]+(?:['’][a-z]+)?")


@functools.lru_cache(maxsize=4)
def _sentences(text: str) -> tuple[Sentence, ...]:
    found: list[Sentence] = []
    # Words the text writes in lower case somewhere (lower-case first letter), to tell common words from names.
    lowered_words = frozenset(LOWER_CASE_WORD.findall(text))
    for paragraph_number, (p_start, p_end) in enumerate(paragraph_spans(text), start=1):
        chunk = text[p_start:p_end]
        cut = 0
        for boundary in _boundaries(chunk, lowered_words):
            _add(found, text, paragraph_number, p_start + cut, p_start + boundary)
            cut = boundary
        _add(found, text, paragraph_number, p_start + cut, p_end)
    return tuple(found)


def _add(found: list[Sentence], text: str, paragraph: int, start: int, end: int):
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
