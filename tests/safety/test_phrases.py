"""The lexicon's phrase language: words, stems, groups, gaps, any-order groups, look-aheads."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.safety.phrases import LexiconError, compile_phrase, literal_words
from bot.safety.text import normalise


def matches(phrase: str, text: str, sets: dict[str, Any] | None = None) -> bool:
    return re.search(" " + compile_phrase(phrase, sets), " " + normalise(text) + " ") is not None


def test_words_match_whole_words_in_order() -> None:
    assert matches("envie de mourir", "j'ai envie de mourir")
    assert not matches("envie de mourir", "envie de mourirs")
    assert not matches("envie de mourir", "mourir de envie")
    assert not matches("tuer", "attuer")


def test_a_stem_matches_any_word_starting_with_it() -> None:
    for text in ("il me frappe", "il m'a frappée", "frappait", "FRAPPER"):
        assert matches("frapp*", text), text
    assert matches("frapp*", "la frape")  # both sides collapse to « frap… »
    assert not matches("frapp*", "la frite")
    assert not matches("frapp*", "refrapper")  # a stem starts a word
    assert matches("l'infirmi*", "l'infirmière")


def test_groups_nest_and_an_empty_alternative_is_optional() -> None:
    phrase = "je (veux|vais (vraiment|)) mourir"
    assert matches(phrase, "je veux mourir")
    assert matches(phrase, "je vais vraiment mourir")
    assert not matches(phrase, "je veux vraiment mourir")


def test_a_gap_allows_some_words_but_never_a_negation() -> None:
    assert matches("veux {0,2} mourir", "je veux tellement mourir")
    assert not matches("veux {0,2} mourir", "je veux pas du tout mourir")
    assert not matches("veux {0,2} mourir", "je veux pas mourir")  # the detector sees it negated
    assert matches("je {0,2} veux", "je ne veux")  # « ne » alone stands before the verb


def test_an_any_order_group_finds_its_parts_either_way() -> None:
    phrase = "(mourir & (ce soir|demain))"
    assert matches(phrase, "je veux mourir ce soir")
    assert matches(phrase, "ce soir je crois que je vais mourir")
    assert not matches(phrase, "ce soir un film, et sept mots plus tard on parle de mourir")
    assert matches("mourir & ce soir", "ce soir mourir")  # at the top, without brackets


def test_a_look_ahead_refuses_what_follows() -> None:
    phrase = "en peux plus !(de|avec)"
    assert matches(phrase, "j'en peux plus")
    assert matches(phrase, "j'en peux plus, vraiment")
    assert not matches(phrase, "j'en peux plus de ce bruit")


def test_lexicon_phrases_are_normalised_like_messages() -> None:
    assert matches("lettre d'adieu", "j'ai écrit une lettre dadieu")
    assert matches("me foutre en l'air", "jvais me foutre en lair")
    assert matches("⚰️", "bientôt ⚰")


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [
        ("(veux|vais mourir", "not closed"),
        ("veux) mourir", "unexpected"),
        ("veux {0,13} mourir", "gap"),
        ("veux {3,1} mourir", "gap"),
        ("<inconnu> mourir", "unknown set"),
        ("(veux|)", "nothing"),
        ("{0,2}", "nothing"),
        ("fr*pp*", "stem"),
        ("mou{rir", "unexpected"),
        ("(a | b & c)", "not both"),
        ("(a & b & c & d)", "at most 3"),
        ("(a & (b|))", "must match something"),
        ("!(de)", "nothing"),
    ],
)
def test_bad_phrases_are_refused_with_a_reason(phrase: str, problem: str) -> None:
    with pytest.raises(LexiconError, match=problem):
        compile_phrase(phrase)


def test_literal_words_list_what_the_speller_may_correct_towards() -> None:
    words = set(literal_words("(me suicider|scarif*) {0,2} <moyen> !(de)"))
    assert words == {"me", "suicider", "scarif*", "de"}  # sets and gaps name no word
