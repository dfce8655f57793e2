"""The reviewed lexicon: organised by warning sign, complete, and refusing broken data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.safety import CATEGORIES, DATA_DIR, Level, Lexicon, LexiconError, detect

SIGNS = {
    "talk_death",
    "hopelessness",
    "farewell",
    "affairs",
    "plan",
    "decision",
    "join_dead",
    "self_harm",
    "violence_received",
    "child_at_risk",
    "third_party",
    "staff_abuse",
}


def minimal(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"version": 9, "updated": "2026-12-04", "reviewed_by": "test"}
    data.update(overrides)
    return data


def signs(**extra: dict[str, Any]) -> list[dict[str, Any]]:
    found = [
        {"sign": f"s_{name}", "category": name, "possible": [f"mot{index}"]}
        for index, name in enumerate(CATEGORIES)
    ]
    return found + list(extra.values())


def test_the_reviewed_lexicon_has_one_file_per_published_warning_sign() -> None:
    lexicon = Lexicon.load()
    assert {s.name for s in lexicon.signs} == SIGNS
    assert {s.category for s in lexicon.signs} == set(CATEGORIES)
    assert [s.name for s in lexicon.signs if s.kind == "complaint"] == ["staff_abuse"]
    for path in sorted((DATA_DIR / "signs").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["sign"] == path.stem
        assert data.get("possible") or data.get("clear"), path.name


def test_the_reviewed_file_loads_once_and_says_who_must_review_it() -> None:
    assert Lexicon.load() is Lexicon.load() is Lexicon.load(DATA_DIR)
    data = yaml.safe_load((DATA_DIR / "lexicon.yaml").read_text(encoding="utf-8"))
    assert "clinicien" in data["reviewed_by"] and "pair-aidant" in data["reviewed_by"]


def test_errors_name_the_place() -> None:
    with pytest.raises(LexiconError, match="missing 'reviewed_by'"):
        data = minimal()
        del data["reviewed_by"]
        Lexicon.from_mapping(data, signs())
    with pytest.raises(LexiconError, match="no sign answers child_at_risk"):
        Lexicon.from_mapping(minimal(), [s for s in signs() if s["category"] != "child_at_risk"])
    with pytest.raises(LexiconError, match="category must be one of"):
        Lexicon.from_mapping(minimal(), signs(x={"sign": "x", "category": "rage", "clear": ["a"]}))
    with pytest.raises(LexiconError, match="defined twice"):
        Lexicon.from_mapping(minimal(), [*signs(), signs()[0]])
    with pytest.raises(LexiconError, match="has no phrase"):
        Lexicon.from_mapping(minimal(), signs(x={"sign": "x", "category": "suicide"}))
    with pytest.raises(LexiconError, match="gentle_with: no sign 'y'"):
        Lexicon.from_mapping(
            minimal(),
            signs(x={"sign": "x", "category": "suicide", "clear": ["a"], "gentle_with": "y"}),
        )
    # YAML reads « on » or « non » as booleans: the loader insists on text.
    with pytest.raises(LexiconError, match=r"x.clear\[1\]: expected a text, got True"):
        raw = yaml.safe_load("clear: [mourir, on]")
        Lexicon.from_mapping(minimal(), signs(x={"sign": "x", "category": "suicide", **raw}))


def test_a_small_lexicon_with_sets_imminence_idioms_and_stories() -> None:
    lexicon = Lexicon.from_mapping(
        minimal(
            sets={"proche": ["mon (frere|ami)"]},
            imminence=["ce soir"],
            idioms=["mort de rire"],
            stories=["film"],
            echo=["moi aussi"],
        ),
        [
            {
                "sign": "death",
                "category": "suicide",
                "clear": ["(veux|veut) mourir"],
                "possible": ["mort"],
            },
            {"sign": "other", "category": "third_party", "possible": ["<proche> {0,3} mourir"]},
            *[
                {"sign": f"s{n}", "category": c, "possible": [f"zz{n}"]}
                for n, c in enumerate(("violence_received", "child_at_risk", "staff_abuse"))
            ],
        ],
    )
    assert detect("je veux mourir", lexicon).level == Level.FULL
    assert detect("la mort", lexicon).level == Level.GENTLE
    assert detect("la mort ce soir", lexicon).level == Level.FULL  # a possible sign, imminent
    assert detect("mon ami va mourir", lexicon).categories == ("third_party",)
    assert not detect("mort de rire", lexicon).fired
    assert not detect("Dans le film, il veut mourir.", lexicon).fired
    assert not detect("Dans le film, il veut mourir, puis il guérit.", lexicon).fired
    assert detect("Dans le film, il veut mourir, moi aussi.", lexicon).level == Level.GENTLE


def test_a_lexicon_directory_elsewhere_loads_too(tmp_path: Path) -> None:
    (tmp_path / "signs").mkdir()
    (tmp_path / "lexicon.yaml").write_text(yaml.safe_dump(minimal()), encoding="utf-8")
    for index, sign in enumerate(signs()):
        (tmp_path / "signs" / f"{index}.yaml").write_text(yaml.safe_dump(sign), encoding="utf-8")
    lexicon = Lexicon.load(tmp_path)
    assert lexicon.version == "9" and detect("mot0", lexicon).fired
