"""Benchmark: a reminder to many followers, at Telegram's real limits, while a person talks.

Runs the real Application on a temporary database against the sandbox with Telegram's flood
limits (30 messages a second per bot, 1 a second per private chat). First one person does
the avis flow alone (the reference), then N followers of a group get a meeting reminder
while the same person does the avis flow again and again. Prints the broadcast's duration
and rate, the 429 answers (goal 0), and the person's reply waits alone and during the
broadcast: the ratio is what to compare between machines.

    .venv/bin/python bench/broadcast.py [--followers 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bench.conversation import TOKEN, pct, timed
from bot.app import build_application, running
from bot.clock import Clock
from bot.config import DEFAULT_CONFIG, Settings, load_territory
from bot.sandbox.client import Person, SandboxClient
from bot.sandbox.limits import RateLimits
from bot.sandbox.server import Sandbox
from bot.storage import meetings, people

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 29, 9, 59, 57, tzinfo=PARIS)  # the J-1 reminder is due in 3 s
MEETING = datetime(2027, 3, 30, 10, 0, tzinfo=PARIS)


THINK = 1.0  # seconds a person takes to read and tap: Telegram allows ~1 message/s per chat


async def one_avis(person: Person, latencies: list[float]) -> None:
    """The avis flow at a person's pace (reading each question before answering)."""
    steps = [
        (lambda: person.send("/avis"), "Votre avis parle de quel sujet ?"),
        (lambda: person.tap("Attendre moins"), "Écrivez votre avis."),
        (lambda: person.send("Trop d'attente."), "Vous parlez de quelle"),
        (lambda: person.tap("La mienne"), "Qui peut savoir"),
        (lambda: person.tap("Anonyme"), "Voici votre avis."),
        (lambda: person.tap("Oui, j'envoie"), "Votre avis est envoyé."),
    ]
    for action, fragment in steps:
        await timed(latencies, action(), person, fragment)
        await asyncio.sleep(THINK)


async def reminders_sent(db: object) -> int:
    async with db.read() as tx:  # type: ignore[attr-defined]
        return int(
            await tx.value(
                "SELECT COUNT(*) FROM outbox WHERE purpose = 'reminder' AND status = 'sent'"
            )
        )


async def main(followers: int) -> None:
    territory = load_territory(DEFAULT_CONFIG)
    clock = Clock(NOW.astimezone(UTC) - datetime.now(UTC))
    async with Sandbox(rate_limits=RateLimits()) as sandbox:
        root = str(sandbox.root)
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(TOKEN, root, Path(tmp) / "bench.db", DEFAULT_CONFIG)
            application = build_application(settings, territory, clock=clock)
            async with running(application), SandboxClient(root) as client:
                db = application.bot_data["db"]
                alone: list[float] = []
                await one_avis(client.person(9999, "Léa"), alone)

                await asyncio.gather(
                    *(client.add_user(20_000 + i, f"P{i}") for i in range(followers))
                )
                async with db.transaction() as tx:
                    for i in range(followers):
                        person, _ = await people.get_or_create(tx, 20_000 + i)
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
                while await reminders_sent(db) == 0:
                    await asyncio.sleep(0.05)
                start = time.perf_counter()
                during: list[float] = []
                lea = client.person(9998, "Léa bis")
                while await reminders_sent(db) < followers * 0.9:
                    await one_avis(lea, during)
                while await reminders_sent(db) < followers:
                    await asyncio.sleep(0.05)
                elapsed = time.perf_counter() - start
    stats = sandbox.stats()
    print(f"followers              {followers}")
    print(f"broadcast              {elapsed:.1f} s, {followers / elapsed:.1f} reminders/s")
    print(f"429 answers            {stats['rate_limited']}")
    print(f"reply wait alone       median {statistics.median(alone) * 1000:.0f} ms")
    print(
        f"reply wait, broadcast  median {statistics.median(during) * 1000:.0f} ms, "
        f"p95 {pct(during, 0.95) * 1000:.0f} ms, max {max(during) * 1000:.0f} ms "
        f"({len(during)} turns)"
    )
    print(f"during / alone         {statistics.median(during) / statistics.median(alone):.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=1000)
    asyncio.run(main(parser.parse_args().followers))
