"""The Telegram adapter: an Update becomes a plain Incoming, whatever the person sent."""

from __future__ import annotations

from typing import Any

from telegram import Bot, Update

from bot.handlers.usager import incoming_from_message

BOT = Bot("1:x")


def update(message: dict[str, Any]) -> Update:
    base = {
        "message_id": 7,
        "date": 1_790_000_000,
        "chat": {"id": 42, "type": "private"},
        "from": {"id": 42, "is_bot": False, "first_name": "Ana", "language_code": "fr"},
    }
    return Update.de_json({"update_id": 99, "message": {**base, **message}}, BOT)


def test_command_with_bot_name_and_arguments() -> None:
    event = incoming_from_message(update({"text": "/START@porte_voix_bot inv_ABC extra"}))
    assert event is not None
    assert (event.kind, event.command, event.args) == ("command", "start", ("inv_ABC", "extra"))
    assert (event.update_id, event.user_id, event.language_code) == (99, 42, "fr")


def test_text_keeps_what_was_written() -> None:
    event = incoming_from_message(update({"text": "  <b>bonjour</b>  "}))
    assert event is not None and (event.kind, event.text) == ("text", "  <b>bonjour</b>  ")


def test_voice_note_gives_file_and_seconds() -> None:
    voice = {"file_id": "F", "file_unique_id": "U", "duration": 12, "mime_type": "audio/ogg"}
    event = incoming_from_message(update({"voice": voice}))
    assert event is not None
    assert (event.kind, event.voice_file_id, event.voice_duration) == ("voice", "F", 12)


def test_anything_else_is_other() -> None:
    sticker = {
        "file_id": "S",
        "file_unique_id": "SU",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    event = incoming_from_message(update({"sticker": sticker}))
    assert event is not None and event.kind == "other"
