"""The report queries: periods, bodies, what is counted, and that no author data is read.

`Rows` builds people, submissions, cases and meetings with plain SQL; the digest, /stats and
export tests use it too. Every submission gets a distinctive author text, name and code, so
those tests can assert that none of it ever reaches a digest, /stats or a CSV.
"""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import Database, reports
from bot.storage.reports import CaseFacts
from bot.storage.submissions import REFERENCE_PREFIXES


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


class Rows:
    """Rows written straight into the tables, with author data that must never leak."""

    SECRET = "SECRET-WORDS"  # every author text, name and code contains it

    def __init__(self, db: Database) -> None:
        self.db = db
        self.counter = 0
        self.secrets: list[str] = []
        self.telegram_ids: list[int] = []

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    async def person(self, *, kind: str = "person", language: str = "fr") -> int:
        n = self._next()
        telegram_id = 987_650_000 + n
        code = f"QZ{n:02d}"
        self.telegram_ids.append(telegram_id)
        self.secrets.append(code)
        async with self.db.transaction() as tx:
            return await tx.execute(
                "INSERT INTO people (telegram_id, language, pseudonym, created_at, last_seen_at, "
                "kind) VALUES (?, ?, ?, ?, ?, ?)",
                (telegram_id, language, code, "2026-01-01T00:00:00+00:00", "2026-01-01", kind),
            )

    async def coordinator(self, body: str, *, language: str = "fr") -> int:
        person = await self.person(language=language)
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO roles (person_id, role, body_id, granted_at) "
                "VALUES (?, 'coordinator', ?, '2026-01-01T00:00:00+00:00')",
                (person, body),
            )
        return person

    async def group_chat(self, body: str) -> int:
        chat = await self.person(kind="group")
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO body_chats (body_id, chat_id, linked_at) VALUES (?, ?, ?)",
                (body, chat, "2026-01-01T00:00:00+00:00"),
            )
        return chat

    async def submission(
        self,
        created: datetime,
        *,
        kind: str = "avis",
        speaker: str = "usager",
        theme: str | None = "crise",
        status: str = "sent",
    ) -> tuple[int, str]:
        n = self._next()
        author = await self.person()
        reference = f"{REFERENCE_PREFIXES[kind]}-2026-{n:04d}"
        text = f"{self.SECRET} {n}: ma voisine Josiane Zébulon m'a parlé du service."
        name = f"Josiane Zébulon {self.SECRET}-{n}"
        self.secrets += [text, name, f"{self.SECRET} {n}"]
        async with self.db.transaction() as tx:
            submission_id = await tx.execute(
                "INSERT INTO submissions (reference, kind, author_id, speaker, theme, body_text, "
                "sharing, language, status, created_at, author_name, details) "
                "VALUES (?, ?, ?, ?, ?, ?, 'named', 'fr', ?, ?, ?, ?)",
                (
                    reference,
                    kind,
                    author,
                    speaker,
                    theme,
                    text,
                    status,
                    stamp(created),
                    name,
                    f'{{"wish": "{self.SECRET} wish {n}"}}',
                ),
            )
        return submission_id, reference

    async def case(
        self,
        body: str,
        created: datetime,
        *,
        kind: str = "avis",
        speaker: str = "usager",
        theme: str | None = "crise",
        status: str = "new",
        outcome: str | None = None,
        delivered: datetime | None = None,
        first_action: datetime | None = None,
        taken: datetime | None = None,
        answered: datetime | None = None,
        closed: datetime | None = None,
        meeting_date: str | None = None,
        overdue_level: int = 0,
        submission: int | None = None,
        submission_status: str = "sent",
    ) -> str:
        if submission is None:
            submission, reference = await self.submission(
                created, kind=kind, speaker=speaker, theme=theme, status=submission_status
            )
        else:
            async with self.db.read() as tx:
                reference = await tx.value(
                    "SELECT reference FROM submissions WHERE id = ?", (submission,)
                )
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO cases (submission_id, body_id, status, outcome, meeting_date, "
                "created_at, delivered_at, first_action_at, taken_at, answered_at, closed_at, "
                "overdue_level) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    submission,
                    body,
                    status,
                    outcome,
                    meeting_date,
                    stamp(created),
                    stamp(delivered),
                    stamp(first_action),
                    stamp(taken),
                    stamp(answered),
                    stamp(closed),
                    overdue_level,
                ),
            )
        return reference

    async def meeting(
        self,
        body: str,
        starts: datetime,
        *,
        title: str = "Réunion du groupe",
        status: str = "scheduled",
        yes: int = 0,
        no: int = 0,
        help: int = 0,
    ) -> int:
        async with self.db.transaction() as tx:
            meeting_id = await tx.execute(
                "INSERT INTO meetings (body_id, title, starts_at, ends_at, status, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    body,
                    title,
                    stamp(starts),
                    stamp(starts + timedelta(hours=2)),
                    status,
                    "2026-01-01T00:00:00+00:00",
                    "2026-01-01T00:00:00+00:00",
                ),
            )
        for answer, count in (("yes", yes), ("no", no), ("help", help)):
            for _ in range(count):
                person = await self.person()
                async with self.db.transaction() as tx:
                    await tx.execute(
                        "INSERT INTO rsvps (meeting_id, person_id, answer, updated_at) "
                        "VALUES (?, ?, ?, '2026-01-01T00:00:00+00:00')",
                        (meeting_id, person, answer),
                    )
        return meeting_id

    def leaks(self, text: str) -> list[str]:
        """Author data found in `text` (should always be empty)."""
        found = [s for s in self.secrets if s in text]
        found += [str(i) for i in self.telegram_ids if str(i) in text]
        if self.SECRET in text or "Josiane" in text or "voisine" in text:
            found.append("author words")
        return found


# ---- tests -----------------------------------------------------------------------------


def test_case_facts_hold_nothing_about_the_author() -> None:
    names = {f.name for f in fields(CaseFacts)}
    for forbidden in ("body_text", "author_id", "author_name", "details", "voice_file_id"):
        assert forbidden not in names
    assert not any("telegram" in n or "pseudonym" in n or "taken_by" in n for n in names)


async def test_cases_created_keeps_to_the_period_and_the_bodies(db: Database) -> None:
    rows = Rows(db)
    start, end = utc(2026, 3, 2, 8), utc(2026, 3, 9, 8)
    inside = await rows.case("gt-crise", start)  # the first second counts
    await rows.case("gt-crise", end)  # the end does not
    await rows.case("gt-crise", start - timedelta(seconds=1))
    other = await rows.case("gt-logement", start + timedelta(days=1))
    async with db.read() as tx:
        mine = await reports.cases_created(tx, ["gt-crise"], start, end)
        both = await reports.cases_created(tx, ["gt-crise", "gt-logement"], start, end)
        everyone = await reports.cases_created(tx, None, start, end)
        nobody = await reports.cases_created(tx, [], start, end)
    assert [c.reference for c in mine] == [inside]
    assert [c.reference for c in both] == [inside, other] == [c.reference for c in everyone]
    assert nobody == []
    assert mine[0].created_at == start and mine[0].created_at.tzinfo is not None


async def test_overdue_open_closed_and_first_actions(db: Database) -> None:
    rows = Rows(db)
    start, end = utc(2026, 3, 2, 8), utc(2026, 3, 9, 8)
    old_new = await rows.case("gt-crise", utc(2026, 2, 20))
    await rows.case("gt-crise", utc(2026, 3, 8), status="new")  # too recent to be overdue
    await rows.case("gt-crise", utc(2026, 2, 20), status="taken", first_action=utc(2026, 2, 21))
    closed = await rows.case(
        "gt-crise",
        utc(2026, 2, 25),
        status="closed",
        outcome="not_retained",
        first_action=utc(2026, 3, 2, 10),
        closed=utc(2026, 3, 3),
    )
    forwarded = await rows.case(
        "gt-crise",
        utc(2026, 2, 26),
        status="forwarded",
        first_action=utc(2026, 3, 4),
        closed=utc(2026, 3, 4),
    )
    await rows.case("gt-crise", utc(2026, 2, 1), status="closed", closed=utc(2026, 2, 10))
    async with db.read() as tx:
        overdue = await reports.overdue_cases(tx, "gt-crise", end - timedelta(days=8))
        opened = await reports.open_cases(tx, "gt-crise")
        ended = await reports.cases_closed(tx, "gt-crise", start, end)
        acted = await reports.first_actions(tx, "gt-crise", start, end)
    assert [c.reference for c in overdue] == [old_new]
    assert len(opened) == 3
    assert [c.reference for c in ended] == [closed, forwarded]
    assert [c.reference for c in acted] == [closed, forwarded]


async def test_answered_on_is_the_first_answer_or_the_closing(db: Database) -> None:
    rows = Rows(db)
    day = utc(2026, 3, 2)
    await rows.case("gt-crise", day, status="answered", answered=day + timedelta(days=2))
    await rows.case("gt-crise", day, status="closed", outcome="answered", closed=day + timedelta(1))
    await rows.case(
        "gt-crise",
        day,
        status="closed",
        outcome="change_made",
        answered=day + timedelta(days=3),
        closed=day + timedelta(days=5),
    )
    await rows.case("gt-crise", day, status="forwarded", closed=day + timedelta(days=1))
    async with db.read() as tx:
        found = await reports.cases_created(tx, ["gt-crise"], day, day + timedelta(days=1))
    assert [c.answered_on - day if c.answered_on else None for c in found] == [
        timedelta(days=2),
        timedelta(days=1),
        timedelta(days=3),
        None,
    ]


async def test_submissions_by_kind_counts_participation_once(db: Database) -> None:
    rows = Rows(db)
    day = utc(2026, 3, 3)
    shared, _ = await rows.submission(day, kind="avis")
    await rows.case("gt-participation", day, submission=shared)
    await rows.case("gt-logement", day, submission=shared)
    await rows.case("gt-logement", day, kind="idee")
    await rows.case("gt-logement", day, kind="idee", submission_status="erased")
    await rows.submission(day, kind="avis", status="awaiting_consent")
    await rows.submission(day, kind="avis", status="withdrawn")
    await rows.case("cdu-nord", day, kind="reclamation")
    await rows.case("cdu-nord", day - timedelta(days=30), kind="reclamation")
    start, end = day - timedelta(days=1), day + timedelta(days=1)
    async with db.read() as tx:
        everywhere = await reports.submissions_by_kind(tx, start, end)
        two_groups = await reports.submissions_by_kind(
            tx, start, end, ["gt-participation", "gt-logement"]
        )
    assert everywhere == {"avis": 1, "idee": 2, "reclamation": 1}
    assert two_groups == {"avis": 1, "idee": 2}


async def test_meetings_between_counts_rsvps_and_skips_cancelled(db: Database) -> None:
    rows = Rows(db)
    start, end = utc(2026, 3, 9), utc(2026, 4, 6)
    first = await rows.meeting("gt-crise", utc(2026, 3, 12, 13), yes=3, help=2)
    await rows.meeting("gt-crise", utc(2026, 3, 13), status="cancelled", yes=4)
    await rows.meeting("gt-crise", utc(2026, 4, 20), yes=1)
    await rows.meeting("gt-logement", utc(2026, 3, 14), yes=1)
    second = await rows.meeting("gt-crise", utc(2026, 3, 10), no=1)
    async with db.read() as tx:
        found = await reports.meetings_between(tx, ["gt-crise"], start, end)
    assert [(m.meeting_id, m.yes, m.no, m.help, m.coming) for m in found] == [
        (second, 0, 1, 0, 0),
        (first, 3, 0, 2, 5),
    ]


async def test_a_digest_row_is_written_once_per_body_and_week(db: Database) -> None:
    now = utc(2026, 3, 9, 8)
    async with db.transaction() as tx:
        assert not await reports.digest_sent(tx, "gt-crise", "2026-W11")
        await reports.record_digest(tx, "gt-crise", "2026-W11", now)
        assert await reports.digest_sent(tx, "gt-crise", "2026-W11")
        assert not await reports.digest_sent(tx, "gt-crise", "2026-W12")
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as tx:
            await reports.record_digest(tx, "gt-crise", "2026-W11", now)


def test_report_times_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        reports.at(datetime(2026, 3, 9))
