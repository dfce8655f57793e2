"""SandboxClient / Person driving a small real PTB bot through polling."""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import Sandbox
from tests.sandbox.conftest import TOKEN, assert_clean

CHOICES = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Oui", callback_data="q:yes"),
            InlineKeyboardButton("Non", callback_data="q:no"),
        ],
        [InlineKeyboardButton("Peut-être plus tard", callback_data="q:later")],
    ]
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets and asks a question with inline buttons."""
    assert update.effective_user is not None and update.message is not None
    await update.message.reply_text(
        f"Bonjour {update.effective_user.first_name} !\nVoulez-vous témoigner ?",
        reply_markup=CHOICES,
    )


async def choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers the tap and edits the question in place (buttons removed or replaced)."""
    query = update.callback_query
    assert query is not None and query.message is not None
    if query.data == "q:yes":
        await query.answer("Noté")
        await query.edit_message_text("Merci, racontez-nous.")
    elif query.data == "q:no":
        await query.answer()
        await query.edit_message_reply_markup(
            InlineKeyboardMarkup([[InlineKeyboardButton("Changer d'avis", callback_data="q:yes")]])
        )
    else:
        await query.answer("Ce bouton n'est plus actif", show_alert=True)


async def voice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Downloads the voice note, as the real bot will."""
    assert update.message is not None and update.message.voice is not None
    data = await (await update.message.voice.get_file()).download_as_bytearray()
    seconds = int(update.message.voice.duration.total_seconds())
    await update.message.reply_text(f"Reçu {seconds} s, {len(data)} octets.")


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    if update.message.text == "menu":
        keyboard = ReplyKeyboardMarkup([["Témoigner", "Quitter"]], one_time_keyboard=True)
        await update.message.reply_text("Que faire ?", reply_markup=keyboard)
    elif update.message.text == "doc":
        await update.message.reply_document(b"contenu", filename="recu.txt", caption="Votre reçu")
    elif update.message.text == "silence":
        return
    else:
        await update.message.reply_text(f"Vous avez dit : {update.message.text}")


async def sticker(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text("Joli autocollant.")


@pytest.fixture
async def app(sandbox: Sandbox, root: str) -> AsyncIterator[Application]:
    """The bot, polling the sandbox for real (getUpdates long polling)."""
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(choice, pattern=r"^q:"))
    application.add_handler(MessageHandler(filters.VOICE, voice))
    application.add_handler(MessageHandler(filters.Sticker.ALL, sticker))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, text))
    async with application:
        assert application.updater is not None
        await application.updater.start_polling(timeout=dtm.timedelta(seconds=10))
        await application.start()
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


async def test_conversation_transcript(
    app: Application, client: SandboxClient, sandbox: Sandbox
) -> None:
    alice = client.person(1001, "Alice")
    await alice.send("/start")
    question = await alice.expect("voulez-vous   TÉMOIGNER")
    assert question.button_labels == ["Oui", "Non", "Peut-être plus tard"]

    await alice.tap("non")
    assert (await alice.callback_answer())["answered"]
    edited = await alice.receive()
    assert edited.edited and edited.message_id == question.message_id
    assert edited.button_labels == ["Changer d'avis"]

    await alice.tap("avis")
    answer = await alice.callback_answer()
    assert answer["text"] == "Noté"
    thanks = await alice.expect("racontez", edits=True)
    assert thanks.buttons == []  # editMessageText without reply_markup drops the keyboard

    await alice.send("J'ai attendu trois heures.")
    await alice.expect("Vous avez dit : J'ai attendu trois heures.")
    await alice.expect_nothing(0.2)

    transcript = alice.transcript
    assert "> Alice: /start" in transcript
    assert "< bot: Bonjour Alice !" in transcript
    assert "[Oui] [Non] [Peut-être plus tard]" in transcript
    assert "(taps [Non]" in transcript
    assert "< bot (edited" in transcript
    assert_clean(sandbox)


async def test_stale_buttons_on_old_messages(
    app: Application, client: SandboxClient, sandbox: Sandbox
) -> None:
    bob = client.person(1002, "Bob")
    await bob.send("/start")
    first = await bob.expect("témoigner")
    await bob.send("/start")
    second = await bob.expect("témoigner")
    assert second.message_id > first.message_id

    # The most recent message wins by default; an explicit old message can still be used.
    await bob.tap("plus tard", message=first)
    record = await bob.callback_answer()
    assert record["message_id"] == first.message_id and record["show_alert"]
    await bob.tap("Oui")
    assert (await bob.callback_answer())["message_id"] == second.message_id
    await bob.expect("racontez", edits=True)
    with pytest.raises(AssertionError, match="found no button matching 'Oui' on message"):
        await bob.tap("Oui", message=second)  # its keyboard is gone now
    assert_clean(sandbox)


async def test_failures_show_the_transcript(app: Application, client: SandboxClient) -> None:
    carol = client.person(1003, "Carol")
    await carol.send("/start")
    await carol.expect("bonjour")
    with pytest.raises(AssertionError) as info:
        await carol.tap("Jamais", timeout=0)
    message = str(info.value)
    assert "no button matching 'Jamais'" in message
    assert "[Oui] [Non] [Peut-être plus tard]" in message
    assert "> Carol: /start" in message

    await carol.send("silence")
    with pytest.raises(AssertionError) as info:
        await carol.expect("réponse", timeout=0.2)
    assert "expected a message containing 'réponse'" in str(info.value)
    assert "> Carol: silence" in str(info.value)

    with pytest.raises(AssertionError, match="several buttons"):
        await carol.tap("o", timeout=0)  # Oui, Non and Peut-être all contain an "o"


async def test_voice_documents_stickers_and_reply_keyboards(
    app: Application, client: SandboxClient, sandbox: Sandbox
) -> None:
    dan = client.person(1004, "Dan", language_code="en", username="dan")
    await dan.send_voice(7, data=b"OggS" + b"\0" * 96)
    await dan.expect("Reçu 7 s, 100 octets.")

    await dan.send("doc")
    doc = await dan.receive()
    assert doc.kind == "document" and doc.text == "Votre reçu"
    assert doc.document is not None and doc.document["file_name"] == "recu.txt"

    await dan.send_raw({"sticker": {"emoji": "👍"}})
    await dan.expect("autocollant")

    await dan.send("menu")
    menu = await dan.expect("Que faire")
    assert menu.keyboard == [["Témoigner", "Quitter"]]
    assert await dan.tap("témoigner") is None  # reply keyboard: sends the label as text
    await dan.expect("Vous avez dit : Témoigner")
    assert (await client.chat(1004))["keyboard"] == []  # one-time keyboard is gone
    assert "> Dan: Témoigner" in dan.transcript
    assert_clean(sandbox)


async def test_client_control_calls(client: SandboxClient, sandbox: Sandbox) -> None:
    await client.add_user(5, "Eve")
    await client.add_group(-100, "Collectif")
    await client.add_member(-100, 5)
    sent = await client.send(5, "salut le groupe", chat_id=-100)
    assert sent["message_id"] == 1
    history = await client.history(-100)
    assert history[0]["text"] == "salut le groupe" and not history[0]["from_bot"]
    assert (await client.stats())["queued_updates"] == 1
    await client.set_faults([{"kind": "bad_gateway", "method": "getMe"}])
    assert sandbox.faults.rules[0].kind == "bad_gateway"
    with pytest.raises(AssertionError, match="sandbox 404: no user 6"):
        await client.send(6, "inconnu")
    await client.reset()
    assert sandbox.users == {}
