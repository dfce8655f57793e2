"""Calendar files: they parse back, carry the territory's zone and cancel the right event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from bot.meetings.calendar_file import PRODID, cancel_ics, meeting_ics

PARIS = ZoneInfo("Europe/Paris")
REUNION = ZoneInfo("Indian/Reunion")
STAMP = datetime(2026, 2, 20, 9, 15, tzinfo=UTC)
START = datetime(2026, 3, 3, 14, 30, tzinfo=PARIS)
END = datetime(2026, 3, 3, 16, 0, tzinfo=PARIS)


def only_event(data: bytes) -> tuple[Calendar, Event]:
    cal = Calendar.from_ical(data)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return cal, events[0]


def test_meeting_parses_back_with_every_field() -> None:
    data = meeting_ics(
        "cdu-2026-03-03@porte-voix",
        "Commission des usagers",
        START,
        END,
        PARIS,
        location="Hôpital Nord, salle 2",
        url="https://example.org/cdu",
        description="Ordre du jour : accueil, repas.\nVenez avec vos questions.",
        sequence=0,
        stamp=STAMP,
    )
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"DTSTART;TZID=Europe/Paris:20260303T143000" in data
    cal, event = only_event(data)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["PRODID"]) == PRODID
    assert str(cal["VERSION"]) == "2.0"
    assert str(event["UID"]) == "cdu-2026-03-03@porte-voix"
    assert str(event["SUMMARY"]) == "Commission des usagers"
    assert str(event["LOCATION"]) == "Hôpital Nord, salle 2"
    assert str(event["URL"]) == "https://example.org/cdu"
    assert str(event["DESCRIPTION"]) == "Ordre du jour : accueil, repas.\nVenez avec vos questions."
    assert str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTAMP") == STAMP

    start = event.decoded("DTSTART")
    assert start == START  # same instant
    assert start.tzinfo == PARIS and (start.hour, start.minute) == (14, 30)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTEND") == END
    assert event["DTEND"].params["TZID"] == "Europe/Paris"


def test_vtimezone_is_included_with_the_year_s_changes() -> None:
    cal, _ = only_event(meeting_ics("u", "T", START, END, PARIS, stamp=STAMP))
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Paris"
    changes = {
        (c.name, c.decoded("DTSTART").date().isoformat(), c.decoded("TZOFFSETTO"))
        for c in zone.walk()
        if c.name in ("STANDARD", "DAYLIGHT")
    }
    assert ("DAYLIGHT", "2026-03-29", timedelta(hours=2)) in changes
    assert ("STANDARD", "2026-10-25", timedelta(hours=1)) in changes
    assert cal.get_missing_tzids() == set()


def test_start_in_utc_is_written_in_the_territory_zone() -> None:
    start = datetime(2026, 5, 12, 6, 30, tzinfo=UTC)  # 10:30 in La Réunion
    data = meeting_ics("u", "GEM", start, start + timedelta(hours=2), REUNION, stamp=STAMP)
    assert b"DTSTART;TZID=Indian/Reunion:20260512T103000" in data
    assert b"DTEND;TZID=Indian/Reunion:20260512T123000" in data
    _, event = only_event(data)
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=4)


def test_optional_fields_are_left_out() -> None:
    _, event = only_event(meeting_ics("u", "T", START, END, PARIS, stamp=STAMP))
    assert "LOCATION" not in event and "URL" not in event and "DESCRIPTION" not in event


def test_stamp_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    _, event = only_event(meeting_ics("u", "T", START, END, PARIS))
    stamp = event.decoded("DTSTAMP")
    assert stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= datetime.now(UTC)


def test_same_input_same_bytes() -> None:
    args = ("u", "T", START, END, PARIS, "Salle 2", None, None)
    assert meeting_ics(*args, stamp=STAMP) == meeting_ics(*args, stamp=STAMP)


def test_cancel_keeps_uid_and_raises_sequence() -> None:
    data = cancel_ics(
        "cdu-2026-03-03@porte-voix",
        "Commission des usagers",
        START,
        END,
        PARIS,
        location="Hôpital Nord, salle 2",
        sequence=1,
        stamp=STAMP,
    )
    cal, event = only_event(data)
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == "cdu-2026-03-03@porte-voix"
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == START


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="end after it starts"):
        meeting_ics("u", "T", END, START, PARIS)
    with pytest.raises(ValueError, match="timezone-aware"):
        meeting_ics("u", "T", datetime(2026, 3, 3, 14, 30), END, PARIS)
    with pytest.raises(ValueError, match="sequence"):
        cancel_ics("u", "T", START, END, PARIS, sequence=-1)
