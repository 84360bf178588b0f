"""Flawed takeaways (and insights) of the extractive drafts, each kind of defect counted.

    .venv/bin/python bench/defects.py [--show KIND] [--sample] [--baseline COMMIT]

Drafts every one of the 250 CNN/DM articles and every English real-feed item of at least
80 words (as ingestion stores it; see bench/corpora.py) and checks the takeaway against
rules written for this checker alone (it does not import the drafting filters, so a
filter's blind spot is not hidden by the same blind spot here). A takeaway is flawed if
any rule fires; "none drafted" is reported beside the rate, not hidden in it.

Some rules read the original around the takeaway: inside an open quotation, announced by a
colon, continuing a sentence cut before it; "off the subject" is a takeaway sharing no word
of four letters or more with the title and the summary.

Then the hand check: a seeded sample of 55 pieces per set (drawn from all pieces, so it does
not move with the drafting), whose takeaways were read as an editor would; the verdicts
live in bench/handcheck.tsv with a digest of the takeaway judged, and only verdicts whose
takeaway is still the one drafted are counted (`--sample` prints the sample with the text
before each takeaway, to read the changed ones again). Last, the takeaway against the key
points of labelled/dev.jsonl (ROUGE-1 and ROUGE-L F1), its tuning half apart from its held-out
half (split as bench/taxonomy.py splits it) and the feed items of each apart, beside the first
sentence, the summary's first sentence and the best sentence of the original, and the same against the
CNN/DM human highlights (which state each story's main claims), the tuning part (articles
1-125, where the takeaway's constants were chosen) apart from the held-out part (126-250).

`--baseline COMMIT` checks the drafts of articles/enrich/summarize.py as it was at COMMIT
instead (a99572d is the drafting before issue 10), so the same rules measure before and after.
"""

import argparse
import hashlib
import random
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
        r"|\b(?:promo|discount) code\b|\b(?:use|enter) code\b|\bat checkout\b|\blearn more\b|\bscroll down\b",
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
        r"^(?:Create|Try|Get|Visit|Take a look|Check out|Keep an eye|Order|Join|Use|Equip|Look at|Don't forget"
        r"|Don’t forget)\b|\bcheck out the\b"
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
        # a common word, then a capitalised common word opening a new clause: "… the music down Neighbours were …"
        r"|\b(?:down|up|out|off|away|back|again|today|yesterday|night|home|scene|there|here)"
        r" [A-Z][a-z]+ (?:were|are|was|is|have|has|had|did|will)\b"
        r"|\b[A-Z]{3,} [A-Z]{2,} [A-Z]{2,}|\b[A-Z]{3,} V [A-Z]{3,}"  # a heading in capitals run in
        r"|[a-z] (?:There|Officially) [a-z]+"  # "… rolls in There was …"
        r"|\b[a-z]+ [A-Z][a-z]+: [A-Z]"  # a caption's label mid-sentence ("… the bridge Closed: One …")
        r"|[a-z] ['‘][A-Z][a-z]*['’][a-z]* [a-z]+ [a-z]+"  # "… on Monday ‘I’d love to …"
    ),
    "list number glued on": re.compile(r"[a-z] \d{1,2}\.$"),
    "needs the sentence before": re.compile(
        r"^(?:\w+ ){0,2}(?:later|earlier|afterwards)\b|^(?:Just )?(?:Like|As in|As with|Unlike)\b"
        r"|^(?:Just|Only) (?:one|two|a) (?:day|week|month|year)s? (?:after|before)\b"
        r"|^The (?:\d+-year-old|former|latter|pair|couple|flanker|striker|midfielder|defender|star|singer|player)\b"
        r"|^\w+,? (?:though|then|too)\b|\bthere said\b|^I (?:said|told|asked)\b"
        r"|\b(?:those|these) (?:problems|issues|things|apps|devices)\b|\bthis device\b"
        r"|\b[Tt]he same (?:week|year|day|month|university|club)\b|^(?:Anyway|Mind you|Factor in|That said),?\s"
        r"|^The (?:discovery|book|fix|revelations|findings|first|second|latter|former)\b|\bthe former\b"
        r"|^(?:In comparison|In a separate development|BTW),"
    ),
    "someone's quotation": re.compile(r"\b(?:said|says|added):\s*['‘\"“]"),
    "about the post": re.compile(
        r"\bthis (?:post|piece|guide)\b|^More on\b|^Let (?:us|me)\b|^I(?:'ll|’ll| will| can think of)\b"
    ),
    "topic list": re.compile(r"(?:^|: )(?:[A-Z][^,.;:]{2,40}[,;] ){3,}"),
    "exclamation": re.compile(r"!['’\"”]?$"),
}

# In the original, just before the takeaway: what makes it unreadable on its own.
QUOTE_MARKS = re.compile(
    r"(?P<open>(?:^|(?<=[\s(]))['‘“\"](?=\w))"
    r"|(?P<possessive>(?<=s)['’](?=\s))"  # "the players' union", or a quotation closing on an s
    r"|(?P<close>(?<=[\w.,!?…])['’”\"](?=[\s.,;:!?)…]|$))"
)


def inside_a_quotation(before: str) -> bool:
    """Whether the text ending at `before` leaves a quotation open."""
    inside = False
    for mark in QUOTE_MARKS.finditer(before):
        if mark.group("open"):
            inside = True
        elif mark.group("close") or inside:  # an s' closes only what is open
            inside = False
    return inside


def quotations_balanced(sentence: str) -> bool:
    """No quotation left open, none closed that did not open in the sentence."""
    inside = False
    for mark in QUOTE_MARKS.finditer(sentence):
        if mark.group("open"):
            inside = True
        elif mark.group("close"):
            if not inside:
                return False
            inside = False
        elif inside:
            inside = False
    return not inside


def context_defects(text: str, start: int) -> list[str]:
    before = text[max(0, start - 1200) : start]
    tail = before.rstrip()
    found = []
    if tail.endswith(":"):
        found.append("follows a colon")
    if re.search(r"\b(?:the|a|an|of|to|and|showing|The [\w-]+)$", tail):
        found.append("continues a cut sentence")
    # The nearest quotation mark before the takeaway opens a quotation: the takeaway is someone's words
    # (British news opens each paragraph of a long quotation again and closes it only at the end).
    if inside_a_quotation(re.split(r"\n\s*\n", before)[-1]):  # within its paragraph (when the text has any)
        found.append("inside a quotation")
    return found


STOP_WORDS = (
    "the a an and or of to in on at for with by from as is was are were be been has have had it its this"
    " that these those he she they his her their we you i not but says said after over into about more than new"
)
STOP = frozenset(STOP_WORDS.split())


def content_words(text: str) -> set[str]:
    return {w.lower()[:5] for w in WORD.findall(text) if len(w) > 3 and w.lower() not in STOP}


def defects(takeaway: str, summary: list[str], *, text: str = "", start: int = 0, title: str = "") -> list[str]:
    found = [kind for kind, pattern in RULES.items() if pattern.search(takeaway)]
    if text:
        found += context_defects(text, start)
    # Off the subject: shares no word with the title, nor with the summary.
    subject = content_words(title).union(*(content_words(sentence) for sentence in summary))
    if subject and not content_words(takeaway) & subject:
        found.append("off the subject")
    quotes = takeaway.count('"') + takeaway.count("“") + takeaway.count("”")
    if (quotes % 2 or not quotations_balanced(takeaway)) and "quote fragment" not in found:
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
    module = corpora.module_at(baseline, "articles/enrich/summarize.py")
    return lambda text, title: module.extractive_draft(text)


def check(pieces, drafts) -> tuple[Counter, Counter, int, int, list]:
    kinds, insight_kinds, flawed, missing, examples = Counter(), Counter(), 0, 0, []
    for piece in pieces:
        draft = drafts[piece.id]
        summary = [extract.text for extract in draft.summary]
        if draft.takeaway is None:
            missing += 1
        else:
            found = defects(
                draft.takeaway.text, summary, text=piece.text, start=draft.takeaway.start, title=piece.title
            )
            kinds.update(found)
            flawed += bool(found)
            examples.extend((kind, piece.id, draft.takeaway.text) for kind in found)
        chosen = summary + ([draft.takeaway.text] if draft.takeaway else [])
        for insight in draft.insights:
            insight_kinds.update(defects(insight.text, chosen))
    return kinds, insight_kinds, flawed, missing, examples


HAND_CHECK = Path(__file__).with_name("handcheck.tsv")
SAMPLE_SEED = 20261203
SAMPLE_SIZE = 55


def hand_sample(pieces, drafts) -> list:
    """The pieces of the seeded hand-check sample that have a takeaway (the sample does not move with the drafting)."""
    sample = random.Random(SAMPLE_SEED).sample(pieces, min(SAMPLE_SIZE, len(pieces)))
    return [piece for piece in sample if drafts[piece.id].takeaway is not None]


def digest(takeaway: str) -> str:
    """What bench/handcheck.tsv keeps of a takeaway: a digest, never the corpora's text."""
    return hashlib.sha256(takeaway.encode()).hexdigest()[:16]


def read_verdicts() -> dict:
    """piece id -> (verdict, reason, digest of the takeaway judged) from bench/handcheck.tsv."""
    verdicts = {}
    if HAND_CHECK.exists():
        for line in HAND_CHECK.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                piece_id, verdict, reason, takeaway = line.split("\t")
                verdicts[piece_id] = (verdict, reason, takeaway)
    return verdicts


def report_hand_check(sample, drafts, verdicts):
    judged, changed, reasons = Counter(), 0, Counter()
    for piece in sample:
        verdict = verdicts.get(piece.id)
        if verdict is None or verdict[2] != digest(drafts[piece.id].takeaway.text):
            changed += 1  # not read, or the drafting has changed the takeaway since
            continue
        judged[verdict[0]] += 1
        if verdict[0] == "rewrite":
            reasons[verdict[1]] += 1
    total = sum(judged.values())
    print(
        f"  read by hand (seed {SAMPLE_SEED}, {SAMPLE_SIZE} pieces, {len(sample)} with a takeaway;"
        f" bench/handcheck.tsv): {total} judged,"
        f" {judged['rewrite']} an editor would rewrite ({100 * judged['rewrite'] / max(1, total):.0f}%),"
        f" {changed} not judged (takeaway changed since)"
    )
    for reason, count in reasons.most_common():
        print(f"    {reason:<44}{count:>4}")


def print_sample(name, sample, drafts):
    print(f"\n# {name}: the hand-check sample (seed {SAMPLE_SEED})")
    for piece in sample:
        takeaway = drafts[piece.id].takeaway
        before = " ".join(piece.text[max(0, takeaway.start - 240) : takeaway.start].split())
        print(f"{piece.id}\t{piece.title[:90]}\n    before: …{before[-200:]}\n    takeaway: {takeaway.text}")


# The CNN/DM articles the takeaway's constants were chosen on (bench/REPORT.md): the first half of the file.
# The second half, and every labelled key point, are held out: report those.
TUNING_PART = 125


def _rouge_rows(items):
    """Mean ROUGE-1 / ROUGE-L F1 x 100 of the takeaway against each item's reference, beside other sentences.

    `items` are (text, title, reference) triples; the reference is the key point, or the highlights one a line.
    """
    from rouge_score import rouge_scorer

    from articles.enrich.summarize import extractive_draft
    from articles.enrich.text import sentences

    scorer = rouge_scorer.RougeScorer(["rouge1", "rougeL"], use_stemmer=True)
    rows = {"drafted takeaway": [], "first sentence (LEAD-1)": [], "summary's first sentence": [], "best sentence": []}
    words, none = [], 0
    for text, title, reference in items:
        draft = extractive_draft(text, title=title)
        found = [s.text for s in sentences(text)]
        if draft.takeaway is None or not found:
            none += 1
            continue

        def f1(candidate: str, reference: str = reference) -> tuple[float, float]:
            scores = scorer.score(reference, candidate)
            return scores["rouge1"].fmeasure, scores["rougeL"].fmeasure

        rows["drafted takeaway"].append(f1(draft.takeaway.text))
        rows["first sentence (LEAD-1)"].append(f1(found[0]))
        rows["summary's first sentence"].append(f1(draft.summary[0].text))
        rows["best sentence"].append(max((f1(sentence) for sentence in found), key=lambda pair: pair[0]))
        words.append(len(WORD.findall(draft.takeaway.text)))
    return rows, none, words


def print_rouge_rows(heading: str, items):
    rows, none, words = _rouge_rows(items)
    count = len(rows["drafted takeaway"])
    print(f"\n{heading}: {count} with a takeaway, {none} without; takeaway {sum(words) / max(1, count):.1f} words")
    print(f"  {'':<28}{'ROUGE-1 F1':>12}{'ROUGE-L F1':>12}")
    for name, pairs in rows.items():
        rouge1, rouge_l = (100 * sum(pair[k] for pair in pairs) / max(1, count) for k in (0, 1))
        print(f"  {name:<28}{rouge1:>12.1f}{rouge_l:>12.1f}")


def key_point_overlap():
    """ROUGE of the drafted takeaway against the labelled key points and against the CNN/DM human highlights."""
    items = corpora.labelled()
    for half, note in (("tuning", "constants may be set here"), ("held-out", "never tuned on")):
        chosen = [item for item in items if corpora.half_of(item["id"]) == half]
        for group, name in ((None, "all"), ("realfeeds", "feed items")):
            picked = [item for item in chosen if group is None or item["id"].startswith(group)]
            print_rouge_rows(
                f"Takeaway against the labelled key points ({half} half of labelled/dev.jsonl, {note}; {name})",
                [(item["text"], item["title"], item["key_point"]) for item in picked],
            )
    rows = corpora.summaries("cnndm_test_frank_250.jsonl")
    for part, chosen in (
        (f"articles 1-{TUNING_PART}, the tuning part", rows[:TUNING_PART]),
        (f"articles {TUNING_PART + 1}-{len(rows)}, held out", rows[TUNING_PART:]),
    ):
        print_rouge_rows(
            f"Takeaway against the CNN/DM human highlights ({part})",
            [(row["text"], row["title"], "\n".join(highlights(row))) for row in chosen],
        )


def highlights(row: dict) -> list[str]:
    """The CNN/DM highlights, one a line (summaries/SOURCE.md: `summary_raw` joins them with " . ")."""
    return [part.strip() for part in row["summary_raw"].split(" . ") if part.strip()]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", metavar="KIND", help="print the takeaways with this defect ('all' for every one)")
    parser.add_argument("--baseline", metavar="COMMIT", help="check summarize.py as it was at this commit")
    parser.add_argument("--sample", action="store_true", help="print the hand-check sample with what precedes each")
    args = parser.parse_args()
    import django

    django.setup()
    draft_of = drafting(args.baseline)
    if args.baseline:
        print(f"Drafts of articles/enrich/summarize.py at {args.baseline}")
    verdicts = read_verdicts()
    for name, pieces in (("CNN/DM (250 articles)", corpora.cnndm()), ("real feeds (English)", corpora.realfeeds())):
        drafts = {piece.id: draft_of(piece.text, piece.title) for piece in pieces}
        kinds, insight_kinds, flawed, missing, examples = check(pieces, drafts)
        drafted = len(pieces) - missing
        print(f"\n{name}: {len(pieces)} pieces, takeaway drafted for {drafted}, none drafted for {missing}")
        print(f"  flawed takeaways: {flawed} of {drafted} = {100 * flawed / max(1, drafted):.1f}%")
        for kind, count in kinds.most_common():
            print(f"    {kind:<28}{count:>4}")
        print(f"  defects in insights: {sum(insight_kinds.values())} ({dict(insight_kinds.most_common())})")
        for kind, piece_id, text in examples:
            if args.show in (kind, "all"):
                print(f"    [{kind}] {piece_id}: {text}")
        if not args.baseline:
            sample = hand_sample(pieces, drafts)
            report_hand_check(sample, drafts, verdicts)
            if args.sample:
                print_sample(name, sample, drafts)
    if not args.baseline:
        key_point_overlap()


if __name__ == "__main__":
    main()
