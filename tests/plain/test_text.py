"""Counting conventions of falc.md §3, one test per bullet (see bot/plain/text.py)."""

from __future__ import annotations

import pytest

from bot.plain.text import letter_count, long_words, sentences, strip_markup, words

# --- Word ------------------------------------------------------------------------------------


def test_word_is_a_whitespace_token_with_a_letter_or_digit() -> None:
    assert words("La réunion commence à 14 heures.") == [
        "La",
        "réunion",
        "commence",
        "à",
        "14",
        "heures",
    ]


@pytest.mark.parametrize("token", ["l'hôpital", "s'arrête", "L’hôpital", "aujourd'hui"])
def test_elided_form_is_one_word(token: str) -> None:
    assert words(f"Devant {token}.") == ["Devant", token]


@pytest.mark.parametrize("token", ["rendez-vous", "pair-aidant", "elle-même", "c'est-à-dire"])
def test_hyphenated_compound_is_one_word(token: str) -> None:
    assert len(words(f"Un {token} ici")) == 3


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Le 14 mars 2028", ["Le", "14", "mars", "2028"]),
        ("Appelez le 0 800 235 236 maintenant", ["Appelez", "le", "0 800 235 236", "maintenant"]),
        ("Appelez le 01 23 45 67 89.", ["Appelez", "le", "01 23 45 67 89"]),
        ("Il y a 14 000 places", ["Il", "y", "a", "14 000", "places"]),
        ("Il y a 14\u202f000 places", ["Il", "y", "a", "14 000", "places"]),
        ("appelez le 15 ou le 112", ["appelez", "le", "15", "ou", "le", "112"]),
        ("le 15, 112 ou 3114", ["le", "15", "112", "ou", "3114"]),
    ],
)
def test_digit_groups_and_phone_numbers_are_one_word(sentence: str, expected: list[str]) -> None:
    assert words(sentence) == expected


def test_french_spaced_punctuation_is_not_counted() -> None:
    assert words("Vous voulez faire une plainte ?") == ["Vous", "voulez", "faire", "une", "plainte"]
    assert words("Adresse : mairie, salle du conseil !") == [
        "Adresse",
        "mairie",
        "salle",
        "du",
        "conseil",
    ]
    assert words("« Bonjour » — dit-il ; …") == ["Bonjour", "dit-il"]


def test_pictograms_html_and_placeholders() -> None:
    assert words("📅 Rappel : <b>réunion</b> le {date}") == ["Rappel", "réunion", "le", "{date}"]
    assert words("✏️ Je change mon avis") == ["Je", "change", "mon", "avis"]
    assert words("Tapez /menu") == ["Tapez", "/menu"]


# --- Sentence --------------------------------------------------------------------------------


def test_split_on_terminal_punctuation_and_line_breaks() -> None:
    text = "Bonjour ! Vous voulez parler ? Écrivez.\nMerci\nÀ bientôt."
    assert sentences(text) == [
        "Bonjour !",
        "Vous voulez parler ?",
        "Écrivez.",
        "Merci",
        "À bientôt.",
    ]


def test_one_word_line_is_a_sentence() -> None:
    assert sentences("Bonjour.\nLa réunion commence.") == ["Bonjour.", "La réunion commence."]


@pytest.mark.parametrize(
    "text",
    [
        "M. Dupont vous attend.",
        "Mme. Martin vous attend.",
        "Le Dr. Lee vous attend.",
        "Des fruits, etc. et des légumes.",
        "Des fruits, p. ex. des pommes.",
        "Le prix est 3.5 euros.",
        "La réunion commence à 14h30.",
        "La réunion commence à 14.30 heures.",
        "Je réfléchis... et je reviens.",
        "Je réfléchis… et je reviens.",
        "Le site est www.ars.fr et il est clair.",
    ],
)
def test_protected_dots_do_not_end_a_sentence(text: str) -> None:
    assert sentences(text) == [text]


def test_etc_before_a_capital_ends_the_sentence() -> None:
    assert sentences("Des fruits, etc. Vous choisissez.") == [
        "Des fruits, etc.",
        "Vous choisissez.",
    ]


def test_markup_and_wordless_lines() -> None:
    text = "<b>Retour</b> revient à la question d'avant.\n📅\n\n{reading}\n—"
    assert sentences(text) == ["Retour revient à la question d'avant.", "{reading}"]


def test_closing_quote_stays_with_its_sentence() -> None:
    assert sentences("Il dit « Bonjour. » Puis il part.") == [
        "Il dit « Bonjour. »",
        "Puis il part.",
    ]


def test_strip_markup_decodes_entities() -> None:
    assert strip_markup("<b>A</b> &amp; <i>B</i> &lt; 5") == "A & B < 5"


# --- Long word (LIX) -------------------------------------------------------------------------


def test_long_word_is_more_than_6_letters_without_the_elided_letter() -> None:
    # l'hôpital: h-ô-p-i-t-a-l = 7 letters, long either way.
    assert letter_count("l'hôpital") == 7
    assert letter_count("l'hôpital", count_elided=True) == 8
    # s'arrête: a-r-r-ê-t-e = 6, not long by default; 7 (long) if the « s » counts.
    assert long_words(["s'arrête"]) == []
    assert long_words(["s'arrête"], count_elided=True) == ["s'arrête"]


def test_long_word_ignores_hyphens_digits_and_placeholders() -> None:
    assert letter_count("rendez-vous") == 10
    assert letter_count("aujourd'hui") == 10  # « aujourd » is not an elision
    assert long_words(["0 800 235 236", "{pseudonym}", "devant", "bonjour"]) == ["bonjour"]
