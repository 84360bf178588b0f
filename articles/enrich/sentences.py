"""Sentence boundaries for drafting: abbreviations, numbers, quotations and glued captions.

`sentences(text)` has the contract of `articles.enrich.text.sentences` (same `Sentence`
records with character offsets into the text) and splits better where drafts went wrong:

- a full stop after a title ("Dr.", "Gen.") never ends a sentence; after a reference word
  ("No.", "Nos.", "Fig.", "Jan.") only when no number follows; after a company suffix or
  "etc." only when an ordinary sentence opener follows ("Acme Inc. The company …");
- a full stop inside a quotation that closes later in the paragraph does not end the
  sentence: `"We know where to look. We know how to look," she said.` is one sentence,
  never the fragment `We know how to look," she said.`;
- a photo caption glued to the next sentence without a full stop (common in news pages
  converted to text: "… than a colleague The cost of divorce …") is cut off at the place
  where a lower-case word runs into a capitalised sentence opener.

`bench/sentences.py` measures this splitter against the regex splitter in text.py and
pysbd on hand-written hard cases and on the evaluation corpora; the numbers are in
bench/REPORT.md.
"""

import re

from articles.enrich.text import Sentence, paragraph_spans

SENTENCE_END = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")
# A caption run into the next sentence: a lower-case word (or number) and then an opener
# that only starts sentences, followed by a lower-case word.
GLUED = re.compile(
    r"(?<=[a-z0-9%)’'])\s+(?=(?:The|He|She|They|It|But|This|His|Her|Their|We|However|Meanwhile)\s+[a-z])"
)


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


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
# A quotation is kept whole only when it closes within this many characters.
QUOTE_REACH = 600


def _token_before(chunk: str, dot: int) -> str:
    before = chunk[:dot].rsplit(None, 1)
    return before[-1].lower().lstrip("(\"'“‘[") if before else ""


def _next_word(chunk: str, position: int) -> str:
    match = re.match(r"""\s*["'“‘(\[]?([A-Za-z0-9]+)""", chunk[position:])
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
    for char in chunk[start:position]:
        kind = DOUBLE_QUOTES.get(char)
        if kind is None:
            continue
        depth = (1 - depth) if kind == 0 else max(0, depth + kind)
    if not depth:
        return False
    ahead = chunk[position : position + QUOTE_REACH]
    return '"' in ahead or "”" in ahead


def _boundaries(chunk: str) -> list[int]:
    cuts, start = [], 0
    candidates = sorted(
        [(m.end(), m) for m in SENTENCE_END.finditer(chunk)] + [(m.start(), None) for m in GLUED.finditer(chunk)],
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
    """The sentences of `text` in order, each with its paragraph and character span."""
    found: list[Sentence] = []
    for paragraph_number, (p_start, p_end) in enumerate(paragraph_spans(text), start=1):
        chunk = text[p_start:p_end]
        cut = 0
        for boundary in _boundaries(chunk):
            _add(found, text, paragraph_number, p_start + cut, p_start + boundary)
            cut = boundary
        _add(found, text, paragraph_number, p_start + cut, p_end)
    return found


def _add(found: list[Sentence], text: str, paragraph: int, start: int, end: int):
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        piece = " ".join(text[start:end].split())
        found.append(Sentence(text=piece, index=len(found), paragraph=paragraph, start=start, end=end))
