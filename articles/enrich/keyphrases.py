"""The key phrases of one text: what it keeps talking about, scored on the text alone.

Topic suggestions read them (classify.suggest_topics): whether a topic's name is among the
piece's key phrases, and which recurring phrases could become new topics. A candidate is a
run of one to three words of the shared tokenizer's alphabet (text.WORD) that never crosses
punctuation or a line break and neither starts nor ends on a function word ("of" may join
two words inside: "Department of Justice"). Function words come from short lists of the
commonest ones for the languages the feeds carry; a text's language is the list that covers
most of its words, so a German post is cut at "für" and "den", not at English words only.

A phrase scores by how much its words stand out in the text and how often the phrase itself
recurs:

- a word weighs more the more of the text's sentences carry it (the subject runs through
  a piece; a passing word sits in one sentence), the earlier it first appears (the title
  and the opening name the subject), and the more often it is written with a capital
  where a sentence does not start (names and terms: "Chris Lattner", "GPU");
- a phrase adds its words' weights, times how often the whole phrase occurs, so a two-word
  phrase used four times outranks each of its words alone used four times.

The result is deterministic and costs well under a millisecond on a feed post (bench/REPORT.md,
"Drafting speed", third pass). It replaced yake, which took 12 ms a piece.
"""

import functools
import math
import re
import unicodedata
from collections import Counter
from operator import itemgetter

# Words and the marks that end a candidate: sentence ends and inner punctuation, brackets,
# quotes, dashes set off by spaces, and line breaks.
TOKEN = re.compile(r"""([^\W_][\w'’\-]*)|([.!?;:,()\[\]{}"“”„«»|…]|\s[-–—]\s|\n)""")  # (word, stop)
SENTENCE_END = frozenset(".!?…\n")
MAX_WORDS = 3
POSSESSIVE = re.compile(r"(?<=\w\w)['’]s$")  # "Travis Kalanick’s" is proposed as "Travis Kalanick"
JOINERS = frozenset({"of"})  # a function word that may sit inside a phrase ("Department of Justice")


def _words(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


# The commonest function words (articles, pronouns, prepositions, conjunctions, auxiliaries,
# and adverbs that never name a subject) of the languages the portal's feeds are written in.
FUNCTION_WORDS = {
    "en": _words(
        "a about above after again against all almost also although always am among an and another any anyone"
        " anything are around as at back be because been before being below between both but by can cannot"
        " could did do does doing done down during each either else enough even ever every few first for from"
        " further get gets getting give given go goes going gone got had has have having he her here hers"
        " herself him himself his how however i if in instead into is it it's its itself just least less"
        " let like made make makes many may maybe me might mine more most much must my myself near need"
        " never new next no nor not now of off often on once one only onto or other others our ours"
        " ourselves out over own per perhaps put quite rather really right said same say says see seem seems"
        " several shall she should since so some something still such take than that that's the their theirs"
        " them themselves then there there's these they they're thing things this those though through thus"
        " to too toward towards two under until up upon us use used using very via want was way we we're"
        " well were what what's when where whether which while who whom whose why will with within without"
        " would yes yet you you're your yours yourself yourselves don't doesn't didn't isn't aren't wasn't"
        " won't can't i'm i've we've you've i'd we'd you'd he's she's let's also etc e.g i.e vs"
        " http https www com html"
    ),
    "de": _words(
        "der die das den dem des ein eine einer eines einem einen und oder aber auch als am an auf aus bei"
        " bis da dass daß durch für gegen hat haben hatte ich ihr ihre im in ist ja kann können mit nach"
        " nicht noch nur ob sein seine sich sie sind so über um und uns unter vom von vor war waren was wie"
        " wir wird werden wurde wurden zu zum zur es er man mehr sehr schon dann wenn weil diese dieser dieses"
        " diesem diesen kein keine einen alle allem allen aller alles soll sollen muss müssen will wollen"
    ),
    "fr": _words(
        "le la les un une des du de et ou mais donc car ni que qui quoi dont où en dans par pour sur sous"
        " avec sans chez ce cet cette ces son sa ses leur leurs il elle ils elles nous vous je tu on ne pas"
        " plus est sont été être avoir a ont fait au aux se y comme aussi très tout tous toute toutes"
    ),
    "es": _words(
        "el la los las un una unos unas y o pero que de del en por para con sin sobre entre como más muy"
        " se su sus lo le les al es son fue ser ha han hay este esta estos estas ese esa también ya no sí"
    ),
    "pt": _words(
        "o a os as um uma uns umas e ou mas que de do da dos das em no na nos nas por para com sem sobre"
        " entre como mais muito se seu sua seus suas ele ela eles elas é são foi ser ter tem há este esta"
        " esse essa isso isto ao aos à às pelo pela pelos pelas também já não sim"
    ),
    "sk": _words(
        "a aj ale alebo ako by bol bola boli byť do ho i ich ja je jeho jej ju k ktorá ktoré ktorí ktorý"
        " ku ma mi na nie o od po pod pre pri s sa si so sú tak to tom tu už v vo z za že čo ešte keď"
    ),
    "ru": _words(
        "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне"
        " было вот от меня еще нет о из ему теперь когда даже ну ли если уже или ни быть был него до"
        " вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы"
        " тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому"
        " этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех"
        " это эта эти при"
    ),
    "ur": _words(
        "کے کی کا میں ہے اور سے کو نے پر یہ ہیں کہ تھا تھی تھے ہو گیا گئی گئے بھی ایک وہ نہیں کر کرنے"
        " جو تو لیے لئے اس ان ہی رہا رہی رہے ہوں جس جن کیا کیے کریں گا گی گے سکتا سکتی سکتے اپنے اپنی"
        " بعد ساتھ طرف والے والی جب تک"
    ),
}


def language_of(lowered: list[str]) -> str:
    """The language whose function words cover most of these (case-folded) words; English on a tie or none."""
    return _language_of_counts(Counter(lowered))


def _language_of_counts(uses: Counter) -> str:
    best, best_hits = "en", 0
    for language, function_words in FUNCTION_WORDS.items():
        hits = sum([uses[word] for word in function_words.intersection(uses)])  # whole numbers: any order
        if hits > best_hits:
            best, best_hits = language, hits
    return best


@functools.cache
def _function_words(language: str) -> frozenset[str]:
    # English terms turn up in posts of every language ("Redirect source to target").
    return FUNCTION_WORDS["en"] | FUNCTION_WORDS[language]


@functools.lru_cache(maxsize=65536)
def _surface(word: str) -> str:
    """The form a word is counted under: case-folded, plain apostrophe, no possessive ("Apple’s" is "apple")."""
    folded = word.casefold().replace("’", "'")
    return folded[:-2] if folded.endswith("'s") and len(folded) > 3 else folded


def _runs(text: str) -> tuple[list[tuple[list[str], list[str], list[int]]], int]:
    """The stretches between punctuation, each as (words, folded words, sentences), and the sentence count.

    The sentence is numbered from 0; a sentence's first word carries -1 - its number instead.
    """
    runs = []
    written: list[str] = []
    folded: list[str] = []
    marks: list[int] = []
    sentence, sentence_start = 0, True
    for word, stop in TOKEN.findall(text):
        if stop:
            if written:
                runs.append((written, folded, marks))
                written, folded, marks = [], [], []
            if stop.strip() in SENTENCE_END or stop == "\n":
                if not sentence_start:
                    sentence += 1
                sentence_start = True
            continue
        word = word.rstrip("'’-")  # "SessionManager'" and "Enc-" end where the word does
        written.append(word)
        folded.append(_surface(word))
        marks.append(sentence if not sentence_start else -1 - sentence)
        sentence_start = False
    if written:
        runs.append((written, folded, marks))
    return runs, sentence + 1


def keyphrases(text: str, top: int = 15) -> list[tuple[str, float]]:
    """The `top` key phrases of `text`, best first, each with its score (higher is better).

    A phrase is given as the text first writes it; a phrase inside a better one already listed
    ("Lattner" after "Chris Lattner") is left out.
    """
    text = unicodedata.normalize("NFKC", text)
    runs, sentence_count = _runs(text)
    uses: Counter = Counter()
    for _written, folded, _marks in runs:
        uses.update(folded)
    function_words = _function_words(_language_of_counts(uses))
    # word -> [count, capitals (written with a capital where no sentence starts), first sentence, sentences]
    stats: dict[str, list] = {}
    for written, folded, marks in runs:
        for word, lowered, marked in zip(written, folded, marks, strict=True):
            # A negative sentence number marks the sentence's first word: its capital says nothing.
            sentence = marked if marked >= 0 else -1 - marked
            entry = stats.get(lowered)
            if entry is None:
                entry = stats[lowered] = [0, 0, sentence, set()]
            entry[0] += 1
            entry[3].add(sentence)
            if marked >= 0 and word[:1].isupper():
                entry[1] += 1
    weights = {}
    for lowered, (count, capitals, first_sentence, in_sentences) in stats.items():
        if lowered in function_words or len(lowered) < 2 or lowered.isdigit():
            continue
        spread = len(in_sentences) / sentence_count
        early = 1 / math.log2(2 + first_sentence)
        named = 1 + capitals / count
        weights[lowered] = (0.2 + spread) * early * named * math.log2(1 + count)
    # phrase -> [uses, run, start, end]: where it is first written, to give it as written only if it is listed
    phrases: dict[tuple[str, ...], list] = {}
    for number, (_written, folded_list, _marks) in enumerate(runs):
        folded = tuple(folded_list)  # a phrase is a slice of it
        length = len(folded)
        weighted = [word in weights for word in folded]
        for start in range(length):
            if not weighted[start]:
                continue
            for end in range(start + 1, min(start + MAX_WORDS, length) + 1):
                if not weighted[end - 1]:
                    if folded[end - 1] in JOINERS and end < length:
                        continue  # a joiner may continue a phrase, never end one
                    break
                key = folded[start:end]
                found = phrases.get(key)
                if found is None:
                    phrases[key] = [1, number, start, end]
                else:
                    found[0] += 1
    # A phrase always written inside the same longer one ("Dead Redemption" in "Red Dead
    # Redemption") is that longer phrase: it gives way, and lends it its score if higher.
    lent: dict[tuple[str, ...], float] = {}
    scores = {}
    weight = weights.get
    for key, (count, *_where) in phrases.items():
        if len(key) == 1:
            # A single word's weight already counts its uses (its score is its weight: sum([w]) / 1 * 1).
            scores[key] = weights[key[0]]
        elif len(key) == 2:
            # A phrase's words weigh by the phrase's own uses: the mean of its weighted words' weights (both ends
            # are weighted; a joiner in the middle may not be), times its uses.
            scores[key] = sum((weights[key[0]], weights[key[1]])) / 2 * count
        else:
            middle = weight(key[1])
            if middle is None:
                scores[key] = sum((weights[key[0]], weights[key[2]])) / 2 * count
            else:
                scores[key] = sum((weights[key[0]], middle, weights[key[2]])) / 3 * count
    given_way = set()
    for key, (count, *_where) in phrases.items():
        if len(key) == 1:
            continue
        for part in (key[1:], key[:-1]):
            found = phrases.get(part)
            if found is not None and found[0] == count:
                given_way.add(part)
                lent[key] = max(lent.get(key, 0.0), scores[part])
    scored = [(max(scores[key], lent.get(key, 0.0)), key) for key in phrases if key not in given_way]
    # Best first, and among equal scores by the phrase as written (computed only for the scores reached).
    scored.sort(key=itemgetter(0), reverse=True)  # stable, as the sort by -score was: ties keep their order

    def written_form(key: tuple[str, ...]) -> str:
        _count, number, start, end = phrases[key]
        return POSSESSIVE.sub("", " ".join(runs[number][0][start:end]))

    chosen: list[tuple[str, float]] = []
    kept: list[str] = []
    position = 0
    while position < len(scored) and len(chosen) < top:
        score = scored[position][0]
        tied = position
        while tied < len(scored) and scored[tied][0] == score:
            tied += 1
        group = [(written_form(key), key) for _score, key in scored[position:tied]]
        group.sort(key=lambda item: item[0])
        position = tied
        for surface, key in group:
            padded = " " + " ".join(key) + " "
            if any(padded in other for other in kept):
                continue
            chosen.append((surface, round(score, 4)))
            kept.append(padded)
            if len(chosen) == top:
                break
    return chosen
