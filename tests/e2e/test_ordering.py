"""Updates of one chat are handled in order; different chats at the same time."""

from __future__ import annotations

import asyncio

from telegram.ext import Application

from bot.sandbox.client import Person, SandboxClient


async def hurried_avis(person: Person) -> None:
    """Types the theme's number before the bot has even shown the themes."""
    await person.send("/avis")
    await person.send("4")  # « Mieux aider pendant une crise », typed instead of tapped
    await person.expect("Votre avis parle de quel sujet ?")
    await person.expect("Écrivez votre avis.")
    await person.send(f"Message de {person.first_name}.")
    await person.expect("Vous parlez de quelle expérience ?")


async def test_one_chat_in_order_many_chats_at_once(
    bot: Application, client: SandboxClient
) -> None:
    people = [client.person(3000 + i, f"Personne{i}", language_code="fr") for i in range(8)]
    await asyncio.gather(*(hurried_avis(p) for p in people))
    async with bot.bot_data["db"].read() as tx:
        rows = await tx.all(
            "SELECT answers FROM conversations WHERE flow = 'avis' AND status = 'active'"
        )
    assert len(rows) == 8
    assert all('"theme": "crise"' in r["answers"] for r in rows)
