"""The `drop_after` fault: the method runs, then the connection drops without an answer.

This is the realistic "outcome unknown" case: the message reached the chat, the bot cannot
know it, and a resend makes a duplicate. `drop` (the method does not run) stays as it was.
"""

from __future__ import annotations

import aiohttp
import pytest
from telegram import Bot
from telegram.error import NetworkError

from bot.delivery import Outcome
from bot.handlers.sender import telegram_sender
from bot.sandbox.limits import FaultRule
from bot.sandbox.server import Sandbox
from tests.sandbox.conftest import assert_clean


def bot_texts(sandbox: Sandbox, chat_id: int) -> list[str]:
    return [
        m.content.get("text", "")
        for m in sorted(sandbox.chats[chat_id].messages.values(), key=lambda m: m.message_id)
        if m.from_bot
    ]


async def test_raw_client_sees_a_disconnect_but_the_message_is_stored(
    http: aiohttp.ClientSession, api: str, sandbox: Sandbox
) -> None:
    rule = sandbox.faults.add("drop_after", method="sendMessage", chat_id=42, times=1)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with http.post(f"{api}/sendMessage", json={"chat_id": 42, "text": "un"}) as resp:
            await resp.read()
    assert bot_texts(sandbox, 42) == ["un"]  # it ran, although no answer came back
    assert rule.times == 0
    assert sandbox.faults.fired == 1
    assert sandbox.stats()["errors"]["fault:drop_after"] == 1

    # times=1: the next request is answered normally.
    async with http.post(f"{api}/sendMessage", json={"chat_id": 42, "text": "deux"}) as resp:
        body = await resp.json()
    assert body["ok"] is True
    assert bot_texts(sandbox, 42) == ["un", "deux"]


async def test_ptb_gets_a_network_error_and_a_resend_duplicates(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.faults.add("drop_after", method="sendMessage", times=1)
    with pytest.raises(NetworkError):
        await bot.send_message(42, "Votre avis est envoyé.")
    # The bot, not knowing, sends again: the person now sees it twice.
    resent = await bot.send_message(42, "Votre avis est envoyé.")
    assert resent.text == "Votre avis est envoyé."
    assert bot_texts(sandbox, 42) == ["Votre avis est envoyé.", "Votre avis est envoyé."]
    assert_clean(sandbox)


async def test_drop_after_an_edit_applies_it_and_a_resend_is_not_modified(
    bot: Bot, sandbox: Sandbox
) -> None:
    sent = await bot.send_message(42, "avant")
    sandbox.faults.add("drop_after", method="editMessageText", times=1)
    with pytest.raises(NetworkError):
        await bot.edit_message_text("après", 42, sent.message_id)
    assert bot_texts(sandbox, 42) == ["après"]
    with pytest.raises(NetworkError, match="not modified"):  # BadRequest is a NetworkError
        await bot.edit_message_text("après", 42, sent.message_id)


async def test_the_outbox_sender_counts_an_edit_already_applied_as_sent(
    bot: Bot, sandbox: Sandbox
) -> None:
    """The bot's sender after `drop_after` on an edit: unknown, then sent (not "rejected")."""
    send = telegram_sender(bot)
    first = await send(42, {"op": "send", "text": "🆕 Nouveau."})
    assert first.kind == "sent" and first.message_id is not None
    edit = {"op": "edit", "message_id": first.message_id, "text": "🙋 Pris."}
    sandbox.faults.add("drop_after", method="editMessageText", times=1)
    assert (await send(42, edit)).kind == "unknown"
    assert bot_texts(sandbox, 42) == ["🙋 Pris."]
    assert await send(42, edit) == Outcome("sent", first.message_id)
    # A real refusal is still one.
    gone = {"op": "edit", "message_id": 999, "text": "x"}
    assert (await send(42, gone)).kind == "rejected"
    assert_clean(sandbox)


async def test_plain_drop_still_does_not_run_the_method(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.faults.add("drop", method="sendMessage", times=1)
    with pytest.raises(NetworkError):
        await bot.send_message(42, "perdu")
    assert bot_texts(sandbox, 42) == []


async def test_drop_after_from_json_and_hook(
    http: aiohttp.ClientSession, api: str, sandbox: Sandbox
) -> None:
    sandbox.set_faults({"rules": [{"kind": "drop_after", "method": "sendmessage"}]})
    assert sandbox.faults.rules[0] == FaultRule("drop_after", "sendmessage", None, 1)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with http.post(f"{api}/sendMessage", json={"chat_id": 42, "text": "a"}) as resp:
            await resp.read()
    sandbox.faults.clear()
    sandbox.faults.hook = lambda method, chat_id: (
        FaultRule("drop_after") if method == "sendMessage" else None
    )
    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with http.post(f"{api}/sendMessage", json={"chat_id": 42, "text": "b"}) as resp:
            await resp.read()
    assert bot_texts(sandbox, 42) == ["a", "b"]
    with pytest.raises(ValueError, match="unknown fault kind"):
        FaultRule.from_json({"kind": "drop_before"})
