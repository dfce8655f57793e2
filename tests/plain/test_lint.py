"""The FALC lint: each rule with a positive and a negative example, and falc.md §6."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.plain.lint import (
    COMMAND_WORDS,
    DEFAULT_ALLOW,
    Finding,
    LintContext,
    has_errors,
    lint,
    report,
)
from tests.plain.examples import AVANT_APRES


def rules(text: str, *, context: LintContext | None = None) -> set[tuple[str, str]]:
    """(rule, severity) pairs found in ``text``."""
    return {(f.rule, f.severity) for f in lint(text, context=context)}


def rule_findings(text: str, rule: str, **kwargs: object) -> list[Finding]:
    context = LintContext(**kwargs) if kwargs else None  # type: ignore[arg-type]
    return [f for f in lint(text, context=context) if f.rule == rule]


# --- falc.md §6 ------------------------------------------------------------------------------

# Rules each « avant » must trigger (at least). All of them have a sentence > 15 words.
AVANT_RULES = [
    {"S1", "S2", "S7"},  # CDU is expanded in the same sentence, so no W3
    {"S1", "W1"},  # lequel, représentant légal
    {"S1", "W1", "W5a"},  # saisine, huit
    {"S1"},  # its passive (S5) needs a parser
    {"S1", "W3", "W5b", "S7", "W1"},  # CLSM, 14/03/2028, « ; », plénière
    {"S1", "W3", "W1"},  # PTSM, « dans le cadre de », conviés …
    {"S1", "W3", "W5b", "W1"},  # CoPil, CSSM, FA, DD ARS, 15/06
    {"S1", "W5a", "S4", "W1"},  # trente, n'excédant pas, pseudonymisé
    {"S1", "W1"},  # tiers, préalablement
    {"S1", "S4", "S7", "W1"},  # n'a pas, « ; », vocation, compétents
]
# The only warnings left on the « après » texts: n° 7 (a compte rendu) never says « vous ».
APRES_WARNINGS = {"Compte rendu": {"S3"}}


@pytest.mark.parametrize(
    ("title", "avant", "expected"),
    [
        (title, avant, expected)
        for (title, avant, _), expected in zip(AVANT_APRES, AVANT_RULES, strict=True)
    ],
)
def test_avant_has_errors(title: str, avant: str, expected: set[str]) -> None:
    findings = lint(avant)
    assert has_errors(findings), title
    assert expected <= {f.rule for f in findings}, title


@pytest.mark.parametrize(("title", "apres"), [(title, apres) for title, _, apres in AVANT_APRES])
def test_apres_has_no_error(title: str, apres: str) -> None:
    findings = lint(apres)
    assert not has_errors(findings), findings
    assert {f.rule for f in findings} == APRES_WARNINGS.get(title, set())


def test_avant_7_acronyms() -> None:
    [avant] = [avant for title, avant, _ in AVANT_APRES if title == "Compte rendu"]
    acronyms = [f.message for f in lint(avant) if f.rule == "W3"]
    assert len(acronyms) == 4
    assert all(f"« {token} »" in " ".join(acronyms) for token in ("CoPil", "CSSM", "FA", "DD ARS"))


# --- S1 --------------------------------------------------------------------------------------


def test_s1_sentence_length() -> None:
    twelve = "Vous pouvez venir avec une personne de confiance à la réunion demain."
    thirteen = twelve.replace("demain", "demain matin")
    sixteen = (
        "Vous pouvez venir avec une personne de confiance à la réunion de mardi matin au centre."
    )
    assert rule_findings(twelve, "S1") == []
    assert [f.severity for f in rule_findings(thirteen, "S1")] == ["warn"]
    assert [f.severity for f in rule_findings(sixteen, "S1")] == ["error"]
    assert "16 words" in rule_findings(sixteen, "S1")[0].message


def test_s1_counts_one_sentence_per_line() -> None:
    text = "Vous pouvez venir avec une personne de confiance\nà la réunion de mardi matin."
    assert rule_findings(text, "S1") == []


# --- S2 --------------------------------------------------------------------------------------


def test_s2_clause_markers_and_commas() -> None:
    assert rule_findings("Vous venez et vous parlez si vous voulez.", "S2")
    assert rule_findings("Vous venez lundi, mardi, jeudi, vendredi.", "S2")
    assert rule_findings("Ce conseil réunit des élus, des soignants et des usagers.", "S2") == []
    assert rule_findings("Qu'est-ce que vous voulez faire ?", "S2") == []
    assert rule_findings("Le prix est 3,5 euros, ou 4,5 euros.", "S2") == []


# --- S3 --------------------------------------------------------------------------------------


def test_s3_talk_to_the_reader() -> None:
    assert [f.severity for f in rule_findings("Le groupe lit.\nIl répond.", "S3")] == ["warn"]
    assert rule_findings("Le groupe lit.\nIl vous répond.", "S3") == []
    assert rule_findings("Le groupe lit votre avis.", "S3") == []  # one sentence
    assert rule_findings("Le groupe lit.\nIl répond.", "S3", addressed=False) == []
    assert rule_findings("Le groupe lit.\nIl te répond.", "S3", register="tu") == []
    assert rule_findings("Le groupe lit.\nIl vous répond.", "S3", register="tu")


# --- S4 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Je ne peux pas lire ce message.",
        "Ce service n'est pas un service médical.",
        "Vous ne payez rien.",
        "Il n'y a personne à l'accueil.",
        "Vous n'avez aucune obligation.",
        "Vous venez sans rendez-vous.",
        "Non, le groupe lit seulement.",
    ],
)
def test_s4_negation_warns(text: str) -> None:
    assert [f.severity for f in rule_findings(text, "S4")] == ["warn"]


@pytest.mark.parametrize(
    "text",
    [
        "Vous ne pouvez pas ne pas venir.",
        "Ce n'est pas sans risque.",
        "Vous ne payez rien sans votre accord.",
    ],
)
def test_s4_double_negation_is_an_error(text: str) -> None:
    assert [f.severity for f in rule_findings(text, "S4")] == ["error"]


@pytest.mark.parametrize(
    "text",
    [
        "Vous ne payez que le transport.",  # restriction
        "Il n'y a qu'une personne à l'accueil.",  # restriction, « personne » is a noun
        "Vous pouvez venir avec une personne de confiance.",
        "Appelez avant qu'il ne parte.",  # ne explétif
        "Vous pouvez écrire n'importe quand.",
        "Il y a plus de place demain.",
    ],
)
def test_s4_not_a_negation(text: str) -> None:
    assert rule_findings(text, "S4") == []


# --- S7 / W7 ---------------------------------------------------------------------------------


def test_s7_semicolon_is_an_error() -> None:
    assert [f.severity for f in rule_findings("Vous venez ; vous parlez.", "S7")] == ["error"]
    assert rule_findings("Vous venez : vous parlez.", "S7") == []


def test_s7_brackets_and_ellipsis_warn() -> None:
    assert [f.severity for f in rule_findings("Le groupe (les usagers) lit.", "S7")] == ["warn"]
    assert rule_findings("Vous attendez… puis vous parlez.", "S7")
    assert rule_findings("Vous attendez... puis vous parlez.", "S7")
    assert rule_findings("Le groupe lit votre avis {theme}.", "S7") == []


@pytest.mark.parametrize("char", list("&<>§/#*_|"))
def test_w7_special_characters_warn(char: str) -> None:
    [finding] = rule_findings(f"Vous {char} le groupe.", "W7")
    assert finding.severity == "warn"
    assert char in finding.message


def test_w7_markup_commands_and_placeholders_are_fine() -> None:
    text = "Tapez /aide ou /menu.\n<b>Retour</b> revient en arrière.\nVotre code est {code_avis}."
    assert rule_findings(text, "W7") == []
    assert rule_findings("Vous écrivez et/ou vous parlez.", "W7")
    assert rule_findings("Les élus &amp; les usagers.", "W7")  # the entity is displayed as &


# --- W1 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    ["mandataire", "pseudonymisation", "susmentionné", "afférent", "subséquemment", "nonobstant"],
)
def test_w1_hard_words(word: str) -> None:
    [finding] = rule_findings(f"Le {word} est là.", "W1")
    assert finding.severity == "warn"
    assert finding.suggestion


def test_w1_hard_words_forms_and_negative() -> None:
    assert rule_findings("Nous allons diligenter une enquête.", "W1")
    assert rule_findings("La saisine du médiateur.", "W1")
    assert rule_findings("Vous rencontrez le médiateur à l'hôpital.", "W1") == []


def test_w1_two_words_for_one_thing() -> None:
    assert rule_findings("Votre plainte est lue.\nVotre réclamation aussi.", "W1")
    assert rule_findings("Votre plainte est lue.\nVotre plainte aussi.", "W1") == []


def test_w1_custom_list() -> None:
    text = "Le mandataire vient. Le bidule aussi."
    found = rule_findings(text, "W1", hard_words={"bidule": "« objet »"})
    assert [f.message for f in found] == ["Hard word « bidule »."]


# --- W3 --------------------------------------------------------------------------------------


def test_w3_glossary_acronym_is_an_error_with_the_expansion() -> None:
    [finding] = rule_findings("Écrivez à la CDU.", "W3")
    assert finding.severity == "error"
    assert finding.suggestion is not None
    assert "commission des usagers" in finding.suggestion
    assert "Il vérifie que l'hôpital respecte vos droits." in finding.suggestion


def test_w3_expanded_in_the_same_message() -> None:
    text = "La commission des usagers vous écoute.\nÉcrivez à la CDU."
    assert rule_findings(text, "W3") == []
    assert rule_findings("Écrivez à la <b>Commission des usagers</b> (CDU).", "W3") == []


def test_w3_explained_elsewhere() -> None:
    assert rule_findings("Écrivez à la CDU.", "W3", explained=frozenset({"CDU"})) == []


def test_w3_mixed_case_and_multi_word() -> None:
    assert rule_findings("Le Copil se réunit.", "W3")
    assert rule_findings("Le CoPil se réunit.", "W3")
    [finding] = rule_findings("Écrivez à la DT ARS.", "W3")
    assert "DT ARS" in finding.message


def test_w3_ambiguous_acronym_proposes_both() -> None:
    [finding] = rule_findings("Parlez de l'ETP.", "W3")
    assert finding.suggestion is not None
    assert "éducation thérapeutique" in finding.suggestion
    assert "équivalent temps plein" in finding.suggestion


def test_w3_unknown_acronym() -> None:
    assert [f.severity for f in rule_findings("Prenez le train SNCF.", "W3")] == ["error"]
    spelled = "La Société nationale des chemins de fer français (SNCF) vous aide."
    assert rule_findings(spelled, "W3") == []


def test_w3_each_acronym_once() -> None:
    assert len(rule_findings("La CDU lit.\nLa CDU répond.", "W3")) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Des pommes, etc.",
        "Des fruits, ex. des pommes.",
        "Voir cf. le document.",
        "M. Dupont vous attend.",
        "Mme Martin vous attend.",
        "Le Dr Lee vous attend.",
        "Votre rdv est mardi.",
    ],
)
def test_w3_abbreviations(text: str) -> None:
    [finding] = rule_findings(text, "W3")
    assert finding.severity == "error"
    assert finding.suggestion


def test_w3_allow_list_placeholders_and_commands() -> None:
    assert {"SMS", "SOS", "OK", "PDF"} <= DEFAULT_ALLOW
    assert rule_findings("Envoyez un SMS ou un SOS.", "W3") == []
    assert rule_findings("Tapez STOP pour arrêter ou AIDE.", "W3") == []
    assert rule_findings("C'est OK pour le PDF.", "W3") == []
    assert rule_findings("Votre groupe est {body_CDU}.", "W3") == []
    assert rule_findings("Tapez /CDU pour écrire.", "W3") == []
    assert rule_findings("Votre numéro est AV-2026-0001.", "W3") == []
    custom = LintContext(allow=frozenset({"CDU"}))
    assert lint("Écrivez à la CDU.", context=custom) == []


def test_command_words_match_the_bot() -> None:
    from bot.app import COMMANDS

    assert set(COMMAND_WORDS) == {name for name, _ in COMMANDS}


# --- W4 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Vous êtes 50 % à répondre.",
        "Vous êtes 50 pour cent.",
        "Il y a 14 000 places.",
        "1500 avis.",
    ],
)
def test_w4_figures_warn(text: str) -> None:
    assert [f.severity for f in rule_findings(text, "W4")] == ["warn"]


@pytest.mark.parametrize(
    "text",
    [
        "Mardi 14 mars 2028, à 14 heures.",
        "Pour parler à quelqu'un, appelez le 3114.",
        "Appelez le 0 800 235 236.",
        "Il y a 999 places.",
    ],
)
def test_w4_years_phones_and_small_numbers_are_fine(text: str) -> None:
    assert rule_findings(text, "W4") == []


# --- W5a / W5b -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Vous avez deux jours.", "Il y a dix-sept places.", "Au XXIe siècle.", "Louis XIV."]
)
def test_w5a_number_words_and_roman_numerals_warn(text: str) -> None:
    assert [f.severity for f in rule_findings(text, "W5a")] == ["warn"]


@pytest.mark.parametrize(
    "text", ["Vous avez 2 jours.", "Vous avez un jour.", "Une personne vient.", "Le CV est prêt."]
)
def test_w5a_digits_and_articles_are_fine(text: str) -> None:
    assert rule_findings(text, "W5a") == []


@pytest.mark.parametrize("date", ["14/03/2028", "14/03", "1/3/28", "14.03.2028", "2028-03-14"])
def test_w5b_numeric_dates_are_errors(date: str) -> None:
    [finding] = rule_findings(f"La réunion est le {date}.", "W5b")
    assert finding.severity == "error"


def test_w5b_full_dates() -> None:
    assert rule_findings("La réunion est le mardi 14 mars 2028.", "W5b") == []
    assert rule_findings("La réunion est le mercredi 1er mars 2028.", "W5b") == []
    assert rule_findings("Le service est ouvert 24h/24.", "W5b") == []
    [incomplete] = rule_findings("La réunion est le 14 mars.", "W5b")
    assert incomplete.severity == "warn"
    assert "weekday and year" in incomplete.message
    [first] = rule_findings("La réunion est le mercredi 1 mars 2028.", "W5b")
    assert "1er" in first.message


# --- D1 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag", ["i", "u", "s", "code", "pre", "blockquote", "tg-spoiler", "em", "del"]
)
def test_d1_forbidden_formatting_is_an_error(tag: str) -> None:
    [finding] = rule_findings(f"Vous lisez <{tag}>ce mot</{tag}>.", "D1")
    assert finding.severity == "error"
    assert finding.sentence == "Vous lisez ce mot."


def test_d1_bold_and_links_are_fine() -> None:
    assert lint('Votre numéro est <b>{reference}</b>.\nLisez <a href="https://x.fr">ici</a>.') == []


def test_d1_capitals_warn() -> None:
    assert [f.severity for f in rule_findings("ATTENTION : lisez bien.", "D1")] == ["warn"]
    assert rule_findings("C'est IMPORTANT pour vous.", "D1")
    assert rule_findings("La CDU vous écoute.", "D1") == []  # a glossary acronym: W3
    assert rule_findings("Tapez STOP.", "D1") == []  # allow-listed


def test_d1_raw_url_warns() -> None:
    assert [f.severity for f in rule_findings("Lisez https://example.org/page.", "D1")] == ["warn"]


# --- API -------------------------------------------------------------------------------------


def test_finding_fields_and_has_errors() -> None:
    [finding] = lint("Vous venez ; vous parlez.")
    assert finding == Finding(
        rule="S7",
        severity="error",
        sentence="Vous venez ; vous parlez.",
        message="Semicolon « ; ».",
        suggestion="Coupez en 2 phrases.",
    )
    assert has_errors([finding])
    assert not has_errors([])


def test_template_with_placeholders_pictograms_and_bold_is_clean() -> None:
    text = (
        "Merci. Votre avis est envoyé.\n"
        "Votre numéro est <b>{reference}</b>.\n"
        "✅ Date d'envoi : {date}.\n"
        "Gardez ce numéro pour suivre votre avis."
    )
    assert lint(text) == []


def test_report() -> None:
    text = (
        "Bonjour.\n"
        "La CDU et le CLSM se réunissent mardi avec les élus, les soignants et les familles.\n"
        "Vous pouvez venir si vous voulez, avec une personne de confiance, demain ou après."
    )
    result = report(text)
    assert result.errors == 3  # S1 (16 words), W3 CDU, W3 CLSM
    assert result.warnings == len(result.findings) - 3
    assert not result.ok
    assert result.sentences_over_12 == tuple(
        line for line in text.splitlines() if line != "Bonjour."
    )
    assert result.sentences_over_15 == (text.splitlines()[1],)
    assert [note.token for note in result.acronyms] == ["CDU", "CLSM"]
    assert result.acronyms[0].proposal is not None
    assert result.acronyms[0].proposal.startswith("« commission des usagers » : ")
    assert result.km_written is not None and result.km_spoken is not None
    assert result.km_spoken > result.km_written
    assert result.lix is not None
    assert "3 error(s)" in result.format()


def test_report_on_empty_text() -> None:
    result = report("")
    assert result.findings == ()
    assert result.km_written is None and result.lix is None
    assert result.ok


# --- Robustness ------------------------------------------------------------------------------

_ALPHABET = "aeéèiouyAÉCDUPTSMLXV0123456789 '’-.,;:!?…()<>/{}&%\n📅°nNeEsptr"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=120))
def test_never_raises(text: str) -> None:
    result = report(text)
    assert result.errors + result.warnings == len(result.findings)
    assert all(f.severity in ("error", "warn") for f in result.findings)
