"""Minutes a coordinator sent after a meeting, the cases they discussed, their relecture.

`status`: `published` (sent to followers, marked « à relire avec un groupe de relecture »),
then `validated` once a peer helper read and approved it. `first_text` keeps the first
version, so the plain-language report can show the figures before and after corrections.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.storage.db import Tx
from bot.storage.meetings import stamp


async def create(
    tx: Tx,
    *,
    body_id: str,
    text: str,
    first_text: str,
    created_by: int,
    now: datetime,
    meeting_id: int | None = None,
) -> int:
    return await tx.execute(
        "INSERT INTO minutes (body_id, meeting_id, text, first_text, status, created_by, "
        "created_at, published_at) VALUES (?, ?, ?, ?, 'published', ?, ?, ?)",
        (body_id, meeting_id, text, first_text, created_by, stamp(now), stamp(now)),
    )


async def get(tx: Tx, minutes_id: int) -> dict[str, Any] | None:
    row = await tx.one("SELECT * FROM minutes WHERE id = ?", (minutes_id,))
    return dict(row) if row else None


async def validate(tx: Tx, minutes_id: int, by: int, now: datetime) -> bool:
    """True the first time: a second tap, or a second helper, changes nothing."""
    return bool(
        await tx.changed(
            "UPDATE minutes SET status = 'validated', validated_by = ?, validated_at = ? "
            "WHERE id = ? AND status = 'published'",
            (by, stamp(now), minutes_id),
        )
    )


async def link_case(tx: Tx, minutes_id: int, case_id: int, done: str | None, now: datetime) -> None:
    await tx.execute(
        "INSERT OR IGNORE INTO minutes_cases (minutes_id, case_id, done, told_at) "
        "VALUES (?, ?, ?, ?)",
        (minutes_id, case_id, done, stamp(now)),
    )


async def sent_headers(tx: Tx, minutes_id: int) -> list[dict[str, Any]]:
    """The first message of these minutes in each follower's chat, as sent (for the edit
    that removes « à relire » once validated)."""
    rows = await tx.all(
        "SELECT id, recipient_id, message_id, status, payload FROM outbox "
        "WHERE purpose = 'minutes' AND json_extract(payload, '$.minutes') = ? "
        "AND json_extract(payload, '$.header') = 1",
        (minutes_id,),
    )
    return [dict(r) for r in rows]
