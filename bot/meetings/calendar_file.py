"""A calendar file (.ics) for one meeting, so people can add it to their phone's calendar.

The start and end carry the territory's zone (TZID) with its VTIMEZONE, so a phone set to
another zone (a relative in Paris, a meeting in Cayenne) still shows the right local time.
A cancellation is a second file with the same UID, a higher SEQUENCE and STATUS:CANCELLED:
calendars that imported the first file then mark the meeting as cancelled.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

PRODID = "-//Porte-voix//FR"


def meeting_ics(
    uid: str,
    title: str,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    location: str | None = None,
    url: str | None = None,
    description: str | None = None,
    prodid: str = PRODID,
    *,
    sequence: int = 0,
    stamp: datetime | None = None,
) -> bytes:
    """METHOD:PUBLISH file for one occurrence; ``uid`` must stay the same for that occurrence.

    ``sequence`` goes up by 1 each time the meeting changes. ``stamp`` (DTSTAMP, when the
    file was made) defaults to now; pass it for reproducible output.
    """
    return _ics(
        "PUBLISH", uid, title, start, end, tz, location, url, description, prodid, sequence, stamp
    )


def cancel_ics(
    uid: str,
    title: str,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    location: str | None = None,
    url: str | None = None,
    description: str | None = None,
    prodid: str = PRODID,
    *,
    sequence: int,
    stamp: datetime | None = None,
) -> bytes:
    """METHOD:CANCEL file: same ``uid`` as the published one, ``sequence`` higher than its."""
    return _ics(
        "CANCEL", uid, title, start, end, tz, location, url, description, prodid, sequence, stamp
    )


def _ics(
    method: Literal["PUBLISH", "CANCEL"],
    uid: str,
    title: str,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    location: str | None,
    url: str | None,
    description: str | None,
    prodid: str,
    sequence: int,
    stamp: datetime | None,
) -> bytes:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if end <= start:
        raise ValueError(f"the meeting must end after it starts ({start} → {end})")
    if sequence < 0:
        raise ValueError(f"sequence must be 0 or more, not {sequence}")
    start, end = start.astimezone(tz), end.astimezone(tz)

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", (stamp or datetime.now(UTC)).astimezone(UTC))
    event.add("sequence", sequence)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", title)
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")

    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(_vtimezone(tz, start.year, end.year + 1))
    cal.add_component(event)
    return cal.to_ical()


@lru_cache(maxsize=32)
def _vtimezone(tz: ZoneInfo, first_year: int, last_year: int) -> Timezone:
    """The zone's rules over the meeting's years: enough for any client, and a short file.

    Cached because icalendar computes the transitions by scanning the zone (slow).
    """
    return Timezone.from_tzinfo(
        tz, tzid=tz.key, first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1)
    )
