"""The outbox's Telegram side: one row's payload → one Bot API call → a plain `Outcome`.

Payload operations: `send` (text, buttons, optional document or voice note), `mark` (replace
a tapped keyboard by the chosen answer), `clear` (remove a keyboard), `edit` (rewrite a
message, e.g. a case card whose status changed), `delete`.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.delivery import Outcome, Sender

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def markup(buttons: list[list[list[str]]] | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in buttons
        ]
    )


async def _perform(bot: Bot, chat_id: int, payload: dict[str, Any]) -> int | None:
    op = payload.get("op", "send")
    if op == "send":
        keyboard = markup(payload.get("buttons"))
        if payload.get("document"):
            name, content = payload["document"]
            sent = await bot.send_document(
                chat_id,
                InputFile(base64.b64decode(content), filename=name),
                caption=payload.get("text") or None,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
            )
        elif payload.get("voice"):
            sent = await bot.send_voice(
                chat_id,
                payload["voice"],
                caption=payload.get("text") or None,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
            )
        else:
            sent = await bot.send_message(
                chat_id,
                payload["text"],
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=keyboard,
            )
        return sent.message_id
    message_id = int(payload["message_id"])
    if op == "mark":
        label = payload.get("label")
        chosen = (
            InlineKeyboardMarkup([[InlineKeyboardButton(f"✓ {label}", callback_data="done")]])
            if label
            else None
        )
        await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=chosen)
    elif op == "clear":
        await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    elif op == "edit" and payload.get("caption"):
        await bot.edit_message_caption(
            chat_id,
            message_id,
            caption=payload["text"],
            parse_mode=ParseMode.HTML,
            reply_markup=markup(payload.get("buttons")),
        )
    elif op == "edit":
        await bot.edit_message_text(
            payload["text"],
            chat_id,
            message_id,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            reply_markup=markup(payload.get("buttons")),
        )
    elif op == "delete":
        await bot.delete_message(chat_id, message_id)
    else:
        raise ValueError(f"unknown outbox operation {op!r}")
    return message_id


def telegram_sender(bot: Bot) -> Sender:
    """Maps Telegram's answers to outcomes; the order of the `except` clauses matters
    (BadRequest and RetryAfter are kinds of TelegramError, BadRequest of NetworkError)."""

    async def send(chat_id: int, payload: dict[str, Any]) -> Outcome:
        try:
            return Outcome("sent", await _perform(bot, chat_id, payload))
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            return Outcome("retry", retry_after=seconds, error="429")
        except Forbidden as exc:
            return Outcome("blocked", error=exc.message)
        except BadRequest as exc:
            if "message_id" in payload and "message is not modified" in exc.message.lower():
                # The change is already there: an earlier attempt whose answer was lost made it.
                return Outcome("sent", int(payload["message_id"]))
            return Outcome("rejected", error=exc.message)
        except TelegramError as exc:  # NetworkError, TimedOut, 5xx: did it arrive? unknown
            return Outcome("unknown", error=type(exc).__name__)

    return send
