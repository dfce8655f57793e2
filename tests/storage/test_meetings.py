"""Meeting storage: meetings, series, subscriptions, preferences, audiences, sent marks, RSVPs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.storage import Database, Tx, meetings, people
from bot.storage.meetings import Meeting

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
START = datetime(2027, 3, 30, 10, 0, tzinfo=PARIS)


async def person(tx: Tx, telegram_id: int) -> int:
    created, _ = await people.get_or_create(tx, telegram_id)
    return created.id


async def new_meeting(
    tx: Tx, body_id: str = "gt-crise", starts_at: datetime = START, **fields: object
) -> Meeting:
    meeting_id = await meetings.create(
        tx,
        body_id=body_id,
        title=str(fields.pop("title", "Réunion du groupe crise")),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        now=NOW,
        **fields,  # type: ignore[arg-type]
    )
    assert meeting_id is not None
    found = await meetings.get(tx, meeting_id)
    assert found is not None
    return found


# ---- meetings ------------------------------------------------------------------------------


async def test_create_and_get_keep_every_field_in_utc(db: Database) -> None:
    """A meeting reads back as written; times come back in UTC, same instant."""
    async with db.transaction() as tx:
        meeting = await new_meeting(
            tx,
            place="Salle 3",
            access="Bus 259",
            online_url="https://visio.example.org/x",
            helper="Claire",
            agenda="Les urgences",
        )
    assert meeting.starts_at == START and meeting.starts_at.tzinfo == UTC
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=2)
    assert (meeting.place, meeting.access, meeting.online_url, meeting.helper, meeting.agenda) == (
        "Salle 3",
        "Bus 259",
        "https://visio.example.org/x",
        "Claire",
        "Les urgences",
    )
    assert (meeting.status, meeting.sequence, meeting.series_id) == ("scheduled", 0, None)
    assert not meeting.cancelled


async def test_get_an_unknown_meeting_is_none(db: Database) -> None:
    async with db.read() as tx:
        assert await meetings.get(tx, 12345) is None


async def test_create_the_same_occurrence_of_a_series_twice_gives_none(db: Database) -> None:
    """The occurrence key makes materialising a series idempotent."""
    async with db.transaction() as tx:
        series = await meetings.ensure_series(
            tx,
            body_id="gt-crise",
            rule="weekly",
            first_start=START,
            duration_minutes=60,
            details={},
            now=NOW,
        )
        args = {
            "body_id": "gt-crise",
            "title": "T",
            "starts_at": START,
            "ends_at": START + timedelta(hours=1),
            "now": NOW,
            "series_id": series,
            "occurrence": START,
        }
        first = await meetings.create(tx, **args)  # type: ignore[arg-type]
        second = await meetings.create(tx, **args)  # type: ignore[arg-type]
        count = await tx.value("SELECT COUNT(*) FROM meetings")
    assert first is not None and second is None and count == 1


async def test_update_changes_fields_and_raises_the_sequence(db: Database) -> None:
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        later = START + timedelta(days=1)
        await meetings.update(tx, meeting.id, NOW, starts_at=later, place="Salle 4")
        once = await meetings.get(tx, meeting.id)
        await meetings.update(tx, meeting.id, NOW, title="Nouveau nom")
        twice = await meetings.get(tx, meeting.id)
    assert once is not None and twice is not None
    assert (once.starts_at, once.place, once.sequence) == (later, "Salle 4", 1)
    assert (twice.title, twice.sequence, twice.place) == ("Nouveau nom", 2, "Salle 4")


async def test_update_refuses_fields_that_are_not_editable(db: Database) -> None:
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        with pytest.raises(ValueError, match=r"not editable: \['body_id', 'status'\]"):
            await meetings.update(tx, meeting.id, NOW, status="cancelled", body_id="gt-logement")
        unchanged = await meetings.get(tx, meeting.id)
    assert unchanged == meeting


async def test_cancel_works_once(db: Database) -> None:
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        first = await meetings.cancel(tx, meeting.id, NOW)
        second = await meetings.cancel(tx, meeting.id, NOW)
        after = await meetings.get(tx, meeting.id)
        missing = await meetings.cancel(tx, 999, NOW)
    assert (first, second, missing) == (True, False, False)
    assert after is not None and after.cancelled and after.sequence == 1


async def test_upcoming_order_until_and_bodies(db: Database) -> None:
    async with db.transaction() as tx:
        late = await new_meeting(tx, starts_at=START + timedelta(days=10))
        soon = await new_meeting(tx, starts_at=START)
        other = await new_meeting(tx, body_id="gt-logement", starts_at=START + timedelta(days=1))
        past = await new_meeting(tx, starts_at=NOW - timedelta(days=1))
        gone = await new_meeting(tx, starts_at=START + timedelta(days=2))
        await meetings.cancel(tx, gone.id, NOW)
        every = await meetings.upcoming(tx, NOW)
        until = await meetings.upcoming(tx, NOW, START + timedelta(days=1))
        crisis = await meetings.upcoming(tx, NOW, body_ids={"gt-crise"})
        nobody = await meetings.upcoming(tx, NOW, body_ids=set())
        first = await meetings.upcoming(tx, NOW, limit=1)
    assert [m.id for m in every] == [soon.id, other.id, late.id]
    assert past.id not in [m.id for m in every]
    assert [m.id for m in until] == [soon.id, other.id]  # `until` is inclusive
    assert [m.id for m in crisis] == [soon.id, late.id]
    assert nobody == []
    assert [m.id for m in first] == [soon.id]


async def test_upcoming_excludes_a_meeting_that_starts_right_now(db: Database) -> None:
    async with db.transaction() as tx:
        await new_meeting(tx, starts_at=NOW)
        found = await meetings.upcoming(tx, NOW)
    assert found == []


async def test_recent_meetings_between_since_and_now_latest_first(db: Database) -> None:
    now = START + timedelta(days=20)
    async with db.transaction() as tx:
        old = await new_meeting(tx, starts_at=START)
        newer = await new_meeting(tx, starts_at=START + timedelta(days=7))
        await new_meeting(tx, starts_at=now + timedelta(days=1))  # still ahead
        await new_meeting(tx, body_id="gt-logement", starts_at=START + timedelta(days=8))
        cancelled = await new_meeting(tx, starts_at=START + timedelta(days=9))
        await meetings.cancel(tx, cancelled.id, NOW)
        found = await meetings.recent(tx, {"gt-crise"}, START - timedelta(days=1), now)
        none = await meetings.recent(tx, set(), START - timedelta(days=1), now)
        since = await meetings.recent(tx, {"gt-crise"}, START + timedelta(days=1), now)
    assert [m.id for m in found] == [newer.id, old.id]
    assert none == []
    assert [m.id for m in since] == [newer.id]


# ---- series --------------------------------------------------------------------------------


async def test_ensure_series_with_a_territory_key_is_written_once_then_updated(
    db: Database,
) -> None:
    async with db.transaction() as tx:
        first = await meetings.ensure_series(
            tx,
            body_id="cdu-nord",
            rule="quarterly",
            first_start=START,
            duration_minutes=120,
            details={"title": "CDU"},
            now=NOW,
            territory_key="cdu-nord-trimestre",
        )
        second = await meetings.ensure_series(
            tx,
            body_id="cdu-nord",
            rule="monthly",
            first_start=START,
            duration_minutes=90,
            details={"title": "Commission des usagers"},
            now=NOW,
            territory_key="cdu-nord-trimestre",
        )
        rows = await meetings.active_series(tx)
    assert first == second
    assert len(rows) == 1
    assert (rows[0]["rule"], rows[0]["duration_minutes"]) == ("monthly", 90)
    assert rows[0]["details"] == {"title": "Commission des usagers"}
    assert rows[0]["territory_key"] == "cdu-nord-trimestre"


async def test_series_without_a_key_are_new_rows_and_ended_ones_are_not_active(
    db: Database,
) -> None:
    async with db.transaction() as tx:
        args = {
            "body_id": "gt-crise",
            "rule": "weekly",
            "first_start": START,
            "duration_minutes": 60,
            "details": {},
            "now": NOW,
        }
        a = await meetings.ensure_series(tx, **args)  # type: ignore[arg-type]
        b = await meetings.ensure_series(tx, **args)  # type: ignore[arg-type]
        await meetings.end_series(tx, a)
        active = await meetings.active_series(tx)
    assert a != b
    assert [s["id"] for s in active] == [b]


# ---- subscriptions and preferences ---------------------------------------------------------


async def test_subscribe_and_unsubscribe_say_whether_something_changed(db: Database) -> None:
    async with db.transaction() as tx:
        lea = await person(tx, 1)
        results = [
            await meetings.subscribe(tx, lea, "gt-crise", NOW),
            await meetings.subscribe(tx, lea, "gt-crise", NOW),
        ]
        await meetings.subscribe(tx, lea, "gt-logement", NOW + timedelta(seconds=1))
        followed = await meetings.followed_bodies(tx, lea)
        subscribers = await meetings.subscribers(tx, "gt-crise")
        results += [
            await meetings.unsubscribe(tx, lea, "gt-crise"),
            await meetings.unsubscribe(tx, lea, "gt-crise"),
        ]
        after = await meetings.followed_bodies(tx, lea)
    assert results == [True, False, True, False]
    assert followed == ["gt-crise", "gt-logement"]
    assert subscribers == [lea]
    assert after == ["gt-logement"]


async def test_preferences_default_then_set(db: Database) -> None:
    async with db.transaction() as tx:
        lea = await person(tx, 1)
        default = await meetings.preferences(tx, lea)
        await meetings.set_preferences(tx, lea, ("j1",), False, NOW)
        only_j1 = await meetings.preferences(tx, lea)
        await meetings.set_preferences(tx, lea, ("j1", "h3"), True, NOW)
        muted = await meetings.preferences(tx, lea)
        await meetings.set_preferences(tx, lea, (), False, NOW)
        nothing = await meetings.preferences(tx, lea)
    assert default == (("j7", "j1", "h3"), False)
    assert only_j1 == (("j1",), False)
    assert muted == (("j1", "h3"), True)
    assert nothing == ((), False)


# ---- audiences -----------------------------------------------------------------------------


async def test_reminder_audience(db: Database) -> None:
    """Followers who want that reminder, minus the muted and those who said no, plus a
    non-follower who said yes (or asked for help)."""
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        default, j1_only, muted, declined, yes_outsider, help_outsider, stranger = [
            await person(tx, n) for n in range(1, 8)
        ]
        group = await people.group_chat(tx, -100)
        for follower in (default, j1_only, muted, declined, group):
            await meetings.subscribe(tx, follower, "gt-crise", NOW)
        await meetings.subscribe(tx, stranger, "gt-logement", NOW)
        await meetings.set_preferences(tx, j1_only, ("j1",), False, NOW)
        await meetings.set_preferences(tx, muted, ("j7", "j1", "h3"), True, NOW)
        await meetings.set_rsvp(tx, meeting.id, declined, "no", NOW)
        await meetings.set_rsvp(tx, meeting.id, yes_outsider, "yes", NOW)
        await meetings.set_rsvp(tx, meeting.id, help_outsider, "help", NOW, help="transport")
        j7 = await meetings.reminder_audience(tx, meeting, "j7")
        j1 = await meetings.reminder_audience(tx, meeting, "j1")
    assert j7 == [default, yes_outsider, help_outsider]
    assert j1 == [default, j1_only, yes_outsider, help_outsider]


async def test_an_outsider_who_said_no_gets_no_reminder(db: Database) -> None:
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        outsider = await person(tx, 1)
        await meetings.set_rsvp(tx, meeting.id, outsider, "no", NOW)
        audience = await meetings.reminder_audience(tx, meeting, "j1")
    assert audience == []


async def test_notice_audience_includes_muted_followers_and_people_coming(db: Database) -> None:
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        follower, muted, outsider, declined_outsider, elsewhere = [
            await person(tx, n) for n in range(1, 6)
        ]
        for someone in (follower, muted):
            await meetings.subscribe(tx, someone, "gt-crise", NOW)
        await meetings.subscribe(tx, elsewhere, "gt-logement", NOW)
        await meetings.set_preferences(tx, muted, ("j1",), True, NOW)
        await meetings.set_rsvp(tx, meeting.id, outsider, "yes", NOW)
        await meetings.set_rsvp(tx, meeting.id, declined_outsider, "no", NOW)
        audience = await meetings.notice_audience(tx, meeting)
    assert audience == [follower, muted, outsider]


# ---- sent marks ----------------------------------------------------------------------------


async def test_mark_sent_once_per_meeting_person_name_and_start(db: Database) -> None:
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        lea, marc = await person(tx, 1), await person(tx, 2)
        first = await meetings.mark_sent(tx, meeting, lea, "j1", NOW)
        again = await meetings.mark_sent(tx, meeting, lea, "j1", NOW + timedelta(hours=1))
        other_name = await meetings.mark_sent(tx, meeting, lea, "h3", NOW)
        other_person = await meetings.mark_sent(tx, meeting, marc, "j1", NOW)
        await meetings.update(tx, meeting.id, NOW, starts_at=START + timedelta(days=1))
        moved = await meetings.get(tx, meeting.id)
        assert moved is not None
        after_move = await meetings.mark_sent(tx, moved, lea, "j1", NOW)
        after_move_again = await meetings.mark_sent(tx, moved, lea, "j1", NOW)
        counted_before = await meetings.was_sent(tx, meeting, "j1")
        counted_after = await meetings.was_sent(tx, moved, "j1")
    assert (first, again, other_name, other_person) == (True, False, True, True)
    assert (after_move, after_move_again) == (True, False)
    assert (counted_before, counted_after) == (2, 1)


# ---- answers -------------------------------------------------------------------------------


async def test_rsvp_set_overwrite_and_counts(db: Database) -> None:
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        other = await new_meeting(tx, starts_at=START + timedelta(days=7))
        a, b, c = [await person(tx, n) for n in range(1, 4)]
        empty = await meetings.rsvp_counts(tx, meeting.id)
        await meetings.set_rsvp(tx, meeting.id, a, "yes", NOW)
        await meetings.set_rsvp(tx, meeting.id, b, "yes", NOW)
        await meetings.set_rsvp(tx, meeting.id, c, "help", NOW, help="company")
        await meetings.set_rsvp(tx, meeting.id, b, "no", NOW)  # changed her mind
        await meetings.set_rsvp(tx, other.id, a, "no", NOW)
        counts = await meetings.rsvp_counts(tx, meeting.id)
        answer_b = await meetings.rsvp_of(tx, meeting.id, b)
        help_c = await tx.value(
            "SELECT help FROM rsvps WHERE meeting_id = ? AND person_id = ?", (meeting.id, c)
        )
        unknown = await meetings.rsvp_of(tx, other.id, b)
        rows = await tx.value("SELECT COUNT(*) FROM rsvps WHERE meeting_id = ?", (meeting.id,))
    assert empty == {"yes": 0, "no": 0, "help": 0}
    assert counts == {"yes": 1, "no": 1, "help": 1}
    assert (answer_b, help_c, unknown, rows) == ("no", "company", None, 3)


async def test_rsvp_refuses_an_unknown_answer(db: Database) -> None:
    async with db.transaction() as tx:
        meeting = await new_meeting(tx)
        lea = await person(tx, 1)
        with pytest.raises(ValueError, match="maybe"):
            await meetings.set_rsvp(tx, meeting.id, lea, "maybe", NOW)
        assert await meetings.rsvp_of(tx, meeting.id, lea) is None
