"""Crisis safety net: normalisation, phrase syntax, each category, negation, idioms, privacy.

The last test runs the whole labelled set (tests/data/crisis_set.tsv) and holds the goals:
every crisis line fires, at most 5 % of near misses do. `pytest -s` prints the figures.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import safety
from bot.safety import (
    CATEGORIES,
    DEFAULT_LEXICON,
    NOT_FIRED,
    Detection,
    Lexicon,
    LexiconError,
    compile_phrase,
    detect,
    normalise,
)

CRISIS_SET = Path(__file__).resolve().parent / "data" / "crisis_set.tsv"


# --- normalise ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ENVIE DE MOURIR", "envie de mourir"),  # lower case
        ("Je suis épuisée, à bout", "je suis epuise a bout"),  # accents (« ée » → « e »)
        ("ma sœur, l'œil", "ma soeur le oeil"),  # œ is not decomposed by NFKD
        ("j’ai", "je ai"),  # typographic apostrophe
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


def test_normalise_collapses_double_letters_everywhere_so_both_spellings_meet() -> None:
    assert normalise("frappe") == normalise("frape") == "frape"
    assert normalise("lettre") == normalise("letre")
    assert normalise("3114") == "3114"  # digits are left alone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jveux", "je veux"),
        ("jvais", "je vais"),
        ("jsuis", "je suis"),
        ("chui", "je suis"),
        ("chuiii", "je suis"),
        ("jsui", "je suis"),
        ("jme", "je me"),
        ("jvx", "je veux"),
        ("envi", "envie"),
        ("ptet", "peut etre"),
        ("mm", "meme"),
        ("tlm", "tout le monde"),
        ("tt", "tout"),
        ("plu", "plus"),
        ("pk", "pourquoi"),
        ("jpp", "je en peux plus"),
        ("mtn", "maintenant"),
        ("sa", "ca"),
        ("lair", "le air"),
    ],
)
def test_normalise_expands_sms_forms(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_normalise_writes_elisions_out_with_or_without_apostrophe() -> None:
    assert normalise("j'ai") == normalise("jai") == normalise("j ai") == normalise("g") == "je ai"
    assert normalise("c'est fini") == normalise("c est fini") == normalise("c fini")
    assert normalise("qu'il") == "que il"
    assert normalise("m'en foutre en l'air") == "me en foutre en le air"


def test_normalise_leaves_ordinary_words_that_look_like_sms_alone() -> None:
    # « jamais » starts with j + vowel: not a glued « je ».
    assert normalise("jamais") == "jamais"
    assert normalise("jour jeudi") == "jour jeudi"
    assert normalise("") == ""
    assert normalise("   ") == ""
    assert normalise("😢😢") == ""


def test_normalise_is_idempotent() -> None:
    text = "Jveux plu vivre, chui à bout !! mourrrir ce soir"
    once = normalise(text)
    assert normalise(once) == once


# --- phrase syntax -----------------------------------------------------------------------


def phrase_matches(phrase: str, text: str, sets: dict[str, Any] | None = None) -> bool:
    regex = compile_phrase(phrase, sets)
    return re.search(" " + regex, " " + normalise(text) + " ") is not None


def test_phrase_words_match_whole_words_in_order() -> None:
    assert phrase_matches("envie de mourir", "j'ai envie de mourir")
    assert not phrase_matches("envie de mourir", "envie de mourirs")  # whole words only
    assert not phrase_matches("envie de mourir", "mourir de envie")
    assert not phrase_matches("tuer", "attuer")


def test_phrase_stem_matches_any_word_starting_with_it() -> None:
    for text in ("il me frappe", "il m'a frappée", "frappait", "FRAPPER"):
        assert phrase_matches("frapp*", text), text
    assert phrase_matches("frapp*", "la frape")  # both sides collapse to « frap… »
    assert not phrase_matches("frapp*", "la frite")
    assert not phrase_matches("frapp*", "refrapper")  # a stem starts a word
    assert phrase_matches("l'infirmi*", "l'infirmière")


def test_phrase_groups_nest_and_an_empty_alternative_is_optional() -> None:
    phrase = "je (veux|vais (vraiment|)) mourir"
    assert phrase_matches(phrase, "je veux mourir")
    assert phrase_matches(phrase, "je vais mourir")
    assert phrase_matches(phrase, "je vais vraiment mourir")
    assert not phrase_matches(phrase, "je veux vraiment mourir")


def test_phrase_gap_allows_some_words_in_between() -> None:
    assert phrase_matches("veux {0,2} mourir", "je veux mourir")
    assert phrase_matches("veux {0,2} mourir", "je veux tellement fort mourir")
    assert not phrase_matches("veux {0,2} mourir", "je veux pas du tout mourir")


def test_phrase_elisions_and_accents_in_the_lexicon_are_normalised_too() -> None:
    assert phrase_matches("lettre d'adieu", "j'ai écrit une lettre dadieu")
    assert phrase_matches("me foutre en l'air", "jvais me foutre en lair")
    assert phrase_matches("disparaître", "DISPARAITRE")


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
    ],
)
def test_bad_phrases_are_refused_with_a_reason(phrase: str, problem: str) -> None:
    with pytest.raises(LexiconError, match=problem):
        compile_phrase(phrase)


def minimal(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": 1,
        "updated": "2026-11-22",
        "reviewed_by": "test",
        "categories": {name: [f"mot{index}"] for index, name in enumerate(CATEGORIES)},
    }
    data.update(overrides)
    return data


def test_lexicon_file_errors_name_the_place() -> None:
    with pytest.raises(LexiconError, match="categories must be exactly"):
        Lexicon.from_mapping(minimal(categories={"suicide": ["mourir"]}))
    with pytest.raises(LexiconError, match="missing 'reviewed_by'"):
        data = minimal()
        del data["reviewed_by"]
        Lexicon.from_mapping(data)
    # YAML reads « on » or « non » as booleans: the loader insists on text.
    data = yaml.safe_load("categories:\n  suicide: [mourir, on]\n")
    with pytest.raises(LexiconError, match=r"suicide\[1\]: expected a text, got True"):
        Lexicon.from_mapping(minimal(categories={**minimal()["categories"], **data["categories"]}))
    with pytest.raises(LexiconError, match="staff_abuse has no phrase"):
        Lexicon.from_mapping(minimal(categories={**minimal()["categories"], "staff_abuse": []}))


def test_a_small_lexicon_with_sets_idioms_and_imminence() -> None:
    lexicon = Lexicon.from_mapping(
        minimal(
            sets={"proche": ["mon (frere|ami)", "ma soeur"]},
            categories={
                **minimal()["categories"],
                "suicide": ["mourir"],
                "third_party": ["<proche> {0,3} mourir"],
            },
            imminence=["ce soir"],
            idioms=["mort de rire"],
        )
    )
    assert lexicon.detect("mon ami veut mourir") == Detection(
        True, ("suicide", "third_party"), False
    )
    assert lexicon.detect("je veux mourir ce soir").imminent
    assert lexicon.detect("ce soir") == NOT_FIRED
    assert lexicon.detect("mort de rire") == NOT_FIRED


# --- the reviewed lexicon ----------------------------------------------------------------


def test_the_reviewed_file_loads_once_and_says_who_must_review_it() -> None:
    assert Lexicon.load() is Lexicon.load() is Lexicon.load(DEFAULT_LEXICON)
    data = yaml.safe_load(DEFAULT_LEXICON.read_text(encoding="utf-8"))
    assert {"version", "updated", "reviewed_by"} <= set(data)
    assert "clinicien" in data["reviewed_by"] and "pair-aidant" in data["reviewed_by"]
    assert tuple(sorted(data["categories"])) == tuple(sorted(CATEGORIES))


POSITIVE = {
    "suicide": [
        "j'ai envie de mourir",
        "jveux me suicider",
        "je vais me foutre en l'air",
        "plus envie de vivre",
        "je veux en finir",
        "disparaître pour toujours",
        "j'ai peur de faire une bêtise",
        "j'ai écrit une lettre d'adieu",
        "je me scarifie",
        "je me suis coupée encore",
        "j'ai avalé mes cachets",
        "je vais sauter du pont",
        "je veux me jeter par la fenetre",
        "je veux me pendre",
        "je suis un fardeau",
        "ça servirait à rien que je sois là",
        "personne ne me regrettera",
        "je veux dormir pour toujours",
        "mettre fin à mes jours",
        "je me sens de trop",
    ],
    "violence_received": [
        "il me frappe",
        "on me bat",
        "mon mari me menace",
        "j'ai été agressée",
        "il m'a violée",
        "je subis des violences",
        "mon copain m'étrangle",
    ],
    "child_at_risk": [
        "mon enfant est en danger",
        "on frappe un enfant",
        "le voisin bat ses enfants",
        "ma fille est maltraitée",
        "j'ai 12 ans et mon père me frappe",
    ],
    "third_party": [
        "mon ami veut se suicider",
        "mon frère parle de mourir",
        "ma fille se scarifie",
        "elle veut en finir",
        "j'ai peur qu'il fasse une bêtise",
    ],
    "staff_abuse": [
        "un soignant m'a frappée",
        "l'infirmier m'a insulté",
        "j'ai été attachée sans raison",
        "maltraitance à l'hôpital",
        "le vigile m'a plaqué au sol",
    ],
}

NEGATIVE = [
    "mdr",
    "je suis mort de rire",
    "je meurs de faim",
    "je meurs de soif",
    "on meurt de chaud ici",
    "je meurs de froid",
    "j'ai tué le temps",
    "ça me tue qu'ils ne répondent pas",
    "ce formulaire me tue",
    "je crève de faim",
    "une réunion à mourir d'ennui",
    "je me suis coupé les cheveux",
    "il m'a coupé la parole",
    "il ne faut pas sauter une étape",
    "le groupe sur l'urgence et la crise",
    "la campagne de prévention du suicide",
    "il faut en finir avec les délais",
    "je me jette à l'eau",
    "ce qui me frappe, c'est le bruit",
    "faute de frappe",
    "je suis très attachée à mon infirmière",
    "le personnel est attaché à la qualité",
    "ce soir je vais au cinéma",
    "maintenant ça va mieux",
    "",
]


@pytest.mark.parametrize(
    ("category", "text"),
    [(category, text) for category, texts in POSITIVE.items() for text in texts],
)
def test_each_category_fires_on_its_examples(category: str, text: str) -> None:
    detection = detect(text)
    assert detection.fired, text
    assert category in detection.categories, (text, detection.categories)


@pytest.mark.parametrize("text", NEGATIVE)
def test_idioms_and_ordinary_words_do_not_fire(text: str) -> None:
    assert detect(text) == NOT_FIRED


@pytest.mark.parametrize(
    "text",
    [
        "je ne veux pas mourir",
        "je veux pas mourir",
        "j'ai pas envie de me suicider",
        "je ne vais pas me tuer",
        "je ne suis pas un fardeau",
        "jveux po mourir",
        "je ne me suis jamais scarifiée",
    ],
)
def test_negation_never_switches_a_match_off(text: str) -> None:
    assert "suicide" in detect(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "mort de rire mais j'ai envie de mourir",
        "mdr jveux mourir",
        "je meurs de faim et je veux en finir",
        "la campagne de prévention du suicide ne sert à rien, je veux me suicider",
        "je me suis coupé les cheveux et je me suis coupée les bras",
    ],
)
def test_an_idiom_is_cut_out_but_the_rest_of_the_message_still_fires(text: str) -> None:
    assert "suicide" in detect(text).categories


def test_an_idiom_does_not_join_the_words_around_it_into_a_phrase() -> None:
    # Cutting « mort de rire » out must not glue « envie de » to what follows.
    assert detect("envie de mort de rire vivre") == NOT_FIRED


def test_imminence_counts_only_together_with_a_category() -> None:
    assert detect("ce soir") == NOT_FIRED
    assert detect("maintenant, tout de suite") == NOT_FIRED
    assert detect("je veux mourir ce soir") == Detection(True, ("suicide",), True)
    assert detect("j'ai déjà pris les cachets").imminent
    assert detect("j'ai pris toute la boîte").imminent
    assert detect("je veux mourir") == Detection(True, ("suicide",), False)


def test_categories_are_sorted_and_unique() -> None:
    detection = detect("mon mari me frappe, mon fils est en danger et je veux mourir")
    assert detection.categories == tuple(sorted(set(detection.categories)))
    assert {"child_at_risk", "suicide", "violence_received"} <= set(detection.categories)


def test_a_very_long_message_is_handled_quickly() -> None:
    """No catastrophic backtracking: Telegram's longest message, worst-case shapes."""
    for text, fires in (
        ("mon ami " * 512, False),
        ("je veux " * 512, False),
        ("a" * 4000 + " mourir", True),
        ("x " * 2048, False),
        ("mdr " * 1024, False),
        ("je ne " * 682, False),
    ):
        assert len(text) <= 4096
        start = time.perf_counter()
        detection = detect(text)
        assert time.perf_counter() - start < 0.25, text[:20]
        assert detection.fired is fires


# --- privacy -----------------------------------------------------------------------------


def test_a_detection_holds_no_text() -> None:
    """The bot may store a Detection; it must never carry what the person wrote."""
    text = "je veux me suicider ce soir, Josiane Durand, 06 12 34 56 78"
    detection = detect(text)
    assert [field.name for field in dataclasses.fields(Detection)] == [
        "fired",
        "categories",
        "imminent",
    ]
    assert not hasattr(detection, "__dict__")  # slots: nothing can be attached later
    for name in ("text", "match", "matched", "phrase", "span", "words"):
        assert not hasattr(detection, name)
    shown = repr(detection) + str(detection)
    for word in normalise(text).split():
        if word not in ("suicide",):  # the category name may appear, nothing else
            assert not re.search(rf"\b{re.escape(word)}\b", shown.lower()), word
    assert all(category in CATEGORIES for category in detection.categories)
    with pytest.raises(dataclasses.FrozenInstanceError):
        detection.fired = False  # type: ignore[misc]


# --- the labelled set --------------------------------------------------------------------


def read_set() -> list[tuple[int, str, str, str]]:
    with CRISIS_SET.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["label", "category", "text"]
    return [(number, *row) for number, row in enumerate(rows[1:], start=2) if row]  # type: ignore[misc]


def test_the_labelled_set_is_well_formed() -> None:
    rows = read_set()
    assert all(len(row) == 4 for row in rows)
    labels = [label for _, label, _, _ in rows]
    assert set(labels) == {"crisis", "near_miss"}
    assert len(rows) >= 120
    assert abs(labels.count("crisis") - labels.count("near_miss")) <= len(rows) // 10
    for number, label, category, text in rows:
        assert text.strip(), number
        if label == "crisis":
            assert category in CATEGORIES, (number, category)
        else:
            assert category == "", number
    assert {category for _, label, category, _ in rows if label == "crisis"} == set(CATEGORIES)


def test_labelled_set_recall_is_complete_and_false_alarms_stay_rare(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = read_set()
    crisis = [(n, c, t) for n, label, c, t in rows if label == "crisis"]
    near = [(n, t) for n, label, _, t in rows if label == "near_miss"]
    missed = [(n, t) for n, _, t in crisis if not detect(t).fired]
    wrong_category = [(n, c, t) for n, c, t in crisis if c not in detect(t).categories]
    alarms = [(n, t) for n, t in near if detect(t).fired]
    recall = 1 - len(missed) / len(crisis)
    false_alarms = len(alarms) / len(near)
    with capsys.disabled():
        print(
            f"\ncrisis set: {len(rows)} messages; recall {recall:.1%} "
            f"({len(crisis) - len(missed)}/{len(crisis)}); "
            f"false alarms {false_alarms:.1%} ({len(alarms)}/{len(near)}); "
            f"expected category found {len(crisis) - len(wrong_category)}/{len(crisis)}"
        )
    assert not missed, f"missed crisis lines: {missed}"
    assert recall == 1.0
    assert false_alarms <= 0.05, f"false alarms: {alarms}"
    assert not wrong_category, f"fired under another category: {wrong_category}"


def test_the_default_lexicon_is_what_detect_uses() -> None:
    assert safety._default_lexicon() is Lexicon.load()
    assert detect("je veux mourir") == Lexicon.load().detect("je veux mourir")
