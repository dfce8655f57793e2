"""Read-only queries behind the weekly digests, /stats and the CSV export. No Telegram.

Privacy by construction: every query names its columns, and none of them reads what an author
wrote or who they are (`submissions.body_text`, `details`, `author_name`, `author_id`,
pseudonyms, Telegram ids). A digest, a figure or an export row can only show what these
functions return: references, kinds, speakers, themes, statuses, outcomes, dates and counts.

Times are aware datetimes; they are compared with SQLite's `julianday()`, which reads any
ISO 8601 offset, so a stored value with or without fractional seconds compares right.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.storage.db import Tx

OPEN_STATUSES = ("new", "taken", "answered", "reopened")
#: Submissions that never became someone's participation: words a relayed person refused,
#: or still waits to confirm.
NOT_PARTICIPATION = ("awaiting_consent", "withdrawn")

_CASE_COLUMNS = (
    "c.id AS case_id, s.reference, s.kind, s.speaker, s.theme, c.body_id, c.status, "
    "c.outcome, c.meeting_date, c.created_at, c.delivered_at, c.first_action_at, c.taken_at, "
    "c.answered_at, c.closed_at, c.overdue_level"
)
_CASES = f"SELECT {_CASE_COLUMNS} FROM cases c JOIN submissions s ON s.id = c.submission_id "


def at(moment: datetime) -> str:
    """An aware moment as the UTC text the database holds."""
    if moment.tzinfo is None:
        raise ValueError("report times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


@dataclass(frozen=True)
class CaseFacts:
    """One case as reports see it: no author text, no name, no id of a person."""

    case_id: int
    reference: str
    kind: str
    speaker: str
    theme: str | None
    body_id: str
    status: str
    outcome: str | None
    meeting_date: str | None
    created_at: datetime
    delivered_at: datetime | None
    first_action_at: datetime | None
    taken_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    overdue_level: int

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def answered_on(self) -> datetime | None:
        """When the author first had the body's answer: the answer sent through the bot
        (`answered_at`), or the closing with an outcome (every outcome tells the author what
        was decided and why), whichever came first. A forwarded case is not answered here:
        it is answered by the body it went to. `answered_at` holds the latest answer when a
        body answered twice (the table keeps no earlier one)."""
        moments = [self.answered_at] if self.answered_at else []
        if self.status == "closed" and self.closed_at:
            moments.append(self.closed_at)
        return min(moments) if moments else None


def _case(row: Any) -> CaseFacts:
    return CaseFacts(
        case_id=row["case_id"],
        reference=row["reference"],
        kind=row["kind"],
        speaker=row["speaker"],
        theme=row["theme"],
        body_id=row["body_id"],
        status=row["status"],
        outcome=row["outcome"],
        meeting_date=row["meeting_date"],
        created_at=parse(row["created_at"]),  # type: ignore[arg-type]
        delivered_at=parse(row["delivered_at"]),
        first_action_at=parse(row["first_action_at"]),
        taken_at=parse(row["taken_at"]),
        answered_at=parse(row["answered_at"]),
        closed_at=parse(row["closed_at"]),
        overdue_level=row["overdue_level"],
    )


def _bodies(column: str, body_ids: Iterable[str] | None) -> tuple[str, list[str]]:
    """An `AND column IN (…)` clause, or nothing for the whole territory."""
    if body_ids is None:
        return "", []
    ids = sorted(set(body_ids))
    if not ids:
        return " AND 0", []
    return f" AND {column} IN ({','.join('?' * len(ids))})", ids


def _between(column: str) -> str:
    return f"julianday({column}) >= julianday(?) AND julianday({column}) < julianday(?)"


# ---- cases -----------------------------------------------------------------------------


async def cases_created(
    tx: Tx, body_ids: Iterable[str] | None, start: datetime, end: datetime
) -> list[CaseFacts]:
    """Cases these bodies received in [start, end) (None: every body), oldest first."""
    where, ids = _bodies("c.body_id", body_ids)
    rows = await tx.all(
        _CASES + f"WHERE {_between('c.created_at')}{where} ORDER BY c.created_at, c.id",
        (at(start), at(end), *ids),
    )
    return [_case(r) for r in rows]


async def open_cases(tx: Tx, body_id: str) -> list[CaseFacts]:
    """The body's cases open now (new, taken, answered, reopened), oldest first."""
    marks = ",".join("?" * len(OPEN_STATUSES))
    rows = await tx.all(
        _CASES + f"WHERE c.body_id = ? AND c.status IN ({marks}) ORDER BY c.created_at, c.id",
        (body_id, *OPEN_STATUSES),
    )
    return [_case(r) for r in rows]


async def overdue_cases(tx: Tx, body_id: str, created_before: datetime) -> list[CaseFacts]:
    """Cases nobody took (status `new`) created at or before this moment: the sweep's rule."""
    rows = await tx.all(
        _CASES + "WHERE c.body_id = ? AND c.status = 'new' "
        "AND julianday(c.created_at) <= julianday(?) ORDER BY c.created_at, c.id",
        (body_id, at(created_before)),
    )
    return [_case(r) for r in rows]


async def cases_closed(tx: Tx, body_id: str, start: datetime, end: datetime) -> list[CaseFacts]:
    """Cases the body closed (with an outcome) or forwarded in [start, end)."""
    rows = await tx.all(
        _CASES + "WHERE c.body_id = ? AND c.status IN ('closed', 'forwarded') "
        f"AND {_between('c.closed_at')} ORDER BY c.closed_at, c.id",
        (body_id, at(start), at(end)),
    )
    return [_case(r) for r in rows]


async def first_actions(tx: Tx, body_id: str, start: datetime, end: datetime) -> list[CaseFacts]:
    """Cases whose first action (taken, answered, question, meeting, forwarded, closed)
    happened in [start, end), whenever they were created."""
    rows = await tx.all(
        _CASES + f"WHERE c.body_id = ? AND {_between('c.first_action_at')} "
        "ORDER BY c.first_action_at, c.id",
        (body_id, at(start), at(end)),
    )
    return [_case(r) for r in rows]


# ---- submissions -----------------------------------------------------------------------


async def submissions_by_kind(
    tx: Tx, start: datetime, end: datetime, body_ids: Iterable[str] | None = None
) -> dict[str, int]:
    """Submissions sent in [start, end), by kind; with `body_ids`, those that reached one of
    these bodies (counted once even if routed to two of them). Refused or unconfirmed relayed
    words are not counted; erased ones are (the person did take part)."""
    where, ids = _bodies("c.body_id", body_ids)
    scope = (
        f" AND EXISTS (SELECT 1 FROM cases c WHERE c.submission_id = s.id{where})"
        if body_ids is not None
        else ""
    )
    marks = ",".join("?" * len(NOT_PARTICIPATION))
    rows = await tx.all(
        f"SELECT s.kind, COUNT(*) AS n FROM submissions s WHERE {_between('s.created_at')} "
        f"AND s.status NOT IN ({marks}){scope} GROUP BY s.kind ORDER BY s.kind",
        (at(start), at(end), *NOT_PARTICIPATION, *ids),
    )
    return {r["kind"]: r["n"] for r in rows}


# ---- meetings --------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingFacts:
    """A scheduled meeting and how many people answered yes, no, or « I need help to come »."""

    meeting_id: int
    body_id: str
    title: str
    starts_at: datetime
    yes: int
    no: int
    help: int

    @property
    def coming(self) -> int:
        """Announced attendance: « je viens » plus « j'ai besoin d'aide pour venir »."""
        return self.yes + self.help


async def meetings_between(
    tx: Tx, body_ids: Iterable[str] | None, start: datetime, end: datetime
) -> list[MeetingFacts]:
    """Scheduled (not cancelled) meetings starting in [start, end), with RSVP counts."""
    where, ids = _bodies("m.body_id", body_ids)
    rows = await tx.all(
        "SELECT m.id, m.body_id, m.title, m.starts_at, "
        "COALESCE(SUM(r.answer = 'yes'), 0) AS yes, COALESCE(SUM(r.answer = 'no'), 0) AS no, "
        "COALESCE(SUM(r.answer = 'help'), 0) AS help "
        "FROM meetings m LEFT JOIN rsvps r ON r.meeting_id = m.id "
        f"WHERE m.status = 'scheduled' AND {_between('m.starts_at')}{where} "
        "GROUP BY m.id ORDER BY julianday(m.starts_at), m.id",
        (at(start), at(end), *ids),
    )
    return [
        MeetingFacts(
            meeting_id=r["id"],
            body_id=r["body_id"],
            title=r["title"],
            starts_at=parse(r["starts_at"]),  # type: ignore[arg-type]
            yes=r["yes"],
            no=r["no"],
            help=r["help"],
        )
        for r in rows
    ]


# ---- digests sent ----------------------------------------------------------------------


async def digest_sent(tx: Tx, body_id: str, week: str) -> bool:
    return bool(
        await tx.value("SELECT 1 FROM digests_sent WHERE body_id = ? AND week = ?", (body_id, week))
    )


async def record_digest(tx: Tx, body_id: str, week: str, now: datetime) -> None:
    """Inserted in the transaction that writes the digest: its primary key (body, week) makes
    a second insert fail, so a digest can never be written twice."""
    await tx.execute(
        "INSERT INTO digests_sent (body_id, week, sent_at) VALUES (?, ?, ?)",
        (body_id, week, at(now)),
    )
