"""Flawed takeaways (and insights) of the extractive drafts, each kind of defect counted.

    .venv/bin/python bench/defects.py [--show KIND]

Drafts every one of the 250 CNN/DM articles and every English real-feed item of at least
80 words (as ingestion stores it; see bench/corpora.py) and checks the takeaway against
rules written for this checker alone (it does not import the drafting filters, so a
filter's blind spot is not hidden by the same blind spot here). A takeaway is flawed if
any rule fires; "none drafted" is reported beside the rate, not hidden in it.

`--baseline COMMIT` checks the drafts of articles/enrich/summarize.py as it was at COMMIT
instead (a99572d is the drafting before issue 10), so the same rules measure before and after.
"""

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpora

WORD = re.compile(r"[^\W_][\w'’\-]*")
RULES = {
    "call to action": re.compile(
        r"\b(?:click|tap) (?:here|below|the)\b|\bsubscribe\b|\bsign up\b|\bdownload (?:the|our|a|it)\b"
        r"|\bread more\b|\bfollow (?:us|me)\b"
        r"|\b(?:promo|discount) code\b|\buse code\b|\blearn more\b|\bscroll down\b",
        re.IGNORECASE,
    ),
    "metadata or byline": re.compile(
        r"^\s*by\s+[A-Z][a-z]+ [A-Z][a-z]+\s*(?:$|[,|.])|^[A-Z][a-z]+(?: [A-Za-z]+)?:\s"
        r"|\b(?:published|updated|posted)\s*:|\b\d{1,2}:\d{2}\s*(?:gmt|bst|edt|utc)\b"
        r"|https?://|\bwww\.|\S+@\S+\.[a-z]{2,}|\s\|\s",
        re.IGNORECASE,
    ),
    "caption": re.compile(
        r"\bpictured\b|\(left\)|\(right\)|\(above\)|\(below\)|\bgetty\b|\bphoto(?:graph)?:", re.IGNORECASE
    ),
    "ends with a colon": re.compile(r":\s*$"),
    "quote fragment": re.compile(r"""^["'“‘]?[a-z]|^[^"“”]*[,.!?]["”]\s*(?:\w+\s+){0,3}(?:said|says|added|told)\b"""),
    "cut at an abbreviation": re.compile(
        r"\b(?:Nos?|Dr|Mr|Mrs|Ms|Prof|St|Gen|Gov|Sen|Rep|Fig|Vol|Jan|Feb|Aug|Sept|Oct|Nov|Dec|[A-Z])\.$"
    ),
    "instruction to the reader": re.compile(
        r"^(?:Create|Try|Get|Visit|Take a look|Check out|Keep an eye|Order|Join)\b"
    ),
    "thanks the reader": re.compile(r"\bthanks? (?:you )?for reading\b", re.IGNORECASE),
    "wire dateline": re.compile(r"\((?:CNN|AP|Reuters|AFP)\)"),
    "points back": re.compile(
        r"^[\"“]?(?:He|She|It|They|This|That|These|Those|His|Her|Their|But|And|So|Also|However|Plus|Indeed"
        r"|From that|If you|You|Thanks)\b"
    ),
    "points back after an adverb": re.compile(
        r"^(?:\w+ly,?|Maybe|Perhaps|All|From the outside,)\s+(?:he|she|it|they|this|that|these|those)\b"
    ),
    "about the page": re.compile(r"\btop of (?:this|the) story\b|\bvideo can be seen\b|\bTopics include\b"),
    "single-quote fragment": re.compile(r"^(?!.*(?:^|\s)['‘]\w).*[.!?]['’]$"),
    "glued caption": re.compile(
        r"\b(?:court|replay|derby|match|game|season|week|home|hospital|room|pictured|left|right|above|below)"
        r"(?: [A-Z][a-z]+){1,3} (?:has|had|was|is|said|says)\b"
        r"|[a-z,]\s+(?:And|But|Like|The|It|He|She|They|Indeed)[\s,]+[a-z]"
    ),
}


def defects(takeaway: str, summary: list[str]) -> list[str]:
    found = [kind for kind, pattern in RULES.items() if pattern.search(takeaway)]
    quotes = takeaway.count('"') + takeaway.count("“") + takeaway.count("”")
    single_open = len(re.findall(r"(?:^|\s)['‘]\w", takeaway))
    single_close = len(re.findall(r"(?<=[\w.,!?])(?<!s)['’](?=[\s.,;:!?)]|$)", takeaway))
    if (quotes % 2 or single_open != single_close) and "quote fragment" not in found:
        found.append("quote fragment")
    words = WORD.findall(takeaway)
    if len(words) < 6:
        found.append("too short to stand alone")
    if not re.search(r"""[.!?]["'”’)]*$""", takeaway):
        found.append("no end punctuation")
    mine = {w.lower() for w in words if len(w) > 3}
    for sentence in summary:
        theirs = {w.lower() for w in WORD.findall(sentence) if len(w) > 3}
        if takeaway in sentence or sentence in takeaway or (mine and len(mine & theirs) / len(mine | theirs) >= 0.6):
            found.append("repeats the summary")
            break
    return found


def drafting(baseline: str | None):
    """extractive_draft(text, title) of the current code, or of summarize.py at commit `baseline`."""
    if not baseline:
        from articles.enrich.summarize import extractive_draft

        return lambda text, title: extractive_draft(text, title=title)
    import importlib.util
    import subprocess
    import tempfile

    source = subprocess.run(
        ["git", "show", f"{baseline}:articles/enrich/summarize.py"],
        cwd=corpora.ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "summarize_at_baseline.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("summarize_at_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return lambda text, title: module.extractive_draft(text)


def check(pieces, draft_of) -> tuple[Counter, Counter, int, int, list]:
    kinds, insight_kinds, flawed, missing, examples = Counter(), Counter(), 0, 0, []
    for piece in pieces:
        draft = draft_of(piece.text, piece.title)
        summary = [extract.text for extract in draft.summary]
        if draft.takeaway is None:
            missing += 1
        else:
            found = defects(draft.takeaway.text, summary)
            kinds.update(found)
            flawed += bool(found)
            examples.extend((kind, piece.id, draft.takeaway.text) for kind in found)
        chosen = summary + ([draft.takeaway.text] if draft.takeaway else [])
        for insight in draft.insights:
            insight_kinds.update(defects(insight.text, chosen))
    return kinds, insight_kinds, flawed, missing, examples


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", metavar="KIND", help="print the takeaways with this defect ('all' for every one)")
    parser.add_argument("--baseline", metavar="COMMIT", help="check summarize.py as it was at this commit")
    args = parser.parse_args()
    import django

    django.setup()
    draft_of = drafting(args.baseline)
    if args.baseline:
        print(f"Drafts of articles/enrich/summarize.py at {args.baseline}")
    for name, pieces in (("CNN/DM (250 articles)", corpora.cnndm()), ("real feeds (English)", corpora.realfeeds())):
        kinds, insight_kinds, flawed, missing, examples = check(pieces, draft_of)
        drafted = len(pieces) - missing
        print(f"\n{name}: {len(pieces)} pieces, takeaway drafted for {drafted}, none drafted for {missing}")
        print(f"  flawed takeaways: {flawed} of {drafted} = {100 * flawed / max(1, drafted):.1f}%")
        for kind, count in kinds.most_common():
            print(f"    {kind:<28}{count:>4}")
        print(f"  defects in insights: {sum(insight_kinds.values())} ({dict(insight_kinds.most_common())})")
        for kind, piece_id, text in examples:
            if args.show in (kind, "all"):
                print(f"    [{kind}] {piece_id}: {text}")


if __name__ == "__main__":
    main()
