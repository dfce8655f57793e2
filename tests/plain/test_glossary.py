"""Glossary lookups (domain README, « Using glossary.tsv »)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.plain.glossary import GLOSSARY_FILE, Entry, Glossary
from bot.plain.lint import LintContext, lint


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load()


def test_load_is_cached(glossary: Glossary) -> None:
    assert Glossary.load() is glossary


def test_bundled_file(glossary: Glossary) -> None:
    assert GLOSSARY_FILE.parent == Path(__file__).resolve().parents[2] / "bot" / "plain"
    assert len(glossary.entries) == 66
    assert len(glossary.terms()) == 64  # ETP and MSP have two rows each
    assert glossary.terms()[0] == "CDU"
    assert {entry.confidence for entry in glossary.entries} == {"source", "usual"}


@pytest.mark.parametrize("token", ["COPIL", "CoPil", "Copil", "copil", " CoPil "])
def test_mixed_case_forms_map_to_copil(glossary: Glossary, token: str) -> None:
    [entry] = glossary.lookup(token)
    assert entry.acronym == "COPIL"
    assert entry.expansion == "comité de pilotage"


def test_two_rows(glossary: Glossary) -> None:
    assert [entry.expansion for entry in glossary.lookup("ETP")] == [
        "éducation thérapeutique du patient",
        "équivalent temps plein",
    ]
    assert [entry.expansion for entry in glossary.lookup("msp")] == [
        "maison de santé pluriprofessionnelle",
        "médiateur de santé-pair",
    ]


def test_lookup_unknown_and_contains(glossary: Glossary) -> None:
    assert glossary.lookup("SNCF") == []
    assert "Cnil" in glossary
    assert "SNCF" not in glossary


def test_clsm_is_a_conseil(glossary: Glossary) -> None:
    assert glossary.lookup("CLSM")[0].expansion == "conseil local de santé mentale"


def test_multi_word_acronyms(glossary: Glossary) -> None:
    [entry] = glossary.lookup("dt  ars")
    assert entry.acronym == "DT ARS"
    found = glossary.find_terms("Écrivez à la DT ARS, puis à l'ARS.")
    assert [entry.acronym for entry in found] == ["DT ARS", "ARS"]
    found = glossary.find_terms("Lors du CoPil, la DD\u00a0ARS a parlé.")
    assert [entry.acronym for entry in found] == ["COPIL", "DD ARS"]


def test_find_terms_order_and_once(glossary: Glossary) -> None:
    text = "Le CLSM et la CDU. Le CLSM encore, avec le GEM et l'ETP."
    found = glossary.find_terms(text)
    assert [entry.acronym for entry in found] == ["CLSM", "CDU", "GEM", "ETP", "ETP"]
    assert all(isinstance(entry, Entry) for entry in found)


def test_find_terms_word_boundaries(glossary: Glossary) -> None:
    # Inside a word, or a 2-letter lower-case token (« ru », « mg »): not an acronym.
    assert glossary.find_terms("Les CDUs, le ruisseau, un ru, 5 mg, la CPAMX.") == []
    assert [e.acronym for e in glossary.find_terms("C360 et c360")] == ["C360"]


def test_matches_give_positions(glossary: Glossary) -> None:
    [match] = glossary.matches("la Copil")
    assert (match.start, match.end, match.text, match.acronym) == (3, 8, "Copil", "COPIL")


def test_explanations_pass_the_lint(glossary: Glossary) -> None:
    # README: explanations are ≤ 12 words with no other acronym; « soins sans consentement »
    # is the legal term, so the negation rule warns on CDSP and JLD. RQTH's « qui aide à
    # trouver ou garder » has 2 clause markers (S2 warn). S3 is off: they are not messages.
    context = LintContext(addressed=False)
    warned: dict[str, set[str]] = {}
    for entry in glossary.entries:
        findings = lint(entry.plain_explanation, context=context)
        assert [f for f in findings if f.severity == "error"] == [], entry.acronym
        for finding in findings:
            warned.setdefault(entry.acronym, set()).add(finding.rule)
    assert warned == {"CDSP": {"S4"}, "JLD": {"S4"}, "RQTH": {"S2"}}


def test_custom_file(tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    path.write_text(
        "acronym\texpansion\tplain_explanation\tconfidence\nXYZ\tx y z\tUn test.\tusual\n",
        encoding="utf-8",
    )
    glossary = Glossary.load(path)
    assert glossary.terms() == ["XYZ"]
    assert glossary.lookup("xyz")[0].plain_explanation == "Un test."
