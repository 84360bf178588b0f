"""How a card and a brief page read: a lead cut at a sentence, never mid-sentence."""

import re

from django import template

register = template.Library()

# A sentence ends at . ! or ? (maybe closed by a quote or bracket) followed by a space.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")


@register.filter
def lead_sentences(text: str, max_words: int = 45) -> str:
    """Whole sentences of `text` up to about `max_words` words; at least the first sentence.

    A first sentence longer than the limit is kept whole: a card that stops mid-thought
    reads worse than a slightly longer one.
    """
    text = " ".join((text or "").split())
    if not text:
        return ""
    kept: list[str] = []
    words = 0
    for sentence in _SENTENCE_END.split(text):
        count = len(sentence.split())
        if kept and words + count > max_words:
            break
        kept.append(sentence)
        words += count
    return " ".join(kept)
