"""Typos and masks are read back as the lexicon's words, and ordinary words never are."""

from __future__ import annotations

import pytest

from bot.safety import Lexicon, detect
from bot.safety.spelling import Speller, common_words


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(
        ["suicider", "suicide", "mourir", "poignets", "pendre", "medicaments", "scarifier"],
        ["suicid", "scarif", "automutil"],
        common_words(),
    )


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("suicder", "suicider"),  # a letter missing
        ("sucide", "suicide"),  # six letters: one edit
        ("suicdie", "suicide"),  # two letters swapped
        ("medicamants", "medicaments"),
        ("suisidaire", "suicidaire"),  # a stem one edit away
        ("scarifiee", "scarifiee"),  # already a lexicon word's form
    ],
)
def test_a_typo_on_a_lexicon_word_is_corrected(speller: Speller, typed: str, read: str) -> None:
    """Tokens arrive with doubled letters already collapsed (`text.tokens`)."""
    assert speller.correct(typed) == read


@pytest.mark.parametrize("word", ["nourir", "poignes", "prendre", "clarifier", "attendre", "mur"])
def test_ordinary_words_are_never_corrected(speller: Speller, word: str) -> None:
    """« nourrir », « poignées » (after collapsing) and other real words stay what they are."""
    assert speller.correct(word) == word


@pytest.mark.parametrize(
    ("masked", "read"),
    [
        ("s*icide", "suicide"),
        ("s**cide", "suicide"),
        ("m*urir", "mourir"),
        ("sc*rifiee", "scarifiee"),
    ],
)
def test_a_masked_word_is_read_as_the_lexicon_word_it_fits(
    speller: Speller, masked: str, read: str
) -> None:
    assert speller.correct(masked) == read


def test_a_mask_that_fits_nothing_loses_its_stars(speller: Speller) -> None:
    assert speller.correct("b*njour") == "bnjour"
    assert speller.correct("*") == ""


def test_the_reviewed_lexicon_corrects_before_matching() -> None:
    assert Lexicon.load().speller.correct("suicyde") == "suicide"
    assert detect("je veux me suiccider").fired
    assert detect("je veux m0urir").fired
    assert not detect("je dois nourrir mon chat").fired
