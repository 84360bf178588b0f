"""How much of a brief is copied verbatim from its original.

Two figures a curator can check by eye: the longest passage the brief shares word for
word with the original, and the share of the brief's 8-word sequences (shingles) that
also occur in the original. Words are compared lower-cased and without punctuation, so
re-punctuating a copied sentence does not hide it. Shingles never span two sections of
the brief (the end of the summary and the start of the takeaway are not a sequence).
"""

from dataclasses import dataclass
from difflib import SequenceMatcher

from django.conf import settings

from articles import anatomy
from articles.enrich.text import shingles, words

SHINGLE = 8


@dataclass(frozen=True)
class Originality:
    shared_share: float  # 0..1 of the brief's 8-word sequences found in the original
    shingles: int  # how many 8-word sequences the brief has
    longest_words: int
    longest_passage: str

    @property
    def percent(self) -> int:
        return round(self.shared_share * 100)

    def exceeds(self, max_share: float | None = None) -> bool:
        limit = settings.ENRICH_ORIGINALITY_MAX_SHARE if max_share is None else max_share
        return self.shared_share > limit

    def describe(self) -> str:
        if not self.shingles:
            return "The brief is too short to compare (fewer than 8 words in every section)."
        longest = (
            f"the longest copied passage is {self.longest_words} words (“{self.longest_passage}”)"
            if self.longest_words
            else "no passage of the original is copied"
        )
        return f"{self.percent}% of its 8-word sequences appear word for word in the original, and {longest}"


def brief_sections(article, changes: dict | None = None) -> list[str]:
    """The editorial texts of a brief (the sections the anatomy counts), one string per section or list item.

    `changes` (section name → new value) are read in place of the stored values.
    """
    changes = changes or {}
    parts = []
    for section in anatomy.counted_by_originality():
        if section.name in changes:
            value = changes[section.name]
        elif section.kind == anatomy.Kind.PER_ROLE and getattr(article, "pk", None) is None:
            # A generated card carries its notes; an unsaved brief has no rows yet.
            value = getattr(article, section.name, None)
            value = [] if hasattr(value, "all") else value
        else:
            value = getattr(article, section.name)
        parts.extend(anatomy.texts_of(section, value))
    return [part for part in parts if part.strip()]


def compare(sections: list[str], original: str) -> Originality:
    original_words = words(original)
    original_shingles = set(shingles(original_words, SHINGLE))
    total = shared = 0
    longest: list[str] = []
    for section in sections:
        section_words = words(section)
        section_shingles = shingles(section_words, SHINGLE)
        total += len(section_shingles)
        shared += sum(1 for shingle in section_shingles if shingle in original_shingles)
        if section_words and original_words:
            match = SequenceMatcher(None, section_words, original_words, autojunk=False).find_longest_match(
                0, len(section_words), 0, len(original_words)
            )
            if match.size > len(longest):
                longest = section_words[match.a : match.a + match.size]
    # One or two common words in a row are not copying.
    if len(longest) < 3:
        longest = []
    return Originality(
        shared_share=shared / total if total else 0.0,
        shingles=total,
        longest_words=len(longest),
        longest_passage=" ".join(longest),
    )


def check_article(article, changes: dict | None = None) -> Originality:
    """The figures of `article`, or of `article` with `changes` (section name → new value) applied."""
    return compare(brief_sections(article, changes), article.content_text or "")
