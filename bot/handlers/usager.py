"""Telegram adapter for people in private chats: Update in, plain `Incoming` out, and back.

Telegram types stop here. The conversation service decides; this module only translates and
sends. Logs carry kinds and internal ids, never what people wrote.
"""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.conversation import (
    ClearKeyboard,
    ConversationService,
    DeleteMessage,
    Incoming,
    MarkChosen,
    Response,
    Send,
    SendTo,
)
from bot.engine import Reply

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def handlers() -> list[object]:
    return [
        MessageHandler(filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED, on_message),
        CallbackQueryHandler(on_callback),
    ]


def service_of(context: ContextTypes.DEFAULT_TYPE) -> ConversationService:
    return context.application.bot_data["service"]


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


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    event = incoming_from_message(update)
    if event is None or update.effective_chat is None:
        return
    log.info(
        "update %s: %s",
        update.update_id,
        event.kind if event.kind != "command" else f"/{event.command}",
    )
    response = await service_of(context).handle(event)
    await deliver(context, update.effective_chat.id, response)


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or update.effective_user is None:
        return
    message = query.message if isinstance(query.message, Message) else None
    event = Incoming(
        update_id=update.update_id,
        user_id=update.effective_user.id,
        language_code=update.effective_user.language_code,
        kind="button",
        data=query.data or "",
        message_id=message.message_id if message else None,
        display_name=update.effective_user.full_name,
    )
    log.info("update %s: button", update.update_id)
    response = await service_of(context).handle(event)
    try:
        await query.answer(text=response.notice)
    except BadRequest:
        log.info("callback query %s too old to answer", update.update_id)
    chat_id = message.chat.id if message else update.effective_user.id
    await deliver(context, chat_id, response, tapped=message)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in reply.buttons
        ]
    )


def chosen_label(message: Message | None, data: str) -> str | None:
    if message is None or message.reply_markup is None:
        return None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


async def deliver(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    response: Response,
    tapped: Message | None = None,
) -> None:
    await send_response(context.bot, service_of(context), chat_id, response, tapped)


async def send_response(
    bot: Bot,
    service: ConversationService,
    chat_id: int,
    response: Response,
    tapped: Message | None = None,
) -> None:
    """Tidies old keyboards, sends the messages in order, then tells the service they arrived.

    Until then the reply stays stored, so a crash in between means it is sent again, not lost.
    """
    prompt_id: int | None = None
    for action in response.actions:
        try:
            if isinstance(action, MarkChosen):
                label = (
                    chosen_label(tapped, action.data)
                    if tapped and tapped.message_id == action.message_id
                    else None
                )
                markup = (
                    InlineKeyboardMarkup(
                        [[InlineKeyboardButton(f"✓ {label}", callback_data="done")]]
                    )
                    if label
                    else None
                )
                await bot.edit_message_reply_markup(chat_id, action.message_id, reply_markup=markup)
            elif isinstance(action, ClearKeyboard):
                await bot.edit_message_reply_markup(chat_id, action.message_id, reply_markup=None)
            elif isinstance(action, DeleteMessage):
                await bot.delete_message(chat_id, action.message_id)
            elif isinstance(action, Send) and action.reply.document is not None:
                document = action.reply.document
                await bot.send_document(
                    chat_id,
                    InputFile(document.content, filename=document.filename),
                    caption=action.reply.text or None,
                    parse_mode=ParseMode.HTML,
                )
            elif isinstance(action, SendTo):
                await bot.send_message(
                    action.telegram_id,
                    action.reply.text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                    reply_markup=keyboard(action.reply),
                )
            elif isinstance(action, Send):
                sent = await bot.send_message(
                    chat_id,
                    action.reply.text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                    reply_markup=keyboard(action.reply),
                )
                if action.reply.prompt:
                    prompt_id = sent.message_id
        except Forbidden:
            if isinstance(action, SendTo):
                log.warning(
                    "a message for another person could not be sent: their chat blocks the bot"
                )
                continue
            log.warning("chat of person %s blocks the bot", response.person_id)
            break
        except BadRequest as exc:
            if isinstance(action, Send):
                raise
            log.info("keyboard of an old message left as is (%s)", exc.message)
    await service.delivered(response, prompt_id)
