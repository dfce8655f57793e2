"""`python -m bot export`: documented columns, exact rows, local days, masked figures, no author
data, and one friendly line for a wrong argument."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import DEFAULT_CONFIG, Territory
from bot.export import CASE_COLUMNS, FIGURE_COLUMNS, export_csv
from bot.storage import Database
from tests.storage.test_reports import Rows, utc
from tests.summaries.test_digest import PARIS

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "export.md"
NOW = utc(2026, 4, 10)


def documented(section: str) -> list[str]:
    """The first-column names of the table under `## <section>` in docs/export.md."""
    text = DOC.read_text(encoding="utf-8")
    body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", body, flags=re.MULTILINE)


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_cases_columns_are_the_documented_ones() -> None:
    assert documented("The cases file") == list(CASE_COLUMNS)


async def test_every_figure_is_documented(db: Database, territory: Territory) -> None:
    rows = Rows(db)
    await rows.case("cdu-nord", utc(2026, 3, 2), kind="reclamation")
    await rows.meeting("cdu-nord", utc(2026, 3, 10, 13), yes=3)
    text = await export_csv(
        db, territory, "cdu-nord", date(2026, 3, 1), date(2026, 3, 31), figures=True
    )
    header, *lines = parse(text)
    assert tuple(header) == FIGURE_COLUMNS
    patterns = [
        re.compile("^" + r"[\w-]+".join(map(re.escape, re.split(r"<[a-z]+>", name))) + "$")
        for name in documented("The figures file (`--figures`)")
    ]
    assert len(patterns) > 10
    for indicator, _ in lines:
        assert any(p.match(indicator) for p in patterns), indicator
    fixed = [n for n in documented("The figures file (`--figures`)") if "<" not in n]
    assert set(fixed) <= {indicator for indicator, _ in lines}


async def a_quarter(rows: Rows) -> dict[str, str]:
    refs = {}
    refs["answered"] = await rows.case(
        "cdu-nord",
        utc(2026, 3, 2, 9),
        kind="reclamation",
        speaker="proche",
        theme="acces-soins",
        status="closed",
        outcome="change_made",
        delivered=utc(2026, 3, 2, 9, 1),
        first_action=utc(2026, 3, 3, 21),  # 1.5 days
        taken=utc(2026, 3, 3, 21),
        answered=utc(2026, 3, 5, 9),  # 3 days
        closed=utc(2026, 3, 12, 9),
        meeting_date="2026-03-20",
    )
    refs["waiting"] = await rows.case("cdu-nord", utc(2026, 3, 10), kind="reclamation", theme=None)
    refs["late"] = await rows.case(
        "cdu-nord",
        utc(2026, 3, 11),
        kind="avis",
        status="taken",
        first_action=utc(2026, 3, 21),  # 10 days: overdue
        taken=utc(2026, 3, 21),
    )
    # 23:30 UTC on 31 March is 01:30 on 1 April in Paris (summer time).
    refs["april"] = await rows.case("cdu-nord", utc(2026, 3, 31, 23, 30), kind="avis")
    refs["recent"] = await rows.case("cdu-nord", NOW - timedelta(days=2), kind="avis")
    await rows.case("cdu-sud", utc(2026, 3, 2), kind="reclamation")
    await rows.meeting("cdu-nord", utc(2026, 3, 20, 13), yes=4, help=1)
    return refs


async def test_the_cases_file(db: Database, territory: Territory) -> None:
    rows = Rows(db)
    refs = await a_quarter(rows)
    text = await export_csv(db, territory, "cdu-nord", date(2026, 3, 1), date(2026, 3, 31), now=NOW)
    header, *lines = parse(text)
    assert header == list(CASE_COLUMNS)
    table = [dict(zip(header, line, strict=True)) for line in lines]
    assert [r["reference"] for r in table] == [refs["answered"], refs["waiting"], refs["late"]]
    assert table[0] == {
        "reference": refs["answered"],
        "kind": "reclamation",
        "speaker": "proche",
        "theme": "acces-soins",
        "created": "2026-03-02",
        "delivered": "2026-03-02",
        "first_action": "2026-03-03",
        "taken": "2026-03-03",
        "answered": "2026-03-05",
        "closed": "2026-03-12",
        "status": "closed",
        "outcome": "change_made",
        "days_to_first_action": "1.5",
        "days_to_answer": "3.0",
        "overdue": "no",
        "meeting_date": "2026-03-20",
    }
    assert table[1]["theme"] == "" and table[1]["first_action"] == ""
    assert table[1]["days_to_answer"] == "" and table[1]["overdue"] == "yes"  # 31 days waiting
    assert table[2]["overdue"] == "yes" and table[2]["days_to_first_action"] == "10.0"
    assert rows.leaks(text) == []
    assert "\r\n" in text


async def test_days_are_local_days(db: Database, territory: Territory) -> None:
    rows = Rows(db)
    refs = await a_quarter(rows)
    april = await export_csv(db, territory, "cdu-nord", date(2026, 4, 1), date(2026, 4, 1), now=NOW)
    [_, line] = parse(april)
    assert line[0] == refs["april"] and line[4] == "2026-04-01"
    assert datetime(2026, 4, 1, 1, 30, tzinfo=PARIS) == utc(2026, 3, 31, 23, 30)


async def test_the_figures_file_masks_small_counts(db: Database, territory: Territory) -> None:
    rows = Rows(db)
    await a_quarter(rows)
    text = await export_csv(
        db, territory, "cdu-nord", date(2026, 3, 1), date(2026, 3, 31), figures=True
    )
    figures = dict(parse(text)[1:])
    assert figures["period_first_day"] == "2026-03-01"
    assert figures["period_last_day"] == "2026-03-31"
    assert figures["bodies"] == "cdu-nord"
    assert figures["submissions_total"] == "3"
    assert figures["submissions_reclamation"] == "<3"  # 2
    assert figures["submissions_avis"] == "<3"  # 1
    assert figures["submissions_idee"] == "0"
    assert figures["cases_received_cdu-nord"] == "3"
    assert figures["cases_answer_base"] == "3"
    assert figures["cases_answered"] == "<3"
    assert figures["share_answered"] == ""  # it would give the masked count back
    assert figures["median_days_to_answer"] == "3.0"
    assert figures["meetings"] == "<3"
    assert (figures["rsvp_yes"], figures["rsvp_help"], figures["rsvp_no"]) == ("4", "<3", "0")
    assert figures["attendance_announced"] == "5"
    [meeting] = [k for k in figures if k.endswith("_start")]
    assert figures[meeting] == "2026-03-20 14:00"
    assert rows.leaks(text) == []


async def test_a_share_is_given_when_nothing_is_masked(db: Database, territory: Territory) -> None:
    rows = Rows(db)
    for day in range(4):
        await rows.case(
            "gt-crise", utc(2026, 3, 2 + day), status="answered", answered=utc(2026, 3, 9)
        )
    for day in range(3):
        await rows.case("gt-crise", utc(2026, 3, 2 + day))
    text = await export_csv(
        db, territory, "gt-crise", date(2026, 3, 1), date(2026, 3, 31), figures=True
    )
    figures = dict(parse(text)[1:])
    assert (figures["cases_answered"], figures["cases_answer_base"]) == ("4", "7")
    assert figures["share_answered"] == "0.57"


async def test_a_meeting_title_cannot_become_a_formula(db: Database, territory: Territory) -> None:
    rows = Rows(db)
    await rows.meeting("gt-crise", utc(2026, 3, 20, 13), title='=HYPERLINK("x")')
    text = await export_csv(
        db, territory, "gt-crise", date(2026, 3, 1), date(2026, 3, 31), figures=True
    )
    [title] = [v for k, v in parse(text)[1:] if k.endswith("_title")]
    assert title.startswith("'=")


# ---- the command line ------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.db"

    async def fill() -> None:
        async with Database(path) as db:
            rows = Rows(db)
            await rows.case("gt-crise", datetime(2026, 3, 2, tzinfo=UTC))

    asyncio.run(fill())
    monkeypatch.setenv("PORTEVOIX_DB", str(path))
    monkeypatch.setenv("PORTEVOIX_CONFIG", str(DEFAULT_CONFIG))
    return tmp_path


def test_an_unknown_body_gets_one_friendly_line(env: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(["export", "--body", "gt-lune", "--from", "2026-01-01", "--to", "2026-12-31"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("unknown body 'gt-lune' (known: cdu-nord, cdu-sud, ")


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("31/01/2026", "2026-12-31", "--from: expected a date like 2026-01-31 (YYYY-MM-DD)"),
        ("2026-01-01", "2026-02-30", "--to: expected a date like 2026-01-31 (YYYY-MM-DD)"),
        ("2026-03-01", "2026-02-01", "--from 2026-03-01 is after --to 2026-02-01"),
    ],
)
def test_bad_dates_get_one_friendly_line(
    env: Path, capsys: pytest.CaptureFixture, first: str, last: str, message: str
) -> None:
    code = main(["export", "--body", "gt-crise", "--from", first, "--to", last])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith(message)


def test_a_missing_database_is_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("PORTEVOIX_DB", str(tmp_path / "none.db"))
    monkeypatch.setenv("PORTEVOIX_CONFIG", str(DEFAULT_CONFIG))
    code = main(["export", "--body", "gt-crise", "--from", "2026-01-01", "--to", "2026-12-31"])
    assert code == 2 and "database not found" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_the_command_writes_a_file(env: Path, capsys: pytest.CaptureFixture) -> None:
    out = env / "cases.csv"
    args = ["export", "--body", "gt-crise", "--from", "2026-03-01", "--to", "2026-03-31"]
    assert main([*args, "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark spreadsheets look for
    lines = parse(raw.decode("utf-8-sig"))
    assert lines[0] == list(CASE_COLUMNS) and len(lines) == 2
    assert main(args) == 0  # to standard output
    printed = capsys.readouterr().out
    assert printed.startswith("reference,kind,") and "SECRET" not in printed
    assert main([*args, "--figures"]) == 0
    assert capsys.readouterr().out.startswith("indicator,value")
