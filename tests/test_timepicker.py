"""The time picker: typed times the way people write them, button values, labels."""

from __future__ import annotations

from datetime import time

import pytest

from bot import timepicker
from bot.i18n import Catalogs, Translator


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs(("fr", "en"))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14h30", time(14, 30)),
        ("14 h 30", time(14, 30)),
        ("14:30", time(14, 30)),
        ("14.30", time(14, 30)),
        ("14h", time(14, 0)),
        ("14 h", time(14, 0)),
        ("9h", time(9, 0)),
        ("9 heures", time(9, 0)),
        ("1 heure", time(1, 0)),
        ("9H05", time(9, 5)),
        ("09h00", time(9, 0)),
        ("  18h30  ", time(18, 30)),
        ("14\u00a0h\u00a030", time(14, 30)),  # a no-break space, as phones often put
        ("0h", time(0, 0)),
        ("23:59", time(23, 59)),
        ("14", time(14, 0)),  # a bare hour is taken as that hour
    ],
)
def test_parse_typed_accepts(typed: str, expected: time) -> None:
    assert timepicker.parse_typed(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "25h",
        "24h",
        "24:00",
        "14h75",
        "14h60",
        "midi",
        "1430",  # four digits with no separator: refused rather than guessed
        "",
        "h30",
        "-1h",
        "14h30 demain",
        "114h",
    ],
)
def test_parse_typed_refuses(typed: str) -> None:
    assert timepicker.parse_typed(typed) is None


def test_parse_typed_accepts_hours_written_in_full_with_minutes() -> None:
    assert timepicker.parse_typed("14 heures 30") == time(14, 30)


def test_an_english_time_as_the_buttons_show_it_is_accepted(catalogs: Catalogs) -> None:
    """English buttons read « 2:30 PM »: typing it the same way works."""
    label = timepicker.label(time(14, 30), catalogs.get("en"))
    assert label == "2:30\u202fPM"
    assert timepicker.parse_typed(label) == time(14, 30)
    assert timepicker.parse_typed("2:30 PM") == time(14, 30)
    assert timepicker.parse_typed("12 am") == time(0, 0)
    assert timepicker.parse_typed("13 pm") is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("9h5", time(9, 5)), ("14h30.", time(14, 30)), ("9 heures 30", time(9, 30))],
)
def test_parse_typed_accepts_short_minutes_and_a_final_stop(typed: str, expected: time) -> None:
    assert timepicker.parse_typed(typed) == expected


@pytest.mark.parametrize("moment", [*timepicker.COMMON, time(0, 0), time(23, 59)])
def test_value_and_parse_value_round_trip(moment: time) -> None:
    data = timepicker.value(moment)
    assert data == f"t{moment.hour:02d}{moment.minute:02d}"
    assert timepicker.parse_value(data) == moment


@pytest.mark.parametrize("data", ["t2400", "t1460", "t930", "t14300", "x1430", "1430", "t14h3"])
def test_parse_value_refuses_malformed_data(data: str) -> None:
    assert timepicker.parse_value(data) is None


def test_stored_is_hh_mm() -> None:
    assert timepicker.stored(time(9, 5)) == "09:05"
    assert timepicker.stored(time(14, 30)) == "14:30"


@pytest.mark.parametrize(
    ("moment", "french", "english"),
    [
        (time(14, 30), "14 h 30", "2:30\u202fPM"),
        (time(9, 0), "9 h", "9:00\u202fAM"),
        (time(9, 5), "9 h 05", "9:05\u202fAM"),
        (time(0, 0), "0 h", "12:00\u202fAM"),
    ],
)
def test_labels(moment: time, french: str, english: str, catalogs: Catalogs) -> None:
    fr: Translator = catalogs.get("fr")
    assert timepicker.label(moment, fr) == french
    assert timepicker.label(moment, catalogs.get("en")) == english


def test_common_times_fit_in_rows_of_four() -> None:
    assert len(timepicker.COMMON) == 12 and timepicker.PER_ROW == 4
    assert list(timepicker.COMMON) == sorted(timepicker.COMMON)
