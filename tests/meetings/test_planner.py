"""The meeting planner on a real database: reminder slots, their fan-out exactly once, the
notices of new, moved and cancelled meetings, and series turned into meetings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import Territory
from bot.i18n import Catalogs
from bot.meetings.planner import HORIZON, NOTICE, REMINDER, MeetingPlanner, Slot
from bot.storage import Database, Tx, meetings, people
from bot.storage.meetings import Meeting

PARIS = ZoneInfo("Europe/Paris")
# Tuesday 30 March 2027, 10:00 in Paris: two days after the change to summer time.
START = datetime(2027, 3, 30, 10, 0, tzinfo=PARIS)
BEFORE = datetime(2027, 3, 1, 9, 0, tzinfo=PARIS)  # long before any reminder


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@pytest.fixture
def planner(territory: Territory) -> MeetingPlanner:
    return MeetingPlanner(territory, Catalogs(territory.languages), lambda: BEFORE)


async def person(tx: Tx, telegram_id: int, *, follows: str | None = "gt-crise") -> int:
    created, _ = await people.get_or_create(tx, telegram_id)
    if follows:
        await meetings.subscribe(tx, created.id, follows, BEFORE)
    return created.id


async def new_meeting(
    tx: Tx, starts_at: datetime = START, body_id: str = "gt-crise", title: str = "Réunion crise"
) -> Meeting:
    meeting_id = await meetings.create(
        tx,
        body_id=body_id,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        now=BEFORE,
        place="Maison des associations, Nanterre",
    )
    assert meeting_id is not None
    meeting = await meetings.get(tx, meeting_id)
    assert meeting is not None
    return meeting


async def outbox_rows(tx: Tx, purpose: str) -> list[tuple[int, dict]]:
    rows = await tx.all(
        "SELECT recipient_id, payload FROM outbox WHERE purpose = ? ORDER BY id", (purpose,)
    )
    return [(r["recipient_id"], json.loads(r["payload"])) for r in rows]


def meeting_at(starts_at: datetime, meeting_id: int = 1) -> Meeting:
    """A meeting that is not stored: `slots()` reads nothing from the database."""
    return Meeting(
        id=meeting_id,
        body_id="gt-crise",
        series_id=None,
        title="T",
        starts_at=utc(starts_at),
        ends_at=utc(starts_at + timedelta(hours=2)),
        place=None,
        access=None,
        online_url=None,
        helper=None,
        agenda=None,
        status="scheduled",
        sequence=0,
    )


def timeline(slots: list[Slot]) -> list[tuple[str, datetime]]:
    return [(s.name, s.at.astimezone(PARIS)) for s in slots]


# ---- slots ---------------------------------------------------------------------------------


def test_future_slots_keep_their_times_and_night_ones_are_moved(planner: MeetingPlanner) -> None:
    """J-7 in winter time, J-1 in summer time, H-3 (07:00) moved to 08:00."""
    slots = planner.slots(meeting_at(START), utc(BEFORE))
    assert timeline(slots) == [
        ("j7", paris(2027, 3, 23, 10, 0)),
        ("j1", paris(2027, 3, 29, 10, 0)),
        ("h3", paris(2027, 3, 30, 8, 0)),
    ]
    assert [s.at for s in slots] == [
        datetime(2027, 3, 23, 9, 0, tzinfo=UTC),
        datetime(2027, 3, 29, 8, 0, tzinfo=UTC),
        datetime(2027, 3, 30, 6, 0, tzinfo=UTC),
    ]
    assert all(s.at.tzinfo is UTC and s.starts_at == utc(START) for s in slots)
    assert slots[0].key == "1:j7:20270330T0800"


def test_a_slot_missed_a_few_hours_ago_is_run_now(planner: MeetingPlanner) -> None:
    now = paris(2027, 3, 23, 15, 0)  # J-7 was at 10:00, the bot was down
    assert timeline(planner.slots(meeting_at(START), utc(now))) == [
        ("j7", now),
        ("j1", paris(2027, 3, 29, 10, 0)),
        ("h3", paris(2027, 3, 30, 8, 0)),
    ]


def test_a_slot_missed_in_the_evening_waits_for_the_next_morning(
    planner: MeetingPlanner,
) -> None:
    now = paris(2027, 3, 23, 21, 30)  # 11 h 30 after J-7, in quiet hours
    slots = planner.slots(meeting_at(START), utc(now))
    assert timeline(slots)[0] == ("j7", paris(2027, 3, 24, 8, 0))
    assert [s.name for s in slots] == ["j7", "j1", "h3"]


def test_a_slot_missed_after_midnight_waits_for_the_same_morning(
    planner: MeetingPlanner,
) -> None:
    start = paris(2027, 3, 30, 18, 0)
    now = paris(2027, 3, 30, 2, 0)  # 8 hours after J-1 (29 March 18:00)
    assert timeline(planner.slots(meeting_at(start), utc(now))) == [
        ("j1", paris(2027, 3, 30, 8, 0)),
        ("h3", paris(2027, 3, 30, 15, 0)),
    ]


def test_a_slot_missed_more_than_12_hours_ago_is_dropped(planner: MeetingPlanner) -> None:
    now = paris(2027, 3, 23, 22, 30)  # 12 h 30 after J-7
    assert [s.name for s in planner.slots(meeting_at(START), utc(now))] == ["j1", "h3"]


def test_a_late_slot_less_than_1_hour_before_the_start_is_dropped(
    planner: MeetingPlanner,
) -> None:
    start = paris(2027, 3, 30, 14, 0)
    now = paris(2027, 3, 30, 13, 30)  # H-3 was at 11:00
    assert planner.slots(meeting_at(start), utc(now)) == []


def test_a_late_slot_whose_morning_is_too_close_to_the_start_is_dropped(
    planner: MeetingPlanner,
) -> None:
    start = paris(2027, 3, 30, 8, 30)  # H-3 was moved to 20:30 the evening before
    now = paris(2027, 3, 29, 21, 0)  # 08:00 tomorrow is only 30 minutes before the start
    assert planner.slots(meeting_at(start), utc(now)) == []


def test_a_late_slot_is_dropped_when_the_next_one_comes_first(planner: MeetingPlanner) -> None:
    """J-1 missed in the evening would wait for 08:00, when H-3 goes out anyway."""
    now = paris(2027, 3, 29, 21, 30)
    assert timeline(planner.slots(meeting_at(START), utc(now))) == [
        ("h3", paris(2027, 3, 30, 8, 0)),
    ]


async def test_plan_sorts_the_slots_of_every_scheduled_meeting_within_the_horizon(
    db: Database, planner: MeetingPlanner
) -> None:
    async with db.transaction() as tx:
        late = await new_meeting(tx, START)
        early = await new_meeting(tx, paris(2027, 3, 25, 14, 0))
        gone = await new_meeting(tx, paris(2027, 3, 26, 14, 0))
        await meetings.cancel(tx, gone.id, utc(BEFORE))
        far = await new_meeting(tx, BEFORE + HORIZON + timedelta(days=1))
        slots = await planner.plan(tx, utc(BEFORE))
    assert [(s.meeting_id, s.name) for s in slots] == [
        (early.id, "j7"),
        (late.id, "j7"),
        (early.id, "j1"),
        (early.id, "h3"),
        (late.id, "j1"),
        (late.id, "h3"),
    ]
    assert [s.at for s in slots] == sorted(s.at for s in slots)
    assert far.id not in {s.meeting_id for s in slots}


# ---- run_slot ------------------------------------------------------------------------------


async def test_run_slot_fans_out_once(db: Database, planner: MeetingPlanner) -> None:
    now = utc(paris(2027, 3, 29, 10, 0))
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        lea = await person(tx, 1)
        marc = await person(tx, 2)
        await person(tx, 3, follows="gt-logement")
        slot = Slot(meeting.id, "j1", meeting.starts_at, now)
        first = await planner.run_slot(tx, slot, now)
        second = await planner.run_slot(tx, slot, now + timedelta(minutes=1))
        rows = await outbox_rows(tx, REMINDER)
    assert (first, second) == (2, 0)
    assert [recipient for recipient, _ in rows] == [lea, marc]
    payload = rows[0][1]
    assert "La réunion est demain." in payload["text"]
    assert payload["document"][0] == "reunion.ics"
    assert [b[1] for row in payload["buttons"] for b in row] == [
        f"v:{meeting.id}:yes",
        f"v:{meeting.id}:no",
        f"v:{meeting.id}:help",
    ]


async def test_run_slot_writes_in_the_person_s_language(
    db: Database, planner: MeetingPlanner
) -> None:
    now = utc(paris(2027, 3, 29, 10, 0))
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        lea = await person(tx, 1)
        await people.set_language(tx, lea, "en", chosen=True)
        await planner.run_slot(tx, Slot(meeting.id, "j1", meeting.starts_at, now), now)
        ((_, payload),) = await outbox_rows(tx, REMINDER)
    assert "The meeting is tomorrow." in payload["text"]


async def test_run_slot_skips_a_cancelled_meeting(db: Database, planner: MeetingPlanner) -> None:
    now = utc(paris(2027, 3, 29, 10, 0))
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        await person(tx, 1)
        await meetings.cancel(tx, meeting.id, now)
        sent = await planner.run_slot(tx, Slot(meeting.id, "j1", meeting.starts_at, now), now)
        rows = await outbox_rows(tx, REMINDER)
        missing = await planner.run_slot(tx, Slot(9999, "j1", meeting.starts_at, now), now)
    assert (sent, rows, missing) == (0, [], 0)


async def test_run_slot_skips_a_moved_meeting(db: Database, planner: MeetingPlanner) -> None:
    """The slot was planned for the old start; the moved meeting has its own slots."""
    now = utc(paris(2027, 3, 29, 10, 0))
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        await person(tx, 1)
        await meetings.update(tx, meeting.id, now, starts_at=START + timedelta(days=2))
        sent = await planner.run_slot(tx, Slot(meeting.id, "j1", meeting.starts_at, now), now)
        rows = await outbox_rows(tx, REMINDER)
        marks = await tx.value("SELECT COUNT(*) FROM reminders_sent")
    assert (sent, rows, marks) == (0, [], 0)


async def test_run_slot_skips_a_meeting_that_started(db: Database, planner: MeetingPlanner) -> None:
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        await person(tx, 1)
        slot = Slot(meeting.id, "h3", meeting.starts_at, utc(START - timedelta(hours=3)))
        at_start = await planner.run_slot(tx, slot, utc(START))
        after = await planner.run_slot(tx, slot, utc(START + timedelta(minutes=5)))
        rows = await outbox_rows(tx, REMINDER)
    assert (at_start, after, rows) == (0, 0, [])


async def test_run_slot_skips_muted_people_and_people_who_said_no(
    db: Database, planner: MeetingPlanner
) -> None:
    now = utc(paris(2027, 3, 30, 8, 0))
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        lea, muted, declined, day_only = [await person(tx, n) for n in range(1, 5)]
        await meetings.set_preferences(tx, muted, ("j7", "j1", "h3"), True, now)
        await meetings.set_preferences(tx, day_only, ("j1",), False, now)
        await meetings.set_rsvp(tx, meeting.id, declined, "no", now)
        sent = await planner.run_slot(tx, Slot(meeting.id, "h3", meeting.starts_at, now), now)
        rows = await outbox_rows(tx, REMINDER)
    assert sent == 1
    assert [recipient for recipient, _ in rows] == [lea]


# ---- notices -------------------------------------------------------------------------------


async def test_announce_skips_the_creator_and_muted_people_and_runs_once(
    db: Database, planner: MeetingPlanner
) -> None:
    now = utc(BEFORE)
    async with db.transaction() as tx:
        creator, lea, muted = [await person(tx, n) for n in range(1, 4)]
        await person(tx, 4, follows="gt-logement")
        await meetings.set_preferences(tx, muted, ("j1",), True, now)
        meeting = await new_meeting(tx)
        told = await planner.announce(tx, meeting, now, skip=creator)
        again = await planner.announce(tx, meeting, now, skip=creator)
        rows = await outbox_rows(tx, NOTICE)
    assert (told, again) == (1, 0)
    assert [recipient for recipient, _ in rows] == [lea]
    assert "Une nouvelle réunion est prévue." in rows[0][1]["text"]


async def test_notify_change_once_per_sequence(db: Database, planner: MeetingPlanner) -> None:
    now = utc(BEFORE)
    async with db.transaction() as tx:
        lea = await person(tx, 1)
        muted = await person(tx, 2)
        await meetings.set_preferences(tx, muted, (), True, now)
        before = await new_meeting(tx)
        await meetings.update(
            tx,
            before.id,
            now,
            starts_at=START + timedelta(days=1),
            ends_at=START + timedelta(days=1, hours=2),
        )
        after = await meetings.get(tx, before.id)
        assert after is not None
        first = await planner.notify_change(tx, before, after, now)
        again = await planner.notify_change(tx, before, after, now)
        await meetings.update(tx, before.id, now, place="Salle 4")
        third = await meetings.get(tx, before.id)
        assert third is not None
        later = await planner.notify_change(tx, after, third, now)
        rows = await outbox_rows(tx, NOTICE)
    assert (first, again, later) == (2, 0, 2)
    assert [recipient for recipient, _ in rows] == [lea, muted, lea, muted]
    assert "Elle était prévue le mardi 30 mars 2027 à 10 h." in rows[0][1]["text"]
    assert "Elle a lieu le mercredi 31 mars 2027 à 10 h." in rows[0][1]["text"]
    assert "Le lieu change." in rows[2][1]["text"]


async def test_notify_cancel_once(db: Database, planner: MeetingPlanner) -> None:
    now = utc(BEFORE)
    async with db.transaction() as tx:
        lea = await person(tx, 1)
        outsider = await person(tx, 2, follows=None)
        meeting = await new_meeting(tx)
        await meetings.set_rsvp(tx, meeting.id, outsider, "yes", now)
        assert await meetings.cancel(tx, meeting.id, now)
        cancelled = await meetings.get(tx, meeting.id)
        assert cancelled is not None
        first = await planner.notify_cancel(tx, cancelled, now)
        again = await planner.notify_cancel(tx, cancelled, now)
        rows = await outbox_rows(tx, NOTICE)
    assert (first, again) == (2, 0)
    assert [recipient for recipient, _ in rows] == [lea, outsider]
    assert "La réunion est annulée." in rows[0][1]["text"]
    assert rows[0][1]["buttons"] == []  # nothing to answer to any more


# ---- series --------------------------------------------------------------------------------


async def test_sync_territory_series_writes_the_example_series_once(
    db: Database, planner: MeetingPlanner
) -> None:
    now = utc(paris(2027, 1, 1, 0, 0))
    async with db.transaction() as tx:
        await planner.sync_territory_series(tx, now)
        await planner.sync_territory_series(tx, now)
        series = await meetings.active_series(tx)
    by_key = {s["territory_key"]: s for s in series}
    assert sorted(by_key) == ["cdu-nord-trimestre", "gem-semaine", "gt-crise-mensuel"]
    crisis = by_key["gt-crise-mensuel"]
    assert (crisis["body_id"], crisis["rule"], crisis["duration_minutes"]) == (
        "gt-crise",
        "monthly:1:tue",
        120,
    )
    assert datetime.fromisoformat(crisis["first_start"]) == paris(2027, 1, 5, 14, 30)
    assert crisis["details"]["title"] == "Réunion du groupe de travail urgence et crise"
    assert crisis["details"]["online_url"] == "https://visio.example.org/gt-crise"
    assert by_key["cdu-nord-trimestre"]["details"]["online_url"] is None


async def test_materialise_creates_the_next_occurrences_once_within_the_horizon(
    db: Database, planner: MeetingPlanner
) -> None:
    now = utc(paris(2027, 1, 1, 0, 0))
    async with db.transaction() as tx:
        await planner.sync_territory_series(tx, now)
        created = await planner.materialise(tx, now)
        again = await planner.materialise(tx, now)
        rows = await tx.all("SELECT body_id, starts_at FROM meetings ORDER BY starts_at")
    assert (created, again) == (6, 0)
    assert [(r["body_id"], r["starts_at"]) for r in rows] == [
        ("gt-crise", "2027-01-05T13:30:00+00:00"),
        ("gem-exemple", "2027-01-06T13:00:00+00:00"),
        ("gem-exemple", "2027-01-13T13:00:00+00:00"),
        ("gem-exemple", "2027-01-20T13:00:00+00:00"),
        ("cdu-nord", "2027-01-21T13:00:00+00:00"),
        # 2 March is more than 60 days away; the quarterly April one too.
        ("gt-crise", "2027-02-02T13:30:00+00:00"),
    ]


async def weekly_series(tx: Tx, first: datetime) -> int:
    return await meetings.ensure_series(
        tx,
        body_id="gem-exemple",
        rule="weekly",
        first_start=first,
        duration_minutes=90,
        details={"title": "Réunion des membres"},
        now=utc(BEFORE),
    )


async def gem_starts(tx: Tx) -> list[datetime]:
    rows = await tx.all(
        "SELECT starts_at FROM meetings WHERE body_id = 'gem-exemple' ORDER BY starts_at"
    )
    return [datetime.fromisoformat(r["starts_at"]).astimezone(PARIS) for r in rows]


async def test_materialise_keeps_the_wall_clock_across_the_change_to_summer_time(
    db: Database, planner: MeetingPlanner
) -> None:
    """A weekly 14:00 stays 14:00: 13:00 UTC in winter, 12:00 UTC in summer."""
    async with db.transaction() as tx:
        await weekly_series(tx, paris(2027, 3, 24, 14, 0))
        created = await planner.materialise(tx, utc(paris(2027, 3, 20, 9, 0)))
        starts = await gem_starts(tx)
    assert created == 3
    assert starts == [
        paris(2027, 3, 24, 14, 0),
        paris(2027, 3, 31, 14, 0),
        paris(2027, 4, 7, 14, 0),
    ]
    assert [utc(s).hour for s in starts] == [13, 12, 12]


async def test_materialise_later_adds_the_next_occurrences_of_a_started_series(
    db: Database, planner: MeetingPlanner
) -> None:
    async with db.transaction() as tx:
        await weekly_series(tx, paris(2027, 3, 10, 14, 0))
        await planner.materialise(tx, utc(paris(2027, 3, 1, 9, 0)))  # 10, 17, 24 March
        created = await planner.materialise(tx, utc(paris(2027, 3, 20, 9, 0)))
        upcoming = await meetings.upcoming(tx, utc(paris(2027, 3, 20, 9, 0)))
    assert created == 2
    assert [m.starts_at.astimezone(PARIS) for m in upcoming] == [
        paris(2027, 3, 24, 14, 0),
        paris(2027, 3, 31, 14, 0),
        paris(2027, 4, 7, 14, 0),
    ]


async def test_materialise_a_territory_series_after_its_first_start(
    db: Database, planner: MeetingPlanner
) -> None:
    now = utc(paris(2027, 3, 20, 9, 0))
    async with db.transaction() as tx:
        await planner.sync_territory_series(tx, now)
        await planner.materialise(tx, now)
        upcoming = await meetings.upcoming(tx, now, body_ids={"gem-exemple"})
    assert [m.starts_at.astimezone(PARIS) for m in upcoming] == [
        paris(2027, 3, 24, 14, 0),
        paris(2027, 3, 31, 14, 0),
        paris(2027, 4, 7, 14, 0),
    ]


async def test_a_moved_or_cancelled_occurrence_is_not_created_again(
    db: Database, planner: MeetingPlanner
) -> None:
    now = utc(paris(2027, 1, 1, 0, 0))
    async with db.transaction() as tx:
        await planner.sync_territory_series(tx, now)
        await planner.materialise(tx, now)
        first, second = await tx.all(
            "SELECT id FROM meetings WHERE body_id = 'gem-exemple' ORDER BY starts_at LIMIT 2"
        )
        await meetings.update(
            tx, first["id"], now, starts_at=paris(2027, 1, 7, 14, 0), ends_at=paris(2027, 1, 7, 15)
        )
        await meetings.cancel(tx, second["id"], now)
        again = await planner.materialise(tx, now)
        count = await tx.value("SELECT COUNT(*) FROM meetings WHERE body_id = 'gem-exemple'")
    assert (again, count) == (0, 3)


async def test_an_ended_series_is_not_materialised(db: Database, planner: MeetingPlanner) -> None:
    now = utc(paris(2027, 1, 1, 0, 0))
    async with db.transaction() as tx:
        await planner.sync_territory_series(tx, now)
        for series in await meetings.active_series(tx):
            if series["body_id"] != "gem-exemple":
                await meetings.end_series(tx, series["id"])
        created = await planner.materialise(tx, now)
        bodies = {r["body_id"] for r in await tx.all("SELECT body_id FROM meetings")}
    assert (created, bodies) == (3, {"gem-exemple"})
