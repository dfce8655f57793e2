"""The FALC report on meeting minutes: reading uploads, findings, scores and the rendering.

Scores follow falc.md §4 with the counting convention of bot.plain (falc.md §3, written
syllables, elided letter not counted for LIX):

    KM  = 207 − 1.015 × (words / sentences) − 73.6 × (syllables / words)
    LIX = words / sentences + 100 × long_words / words
"""

from __future__ import annotations

import codecs
import html
import math
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.support import NullTranslations

import bot.summaries.minutes_report as minutes_report
from bot.i18n import Catalogs, Translator
from bot.plain.glossary import Glossary
from bot.plain.lint import LintContext, lint, report
from bot.plain.text import sentences, words
from bot.summaries.minutes_report import (
    MAX_BYTES,
    MAX_ITEMS,
    MAX_MESSAGE_LENGTH,
    MinutesReport,
    UnreadableMinutes,
    analyse,
    read_minutes,
    render_report,
)

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "minutes_sample.md"
FR = Catalogs(("fr",)).get("fr")


def km(words_: int, sentences_: int, syllables: int) -> float:
    return 207 - 1.015 * (words_ / sentences_) - 73.6 * (syllables / words_)


def lix(words_: int, sentences_: int, long_words: int) -> float:
    return words_ / sentences_ + 100 * long_words / words_


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture(scope="module")
def sample() -> MinutesReport:
    return analyse(read_minutes(SAMPLE.name, SAMPLE.read_bytes()))


# --- The sample of institutional minutes --------------------------------------------------------

OVER_15 = [
    # Lors du dernier CoPil | les représentants de l’ARS | ont rappelé que le financement (11)
    # des équipes mobiles | n’est pas garanti | au-delà de 2026 (22). The line is wrapped in the
    # file: the two lines are one sentence.
    (
        "Lors du dernier CoPil, les représentants de l’ARS ont rappelé que le financement des "
        "équipes mobiles n’est pas garanti au-delà de 2026.",
        22,
    ),
    (
        "Dans le cadre de la mise en œuvre du PTSM, le groupe rédigera une note afin de préciser "
        "les modalités d’accès aux soins non programmés.",
        25,
    ),
    (
        "Les MSP du territoire seront sollicitées pour relayer l’information auprès des patients "
        "et de leurs familles.",
        16,
    ),
    (
        "Sous réserve de l’arbitrage de la DD ARS, les crédits restants pourront financer la "
        "pair-aidance, les groupes de parole, etc.",
        20,
    ),
    (
        "Les représentants des usagers regrettent que les comptes rendus des réunions précédentes "
        "ne leur aient jamais été transmis.",
        18,
    ),
]
TO_SHORTEN = [
    (
        "Le GHT propose de mutualiser la permanence des soins entre les trois sites du territoire.",
        15,
    ),
    ("La CDU demande à être associée dès le début à l’élaboration des fiches-actions.", 13),
]


def test_sample_sentences_over_15_and_over_12(sample: MinutesReport) -> None:
    assert [(s.text, s.words) for s in sample.over_15] == OVER_15
    assert [(s.text, s.words) for s in sample.to_shorten] == TO_SHORTEN
    # over_12 is every sentence of more than 12 words, in text order, over_15 included.
    assert [(s.text, s.words) for s in sample.over_12] == [
        OVER_15[0],
        TO_SHORTEN[0],
        TO_SHORTEN[1],
        OVER_15[1],
        OVER_15[2],
        OVER_15[3],
        OVER_15[4],
    ]
    # « Le CLSM ne dispose d’aucun budget propre pour les actions de prévention. » has exactly
    # 12 words: it is not reported.
    assert (
        "Le CLSM ne dispose d’aucun budget propre pour les actions de prévention.",
        12,
    ) in [(s.text, s.words) for s in sample.sentence_lengths]


def test_sample_matches_the_lint_report(sample: MinutesReport) -> None:
    text = read_minutes(SAMPLE.name, SAMPLE.read_bytes())
    linted = report(html.escape(text, quote=False), context=LintContext(addressed=False))
    assert [s.text for s in sample.over_12] == list(linted.sentences_over_12)
    assert [s.text for s in sample.over_15] == list(linted.sentences_over_15)
    assert sample.kandel_moles == linted.km_written
    assert sample.lix == linted.lix


def test_sample_acronyms_with_the_glossary_expansion(sample: MinutesReport) -> None:
    assert [(a.token, a.expansion) for a in sample.acronyms] == [
        ("PTSM", "projet territorial de santé mentale"),
        ("CDU", "commission des usagers"),
        ("CLSM", "conseil local de santé mentale"),
        ("GHT", "groupement hospitalier de territoire"),
        ("CoPil", "comité de pilotage"),  # mixed case, glossary row COPIL
        ("ARS", "agence régionale de santé"),
        ("MSP", "maison de santé pluriprofessionnelle ou médiateur de santé-pair"),
        ("DD ARS", "délégation départementale de l'agence régionale de santé"),
        ("EMPP", None),  # not in the glossary
    ]
    msp = next(a for a in sample.acronyms if a.token == "MSP")
    assert len(msp.entries) == 2
    # CSSM is written out in the same text (« La commission spécialisée en santé mentale
    # (CSSM) »), so it is explained, hence not listed.
    assert "CSSM" not in [a.token for a in sample.acronyms]
    glossary = Glossary.load()
    for acronym in sample.acronyms:
        assert acronym.entries == tuple(glossary.lookup(acronym.token))


def test_sample_abbreviations_hard_words_and_dates(sample: MinutesReport) -> None:
    assert [(a.text, a.advice) for a in sample.abbreviations] == [
        ("Mme", "écrivez « Madame »"),
        ("M.", "écrivez « Monsieur »"),
        ("Dr", "écrivez « docteur »"),
        ("etc.", "listez tout, ou écrivez « et d'autres »"),
    ]
    assert [(w.text, w.advice) for w in sample.hard_words] == [
        ("élaboration", "« préparer »"),
        ("Dans le cadre de", "« pour »"),
        ("mise en œuvre", "« faire », « réaliser »"),
        ("afin", "« pour »"),
        ("modalités", "« comment »"),
        ("Sous réserve", "« si »"),
        ("arbitrage", "« décision »"),
    ]
    assert sample.numeric_dates == ("12/03/2026", "14/05")


def test_sample_negations(sample: MinutesReport) -> None:
    assert [(n.fragment, n.double) for n in sample.negations] == [
        ("n’est pas", False),
        ("ne dispose d’aucun", False),
        ("ne veulent plus", True),  # with « sans »: a double negation
        ("sans explication", True),
        ("non programmés", False),
        ("ne leur aient jamais", False),
        ("ne se réunira pas", False),
    ]
    # « Il n’y a qu’un seul psychiatre » is a restriction (ne … que), not a negation.
    assert not [n for n in sample.negations if "psychiatre" in n.sentence]


def test_sample_figures(sample: MinutesReport) -> None:
    # Measured with the bot.plain counters (22 sentences: headings and list items count).
    assert (sample.words, sample.sentences, sample.syllables, sample.long_words) == (
        247,
        22,
        443,
        73,
    )
    assert sample.kandel_moles == pytest.approx(km(247, 22, 443), abs=1e-9)
    assert sample.kandel_moles == pytest.approx(63.60, abs=0.01)
    assert sample.lix == pytest.approx(lix(247, 22, 73), abs=1e-9)
    assert sample.lix == pytest.approx(40.78, abs=0.01)
    assert len(sample.sentence_lengths) == sample.sentences
    assert sum(s.words for s in sample.sentence_lengths) == sample.words


# --- Scores computed by hand ---------------------------------------------------------------------


def test_hand_computed_committee_text() -> None:
    text = "Le comité de pilotage valide les fiches-actions.\nL'hôpital n'a pas répondu."
    # Sentence 1, 7 words:
    #   Le 1 | co-mi-té 3 | de 1 | pi-lo-ta-ge 4 | va-li-de 3 | les 1 | fi-ches-ac-tions 4 = 17
    # Sentence 2, 4 words (the elided « l' », « n' » are silent):
    #   hô-pi-tal 3 | a 1 | pas 1 | ré-pon-du 3 = 8
    # → 11 words, 2 sentences, 25 syllables (written).
    # Long words (> 6 letters): pilotage 8, fiches-actions 13, (l')hôpital 7, répondu 7 = 4.
    #   comité 6 and valide 6 are not long.
    # KM  = 207 − 1.015 × 11/2 − 73.6 × 25/11 = 207 − 5.5825 − 167.2727 = 34.14
    # LIX = 11/2 + 100 × 4/11 = 5.5 + 36.3636 = 41.86
    assert km(11, 2, 25) == pytest.approx(34.14, abs=0.01)
    assert lix(11, 2, 4) == pytest.approx(41.86, abs=0.01)
    result = analyse(text)
    assert (result.words, result.sentences, result.syllables, result.long_words) == (11, 2, 25, 4)
    assert result.kandel_moles == pytest.approx(34.14, abs=0.01)
    assert result.lix == pytest.approx(41.86, abs=0.01)
    assert [n.fragment for n in result.negations] == ["n'a pas"]
    assert result.acronyms == ()  # « comité de pilotage » written out


def test_hand_computed_meeting_notice_with_date_and_acronym() -> None:
    text = "Réunion du 12/03/2026 à 14h30 avec l'ARS.\nVous pouvez venir."
    # Sentence 1, 7 words: ré-u-nion 3 | du 1 | 12/03/2026 1 (digits = 1) | à 1 | 14h30 1 |
    #   a-vec 2 | (l')ARS 1 (one vowel group) = 10
    # Sentence 2, 3 words: vous 1 | pou-vez 2 | ve-nir 2 = 5
    # → 10 words, 2 sentences, 15 syllables.
    # Long words: réunion 7 = 1 (pouvez 6; a date or a time has no 7 letters).
    # KM  = 207 − 1.015 × 5 − 73.6 × 15/10 = 207 − 5.075 − 110.4 = 91.53 (91.525)
    # LIX = 10/2 + 100 × 1/10 = 15.00
    assert km(10, 2, 15) == pytest.approx(91.525, abs=0.01)
    assert lix(10, 2, 1) == pytest.approx(15.0, abs=0.01)
    result = analyse(text)
    assert (result.words, result.sentences, result.syllables, result.long_words) == (10, 2, 15, 1)
    assert result.kandel_moles == pytest.approx(91.525, abs=0.01)
    assert result.lix == pytest.approx(15.0, abs=0.01)
    assert result.numeric_dates == ("12/03/2026",)
    assert [(a.token, a.expansion) for a in result.acronyms] == [
        ("ARS", "agence régionale de santé")
    ]


CALIBRATION = """Bonjour.
La commission des usagers se réunit le mardi 14 mars 2028.
La réunion commence à 14 heures.
Elle a lieu à l'hôpital, salle 3.
Vous pouvez venir avec une personne de confiance.
Le bus 12 s'arrête devant l'hôpital.
"""


def test_calibration_sample_of_falc_md() -> None:
    # falc.md §4: 6 sentences, 39 words; written syllables 69; KM ≈ 70 (written);
    # LIX ≈ 30 with the elided letter not counted (9 long words; s'arrête has 6 letters).
    # The bot.plain counters reproduce these figures (see tests/plain/test_readability.py).
    result = analyse(CALIBRATION)
    assert (result.words, result.sentences, result.syllables, result.long_words) == (39, 6, 69, 9)
    # 207 − 1.015 × 6.5 − 73.6 × 69/39 = 207 − 6.5975 − 130.2154 = 70.19
    assert result.kandel_moles == pytest.approx(70.19, abs=0.01)
    assert result.kandel_moles == pytest.approx(km(39, 6, 69), abs=1e-9)
    # 39/6 + 100 × 9/39 = 6.5 + 23.0769 = 29.58
    assert result.lix == pytest.approx(29.58, abs=0.01)
    assert result.over_12 == ()
    assert result.acronyms == ()
    assert result.negations == ()


def test_hard_words_in_text_order_with_typographic_apostrophes() -> None:
    result = analyse("Les modalités seront fixées dans le cadre d’une réunion plénière.")
    # The lint reports « plénière » and « dans le cadre d'une » before « modalités » (its list
    # order) and quotes with an ASCII apostrophe; the report lists them as they come.
    assert [w.text for w in result.hard_words] == [
        "modalités",
        "dans le cadre d'une",
        "plénière",
    ]


def test_two_negations_of_the_same_kind_are_two_fragments() -> None:
    result = analyse("Le groupe ne vote pas et ne signe pas le texte.")
    assert [(n.fragment, n.double) for n in result.negations] == [
        ("ne vote pas", True),
        ("ne signe pas", True),
    ]


def test_analyse_refuses_a_text_without_words() -> None:
    with pytest.raises(UnreadableMinutes) as caught:
        analyse(" \n — \n")
    assert caught.value.reason == "empty"


# --- read_minutes --------------------------------------------------------------------------------


def test_read_minutes_flattens_the_markdown_sample() -> None:
    text = read_minutes("compte-rendu.md", SAMPLE.read_bytes())
    lines = [line for line in text.split("\n") if line]
    assert lines[:4] == [
        "Compte rendu du groupe de travail « Parcours de crise » du PTSM",
        "Réunion du 12/03/2026, de 14h00 à 16h30, salle du conseil de l’hôpital.",
        "Présents",
        "Mme Durand, représentante des usagers à la CDU",
    ]
    assert "Dr Leroy, psychiatre au GHT Val de Loire" in lines  # _italic_ dropped
    assert OVER_15[0][0] in lines  # the wrapped list item is one line
    assert "L’EMPP présentera son bilan lors de la prochaine séance." in lines  # [x](url) → x
    assert not re.search(r"[#*_\[\]]|https?:|^\s*(?:-|\d+\.)\s", text, re.MULTILINE)


def test_read_minutes_markdown_details() -> None:
    source = (
        "Titre\n=====\n\n"
        "> Une citation **en gras** et `du code`.\n"
        "* Un point avec [un lien](https://example.org) et ![une image](a.png).\n"
        "+ [x] Une tâche faite.\n"
        "2) Un point numéroté.\n\n"
        "| Action | Pilote |\n|---|:---:|\n| Former les équipes | GEM |\n\n"
        "---\n"
        "Le fichier compte_rendu_v2_final reste tel quel, 3 * 4 aussi.\n"
        "```\nUn bloc de code.\n```\n"
        "Une phrase coupée\nen deux lignes.\n"
        "Une ligne sans point\nUne autre ligne\n"
    )
    assert read_minutes("cr.md", source.encode()).split("\n") == [
        "Titre",
        "",
        "Une citation en gras et du code.",
        "Un point avec un lien et une image.",
        "Une tâche faite.",
        "Un point numéroté.",
        "",
        "Action",
        "Pilote",
        "Former les équipes",
        "GEM",
        "",
        "Le fichier compte_rendu_v2_final reste tel quel, 3 * 4 aussi.",
        "Un bloc de code.",
        "Une phrase coupée en deux lignes.",
        "Une ligne sans point",
        "Une autre ligne",
    ]


def test_read_minutes_txt_in_cp1252_with_crlf() -> None:
    source = "Réunion du comité à l’hôpital.\r\nLes élus ont répondu : « oui ».\r\n"
    data = source.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert read_minutes("cr.txt", data) == (
        "Réunion du comité à l’hôpital.\nLes élus ont répondu : « oui »."
    )


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + "Réunion du comité.\rÀ bientôt.".encode(),
        "Réunion du comité.\r\nÀ bientôt.".encode("utf-16"),  # with its byte order mark
        "Réunion du comité.\nÀ bientôt.".encode("latin-1"),
    ],
)
def test_read_minutes_encodings(data: bytes) -> None:
    assert read_minutes("cr.txt", data) == "Réunion du comité.\nÀ bientôt."


def test_read_minutes_latin1_fallback_drops_control_codes() -> None:
    # One stray byte that is not Windows-1252 in 100 characters or more is tolerated.
    source = "Une réunion utile pour tout le monde. " * 3
    data = source.encode("latin-1") + b"\x81"
    with pytest.raises(UnicodeDecodeError):
        data.decode("cp1252")
    assert read_minutes(None, data) == source.strip()


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t", b"---\n#\n\n- \n"])
def test_read_minutes_empty(data: bytes) -> None:
    with pytest.raises(UnreadableMinutes) as caught:
        read_minutes("cr.md", data)
    assert caught.value.reason == "empty"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nendobj\n",
        b"\x89PNG\r\n\x1a\n" + bytes(64),
        b"PK\x03\x04\x14\x00\x06\x00",  # .docx, .odt
        bytes(range(256)) * 4,
        b"Texte\x01\x02\x03\x04\x05\x06 abc",  # control codes without NUL
    ],
)
def test_read_minutes_binary(data: bytes) -> None:
    with pytest.raises(UnreadableMinutes) as caught:
        read_minutes("cr.txt", data)
    assert caught.value.reason == "binary"


def test_read_minutes_other_file_types_and_size() -> None:
    with pytest.raises(UnreadableMinutes) as caught:
        read_minutes("compte-rendu.docx", b"Du texte.")
    assert caught.value.reason == "format"
    # A dotted date in the name is not a file type.
    assert read_minutes("CR 12.03.2026", b"Du texte.") == "Du texte."
    assert read_minutes("CR.MD", b"# Du texte") == "Du texte"
    with pytest.raises(UnreadableMinutes) as caught:
        read_minutes("cr.txt", b"a " * (MAX_BYTES // 2 + 1))
    assert caught.value.reason == "too_large"


# --- render_report -------------------------------------------------------------------------------


def test_render_sample(sample: MinutesReport) -> None:
    messages = render_report(sample, FR)
    assert all(utf16_length(message) <= MAX_MESSAGE_LENGTH for message in messages)
    overview = messages[0]
    assert overview.startswith("<b>Relecture de votre compte rendu</b>\n")
    assert "Votre texte a 22 phrases." in overview
    assert "Votre texte a 5 phrases de plus de 15 mots. Coupez-les" in overview
    assert "Votre texte a 2 phrases de 13 à 15 mots. Raccourcissez-les" in overview
    assert "9 sigles sont à expliquer." in overview
    whole = "\n".join(messages)
    assert "22 mots : « Lors du dernier CoPil, les représentants de l’ARS" in whole
    assert "<b>CoPil</b> : écrivez « comité de pilotage »" in whole
    assert "<b>EMPP</b> : sigle inconnu, écrivez les mots en entier" in whole
    assert "Écrivez « médiateur de santé-pair » si c'est le bon sens." in whole
    assert "« 12/03/2026 »\n« 14/05 »" in whole
    assert "Écrivez la date en entier" in whole
    assert "« ne dispose d’aucun »" in whole
    scores = messages[-1]
    assert "Score de Kandel et Moles : <b>64</b>." in scores  # 63.60
    assert "Score de Björnsson : <b>41</b>." in scores  # 40.78
    assert "Plus ce score est haut, plus le texte est facile." in scores
    assert "visez 60 ou plus" in scores and "visez 40 ou moins" in scores
    # KM 63.6 is in the 60–70 band, LIX 40.8 in the 40–50 band: both « medium ».
    assert scores.count("Selon ce score, votre texte a une difficulté moyenne.") == 2
    assert "…" not in whole and ";" not in re.sub(r"&\w+;", "", whole)


def test_render_only_bold_tags(sample: MinutesReport) -> None:
    for message in render_report(sample, FR, before=sample):
        assert set(re.findall(r"</?([a-zA-Z][\w-]*)", message)) <= {"b"}


def test_render_escapes_the_coordinator_text() -> None:
    text = (
        "Le <script>alert('CDU')</script> du groupe R&D ne sera pas financé"
        " par l'ARS & la <b>mairie</b> en 2026 selon le 12/03 dernier.\n"
        "Les <CLSM> afin de."
    )
    result = analyse(text)
    assert result.over_15[0].text.startswith("Le <script>alert('CDU')</script> du groupe R&D")
    messages = render_report(result, FR)
    whole = "\n".join(messages)
    assert "<script>" not in whole and "</script>" not in whole and "<CLSM>" not in whole
    assert "&lt;script&gt;alert('CDU')&lt;/script&gt;" in whole
    assert "R&amp;D" in whole and "l'ARS &amp; la &lt;b&gt;mairie&lt;/b&gt;" in whole
    assert set(re.findall(r"</?([a-zA-Z][\w-]*)", whole)) <= {"b"}
    # No raw « & » outside an entity.
    assert not re.search(r"&(?!amp;|lt;|gt;)", whole)


def test_render_before_and_after(sample: MinutesReport) -> None:
    corrected = analyse(
        "Compte rendu du groupe de travail sur les crises.\n"
        "Réunion du jeudi 12 mars 2026 à l'hôpital.\n"
        "Le projet territorial de santé mentale a peu d'argent.\n"
        "Les équipes mobiles ont un budget jusqu'à la fin de 2026.\n"
        "Vous pouvez donner votre avis au groupe.\n"
        "Prochaine réunion : jeudi 14 mai 2026, à la mairie."
    )
    assert corrected.over_12 == () and corrected.numeric_dates == ()
    messages = render_report(corrected, FR, before=sample)
    overview = messages[0]
    assert "<b>Avant et après vos corrections</b>" in overview
    assert "Phrases de plus de 15 mots : 5 avant, 0 après." in overview
    assert "Phrases de 13 à 15 mots : 2 avant, 0 après." in overview
    assert "Sigles à expliquer : 9 avant, 0 après." in overview
    assert "Dates en chiffres : 2 avant, 0 après." in overview
    assert "Négations : 7 avant, 0 après." in overview
    after_km = math.floor(corrected.kandel_moles + 0.5)  # rounded half up, as displayed
    after_lix = math.floor(corrected.lix + 0.5)
    assert f"Score de Kandel et Moles : 64 avant, {after_km} après." in overview
    assert f"Score de Björnsson : 41 avant, {after_lix} après." in overview
    assert "Toutes vos phrases ont 12 mots ou moins." in overview
    # Nothing else to list: the overview, then the scores.
    assert len(messages) == 2


def test_render_splits_long_lists_between_items_and_caps_them() -> None:
    giant = "x" * 5000
    long_sentences = [
        f"Phrase {n} {giant} avec beaucoup de mots pour dépasser la limite de quinze mots"
        f" fixée par la règle."
        for n in range(14)
    ]
    acronyms = " ".join(f"Le ZZ{chr(65 + n)} vient." for n in range(12))
    result = analyse("\n".join(long_sentences) + "\n" + acronyms)
    assert len(result.over_15) == 14
    assert len(result.acronyms) == 12
    messages = render_report(result, FR)
    assert all(utf16_length(message) <= MAX_MESSAGE_LENGTH for message in messages)
    whole = "\n".join(messages)
    # 10 long sentences shown, by their start (no « … »), then « Et 4 autres. ».
    starts = re.findall(r"^(\d+) mots, la phrase commence par « Phrase (\d+) ", whole, re.M)
    assert len(starts) == MAX_ITEMS
    assert [n for _, n in starts] == [str(n) for n in range(MAX_ITEMS)]
    assert "Et 4 autres." in whole and "Et 2 autres." in whole
    assert "…" not in whole
    # Each item is whole in one message: its quote starts and ends on the same line.
    for message in messages:
        for line in message.split("\n"):
            assert line.count("«") == line.count("»")


def test_render_a_clean_text_passes_the_lint() -> None:
    result = analyse("Vous pouvez venir à la réunion.\nLa réunion a lieu à la mairie.")
    messages = render_report(result, FR, before=result)
    assert "Le robot trouve 0 point à corriger." in messages[0]
    for message in messages:
        assert not [f for f in lint(message) if f.severity == "error"], message
        for sentence in sentences(message):
            assert len(words(sentence)) <= 12, sentence


def test_every_line_goes_through_the_translator(sample: MinutesReport) -> None:
    class Marking(NullTranslations):
        def gettext(self, message: str) -> str:
            return f"⟦{message}⟧"

    marked = Translator("en", Marking())
    for message in render_report(sample, marked, before=sample):
        for line in message.split("\n"):
            assert not line or "⟦" in line, line


def french_templates() -> list[tuple[int, str]]:
    path = Path(minutes_report.__file__)
    return [
        (line, message)
        for line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords={"N_": None}
        )
    ]


def test_every_french_template_passes_the_lint() -> None:
    templates = french_templates()
    assert len(templates) > 50
    for line, message in templates:
        findings = lint(message)
        assert not [f for f in findings if f.severity == "error"], (line, message, findings)
        assert not [f for f in findings if f.rule in {"S1", "S3", "S4", "S7", "W7"}], (
            line,
            message,
            findings,
        )
        for sentence in sentences(message):
            assert len(words(sentence)) <= 12, (line, sentence)
        assert ";" not in message and "…" not in message
