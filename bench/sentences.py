"""Sentence splitters compared: the one splitter (articles/enrich/text.py), the regex splitter
it replaced, and pysbd.

    .venv/bin/python bench/sentences.py

The regex splitter is the `sentences` of articles/enrich/text.py at commit bd5ca8e (before the
two splitters were unified), loaded from git, so the comparison stays reproducible.

1. Hard cases written for this benchmark (abbreviations, numbers, quotations, glued
   captions): the share of cases split exactly right.
2. On the 250 CNN/DM articles and the English real-feed items: the share of sentences that
   look broken (start in lower case, end on a reference word such as "Nos.", or carry an
   unbalanced double quote), and the time taken.
"""

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpora

# Each case is its correct sentences; the splitters see them joined by one space.
CASES = [
    ["He lived at Nos. 4 and 6 Harbour Street.", "He moved out in 1999."],
    ["The U.S. economy grew 2.5% last year.", "Prices rose by $1.50 a gallon."],
    ["Dr. Okafor arrived at 9 a.m. on Monday.", "She left at 5 p.m."],
    ['"We know where to look. We know how to look," the chief scientist said.', '"It is a matter of time."'],
    ["The company, Acme Inc., reported a profit.", "Shares rose."],
    ["They moved to Acme Corp.", "The move took a year."],
    ["It cost 3.5 million dollars, i.e. far too much.", "Nobody paid."],
    ["Version 2.0 ships in Jan. 2025 with new features.", "Users will like it."],
    ["Mr. and Mrs. Jones met Gen. Ortiz in St. Louis.", "They talked for an hour."],
    ['He said: "Stop."', "Then he left."],
    ["The U.K. and the U.S. signed.", "The E.U. did not."],
    ["See Fig. 3 for the results.", "The effect is small."],
    ["The vote was No. 12 on the list.", "It passed."],
    ["Profits fell 4.2 per cent to £1.3bn.", "The chief executive resigned."],
    ["Why does it matter?", "Because the grid cannot store the surplus."],
    ["Researchers from Univ. of Leeds took part.", "They measured 40 sites."],
    ['"I am leaving," she said.', '"Nobody asked me to stay."', "The room went quiet."],
    ["The pilot said no.", "Nobody argued."],
    ["Pictured: the new store in Leeds", "The retailer opened 12 shops this year."],
    ["Families who moved saved money on average", "The study followed 2,000 households for a decade."],
    ["Prof. Lin et al. reported the effect in 2019.", "Others could not replicate it."],
    ["Apple released iOS 11.2 on Monday.", "It fixes the bug."],
    ["The meeting ends at 10 p.m.", "The vote follows tomorrow."],
    ["“This is the moment. We have waited ten years,” said the mayor.", "The crowd cheered."],
    ["Sales rose in Q3, esp. in Europe.", "Margins held."],
    ["She works for the U.N. in Geneva.", "Her term ends soon."],
    ["The test suite ran 1,204 cases in 3.2 s.", "Two failed."],
    ["It was warm...", "The rain came later."],
    ["Rev. Dr. Mensah led the service.", "It lasted an hour."],
    ["The ban covers items Nos. 7-9 only.", "Appeals are open until Dec. 31."],
]
REFERENCE_END = re.compile(r"\b(?:No|Nos|Fig|Vol|pp|Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.$")


REGEX_COMMIT = "bd5ca8e"


def regex_splitter():
    """`sentences` of articles/enrich/text.py as it was at REGEX_COMMIT."""
    return corpora.module_at(REGEX_COMMIT, "articles/enrich/text.py").sentences


def splitters():
    import pysbd

    from articles.enrich import text

    regex = regex_splitter()
    segmenter = pysbd.Segmenter(language="en", clean=False)
    return {
        "one splitter (enrich/text.py)": lambda t: [s.text for s in text.sentences(t)],
        f"regex (text.py at {REGEX_COMMIT})": lambda t: [s.text for s in regex(t)],
        "pysbd 0.3.4": lambda t: [" ".join(s.split()) for s in segmenter.segment(t) if s.strip()],
    }


def broken(sentence: str) -> bool:
    quotes = sentence.count('"') + sentence.count("“") + sentence.count("”")
    return sentence[:1].islower() or bool(REFERENCE_END.search(sentence)) or quotes % 2 == 1


def main():
    import django

    django.setup()
    texts = [p.text for p in corpora.cnndm()] + [p.text for p in corpora.realfeeds()]
    print(f"{'splitter':<32}{'hard cases':>12}{'sentences':>11}{'broken':>9}{'ms/text':>9}")
    for name, split in splitters().items():
        right = sum(split(" ".join(case)) == case for case in CASES)
        started = time.perf_counter()
        found = [s for text in texts for s in split(text)]
        elapsed = (time.perf_counter() - started) * 1000 / len(texts)
        bad = sum(broken(s) for s in found)
        print(f"{name:<32}{right:>6}/{len(CASES):<5}{len(found):>11}{100 * bad / len(found):>8.1f}%{elapsed:>9.1f}")
    print(f"({len(texts)} texts: 250 CNN/DM articles and the English real-feed items)")


if __name__ == "__main__":
    main()
