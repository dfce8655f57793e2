"""When to remind people of a meeting: 7 days, 1 day and 3 hours before, never at night.

Pure and deterministic: the clock is only read by the caller and passed in as ``now``.

Quiet hours are 21:00 to 08:00 local time (:data:`QUIET_START`, :data:`QUIET_END`). A reminder
that falls in them is **moved, never dropped**, and keeps its calendar day when it can, because
a « J-1 » reminder is there to warn people the day before (transport, childcare, a helper):

1. Evening, from 21:00 to midnight: moved **back** to 20:30 the same evening.
2. Early morning, from midnight to 08:00: moved **forward** to 08:00 the same morning, unless
   that is less than 1 hour before the meeting start (:data:`MIN_LEAD`); then it is moved
   **back** to 20:30 the evening before.

So the J-1 of a 22:00 meeting goes out at 20:30 the day before, the H-3 of a 09:00 meeting at
08:00, and the H-3 of an 08:30 meeting at 20:30 the evening before.

Two reminders that land on the same minute after moving become one: the one listed **later**
in ``offsets`` (the one closer to the meeting, with the most up-to-date wording) is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import NamedTuple

DEFAULT_OFFSETS: tuple[timedelta, ...] = (
    timedelta(days=7),  # "j7"
    timedelta(days=1),  # "j1"
    timedelta(hours=3),  # "h3"
)
QUIET_START = time(21, 0)
QUIET_END = time(8, 0)
EVENING_FALLBACK = time(20, 30)  # the last round time before quiet hours
MIN_LEAD = timedelta(hours=1)  # a morning reminder closer than this to the start is useless


class Reminder(NamedTuple):
    """One reminder to send; ``past`` is for the caller to decide whether to still send it."""

    name: str  # "j7", "j1", "h3": stable, used as a key in storage and job names
    at: datetime  # aware, in the meeting's zone
    shifted: bool  # moved out of quiet hours
    past: bool  # ``at`` is before ``now`` (always False without ``now``)


def offset_name(offset: timedelta) -> str:
    """« j7 » for 7 days, « h3 » for 3 hours, « m30 » for 30 minutes."""
    if offset <= timedelta(0):
        raise ValueError(f"a reminder offset must be positive, not {offset}")
    if offset % timedelta(days=1) == timedelta(0):
        return f"j{offset.days}"
    if offset % timedelta(hours=1) == timedelta(0):
        return f"h{offset // timedelta(hours=1)}"
    return f"m{offset // timedelta(minutes=1)}"


def reminder_times(
    start: datetime,
    offsets: Sequence[timedelta] = DEFAULT_OFFSETS,
    tz: tzinfo | None = None,
    now: datetime | None = None,
) -> list[Reminder]:
    """The reminders for a meeting starting at ``start``, earliest first.

    An offset of whole days counts **local calendar days** on the wall clock: the J-7 of
    Tuesday 3 March 14:30 is Tuesday 24 February 14:30, even across a daylight-saving change.
    Other offsets count real elapsed time: H-3 is exactly 3 hours before. Quiet hours and
    merging follow the module docstring. ``tz`` is the meeting's zone (default: ``start``'s);
    the results are aware datetimes in that zone.
    """
    if start.tzinfo is None or (now is not None and now.tzinfo is None):
        raise ValueError("start and now must be timezone-aware")
    zone = tz or start.tzinfo
    assert zone is not None
    local_start = start.astimezone(zone)
    names = [offset_name(offset) for offset in offsets]
    if len(set(names)) != len(names):
        raise ValueError(f"two reminder offsets have the same name: {names}")

    by_minute: dict[datetime, Reminder] = {}
    for name, offset in zip(names, offsets, strict=True):
        if offset % timedelta(days=1) == timedelta(0):
            wall = local_start.replace(tzinfo=None) - offset
            at = _localize(wall, zone)
        else:
            at = (local_start.astimezone(UTC) - offset).astimezone(zone)
        moved = _out_of_quiet_hours(at, local_start, zone)
        instant = moved.astimezone(UTC)  # aware datetimes in one zone compare on the wall clock
        reminder = Reminder(
            name=name,
            at=moved,
            shifted=instant != at.astimezone(UTC),
            past=now is not None and instant < now.astimezone(UTC),
        )
        # Later offsets overwrite earlier ones on the same minute: the closer reminder wins.
        by_minute[instant.replace(second=0, microsecond=0)] = reminder
    return [by_minute[minute] for minute in sorted(by_minute)]


def in_quiet_hours(moment: datetime) -> bool:
    """True from 21:00 (included) to 08:00 (excluded), on ``moment``'s own wall clock."""
    clock = moment.timetz().replace(tzinfo=None)
    return clock >= QUIET_START or clock < QUIET_END


def _out_of_quiet_hours(at: datetime, start: datetime, zone: tzinfo) -> datetime:
    """Applies the quiet-hours rule of the module docstring to one reminder time."""
    if not in_quiet_hours(at):
        return at
    day = at.date()
    if at.timetz().replace(tzinfo=None) >= QUIET_START:
        return _localize(datetime.combine(day, EVENING_FALLBACK), zone)
    morning = _localize(datetime.combine(day, QUIET_END), zone)
    if morning.astimezone(UTC) <= start.astimezone(UTC) - MIN_LEAD:
        return morning
    return _localize(datetime.combine(day - timedelta(days=1), EVENING_FALLBACK), zone)


def _localize(wall: datetime, zone: tzinfo) -> datetime:
    """Puts a naive wall time in ``zone``; a time inside a spring gap moves forward by the gap."""
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def daytime(now: datetime, zone: tzinfo, before: datetime | None = None) -> datetime:
    """When a notice written at `now` may go out: now, or 08:00 if it is night (21:00–08:00).

    `before` (a meeting's start) keeps it urgent: if 08:00 is less than :data:`MIN_LEAD` before
    it, the notice goes now, night or not (« the meeting at 08:30 is cancelled »).
    """
    local = now.astimezone(zone)
    if not in_quiet_hours(local):
        return now
    day = local.date() + timedelta(days=1) if local.time() >= QUIET_START else local.date()
    morning = _localize(datetime.combine(day, QUIET_END), zone)
    if before is not None and before.astimezone(UTC) - MIN_LEAD < morning.astimezone(UTC):
        return now
    return morning.astimezone(UTC)
