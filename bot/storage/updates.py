"""Updates already handled: Telegram re-delivers the last batch after a crash, we must not act twice."""

from __future__ import annotations

from bot.storage.db import Tx, utcnow

KEEP = 5000


async def seen(tx: Tx, update_id: int) -> bool:
    return bool(await tx.value("SELECT 1 FROM handled_updates WHERE update_id = ?", (update_id,)))


async def mark(tx: Tx, update_id: int) -> None:
    """Recorded in the same transaction as the step it caused; old ids are pruned as we go."""
    await tx.execute(
        "INSERT OR IGNORE INTO handled_updates (update_id, handled_at) VALUES (?, ?)",
        (update_id, utcnow()),
    )
    if update_id % 500 == 0:
        await tx.execute("DELETE FROM handled_updates WHERE update_id < ?", (update_id - KEEP,))
