"""Flow files: the shipped ones are valid, and broken ones are reported precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.flows import FLOWS_DIR, FlowError, load_flow, load_flows, validate

VALID = """
flow: demo
start: ask
steps:
  ask:
    say: Vous aimez le thé ?
    ask: choice
    save: tea
    choices:
      - value: oui
        label: Oui
        next: done
      - value: non
        label: Non
        next: done
  done:
    say: Merci.
    end: true
"""


def write(tmp_path: Path, text: str, name: str = "demo.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_flows_are_valid() -> None:
    flows = load_flows(FLOWS_DIR)
    assert {"start", "menu", "avis", "langue"} <= set(flows)
    assert validate(flows) == []


def test_a_valid_flow_loads_with_its_steps_in_order(tmp_path: Path) -> None:
    flow = load_flow(write(tmp_path, VALID))
    assert list(flow.steps) == ["ask", "done"]
    assert flow.steps["ask"].line == 5  # the text starts with a blank line
    assert validate({"demo": flow}) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("next: done\n      - value: non", "next: fin\n      - value: non"),
            "leads to 'fin', which is not a step",
        ),
        (("start: ask", "start: begin"), "start: 'begin' is not a step"),
        (
            (
                "  done:\n    say: Merci.\n    end: true",
                "  done:\n    say: Merci.\n    end: true\n  lost:\n    say: Seul.\n    end: true",
            ),
            "step 'lost' is never reached",
        ),
        (
            (
                "    end: true",
                "    next: ask2\n  ask2:\n    say: Encore ?\n    ask: choice\n    choices:\n      - value: x\n        label: X\n        next: ask2",
            ),
            "never leads to an end",
        ),
        (("ask: choice", "ask: dropdown"), "'dropdown' is not one of"),
        (
            (
                "    say: Merci.\n    end: true",
                "    say: Merci.\n    do: launch_rocket\n    end: true",
            ),
            "unknown action 'launch_rocket'",
        ),
    ],
)
def test_broken_flows_are_reported_with_file_line_and_problem(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    try:
        problems = validate({"demo": load_flow(path)})
    except FlowError as exc:
        problems = [str(exc)]
    assert any(expected in p and p.startswith("demo.yaml") for p in problems), problems


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "flow: demo\nstart: [unclosed\n")
    with pytest.raises(FlowError, match=r"demo.yaml: line \d+, column \d+: invalid YAML"):
        load_flow(path)


def test_choice_values_must_be_short_ascii(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("value: oui", "value: Oui, bien sûr"))
    with pytest.raises(FlowError, match=r"choices\[0\].value"):
        load_flow(path)


def test_an_entry_step_counts_as_reached_and_must_exist(tmp_path: Path) -> None:
    text = VALID.replace("start: ask", "start: ask\nentries: [other]") + (
        "  other:\n    say: Autre.\n    end: true\n"
    )
    assert validate({"demo": load_flow(write(tmp_path, text))}) == []
    broken = VALID.replace("start: ask", "start: ask\nentries: [nowhere]")
    assert any(
        "entries: 'nowhere' is not a step" in p
        for p in validate({"demo": load_flow(write(tmp_path, broken))})
    )
    with pytest.raises(FlowError, match="entries: a list of short lower-case ids"):
        load_flow(write(tmp_path, VALID.replace("start: ask", "start: ask\nentries: other")))


def test_carried_answers_must_land_on_a_text_step_of_every_target_flow(tmp_path: Path) -> None:
    flows = load_flows(FLOWS_DIR)
    assert flows["message_libre"].carry == ("message",)
    assert validate(flows) == []
    target = (
        "flow: cible\nstart: q\nsteps:\n  q:\n    say: Sujet ?\n    ask: choice\n    save: sujet\n"
        "    choices:\n      - value: a\n        label: A\n        next: fin\n"
        "  fin:\n    say: Merci.\n    end: true\n"
    )
    source = (
        "flow: source\ncarry: [message]\nstart: q\nsteps:\n  q:\n    say: Envoyer ?\n"
        "    ask: choice\n    choices:\n      - flow: cible\n        label: Oui\n"
    )
    loaded = {
        "cible": load_flow(write(tmp_path, target, "cible.yaml")),
        "source": load_flow(write(tmp_path, source, "source.yaml")),
    }
    assert any("carry: cible.yaml has no text step saving 'message'" in p for p in validate(loaded))
