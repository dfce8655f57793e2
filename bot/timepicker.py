"""A time of day picked with buttons (« 14 h 30 »), or typed the way people write it.

Meetings need a start time. Buttons offer the usual ones; a coordinator can also type
« 14h15 », « 14:15 », « 14 h » or « 9h ». The answer is kept as « HH:MM ».
"""

from __future__ import annotations

import re
from datetime import datetime, time

from bot.i18n import Translator

PREFIX = "t"
COMMON = (
    time(9, 0),
    time(9, 30),
    time(10, 0),
    time(10, 30),
    time(11, 0),
    time(14, 0),
    time(14, 30),
    time(15, 0),
    time(16, 0),
    time(17, 0),
    time(18, 0),
    time(18, 30),
)
PER_ROW = 4
TYPED = re.compile(
    r"^\s*(\d{1,2})\s*(?:(?:h|heures?|:|\.)\s*(\d{1,2})?)?\s*(?:([ap])\.?\s*m\.?)?\s*\.?\s*$",
    re.IGNORECASE,
)


def value(moment: time) -> str:
    return f"{PREFIX}{moment.hour:02d}{moment.minute:02d}"


def parse_value(data: str) -> time | None:
    """A tapped time button (« t1430 »); None if malformed."""
    if re.fullmatch(rf"{PREFIX}\d{{4}}", data):
        hour, minute = int(data[1:3]), int(data[3:5])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    return None


def parse_typed(text: str) -> time | None:
    """« 14h30 », « 14 h 30 », « 14:30 », « 14h », « 9 heures 30 », « 2:30 PM »; None if it
    is not a time."""
    match = TYPED.match(text)
    if not match:
        return None
    hour = int(match.group(1))
    minute = int(match.group(2) or 0)
    half = (match.group(3) or "").lower()  # « 2:30 pm », as English buttons show times
    if half and not 1 <= hour <= 12:
        return None
    if half == "p" and hour != 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def stored(moment: time) -> str:
    return moment.strftime("%H:%M")


def label(moment: time, t: Translator) -> str:
    """« 14 h 30 » in French, the locale's short time elsewhere."""
    return t.time_of_day(datetime.combine(datetime(2000, 1, 1).date(), moment))
