"""Kandel–Moles and LIX (falc.md §4) on the calibration sample and hand-computed texts.

KM = 207 − 1.015 × words/sentences − 73.6 × syllables/words
LIX = words/sentences + 100 × (words of more than 6 letters)/words
"""

from __future__ import annotations

import pytest

from bot.plain.readability import TextCounts, counts, kandel_moles, lix

CALIBRATION = """Bonjour.
La commission des usagers se réunit le mardi 14 mars 2028.
La réunion commence à 14 heures.
Elle a lieu à l'hôpital, salle 3.
Vous pouvez venir avec une personne de confiance.
Le bus 12 s'arrête devant l'hôpital.
"""


def test_calibration_counts() -> None:
    # Sentences 6; words 1 + 11 + 6 + 7 + 8 + 6 = 39.
    # Written syllables, per sentence (digits = 1):
    #   Bon-jour 2
    #   La 1 com-mis-sion 3 des 1 u-sa-gers 3 se 1 ré-u-nit 3 le 1 mar-di 2 14 1 mars 1 2028 1 = 18
    #   La 1 ré-u-nion 3 com-men-ce 3 à 1 14 1 heu-res 2 = 11
    #   El-le 2 a 1 lieu 1 à 1 hô-pi-tal 3 sal-le 2 3 1 = 11
    #   Vous 1 pou-vez 2 ve-nir 2 a-vec 2 u-ne 2 per-son-ne 3 de 1 con-fian-ce 3 = 16
    #   Le 1 bus 1 12 1 ar-rê-te 3 de-vant 2 hô-pi-tal 3 = 11            → 69
    # Spoken drops the final mute e of commence, heures, elle, salle, une, personne,
    # confiance, arrête: 69 − 8 = 61.
    # Long words (> 6 letters): bonjour, commission, usagers, réunion, commence, hôpital,
    # personne, confiance, hôpital = 9; « s'arrête » is 6 letters without its elided « s »,
    # 7 with it (→ 10).
    assert counts(CALIBRATION) == TextCounts(
        sentences=6, words=39, syllables_written=69, syllables_spoken=61, long_words=9
    )
    assert counts(CALIBRATION, count_elided=True).long_words == 10


def test_calibration_kandel_moles() -> None:
    # spoken:  207 − 1.015 × 39/6 − 73.6 × 61/39 = 207 − 6.5975 − 115.1179 = 85.28  (doc ≈ 85)
    # written: 207 − 6.5975 − 73.6 × 69/39 = 207 − 6.5975 − 130.2154 = 70.19        (doc ≈ 70)
    assert kandel_moles(CALIBRATION, spoken=True) == pytest.approx(85.28, abs=0.5)
    assert kandel_moles(CALIBRATION) == pytest.approx(70.19, abs=0.5)


def test_calibration_lix() -> None:
    # Our convention (elided letter not counted): 39/6 + 100 × 9/39 = 6.5 + 23.08 = 29.58
    # (doc ≈ 30). With the elided letter: 6.5 + 100 × 10/39 = 6.5 + 25.64 = 32.14 (doc ≈ 32).
    assert lix(CALIBRATION) == pytest.approx(29.58, abs=0.5)
    assert lix(CALIBRATION, count_elided=True) == pytest.approx(32.14, abs=0.5)


def test_one_short_sentence() -> None:
    text = "Vous donnez votre avis."
    # 1 sentence, 4 words. Written: vous 1 + don-nez 2 + vo-tre 2 + a-vis 2 = 7; spoken
    # « votre » = 1 → 6. No word of more than 6 letters (donnez = 6).
    # KM written = 207 − 1.015 × 4 − 73.6 × 7/4 = 207 − 4.06 − 128.8 = 74.14
    # KM spoken  = 207 − 4.06 − 73.6 × 6/4 = 207 − 4.06 − 110.4 = 92.54
    # LIX = 4/1 + 100 × 0/4 = 4.0
    assert kandel_moles(text) == pytest.approx(74.14, abs=0.5)
    assert kandel_moles(text, spoken=True) == pytest.approx(92.54, abs=0.5)
    assert lix(text) == pytest.approx(4.0, abs=0.5)


def test_two_lines() -> None:
    text = "Le médiateur vous écoute.\nIl cherche une solution avec vous."
    # 2 sentences, 4 + 6 = 10 words.
    # Written: le 1 mé-dia-teur 3 vous 1 é-cou-te 3 = 8; il 1 cher-che 2 u-ne 2
    # so-lu-tion 3 a-vec 2 vous 1 = 11 → 19. Spoken: écoute, cherche, une lose 1 → 16.
    # KM written = 207 − 1.015 × 5 − 73.6 × 19/10 = 207 − 5.075 − 139.84 = 62.085
    # KM spoken  = 207 − 5.075 − 73.6 × 16/10 = 207 − 5.075 − 117.76 = 84.165
    # Long words: médiateur 9, cherche 7, solution 8 → LIX = 5 + 100 × 3/10 = 35.0
    assert kandel_moles(text) == pytest.approx(62.085, abs=0.5)
    assert kandel_moles(text, spoken=True) == pytest.approx(84.165, abs=0.5)
    assert lix(text) == pytest.approx(35.0, abs=0.5)


def test_elided_letter_convention_moves_lix() -> None:
    text = "Il s'arrête devant l'entrée."
    # 1 sentence, 4 words. arrête 6, devant 6, entrée 6 letters: no long word → LIX = 4.0.
    # Counting the elided letter, s'arrête and l'entrée have 7 → 4 + 100 × 2/4 = 54.0.
    # Written: il 1 ar-rê-te 3 de-vant 2 en-trée 2 = 8 → KM = 207 − 4.06 − 147.2 = 55.74
    # Spoken: ar-rêt 2 → 7 → KM = 207 − 4.06 − 73.6 × 7/4 = 74.14
    assert lix(text) == pytest.approx(4.0, abs=0.5)
    assert lix(text, count_elided=True) == pytest.approx(54.0, abs=0.5)
    assert kandel_moles(text) == pytest.approx(55.74, abs=0.5)
    assert kandel_moles(text, spoken=True) == pytest.approx(74.14, abs=0.5)


def test_template_with_pictogram_markup_and_placeholder() -> None:
    text = "📅 <b>Réunion</b> le {date}.\nVous pouvez venir."
    # 2 sentences; words: Réunion le {date} | Vous pouvez venir = 6.
    # Syllables (both): ré-u-nion 3 le 1 {date} 1 vous 1 pou-vez 2 ve-nir 2 = 10.
    # KM = 207 − 1.015 × 3 − 73.6 × 10/6 = 207 − 3.045 − 122.667 = 81.29
    # LIX = 3 + 100 × 1/6 (réunion) = 19.67
    assert kandel_moles(text) == pytest.approx(81.29, abs=0.5)
    assert kandel_moles(text, spoken=True) == pytest.approx(81.29, abs=0.5)
    assert lix(text) == pytest.approx(19.67, abs=0.5)


@pytest.mark.parametrize("text", ["", "📅\n—", "<b></b>"])
def test_no_words_raises(text: str) -> None:
    with pytest.raises(ValueError):
        kandel_moles(text)
    with pytest.raises(ValueError):
        lix(text)
