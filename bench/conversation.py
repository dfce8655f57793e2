"""Benchmark: how long a person waits for each answer, through the sandbox over loopback HTTP.

Runs the real Application on a temporary database; N people do the whole avis flow at once.
Prints, per turn (a text or a tap → the next question on screen), the median and 95th
percentile, the throughput, and the same figures for a bare sandbox round trip measured in the
same run, so the ratio (not the absolute time) is what to compare between machines.

With many people at once the bot is bound by Telegram's flood limit: python-telegram-bot's
AIORateLimiter sends at most 25 messages a second (bot.app.MESSAGES_PER_SECOND, under Telegram's 30),
so turns/s tops out near 25 / (requests per turn).

    .venv/bin/python bench/conversation.py [--people 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PTB_TIMEDELTA", "true")

import httpx

from bot.app import build_application, running
from bot.config import DEFAULT_CONFIG, Settings, load_territory
from bot.sandbox.client import Person, SandboxClient
from bot.sandbox.limits import RateLimits
from bot.sandbox.server import Sandbox

TOKEN = "777:bench"


async def timed(latencies: list[float], action: object, person: Person, fragment: str) -> None:
    start = time.perf_counter()
    await action  # type: ignore[misc]
    await person.expect(fragment, timeout=30)
    latencies.append(time.perf_counter() - start)


async def one_avis(person: Person, latencies: list[float]) -> None:
    await timed(latencies, person.send("/avis"), person, "Votre avis parle de quel sujet ?")
    await timed(latencies, person.tap("Attendre moins"), person, "Écrivez votre avis.")
    await timed(latencies, person.send("Trop d'attente."), person, "Vous parlez de quelle")
    await timed(latencies, person.tap("La mienne"), person, "Qui peut savoir")
    await timed(latencies, person.tap("Anonyme"), person, "Voici votre avis.")
    await timed(latencies, person.tap("Oui, j'envoie"), person, "Votre avis est envoyé.")


async def baseline(root: str, n: int) -> list[float]:
    """A bare Bot API round trip (sendMessage) to the same sandbox: the floor under a turn."""
    times = []
    async with httpx.AsyncClient() as http:
        for _ in range(n):
            start = time.perf_counter()
            response = await http.post(
                f"{root}/bot{TOKEN}/sendMessage", data={"chat_id": "5000", "text": "x"}
            )
            response.raise_for_status()
            times.append(time.perf_counter() - start)
    return times


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(people: int, rounds: int) -> None:
    territory = load_territory(DEFAULT_CONFIG)
    async with Sandbox(rate_limits=RateLimits.disabled()) as sandbox:
        root = str(sandbox.root)
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(TOKEN, root, Path(tmp) / "bench.db", DEFAULT_CONFIG)
            async with (
                running(build_application(settings, territory)),
                SandboxClient(root) as client,
            ):
                crowd = [client.person(10_000 + i, f"P{i}") for i in range(people)]
                await client.person(5000, "Floor").register()
                latencies: list[float] = []
                start = time.perf_counter()
                for _ in range(rounds):
                    await asyncio.gather(*(one_avis(p, latencies) for p in crowd))
                elapsed = time.perf_counter() - start
                counted = sum(
                    n
                    for method, n in sandbox.stats()["requests"].items()
                    if method in ("sendMessage", "editMessageReplyMarkup", "editMessageText")
                )
                floor = await baseline(root, 200)
    turns = len(latencies)
    median, p95, base = statistics.median(latencies), pct(latencies, 0.95), statistics.median(floor)
    print(f"people at once         {people}")
    print(f"turns measured         {turns} ({rounds} avis each)")
    print(f"turn latency median    {median * 1000:.1f} ms")
    print(f"turn latency p95       {p95 * 1000:.1f} ms")
    print(f"throughput             {turns / elapsed:.0f} turns/s")
    print(f"chat requests per turn {counted / turns:.2f} (Telegram allows 30/s per bot)")
    print(f"bare round trip median {base * 1000:.2f} ms")
    print(f"turn / round trip      {median / base:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.people, args.rounds))
