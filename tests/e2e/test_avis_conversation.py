"""/start, the welcome and the whole « Donner mon avis » flow, as a person lives it.

Read the tests as transcripts: `send` is what the person types, `tap` a button they press,
`expect` a message the bot must show next.
"""

from __future__ import annotations

import re

from telegram.ext import Application

from bot.sandbox.client import SandboxClient
from bot.storage import Database


async def test_welcome_then_avis_to_reference(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    alice = client.person(1001, "Alice", language_code="fr")

    await alice.send("/start")
    await alice.expect("Bonjour. Je suis Porte-voix.")
    await alice.expect("Pour une urgence, appelez le 15 ou le 112.")
    await alice.expect("Telegram est une messagerie, pas un service médical.")
    await alice.expect("Dans quelle langue voulez-vous lire ?")
    await alice.tap("Français")
    await alice.expect("C'est noté.")
    await alice.expect("Que voulez-vous faire ?")

    await alice.tap("Donner mon avis")
    await alice.expect("Votre avis parle de quel sujet ?")
    await alice.tap("Attendre moins pour les soins")
    await alice.expect("Écrivez votre avis.")
    await alice.send("Il faut 3 mois pour avoir un rendez-vous. C'est trop long.")
    await alice.expect("Vous parlez de quelle expérience ?")
    await alice.tap("La mienne")
    await alice.expect("Qui peut savoir que ce message vient de vous ?")
    await alice.tap("Un code")
    summary = await alice.expect("Voici votre avis.")
    assert "Attendre moins pour les soins" in summary.text
    assert "Il faut 3 mois pour avoir un rendez-vous." in summary.text
    await alice.tap("Oui, j'envoie")
    done = await alice.expect("Votre avis est envoyé.")

    match = re.search(r"AV-\d{4}-\d{4}", done.text)
    assert match, done.text
    reference = match.group()
    await alice.expect("Que voulez-vous faire ?")

    async with bot_db.read() as tx:
        rows = await tx.all(
            "SELECT reference, kind, theme, body_text, sharing, status FROM submissions"
        )
    assert [tuple(r) for r in rows] == [
        (
            reference,
            "avis",
            "acces-soins",
            "Il faut 3 mois pour avoir un rendez-vous. C'est trop long.",
            "pseudonymous",
            "sent",
        )
    ]


async def test_avis_by_voice_note_in_english(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    john = client.person(1002, "John", language_code="en")

    await john.send("/avis")
    await john.expect("What is your feedback about?")
    await john.tap("Better help in a crisis")
    await john.expect("Write your feedback.")
    await john.send_voice(14)
    await john.expect("Whose experience are you talking about?")
    await john.tap("A relative")
    await john.expect("Who may know that this message comes from you?")
    await john.tap("Anonymous")
    summary = await john.expect("Here is your feedback.")
    assert "a voice message of 14 seconds" in summary.text
    await john.tap("Yes, send it")
    await john.expect("Your feedback is sent.")

    async with bot_db.read() as tx:
        row = await tx.one(
            "SELECT kind, theme, body_text, voice_file_id, voice_duration, sharing FROM submissions"
        )
    assert row is not None
    assert (row["kind"], row["theme"], row["body_text"], row["voice_duration"], row["sharing"]) == (
        "avis",
        "crise",
        None,
        14,
        "anonymous",
    )
    assert row["voice_file_id"]


async def test_language_is_remembered_and_changed_with_langue(
    bot: Application, client: SandboxClient
) -> None:
    lea = client.person(1003, "Léa", language_code="fr")

    await lea.send("/langue")
    await lea.expect("Dans quelle langue voulez-vous lire ?")
    await lea.tap("English")
    await lea.expect("Noted.")
    await lea.expect("What do you want to do?")
    await lea.send("/avis")
    await lea.expect("What is your feedback about?")


async def test_back_pause_and_resume(bot: Application, client: SandboxClient) -> None:
    marc = client.person(1004, "Marc", language_code="fr")

    await marc.send("/avis")
    await marc.expect("Votre avis parle de quel sujet ?")
    await marc.tap("Soigner aussi le corps")
    await marc.expect("Écrivez votre avis.")
    await marc.tap("Retour")
    await marc.expect("Votre avis parle de quel sujet ?")
    await marc.tap("Participer à la vie sociale")
    await marc.expect("Écrivez votre avis.")
    await marc.tap("Pause")
    await marc.expect("Votre brouillon est gardé.")
    await marc.expect("Que voulez-vous faire ?")
    await marc.tap("Donner mon avis")
    await marc.expect("Nous reprenons là où vous étiez.")
    await marc.expect("Écrivez votre avis.")
    await marc.send("Le club du jeudi me fait du bien.")
    await marc.expect("Vous parlez de quelle expérience ?")


async def test_an_old_button_is_answered_kindly(bot: Application, client: SandboxClient) -> None:
    nina = client.person(1005, "Nina", language_code="fr")

    await nina.send("/avis")
    themes = await nina.expect("Votre avis parle de quel sujet ?")
    await nina.tap("Repérer tôt les troubles")
    await nina.expect("Écrivez votre avis.")
    await nina.send("/avis")  # a command in the middle of a flow shows where she is
    await nina.expect("Écrivez votre avis.")
    # The first keyboard was replaced by the chosen answer: « ✓ … » answers and changes nothing.
    await nina.tap("Repérer tôt les troubles", message=themes)
    await nina.expect_nothing()
    await nina.send("Le repérage au collège est bien fait.")
    await nina.expect("Vous parlez de quelle expérience ?")
