"""Cases: one submission held by one body, with its status; and group chats linked to bodies.

A submission routed to two bodies makes two cases. A forwarded case is closed as `forwarded`
and a new case opens at the other body, so each body only ever acts on what it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.db import Tx

OPEN_STATUSES = ("new", "taken", "answered", "reopened")
STATUSES = (*OPEN_STATUSES, "closed", "forwarded", "erased")
OUTCOMES = ("change_made", "not_retained", "out_of_scope", "answered")


@dataclass(frozen=True)
class Case:
    id: int
    submission_id: int
    body_id: str
    status: str
    reference: str
    kind: str
    created_at: str
    taken_by: int | None
    outcome: str | None
    meeting_date: str | None
    delivered_at: str | None
    first_action_at: str | None
    closed_at: str | None
    overdue_level: int
    overdue_at: str | None
    followup_at: str | None
    followup_answer: str | None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


_SELECT = (
    "SELECT c.*, s.reference, s.kind FROM cases c JOIN submissions s ON s.id = c.submission_id "
)


def _case(row: Any) -> Case:
    return Case(**{name: row[name] for name in Case.__dataclass_fields__})


async def open_case(
    tx: Tx, submission_id: int, body_id: str, now: datetime, *, forwarded_from: int | None = None
) -> int | None:
    """A new case, or None if this body already holds this submission."""
    existing = await tx.value(
        "SELECT id FROM cases WHERE submission_id = ? AND body_id = ?", (submission_id, body_id)
    )
    if existing is not None:
        return None
    return await tx.execute(
        "INSERT INTO cases (submission_id, body_id, status, created_at, forwarded_from) "
        "VALUES (?, ?, 'new', ?, ?)",
        (submission_id, body_id, stamp(now), forwarded_from),
    )


async def get(tx: Tx, case_id: int) -> Case | None:
    row = await tx.one(_SELECT + "WHERE c.id = ?", (case_id,))
    return _case(row) if row else None


async def for_submission(tx: Tx, submission_id: int) -> list[Case]:
    rows = await tx.all(_SELECT + "WHERE c.submission_id = ? ORDER BY c.id", (submission_id,))
    return [_case(r) for r in rows]


async def by_reference(tx: Tx, reference: str, body_ids: set[str]) -> Case | None:
    """The case of this reference held by one of these bodies (the newest, if forwarded)."""
    if not body_ids:
        return None
    marks = ",".join("?" * len(body_ids))
    row = await tx.one(
        _SELECT + f"WHERE s.reference = ? AND c.body_id IN ({marks}) ORDER BY c.id DESC LIMIT 1",
        (reference.upper(), *sorted(body_ids)),
    )
    return _case(row) if row else None


async def open_for_bodies(tx: Tx, body_ids: set[str], limit: int = 30) -> list[Case]:
    """Open cases of these bodies, oldest first."""
    if not body_ids:
        return []
    marks = ",".join("?" * len(body_ids))
    statuses = ",".join("?" * len(OPEN_STATUSES))
    rows = await tx.all(
        _SELECT + f"WHERE c.body_id IN ({marks}) AND c.status IN ({statuses}) "
        "ORDER BY c.created_at, c.id LIMIT ?",
        (*sorted(body_ids), *OPEN_STATUSES, limit),
    )
    return [_case(r) for r in rows]


async def count_open(tx: Tx, body_ids: set[str]) -> int:
    if not body_ids:
        return 0
    marks = ",".join("?" * len(body_ids))
    statuses = ",".join("?" * len(OPEN_STATUSES))
    return int(
        await tx.value(
            f"SELECT COUNT(*) FROM cases WHERE body_id IN ({marks}) AND status IN ({statuses})",
            (*sorted(body_ids), *OPEN_STATUSES),
        )
    )


async def update(tx: Tx, case_id: int, **fields: Any) -> None:
    allowed = set(Case.__dataclass_fields__) - {"id", "submission_id", "reference", "kind"}
    unknown = set(fields) - allowed - {"taken_at", "answered_at"}
    if unknown:
        raise ValueError(f"unknown case fields {sorted(unknown)}")
    assignments = ", ".join(f"{name} = ?" for name in fields)
    await tx.execute(f"UPDATE cases SET {assignments} WHERE id = ?", (*fields.values(), case_id))


async def undelivered_open(tx: Tx, body_id: str) -> list[Case]:
    statuses = ",".join("?" * len(OPEN_STATUSES))
    rows = await tx.all(
        _SELECT + f"WHERE c.body_id = ? AND c.delivered_at IS NULL AND c.status IN ({statuses}) "
        "ORDER BY c.id",
        (body_id, *OPEN_STATUSES),
    )
    return [_case(r) for r in rows]


async def overdue_candidates(tx: Tx, created_before: str) -> list[Case]:
    """Cases nobody took yet, created before this moment."""
    rows = await tx.all(
        _SELECT + "WHERE c.status = 'new' AND c.created_at <= ? ORDER BY c.id", (created_before,)
    )
    return [_case(r) for r in rows]


async def followups_due(tx: Tx, now: str) -> list[Case]:
    rows = await tx.all(
        _SELECT + "WHERE c.status = 'closed' AND c.followup_at IS NOT NULL "
        "AND c.followup_answer IS NULL AND c.followup_at <= ? ORDER BY c.id",
        (now,),
    )
    return [_case(r) for r in rows]


# ---- group chats linked to bodies -----------------------------------------------------


async def link_chat(tx: Tx, body_id: str, chat_person_id: int, by: int, now: datetime) -> None:
    await tx.execute(
        "INSERT INTO body_chats (body_id, chat_id, linked_by, linked_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (body_id) DO UPDATE SET chat_id = excluded.chat_id, "
        "linked_by = excluded.linked_by, linked_at = excluded.linked_at",
        (body_id, chat_person_id, by, stamp(now)),
    )


async def unlink_chat(tx: Tx, body_id: str) -> bool:
    return await tx.execute("DELETE FROM body_chats WHERE body_id = ?", (body_id,)) > 0


async def chat_of(tx: Tx, body_id: str) -> int | None:
    return await tx.value("SELECT chat_id FROM body_chats WHERE body_id = ?", (body_id,))


async def bodies_of_chat(tx: Tx, chat_person_id: int) -> list[str]:
    rows = await tx.all(
        "SELECT body_id FROM body_chats WHERE chat_id = ? ORDER BY body_id", (chat_person_id,)
    )
    return [r["body_id"] for r in rows]
