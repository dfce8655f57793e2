"""Telegram adapter: Update in, plain `Incoming` out; then the outbox is flushed for that chat.

Telegram types stop here. The conversation service decides and writes what it owes into the
outbox in the same transaction; the delivery worker sends it. Logs carry kinds and internal
ids, never what people wrote.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.conversation import ConversationService, Incoming, Response
from bot.delivery import Delivery
from bot.safety.transcriber import Transcriber, transcript_of
from bot.summaries.minutes_report import MAX_BYTES as MAX_DOCUMENT_BYTES

log = logging.getLogger(__name__)
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")


def handlers() -> list[object]:
    return [
        MessageHandler(filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED, on_message),
        MessageHandler(
            filters.ChatType.GROUPS & filters.COMMAND & ~filters.UpdateType.EDITED, on_message
        ),
        CallbackQueryHandler(on_callback),
    ]


def service_of(context: ContextTypes.DEFAULT_TYPE) -> ConversationService:
    return context.application.bot_data["service"]


def delivery_of(context: ContextTypes.DEFAULT_TYPE) -> Delivery:
    return context.application.bot_data["delivery"]


def _group_chat_id(message: Message | None) -> int | None:
    if message is None or message.chat.type == "private":
        return None
    return message.chat.id


def incoming_from_message(update: Update) -> Incoming | None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return None
    common = {
        "update_id": update.update_id,
        "user_id": user.id,
        "language_code": user.language_code,
        "display_name": user.full_name,
        "chat_id": _group_chat_id(message),
    }
    if message.text is not None:
        text = message.text
        if text.startswith("/"):
            head, *rest = text.split(maxsplit=1)
            command = head[1:].split("@", 1)[0].lower()
            args = tuple(rest[0].split()) if rest else ()
            return Incoming(kind="command", command=command, args=args, **common)
        return Incoming(kind="text", text=text, message_id=message.message_id, **common)
    if message.voice is not None:
        duration = message.voice.duration
        seconds = (
            int(duration.total_seconds()) if hasattr(duration, "total_seconds") else int(duration)
        )
        return Incoming(
            kind="voice",
            voice_file_id=message.voice.file_id,
            voice_duration=seconds,
            message_id=message.message_id,
            caption=message.caption,
            **common,
        )
    return Incoming(kind="other", message_id=message.message_id, caption=message.caption, **common)


async def with_document(update: Update, event: Incoming) -> Incoming:
    """A small text file (.txt, .md) is downloaded, so a step that takes minutes can read it."""
    message = update.effective_message
    document = message.document if message is not None else None
    if document is None or (document.file_size or 0) > MAX_DOCUMENT_BYTES:
        return event
    name = document.file_name or ""
    if not (name.lower().endswith(TEXT_SUFFIXES) or (document.mime_type or "").startswith("text/")):
        return event
    file = await document.get_file()
    data = bytes(await file.download_as_bytearray())
    return replace(event, kind="document", document_name=name, document_data=data)


async def with_transcript(update: Update, event: Incoming, transcriber: Transcriber) -> Incoming:
    """A voice note's words, heard by the local engine, for the safety net (never stored)."""
    message = update.effective_message
    if message is None or message.voice is None:
        return event
    try:
        file = await message.voice.get_file()
        audio = bytes(await file.download_as_bytearray())
    except TelegramError as error:
        log.warning(
            "voice note %s not downloaded (%s): not read", update.update_id, type(error).__name__
        )
        return event
    language = (event.language_code or "")[:2] or None
    text = await transcript_of(transcriber, audio, language)
    return replace(event, transcript=text) if text else event


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    event = incoming_from_message(update)
    if event is None:
        return
    if event.kind == "other" and event.chat_id is None:
        event = await with_document(update, event)
    transcriber = context.application.bot_data.get("transcriber")
    if event.kind == "voice" and event.chat_id is None and transcriber is not None:
        event = await with_transcript(update, event, transcriber)
    log.info(
        "update %s: %s",
        update.update_id,
        event.kind if event.kind != "command" else f"/{event.command}",
    )
    response = await service_of(context).handle(event)
    await flush(context, response)


def chosen_label(message: Message | None, data: str) -> str | None:
    if message is None or message.reply_markup is None:
        return None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or update.effective_user is None:
        return
    message = query.message if isinstance(query.message, Message) else None
    data = query.data or ""
    event = Incoming(
        update_id=update.update_id,
        user_id=update.effective_user.id,
        language_code=update.effective_user.language_code,
        kind="button",
        data=data,
        message_id=message.message_id if message else None,
        display_name=update.effective_user.full_name,
        chat_id=_group_chat_id(message),
        tapped_label=chosen_label(message, data),
    )
    log.info("update %s: button", update.update_id)
    response = await service_of(context).handle(event)
    try:
        await query.answer(text=response.notice)
    except BadRequest:
        log.info("callback query %s too old to answer", update.update_id)
    await flush(context, response)


async def flush(context: ContextTypes.DEFAULT_TYPE, response: Response) -> None:
    """The reply goes at once, in order; anything for other chats goes through the worker."""
    delivery = delivery_of(context)
    for recipient in response.recipients[:1]:
        await delivery.flush(recipient)
    delivery.kick()
    reminders = context.application.bot_data.get("reminders")
    if response.meetings_changed and reminders is not None:
        await reminders.rebuild()  # a meeting was created, moved or cancelled
