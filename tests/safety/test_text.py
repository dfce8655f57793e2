"""Normalisation: what people type and what the lexicon says meet in one plain form."""

from __future__ import annotations

import pytest

from bot.safety.text import normalise, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ENVIE DE MOURIR", "envie de mourir"),  # lower case
        ("Je suis épuisée, à bout", "je suis epuise a bout"),  # accents (« ée » → « e »)
        ("ma sœur, l'œil", "ma soeur le oeil"),  # œ is not decomposed by NFKD
        ("j’ai", "je ai"),  # typographic apostrophes
        ("j‘ai", "je ai"),
        ("jʼai", "je ai"),
        ("mou\u200brir", "mourir"),  # zero-width space
        ("mou\u200drir\ufeff", "mourir"),  # zero-width joiner, BOM
        ("\u202emourir\u202c", "mourir"),  # bidi override
        ("mou\u00adrir", "mourir"),  # soft hyphen
        ("ｍｏｕｒｉｒ", "mourir"),  # full-width letters (NFKD)
        ("  mourir!!!   vite ?? ", "mourir vite"),  # punctuation → spaces, collapsed
        ("peut-être", "peut etre"),
    ],
)
def test_normalise_folds_case_accents_marks_and_punctuation(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize("text", ["mourir", "mourrir", "mourirrr", "MOURIRRRR", "moouuriiir"])
def test_normalise_collapses_repeated_letters(text: str) -> None:
    assert normalise(text) == "mourir"


def test_double_letters_collapse_everywhere_so_both_spellings_meet() -> None:
    assert normalise("frappe") == normalise("frape") == "frape"
    assert normalise("lettre") == normalise("letre")
    assert normalise("3114") == "3114"  # digits are left alone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jveux", "je veux"),
        ("jvais", "je vais"),
        ("chui", "je suis"),
        ("chuiii", "je suis"),
        ("jme", "je me"),
        ("envi", "envie"),
        ("ptet", "peut etre"),
        ("mm", "meme"),
        ("tlm", "tout le monde"),
        ("plu", "plus"),
        ("jpp", "je en peux plus"),
        ("mtn", "maintenant"),
        ("sa", "ca"),
    ],
)
def test_sms_forms_are_written_out(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_elisions_are_written_out_with_or_without_apostrophe() -> None:
    assert normalise("j'ai") == normalise("jai") == normalise("j ai") == normalise("g") == "je ai"
    assert normalise("c'est fini") == normalise("c est fini") == normalise("c fini")
    assert normalise("qu'il") == "que il"


def test_ordinary_words_that_look_like_sms_are_left_alone() -> None:
    assert normalise("jamais") == "jamais"  # j + vowel: not a glued « je »
    assert normalise("jour jeudi") == "jour jeudi"
    assert normalise("") == normalise("   ") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("su1c1de", "suicide"),  # digits for letters
        ("m0rt", "mort"),
        ("$uicide", "suicide"),  # symbols for letters
        ("@dieu", "adieu"),
        ("su!c!de", "suicide"),  # « ! » between letters
        ("s u i c i d e", "suicide"),  # spaced letters
        ("S.U.I.C.I.D.E", "suicide"),
        ("m-o-u-r-i-r", "mourir"),
        ("#suicide", "suicide"),  # a hashtag
    ],
)
def test_leetspeak_symbols_and_spaced_letters_are_read_back(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_numbers_stay_numbers() -> None:
    assert normalise("j'ai 15 ans, rdv à 15h, le 3114, h24, 2eme") == (
        "je ai 15 ans rdv a 15 h le 3114 h 24 2 eme"
    )


def test_a_masked_letter_stays_in_the_word_for_the_speller() -> None:
    assert tokens("s*icide") == ["s*icide"]
    assert tokens("m**rir ce soir") == ["m**rir", "ce", "soir"]
    assert normalise("s*icide") == "sicide"  # normalise drops what it cannot read


def test_death_and_harm_emoji_become_words_other_emoji_vanish() -> None:
    assert normalise("⚰️ bientôt 🪦") == "emocercueil bientot emotombe"
    assert normalise("🔪🩸") == "emocouteau emosang"
    assert normalise("🌻🎉") == ""


def test_english_contractions_are_written_out() -> None:
    assert normalise("I’m gonna kill myself") == "i am going to kil myself"
    assert normalise("i don't want to live") == "i do not want to live"
    assert normalise("I can't go on") == "i can not go on"
    assert normalise("it's over") == "it is over"


def test_sentences_and_clauses_are_kept_as_tokens_for_masking_only() -> None:
    assert tokens("Après ce film, j'ai pleuré. Fin") == [
        "apres", "ce", "film", ",", "je", "ai", "pleure", ".", "fin"
    ]  # fmt: skip
    assert normalise("Après ce film, j'ai pleuré. Fin") == "apres ce film je ai pleure fin"


def test_normalise_is_idempotent() -> None:
    once = normalise("Jveux plu vivre, chui à bout !! mourrrir ce soir ⚰️ su1c1de")
    assert normalise(once) == once
