"""Meetings, subscriptions to a body's meetings, reminder preferences, RSVPs, sent reminders.

Times are stored in UTC (ISO 8601); the territory's zone is applied when showing them.
`reminders_sent` has one row per (meeting, person, reminder or notice, start): inserting it
in the transaction that writes the message is what makes each go out exactly once, across
restarts, re-runs of a job and edits (a moved meeting has a new start, so new reminders).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.storage.db import Tx

DEFAULT_REMINDERS = ("j7", "j1", "h3")
RSVP_ANSWERS = ("yes", "no", "help")
HELP_KINDS = ("transport", "company", "agenda")
EDITABLE = ("title", "starts_at", "ends_at", "place", "access", "online_url", "helper", "agenda")


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


@dataclass(frozen=True)
class Meeting:
    id: int
    body_id: str
    series_id: int | None
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str | None
    access: str | None
    online_url: str | None
    helper: str | None
    agenda: str | None
    status: str
    sequence: int

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


def _meeting(row: Any) -> Meeting:
    return Meeting(
        id=row["id"],
        body_id=row["body_id"],
        series_id=row["series_id"],
        title=row["title"],
        starts_at=parse(row["starts_at"]),
        ends_at=parse(row["ends_at"]),
        place=row["place"],
        access=row["access"],
        online_url=row["online_url"],
        helper=row["helper"],
        agenda=row["agenda"],
        status=row["status"],
        sequence=row["sequence"],
    )


async def create(
    tx: Tx,
    *,
    body_id: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    place: str | None = None,
    access: str | None = None,
    online_url: str | None = None,
    helper: str | None = None,
    agenda: str | None = None,
    created_by: int | None = None,
    series_id: int | None = None,
    occurrence: datetime | None = None,
) -> int | None:
    """A new meeting; None when this occurrence of the series already exists."""
    if not await tx.changed(
        "INSERT OR IGNORE INTO meetings (body_id, series_id, occurrence, title, starts_at, "
        "ends_at, place, access, online_url, helper, agenda, created_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            body_id,
            series_id,
            stamp(occurrence) if occurrence else None,
            title,
            stamp(starts_at),
            stamp(ends_at),
            place,
            access,
            online_url,
            helper,
            agenda,
            created_by,
            stamp(now),
            stamp(now),
        ),
    ):
        return None
    return int(await tx.value("SELECT last_insert_rowid()"))


async def get(tx: Tx, meeting_id: int) -> Meeting | None:
    row = await tx.one("SELECT * FROM meetings WHERE id = ?", (meeting_id,))
    return _meeting(row) if row else None


async def update(tx: Tx, meeting_id: int, now: datetime, **fields: Any) -> None:
    """Changes what a coordinator edited; the calendar SEQUENCE goes up by one."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if not fields:
        return
    values = {k: stamp(v) if isinstance(v, datetime) else v for k, v in fields.items()}
    sets = ", ".join(f"{k} = ?" for k in values)
    await tx.execute(
        f"UPDATE meetings SET {sets}, sequence = sequence + 1, updated_at = ? WHERE id = ?",
        (*values.values(), stamp(now), meeting_id),
    )


async def cancel(tx: Tx, meeting_id: int, now: datetime) -> bool:
    changed = await tx.value(
        "SELECT COUNT(*) FROM meetings WHERE id = ? AND status = 'scheduled'", (meeting_id,)
    )
    if not changed:
        return False
    await tx.execute(
        "UPDATE meetings SET status = 'cancelled', sequence = sequence + 1, updated_at = ? "
        "WHERE id = ?",
        (stamp(now), meeting_id),
    )
    return True


async def upcoming(
    tx: Tx,
    now: datetime,
    until: datetime | None = None,
    *,
    body_ids: set[str] | None = None,
    limit: int = 500,
) -> list[Meeting]:
    """Scheduled meetings not yet started, soonest first."""
    sql = "SELECT * FROM meetings WHERE status = 'scheduled' AND starts_at > ?"
    params: list[Any] = [stamp(now)]
    if until is not None:
        sql += " AND starts_at <= ?"
        params.append(stamp(until))
    if body_ids is not None:
        if not body_ids:
            return []
        sql += f" AND body_id IN ({', '.join('?' for _ in body_ids)})"
        params += sorted(body_ids)
    sql += " ORDER BY starts_at, id LIMIT ?"
    params.append(limit)
    return [_meeting(r) for r in await tx.all(sql, params)]


async def recent(tx: Tx, body_ids: set[str], since: datetime, now: datetime) -> list[Meeting]:
    """Meetings of these bodies held between `since` and `now` (minutes are written after)."""
    if not body_ids:
        return []
    marks = ", ".join("?" for _ in body_ids)
    rows = await tx.all(
        f"SELECT * FROM meetings WHERE status = 'scheduled' AND body_id IN ({marks}) "
        "AND starts_at >= ? AND starts_at <= ? ORDER BY starts_at DESC",
        (*sorted(body_ids), stamp(since), stamp(now)),
    )
    return [_meeting(r) for r in rows]


# ---- series ---------------------------------------------------------------------------


async def ensure_series(
    tx: Tx,
    *,
    body_id: str,
    rule: str,
    first_start: datetime,
    duration_minutes: int,
    details: dict[str, Any],
    now: datetime,
    territory_key: str | None = None,
    created_by: int | None = None,
) -> int:
    """A series row; one declared by the territory is written once and kept up to date."""
    if territory_key is not None:
        existing = await tx.value(
            "SELECT id FROM meeting_series WHERE territory_key = ?", (territory_key,)
        )
        if existing is not None:
            await tx.execute(
                "UPDATE meeting_series SET body_id = ?, rule = ?, first_start = ?, "
                "duration_minutes = ?, details = ? WHERE id = ?",
                (
                    body_id,
                    rule,
                    first_start.isoformat(),
                    duration_minutes,
                    json.dumps(details, ensure_ascii=False),
                    existing,
                ),
            )
            return int(existing)
    return await tx.execute(
        "INSERT INTO meeting_series (body_id, territory_key, rule, first_start, "
        "duration_minutes, details, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            body_id,
            territory_key,
            rule,
            first_start.isoformat(),
            duration_minutes,
            json.dumps(details, ensure_ascii=False),
            created_by,
            stamp(now),
        ),
    )


async def active_series(tx: Tx) -> list[dict[str, Any]]:
    rows = await tx.all("SELECT * FROM meeting_series WHERE status = 'active' ORDER BY id")
    return [{**dict(r), "details": json.loads(r["details"])} for r in rows]


async def end_series(tx: Tx, series_id: int) -> None:
    await tx.execute("UPDATE meeting_series SET status = 'ended' WHERE id = ?", (series_id,))


# ---- subscriptions and preferences -------------------------------------------------------


async def subscribe(tx: Tx, person_id: int, body_id: str, now: datetime) -> bool:
    """True if the person did not follow this body yet."""
    return bool(
        await tx.changed(
            "INSERT OR IGNORE INTO subscriptions (person_id, body_id, created_at) VALUES (?, ?, ?)",
            (person_id, body_id, stamp(now)),
        )
    )


async def unsubscribe(tx: Tx, person_id: int, body_id: str) -> bool:
    before = await tx.value(
        "SELECT COUNT(*) FROM subscriptions WHERE person_id = ? AND body_id = ?",
        (person_id, body_id),
    )
    await tx.execute(
        "DELETE FROM subscriptions WHERE person_id = ? AND body_id = ?", (person_id, body_id)
    )
    return bool(before)


async def followed_bodies(tx: Tx, person_id: int) -> list[str]:
    rows = await tx.all(
        "SELECT body_id FROM subscriptions WHERE person_id = ? ORDER BY created_at, body_id",
        (person_id,),
    )
    return [r["body_id"] for r in rows]


async def subscribers(tx: Tx, body_id: str) -> list[int]:
    rows = await tx.all(
        "SELECT person_id FROM subscriptions WHERE body_id = ? ORDER BY person_id", (body_id,)
    )
    return [r["person_id"] for r in rows]


async def preferences(tx: Tx, person_id: int) -> tuple[tuple[str, ...], bool]:
    """(the reminders the person wants, muted)."""
    row = await tx.one(
        "SELECT offsets, muted FROM reminder_prefs WHERE person_id = ?", (person_id,)
    )
    if row is None:
        return DEFAULT_REMINDERS, False
    offsets = tuple(o for o in row["offsets"].split(",") if o)
    return offsets, bool(row["muted"])


async def set_preferences(
    tx: Tx, person_id: int, offsets: tuple[str, ...], muted: bool, now: datetime
) -> None:
    await tx.execute(
        "INSERT INTO reminder_prefs (person_id, offsets, muted, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (person_id) DO UPDATE SET offsets = excluded.offsets, "
        "muted = excluded.muted, updated_at = excluded.updated_at",
        (person_id, ",".join(offsets), int(muted), stamp(now)),
    )


async def reminder_audience(tx: Tx, meeting: Meeting, name: str) -> list[int]:
    """Who gets reminder `name` of this meeting: its body's subscribers who want it and did
    not say « je ne viens pas », plus people who said they come without following the body."""
    rows = await tx.all(
        "SELECT p.id AS person_id, rp.offsets, rp.muted, r.answer FROM people p "
        "LEFT JOIN reminder_prefs rp ON rp.person_id = p.id "
        "LEFT JOIN rsvps r ON r.person_id = p.id AND r.meeting_id = ? "
        "WHERE p.kind = 'person' AND (p.id IN (SELECT person_id FROM subscriptions "
        "WHERE body_id = ?) OR r.answer IN ('yes', 'help')) ORDER BY p.id",
        (meeting.id, meeting.body_id),
    )
    audience = []
    for row in rows:
        if row["answer"] == "no" or row["muted"]:
            continue
        offsets = row["offsets"].split(",") if row["offsets"] is not None else DEFAULT_REMINDERS
        if name in offsets:
            audience.append(row["person_id"])
    return audience


async def notice_audience(tx: Tx, meeting: Meeting) -> list[int]:
    """Who must hear that a meeting moved or is cancelled: anyone who could come to it,
    muted or not (a muted person still needs to know not to travel for nothing)."""
    rows = await tx.all(
        "SELECT p.id FROM people p WHERE p.kind = 'person' AND (p.id IN (SELECT person_id "
        "FROM subscriptions WHERE body_id = ?) OR p.id IN (SELECT person_id FROM rsvps "
        "WHERE meeting_id = ? AND answer IN ('yes', 'help'))) ORDER BY p.id",
        (meeting.body_id, meeting.id),
    )
    return [r["id"] for r in rows]


async def mark_sent(tx: Tx, meeting: Meeting, person_id: int, name: str, now: datetime) -> bool:
    """True the first time only: the caller writes the message only then."""
    return bool(
        await tx.changed(
            "INSERT OR IGNORE INTO reminders_sent (meeting_id, person_id, name, starts_at, "
            "sent_at) VALUES (?, ?, ?, ?, ?)",
            (meeting.id, person_id, name, stamp(meeting.starts_at), stamp(now)),
        )
    )


async def was_sent(tx: Tx, meeting: Meeting, name: str) -> int:
    return int(
        await tx.value(
            "SELECT COUNT(*) FROM reminders_sent WHERE meeting_id = ? AND name = ? "
            "AND starts_at = ?",
            (meeting.id, name, stamp(meeting.starts_at)),
        )
    )


# ---- answers ---------------------------------------------------------------------------


async def set_rsvp(
    tx: Tx, meeting_id: int, person_id: int, answer: str, now: datetime, help: str | None = None
) -> None:
    if answer not in RSVP_ANSWERS:
        raise ValueError(answer)
    await tx.execute(
        "INSERT INTO rsvps (meeting_id, person_id, answer, help, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (meeting_id, person_id) DO UPDATE SET "
        "answer = excluded.answer, help = excluded.help, updated_at = excluded.updated_at",
        (meeting_id, person_id, answer, help, stamp(now)),
    )


async def rsvp_of(tx: Tx, meeting_id: int, person_id: int) -> str | None:
    return await tx.value(
        "SELECT answer FROM rsvps WHERE meeting_id = ? AND person_id = ?", (meeting_id, person_id)
    )


async def rsvp_counts(tx: Tx, meeting_id: int) -> dict[str, int]:
    rows = await tx.all(
        "SELECT answer, COUNT(*) AS n FROM rsvps WHERE meeting_id = ? GROUP BY answer",
        (meeting_id,),
    )
    counts = dict.fromkeys(RSVP_ANSWERS, 0)
    counts.update({r["answer"]: r["n"] for r in rows})
    return counts
