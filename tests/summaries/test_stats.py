"""Participation figures: what is counted, the share answered, the median, RSVP attendance,
and /stats in plain language with « moins de 3 » and no author words."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.config import Territory
from bot.i18n import Catalogs
from bot.storage import Database
from bot.summaries.stats import build_figures, default_period, render_stats, stats_text
from tests.storage.test_reports import Rows, utc
from tests.summaries.test_digest import PARIS, lint_errors

START, END = utc(2026, 2, 28, 23), utc(2026, 3, 31, 22)  # March 2026 in Paris


@pytest.fixture
def t(territory: Territory):
    return Catalogs(territory.languages).get("fr")


async def a_month(rows: Rows) -> None:
    day = utc(2026, 3, 2)
    # gt-crise: 5 cases, 4 answerable, 3 answered after 1, 2 and 4 days.
    await rows.case("gt-crise", day, status="answered", answered=day + timedelta(days=1))
    await rows.case(
        "gt-crise",
        day,
        status="closed",
        outcome="not_retained",
        closed=day + timedelta(days=2),
    )
    await rows.case(
        "gt-crise",
        day,
        kind="idee",
        status="reopened",
        answered=day + timedelta(days=4),
    )
    await rows.case("gt-crise", day, status="new")
    await rows.case("gt-crise", day, status="forwarded", closed=day + timedelta(hours=1))
    # gt-logement: one, erased by its author (not answerable); one shared with another body.
    await rows.case("gt-logement", day, status="erased", submission_status="erased")
    shared, _ = await rows.submission(day, kind="idee", theme="participation")
    await rows.case("gt-logement", day, submission=shared)
    await rows.case("gt-participation", day, submission=shared, status="taken")
    # Outside the scope or the period, and words never confirmed.
    await rows.case("cdu-nord", day, kind="reclamation")
    await rows.case("gt-crise", utc(2026, 4, 2), status="answered", answered=utc(2026, 4, 3))
    await rows.submission(day, status="awaiting_consent")
    # Meetings of March.
    await rows.meeting("gt-crise", utc(2026, 3, 10, 13), yes=4, help=1, no=2)
    await rows.meeting("gt-crise", utc(2026, 3, 24, 13), yes=2)
    await rows.meeting("gt-crise", utc(2026, 3, 25, 13), status="cancelled", yes=9)
    await rows.meeting("gt-logement", utc(2026, 3, 12, 13), yes=0, help=3)


async def test_figures_for_two_bodies(db: Database, territory: Territory) -> None:
    rows = Rows(db)
    await a_month(rows)
    async with db.read() as tx:
        figures = await build_figures(tx, territory, START, END, ["gt-crise", "gt-logement"])
    assert figures.submissions_by_kind == {"avis": 5, "reclamation": 0, "idee": 2, "situation": 0}
    assert figures.submissions_total == 7  # the erased one counts: its author took part
    assert figures.cases_by_body == {"gt-crise": 5, "gt-logement": 2}
    # Base: 7 cases minus the forwarded one and the erased one; answered: 3 of gt-crise.
    assert (figures.answer_base, figures.answered) == (5, 3)
    assert figures.share_answered == pytest.approx(0.6)
    assert figures.answer_median == timedelta(days=2)  # 1, [2], 4 days
    assert [(m.yes, m.help, m.no) for m in figures.meetings] == [(4, 1, 2), (0, 3, 0), (2, 0, 0)]
    assert (figures.rsvp_yes, figures.rsvp_help, figures.rsvp_no) == (6, 4, 2)
    assert figures.coming == 10


async def test_figures_for_the_whole_territory(db: Database, territory: Territory) -> None:
    rows = Rows(db)
    await a_month(rows)
    async with db.read() as tx:
        figures = await build_figures(tx, territory, START, END)
    assert figures.body_ids is None
    assert figures.submissions_by_kind["reclamation"] == 1
    assert figures.submissions_total == 8  # the shared idea once, the unconfirmed words not
    assert set(figures.cases_by_body) == {b.id for b in territory.bodies}
    assert figures.cases_by_body["gt-participation"] == 1
    assert figures.cases_by_body["gem-exemple"] == 0
    assert figures.cases_total == 9


async def test_the_median_of_an_even_count(db: Database, territory: Territory) -> None:
    rows = Rows(db)
    day = utc(2026, 3, 2)
    for hours in (3, 5, 30, 100):
        await rows.case("gt-crise", day, status="answered", answered=day + timedelta(hours=hours))
    async with db.read() as tx:
        figures = await build_figures(tx, territory, START, END, ["gt-crise"])
    assert figures.answer_median == timedelta(hours=17.5)  # (5 + 30) / 2


async def test_stats_text(db: Database, territory: Territory, t) -> None:
    rows = Rows(db)
    await a_month(rows)
    async with db.read() as tx:
        figures = await build_figures(tx, territory, START, END, ["gt-crise", "gt-logement"])
    text = render_stats(figures, t, territory)
    lines = text.splitlines()
    for expected in (
        "📈 <b>Participation</b>",
        "<b>Pour</b> : Groupe de travail urgence et crise · Groupe de travail logement",
        "Début : dimanche 1er mars 2026.",
        "Fin : mardi 31 mars 2026.",
        "Avis : 5",
        "Idée : moins de 3",
        "Réclamation : 0",
        "En tout : 7",
        "Groupe de travail urgence et crise : 5",
        "Groupe de travail logement : moins de 3",
        "3 messages sur 5 ont une réponse.",
        "La moitié des réponses est arrivée en 2 jours au plus.",
        "Réunions : 3",
        "📅 mardi 10 mars 2026 : Réunion du groupe",
        "Personnes qui viennent : 5",
        "Dont avec une aide pour venir : moins de 3",
        "Personnes qui ne viennent pas : moins de 3",
        "Personnes qui viennent : 3",
        "Dont avec une aide pour venir : 0",
        "En tout, personnes qui viennent : 10",
    ):
        assert expected in lines, expected
    assert rows.leaks(text) == []
    assert lint_errors(text) == []
    assert len(text) <= 4096


async def test_an_empty_period(db: Database, territory: Territory, t) -> None:
    async with db.read() as tx:
        text = await stats_text(tx, territory, t, utc(2026, 3, 9, 12), ["gem-exemple"])
    assert "Messages reçus : 0" in text and "Réunions : 0" in text
    assert "<b>Pour</b> : Groupe d&#x27;entraide mutuelle Le Lien (exemple)" in text
    assert "Début : mercredi 10 décembre 2025." in text  # 90 days, today included
    assert lint_errors(text) == []


def test_the_default_period_starts_at_local_midnight(territory: Territory) -> None:
    now = utc(2026, 3, 9, 23, 30)  # already Tuesday 10 March in Paris
    start, end = default_period(territory, now, days=7)
    assert start == datetime(2026, 3, 4, tzinfo=PARIS) and end == now
