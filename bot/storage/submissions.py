"""Submissions (avis, réclamation, idée) and their event log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.storage.db import Tx, utcnow

REFERENCE_PREFIXES = {"avis": "AV", "reclamation": "RE", "idee": "ID", "situation": "SI"}
SPEAKERS = ("usager", "proche", "pair_aidant", "collectif")


@dataclass(frozen=True)
class NewSubmission:
    kind: str
    author_id: int | None
    sharing: str
    language: str
    year: int
    origin_run: str
    theme: str | None = None
    establishment: str | None = None
    body_text: str | None = None
    voice_file_id: str | None = None
    voice_duration: int | None = None
    speaker: str = "usager"
    event_date: str | None = None  # ISO date, or "unknown"
    author_name: str | None = None  # only when the author chose to be named
    details: dict[str, Any] | None = None  # kind-specific answers (wish, why…)
    status: str = "sent"  # "awaiting_consent" for words relayed until the person says yes
    relayed_by: int | None = None  # the peer helper who wrote the words down


async def next_reference(tx: Tx, kind: str, year: int) -> str:
    """AV-2026-0001: per kind and per year, gap-free, allocated inside the caller's transaction."""
    prefix = REFERENCE_PREFIXES[kind]
    await tx.execute(
        "INSERT INTO reference_counters (prefix, year, last) VALUES (?, ?, 1) "
        "ON CONFLICT (prefix, year) DO UPDATE SET last = last + 1",
        (prefix, year),
    )
    number = await tx.value(
        "SELECT last FROM reference_counters WHERE prefix = ? AND year = ?", (prefix, year)
    )
    return f"{prefix}-{year}-{number:04d}"


async def by_origin(tx: Tx, origin_run: str) -> str | None:
    return await tx.value("SELECT reference FROM submissions WHERE origin_run = ?", (origin_run,))


async def create(tx: Tx, new: NewSubmission) -> str:
    """Creates the submission once per conversation run; a replay returns the first reference."""
    existing = await by_origin(tx, new.origin_run)
    if existing:
        return existing
    reference = await next_reference(tx, new.kind, new.year)
    now = utcnow()
    submission_id = await tx.execute(
        """
        INSERT INTO submissions (reference, kind, author_id, speaker, theme, establishment,
            body_text, voice_file_id, voice_duration, sharing, language, status, origin_run,
            created_at, event_date, author_name, details, relayed_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            reference,
            new.kind,
            new.author_id,
            new.speaker,
            new.theme,
            new.establishment,
            new.body_text,
            new.voice_file_id,
            new.voice_duration,
            new.sharing,
            new.language,
            new.status,
            new.origin_run,
            now,
            new.event_date,
            new.author_name if new.sharing == "named" else None,
            json.dumps(new.details, ensure_ascii=False) if new.details else None,
            new.relayed_by,
        ),
    )
    await add_event(tx, submission_id, new.status, actor_id=new.author_id)
    return reference


async def add_event(
    tx: Tx, submission_id: int, kind: str, *, actor_id: int | None = None, detail: Any = None
) -> None:
    await tx.execute(
        "INSERT INTO submission_events (submission_id, kind, actor_id, detail, at) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            submission_id,
            kind,
            actor_id,
            None if detail is None else json.dumps(detail, ensure_ascii=False),
            utcnow(),
        ),
    )


async def for_author(tx: Tx, author_id: int) -> list[dict[str, Any]]:
    """The author's submissions, newest first, each with its last event."""
    rows = await tx.all(
        """
        SELECT s.*, (SELECT e.kind FROM submission_events e WHERE e.submission_id = s.id
                     ORDER BY e.id DESC LIMIT 1) AS last_event
        FROM submissions s WHERE s.author_id = ? OR s.relayed_person_id = ? ORDER BY s.id DESC
        """,
        (author_id, author_id),
    )
    return [dict(r) for r in rows]


async def by_reference(tx: Tx, reference: str) -> dict[str, Any] | None:
    row = await tx.one("SELECT * FROM submissions WHERE reference = ?", (reference.upper(),))
    return dict(row) if row else None


async def last_words_of_body(tx: Tx, submission_id: int) -> str | None:
    """The text of the body's last answer, question or closing words, for /suivi."""
    rows = await tx.all(
        "SELECT detail FROM submission_events WHERE submission_id = ? "
        "AND kind IN ('answered', 'question', 'closed') AND detail IS NOT NULL ORDER BY id DESC",
        (submission_id,),
    )
    for row in rows:
        text = json.loads(row["detail"]).get("text")
        if text:
            return str(text)
    return None
