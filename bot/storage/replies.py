"""Replies written with the step that caused them, deleted once Telegram has them.

python-telegram-bot confirms an update to Telegram as soon as it asks for the next ones, so a
crash between our commit and our reply would lose the reply for good. Keeping the reply in the
same transaction lets the bot send it again at start, or when Telegram re-delivers the update.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.storage.db import Tx, utcnow


@dataclass(frozen=True)
class PendingReply:
    update_id: int
    person_id: int
    telegram_id: int
    payload: list[dict[str, Any]]


async def store(tx: Tx, update_id: int, person_id: int, payload: list[dict[str, Any]]) -> None:
    await tx.execute(
        "INSERT OR REPLACE INTO pending_replies (update_id, person_id, payload, created_at) "
        "VALUES (?, ?, ?, ?)",
        (update_id, person_id, json.dumps(payload, ensure_ascii=False), utcnow()),
    )


async def delivered(tx: Tx, update_id: int) -> None:
    await tx.execute("DELETE FROM pending_replies WHERE update_id = ?", (update_id,))


async def get(tx: Tx, update_id: int) -> PendingReply | None:
    rows = await _select(tx, "WHERE r.update_id = ?", (update_id,))
    return rows[0] if rows else None


async def all_pending(tx: Tx) -> list[PendingReply]:
    return await _select(tx, "", ())


async def _select(tx: Tx, where: str, params: tuple[Any, ...]) -> list[PendingReply]:
    rows = await tx.all(
        "SELECT r.update_id, r.person_id, r.payload, p.telegram_id FROM pending_replies r "
        f"JOIN people p ON p.id = r.person_id {where} ORDER BY r.update_id",
        params,
    )
    return [
        PendingReply(r["update_id"], r["person_id"], r["telegram_id"], json.loads(r["payload"]))
        for r in rows
    ]
