"""The engine alone: flows run as conversations, with no Telegram and no database."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from bot.engine import Answer, Engine, TurnContext, clean_text
from bot.flows import FLOWS_DIR, load_flows
from bot.i18n import Catalogs
from bot.storage.conversations import ConversationState

THEMES = [("crise", "Mieux réagir aux crises"), ("logement", "Le logement")]


class Actions:
    """Records the actions a flow asks for, and answers like the real service would."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def __call__(
        self, name: str, params: Mapping[str, Any], state: ConversationState
    ) -> dict[str, str]:
        self.calls.append((name, dict(state.answers)))
        return (
            {"reference": "AV-2026-0001", "date": "samedi 1er août 2026"}
            if name == "create_submission"
            else {}
        )


@pytest.fixture
def engine() -> Engine:
    return Engine(load_flows(FLOWS_DIR))


def context(actions: Actions, lang: str = "fr", revision: int = 1) -> TurnContext:
    return TurnContext(
        t=Catalogs(("fr", "en")).get(lang),
        revision=revision,
        run_action=actions,
        variables={"pseudonym": "Personne 7F3K", "reading": "Une personne lit les messages."},
        dynamic_choices={"themes": THEMES, "languages": [("fr", "Français"), ("en", "English")]},
    )


async def test_avis_from_theme_to_reference(engine: Engine) -> None:
    actions = Actions()
    turn = await engine.start("avis", context(actions))
    assert turn.state is not None and turn.state.step == "theme"
    prompt = turn.replies[-1]
    assert prompt.prompt
    labels = [b.label for row in prompt.buttons for b in row]
    assert labels[:2] == ["Mieux réagir aux crises", "Le logement"]
    assert labels[-2:] == ["⏸ Pause", "✖ Arrêter"]  # no "back" on the first question
    assert prompt.buttons[0][0].data == "s:1:crise"

    turn = await engine.answer(
        turn.state, Answer("choice", value="crise"), context(actions, revision=2)
    )
    assert turn.state.step == "message"
    turn = await engine.answer(
        turn.state,
        Answer("text", text="Les <b>délais</b> sont longs"),
        context(actions, revision=3),
    )
    assert turn.state.step == "speaker"
    turn = await engine.answer(
        turn.state, Answer("choice", value="usager"), context(actions, revision=4)
    )
    assert turn.state.step == "sharing"
    assert "Personne 7F3K" in turn.replies[-1].text
    turn = await engine.answer(
        turn.state, Answer("choice", value="pseudonymous"), context(actions, revision=4)
    )
    summary = turn.replies[-1].text
    assert "Mieux réagir aux crises" in summary
    assert (
        "Les &lt;b&gt;délais&lt;/b&gt; sont longs" in summary
    )  # what people write is never rendered as HTML
    assert "Un code" in summary
    turn = await engine.answer(
        turn.state, Answer("choice", value="send"), context(actions, revision=5)
    )
    assert turn.state is None and turn.then == "menu"
    assert "AV-2026-0001" in turn.replies[-1].text
    assert actions.calls == [
        (
            "create_submission",
            {
                "theme": "crise",
                "message": {"text": "Les <b>délais</b> sont longs"},
                "speaker": "usager",
                "sharing": "pseudonymous",
            },
        )
    ]


async def test_a_voice_note_is_an_answer_where_text_is(engine: Engine) -> None:
    actions = Actions()
    turn = await engine.start("avis", context(actions))
    turn = await engine.answer(turn.state, Answer("choice", value="logement"), context(actions))
    turn = await engine.answer(
        turn.state, Answer("voice", voice_file_id="F1", voice_duration=12), context(actions)
    )
    assert turn.state.answers["message"] == {"voice": "F1", "duration": 12}
    turn = await engine.answer(turn.state, Answer("choice", value="proche"), context(actions))
    turn = await engine.answer(turn.state, Answer("choice", value="anonymous"), context(actions))
    assert "un message vocal de 12 secondes" in turn.replies[-1].text


async def test_typed_choice_by_label_or_number(engine: Engine) -> None:
    actions = Actions()
    turn = await engine.start("avis", context(actions))
    turn = await engine.answer(turn.state, Answer("text", text="le LOGEMENT"), context(actions))
    assert turn.state.answers["theme"] == "logement"
    turn = await engine.start("avis", context(actions))
    turn = await engine.answer(turn.state, Answer("text", text="1"), context(actions))
    assert turn.state.answers["theme"] == "crise"


async def test_bad_answers_are_refused_kindly_and_change_nothing(engine: Engine) -> None:
    actions = Actions()
    turn = await engine.start("avis", context(actions))
    turn = await engine.answer(turn.state, Answer("choice", value="crise"), context(actions))
    turn = await engine.answer(turn.state, Answer("text", text="x" * 3001), context(actions))
    assert not turn.accepted and turn.state.step == "message"
    assert "3001 caractères" in turn.replies[0].text
    turn = await engine.answer(turn.state, Answer("text", text="\u200b \u200f"), context(actions))
    assert not turn.accepted and "vide" in turn.replies[0].text
    turn = await engine.answer(turn.state, Answer("text", text="Trop d'attente"), context(actions))
    before = dict(turn.state.answers)
    turn = await engine.answer(turn.state, Answer("text", text="pizza"), context(actions))
    assert not turn.accepted and turn.state.step == "speaker"
    assert "boutons" in turn.replies[0].text
    assert turn.state.answers == before  # the message is already given: nothing changes


async def test_words_typed_where_a_button_was_expected_are_kept_for_the_main_question(
    engine: Engine,
) -> None:
    """Typed at the theme question, the words become the avis; its question is then skipped."""
    actions = Actions()
    turn = await engine.start("avis", context(actions))
    turn = await engine.answer(
        turn.state,
        Answer("text", text="On attend trop aux urgences", message_id=9),
        context(actions),
    )
    assert not turn.accepted and turn.state.step == "theme"
    assert turn.replies[0].text.startswith("Je garde votre message pour la suite.")
    turn = await engine.answer(turn.state, Answer("choice", value="crise"), context(actions))
    assert turn.state.step == "speaker"  # « Écrivez votre avis » was skipped, once
    assert turn.state.answers["message"] == {"text": "On attend trop aux urgences", "message_id": 9}
    turn = await engine.back(turn.state, context(actions))
    assert turn.state.step == "message"  # and can be changed with « Retour »


async def test_back_returns_to_the_previous_question(engine: Engine) -> None:
    actions = Actions()
    turn = await engine.start("avis", context(actions))
    turn = await engine.answer(turn.state, Answer("choice", value="crise"), context(actions))
    assert any(b.label == "↩ Retour" for row in turn.replies[-1].buttons for b in row)
    turn = await engine.back(turn.state, context(actions))
    assert turn.state.step == "theme"
    turn = await engine.back(turn.state, context(actions))
    assert turn.state.step == "theme"
    assert "première question" in turn.replies[0].text


async def test_the_engine_speaks_english_from_the_catalog(engine: Engine) -> None:
    turn = await engine.start("avis", context(Actions(), lang="en"))
    assert "What is your feedback about?" in turn.replies[-1].text
    labels = [b.label for row in turn.replies[-1].buttons for b in row]
    assert "✖ Stop" in labels


async def test_welcome_speaks_then_asks_the_language(engine: Engine) -> None:
    actions = Actions()
    turn = await engine.start("start", context(actions))
    assert len(turn.replies) == 4
    assert "Une personne lit les messages." in turn.replies[1].text
    assert turn.state.step == "language"
    turn = await engine.answer(turn.state, Answer("choice", value="en"), context(actions))
    assert actions.calls[0][0] == "set_language"
    assert turn.state is None and turn.then == "menu"


def test_clean_text_removes_invisible_marks() -> None:
    assert clean_text("\u202ebonjour\u200b ") == "bonjour"
