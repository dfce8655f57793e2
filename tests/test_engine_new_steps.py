"""The engine's newer steps, on small flows written for the test: a time of day
(`ask: time`), a web link (`format: url`) and a text file (`documents: true`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from bot.engine import MAX_DOCUMENT_LENGTH, Answer, Engine, Turn, TurnContext
from bot.flows import Flow, FlowError, load_flow, validate
from bot.i18n import Catalogs
from bot.storage.conversations import ConversationState

TIME_FLOW = """
flow: horaire
start: hour
steps:
  hour:
    say: Elle commence à quelle heure ?
    ask: time
    save: time
    next: summary
  summary:
    say: "Vous avez choisi {time}."
    ask: choice
    choices:
      - value: ok
        label: C'est bon
        next: done
  done:
    say: Merci.
    end: true
"""

LINK_FLOW = """
flow: lien
start: link
steps:
  link:
    say: Écrivez le lien.
    ask: text
    format: url
    max_length: 300
    save: link
    next: done
  done:
    say: "Le lien : {link}"
    end: true
"""

MINUTES_FLOW = """
flow: notes
start: minutes
steps:
  minutes:
    say: Envoyez le compte rendu.
    ask: text
    documents: true
    max_length: 100
    save: minutes
    next: done
  done:
    say: Merci.
    end: true
"""

TEXT_FLOW = MINUTES_FLOW.replace("flow: notes", "flow: texte").replace("    documents: true\n", "")


def write(tmp_path: Path, text: str) -> Flow:
    name = text.split("flow: ", 1)[1].split("\n", 1)[0]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_flow(path)


async def no_action(
    name: str, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    return {}


def context(lang: str = "fr", revision: int = 1) -> TurnContext:
    return TurnContext(t=Catalogs(("fr", "en")).get(lang), revision=revision, run_action=no_action)


def engine_for(tmp_path: Path, *texts: str) -> Engine:
    flows = {flow.id: flow for flow in (write(tmp_path, text) for text in texts)}
    assert validate(flows) == []
    return Engine(flows)


def button_data(turn: Turn) -> list[str]:
    return [b.data for row in turn.replies[-1].buttons for b in row]


def labels(turn: Turn) -> list[str]:
    return [b.label for row in turn.replies[-1].buttons for b in row]


# ---- ask: time -----------------------------------------------------------------------------


async def test_a_time_step_offers_the_common_times_in_rows_of_four(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, TIME_FLOW)
    turn = await engine.start("horaire", context(revision=3))
    prompt = turn.replies[-1]
    assert prompt.prompt and prompt.text == "Elle commence à quelle heure ?"
    assert [len(row) for row in prompt.buttons[:3]] == [4, 4, 4]
    assert labels(turn)[:5] == ["9 h", "9 h 30", "10 h", "10 h 30", "11 h"]
    assert button_data(turn)[:2] == ["s:3:t0900", "s:3:t0930"]
    assert labels(turn)[-2:] == ["⏸ Pause", "✖ Arrêter"]


async def test_a_time_step_in_english_shows_english_times(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, TIME_FLOW)
    turn = await engine.start("horaire", context("en"))
    assert labels(turn)[6] == "2:30\u202fPM"


@pytest.mark.parametrize(
    "answer",
    [Answer("choice", value="t1430"), Answer("text", text="14h30"), Answer("text", text="14:30")],
)
async def test_a_time_is_saved_as_hh_mm_and_shown_in_the_summary(
    tmp_path: Path, answer: Answer
) -> None:
    engine = engine_for(tmp_path, TIME_FLOW)
    turn = await engine.start("horaire", context())
    assert turn.state is not None
    turn = await engine.answer(turn.state, answer, context())
    assert turn.accepted and turn.state is not None
    assert turn.state.answers["time"] == "14:30"
    assert turn.state.step == "summary"
    assert turn.replies[-1].text == "Vous avez choisi 14 h 30."
    assert turn.state.history == ["hour"]


async def test_a_typed_time_with_invisible_marks_is_cleaned_first(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, TIME_FLOW)
    turn = await engine.start("horaire", context())
    assert turn.state is not None
    turn = await engine.answer(turn.state, Answer("text", text="\u200b9h05\u200e"), context())
    assert turn.state is not None and turn.state.answers["time"] == "09:05"


@pytest.mark.parametrize(
    "answer",
    [
        Answer("text", text="midi"),
        Answer("text", text="25h"),
        Answer("choice", value="t2500"),
        Answer("choice", value="ok"),
        Answer("voice", voice_file_id="F1", voice_duration=3),
    ],
)
async def test_a_bad_time_asks_again_without_saving(tmp_path: Path, answer: Answer) -> None:
    engine = engine_for(tmp_path, TIME_FLOW)
    turn = await engine.start("horaire", context())
    assert turn.state is not None
    turn = await engine.answer(turn.state, answer, context(revision=2))
    assert not turn.accepted
    assert turn.state is not None and turn.state.step == "hour"
    assert "time" not in turn.state.answers and turn.state.history == []
    hint, prompt = turn.replies
    assert hint.text == ("Choisissez une heure avec les boutons. Vous pouvez aussi écrire 14 h 15.")
    assert prompt.prompt and button_data(turn)[0] == "s:2:t0900"


async def test_going_back_to_a_time_step_and_changing_it(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, TIME_FLOW)
    turn = await engine.start("horaire", context())
    assert turn.state is not None
    turn = await engine.answer(turn.state, Answer("text", text="9h"), context())
    assert turn.state is not None
    turn = await engine.back(turn.state, context())
    assert turn.state is not None and turn.state.step == "hour"
    turn = await engine.answer(turn.state, Answer("choice", value="t1800"), context())
    assert turn.state is not None and turn.state.answers["time"] == "18:00"
    assert turn.replies[-1].text == "Vous avez choisi 18 h."


# ---- format: url ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["www.x.fr", "http://x.fr/a", "https://", "https://x.fr/a b", "x https://x.fr"]
)
async def test_a_link_step_refuses_what_is_not_an_https_link(tmp_path: Path, typed: str) -> None:
    engine = engine_for(tmp_path, LINK_FLOW)
    turn = await engine.start("lien", context())
    assert turn.state is not None
    turn = await engine.answer(turn.state, Answer("text", text=typed), context())
    assert not turn.accepted
    assert turn.state is not None and "link" not in turn.state.answers
    assert turn.replies[0].text == ("Ce lien doit commencer par https://. Écrivez le lien complet.")


async def test_a_link_step_accepts_an_https_link(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, LINK_FLOW)
    turn = await engine.start("lien", context())
    assert turn.state is not None
    turn = await engine.answer(turn.state, Answer("text", text="  https://x.fr/a  "), context())
    assert turn.state is None and turn.then == "menu"
    assert turn.replies[-1].text == "Le lien : https://x.fr/a"


async def test_a_link_step_still_has_a_length_limit(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, LINK_FLOW)
    turn = await engine.start("lien", context())
    assert turn.state is not None
    long = "https://x.fr/" + "a" * 300
    turn = await engine.answer(turn.state, Answer("text", text=long), context())
    assert not turn.accepted
    assert "Le maximum est 300." in turn.replies[0].text


# ---- documents: true -----------------------------------------------------------------------


async def test_a_document_longer_than_max_length_is_accepted(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, MINUTES_FLOW)
    turn = await engine.start("notes", context())
    assert turn.state is not None
    text = "Compte rendu. " * 1000  # far more than max_length: 100
    turn = await engine.answer(turn.state, Answer("document", text=text), context())
    assert turn.accepted and turn.state is None
    assert turn.replies[-1].text == "Merci."


async def test_a_document_up_to_the_engine_s_limit(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, MINUTES_FLOW)
    start = await engine.start("notes", context())
    assert start.state is not None
    at_limit = await engine.answer(
        start.state, Answer("document", text="a" * MAX_DOCUMENT_LENGTH), context()
    )
    assert at_limit.accepted
    again = await engine.start("notes", context())
    assert again.state is not None
    over = await engine.answer(
        again.state, Answer("document", text="a" * (MAX_DOCUMENT_LENGTH + 1)), context()
    )
    assert not over.accepted
    assert over.state is not None and "minutes" not in over.state.answers
    assert f"Le maximum est {MAX_DOCUMENT_LENGTH}." in over.replies[0].text


async def test_a_document_step_still_limits_typed_text(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, MINUTES_FLOW)
    turn = await engine.start("notes", context())
    assert turn.state is not None
    turn = await engine.answer(turn.state, Answer("text", text="a" * 101), context())
    assert not turn.accepted
    assert "Il a 101 caractères. Le maximum est 100." in turn.replies[0].text


async def test_the_document_is_saved_as_text(tmp_path: Path) -> None:
    flow_text = MINUTES_FLOW.replace("    next: done\n  done:", "    next: seen\n  seen:").replace(
        "    say: Merci.\n    end: true",
        "    say: Reçu.\n    ask: choice\n    choices:\n      - value: ok\n        label: OK\n"
        "        next: done\n  done:\n    say: Merci.\n    end: true",
    )
    engine = engine_for(tmp_path, flow_text)
    turn = await engine.start("notes", context())
    assert turn.state is not None
    turn = await engine.answer(
        turn.state, Answer("document", text="\ufeffLigne 1\nLigne 2", message_id=9), context()
    )
    assert turn.state is not None
    assert turn.state.answers["minutes"] == {"text": "Ligne 1\nLigne 2", "message_id": 9}


async def test_a_step_without_documents_refuses_a_document(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, TEXT_FLOW)
    turn = await engine.start("texte", context())
    assert turn.state is not None
    turn = await engine.answer(turn.state, Answer("document", text="Court."), context())
    assert not turn.accepted
    assert turn.state is not None and "minutes" not in turn.state.answers
    assert turn.replies[0].text == "Ici, écrivez votre réponse."


# ---- validation ----------------------------------------------------------------------------


def test_format_on_a_step_that_is_not_text_is_refused(tmp_path: Path) -> None:
    broken = TIME_FLOW.replace("    ask: time\n", "    ask: time\n    format: url\n")
    with pytest.raises(FlowError, match=r"horaire\.yaml: line 5: step 'hour'\.format: only a text"):
        write(tmp_path, broken)


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    broken = LINK_FLOW.replace("format: url", "format: email")
    with pytest.raises(FlowError, match=r"lien\.yaml: line 5: step 'link'\.format: only « url »"):
        write(tmp_path, broken)


def test_a_time_step_without_next_is_reported(tmp_path: Path) -> None:
    broken = TIME_FLOW.replace("    save: time\n    next: summary\n", "    save: time\n")
    flow = write(tmp_path, broken)
    assert any("a time step needs 'next'" in p for p in validate({flow.id: flow}))


def test_a_time_step_cannot_have_choices(tmp_path: Path) -> None:
    broken = TIME_FLOW.replace(
        "    save: time\n",
        "    save: time\n    choices:\n      - value: x\n        label: X\n",
    )
    flow = write(tmp_path, broken)
    assert any("choices only go on a choice or text step" in p for p in validate({flow.id: flow}))


def test_documents_on_a_step_that_is_not_text_is_reported(tmp_path: Path) -> None:
    """Like `voice: true`, `documents: true` only makes sense on a text step."""
    odd = TIME_FLOW.replace("    ask: time\n", "    ask: time\n    documents: true\n")
    flow = write(tmp_path, odd)
    assert flow.steps["hour"].documents
    assert any("documents: true only goes on a text step" in p for p in validate({flow.id: flow}))
