"""Sentences no editor would keep in a brief, and sentences that cannot stand on their own.

`unusable(text)` names why a sentence of the original must never be drafted into any
section: a byline or date line, a photo caption, a call to action ("Click here to
download …"), a list intro ending in ':', site boilerplate, or a fragment of a quotation.
`not_standalone(text)` adds what a takeaway or an insight cannot be, because each is read
alone: a sentence that points back to something before it ("He said …", "But …"), a
question, a headline without a full stop, one too short to say anything or too long to
read. Both return None for a good sentence, so the reason can be shown and counted.

`lead_in(text)` is the length of a wire-service dateline opening a sentence
("Washington (CNN) -- "), which drafts leave out.
"""

import re

from articles.enrich.sentences import BEFORE_NAMES

# Each rule: the reason a curator would give, and what betrays it.
UNUSABLE = (
    (
        "call to action",
        re.compile(
            r"\b(?:click|tap) (?:here|the link|below)|\bread (?:more|the full)|\bsign up\b|\bsubscribe\b"
            r"|\bfollow (?:us|me)\b|\blearn more\b|\bfind out more\b|\bscroll down\b|\bcontinue reading\b"
            r"|\buse (?:the )?(?:promo |discount )?code\b|\bshop now\b|\bbuy (?:it )?now\b|\bshare this\b"
            r"|\bdownload (?:the|our|it|a copy)\b|\bwatch the video\b|\bsee (?:the )?(?:video|gallery) below\b"
            r"|\bavailable (?:now )?(?:at|on|from) amazon\b|\bsponsor(?:ed|s)? (?:by|this)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "caption",
        re.compile(
            r"^\s*(?:pictured|photo(?:graph)?|image|picture|video|caption|credit|illustration)s?\s*[:|]"
            r"|\bpictured\b|^\s*[A-Z][a-z]+(?: [A-Za-z]+)?:\s"
            r"|\((?:pictured|left|right|centre|center|above|below|top|bottom|file photo|inset)(?: [a-z ]+)?\)"
            r"|\bimage (?:copyright|caption)\b|\bgetty images\b|\bphotograph: ",
            re.IGNORECASE,
        ),
    ),
    (
        "metadata",
        re.compile(
            r"^\s*(?:by|posted|published|updated|last updated|filed under|tags?|category|categories|source|via)\s*[:|.]"
            r"|^\s*by [A-Z][\w’'.-]+(?: [A-Z][\w’'.-]+){0,3}\s*(?:[|,]|$)"
            r"|\b(?:published|updated):\s*\d|\|\s*updated\b|^\s*(?:©|copyright\b)"
            r"|\b\d{1,2}:\d{2}\s*(?:gmt|bst|est|edt|pst|utc)\b"
            r"|\S+@\S+\.\w+|https?://|\bwww\.",
            re.IGNORECASE,
        ),
    ),
    (
        "boilerplate",
        re.compile(
            r"\ball rights reserved\b|\bcrunchbase\b|\bthis (?:post|article) (?:was|is|first) (?:originally )?"
            r"(?:published|appeared)\b|\bcookies?\b.*\b(?:policy|consent)\b|\bnewsletter\b|\bterms of (?:use|service)\b"
            r"|\bprivacy policy\b|\bthanks? (?:you )?for reading\b|^\s*(?:thanks|thank you|h/t|via|tip o)\b"
            r"|\bthe post .* appeared first on\b"
            r"|\bsponsor(?:ship)?\b.*\bthis week\b"
            r"|\bpodcast\b.*\bepisode\b",
            re.IGNORECASE,
        ),
    ),
)
LIST_INTRO = re.compile(r"[:;,\-–—]\s*$")
ATTRIBUTION_AFTER_QUOTE = re.compile(
    r"""^[^"“”]*[,.!?]["”]\s*(?:[a-z]+\s+){0,3}(?:said|says|added|adds|told|explained|wrote|writes|asked)\b"""
)
OPENS_LOWER = re.compile(r"""^["'“‘(\[]?[a-z]""")
# Openers that point back to an earlier sentence, so the sentence cannot stand alone.
POINTS_BACK = re.compile(
    r"^(?:he|she|it|they|them|this|that|these|those|his|her|its|their|there|here|but|and|or|so|also|yet|still"
    r"|however|instead|meanwhile|then|thus|hence|therefore|moreover|furthermore|besides|again|ok|okay|well|now"
    r"|plus|indeed|from that|after that|because of that|if you|you|what's more|in addition|as a result"
    r"|such|both|another|other|the other|the latter|the former|later|earlier|similarly|likewise|otherwise)\b",
    re.IGNORECASE,
)
# An instruction to the reader (sponsor reads, deals posts): "Create a website …", "Take a look …".
INSTRUCTION = re.compile(
    r"^(?:once [^,]{1,60}, )?(?:create|try|get|visit|search for|take a look|keep an eye|check out|start|order|book"
    r"|join|register|grab|save|shop|pick up|head (?:over|to)|go to|don't miss|be sure)\b",
    re.IGNORECASE,
)
# A caption glued to the sentence without a full stop: a capitalised opener after a word, mid-sentence,
# or a lower-case word running into a name that starts a new clause ("… in court Chancey Luna has …").
RUN_ON = re.compile(
    r"(?<=[\w,'’])\s+(?:And|But|Like|The|As|When|After|It|He|She|They|This|His|Her|Their|Head)\s+[a-z]"
    r"|(?<=[a-z])\s+(?:Indeed|Meanwhile|However|Instead),"
    r"|\b(?!(?:"
    + "|".join(re.escape(word) for word in sorted(BEFORE_NAMES))
    + r")\b)[a-z]{3,} (?:[A-Z][a-z]+ ){1,3}(?:has|had|was|is|said|says|shakes|looks|showed|shows|will|poses)\b"
)
# "Luckily, he …", "Maybe he …", "All this …": an adverb before the word that points back.
LEAD_ADVERB = re.compile(
    r"^(?:[A-Za-z]+ly,?|maybe|perhaps|in fact,|of course,|from the outside,|all|at first,|at the time,)\s+",
    re.IGNORECASE,
)
# A sentence about the page or the show rather than the subject.
ABOUT_THE_PAGE = re.compile(
    r"\b(?:top|bottom) of (?:this|the) (?:story|page|article)\b|\bin (?:this|the) (?:video|gallery) (?:above|below)\b"
    r"|\b(?:this|the) video can be seen\b|\btopics include\b|\bthis (?:week's|episode)\b",
    re.IGNORECASE,
)
ENDS_A_SENTENCE = re.compile(r"""[.!…]["'”’)\]]*$""")
DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z.,' ]{0,40}\s)?"
    r"\((?:CNN|AP|Reuters|AFP|The Hollywood Reporter|[A-Z]{2,8})\)\s*(?:--?\s*|—\s*)?"
)
WORD = re.compile(r"[^\W_][\w'’\-]*")
STANDALONE_WORDS = (8, 40)


# Single-quoted speech (the British style): an opening quote starts a word, a closing one ends one.
SINGLE_OPEN = re.compile(r"(?:^|[\s(\[—–-])['‘](?=\w)")
SINGLE_CLOSE = re.compile(r"(?<=[\w.,!?…])['’](?=[\s.,;:!?)\]—–-]|$)")


def _quotes_unbalanced(text: str) -> bool:
    straight = text.count('"')
    curly_open, curly_close = text.count("“"), text.count("”")
    if straight % 2 == 1 or curly_open != curly_close:
        return True
    # Single-quoted speech opened and not closed, or closed and never opened: part of someone's words.
    closes = [
        match
        for match in SINGLE_CLOSE.finditer(text)
        # "the players' choice": a plural possessive, not the end of a quotation.
        if not (text[match.start() - 1] == "s" and re.match(r" [a-z]", text[match.end() : match.end() + 2]))
    ]
    return len(SINGLE_OPEN.findall(text)) != len(closes)


def unusable(text: str) -> str | None:
    """Why this sentence must not be drafted into any section, or None."""
    for reason, pattern in UNUSABLE:
        if pattern.search(text):
            return reason
    if LIST_INTRO.search(text):
        return "list intro"
    if OPENS_LOWER.match(text) or _quotes_unbalanced(text) or ATTRIBUTION_AFTER_QUOTE.match(text):
        return "quote fragment"
    return None


def not_standalone(text: str) -> str | None:
    """Why this sentence cannot be a takeaway or an insight (read alone), or None."""
    reason = unusable(text)
    if reason:
        return reason
    body = text[lead_in(text) :]
    words = len(WORD.findall(body))
    if words < STANDALONE_WORDS[0]:
        return "too short"
    if words > STANDALONE_WORDS[1]:
        return "too long"
    if body.rstrip("\"'”’)] ").endswith("?"):
        return "question"
    if not ENDS_A_SENTENCE.search(body):
        return "no full stop"
    opening = body.lstrip("\"'“‘(")
    if POINTS_BACK.match(opening) or POINTS_BACK.match(LEAD_ADVERB.sub("", opening, count=1)):
        return "points back"
    if ABOUT_THE_PAGE.search(body):
        return "about the page"
    if INSTRUCTION.match(body):
        return "call to action"
    if RUN_ON.search(body):
        return "glued caption"
    if body[:1] in "\"“‘'":
        return "quotation"  # someone's words, not the piece's own claim
    return None


def lead_in(text: str) -> int:
    """How many characters of a wire-service dateline open `text` ("Washington (CNN) -- ")."""
    match = DATELINE.match(text)
    return match.end() if match else 0
