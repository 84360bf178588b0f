"""The one tokenizer (articles/enrich/text.py) in any alphabet, and what it gives clustering
and drafting. The Cyrillic and Greek texts were written for these tests."""

import hypothesis
import pytest

from articles.enrich.clusters import assign_story_cluster
from articles.enrich.originality import compare
from articles.enrich.summarize import extractive_draft
from articles.enrich.text import sentences, shingles, word_count, words
from articles.tests.factories import make_article

TRAM_RU = (
    "Городской совет утвердил строительство новой трамвайной линии, которая соединит северные кварталы "
    "с центром. Работы начнутся весной и продлятся около двух лет. По расчётам инженеров, поездка от "
    "конечной станции до вокзала займёт двадцать минут вместо сорока. Жители спрашивали о шуме, и "
    "проектировщики обещают уложить рельсы на резиновые подушки. Стоимость проекта покроют городской "
    "бюджет и кредит банка развития."
)
TRAM_EL = (
    "Το δημοτικό συμβούλιο ενέκρινε την κατασκευή νέας γραμμής τραμ που θα συνδέει τις βόρειες γειτονιές "
    "με το κέντρο. Οι εργασίες θα ξεκινήσουν την άνοιξη και θα διαρκέσουν περίπου δύο χρόνια. Σύμφωνα με "
    "τους μηχανικούς, η διαδρομή από τον τελικό σταθμό ως τον σιδηροδρομικό σταθμό θα διαρκεί είκοσι λεπτά "
    "αντί για σαράντα. Οι κάτοικοι ρώτησαν για τον θόρυβο και οι μελετητές υπόσχονται ελαστικά υποστρώματα "
    "κάτω από τις ράγες."
)


def test_words_are_found_in_cyrillic_greek_and_accented_latin_text():
    assert words("Городской совет утвердил") == ["городской", "совет", "утвердил"]
    assert words("Το δημοτικό ΣΥΜΒΟΎΛΙΟ") == ["το", "δημοτικό", "συμβούλιο"]
    assert words("Die Größenordnung, l’état-major!") == ["die", "grössenordnung", "l'état-major"]
    assert word_count(TRAM_RU) == 56


def test_shingles_are_every_run_of_consecutive_words_in_order():
    assert shingles(["a", "b", "c", "a", "b"], 2) == [("a", "b"), ("b", "c"), ("c", "a"), ("a", "b")]
    assert shingles(["a"], 2) == []


@pytest.mark.parametrize(("text", "count"), [(TRAM_RU, 5), (TRAM_EL, 4)], ids=["cyrillic", "greek"])
def test_sentences_end_before_a_capital_of_any_alphabet(text, count):
    found = sentences(text)
    assert len(found) == count
    assert all(sentence.text[0].isupper() for sentence in found)
    assert found[1].text.endswith(("лет.", "χρόνια."))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "titles"),
    [
        (TRAM_RU, ("Город строит трамвай на север", "Новая линия: двадцать минут до вокзала")),
        (TRAM_EL, ("Νέο τραμ για τα βόρεια", "Είκοσι λεπτά ως τον σταθμό με τη νέα γραμμή")),
    ],
    ids=["cyrillic", "greek"],
)
def test_a_syndicated_copy_of_a_non_latin_original_joins_its_story(text, titles):
    original = make_article(title=titles[0], content_text=text)
    copy = make_article(title=titles[1], content_text=f"{text} {text.split('.')[0]}.")

    cluster = assign_story_cluster(article=copy)

    assert cluster is not None and set(cluster.articles.all()) == {original, copy}


@pytest.mark.django_db
def test_different_non_latin_stories_stay_apart():
    make_article(title="Город строит трамвай на север", content_text=TRAM_RU)
    greek = make_article(title="Νέο τραμ για τα βόρεια", content_text=TRAM_EL)
    assert assign_story_cluster(article=greek) is None


def test_a_cyrillic_draft_quotes_whole_sentences_from_their_paragraphs():
    text = f"{TRAM_RU}\n\nВторой абзац рассказывает о пересадках. Станции будут рядом с метро и автобусами."
    draft = extractive_draft(text, summary_sentences=2, insights=2)

    for extract in [*draft.summary, draft.takeaway, *draft.insights]:
        assert text[extract.start : extract.end] == extract.text
        assert extract.text.endswith(".")
    assert {extract.paragraph for extract in [*draft.summary, draft.takeaway, *draft.insights]} <= {1, 2}


def test_a_greek_passage_pasted_into_a_brief_counts_as_copied():
    report = compare([TRAM_EL.split(". ")[2]], TRAM_EL)
    assert report.percent == 100
    assert report.longest_words > 20


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(
    text=hypothesis.strategies.text(
        alphabet=hypothesis.strategies.sampled_from([*"aB1 _-’'.\n", "İ", "ß", "ﬁ", "Σ", "\u0301", "Ⅻ", "ŉ"]),
        max_size=400,
    ),
    limit=hypothesis.strategies.sampled_from([None, 1, 2, 5, 40]),
)
def test_words_are_the_tokenizers_words_folded_and_cut_at_the_limit(text, limit):
    import unicodedata

    from articles.enrich.text import WORD

    folded = [word.casefold().replace("’", "'") for word in WORD.findall(unicodedata.normalize("NFKC", text))]

    assert words(text, limit=limit) == (folded if limit is None else folded[:limit])
    assert shingles(folded, 3) == [tuple(folded[i : i + 3]) for i in range(len(folded) - 2)]
