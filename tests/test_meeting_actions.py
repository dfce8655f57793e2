"""Meetings in conversations: the rhythm chosen with a button, the meeting the answers
describe (new or edited, in the territory's zone), per-person lists, and creating a
recurring meeting from the flow's answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.actions import ActionContext
from bot.config import Territory
from bot.i18n import Catalogs
from bot.meeting_actions import (
    create_meeting,
    draft_meeting,
    meeting_id_of,
    personal_choices,
    recurrence_of,
)
from bot.meetings.recurrence import Recurrence, occurrences
from bot.storage import Database, Tx, meetings, people
from bot.storage.conversations import ConversationState
from bot.storage.meetings import Meeting
from bot.storage.people import Person

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # winter time in Paris


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def state(**answers: object) -> ConversationState:
    return ConversationState(flow="reunion", step="confirm", run_id="r", answers=dict(answers))


def text(value: str) -> dict[str, str]:
    return {"text": value}


def context(
    territory: Territory, now: datetime = NOW, tx: Tx | None = None, person: Person | None = None
) -> ActionContext:
    catalogs = Catalogs(territory.languages)
    return ActionContext(
        tx=tx,  # type: ignore[arg-type]  # drafting a meeting reads nothing
        person=person or Person(id=1, language="fr", language_chosen=True, pseudonym="7F3K"),
        t=catalogs.get("fr"),
        territory=territory,
        now=now,
        display_name="Marc",
        catalogs=catalogs,
    )


def stored(**fields: object) -> Meeting:
    values: dict[str, object] = {
        "id": 7,
        "body_id": "gt-crise",
        "series_id": None,
        "title": "Réunion du groupe crise",
        "starts_at": paris(2027, 3, 23, 10, 0).astimezone(UTC),  # winter time
        "ends_at": paris(2027, 3, 23, 11, 30).astimezone(UTC),
        "place": "Maison des associations",
        "access": "Bus 259",
        "online_url": None,
        "helper": "Claire",
        "agenda": "L'accueil aux urgences.",
        "status": "scheduled",
        "sequence": 2,
    }
    values.update(fields)
    return Meeting(**values)  # type: ignore[arg-type]


# ---- recurrence_of -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (None, Recurrence("once")),
        ("once", Recurrence("once")),
        ("weekly", Recurrence("weekly")),
        ("quarterly", Recurrence("quarterly")),
        ("something else", Recurrence("once")),
    ],
)
def test_recurrence_of_simple_choices(choice: str | None, expected: Recurrence) -> None:
    answers = {} if choice is None else {"repeat": choice}
    assert recurrence_of(state(**answers), paris(2027, 3, 2, 10, 0)) == expected


@pytest.mark.parametrize(
    ("day", "ordinal", "rule"),
    [
        (2, 1, "monthly:1:tue"),
        (9, 2, "monthly:2:tue"),
        (16, 3, "monthly:3:tue"),
        (23, 4, "monthly:4:tue"),
        (30, -1, "monthly:-1:tue"),  # a 5th Tuesday is the month's last one
    ],
)
def test_recurrence_of_monthly_keeps_the_weekday_and_its_place_in_the_month(
    day: int, ordinal: int, rule: str
) -> None:
    recurrence = recurrence_of(state(repeat="monthly"), paris(2027, 3, day, 10, 0))
    assert (recurrence.kind, recurrence.weekday, recurrence.ordinal) == (
        "monthly_weekday",
        1,  # Tuesday
        ordinal,
    )
    assert recurrence.rule() == rule


def test_recurrence_of_monthly_on_other_weekdays() -> None:
    friday = recurrence_of(state(repeat="monthly"), paris(2027, 3, 12, 10, 0))
    assert friday.rule() == "monthly:2:fri"
    sunday = recurrence_of(state(repeat="monthly"), paris(2027, 2, 28, 10, 0))
    assert sunday.rule() == "monthly:4:sun"


def test_a_monthly_rule_from_a_5th_weekday_includes_that_first_date() -> None:
    start = paris(2027, 3, 30, 10, 0)  # 5th and last Tuesday of March 2027
    rule = recurrence_of(state(repeat="monthly"), start)
    assert occurrences(start, rule, start - timedelta(seconds=1), 1) == [start]


# ---- draft_meeting -------------------------------------------------------------------------


def test_draft_meeting_from_answers_in_the_territory_zone_across_the_change(
    territory: Territory,
) -> None:
    """Answered in winter time for a day in summer time: 10:00 in Paris is 08:00 UTC."""
    answers = state(
        body="gt-crise",
        title=text("Réunion du groupe crise"),
        day="2027-03-30",
        time="10:00",
        duration="90",
        where="place",
        place=text("Maison des associations"),
        access=text("Bus 259"),
        helper=text("Claire"),
        agenda=text("L'accueil aux urgences."),
        repeat="once",
    )
    meeting = draft_meeting(context(territory), answers)
    assert meeting.starts_at == datetime(2027, 3, 30, 8, 0, tzinfo=UTC)
    assert meeting.starts_at.astimezone(PARIS).hour == 10
    assert meeting.ends_at - meeting.starts_at == timedelta(minutes=90)
    assert (meeting.id, meeting.body_id, meeting.series_id, meeting.sequence) == (
        0,
        "gt-crise",
        None,
        0,
    )
    assert (meeting.title, meeting.place, meeting.access, meeting.online_url) == (
        "Réunion du groupe crise",
        "Maison des associations",
        "Bus 259",
        None,
    )
    assert (meeting.helper, meeting.agenda, meeting.status) == (
        "Claire",
        "L'accueil aux urgences.",
        "scheduled",
    )


def test_draft_meeting_in_winter_time(territory: Territory) -> None:
    meeting = draft_meeting(context(territory), state(day="2027-03-23", time="10:00"))
    assert meeting.starts_at == datetime(2027, 3, 23, 9, 0, tzinfo=UTC)


def test_draft_meeting_defaults(territory: Territory) -> None:
    """No day: today on the territory's calendar; no time: 14:00; no duration: 2 hours."""
    late = datetime(2027, 3, 29, 23, 30, tzinfo=UTC)  # already 30 March in Paris
    meeting = draft_meeting(context(territory, now=late), state(body="gt-crise"))
    assert meeting.starts_at.astimezone(PARIS) == paris(2027, 3, 30, 14, 0)
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=2)
    assert (meeting.title, meeting.place, meeting.access, meeting.online_url) == (
        "",
        None,
        None,
        None,
    )
    assert (meeting.helper, meeting.agenda) == (None, None)


def test_draft_meeting_online(territory: Territory) -> None:
    answers = state(body="gt-crise", where="online", online_url=text("https://visio.example.org/a"))
    meeting = draft_meeting(context(territory), answers)
    assert (meeting.place, meeting.access, meeting.online_url) == (
        None,
        None,
        "https://visio.example.org/a",
    )


def test_a_skipped_access_is_none(territory: Territory) -> None:
    """« Passer cette question » removes the answer: no access line."""
    answers = state(where="place", place=text("Salle 3"))
    meeting = draft_meeting(context(territory), answers)
    assert (meeting.place, meeting.access) == ("Salle 3", None)


def test_editing_only_the_day_keeps_the_local_time_across_the_change(
    territory: Territory,
) -> None:
    base = stored()
    edited = draft_meeting(
        context(territory), state(meeting="m7", change="day", day="2027-03-30"), base
    )
    assert edited.starts_at.astimezone(PARIS) == paris(2027, 3, 30, 10, 0)
    assert edited.starts_at == datetime(2027, 3, 30, 8, 0, tzinfo=UTC)  # was 09:00 UTC
    assert edited.ends_at - edited.starts_at == timedelta(minutes=90)
    assert (edited.id, edited.body_id, edited.sequence) == (7, "gt-crise", 3)
    unchanged = ("title", "place", "access", "online_url", "helper", "agenda")
    assert all(getattr(edited, name) == getattr(base, name) for name in unchanged)


def test_editing_only_the_time_keeps_the_day(territory: Territory) -> None:
    base = stored()
    edited = draft_meeting(context(territory), state(meeting="m7", time="14:30"), base)
    assert edited.starts_at.astimezone(PARIS) == paris(2027, 3, 23, 14, 30)
    assert edited.ends_at.astimezone(PARIS) == paris(2027, 3, 23, 16, 0)
    assert (edited.title, edited.place) == (base.title, base.place)


def test_editing_the_place_to_online_drops_the_address(territory: Territory) -> None:
    base = stored()
    answers = state(meeting="m7", where="online", online_url=text("https://visio.example.org/b"))
    edited = draft_meeting(context(territory), answers, base)
    assert (edited.place, edited.access, edited.online_url) == (
        None,
        None,
        "https://visio.example.org/b",
    )
    assert edited.starts_at == base.starts_at and edited.ends_at == base.ends_at
    assert (edited.helper, edited.agenda) == (base.helper, base.agenda)


def test_editing_the_agenda_changes_only_the_agenda(territory: Territory) -> None:
    base = stored()
    edited = draft_meeting(context(territory), state(agenda=text("Le logement.")), base)
    assert edited.agenda == "Le logement."
    same = ("title", "starts_at", "ends_at", "place", "access", "online_url", "helper")
    assert all(getattr(edited, name) == getattr(base, name) for name in same)


@pytest.mark.parametrize(
    ("value", "expected"), [("m12", 12), ("12", 12), ("x12", None), ("", None), ("m", None)]
)
def test_meeting_id_of(value: str, expected: int | None) -> None:
    assert meeting_id_of(state(meeting=value)) == expected


# ---- with a database -----------------------------------------------------------------------


async def coordinator(tx: Tx, telegram_id: int, body: str) -> Person:
    person, _ = await people.get_or_create(tx, telegram_id)
    await tx.execute(
        "INSERT INTO roles (person_id, role, body_id, granted_at) VALUES (?, 'coordinator', ?, ?)",
        (person.id, body, "2026-01-01T00:00:00+00:00"),
    )
    return person


async def test_personal_choices(db: Database, territory: Territory) -> None:
    ctx = context(territory)
    async with db.transaction() as tx:
        marc = await coordinator(tx, 1, "gt-crise")
        await meetings.subscribe(tx, marc.id, "gt-logement", NOW)
        soon = await meetings.create(
            tx,
            body_id="gt-crise",
            title="Réunion du groupe crise",
            starts_at=paris(2027, 3, 30, 10, 0),
            ends_at=paris(2027, 3, 30, 12, 0),
            now=NOW,
        )
        await meetings.create(
            tx,
            body_id="gt-logement",
            title="Pas à moi",
            starts_at=paris(2027, 3, 31, 10, 0),
            ends_at=paris(2027, 3, 31, 12, 0),
            now=NOW,
        )
        choices = await personal_choices(tx, marc.id, territory, ctx.t, NOW)
        stranger, _ = await people.get_or_create(tx, 2)
        nothing = await personal_choices(tx, stranger.id, territory, ctx.t, NOW)
    assert choices == {
        "my_bodies": [("gt-crise", "Groupe de travail urgence et crise")],
        "my_meetings": [(f"m{soon}", "Réunion du groupe crise, mardi 30 mars 2027")],
        "followed": [("gt-logement", "Groupe de travail logement")],
    }
    assert nothing == {"my_bodies": [], "my_meetings": [], "followed": []}


def creation_answers(day: str, repeat: str) -> ConversationState:
    return state(
        body="gt-crise",
        title=text("Réunion du groupe crise"),
        day=day,
        time="10:00",
        duration="120",
        where="place",
        place=text("Maison des associations"),
        repeat=repeat,
    )


async def created_meeting(
    db: Database, territory: Territory, day: str, repeat: str
) -> tuple[dict[str, Any], int, list[datetime]]:
    async with db.transaction() as tx:
        marc = await coordinator(tx, 1, "gt-crise")
        result = await create_meeting(
            context(territory, tx=tx, person=marc), {}, creation_answers(day, repeat)
        )
        series = await tx.value("SELECT COUNT(*) FROM meeting_series")
        starts = [
            datetime.fromisoformat(r["starts_at"]).astimezone(PARIS)
            for r in await tx.all("SELECT starts_at FROM meetings ORDER BY starts_at")
        ]
    return result, series, starts


async def test_creating_a_weekly_meeting_makes_a_series_and_its_first_meetings(
    db: Database, territory: Territory
) -> None:
    result, series, starts = await created_meeting(db, territory, "2027-03-23", "weekly")
    assert result["when"] == "mardi 23 mars 2027 à 10 h"
    assert series == 1
    assert starts == [paris(2027, 3, d, 10, 0) for d in (23, 30)] + [paris(2027, 4, 6, 10, 0)]


async def test_creating_a_monthly_meeting_on_a_5th_weekday(
    db: Database, territory: Territory
) -> None:
    result, series, starts = await created_meeting(db, territory, "2027-03-30", "monthly")
    assert series == 1
    assert result["when"] == "mardi 30 mars 2027 à 10 h"
    assert starts[0] == paris(2027, 3, 30, 10, 0)


async def test_creating_a_quarterly_meeting_more_than_60_days_ahead(
    db: Database, territory: Territory
) -> None:
    result, series, starts = await created_meeting(db, territory, "2027-06-15", "quarterly")
    assert series == 1
    assert result["when"] == "mardi 15 juin 2027 à 10 h"
    assert starts == [paris(2027, 6, 15, 10, 0)]


async def test_a_once_meeting_far_ahead_is_created(db: Database, territory: Territory) -> None:
    """The control of the test above: a single meeting has no horizon."""
    result, series, starts = await created_meeting(db, territory, "2027-06-15", "once")
    assert (result["when"], series, starts) == (
        "mardi 15 juin 2027 à 10 h",
        0,
        [paris(2027, 6, 15, 10, 0)],
    )


def test_the_example_dates_are_what_the_tests_say() -> None:
    assert date(2027, 3, 30).weekday() == 1 and date(2027, 3, 2).weekday() == 1
    assert date(2027, 6, 15).weekday() == 1
    assert (datetime(2027, 6, 15, tzinfo=UTC) - NOW) > timedelta(days=60)
