"""The open labelled set (tests/data/crisis_set.tsv) holds the regression goals.

It is the set the lexicon is tuned on; the blind set is only measured, by
`bench/safety_recall.py`, never asserted here. `pytest -s` prints the figures.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.safety import Level, detect

OPEN_SET = Path(__file__).resolve().parents[1] / "data" / "crisis_set.tsv"
LEVELS = {"none": Level.NONE, "gentle": Level.GENTLE, "full": Level.FULL}
CRISIS_SIGNS = {
    "talk_death", "hopelessness", "farewell", "affairs", "plan", "decision", "join_dead",
    "self_harm", "violence_received", "child_at_risk", "third_party",
}  # fmt: skip
NEAR_SIGNS = {
    "idiom",
    "scolded",
    "not_serious",
    "too_much",
    "skipping",
    "fiction",
    "news_history",
    "care_talk",
}


def rows() -> list[dict[str, str]]:
    with OPEN_SET.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_the_open_set_is_well_formed() -> None:
    data = rows()
    assert list(data[0]) == ["label", "sign", "level", "style", "text"]
    assert len(data) >= 280
    texts = [r["text"] for r in data]
    assert len(set(texts)) == len(texts)
    for row in data:
        assert row["text"].strip()
        if row["label"] == "crisis":
            assert row["sign"] in CRISIS_SIGNS and row["level"] in ("full", "gentle"), row
        elif row["label"] == "near_miss":
            assert row["sign"] in NEAR_SIGNS and row["level"] == "none", row
        else:
            assert (row["label"], row["sign"], row["level"]) == ("complaint", "staff_abuse", "none")


def test_open_set_recall_false_alarms_and_complaints(capsys: pytest.CaptureFixture[str]) -> None:
    data = rows()
    crisis = [r for r in data if r["label"] == "crisis"]
    near = [r for r in data if r["label"] == "near_miss"]
    complaints = [r for r in data if r["label"] == "complaint"]
    missed = [r["text"] for r in crisis if detect(r["text"]).level < LEVELS[r["level"]]]
    alarms = [r["text"] for r in near if detect(r["text"]).level == Level.FULL]
    gentle = [r["text"] for r in near if detect(r["text"]).level == Level.GENTLE]
    unheard = [
        r["text"]
        for r in complaints
        if not (detect(r["text"]).complaint or detect(r["text"]).fired)
    ]
    interrupted = [r["text"] for r in complaints if detect(r["text"]).level == Level.FULL]
    recall = 1 - len(missed) / len(crisis)
    with capsys.disabled():
        print(
            f"\nopen crisis set: {len(data)} messages; recall {recall:.1%}; "
            f"false alarms {len(alarms)}/{len(near)}; gentle lines {len(gentle)}/{len(near)}; "
            f"complaints heard {len(complaints) - len(unheard)}/{len(complaints)}"
        )
    assert recall >= 0.95, missed
    assert len(alarms) <= 0.05 * len(near), alarms
    assert len(gentle) <= 0.15 * len(near), gentle
    assert not unheard, unheard
    assert not interrupted, interrupted  # a complaint about staff is never an interruption
