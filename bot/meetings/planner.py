"""From the meetings table to reminders and notices: what is due, and who receives it.

The database is the truth; the job queue is only a cache of `plan()`. A reminder « slot »
(one meeting, one of J-7 / J-1 / H-3, one start time) fans out to the people who want it,
each written to the outbox with a `reminders_sent` row in the same transaction: running a slot
twice (a restart, a rebuild, two jobs) never sends twice. A moved meeting has a new start,
so its slots are new; a cancelled one has none.

No Telegram here: `bot/handlers/meeting_jobs.py` turns the plan into JobQueue jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.cases import reply_payload
from bot.config import Territory
from bot.engine import Reply
from bot.i18n import Catalogs, Translator
from bot.meetings import messages
from bot.meetings.recurrence import occurrences, parse_rule
from bot.meetings.reminders import (
    DEFAULT_OFFSETS,
    MIN_LEAD,
    QUIET_END,
    daytime,
    in_quiet_hours,
    reminder_times,
)
from bot.storage import Tx, meetings, outbox, people
from bot.storage.meetings import Meeting

log = logging.getLogger(__name__)

HORIZON = timedelta(days=60)  # meetings further away get their jobs at a later rebuild
LATE_GRACE = timedelta(hours=12)  # a slot missed while the bot was down is still sent this late
SERIES_AHEAD = 3  # occurrences of a series kept in the table ahead of time
REMINDER = "reminder"
NOTICE = "meeting_notice"


@dataclass(frozen=True)
class Slot:
    """One reminder of one meeting at one start time, due at `at`."""

    meeting_id: int
    name: str
    starts_at: datetime
    at: datetime

    @property
    def key(self) -> str:
        return f"{self.meeting_id}:{self.name}:{self.starts_at.strftime('%Y%m%dT%H%M')}"


class MeetingPlanner:
    """Reminder slots, their fan-out, and the notices of new, moved and cancelled meetings."""

    def __init__(
        self, territory: Territory, catalogs: Catalogs, clock: Callable[[], datetime]
    ) -> None:
        self.territory = territory
        self.catalogs = catalogs
        self.clock = clock

    # ---- series -----------------------------------------------------------------------

    async def sync_territory_series(self, tx: Tx, now: datetime) -> None:
        """The series the territory file declares become rows (kept up to date at start)."""
        lang = self.territory.default_language
        for series in self.territory.meeting_series:
            await meetings.ensure_series(
                tx,
                body_id=series.body,
                rule=series.rule,
                first_start=series.first,
                duration_minutes=series.duration_minutes,
                details={
                    "title": series.title.get(lang),
                    "place": series.place.get(lang) if series.place else None,
                    "access": series.access.get(lang) if series.access else None,
                    "online_url": series.online_url,
                    "helper": series.helper.get(lang) if series.helper else None,
                    "agenda": series.agenda.get(lang) if series.agenda else None,
                },
                now=now,
                territory_key=series.id,
            )

    async def materialise(self, tx: Tx, now: datetime) -> int:
        """The next occurrences of every series become meetings people can answer to."""
        created = 0
        for series in await meetings.active_series(tx):
            first = datetime.fromisoformat(series["first_start"])
            if first.tzinfo is None:
                first = first.replace(tzinfo=self.territory.tz)
            first = first.astimezone(self.territory.tz)
            rule = parse_rule(series["rule"])
            # From the first start while it is ahead, from now once the series has begun.
            after = max(now, first - timedelta(seconds=1))
            details = series["details"]
            for start in occurrences(first, rule, after, SERIES_AHEAD):
                if start > now + HORIZON:
                    break
                new = await meetings.create(
                    tx,
                    body_id=series["body_id"],
                    title=details.get("title") or "",
                    starts_at=start,
                    ends_at=start + timedelta(minutes=series["duration_minutes"]),
                    now=now,
                    place=details.get("place"),
                    access=details.get("access"),
                    online_url=details.get("online_url"),
                    helper=details.get("helper"),
                    agenda=details.get("agenda"),
                    created_by=series["created_by"],
                    series_id=series["id"],
                    occurrence=start,
                )
                created += new is not None
        return created

    # ---- reminders ----------------------------------------------------------------------

    def slots(self, meeting: Meeting, now: datetime) -> list[Slot]:
        """The slots still to run for this meeting, each with the moment it is due.

        Future slots keep their time. Of the slots already past, only the latest one is kept,
        and only if it passed less than `LATE_GRACE` ago and the meeting is still ahead: the
        bot was down when it was due. Sent late, it never goes out at night either.
        """
        zone = self.territory.tz
        planned = reminder_times(meeting.starts_at, DEFAULT_OFFSETS, zone, now)
        found = [
            Slot(meeting.id, r.name, meeting.starts_at, r.at.astimezone(UTC))
            for r in planned
            if not r.past
        ]
        past = [r for r in planned if r.past]
        if past and now - past[-1].at.astimezone(UTC) < LATE_GRACE:
            due = now
            if in_quiet_hours(now.astimezone(zone)):
                local = now.astimezone(zone)
                morning = datetime.combine(local.date(), QUIET_END, zone)
                if local.time() >= time(12):
                    morning += timedelta(days=1)
                due = morning.astimezone(UTC)
            if meeting.starts_at - due >= MIN_LEAD and (not found or found[0].at > due):
                found.insert(0, Slot(meeting.id, past[-1].name, meeting.starts_at, due))
        return found

    async def plan(self, tx: Tx, now: datetime) -> list[Slot]:
        """Every slot of the scheduled meetings within the horizon, soonest first."""
        slots: list[Slot] = []
        for meeting in await meetings.upcoming(tx, now, now + HORIZON, limit=5000):
            slots += self.slots(meeting, now)
        return sorted(slots, key=lambda s: (s.at, s.meeting_id))

    async def run_slot(self, tx: Tx, slot: Slot, now: datetime) -> int:
        """Writes the reminder for each person who should get it and did not yet."""
        meeting = await meetings.get(tx, slot.meeting_id)
        if meeting is None or meeting.cancelled or meeting.starts_at != slot.starts_at:
            return 0  # cancelled or moved since the job was planned: the notice said so
        if meeting.starts_at <= now:
            return 0
        sent = 0
        for person_id in await meetings.reminder_audience(tx, meeting, slot.name):
            if await meetings.mark_sent(tx, meeting, person_id, slot.name, now):
                t = await self._t(tx, person_id)
                await self._enqueue(
                    tx, person_id, messages.reminder(meeting, now, t, self.territory), now
                )
                sent += 1
        if sent:
            log.info("meeting %s: reminder %s to %d people", meeting.id, slot.name, sent)
        return sent

    # ---- notices ------------------------------------------------------------------------

    async def announce(self, tx: Tx, meeting: Meeting, now: datetime, *, skip: int | None) -> int:
        """A new meeting: its body's followers learn of it at once (not the one creating it)."""
        told = 0
        for person_id in await meetings.subscribers(tx, meeting.body_id):
            if person_id == skip or (await meetings.preferences(tx, person_id))[1]:
                continue
            if not await meetings.mark_sent(tx, meeting, person_id, "new", now):
                continue
            t = await self._t(tx, person_id)
            await self._enqueue(
                tx,
                person_id,
                messages.announcement(meeting, t, self.territory),
                now,
                NOTICE,
                meeting,
            )
            told += 1
        return told

    async def notify_change(self, tx: Tx, before: Meeting, after: Meeting, now: datetime) -> int:
        """One clear notice for a moved meeting or a new place, once per change."""
        told = 0
        name = f"changed:{after.sequence}"
        for person_id in await meetings.notice_audience(tx, after):
            if await meetings.mark_sent(tx, after, person_id, name, now):
                t = await self._t(tx, person_id)
                replies = messages.changed(after, before, t, self.territory)
                await self._enqueue(tx, person_id, replies, now, NOTICE, after)
                told += 1
        return told

    async def notify_cancel(
        self, tx: Tx, meeting: Meeting, now: datetime, *, whole_series: bool = False
    ) -> int:
        """One notice, once; `whole_series` says the later meetings are cancelled too."""
        told = 0
        for person_id in await meetings.notice_audience(tx, meeting):
            if await meetings.mark_sent(tx, meeting, person_id, "cancelled", now):
                t = await self._t(tx, person_id)
                replies = messages.cancelled(meeting, t, self.territory, series=whole_series)
                await self._enqueue(tx, person_id, replies, now, NOTICE, meeting)
                told += 1
        return told

    # ---- helpers ------------------------------------------------------------------------

    async def _t(self, tx: Tx, person_id: int) -> Translator:
        return self.catalogs.get(await people.language_of(tx, person_id))

    async def _enqueue(
        self,
        tx: Tx,
        person_id: int,
        replies: list[Reply],
        now: datetime,
        purpose: str = REMINDER,
        meeting: Meeting | None = None,
    ) -> None:
        """Reminders come at their planned time; a notice written at night waits for 08:00,
        unless the meeting is that early."""
        when = now
        if purpose == NOTICE:
            when = daytime(now, self.territory.tz, meeting.starts_at if meeting else None)
        for reply in replies:
            await outbox.enqueue(
                tx, person_id, reply_payload(reply), now, purpose=purpose, not_before=when
            )
