"""Conversation state: which flow, which step, the answers so far. Written at every step."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.storage.db import Tx, utcnow


@dataclass
class ConversationState:
    """Where one person is in one flow. Plain data: the engine changes it, storage saves it."""

    flow: str
    step: str
    run_id: str
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    revision: int = 0
    status: str = "active"


async def active(tx: Tx, person_id: int) -> ConversationState | None:
    row = await tx.one(
        "SELECT * FROM conversations WHERE person_id = ? AND status = 'active'", (person_id,)
    )
    return _state(row) if row else None


async def get(tx: Tx, person_id: int, flow: str) -> ConversationState | None:
    row = await tx.one(
        "SELECT * FROM conversations WHERE person_id = ? AND flow = ?", (person_id, flow)
    )
    return _state(row) if row else None


async def paused(tx: Tx, person_id: int) -> list[ConversationState]:
    rows = await tx.all(
        "SELECT * FROM conversations WHERE person_id = ? AND status = 'paused' "
        "ORDER BY updated_at DESC",
        (person_id,),
    )
    return [_state(r) for r in rows]


async def save(tx: Tx, person_id: int, state: ConversationState) -> None:
    """Upserts the state of this flow for this person (one row per person and flow)."""
    now = utcnow()
    await tx.execute(
        """
        INSERT INTO conversations (person_id, run_id, flow, step, answers, history, revision,
                                   status, started_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (person_id, flow) DO UPDATE SET
            run_id = excluded.run_id, step = excluded.step, answers = excluded.answers,
            history = excluded.history, revision = excluded.revision, status = excluded.status,
            updated_at = excluded.updated_at
        """,
        (
            person_id,
            state.run_id,
            state.flow,
            state.step,
            json.dumps(state.answers, ensure_ascii=False),
            json.dumps(state.history),
            state.revision,
            state.status,
            now,
            now,
        ),
    )


async def pause_active(tx: Tx, person_id: int) -> None:
    await tx.execute(
        "UPDATE conversations SET status = 'paused', updated_at = ? "
        "WHERE person_id = ? AND status = 'active'",
        (utcnow(), person_id),
    )


async def delete(tx: Tx, person_id: int, flow: str) -> None:
    await tx.execute(
        "DELETE FROM conversations WHERE person_id = ? AND flow = ?", (person_id, flow)
    )


def _state(row: Any) -> ConversationState:
    return ConversationState(
        flow=row["flow"],
        step=row["step"],
        run_id=row["run_id"],
        answers=json.loads(row["answers"]),
        history=json.loads(row["history"]),
        revision=row["revision"],
        status=row["status"],
    )
