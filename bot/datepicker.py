"""A date picked with buttons: one month of days, month arrows, and « je ne sais plus ».

People do not have to type a date (typing « 12/03 » is hard and numeric dates are not FALC):
they tap a day. By default future days are not offered: a complaint is about something that
happened. A step with `dates: future` offers today and later days instead (a meeting's date).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from babel.dates import format_date

UNKNOWN = "unknown"
DAY_PREFIX = "d"
MONTH_PREFIX = "m"
DAYS_PER_ROW = 7
TYPED = re.compile(r"^\s*(\d{1,2})[/.\- ](\d{1,2})(?:[/.\- ](\d{2,4}))?\s*$")


def month_value(year: int, month: int) -> str:
    return f"{MONTH_PREFIX}{year:04d}{month:02d}"


def day_value(day: date) -> str:
    return f"{DAY_PREFIX}{day.isoformat()}"


def parse_month(value: str) -> tuple[int, int] | None:
    if re.fullmatch(rf"{MONTH_PREFIX}\d{{6}}", value):
        year, month = int(value[1:5]), int(value[5:7])
        if 1 <= month <= 12:
            return year, month
    return None


def _allowed(day: date, today: date, future: bool) -> bool:
    return day >= today if future else day <= today


def parse_day(value: str, today: date, future: bool = False) -> date | None:
    """A tapped day, refused if it is on the wrong side of today, or malformed."""
    if not value.startswith(DAY_PREFIX):
        return None
    try:
        day = date.fromisoformat(value[1:])
    except ValueError:
        return None
    return day if _allowed(day, today, future) else None


def parse_typed(text: str, today: date, future: bool = False) -> date | None:
    """A typed date (« 12/03/2026 », « 12-3 »): accepted too, for those who prefer typing."""
    match = TYPED.match(text)
    if not match:
        return None
    day, month = int(match.group(1)), int(match.group(2))
    year = int(match.group(3)) if match.group(3) else today.year
    if year < 100:
        year += 2000
    try:
        typed = date(year, month, day)
    except ValueError:
        return None
    if not match.group(3) and not _allowed(typed, today, future):
        try:
            typed = typed.replace(year=typed.year + (1 if future else -1))
        except ValueError:  # 29 February
            return None
    return typed if _allowed(typed, today, future) else None


def shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def month_title(year: int, month: int, lang: str) -> str:
    """« novembre 2026 »."""
    return format_date(date(year, month, 1), "LLLL y", locale=lang)


def days(year: int, month: int, today: date, future: bool = False) -> list[date]:
    """The days of a month that can be picked (none after today, or none before it)."""
    last = calendar.monthrange(year, month)[1]
    return [
        date(year, month, d)
        for d in range(1, last + 1)
        if _allowed(date(year, month, d), today, future)
    ]


def can_go_forward(year: int, month: int, today: date, future: bool = False) -> bool:
    return future or (year, month) < (today.year, today.month)


def can_go_back(year: int, month: int, today: date, future: bool = False) -> bool:
    return not future or (year, month) > (today.year, today.month)
