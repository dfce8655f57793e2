"""When a body meets again: a compact rule, its next dates, and a plain French description.

Bodies meet on fixed rhythms (a CDU at least once a quarter, a working group « le premier mardi
du mois »). The rule is stored as a short string in the territory TOML and in the database, and
dates are computed on the local wall clock so that a meeting at 14 h 30 stays at 14 h 30 in
winter and in summer.

Rule strings (case-insensitive on input, lower case on output):

- ``once`` — a single meeting;
- ``weekly`` / ``weekly:N`` — every week / every N weeks;
- ``monthly`` — every month on the first meeting's day of the month;
- ``monthly:N:DAY`` — the N-th weekday of each month, N in 1..4 or -1 for the last one, DAY in
  mon, tue, wed, thu, fri, sat, sun (``monthly:1:tue`` = the first Tuesday);
- ``quarterly`` — every 3 months on the first meeting's day of the month;
- any repeating rule may end with ``;until=YYYY-MM-DD`` (last local date, inclusive).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal, get_args

from babel.dates import get_day_names

from bot.i18n import N_, Translator

Kind = Literal["once", "weekly", "monthly_day", "monthly_weekday", "quarterly"]
KINDS: tuple[str, ...] = get_args(Kind)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index 0 = Monday, as datetime
ORDINALS = (1, 2, 3, 4, -1)  # a 5th weekday does not exist every month, so it is not offered

_SYNTAX = "expected once, weekly, weekly:N, monthly, monthly:N:DAY or quarterly"


@dataclass(frozen=True)
class Recurrence:
    """One meeting rhythm; the dates come from :func:`occurrences` and a first start."""

    kind: Kind
    interval: int = 1  # weeks between two meetings, for "weekly" only
    weekday: int | None = None  # 0 = Monday, for "monthly_weekday" only
    ordinal: int | None = None  # 1..4 or -1 (last), for "monthly_weekday" only
    until: date | None = None  # last local date a meeting may fall on, inclusive

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown recurrence kind {self.kind!r}: expected one of {KINDS}")
        if self.interval < 1 or (self.kind != "weekly" and self.interval != 1):
            raise ValueError(f"interval {self.interval} is only allowed as N >= 1 for weekly")
        if self.kind == "monthly_weekday":
            if self.weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
            if self.ordinal not in ORDINALS:
                raise ValueError(f"ordinal must be 1, 2, 3, 4 or -1 (last), not {self.ordinal}")
        elif self.weekday is not None or self.ordinal is not None:
            raise ValueError(f"weekday and ordinal are only for monthly_weekday, not {self.kind}")
        if self.kind == "once" and self.until is not None:
            raise ValueError("a single meeting (once) cannot have an end date")

    def rule(self) -> str:
        """The compact string form, the inverse of :func:`parse_rule`."""
        if self.kind == "weekly":
            text = "weekly" if self.interval == 1 else f"weekly:{self.interval}"
        elif self.kind == "monthly_day":
            text = "monthly"
        elif self.kind == "monthly_weekday":
            assert self.weekday is not None  # checked in __post_init__
            text = f"monthly:{self.ordinal}:{WEEKDAYS[self.weekday]}"
        else:
            text = self.kind
        if self.until is not None:
            text += f";until={self.until.isoformat()}"
        return text


def parse_rule(text: str) -> Recurrence:
    """Reads a rule string (see the module docstring); ValueError with a one-line reason."""
    raw = text
    text = text.strip().lower()
    head, sep, tail = text.partition(";")
    until: date | None = None
    if sep:
        key, _, value = tail.partition("=")
        if key.strip() != "until":
            raise ValueError(
                f"invalid recurrence rule {raw!r}: only ';until=YYYY-MM-DD' may follow"
            )
        try:
            until = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"invalid recurrence rule {raw!r}: until must be a date like 2026-12-31"
            ) from None
    parts = [part.strip() for part in head.split(":")]
    try:
        return _from_parts(parts, until)
    except ValueError as error:
        raise ValueError(f"invalid recurrence rule {raw!r}: {error}") from None


def _from_parts(parts: list[str], until: date | None) -> Recurrence:
    name, args = parts[0], parts[1:]
    if name in ("once", "quarterly") and not args:
        return Recurrence("once" if name == "once" else "quarterly", until=until)
    if name == "weekly" and len(args) <= 1:
        interval = _integer(args[0], "the number of weeks") if args else 1
        return Recurrence("weekly", interval=interval, until=until)
    if name == "monthly" and not args:
        return Recurrence("monthly_day", until=until)
    if name == "monthly" and len(args) == 2:
        ordinal = _integer(args[0], "the position in the month")
        if args[1] not in WEEKDAYS:
            raise ValueError(f"day must be one of {', '.join(WEEKDAYS)}, not {args[1]!r}")
        return Recurrence(
            "monthly_weekday", weekday=WEEKDAYS.index(args[1]), ordinal=ordinal, until=until
        )
    raise ValueError(_SYNTAX)


def _integer(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{what} must be a whole number, not {value!r}") from None


# --- Dates -------------------------------------------------------------------------------------


def occurrences(
    first_start: datetime, rule: Recurrence, after: datetime, limit: int
) -> list[datetime]:
    """The next ``limit`` meeting starts strictly after ``after``, in ``first_start``'s zone.

    Dates are computed on the local wall clock, then put back in the zone, so 14:30 stays
    14:30 on both sides of a daylight-saving change. ``first_start`` is the series' first
    meeting and sets the time of day; it should match the rule (with ``monthly:1:tue``, a first
    Tuesday): if it does not, the series starts at the first matching date after it.

    - ``monthly`` on the 29th, 30th or 31st **skips** the months without that day (like
      RFC 5545): nobody expects « le 31 » to move to the 30th.
    - ``quarterly`` keeps the first start's day of the month, **clamped** to the month's end
      (31 January, 30 April, 31 July …): a quarterly body must still meet that quarter.
    - A wall-clock time that does not exist that day (inside the spring gap) moves forward
      by the gap; an ambiguous one (autumn) is the first of the two (summer time).
    - ``until`` is compared with the local date of each start, inclusive.
    """
    if first_start.tzinfo is None or after.tzinfo is None:
        raise ValueError("first_start and after must be timezone-aware")
    if limit <= 0:
        return []
    tz = first_start.tzinfo
    first = first_start.replace(tzinfo=None, fold=0)
    found: list[datetime] = []
    for wall in _wall_times(first, rule, after.astimezone(tz).replace(tzinfo=None)):
        if rule.until is not None and wall.date() > rule.until:
            break
        start = _localize(wall, tz)
        if start.astimezone(UTC) > after.astimezone(UTC):  # instants, not wall clocks
            found.append(start)
            if len(found) == limit:
                break
    return found


def _wall_times(first: datetime, rule: Recurrence, after: datetime) -> Iterator[datetime]:
    """Local wall-clock starts in increasing order, from a little before ``after`` (naive)."""
    if rule.kind == "once":
        yield first
        return
    if rule.kind == "weekly":
        step = timedelta(weeks=rule.interval)
        # Jump close to `after` instead of walking the whole past; one step early to be safe.
        index = max(0, (after - first) // step - 1)
        while True:
            yield first + index * step
            index += 1
    months = 3 if rule.kind == "quarterly" else 1
    elapsed = (after.year - first.year) * 12 + after.month - first.month
    index = max(0, elapsed // months - 1)
    while True:
        year, month = divmod(first.month - 1 + index * months, 12)
        year, month = first.year + year, month + 1
        index += 1
        days_in_month = calendar.monthrange(year, month)[1]
        if rule.kind == "monthly_weekday":
            assert rule.weekday is not None and rule.ordinal is not None
            day = _nth_weekday(year, month, rule.weekday, rule.ordinal, days_in_month)
        elif rule.kind == "quarterly":
            day = min(first.day, days_in_month)
        elif first.day <= days_in_month:
            day = first.day
        else:
            continue  # monthly on the 31st: no meeting in a 30-day month
        wall = first.replace(year=year, month=month, day=day)
        if wall >= first:
            yield wall


def _nth_weekday(year: int, month: int, weekday: int, ordinal: int, days_in_month: int) -> int:
    """Day of the month of the ``ordinal``-th ``weekday`` (-1 = the last one)."""
    if ordinal > 0:
        first_weekday = date(year, month, 1).weekday()
        return 1 + (weekday - first_weekday) % 7 + 7 * (ordinal - 1)
    last_weekday = date(year, month, days_in_month).weekday()
    return days_in_month - (last_weekday - weekday) % 7


def _localize(wall: datetime, tz: tzinfo) -> datetime:
    """Puts a naive wall time in ``tz``; a time inside a spring gap moves forward by the gap."""
    return wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


# --- Words -------------------------------------------------------------------------------------

_ORDINAL_TEXTS = {
    1: N_("le premier {weekday} du mois"),
    2: N_("le 2e {weekday} du mois"),
    3: N_("le 3e {weekday} du mois"),
    4: N_("le 4e {weekday} du mois"),
    -1: N_("le dernier {weekday} du mois"),
}


def describe(rule: Recurrence, t: Translator, first_start: date | None = None) -> str:
    """The rhythm in plain words, « le premier mardi du mois », for a meeting card.

    ``first_start`` (a date or datetime) adds the day to monthly rules: « le 15 de chaque
    mois ». Weekday names come from Babel (CLDR), so they follow the reader's language.
    """
    if rule.kind == "once":
        text = t(N_("une seule fois"))
    elif rule.kind == "weekly":
        if rule.interval == 1:
            text = t(N_("chaque semaine"))
        else:
            text = t(N_("toutes les {n} semaines")).format(n=rule.interval)
    elif rule.kind == "monthly_weekday":
        assert rule.weekday is not None and rule.ordinal is not None
        weekday = get_day_names("wide", locale=t.lang)[rule.weekday]
        text = t(_ORDINAL_TEXTS[rule.ordinal]).format(weekday=weekday)
    elif rule.kind == "monthly_day" and first_start is not None:
        day = "1er" if t.lang == "fr" and first_start.day == 1 else str(first_start.day)
        text = t(N_("le {day} de chaque mois")).format(day=day)
    elif rule.kind == "monthly_day":
        text = t(N_("chaque mois"))
    else:
        text = t(N_("tous les 3 mois"))
    if rule.until is not None:
        text = t(N_("{rhythm}, jusqu'au {date}")).format(rhythm=text, date=t.full_date(rule.until))
    return text
