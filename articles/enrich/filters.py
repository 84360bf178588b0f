"""Sentences no editor would keep in a brief, and sentences that cannot stand on their own.

`unusable(text)` names why a sentence of the original must never be drafted into any
section: a byline or date line, a photo caption, a call to action ("Click here to
download …"), a list intro ending in ':', site boilerplate, or a fragment of a quotation.
`not_standalone(text)` adds what a takeaway or an insight cannot be, because each is read
alone: a sentence that points back to something before it ("He said …", "But …", "The
company …", "… also …"), a question, a headline without a full stop, a line without a verb
(a list item, a photo description), a promotion, one too short to say anything or too long
to read. Both return None for a good sentence, so the reason can be shown and counted.

`lead_in(text)` is the length of a wire-service dateline opening a sentence
("Washington (CNN) -- "), which drafts leave out.

Next to these: a hook rather than a claim (`hooks.hook`), and what the text before a sentence
says about it (`preceding.needs_what_comes_before`).
"""

import re
from functools import lru_cache

from articles.enrich.gates import Gate, branches, words_of
from articles.enrich.text import BEFORE_NAMES

# Each rule: the reason a curator would give, and what betrays it.
UNUSABLE = (
    (
        "call to action",
        re.compile(
            r"\b(?:click|tap) (?:here|the link|below)|\bread (?:more|the full)|\bsign up\b|\bsubscribe\b"
            r"|\bfollow (?:us|me)\b|\blearn more\b|\bfind out more\b|\bscroll down\b|\bcontinue reading\b"
            r"|\buse (?:the )?(?:promo |discount )?code\b|\bshop now\b|\bbuy (?:it )?now\b|\bshare this\b"
            r"|\bdownload (?:the|our|it|a copy)\b|\bwatch the video\b|\bsee (?:the )?(?:video|gallery) below\b"
            r"|\bavailable (?:now )?(?:at|on|from) amazon\b|\bsponsor(?:ed|s)? (?:by|this)\b"
            r"|\benter (?:the )?(?:promo |discount )?code\b|\bat checkout\b|\bdeal alert\b"
            r"|\bcheck out (?:the|our|these)\b",
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
            r"|^\s*\d{1,3}(?:\+\d{1,2})?\s*min(?:s|ute|utes)?\s*:"  # a live blog's minute marker
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
    r"|join|register|grab|save|shop|pick up|head (?:over|to)|go to|don't miss|be sure|use|equip|look at|imagine"
    r"|remember|consider|note that|make sure|don't forget|don’t forget|do not forget|explore|discover|meet|watch"
    r"|listen to|read on)\b",
    re.IGNORECASE,
)
# A caption glued to the sentence without a full stop: a capitalised opener after a word, mid-sentence,
# or a lower-case word running into a name that starts a new clause ("… in court Jo Smith has …").
RUN_ON = re.compile(
    r"(?<=[\w,'’])\s+(?:And|But|Like|The|As|When|After|It|He|She|They|This|His|Her|Their|Head|There)\s+[a-z]"
    # "… as the ball rolls in There was …", "… beside the old pier Officially named …"
    r"|(?<=[a-z])\s+(?:There|Officially|Pictured|Above|Below)\s"
    # "HARBOUR V MILLTOWN (SUNDAY: …)": a fixture heading in capitals
    r"|\b[A-Z]{3,} (?:V|VS|v|vs)\.? [A-Z]{3,}\b"
    r"|(?<=[a-z])\s+(?:Indeed|Meanwhile|However|Instead),"
    r"|\b(?!(?:"
    + "|".join(re.escape(word) for word in sorted(BEFORE_NAMES))
    + r")\b)[a-z]{3,} (?:[A-Z][a-z]+ ){1,3}(?:has|had|have|was|were|is|are|said|says|shakes|looks|showed|shows"
    r"|will|would|could|can|did|poses)\b"
    # "… the old bridge Closed: One lane …": a caption's label inside the sentence.
    r"|[a-z,] [A-Z][a-z]+: [A-Z]"
    # "GULL STEALS THE TROPHY Luckily, …": a heading in capitals run into the sentence.
    r"|\b[A-Z]{2,}(?: [A-Z'’]{2,}){2,}\b"
    # "… opened in May 2019 A local builder …": a caption ending on a date.
    r"|\b\d{4} (?:A|An|The) "
    # "… after forty years on stage 3.": the number of the next list item glued on.
    r"|[a-z]{2,} \d{1,2}\.$"
    # "… on Monday ‘I’d love to lead …’": a quotation run on after a headline or caption.
    r"|\b(?!(?:said|says|told|asked|added|called|named|as|of|the|and|or|is|was|a|an)\b)"
    r"[A-Za-z][a-z]+ ['‘\"“][A-Z][a-z’']*(?: [a-z’']+){3}"
)
# Openers that need an earlier sentence too: a time relative to it ("Three years later,"), a
# comparison with it ("Just like …", "As in the film, …"), a person named only by their part
# ("The 27-year-old …", "The striker …"), a subject with a discourse marker ("Okafor then scored …",
# "Marsh, though, …"), "a spokesman there said", the narrator of a quotation ("I said, …").
NEEDS_BEFORE = re.compile(
    r"^(?:[\w-]+ ){0,2}(?:later|earlier|afterwards|before that|after that|since then)\b"
    r"|^(?:just )?(?:like|as in|as with|unlike)\b|^just as\b|^same\b"
    r"|^the (?:[a-z]+ ){0,2}(?:\d+-year-old|[a-z]+-year-old|royal|flanker|striker|midfielder|defender|winger"
    r"|forward|goalkeeper|keeper"
    r"|singer|rapper|actor|actress|star|player|boss|manager|coach|victim|pair|couple|duo|trio|teenager|youngster"
    r"|team|company|firm|club|squad|side|group"
    r"|former|latter|two|three|four|man|woman|boy|girl|mother|father|brothers|sisters|veteran|frenchman"
    r"|spaniard|german|italian|dutchman|englishman|scot|welshman|irishman|australian|american|argentine"
    r"|brazilian|portuguese)\b"
    r"|^[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?,? (?:though|too|then|also|however|meanwhile|instead|still|later)\b"
    r"|\b(?:there|then) said\b|^(?:i|we) (?:said|told|asked|replied|thought|added)\b"
    r"|\b(?:both of )?(?:those|these) (?:problems|issues|things|changes|ones|two|three|questions|concerns)\b"
    # "The same week, …", "In the same year …", "… from the same university"
    r"|\bthe same (?:week|day|month|year|time|night|university|company|firm|club|study|team|survey|period)\b"
    # An event or thing named as if already introduced: "The discovery was made …", "The fix required …"
    r"|^the (?:discovery|book|fix|move|decision|incident|revelations?|findings?|deal|announcement|news|changes?"
    r"|attack|footage|claims?|plan|proposal|device|app|gadget|product|robot|robots|software|scheme|idea)\b"
    r"|^the (?:first|second|third|last|latter|former|other)\b|\b(?:both|each|either|neither)[,.]"
    r"|\bthe (?:former|latter)\b|^(?:in comparison|in a separate development|btw|by the way)\b"
    r"|^(?!(?:in|results (?:from|of)|findings (?:from|of)) this (?:study|work|paper)\b)"
    r".{0,60}?\b(?:this|these|those) (?!(?:week|year|month|morning|afternoon|evening|season|summer|winter"
    r"|spring|autumn|fall|time|weekend|century|decade)\b)[a-z]+"
    r"|^(?:anyway|mind you|factor in|after all|that said|even so|by contrast|in contrast|on the other hand"
    r"|for example|for instance|in the video|in the film|in the clip)\b"
    # "Videos have also revealed …", "…, the extremists also disclosed …": adds to something said before.
    r"|^[^.;:]{0,90}?\balso\b"
    # "As a St Mirren player he was …": a part played by someone the sentence never names.
    r"|^as (?:a|an|the) [^,]{1,60}?\b(?:he|she|they|his|her|their)\b"
    # "… that the issue was …", "… key to the discoveries": a matter named as if already introduced.
    r"|\bthe (?:discoveries|issue|incident|matter|findings|revelations|allegations|announcement|episode|row|saga)\b"
    r"(?! (?:of|to|that|about|over|at|in|on|from|by|with|surrounding)\b)(?![’']s)",
    re.IGNORECASE,
)
# The author talking about the post rather than its subject ("I kept this post as a draft …", "More on … soon").
ABOUT_THE_POST = re.compile(
    r"\bthis (?:post|blog post|piece|write-up|guide|article|review|story)\b|^more on\b|^let(?: us|'s|’s| me)\b"
    r"|^i(?:'ll|’ll| will| can think of| want to| wanted to)\b|\bstay tuned\b",
    re.IGNORECASE,
)
# A deals post talking up a product, and a roundup talking about itself ("We've dug around and found …").
PROMOTION = re.compile(
    r"\b(?:won'?t|won’t|will not|doesn'?t|doesn’t) break the bank\b|^new and improved\b|\bat (?:a|this) price\b"
    r"|^we(?:'ve|’ve| have) (?:dug|rounded up|gathered|found|collected|picked|scoured|tested)\b",
    re.IGNORECASE,
)
# What makes a clause a statement: a form of be/have/do, a modal, a common past tense, or a
# lower-case word in -ed or -s (a verb after its subject, or a plural: a sentence with neither is no claim).
FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|do|does|did|will|would|can|could|may|might|must|shall|should"
    r"|isn't|aren't|wasn't|weren't|hasn't|haven't|hadn't|don't|doesn't|didn't|won't|can't|couldn't"
    r"|said|made|took|found|began|won|lost|ran|got|came|saw|told|gave|left|went|became|held|kept|led|met|paid"
    r"|sent|spent|stood|thought|wrote|built|bought|brought|caught|fell|felt|grew|knew|rose|sold|spoke|threw"
    r"|wore|chose|drove|flew|forgot|hid|meant|rode|sang|sat|shot|slept|stole|struck|swam|taught|tore|understood"
    r"|woke|hit|set|put|cut|let|shut|quit|cost|hurt|read)\b"
    r"|[’'](?:s|re|ve|ll|d|m)\b|n[’']t\b|(?-i:\b[a-z]{2,}(?:ed|(?<!s)s)\b)",
    re.IGNORECASE,
)


# Each pattern above searched only where it could match (gates.py): the words and marks every match of a branch
# not anchored at the start holds. The pattern stays the judge; these only spare searching sentences it cannot match.
UNUSABLE_GATES = (
    Gate(
        UNUSABLE[0][1],
        words="click tap read sign subscribe follow learn find scroll continue code shop buy share download watch"
        " below amazon sponsor sponsored sponsors checkout deal check",
    ),
    Gate(UNUSABLE[1][1], words="pictured image getty photograph", marks=("(",)),
    Gate(UNUSABLE[2][1], words="published updated www", marks=("|", ":", "@")),
    Gate(
        UNUSABLE[3][1],
        words="reserved crunchbase post article cookie cookies newsletter terms privacy reading appeared sponsor"
        " sponsorship podcast",
    ),
)
NEEDS_BEFORE_GATE = Gate(
    NEEDS_BEFORE,
    words="said those these same both each either neither former latter discoveries issue incident matter findings"
    " revelations allegations announcement episode row saga",
)
ABOUT_THE_POST_GATE = Gate(ABOUT_THE_POST, words="post piece write guide article review story tuned")
PROMOTION_GATE = Gate(PROMOTION, words="bank price")


def _ends_on_a_number(text: str) -> bool:
    """Whether `text` ends on a digit and a full stop (before one line break at most): "… on stage 3." """
    text = text[:-1] if text.endswith("\n") else text
    return text.endswith(".") and text[-2:-1].isdigit()


# What a heading in capitals ("GULL STEALS THE TROPHY") or a fixture ("HARBOUR V MILLTOWN") holds: two capitals, a
# space and two more, or three capitals, a space and a "V".
CAPITALS = re.compile(r"[A-Z]{2} [A-Z'’]{2}|[A-Z]{3} [Vv]")
# The words RUN_ON's branches set off on both sides: capitalised openers (each after a space, so never a sentence's
# first word) and the verbs its "… in court Jo Smith has …" branch ends on.
_RUN_ON_OPENERS = (
    "And But Like The As When After It He She They This His Her Their Head There Officially Pictured Above Below"
    " V VS v vs Indeed Meanwhile However Instead A An"
)
_RUN_ON_VERBS = "has had have was were is are said says shakes looks showed shows will would could can did poses"
RUN_ON_OPENERS = frozenset(_RUN_ON_OPENERS.split())
RUN_ON_VERBS = frozenset(_RUN_ON_VERBS.split())
# What the verb branch holds before its verb: a lower-case word, a space and a capitalised word.
LOWER_THEN_CAPITAL = re.compile(r"[a-z] [A-Z]")


def _could_run_on(text: str) -> bool:
    """Whether a branch of RUN_ON without a mark of its own could match: an opener of RUN_ON_OPENERS written after the
    first character (the branches put a space before it; "The" opening a sentence does not count), a verb of
    RUN_ON_VERBS with a lower-case letter, a space and a capital somewhere, capitals around a space (CAPITALS), or
    a number and a full stop at the end. Every opener and verb is a whole run of word characters where those branches
    match."""
    runs = words_of(text).cased
    if any(text.find(word, 1) != -1 for word in RUN_ON_OPENERS.intersection(runs)):
        return True
    if not RUN_ON_VERBS.isdisjoint(runs) and LOWER_THEN_CAPITAL.search(text):
        return True
    return _ends_on_a_number(text) or CAPITALS.search(text) is not None


RUN_ON_GATE = Gate(RUN_ON, marks=(": ", " '", " ‘", ' "', " “"), also=_could_run_on)


ENGLISH = re.compile(r"\b(?:the|of|and|to|for|with|in|on)\b", re.IGNORECASE)


ENGLISH_GATE = Gate(ENGLISH, words="the of and to for with in on")


# FINITE_VERB's first branch without its contractions (those hold an apostrophe): the verbs it names as whole words.
VERB_WORDS = frozenset(
    word
    for word in branches(FINITE_VERB.pattern)[0].removeprefix(r"\b(?:").removesuffix(r")\b").split("|")
    if "'" not in word
)


def _finite_verb(body: str) -> bool:
    r"""`bool(FINITE_VERB.search(body))`, read from the sentence's words when that gives the same answer.

    Without an apostrophe (which the contraction branches need) and without a character FOLDED_TO_ASCII, a match is
    a whole run of word characters (each branch sets it off with `\b` on both sides): a verb of the list in any
    case, or lower-case ASCII letters ending in "ed" (four or more) or in an "s" not after another "s" (three or
    more), what `(?-i:\b[a-z]{2,}(?:ed|(?<!s)s)\b)` matches as a whole run.
    """
    words = words_of(body)
    if words.folded is None or "'" in body or "’" in body:
        return FINITE_VERB.search(body) is not None
    if not VERB_WORDS.isdisjoint(words.folded):
        return True
    return any(
        run.isascii()
        and run.isalpha()
        and run.islower()
        and ((len(run) >= 4 and run.endswith("ed")) or (len(run) >= 3 and run[-1] == "s" and run[-2] != "s"))
        for run in words.cased
    )


def _verbless(body: str) -> bool:
    """An English sentence without a finite verb: a list item ("$1000 to a charity …") or a photo description
    ("The old pier at dusk."). The verbs are English ones, so a sentence in another language is never judged."""
    return ENGLISH_GATE.found(body) and not _finite_verb(body)


PRONOUN = re.compile(r"\b(?:he|she|they|him|her|his|hers|them|their|theirs|they're|they’re|its)\b", re.IGNORECASE)
NAME = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][a-z]+")


_OPENER_WORDS = (
    "a an the this that these those because although though while when whenever if unless since after before as"
    " once until despite given for with without in on at by from of to into over under during about"
    " it he she they we you i his her their its our my your there here what which who whom whose how why where"
    " some many most all each every both either neither no not nor and but or so yet also just even only still"
    " one two three four five six seven eight nine ten being having according"
)
# Words that open sentences and are no name.
COMMON_OPENERS = frozenset(_OPENER_WORDS.split())


PRONOUNS = frozenset(["he", "she", "they", "him", "her", "his", "hers", "them", "their", "theirs", "its"])


OPENING_WORD = re.compile(r"[A-Z][\w'’-]+")


def _pronoun_before_a_name(body: str) -> bool:
    """A pronoun in the first clause before any name it could stand for ("Because …, they're both …")."""
    folded = words_of(body).folded
    # Every pronoun PRONOUN finds is a whole word ("they're" too: "they", a mark, "re").
    pronoun = PRONOUN.search(body) if folded is None or not PRONOUNS.isdisjoint(folded) else None
    if not pronoun or pronoun.start() > 80:
        return False
    if NAME.search(body[: pronoun.start()]):
        return False
    # The opening word is a name too when it is no common word: "Riverton will close its …" names what "its" is.
    first = OPENING_WORD.match(body)
    if not first or first.end() > pronoun.start():
        return True
    word = first.group().lower()
    # "Luckily", "Speaking", "Asked", "Images of their …": an adverb, a verb or a plural noun, not a name.
    return word in COMMON_OPENERS or word.endswith(("ly", "ing", "ed", "s"))


# "Luckily, he …", "Maybe he …", "All this …": an adverb before the word that points back.
LEAD_ADVERB = re.compile(
    r"^(?:[A-Za-z]+ly,?|maybe|perhaps|in fact,|of course,|from the outside,|all|at first,|at the time,"
    r"|first,|second,|third,|finally,|lastly,|again,)\s+",
    re.IGNORECASE,
)
# A sentence about the page or the show rather than the subject.
ABOUT_THE_PAGE = re.compile(
    r"\b(?:top|bottom) of (?:this|the) (?:story|page|article)\b|\bin (?:this|the) (?:video|gallery) (?:above|below)\b"
    r"|\b(?:this|the) video can be seen\b|\btopics include\b|\bthis (?:week's|episode)\b",
    re.IGNORECASE,
)
ABOUT_THE_PAGE_GATE = Gate(ABOUT_THE_PAGE, words="top bottom above below seen topics week episode")
# "Mr McLachlan said: 'Without any warning …'": a sentence that is mostly someone's quoted words.
QUOTES_SOMEONE = re.compile(r"\b(?:said|says|told [\w ]{1,40}|added|wrote|tweeted):\s*['‘\"“]")
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


SPACE_LOWER = re.compile(r" [a-z]")


def _quotes_unbalanced(text: str) -> bool:
    straight = text.count('"')
    curly_open, curly_close = text.count("“"), text.count("”")
    if straight % 2 == 1 or curly_open != curly_close:
        return True
    # Single-quoted speech opened and not closed, or closed and never opened: part of someone's words.
    if "'" not in text and "‘" not in text and "’" not in text:
        return False  # no single quotation mark, opening or closing
    closes = [
        match
        for match in SINGLE_CLOSE.finditer(text)
        # "the players' choice": a plural possessive, not the end of a quotation.
        if not (text[match.start() - 1] == "s" and SPACE_LOWER.match(text, match.end(), match.end() + 2))
    ]
    return len(SINGLE_OPEN.findall(text)) != len(closes)


# A draft asks about the same sentences several times (as candidates, then as claims); the answers are
# pure functions of the sentence, kept for the sentences of the last few pieces.
SENTENCES_REMEMBERED = 4096


@lru_cache(maxsize=SENTENCES_REMEMBERED)
def unusable(text: str) -> str | None:
    """Why this sentence must not be drafted into any section, or None."""
    words = words_of(text)
    for (reason, _pattern), gate in zip(UNUSABLE, UNUSABLE_GATES, strict=True):
        if gate.found(text, words):
            return reason
    if LIST_INTRO.search(text):
        return "list intro"
    if OPENS_LOWER.match(text) or _quotes_unbalanced(text) or ATTRIBUTION_AFTER_QUOTE.match(text):
        return "quote fragment"
    return None


def points_back(text: str) -> bool:
    """Whether the sentence needs one before it to be understood ("But will he …", "The 25-year-old …", "He …")."""
    opening = text[lead_in(text) :].lstrip("\"'“‘(")
    if POINTS_BACK.match(opening) or POINTS_BACK.match(LEAD_ADVERB.sub("", opening, count=1)):
        return True
    return NEEDS_BEFORE_GATE.found(opening) or _pronoun_before_a_name(opening)


@lru_cache(maxsize=SENTENCES_REMEMBERED)
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
    if body.rstrip("\"'”’)] ").endswith("!"):
        return "exclamation"  # a cry, not the piece's claim
    if not ENDS_A_SENTENCE.search(body):
        return "no full stop"
    if points_back(body):
        return "points back"
    if ABOUT_THE_PAGE_GATE.found(body) or ABOUT_THE_POST_GATE.found(body):
        return "about the page"
    if INSTRUCTION.match(body) or PROMOTION_GATE.found(body):
        return "call to action"
    if _verbless(body):
        return "no verb"  # a list item or a photo description, not a claim
    if RUN_ON_GATE.found(body):
        return "glued caption"
    if body[:1] in "\"“‘'" or QUOTES_SOMEONE.search(body):
        return "quotation"  # someone's words, not the piece's own claim
    return None


def lead_in(text: str) -> int:
    """How many characters of a wire-service dateline open `text` ("Washington (CNN) -- ")."""
    match = DATELINE.match(text)
    return match.end() if match else 0
