"""That the crisis safety net fired: who (internal id), when, at which level, which signs and
categories. Never the text.

Kept so the bot answers repeated distress with a shorter list (never less than the 3114 and
the 15 or 112), and so no automatic message goes to someone in distress (the follow-up rule).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage.db import Tx


async def record(
    tx: Tx,
    person_id: int,
    categories: tuple[str, ...],
    at: datetime,
    *,
    level: str = "full",
    signs: tuple[str, ...] = (),
) -> None:
    await tx.execute(
        "INSERT INTO safety_events (person_id, categories, at, level, signs) VALUES (?, ?, ?, ?, ?)",
        (
            person_id,
            ",".join(categories),
            at.astimezone(UTC).isoformat(timespec="seconds"),
            level,
            ",".join(signs),
        ),
    )


async def fired_since(tx: Tx, person_id: int, since: datetime, *, level: str | None = None) -> bool:
    stamp = since.astimezone(UTC).isoformat(timespec="seconds")
    query = "SELECT 1 FROM safety_events WHERE person_id = ? AND at >= ?"
    params: tuple[object, ...] = (person_id, stamp)
    if level is not None:
        query += " AND level = ?"
        params += (level,)
    return bool(await tx.value(query + " LIMIT 1", params))


async def fired_within(
    tx: Tx, person_id: int, now: datetime, window: timedelta, *, level: str | None = None
) -> bool:
    return await fired_since(tx, person_id, now - window, level=level)
