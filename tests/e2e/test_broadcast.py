"""A reminder to 500 followers of a group goes out within Telegram's limits, and a person
talking to the bot meanwhile still gets every reply.

The sandbox enforces Telegram's flood limits (30 messages a second for the bot, 1 a second
per private chat with short bursts) with refill rates 5 times faster, so the test takes
seconds instead of minutes; the bot's AIORateLimiter is scaled the same way. Timings are
printed, never asserted (bench/broadcast.py measures them at Telegram's real speed).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_application, running
from bot.clock import Clock
from bot.config import Settings, Territory
from bot.sandbox.client import SandboxClient
from bot.sandbox.limits import RateLimits
from bot.sandbox.server import Sandbox
from bot.storage import meetings, people

SCALE = 5.0
FOLLOWERS = 500
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 29, 9, 59, 58, tzinfo=PARIS)  # the J-1 reminder is due in 2 s
MEETING = datetime(2027, 3, 30, 10, 0, tzinfo=PARIS)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    server = Sandbox(rate_limits=RateLimits(scale=SCALE))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    assert server.invalid_requests == [], server.invalid_requests


async def test_a_reminder_to_500_followers_with_zero_429_while_a_conversation_goes_on(
    settings: Settings, territory: Territory, sandbox: Sandbox, client: SandboxClient
) -> None:
    clock = Clock(NOW.astimezone(UTC) - datetime.now(UTC))
    application = build_application(settings, territory, clock=clock, rate_scale=SCALE)
    async with running(application, poll_timeout=1):
        db = application.bot_data["db"]
        # 500 people who followed the crisis group (set up directly: the follow flow itself is
        # tested in test_meetings.py), each with their private chat in the sandbox.
        await asyncio.gather(
            *(client.add_user(20000 + i, f"Personne {i}") for i in range(FOLLOWERS))
        )
        async with db.transaction() as tx:
            for i in range(FOLLOWERS):
                person, _ = await people.get_or_create(tx, 20000 + i)
                await people.set_language(tx, person.id, "fr", chosen=False)
                await meetings.subscribe(tx, person.id, "gt-crise", clock())
            await meetings.create(
                tx,
                body_id="gt-crise",
                title="Réunion du groupe crise",
                starts_at=MEETING,
                ends_at=MEETING + timedelta(hours=2),
                now=clock(),
                place="Maison des associations, Nanterre",
            )
        await application.bot_data["reminders"].rebuild()
        began = asyncio.get_running_loop().time()

        # Meanwhile Léa gives her avis, step by step; every reply must come.
        lea = client.person(19999, "Léa")
        loop = asyncio.get_running_loop()
        waits: list[float] = []
        sent_during: list[int] = []

        async def step(send: str | None, tap: str | None, expect: str) -> None:
            started = loop.time()
            if send is not None:
                await lea.send(send)
            else:
                assert tap is not None
                await lea.tap(tap, timeout=30)
            await lea.expect(expect, timeout=30)
            waits.append(loop.time() - started)
            async with db.read() as tx:
                sent_during.append(
                    await tx.value(
                        "SELECT COUNT(*) FROM outbox WHERE purpose = 'reminder' AND status = 'sent'"
                    )
                )

        await asyncio.sleep(2.5)  # the reminder job has started
        await step("/avis", None, "Votre avis parle de quel sujet ?")
        await step(None, "Mieux aider pendant une crise", "Écrivez votre avis.")
        await step("La salle d'attente est trop froide.", None, "Vous parlez de quelle expérience")
        await step(None, "La mienne", "Qui peut savoir que ce message vient de vous ?")
        await step(None, "Anonyme", "Voici votre avis.")
        await step(None, "Oui, j'envoie", "Votre avis est envoyé.")

        # Every follower gets the reminder once.
        deadline = loop.time() + 60
        while True:
            async with db.read() as tx:
                counts = {
                    r["status"]: r["n"]
                    for r in await tx.all(
                        "SELECT status, COUNT(*) AS n FROM outbox WHERE purpose = 'reminder' "
                        "GROUP BY status"
                    )
                }
            if counts.get("sent") == FOLLOWERS or loop.time() > deadline:
                break
            await asyncio.sleep(0.2)
        finished = loop.time()

    assert counts == {"sent": FOLLOWERS}, counts
    stats = sandbox.stats()
    assert stats["rate_limited"] == 0, stats["rate_limited_by_chat"]
    delivered = 0
    for i in range(FOLLOWERS):
        chat = sandbox.chats[20000 + i]
        texts = [m.content.get("caption", "") for m in chat.messages.values() if m.from_bot]
        assert sum("La réunion est demain." in t for t in texts) == 1, (i, texts)
        delivered += 1
    # The conversation went on while the broadcast was still being sent.
    assert sent_during[0] < FOLLOWERS, sent_during
    print(
        f"\nbroadcast: {delivered} reminders, 0 answers 429, "
        f"{stats['requests'].get('sendDocument', 0)} sendDocument requests; "
        f"reply waits during it (s): {', '.join(f'{w:.2f}' for w in waits)}; "
        f"reminders sent at each reply: {sent_during}; all sent {finished - began:.1f}s after the "
        "reminder was due (including the 2 s before it)"
    )
