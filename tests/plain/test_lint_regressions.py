"""Lint bugs found while building the minutes report (bot/summaries/minutes_report.py).

- W3: `_spelled_out` folded every word of the text again for every occurrence of an unknown
  acronym: occurrences × words, 36 s on 300 kB of minutes. The answer is now kept per acronym.
- W1: « dans le cadre d'une » could never match (the lint closes each pattern with a
  lookahead that refuses a following letter, and a letter follows the apostrophe), nor
  « dans le cadre des ».
"""

from __future__ import annotations

import pytest

import bot.plain.lint as lint_module
from bot.plain.lint import lint


def test_repeated_unknown_acronym_folds_each_word_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    fold = lint_module._fold

    def counting_fold(text: str) -> str:
        nonlocal calls
        calls += 1
        return fold(text)

    monkeypatch.setattr(lint_module, "_fold", counting_fold)
    text = "\n".join(f"L'EMPP reçoit la personne {n}." for n in range(200))  # 200 × 5 words
    findings = lint(text)
    w3 = [finding for finding in findings if finding.rule == "W3"]
    assert [finding.message for finding in w3] == [
        "Unknown acronym « EMPP » (or a word in capitals)."
    ]
    assert calls < 2 * 1000  # was 200 × 1000


def test_spelled_out_answer_is_unchanged() -> None:
    spelled = "L'équipe mobile psychiatrie précarité passe lundi. L'EMPP passe aussi mardi."
    assert not [f for f in lint(spelled) if f.rule == "W3"]
    unknown = "L'EMPP passe lundi. L'EMPP passe aussi mardi."
    assert len([f for f in lint(unknown) if f.rule == "W3"]) == 1


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Dans le cadre du projet, le groupe se réunit.", "Dans le cadre du"),
        ("Dans le cadre de la loi, le groupe se réunit.", "Dans le cadre de"),
        ("Dans le cadre des travaux, le groupe se réunit.", "Dans le cadre des"),
        ("Dans le cadre d'une action, le groupe se réunit.", "Dans le cadre d'une"),
        ("Dans le cadre d’un projet, le groupe se réunit.", "Dans le cadre d'un"),
    ],
)
def test_dans_le_cadre_de_every_form(text: str, found: str) -> None:
    messages = [f.message for f in lint(text) if f.rule == "W1"]
    assert messages == [f"Hard word « {found} »."]


def test_dans_le_cadre_alone_is_not_a_hard_word() -> None:
    assert not [f for f in lint("Le tableau est dans le cadre doré.") if f.rule == "W1"]
