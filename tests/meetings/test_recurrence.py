"""Recurrence rules: parsing, dates on the local wall clock, and the words people read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from babel.support import NullTranslations
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import Translator
from bot.meetings.recurrence import Recurrence, describe, occurrences, parse_rule
from bot.plain.lint import has_errors, lint

PARIS = ZoneInfo("Europe/Paris")
CAYENNE = ZoneInfo("America/Cayenne")
FR = Translator("fr", NullTranslations())


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


# --- parse_rule / rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("once", Recurrence("once")),
        ("weekly", Recurrence("weekly")),
        ("weekly:2", Recurrence("weekly", interval=2)),
        ("monthly", Recurrence("monthly_day")),
        ("monthly:1:tue", Recurrence("monthly_weekday", weekday=1, ordinal=1)),
        ("monthly:-1:fri", Recurrence("monthly_weekday", weekday=4, ordinal=-1)),
        ("monthly:3:sun", Recurrence("monthly_weekday", weekday=6, ordinal=3)),
        ("quarterly", Recurrence("quarterly")),
        ("weekly:2;until=2026-12-31", Recurrence("weekly", interval=2, until=date(2026, 12, 31))),
        ("quarterly;until=2027-06-30", Recurrence("quarterly", until=date(2027, 6, 30))),
    ],
)
def test_parse_and_round_trip(text: str, expected: Recurrence) -> None:
    assert parse_rule(text) == expected
    assert expected.rule() == text
    assert parse_rule(expected.rule()) == expected


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("  Monthly:1:TUE ", "monthly:1:tue"),
        ("weekly:1", "weekly"),
        ("WEEKLY ; until = 2026-06-30", "weekly;until=2026-06-30"),
    ],
)
def test_parse_is_lenient_on_case_and_spaces(text: str, canonical: str) -> None:
    assert parse_rule(text).rule() == canonical


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "expected once, weekly"),
        ("daily", "expected once, weekly"),
        ("weekly:0", "interval 0"),
        ("weekly:-2", "interval -2"),
        ("weekly:two", "number of weeks must be a whole number"),
        ("weekly:2:3", "expected once, weekly"),
        ("monthly:5:tue", "ordinal must be 1, 2, 3, 4 or -1"),
        ("monthly:0:tue", "ordinal must be 1, 2, 3, 4 or -1"),
        ("monthly:1:mardi", "day must be one of mon"),
        ("monthly:first:tue", "position in the month must be a whole number"),
        ("monthly:1", "expected once, weekly"),
        ("quarterly:2", "expected once, weekly"),
        ("once;until=2026-01-01", "cannot have an end date"),
        ("weekly;until=31/12/2026", "until must be a date"),
        ("weekly;count=3", "only ';until=YYYY-MM-DD'"),
    ],
)
def test_bad_rules_raise_one_line(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match="invalid recurrence rule") as error:
        parse_rule(text)
    message = str(error.value)
    assert reason in message
    assert repr(text) in message
    assert "\n" not in message


def test_dataclass_rejects_inconsistent_fields() -> None:
    with pytest.raises(ValueError, match="unknown recurrence kind"):
        Recurrence("daily")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="only for monthly_weekday"):
        Recurrence("weekly", weekday=1)
    with pytest.raises(ValueError, match="weekday must be 0"):
        Recurrence("monthly_weekday", weekday=7, ordinal=1)
    with pytest.raises(ValueError, match="only allowed as N >= 1 for weekly"):
        Recurrence("quarterly", interval=2)


# --- occurrences -------------------------------------------------------------------------------


def test_first_tuesday_over_a_year() -> None:
    rule = parse_rule("monthly:1:tue")
    first = paris(2026, 1, 6, 14, 30)
    dates = occurrences(first, rule, after=first - timedelta(seconds=1), limit=12)
    assert [d.date() for d in dates] == [
        date(2026, 1, 6),
        date(2026, 2, 3),
        date(2026, 3, 3),
        date(2026, 4, 7),
        date(2026, 5, 5),
        date(2026, 6, 2),
        date(2026, 7, 7),
        date(2026, 8, 4),
        date(2026, 9, 1),
        date(2026, 10, 6),
        date(2026, 11, 3),
        date(2026, 12, 1),
    ]
    assert all(d.weekday() == 1 and (d.hour, d.minute) == (14, 30) for d in dates)
    # Summer time from April to October, winter time otherwise: same wall clock.
    assert [d.utcoffset() for d in dates] == [timedelta(hours=1)] * 3 + [timedelta(hours=2)] * 7 + [
        timedelta(hours=1)
    ] * 2


def test_last_friday_over_a_year() -> None:
    rule = parse_rule("monthly:-1:fri")
    first = paris(2026, 1, 30, 10, 0)
    dates = occurrences(first, rule, after=paris(2026, 1, 1), limit=12)
    assert [d.day for d in dates] == [30, 27, 27, 24, 29, 26, 31, 28, 25, 30, 27, 25]
    assert [d.month for d in dates] == list(range(1, 13))
    assert all(d.weekday() == 4 and d.hour == 10 for d in dates)


def test_weekly_keeps_14_30_across_spring_change() -> None:
    first = paris(2026, 3, 17, 14, 30)
    dates = occurrences(first, parse_rule("weekly"), after=first, limit=3)
    assert dates == [
        paris(2026, 3, 24, 14, 30),
        paris(2026, 3, 31, 14, 30),
        paris(2026, 4, 7, 14, 30),
    ]
    assert [d.astimezone(UTC).hour for d in dates] == [13, 12, 12]
    # The week across the change (29 March) is one hour shorter in real time.
    assert dates[1].astimezone(UTC) - dates[0].astimezone(UTC) == timedelta(days=7, hours=-1)


def test_weekly_keeps_14_30_across_autumn_change() -> None:
    first = paris(2026, 10, 20, 14, 30)
    dates = occurrences(first, parse_rule("weekly"), after=first - timedelta(minutes=1), limit=3)
    assert [(d.date(), d.hour, d.minute) for d in dates] == [
        (date(2026, 10, 20), 14, 30),
        (date(2026, 10, 27), 14, 30),
        (date(2026, 11, 3), 14, 30),
    ]
    assert [d.astimezone(UTC).hour for d in dates] == [12, 13, 13]


def test_every_two_weeks_and_strictly_after() -> None:
    first = paris(2026, 1, 5, 18, 0)
    # `after` equal to an occurrence excludes it.
    dates = occurrences(first, parse_rule("weekly:2"), after=paris(2026, 1, 19, 18, 0), limit=2)
    assert dates == [paris(2026, 2, 2, 18, 0), paris(2026, 2, 16, 18, 0)]


def test_monthly_on_31st_skips_short_months() -> None:
    first = paris(2026, 1, 31, 9, 30)
    dates = occurrences(first, parse_rule("monthly"), after=first, limit=6)
    assert [d.date() for d in dates] == [
        date(2026, 3, 31),
        date(2026, 5, 31),
        date(2026, 7, 31),
        date(2026, 8, 31),
        date(2026, 10, 31),
        date(2026, 12, 31),
    ]
    assert all((d.hour, d.minute) == (9, 30) for d in dates)


def test_quarterly_clamps_to_month_end() -> None:
    first = paris(2026, 1, 31, 14, 0)
    dates = occurrences(first, parse_rule("quarterly"), after=first - timedelta(days=1), limit=5)
    assert [d.date() for d in dates] == [
        date(2026, 1, 31),
        date(2026, 4, 30),
        date(2026, 7, 31),
        date(2026, 10, 31),
        date(2027, 1, 31),
    ]


def test_until_is_inclusive_local_date() -> None:
    first = paris(2026, 6, 2, 14, 30)
    rule = parse_rule("weekly;until=2026-06-16")
    dates = occurrences(first, rule, after=paris(2026, 1, 1), limit=10)
    assert dates == [
        paris(2026, 6, 2, 14, 30),
        paris(2026, 6, 9, 14, 30),
        paris(2026, 6, 16, 14, 30),
    ]


def test_once() -> None:
    first = paris(2026, 3, 3, 14, 30)
    assert occurrences(first, parse_rule("once"), after=paris(2026, 3, 1), limit=5) == [first]
    assert occurrences(first, parse_rule("once"), after=first, limit=5) == []
    assert occurrences(first, parse_rule("weekly"), after=first, limit=0) == []


def test_after_in_another_zone_compares_instants() -> None:
    first = paris(2026, 3, 3, 14, 30)
    # 13:30 UTC is 14:30 in Paris: that occurrence is not strictly after.
    after = datetime(2026, 3, 3, 13, 30, tzinfo=UTC)
    assert occurrences(first, parse_rule("weekly"), after, limit=1) == [paris(2026, 3, 10, 14, 30)]
    after = datetime(2026, 3, 3, 13, 29, tzinfo=UTC)
    assert occurrences(first, parse_rule("weekly"), after, limit=1) == [first]


def test_overseas_zone_without_daylight_saving() -> None:
    first = datetime(2026, 1, 6, 18, 0, tzinfo=CAYENNE)
    dates = occurrences(first, parse_rule("monthly:1:tue"), after=first, limit=3)
    assert dates == [
        datetime(2026, 2, 3, 18, 0, tzinfo=CAYENNE),
        datetime(2026, 3, 3, 18, 0, tzinfo=CAYENNE),
        datetime(2026, 4, 7, 18, 0, tzinfo=CAYENNE),
    ]
    assert {d.utcoffset() for d in dates} == {timedelta(hours=-3)}


def test_first_start_off_rule_starts_at_next_match() -> None:
    # Wednesday 7 January: the first « first Tuesday » after it is 3 February.
    first = paris(2026, 1, 7, 14, 30)
    dates = occurrences(first, parse_rule("monthly:1:tue"), after=paris(2025, 1, 1), limit=1)
    assert dates == [paris(2026, 2, 3, 14, 30)]


def test_wall_time_in_spring_gap_moves_forward() -> None:
    # 02:30 does not exist in Paris on Sunday 29 March 2026: it becomes 03:30 summer time.
    first = paris(2026, 3, 22, 2, 30)
    (start,) = occurrences(first, parse_rule("weekly"), after=first, limit=1)
    assert (start.date(), start.hour, start.minute) == (date(2026, 3, 29), 3, 30)
    assert start.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_distant_after_jumps_ahead() -> None:
    first = paris(2020, 1, 7, 14, 30)
    dates = occurrences(first, parse_rule("weekly"), after=paris(2030, 1, 1), limit=1)
    assert dates == [paris(2030, 1, 1, 14, 30)]  # a Tuesday


RULES = ["weekly", "weekly:3", "monthly", "monthly:2:wed", "monthly:-1:sun", "quarterly"]


@settings(max_examples=150, deadline=None)
@given(
    rule=st.sampled_from(RULES),
    first=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 1, 1)),
    skip=st.integers(min_value=0, max_value=2000),
)
def test_jump_matches_walking_from_the_start(rule: str, first: datetime, skip: int) -> None:
    """Starting near `after` finds exactly what walking the whole series finds."""
    first = first.replace(second=0, microsecond=0, tzinfo=PARIS)
    recurrence = parse_rule(rule)
    after = first + timedelta(days=skip)
    walked = occurrences(first, recurrence, first - timedelta(days=1), limit=400)
    expected = [d for d in walked if d.astimezone(UTC) > after.astimezone(UTC)][:3]
    got = occurrences(first, recurrence, after, limit=3)
    assert len(expected) == 3  # 400 steps reach far beyond `after`
    assert got == expected
    assert all(a.astimezone(UTC) < b.astimezone(UTC) for a, b in pairwise(got))


# --- describe ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("once", "une seule fois"),
        ("weekly", "chaque semaine"),
        ("weekly:2", "toutes les 2 semaines"),
        ("monthly", "chaque mois"),
        ("monthly:1:tue", "le premier mardi du mois"),
        ("monthly:2:thu", "le 2e jeudi du mois"),
        ("monthly:-1:fri", "le dernier vendredi du mois"),
        ("quarterly", "tous les 3 mois"),
        ("weekly;until=2026-06-30", "chaque semaine, jusqu'au mardi 30 juin 2026"),
    ],
)
def test_describe_in_french(rule: str, text: str) -> None:
    assert describe(parse_rule(rule), FR) == text
    assert not has_errors(lint(text))


def test_describe_monthly_day_names_the_day() -> None:
    rule = parse_rule("monthly")
    assert describe(rule, FR, date(2026, 1, 15)) == "le 15 de chaque mois"
    assert describe(rule, FR, paris(2026, 1, 1, 9, 0)) == "le 1er de chaque mois"


class _English(NullTranslations):
    """A stand-in catalog: the real English one is maintained elsewhere."""

    def gettext(self, message: str) -> str:
        return {"le premier {weekday} du mois": "the first {weekday} of the month"}.get(
            message, message
        )


def test_describe_takes_weekday_names_from_babel() -> None:
    english = Translator("en", _English())
    assert describe(parse_rule("monthly:1:tue"), english) == "the first Tuesday of the month"
