"""The outbox: every message the bot owes, written in the transaction of its cause.

A row is `pending` until the delivery worker claims it (`sending`), then `sent` with
Telegram's message id, or back to `pending` with a later `not_before`, or `failed` when
Telegram refused it for good. A row found `sending` at start had an unknown outcome: it goes
back to `pending`, and only such rows can ever reach a chat twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.db import Tx


@dataclass(frozen=True)
class OutboxRow:
    id: int
    recipient_id: int
    telegram_id: int | None
    purpose: str
    case_id: int | None
    payload: dict[str, Any]
    attempts: int
    unknown_attempts: int
    message_id: int | None = None


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


async def enqueue(
    tx: Tx,
    recipient_id: int,
    payload: dict[str, Any],
    now: datetime,
    *,
    purpose: str = "reply",
    case_id: int | None = None,
    not_before: datetime | None = None,
) -> int:
    return await tx.execute(
        "INSERT INTO outbox (recipient_id, purpose, case_id, payload, not_before, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            recipient_id,
            purpose,
            case_id,
            json.dumps(payload, ensure_ascii=False),
            _stamp(not_before or now),
            _stamp(now),
        ),
    )


async def reset_unknown(tx: Tx) -> int:
    """At start: rows caught mid-send had an unknown outcome; they are sent again."""
    return await tx.execute(
        "UPDATE outbox SET status = 'pending', unknown_attempts = unknown_attempts + 1 "
        "WHERE status = 'sending'"
    )


_HEADS = (
    "SELECT o.recipient_id, o.id, o.not_before FROM outbox o WHERE o.status = 'pending' "
    "AND o.id = (SELECT MIN(i.id) FROM outbox i "
    "WHERE i.recipient_id = o.recipient_id AND i.status IN ('pending', 'sending'))"
)


async def due_recipients(tx: Tx, now: datetime, limit: int = 200) -> list[int]:
    """Recipients whose first waiting row may go now, oldest first (order per chat holds)."""
    rows = await tx.all(
        f"SELECT recipient_id FROM ({_HEADS}) WHERE not_before <= ? ORDER BY id LIMIT ?",
        (_stamp(now), limit),
    )
    return [r["recipient_id"] for r in rows]


async def next_for(tx: Tx, recipient_id: int, now: datetime) -> OutboxRow | None:
    """The recipient's first waiting row, if it is due: rows to one chat keep their order."""
    row = await tx.one(
        "SELECT o.*, p.telegram_id FROM outbox o JOIN people p ON p.id = o.recipient_id "
        "WHERE o.recipient_id = ? AND o.status = 'pending' ORDER BY o.id LIMIT 1",
        (recipient_id,),
    )
    if row is None or row["not_before"] > _stamp(now):
        return None
    return _row(row)


async def claim(tx: Tx, row_id: int) -> bool:
    """pending → sending; from now until `sent`/`retry`, the outcome would be unknown."""
    changed = await tx.execute(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1 "
        "WHERE id = ? AND status = 'pending'",
        (row_id,),
    )
    return changed == 1


async def mark_sent(tx: Tx, row_id: int, message_id: int | None, now: datetime) -> None:
    await tx.execute(
        "UPDATE outbox SET status = 'sent', message_id = ?, sent_at = ?, error = NULL WHERE id = ?",
        (message_id, _stamp(now), row_id),
    )


async def mark_retry(
    tx: Tx, row_id: int, not_before: datetime, error: str, *, unknown: bool
) -> None:
    await tx.execute(
        "UPDATE outbox SET status = 'pending', not_before = ?, error = ?, "
        "unknown_attempts = unknown_attempts + ? WHERE id = ?",
        (_stamp(not_before), error, int(unknown), row_id),
    )


async def mark_failed(tx: Tx, row_id: int, error: str) -> None:
    await tx.execute("UPDATE outbox SET status = 'failed', error = ? WHERE id = ?", (error, row_id))


async def next_due_time(tx: Tx) -> datetime | None:
    """When the next chat's first waiting row becomes due (to sleep until then)."""
    value = await tx.value(f"SELECT MIN(not_before) FROM ({_HEADS})")
    return datetime.fromisoformat(value) if value else None


async def drop_pending(tx: Tx, *, case_ids: list[int]) -> int:
    """Owed messages that must not go any more (the author erased their words)."""
    if not case_ids:
        return 0
    marks = ",".join("?" * len(case_ids))
    return await tx.execute(
        f"DELETE FROM outbox WHERE status = 'pending' AND case_id IN ({marks})", case_ids
    )


async def sent_messages(tx: Tx, *, case_ids: list[int], purpose: str) -> list[OutboxRow]:
    if not case_ids:
        return []
    marks = ",".join("?" * len(case_ids))
    rows = await tx.all(
        "SELECT o.*, p.telegram_id FROM outbox o JOIN people p ON p.id = o.recipient_id "
        f"WHERE o.status = 'sent' AND o.purpose = ? AND o.case_id IN ({marks})",
        (purpose, *case_ids),
    )
    return [_row(r) for r in rows]


async def counts(tx: Tx) -> dict[str, int]:
    rows = await tx.all("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
    return {r["status"]: r["n"] for r in rows}


def _row(row: Any) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        recipient_id=row["recipient_id"],
        telegram_id=row["telegram_id"],
        purpose=row["purpose"],
        case_id=row["case_id"],
        payload=json.loads(row["payload"]),
        attempts=row["attempts"],
        unknown_attempts=row["unknown_attempts"],
        message_id=row["message_id"],
    )
