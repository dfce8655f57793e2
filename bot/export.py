"""`python -m bot export`: a body's cases, or its participation figures, as CSV.

For the annual report of a hospital's users' commission (and any body's yearly review).
Every column is documented in docs/export.md; `CASE_COLUMNS` is the one list both the file
and the documentation test follow.

What a row never holds: the author's words (text, voice, details), their name, their code
(« Personne 7F3K »), any Telegram id, who in the body acted. The queries behind it
(`bot.storage.reports`) do not even read those columns.

Masking: the **figures** file shows counts from 1 to 2 as « <3 », like digests and /stats,
because figures are what gets copied into a report that leaves the body (the annual report
goes to the establishment's board and the regional health agency). The **cases** file is one
row per case, for the body's own work: it cannot mask anything (each row is a case the body
already holds); it must not be published as it is.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import sys
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.config import Settings, Territory, load_territory
from bot.storage import Database, Tx, reports
from bot.storage.reports import CaseFacts
from bot.summaries.digest import SMALL
from bot.summaries.stats import Figures, build_figures

#: The cases file, in order. docs/export.md documents each; a test compares the two.
CASE_COLUMNS: tuple[str, ...] = (
    "reference",
    "kind",
    "speaker",
    "theme",
    "created",
    "delivered",
    "first_action",
    "taken",
    "answered",
    "closed",
    "status",
    "outcome",
    "days_to_first_action",
    "days_to_answer",
    "overdue",
    "meeting_date",
)
FIGURE_COLUMNS: tuple[str, ...] = ("indicator", "value")
MASKED = "<3"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ---- periods and cells -----------------------------------------------------------------


def local_period(territory: Territory, first: date, last: date) -> tuple[datetime, datetime]:
    """[first day 00:00, the day after the last 00:00) in the territory's zone."""
    tz = territory.tz
    return (
        datetime.combine(first, time(0), tzinfo=tz),
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz),
    )


def _day(moment: datetime | None, territory: Territory) -> str:
    return moment.astimezone(territory.tz).date().isoformat() if moment else ""


def _days(since: datetime, until: datetime | None) -> str:
    if until is None:
        return ""
    return f"{max(timedelta(0), until - since).total_seconds() / 86400:.1f}"


def _text(value: str | None) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def masked(count: int) -> str:
    return MASKED if 0 < count < SMALL else str(count)


def is_overdue(case: CaseFacts, overdue_days: int, now: datetime) -> bool:
    """Waited `overdue_days` or more for a first action (or still waits, nobody took it),
    or was flagged overdue by the sweep at some point."""
    limit = timedelta(days=overdue_days)
    if case.overdue_level > 0:
        return True
    if case.first_action_at is not None:
        return case.first_action_at - case.created_at >= limit
    return case.status == "new" and now - case.created_at >= limit


# ---- the cases file --------------------------------------------------------------------


def case_row(case: CaseFacts, territory: Territory, now: datetime) -> dict[str, str]:
    return {
        "reference": case.reference,
        "kind": case.kind,
        "speaker": case.speaker,
        "theme": _text(case.theme),
        "created": _day(case.created_at, territory),
        "delivered": _day(case.delivered_at, territory),
        "first_action": _day(case.first_action_at, territory),
        "taken": _day(case.taken_at, territory),
        "answered": _day(case.answered_at, territory),
        "closed": _day(case.closed_at, territory),
        "status": case.status,
        "outcome": case.outcome or "",
        "days_to_first_action": _days(case.created_at, case.first_action_at),
        "days_to_answer": _days(case.created_at, case.answered_on),
        "overdue": "yes" if is_overdue(case, territory.cases.overdue_days, now) else "no",
        "meeting_date": _text(case.meeting_date),
    }


async def case_rows(
    tx: Tx, territory: Territory, body_id: str, start: datetime, end: datetime, now: datetime
) -> list[dict[str, str]]:
    """One row per case the body received in [start, end), oldest first."""
    return [
        case_row(case, territory, now)
        for case in await reports.cases_created(tx, [body_id], start, end)
    ]


def cases_csv(rows: Iterable[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CASE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


# ---- the figures file ------------------------------------------------------------------


def figure_rows(figures: Figures, territory: Territory) -> list[tuple[str, str]]:
    """(indicator, value) rows; counts 1 and 2 masked as « <3 » (see the module docstring)."""
    tz = territory.tz
    last_day = (figures.end - timedelta(microseconds=1)).astimezone(tz).date()
    rows: list[tuple[str, str]] = [
        ("period_first_day", figures.start.astimezone(tz).date().isoformat()),
        ("period_last_day", last_day.isoformat()),
        ("bodies", " ".join(figures.body_ids) if figures.body_ids is not None else "*"),
        ("submissions_total", masked(figures.submissions_total)),
    ]
    rows += [(f"submissions_{kind}", masked(n)) for kind, n in figures.submissions_by_kind.items()]
    rows.append(("cases_received_total", masked(figures.cases_total)))
    rows += [(f"cases_received_{body}", masked(n)) for body, n in figures.cases_by_body.items()]
    share = ""
    if figures.share_answered is not None and MASKED not in (
        masked(figures.answered),
        masked(figures.answer_base),
    ):
        share = f"{figures.share_answered:.2f}"
    median = figures.answer_median
    rows += [
        ("cases_answer_base", masked(figures.answer_base)),
        ("cases_answered", masked(figures.answered)),
        ("share_answered", share),
        (
            "median_days_to_answer",
            "" if median is None else f"{median.total_seconds() / 86400:.1f}",
        ),
        ("meetings", masked(len(figures.meetings))),
        ("rsvp_yes", masked(figures.rsvp_yes)),
        ("rsvp_help", masked(figures.rsvp_help)),
        ("rsvp_no", masked(figures.rsvp_no)),
        ("attendance_announced", masked(figures.coming)),
    ]
    for meeting in figures.meetings:
        key = f"meeting_{meeting.meeting_id}"
        start = meeting.starts_at.astimezone(tz)
        rows += [
            (f"{key}_start", start.strftime("%Y-%m-%d %H:%M")),
            (f"{key}_title", _text(meeting.title)),
            (f"{key}_yes", masked(meeting.yes)),
            (f"{key}_help", masked(meeting.help)),
            (f"{key}_no", masked(meeting.no)),
        ]
    return rows


def figures_csv(rows: Iterable[tuple[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIGURE_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


# ---- the command -----------------------------------------------------------------------


async def export_csv(
    db: Database,
    territory: Territory,
    body_id: str,
    first: date,
    last: date,
    *,
    figures: bool = False,
    now: datetime | None = None,
) -> str:
    """The CSV text (cases, or figures with `figures=True`) for the local days first…last."""
    start, end = local_period(territory, first, last)
    async with db.read() as tx:
        if figures:
            numbers = await build_figures(tx, territory, start, end, [body_id])
            return figures_csv(figure_rows(numbers, territory))
        rows = await case_rows(tx, territory, body_id, start, end, now or datetime.now(UTC))
    return cases_csv(rows)


def parse_day(value: str, option: str) -> date | str:
    """A date, or the one-line problem with it."""
    try:
        if DATE_RE.match(value.strip()):
            return date.fromisoformat(value.strip())
    except ValueError:
        pass
    return f"{option}: expected a date like 2026-01-31 (YYYY-MM-DD), got {value!r}"


def run_export(
    settings: Settings,
    body_id: str,
    first_text: str,
    last_text: str,
    *,
    figures: bool = False,
    out: str | None = None,
) -> int:
    """The `export` command: 0 on success, 2 with one line on stderr for a wrong argument."""
    territory = load_territory(settings.config_path)
    known = [b.id for b in territory.bodies]
    if body_id not in known:
        print(f"unknown body {body_id!r} (known: {', '.join(known)})", file=sys.stderr)
        return 2
    first = parse_day(first_text, "--from")
    last = parse_day(last_text, "--to")
    for problem in (first, last):
        if isinstance(problem, str):
            print(problem, file=sys.stderr)
            return 2
    assert isinstance(first, date) and isinstance(last, date)
    if first > last:
        print(f"--from {first} is after --to {last}", file=sys.stderr)
        return 2
    if not Path(settings.db_path).exists():
        print(f"database not found: {settings.db_path} (set PORTEVOIX_DB)", file=sys.stderr)
        return 2

    async def export() -> str:
        async with Database(settings.db_path) as db:
            return await export_csv(db, territory, body_id, first, last, figures=figures)

    text = asyncio.run(export())
    if out:
        # With a byte-order mark, spreadsheet programs read the accents right.
        Path(out).write_text(text, encoding="utf-8-sig", newline="")
        print(f"written: {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
