"""The detector: two levels, negation, masks that never hide a real sign, no text kept."""

from __future__ import annotations

import dataclasses
import re

import pytest

from bot.safety import NOT_FIRED, Detection, Level, detect, normalise

FULL = [
    "je veux mourir",
    "jveux me suicider",
    "je vais me foutre en l'air",
    "je ne veux plus vivre",
    "j'ai écrit ma lettre d'adieu",
    "j'ai mis de côté mes cachets depuis un mois",
    "je vais sauter du pont",
    "je me suis coupée hier soir sur les bras",
    "je compte les jours avant d'en finir",
    "mon mari me frappe",
    "il m'a menacée avec un couteau",
    "le voisin bat ses enfants",
    "mon frère veut se suicider",
    "I want to die",
    "je vais me kms ce soir",
    "s*icide ce soir",
]
GENTLE = [
    "je suis un fardeau",
    "j'en peux plus",
    "je voudrais dormir pour toujours",
    "ma vie n'a plus de sens",
    "adieu",
    "j'ai fait mon testament",
    "je me suis scarifiée il y a longtemps",
    "elle m'attend là-haut",
    "je ne veux pas mourir",
    "je ne vais pas me tuer",
    "su1c1de",
]
NONE = [
    "mdr",
    "je suis mort de rire",
    "je meurs de faim",
    "j'ai tué le temps",
    "ça me tue qu'ils ne répondent pas",
    "ce formulaire me tue",
    "le chauffage me tue",
    "une réunion à mourir d'ennui",
    "je me suis coupé les cheveux",
    "il ne faut pas sauter une étape",
    "la campagne de prévention du suicide",
    "il faut en finir avec les délais",
    "je me jette à l'eau",
    "faute de frappe",
    "j'en peux plus de ce bruit",
    "ma mère va me tuer si je rate le bus",
    "c'est pas mortel",
    "Dans le film, le héros se suicide à la fin.",
    "j'ai pris tous mes médicaments ce matin",
    "mon frère s'est suicidé il y a vingt ans, j'en parle calmement au GEM",
    "je dois nourrir mon chat",
    "ce soir je vais au cinéma",
    "",
]


@pytest.mark.parametrize("text", FULL)
def test_a_clear_danger_gets_the_full_answer(text: str) -> None:
    assert detect(text).level == Level.FULL, detect(text)


@pytest.mark.parametrize("text", GENTLE)
def test_a_possible_sign_gets_the_gentle_line(text: str) -> None:
    assert detect(text).level == Level.GENTLE, detect(text)


@pytest.mark.parametrize("text", NONE)
def test_figures_of_speech_and_ordinary_words_do_not_fire(text: str) -> None:
    assert not detect(text).fired, detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "je ne veux pas mourir",
        "je veux pas mourir",
        "j'ai pas envie de me suicider",
        "jveux po mourir",
    ],
)
def test_negation_never_switches_a_sign_off(text: str) -> None:
    found = detect(text)
    assert found.level == Level.GENTLE and "talk_death" in found.signs


def test_negation_that_is_the_sign_itself_stays_clear() -> None:
    assert detect("je n'ai plus envie de vivre").level == Level.FULL
    assert (
        detect("je ne l'ai pas fait mais j'y pense tous les jours, au suicide").level == Level.FULL
    )
    assert detect("il me frappe pas souvent").level == Level.FULL  # a frequency, not a « no »


def test_two_different_signs_or_an_imminence_make_a_possible_sign_clear() -> None:
    assert detect("j'ai fait mon testament").level == Level.GENTLE
    assert detect("j'ai fait mon testament et je vous dis adieu").level == Level.FULL
    assert detect("je suis un fardeau").level == Level.GENTLE
    assert detect("je suis un fardeau, c'est pour ce soir").level == Level.FULL


@pytest.mark.parametrize(
    "text",
    [
        "mort de rire mais j'ai envie de mourir",
        "mdr jveux mourir",
        "la campagne de prévention du suicide ne sert à rien, je veux me suicider",
        "je me suis coupé les cheveux et je me suis coupée les bras",
        "Après ce film, j'ai envie de mourir.",
    ],
)
def test_a_mask_never_hides_a_sign_the_rest_carries(text: str) -> None:
    assert detect(text).level == Level.FULL


def test_a_story_taken_as_ones_own_still_fires() -> None:
    assert not detect("Dans la série, elle se scarifie.").fired
    assert detect("Dans la série, elle se scarifie, et moi aussi je le fais.").fired


def test_a_story_about_a_relative_is_not_a_story() -> None:
    found = detect("Mon fils a vu un film et depuis il dit qu'il veut se suicider.")
    assert found.level == Level.FULL and "third_party" in found.signs


def test_an_idiom_does_not_join_the_words_around_it() -> None:
    assert detect("envie de mort de rire vivre") == NOT_FIRED


def test_abuse_by_staff_is_a_complaint_not_an_alarm() -> None:
    found = detect("Un infirmier m'a crié dessus et m'a humilié devant tout le monde")
    assert found.complaint and not found.fired
    hit = detect("un soignant m'a frappée à l'hôpital")
    assert hit.complaint and hit.level == Level.GENTLE  # the group must read it
    assert detect("mon mari me frappe").level == Level.FULL


def test_imminence_puts_the_emergency_numbers_first_only_with_a_sign() -> None:
    assert not detect("ce soir").fired and not detect("maintenant, tout de suite").fired
    assert detect("je veux mourir ce soir").imminent
    assert not detect("je veux mourir").imminent
    assert detect("j'ai déjà pris toute la boîte").imminent


def test_categories_are_sorted_and_name_the_numbers_to_show() -> None:
    found = detect("mon mari me frappe, mon fils est en danger et je veux mourir")
    assert found.categories == tuple(sorted(set(found.categories)))
    assert {"child_at_risk", "suicide", "violence_received"} <= set(found.categories)


def test_worst_case_shapes_of_telegrams_longest_message_are_handled() -> None:
    """No catastrophic backtracking (speed itself is measured in bench/, not asserted)."""
    for text, fires in (
        ("mon ami " * 512, False),
        ("je veux " * 512, False),
        ("a" * 4000 + " mourir", True),
        ("x " * 2048, False),
        ("mdr " * 1024, False),
        ("je ne " * 682, False),
        ("s*i " * 1024, False),
        ("⚰️" * 2000, True),
    ):
        assert detect(text[:4096]).fired is fires, text[:12]


def test_a_detection_holds_no_text() -> None:
    """The bot may store a Detection; it must never carry what the person wrote."""
    text = "je veux me suicider ce soir, Josiane Durand, 06 12 34 56 78"
    detection = detect(text)
    assert [f.name for f in dataclasses.fields(Detection)] == [
        "level",
        "signs",
        "categories",
        "imminent",
        "complaint",
    ]
    assert not hasattr(detection, "__dict__")  # slots: nothing can be attached later
    shown = (repr(detection) + str(detection)).lower()
    for word in normalise(text).split():
        if word not in ("suicide",):  # a category name may appear, nothing else
            assert not re.search(rf"\b{re.escape(word)}\b", shown), word
    with pytest.raises(dataclasses.FrozenInstanceError):
        detection.level = Level.NONE  # type: ignore[misc]
