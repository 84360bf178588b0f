"""Sentences that are how a piece starts rather than what it claims (`hook`).

`hook(text)` names why a sentence is a hook: a scene or an anecdote told in the first person
("As I sit in the kitchen …"), the buzz around the subject ("… has been the talk of the town
lately"), the post announcing itself, an abstract's background ("… remains poorly understood").
A hook is never a takeaway. Its patterns are searched only where they could match (gates.py).
"""

import re

from articles.enrich.filters import lead_in
from articles.enrich.gates import Gate, words_of

# A hook rather than a claim: feed posts open with a scene, an anecdote or the buzz around their subject before
# they say what they are about ("As I sit in the kitchen …", "Last month, I got an email …", "The phone has
# certainly been the talk of the town lately …", "Today we start a new typeface …"). The author's own findings
# and opinions are claims: "We show that …", "I think the fix is wrong." are not hooks.
TIME_ANCHOR = (
    r"(?:(?:last|this|one|earlier this|the other|that) (?:day|week|month|year|morning|afternoon|night|evening"
    r"|summer|winter|spring|autumn|fall|weekend)|yesterday|today(?: at [a-z]+)?|recently|lately|years ago"
    r"|(?:a|\d+|two|three|four|five|six|few|several|a few|a couple of) (?:days?|weeks?|months?|years?) ago"
    r"|back in [\w ]{1,20}|(?:when|while|as|once|before|after|since) (?:I|we|my|our|[a-z]+ing)\b[^,]{0,80}"
    r"|for the first time"
    r"|not (?:too|so) long ago|in \d{4}|on [A-Z][a-z]+day)"
)
# What an author reports having found is a claim, whenever it was found ("In 2019 we showed that …").
FINDINGS = (
    "show|showed|shown|find|found|demonstrate|demonstrated|report|reported|propose|proposed|present|argue|argued"
    "|conclude|concluded|publish|published|identify|identified|estimate|estimated"
)
HOOK = (
    (
        "opens the post",
        re.compile(
            r"^(?:today|now|here|this week),? (?:we|I)(?:'re|’re|'ll|’ll| are| am| will)? (?:start|begin|kick off"
            r"|starting|beginning|going to)\b|\b(?:we|I) (?:begin|start|kick off) (?:our|my|this|a new)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "scene",
        re.compile(
            # "Last month, I got …", "When I first tried it, I …", "After stumbling upon …, I've decided …"
            rf"^{TIME_ANCHOR},? (?:I|we|my|our)\b(?! (?:{FINDINGS})\b)"
            # "I was idling on a friend's server …", "As I sit in the kitchen …", "I've been sitting on this …"
            r"|^(?:as |while |when )?(?:I|we)(?:'ve|’ve| have| had|'d|’d)? (?:was|were|am|been|'m|’m) [a-z]+ing\b"
            r"|^as (?:I|we) (?:sit|stand|write|walk|type|look|speak|wait)\b|^(?:I|we)(?:'m|’m| am| are) here\b"
            # "I bought it …", "I’ve tinkered with typefaces before …", "I remember when …"
            r"|^(?:I|we)(?:'ve|’ve| have| had)? (?:just |first |once |previously |recently )?(?:bought|got|tinkered"
            r"|stumbled|came across|remember|recall|grew up|used to|went|sat|stood|walked|found myself|spent|tried"
            r"|picked up|reached out|used|owned|watched|visited|played)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "buzz",
        re.compile(
            r"\bhas (?:certainly |definitely |really |surely )?been (?:the talk of|making (?:headlines|waves"
            r"|the rounds)|all the rage|on everyone)|\byou(?:'ve|’ve| have)? (?:probably|likely|no doubt|surely)"
            r" (?:heard|seen|noticed|read)\b|\b(?:everyone|everybody)(?:'s|’s| is| has been) talking about\b"
            r"|^it(?:'s|’s| is) no secret\b|^(?:we|you) all know\b|^there(?:'s|’s| is) no denying\b"
            r"|^picture this\b|^once upon a time\b",
            re.IGNORECASE,
        ),
    ),
    (
        # An abstract's opening: what is known or not yet known, before what the authors found.
        "background",
        re.compile(
            r"\bprovides? insights? into\b|\b(?:remains?|is|are) (?:still )?(?:poorly|not (?:well|fully)"
            r"|incompletely|little) understood\b|\blittle is known\b|\bremains? (?:unclear|unknown|elusive)\b"
            r"|\b(?:is|are|remains?) (?:a )?(?:key|major|central|fundamental|long-standing|open|important"
            r"|critical|crucial|essential) (?:challenge|question|problem|goal|step)\b",
            re.IGNORECASE,
        ),
    ),
)


# The four kinds in one pattern, so a sentence is scanned once (the name of the group that matched is the reason).
ANY_HOOK = re.compile(
    "|".join(f"(?P<{reason.replace(' ', '_')}>{pattern.pattern})" for reason, pattern in HOOK), re.IGNORECASE
)


# Searched only where one kind could match; the one pattern then says which kind matched first.
HOOK_GATES = (
    Gate(HOOK[0][1], words="begin start kick"),
    Gate(HOOK[1][1]),
    Gate(HOOK[2][1], words="been heard seen noticed read talking"),
    Gate(
        HOOK[3][1],
        words="insight insights understood known unclear unknown elusive challenge question problem goal step",
    ),
)


def hook(text: str) -> str | None:
    """Why this sentence is a hook (the post announcing itself, a scene or an anecdote, the buzz around the subject,
    an abstract's background) rather than the piece's claim, or None. A hook can open a piece; it is never its
    takeaway, and the summary never hands one over."""
    opening = text[lead_in(text) :].lstrip("\"'“‘(")
    words = words_of(opening)
    if not any(gate.found(opening, words) for gate in HOOK_GATES):
        return None
    match = ANY_HOOK.search(opening)
    return match.lastgroup.replace("_", " ") if match else None
