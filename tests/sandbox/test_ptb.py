"""A real python-telegram-bot 22.8 Bot / Application against the sandbox.

Every call here is valid, so the sandbox must record no invalid request and every object it
served must pass the spec: that is what makes the sandbox trustworthy for the bot's tests.
"""

from __future__ import annotations

import datetime as dtm

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, ApplicationBuilder

from bot.sandbox.limits import RateLimits
from bot.sandbox.server import Sandbox
from tests.sandbox.conftest import TOKEN, assert_clean

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Oui", callback_data="q:yes"),
            InlineKeyboardButton("Non", callback_data="q:no"),
        ],
        [InlineKeyboardButton("Site", url="https://example.org")],
    ]
)


async def test_get_me(bot: Bot, sandbox: Sandbox) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "porte_voix_bot" and me.id == 123456
    assert bot.username == "porte_voix_bot"
    assert_clean(sandbox)


async def test_send_edit_delete(bot: Bot, sandbox: Sandbox) -> None:
    msg = await bot.send_message(
        42,
        "<b>Bonjour</b> Alice,\nça va ?",
        parse_mode=ParseMode.HTML,
        reply_markup=KEYBOARD,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        disable_notification=True,
    )
    assert msg.text == "Bonjour Alice,\nça va ?"
    assert msg.text_html == "<b>Bonjour</b> Alice,\nça va ?"
    assert msg.reply_markup == KEYBOARD
    assert msg.from_user is not None and msg.from_user.is_bot
    assert msg.chat.type == "private"

    edited = await bot.edit_message_text(
        "Merci !", chat_id=42, message_id=msg.message_id, reply_markup=KEYBOARD
    )
    assert isinstance(edited, type(msg)) and edited.edit_date is not None
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "Merci !", chat_id=42, message_id=msg.message_id, reply_markup=KEYBOARD
        )
    stripped = await bot.edit_message_reply_markup(chat_id=42, message_id=msg.message_id)
    assert stripped.reply_markup is None

    reply = await bot.send_message(
        42, "réponse", reply_parameters=ReplyParameters(message_id=msg.message_id)
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == msg.message_id

    assert await bot.delete_message(42, msg.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(42, msg.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=42, message_id=msg.message_id)
    assert sandbox.history(42)[0]["deleted"] is True
    assert_clean(sandbox)


async def test_files(bot: Bot, sandbox: Sandbox) -> None:
    doc = await bot.send_document(42, b"a,b\n1,2\n", filename="export.csv", caption="Export")
    assert doc.document is not None and doc.document.file_name == "export.csv"
    assert doc.caption == "Export"
    data = await (await bot.get_file(doc.document.file_id)).download_as_bytearray()
    assert bytes(data) == b"a,b\n1,2\n"

    voice = await bot.send_voice(42, b"OggS...", duration=dtm.timedelta(seconds=4))
    assert voice.voice is not None and voice.voice.duration == dtm.timedelta(seconds=4)
    photo = await bot.send_photo(42, b"\xff\xd8\xff fake jpeg")
    assert photo.photo and photo.photo[-1].width > 0

    sent = sandbox.send_voice(42, duration=3)
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.voice is not None
    assert update.message.voice.duration == dtm.timedelta(seconds=3)
    file = await update.message.voice.get_file()
    assert file.file_path is not None and "/voice/file_" in file.file_path
    assert bytes(await file.download_as_bytearray()) == sandbox.files[sent["file_id"]].data
    assert_clean(sandbox)


async def test_settings_and_misc(bot: Bot, sandbox: Sandbox) -> None:
    commands = [BotCommand("start", "Commencer"), BotCommand("aide", "Obtenir de l'aide")]
    assert await bot.set_my_commands(commands)
    assert await bot.set_my_commands(
        commands[:1], scope=BotCommandScopeChat(42), language_code="fr"
    )
    assert await bot.get_my_commands() == tuple(commands)
    assert await bot.get_my_commands(scope=BotCommandScopeChat(42), language_code="fr") == (
        commands[0],
    )
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.set_my_description("Porte-voix recueille votre parole.")
    assert (await bot.get_my_description()).description.startswith("Porte-voix")
    assert await bot.set_my_short_description("Votre voix compte.")
    assert await bot.send_chat_action(42, "typing")
    chat = await bot.get_chat(42)
    assert chat.first_name == "Alice"
    assert await bot.delete_webhook(drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 0

    source = await bot.send_message(42, "à copier")
    copied = await bot.copy_message(42, from_chat_id=42, message_id=source.message_id)
    assert copied.message_id == source.message_id + 1
    forwarded = await bot.forward_message(42, from_chat_id=42, message_id=source.message_id)
    assert forwarded.forward_origin is not None and forwarded.text == "à copier"
    kb = await bot.send_message(
        42, "Clavier", reply_markup=ReplyKeyboardMarkup([["Oui", "Non"]], one_time_keyboard=True)
    )
    assert kb.reply_markup is None  # reply keyboards are not echoed on the message
    assert sandbox.chat_info(42)["keyboard"] == [["Oui", "Non"]]
    assert_clean(sandbox)


async def test_errors_map_to_ptb_exceptions(bot: Bot, sandbox: Sandbox) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "x")
    sandbox.block_user(42)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(42, "x")
    sandbox.block_user(42, blocked=False)
    sandbox.faults.add("bad_gateway", method="sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(42, "x")
    sandbox.faults.add("drop", method="sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(42, "x")
    assert (await bot.send_message(42, "enfin")).text == "enfin"
    assert_clean(sandbox)


async def test_invalid_calls_are_caught(bot: Bot, sandbox: Sandbox) -> None:
    """What PTB lets through but Telegram refuses: the sandbox refuses and records it."""
    long_data = InlineKeyboardMarkup([[InlineKeyboardButton("é", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(42, "x", reply_markup=long_data)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(42, "a <br> b", parse_mode=ParseMode.HTML)
    assert [r["method"] for r in sandbox.invalid_requests] == ["sendMessage", "sendMessage"]


async def test_get_updates_with_offsets(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.send(42, "/start")
    sandbox.send(42, "bonjour")
    updates = await bot.get_updates(timeout=dtm.timedelta(seconds=1))
    assert [u.message.text for u in updates if u.message] == ["/start", "bonjour"]
    assert updates[0].message is not None
    assert updates[0].message.entities[0].type == "bot_command"
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
    question = await bot.send_message(42, "Votre ville ?")
    sandbox.send(42, "Lyon", reply_to=question.message_id)
    (update,) = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert update.message is not None and update.message.reply_to_message is not None
    assert update.message.reply_to_message.text == "Votre ville ?"
    assert_clean(sandbox)


async def test_retry_after_without_limiter() -> None:
    async with Sandbox(rate_limits=RateLimits(private_burst=1, private_per_second=0.2)) as sb:
        sb.add_user(42, "Alice")
        async with Bot(TOKEN, base_url=f"{sb.root}/bot") as bot:
            await bot.send_message(42, "1")
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(42, "2")
        assert info.value.retry_after == dtm.timedelta(seconds=5)
        assert sb.stats()["rate_limited"] == 1


async def test_aio_rate_limiter_gets_through_injected_429(sandbox: Sandbox, root: str) -> None:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .rate_limiter(AIORateLimiter(max_retries=3))
        .updater(None)
        .build()
    )
    rule = sandbox.faults.add("retry_after", method="sendMessage", retry_after=1, times=1)
    async with app:
        msg = await app.bot.send_message(42, "malgré le 429")
    assert msg.text == "malgré le 429"
    assert rule.times == 0
    assert sandbox.stats()["requests"]["sendMessage"] == 2  # refused once, then accepted
    assert_clean(sandbox)
