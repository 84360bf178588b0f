from articles.enrich.keyphrases import keyphrases

GAME = (
    "Red Dead Redemption 2 may come to PC. Rockstar Games listed Red Dead Redemption 2 in its launcher, "
    "and players of Red Dead Redemption on consoles asked for it. The studio said nothing.\n\n"
    "Red Dead Redemption sold well. Rockstar Games did not comment."
)


def phrases_of(text: str) -> list[str]:
    return [phrase for phrase, _score in keyphrases(text)]


def test_a_name_the_text_keeps_using_leads_its_key_phrases_whole():
    found = phrases_of(GAME)

    assert found[0] == "Red Dead Redemption"
    # Never cut short: the shorter runs are only ever written inside the name.
    assert "Dead Redemption" not in found and "Red Dead" not in found
    assert "Rockstar Games" in found


def test_key_phrases_never_start_or_end_on_a_function_word_of_the_texts_language():
    german = (
        "Redirects für den Apache verstehen. Die Konfiguration von Redirects für den Apache ist oft "
        "der Wunsch von Admins. Wer Redirects einrichtet, sollte die Regeln des Apache kennen."
    )

    found = phrases_of(german)

    assert "Redirects" in found and "Apache" in found
    function_words = {"für", "den", "die", "der", "von", "des", "ist"}
    assert not any({phrase.split()[0].lower(), phrase.split()[-1].lower()} & function_words for phrase in found)


def test_a_possessive_is_the_same_word_and_is_not_proposed_with_its_ending():
    text = "Inside Travis Kalanick’s resignation. Travis Kalanick left Uber. Travis Kalanick’s board agreed."

    found = phrases_of(text)

    assert found[0] == "Travis Kalanick"
    assert not any(phrase.endswith(("’s", "'s")) for phrase in found)


def test_an_empty_or_wordless_text_has_no_key_phrases():
    assert keyphrases("") == []
    assert keyphrases("… — !!! ,,,") == []
