"""Reminder times: calendar days on the wall clock, real hours, and no messages at night."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.meetings.reminders import (
    DEFAULT_OFFSETS,
    QUIET_END,
    QUIET_START,
    Reminder,
    daytime,
    in_quiet_hours,
    offset_name,
    reminder_times,
)

PARIS = ZoneInfo("Europe/Paris")
CAYENNE = ZoneInfo("America/Cayenne")
REUNION = ZoneInfo("Indian/Reunion")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def local(reminders: list[Reminder]) -> dict[str, tuple[str, str, bool]]:
    """name → (ISO local time with offset, weekday, shifted): readable and exact."""
    return {
        r.name: (r.at.isoformat(timespec="minutes"), r.at.strftime("%a"), r.shifted)
        for r in reminders
    }


def test_constants() -> None:
    expected = (timedelta(days=7), timedelta(days=1), timedelta(hours=3))
    assert expected == DEFAULT_OFFSETS
    assert [offset_name(o) for o in DEFAULT_OFFSETS] == ["j7", "j1", "h3"]
    assert (QUIET_START.hour, QUIET_START.minute) == (21, 0)
    assert (QUIET_END.hour, QUIET_END.minute) == (8, 0)


def test_tuesday_3_march_2026_at_14_30() -> None:
    """« mardi 3 mars 2026 à 14 h 30 »: all three reminders at 14:30 or 11:30, unmoved."""
    reminders = reminder_times(paris(2026, 3, 3, 14, 30))
    assert [r.name for r in reminders] == ["j7", "j1", "h3"]
    assert local(reminders) == {
        "j7": ("2026-02-24T14:30+01:00", "Tue", False),
        "j1": ("2026-03-02T14:30+01:00", "Mon", False),
        "h3": ("2026-03-03T11:30+01:00", "Tue", False),
    }
    assert all(r.at.tzinfo is PARIS and not r.past for r in reminders)


def test_monday_after_spring_change() -> None:
    """Monday 30 March 2026 09:00, the day after summer time starts (Sunday 29 March)."""
    start = paris(2026, 3, 30, 9, 0)
    reminders = reminder_times(start)
    assert local(reminders) == {
        "j7": ("2026-03-23T09:00+01:00", "Mon", False),
        "j1": ("2026-03-29T09:00+02:00", "Sun", False),
        # 06:00 is in quiet hours; 08:00 is still 1 hour before the meeting.
        "h3": ("2026-03-30T08:00+02:00", "Mon", True),
    }
    by_name = {r.name: r for r in reminders}
    # J-7 is 7 calendar days but only 167 real hours before: the night of 29 March is short.
    assert start.astimezone(UTC) - by_name["j7"].at.astimezone(UTC) == timedelta(hours=167)
    assert start.astimezone(UTC) - by_name["h3"].at.astimezone(UTC) == timedelta(hours=1)


def test_day_before_a_meeting_on_the_change_day_keeps_wall_clock() -> None:
    start = paris(2026, 3, 29, 14, 30)
    (j1,) = reminder_times(start, offsets=[timedelta(days=1)])
    assert j1.at.isoformat() == "2026-03-28T14:30:00+01:00"
    assert start.astimezone(UTC) - j1.at.astimezone(UTC) == timedelta(hours=23)


def test_autumn_change_keeps_wall_clock() -> None:
    start = paris(2026, 10, 26, 14, 30)  # Monday after winter time starts on 25 October
    j7, j1, h3 = reminder_times(start)
    assert j7.at.isoformat() == "2026-10-19T14:30:00+02:00"
    assert j1.at.isoformat() == "2026-10-25T14:30:00+01:00"
    assert h3.at.isoformat() == "2026-10-26T11:30:00+01:00"
    assert start.astimezone(UTC) - j7.at.astimezone(UTC) == timedelta(hours=169)


def test_hour_offsets_count_real_time_across_a_change() -> None:
    # 20 real hours before Sunday 29 March 10:00 (summer) is Saturday 13:00 (winter), not 14:00.
    (h20,) = reminder_times(paris(2026, 3, 29, 10, 0), offsets=[timedelta(hours=20)])
    assert (h20.name, h20.at.isoformat()) == ("h20", "2026-03-28T13:00:00+01:00")


def test_h3_of_an_08_30_meeting_goes_back_to_the_evening_before() -> None:
    # H-3 is 05:30; 08:00 would be only 30 minutes before, so 20:30 the evening before.
    reminders = reminder_times(paris(2026, 3, 3, 8, 30))
    assert local(reminders) == {
        "j7": ("2026-02-24T08:30+01:00", "Tue", False),
        "j1": ("2026-03-02T08:30+01:00", "Mon", False),
        "h3": ("2026-03-02T20:30+01:00", "Mon", True),
    }


def test_j1_of_a_22_00_meeting_stays_the_day_before() -> None:
    reminders = reminder_times(paris(2026, 3, 3, 22, 0))
    assert local(reminders) == {
        "j7": ("2026-02-24T20:30+01:00", "Tue", True),
        "j1": ("2026-03-02T20:30+01:00", "Mon", True),
        "h3": ("2026-03-03T19:00+01:00", "Tue", False),
    }


def test_overseas_cayenne_evening_meeting() -> None:
    reminders = reminder_times(datetime(2026, 7, 7, 21, 30, tzinfo=CAYENNE))
    assert local(reminders) == {
        "j7": ("2026-06-30T20:30-03:00", "Tue", True),
        "j1": ("2026-07-06T20:30-03:00", "Mon", True),
        "h3": ("2026-07-07T18:30-03:00", "Tue", False),
    }


def test_overseas_reunion_morning_meeting_from_utc() -> None:
    """A start stored in UTC is put in the meeting's zone before any arithmetic."""
    start = datetime(2026, 5, 12, 6, 30, tzinfo=UTC)  # 10:30 in La Réunion
    reminders = reminder_times(start, tz=REUNION)
    assert local(reminders) == {
        "j7": ("2026-05-05T10:30+04:00", "Tue", False),
        "j1": ("2026-05-11T10:30+04:00", "Mon", False),
        "h3": ("2026-05-12T08:00+04:00", "Tue", True),  # 07:30 → 08:00
    }
    assert all(r.at.tzinfo is REUNION for r in reminders)


def test_quiet_hours_bounds() -> None:
    assert in_quiet_hours(paris(2026, 3, 3, 21, 0))
    assert in_quiet_hours(paris(2026, 3, 3, 7, 59))
    assert in_quiet_hours(paris(2026, 3, 3, 0, 0))
    assert not in_quiet_hours(paris(2026, 3, 3, 20, 59))
    assert not in_quiet_hours(paris(2026, 3, 3, 8, 0))
    # A reminder at exactly 08:00 or 20:59 is left alone; one at 21:00 moves to 20:30.
    assert reminder_times(paris(2026, 3, 3, 11, 0))[-1].at == paris(2026, 3, 3, 8, 0)
    (h1,) = reminder_times(paris(2026, 3, 3, 21, 59), offsets=[timedelta(hours=1)])
    assert (h1.at, h1.shifted) == (paris(2026, 3, 3, 20, 59), False)
    (h1,) = reminder_times(paris(2026, 3, 3, 22, 0), offsets=[timedelta(hours=1)])
    assert (h1.at, h1.shifted) == (paris(2026, 3, 3, 20, 30), True)


def test_reminders_landing_on_the_same_minute_collapse_into_the_later_one() -> None:
    # H-2 (06:30) and H-1 (07:30) of an 08:30 meeting both go to 20:30 the evening before.
    reminders = reminder_times(
        paris(2026, 3, 3, 8, 30),
        offsets=[timedelta(days=1), timedelta(hours=2), timedelta(hours=1)],
    )
    assert [(r.name, r.at) for r in reminders] == [
        ("j1", paris(2026, 3, 2, 8, 30)),
        ("h1", paris(2026, 3, 2, 20, 30)),
    ]


def test_output_is_sorted_by_time_whatever_the_offsets_order() -> None:
    reminders = reminder_times(
        paris(2026, 3, 3, 14, 30), offsets=[timedelta(hours=3), timedelta(days=7)]
    )
    assert [r.name for r in reminders] == ["j7", "h3"]


def test_past_flag_uses_now_only() -> None:
    start = paris(2026, 3, 3, 14, 30)
    now = paris(2026, 3, 2, 14, 30)  # exactly J-1: not past yet
    flags = {r.name: r.past for r in reminder_times(start, now=now)}
    assert flags == {"j7": True, "j1": False, "h3": False}
    later = datetime(2026, 3, 2, 13, 31, tzinfo=UTC)  # 14:31 Paris, in another zone
    assert {r.name: r.past for r in reminder_times(start, now=later)} == {
        "j7": True,
        "j1": True,
        "h3": False,
    }


def test_deterministic() -> None:
    start = paris(2026, 3, 3, 14, 30)
    assert reminder_times(start) == reminder_times(start)


@pytest.mark.parametrize(
    ("offset", "name"),
    [
        (timedelta(days=7), "j7"),
        (timedelta(hours=48), "j2"),
        (timedelta(hours=3), "h3"),
        (timedelta(minutes=30), "m30"),
        (timedelta(hours=1, minutes=30), "m90"),
    ],
)
def test_offset_names(offset: timedelta, name: str) -> None:
    assert offset_name(offset) == name


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        reminder_times(paris(2026, 3, 3, 14, 30), offsets=[timedelta(0)])
    with pytest.raises(ValueError, match="same name"):
        reminder_times(paris(2026, 3, 3, 14, 30), offsets=[timedelta(days=1), timedelta(hours=24)])
    with pytest.raises(ValueError, match="timezone-aware"):
        reminder_times(datetime(2026, 3, 3, 14, 30))


# ---- notices written at night wait for the morning ----------------------------------------


def test_a_notice_written_by_day_goes_now() -> None:
    now = datetime(2027, 3, 22, 15, 0, tzinfo=PARIS)
    assert daytime(now, PARIS) == now


def test_a_notice_written_in_the_evening_waits_for_8_the_next_morning() -> None:
    now = datetime(2027, 3, 22, 23, 10, tzinfo=PARIS)
    assert daytime(now, PARIS) == datetime(2027, 3, 23, 8, 0, tzinfo=PARIS)


def test_a_notice_written_before_dawn_waits_for_8_the_same_morning() -> None:
    now = datetime(2027, 3, 23, 5, 0, tzinfo=PARIS)
    assert daytime(now, PARIS) == datetime(2027, 3, 23, 8, 0, tzinfo=PARIS)


def test_a_notice_for_an_early_meeting_goes_at_once_even_at_night() -> None:
    now = datetime(2027, 3, 22, 23, 10, tzinfo=PARIS)
    early = datetime(2027, 3, 23, 8, 30, tzinfo=PARIS)
    later = datetime(2027, 3, 23, 10, 0, tzinfo=PARIS)
    assert daytime(now, PARIS, before=early) == now
    assert daytime(now, PARIS, before=later) == datetime(2027, 3, 23, 8, 0, tzinfo=PARIS)
