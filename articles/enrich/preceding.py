"""What the text before a sentence says about it (`needs_what_comes_before`): whether the sentence can be read
without what precedes it in the piece."""

import re

from articles.enrich.filters import SINGLE_CLOSE, SINGLE_OPEN

# What the text before a sentence says about it: a list or quotation announced with a colon, an
# open quotation (British news runs a quotation over several paragraphs, each reopening it),
# or a sentence cut off before it (a paragraph ending on "the" or "The Harbour").
CUT_BEFORE = re.compile(
    r"(?:\b(?:the|a|an|of|to|and|or|in|on|at|for|with|by|from|showing|including|like|such as)"
    r"|\b(?:The|A|An) [\w'’-]+)\s*$"
)
PARAGRAPH_REACH = 1500
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def needs_what_comes_before(text: str, start: int) -> str | None:
    """Why the sentence starting at `start` in `text` cannot be read without what precedes it, or None."""
    before = text[max(0, start - PARAGRAPH_REACH) : start]
    paragraphs = PARAGRAPH_BREAK.split(before)
    here = paragraphs[-1]
    previous = before.rstrip()
    if previous.endswith(":"):
        return "announced by a colon"
    if previous and CUT_BEFORE.search(previous[-60:]):
        return "sentence cut before it"
    if _quotes_open(here):
        return "inside a quotation"
    # A quotation carried over from the paragraph before: that paragraph left it open and this one reopens it.
    if len(paragraphs) > 1 and here.lstrip()[:1] in "'‘\"“" and _quotes_open(paragraphs[-2]):
        return "inside a quotation"
    return None


def _quotes_open(text: str) -> bool:
    doubles = text.count('"') % 2 == 1 or text.count("“") > text.count("”")
    if doubles:
        return True
    if "'" not in text and "‘" not in text:
        return False  # no single quotation opened
    return len(SINGLE_OPEN.findall(text)) > len(SINGLE_CLOSE.findall(text))
