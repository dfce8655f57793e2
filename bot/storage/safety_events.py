"""That the crisis safety net fired: who (internal id), when, which categories. Never the text.

Kept so the bot can avoid repeating the whole list of numbers on every message, and so no
automatic message goes to someone in distress (issue 4's follow-up rule).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage.db import Tx, utcnow


async def record(tx: Tx, person_id: int, categories: tuple[str, ...]) -> None:
    await tx.execute(
        "INSERT INTO safety_events (person_id, categories, at) VALUES (?, ?, ?)",
        (person_id, ",".join(categories), utcnow()),
    )


async def fired_since(tx: Tx, person_id: int, since: datetime) -> bool:
    stamp = since.isoformat(timespec="seconds")
    return bool(
        await tx.value(
            "SELECT 1 FROM safety_events WHERE person_id = ? AND at >= ? LIMIT 1",
            (person_id, stamp),
        )
    )


async def fired_within(tx: Tx, person_id: int, now: datetime, window: timedelta) -> bool:
    return await fired_since(tx, person_id, now - window)
