"""Weekly digests: exact counts, « moins de 3 », no author words, once per body and week, the
territory's time zone, plain language."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import DigestSettings, Territory
from bot.i18n import Catalogs
from bot.plain.glossary import Glossary
from bot.plain.lint import LintContext, lint
from bot.storage import Database
from bot.summaries.digest import (
    Digest,
    build_digest,
    digest_schedule,
    digest_week,
    duration_text,
    median,
    render_digest,
    send_due_digests,
    small_count,
)
from tests.storage.test_reports import Rows, utc

PARIS = ZoneInfo("Europe/Paris")
# Monday 9 March 2026, 09:00 in Paris (winter time, UTC+1): the default digest moment.
MOMENT = utc(2026, 3, 9, 8)
WEEK_START = utc(2026, 3, 2, 8)


@pytest.fixture
def catalogs(territory: Territory) -> Catalogs:
    return Catalogs(territory.languages)


@pytest.fixture
def t(catalogs: Catalogs):
    return catalogs.get("fr")


def lint_errors(text: str) -> list[str]:
    context = LintContext(glossary=Glossary.load())
    return [
        f"{f.rule}: {f.message} — {f.sentence!r}"
        for f in lint(text, context=context)
        if f.severity == "error"
    ]


def with_digest(territory: Territory, weekday: int, at: time) -> Territory:
    """The territory with another `[digest]`."""
    return dataclasses.replace(territory, digest=DigestSettings(weekday, at))


# ---- helpers ---------------------------------------------------------------------------


def test_small_counts_read_moins_de_3(t) -> None:
    assert [small_count(n, t) for n in (0, 1, 2, 3, 4, 120)] == [
        "0",
        "moins de 3",
        "moins de 3",
        "3",
        "4",
        "120",
    ]


def test_median_by_hand() -> None:
    hours = [timedelta(hours=h) for h in (10, 2, 120, 24, 168)]
    assert median(hours) == timedelta(hours=24)  # 2, 10, [24], 120, 168
    assert median(hours[:4]) == timedelta(hours=17)  # 2, [10, 24], 120 → 17
    assert median([]) is None


def test_durations_are_rounded_up(t) -> None:
    assert duration_text(timedelta(minutes=5), t) == "1 heure"
    assert duration_text(timedelta(hours=1, minutes=1), t) == "2 heures"
    assert duration_text(timedelta(hours=24), t) == "24 heures"
    assert duration_text(timedelta(hours=46, minutes=59), t) == "47 heures"
    assert duration_text(timedelta(hours=47, minutes=1), t) == "2 jours"
    assert duration_text(timedelta(days=2), t) == "2 jours"
    assert duration_text(timedelta(days=5, hours=1), t) == "6 jours"


def test_the_schedule_defaults_to_monday_nine(territory: Territory) -> None:
    no_digest_table = dataclasses.replace(territory, digest=DigestSettings())
    assert digest_schedule(no_digest_table) == (0, time(9, 0))
    assert digest_schedule(territory) == (0, time(9, 0))
    assert digest_schedule(with_digest(territory, 3, time(18, 30))) == (3, time(18, 30))


def test_the_digest_week_follows_the_local_wall_clock(territory: Territory) -> None:
    week = digest_week(territory, utc(2026, 3, 11, 12))  # a Wednesday
    assert week.moment == MOMENT and week.start == WEEK_START and week.week == "2026-W11"
    # Across the change to summer time (29 March 2026), 09:00 stays 09:00 locally.
    week = digest_week(territory, utc(2026, 3, 31))
    assert week.moment == utc(2026, 3, 30, 7) and week.start == utc(2026, 3, 23, 8)
    assert week.moment.astimezone(UTC) - week.start.astimezone(UTC) == timedelta(hours=167)
    with pytest.raises(ValueError, match="aware"):
        digest_week(territory, datetime(2026, 3, 11))


# ---- one body's week -------------------------------------------------------------------


async def a_busy_week(rows: Rows) -> dict[str, str]:
    """gt-crise's week from Monday 2 March 09:00 to Monday 9 March 09:00 (Paris)."""
    refs: dict[str, str] = {}
    # New this week: 3 « crise », 1 « somatique », 1 without a theme; 3 usagers, 1 proche,
    # 1 pair-aidant.
    refs["a"] = await rows.case("gt-crise", utc(2026, 3, 3, 10))
    refs["b"] = await rows.case(
        "gt-crise",
        utc(2026, 3, 4),
        status="taken",
        first_action=utc(2026, 3, 4, 2),  # 2 hours
        taken=utc(2026, 3, 4, 2),
    )
    refs["c"] = await rows.case(
        "gt-crise",
        utc(2026, 3, 5),
        kind="idee",
        theme="somatique",
        status="answered",
        first_action=utc(2026, 3, 5, 10),  # 10 hours
        answered=utc(2026, 3, 5, 10),
    )
    refs["d"] = await rows.case(
        "gt-crise",
        utc(2026, 3, 6),
        speaker="proche",
        status="closed",
        outcome="change_made",
        first_action=utc(2026, 3, 7),  # 24 hours
        closed=utc(2026, 3, 7),
    )
    refs["e"] = await rows.case(
        "gt-crise", utc(2026, 3, 6, 12), kind="reclamation", speaker="pair_aidant", theme=None
    )
    # Older cases.
    refs["f"] = await rows.case("gt-crise", utc(2026, 2, 20))  # overdue
    refs["g"] = await rows.case("gt-crise", utc(2026, 2, 28, 12))  # overdue: 8.8 days
    refs["h"] = await rows.case(
        "gt-crise",
        utc(2026, 2, 25),
        status="closed",
        outcome="not_retained",
        first_action=utc(2026, 3, 2, 10),  # 5 days 10 hours, in the week
        closed=utc(2026, 3, 3),
    )
    refs["i"] = await rows.case(
        "gt-crise",
        utc(2026, 2, 26),
        status="forwarded",
        first_action=utc(2026, 3, 5),  # 7 days
        closed=utc(2026, 3, 5),
    )
    await rows.case("gt-crise", utc(2026, 2, 1), status="closed", closed=utc(2026, 2, 10))
    await rows.case("gt-crise", utc(2026, 3, 3), status="erased")  # new, no longer open
    await rows.case("gt-logement", utc(2026, 3, 3))  # another body
    # Meetings: one in 3 days, and some that do not count.
    await rows.meeting("gt-crise", utc(2026, 3, 12, 13), title="Réunion crise", yes=3, help=2)
    await rows.meeting("gt-crise", utc(2026, 3, 13, 13), status="cancelled", yes=2)
    await rows.meeting("gt-crise", utc(2026, 4, 20, 13), yes=2)
    await rows.meeting("gt-crise", utc(2026, 3, 5, 13), yes=2)
    await rows.meeting("gt-logement", utc(2026, 3, 12, 13), yes=2)
    return refs


async def test_the_digest_counts_exactly(db: Database, territory: Territory) -> None:
    rows = Rows(db)
    refs = await a_busy_week(rows)
    async with db.read() as tx:
        digest = await build_digest(tx, territory, "gt-crise", WEEK_START, MOMENT, MOMENT)
    assert digest.new == 6  # a, b, c, d, e and the erased one
    assert digest.open == 6  # a, b, c, e, f, g
    assert digest.overdue == 2
    assert digest.overdue_references == (refs["f"], refs["g"])
    assert digest.closed == {"change_made": 1, "not_retained": 1, "forwarded": 1}
    assert digest.by_theme == (("crise", 4), ("somatique", 1), (None, 1))
    assert digest.by_speaker == (("usager", 4), ("pair_aidant", 1), ("proche", 1))
    # First actions of the week: 2 h, 10 h, 24 h, 5 days 10 h, 7 days → the middle is 24 h.
    assert digest.first_action_median == timedelta(hours=24)
    assert digest.first_action_count == 5
    assert [(m.title, m.yes, m.no, m.help) for m in digest.meetings] == [("Réunion crise", 3, 0, 2)]
    assert not digest.empty


async def test_the_rendered_digest(db: Database, territory: Territory, t) -> None:
    rows = Rows(db)
    refs = await a_busy_week(rows)
    async with db.read() as tx:
        digest = await build_digest(tx, territory, "gt-crise", WEEK_START, MOMENT, MOMENT)
    text = render_digest(digest, t, territory)
    lines = text.splitlines()
    for expected in (
        "📊 <b>Résumé de la semaine</b>",
        "<b>Pour</b> : Groupe de travail urgence et crise",
        "Début : lundi 2 mars 2026 à 9 h.",
        "Fin : lundi 9 mars 2026 à 9 h.",
        "Nouveaux messages : 6",
        "Messages en cours aujourd'hui : 6",
        "Messages en retard : moins de 3",
        "En retard : personne ne s'en occupe depuis au moins 8 jours.",
        f"Numéros des messages en retard : {refs['f']} · {refs['g']}",
        "En tout : 3",
        "Un changement est fait : moins de 3",
        "Pas retenu : moins de 3",
        "Transmis à un autre groupe : moins de 3",
        "Mieux aider pendant une crise : 4",
        "Soigner aussi le corps : moins de 3",
        "Sans sujet : moins de 3",
        "Des personnes qui utilisent les soins : 4",
        "Des proches : moins de 3",
        "La moitié des messages a attendu 24 heures au plus.",
        "Ce calcul porte sur 5 messages.",
        "📅 jeudi 12 mars 2026 à 14 h : Réunion crise",
        "Je viens : 3",
        "Je ne viens pas : 0",
        "J'ai besoin d'aide pour venir : moins de 3",
    ):
        assert expected in lines, expected
    assert "Répondu : " not in text  # an outcome with 0 cases is not listed
    assert refs["a"] not in text  # only overdue cases are named
    assert rows.leaks(text) == []
    assert len(text) <= 4096
    assert lint_errors(text) == []
    assert "<" not in text.replace("<b>", "").replace("</b>", "")


async def test_a_quiet_week_still_gets_a_short_digest(territory: Territory, t) -> None:
    digest = Digest(
        body_id="gem-exemple",
        start=WEEK_START,
        end=MOMENT,
        now=MOMENT,
        overdue_days=8,
        new=0,
        open=0,
        overdue=0,
        overdue_references=(),
        closed={},
        by_theme=(),
        by_speaker=(),
        first_action_median=None,
        first_action_count=0,
        next_digest=MOMENT + timedelta(days=7),
    )
    assert digest.empty
    text = render_digest(digest, t, territory)
    assert "Rien de nouveau cette semaine." in text
    assert "Prochain résumé : lundi 16 mars 2026 à 9 h." in text
    assert "Nouveaux messages" not in text
    assert lint_errors(text) == []


async def test_long_lists_stay_under_telegram_s_limit(
    db: Database, territory: Territory, t
) -> None:
    rows = Rows(db)
    for day in range(40):
        await rows.case("gt-crise", utc(2026, 1, 1) + timedelta(hours=day))
    for day in range(12):
        await rows.meeting("gt-crise", MOMENT + timedelta(days=1 + day), title="R" * 200, yes=1)
    async with db.read() as tx:
        digest = await build_digest(tx, territory, "gt-crise", WEEK_START, MOMENT, MOMENT)
    text = render_digest(digest, t, territory)
    assert digest.overdue == 40 and "Et 20 autres." in text
    assert "Et 4 autres." in text  # 12 meetings, 8 shown
    assert len(text) <= 4096 and text.count("📅") == 8


# ---- sending ---------------------------------------------------------------------------


async def digest_rows(db: Database) -> list[tuple[int, str]]:
    async with db.read() as tx:
        found = await tx.all(
            "SELECT recipient_id, payload FROM outbox WHERE purpose = 'digest' ORDER BY id"
        )
    return [(r["recipient_id"], json.loads(r["payload"])["text"]) for r in found]


async def test_each_body_gets_one_digest_a_week(
    db: Database, territory: Territory, catalogs: Catalogs
) -> None:
    rows = Rows(db)
    await a_busy_week(rows)
    marc = await rows.coordinator("gt-crise")
    lea = await rows.coordinator("gt-crise", language="en")
    chat = await rows.group_chat("gt-logement")
    await rows.coordinator("gt-logement")  # the linked chat receives instead

    before = MOMENT - timedelta(minutes=1)  # Monday 08:59 in Paris
    assert await send_due_digests(db, territory, catalogs, before) == 0
    assert await digest_rows(db) == []

    assert await send_due_digests(db, territory, catalogs, MOMENT) == 2
    sent = await digest_rows(db)
    assert [recipient for recipient, _ in sent] == [marc, lea, chat]
    assert "Nouveaux messages : 6" in sent[0][1]
    assert "Nouveaux messages : moins de 3" in sent[2][1]  # gt-logement had 1
    for recipient, text in sent:
        assert rows.leaks(text) == []
        if recipient != lea:  # Léa reads English: the French lint is for French texts
            assert lint_errors(text) == []
    assert "Nouveaux messages" not in sent[1][1]  # her digest is translated

    # Again the same week (a restart, the job running every few minutes): nothing more.
    assert await send_due_digests(db, territory, catalogs, MOMENT + timedelta(hours=1)) == 0
    assert await send_due_digests(db, territory, catalogs, MOMENT + timedelta(days=6)) == 0
    assert len(await digest_rows(db)) == 3
    async with db.read() as tx:
        weeks = await tx.all("SELECT body_id, week FROM digests_sent ORDER BY body_id")
    assert [tuple(r) for r in weeks] == [("gt-crise", "2026-W11"), ("gt-logement", "2026-W11")]

    # A body that gets a coordinator during the week gets that week's digest then.
    gem = await rows.coordinator("gem-exemple")
    assert await send_due_digests(db, territory, catalogs, MOMENT + timedelta(days=2)) == 1
    quiet = [text for recipient, text in await digest_rows(db) if recipient == gem]
    assert len(quiet) == 1 and "Rien de nouveau cette semaine." in quiet[0]

    # The next week: new rows.
    assert await send_due_digests(db, territory, catalogs, MOMENT + timedelta(days=7)) == 3
    assert len(await digest_rows(db)) == 3 + 1 + 4


async def test_the_week_is_cut_at_local_midnight(
    db: Database, territory: Territory, catalogs: Catalogs
) -> None:
    """Digest on Monday at 00:00 in Paris, i.e. Sunday 23:00 UTC."""
    midnight = with_digest(territory, 0, time(0, 0))
    rows = Rows(db)
    await rows.coordinator("gt-crise")
    sunday_night = datetime(2026, 3, 8, 23, 30, tzinfo=PARIS)  # 22:30 UTC
    for minutes in (0, 10, 20):
        await rows.case("gt-crise", sunday_night + timedelta(minutes=minutes))
    # Monday 00:30 in Paris is still Sunday in UTC: it belongs to the next week.
    await rows.case("gt-crise", datetime(2026, 3, 9, 0, 30, tzinfo=PARIS))

    # Sunday 23:59 in Paris: still the week that began on Monday 2 March at 00:00, whose
    # digest (covering the week before it) is due and has not gone yet.
    assert digest_week(midnight, utc(2026, 3, 8, 22, 59)).week == "2026-W10"
    assert await send_due_digests(db, midnight, catalogs, utc(2026, 3, 8, 22, 59)) == 1
    # Monday 00:00 in Paris, Sunday 23:00 in UTC: the next ISO week locally.
    assert digest_week(midnight, utc(2026, 3, 8, 23)).week == "2026-W11"
    assert await send_due_digests(db, midnight, catalogs, utc(2026, 3, 8, 23)) == 1
    [(_, earlier), (_, text)] = await digest_rows(db)
    assert "Nouveaux messages : 0" in earlier and "Fin : lundi 2 mars 2026 à 0 h." in earlier
    assert "Nouveaux messages : 3" in text
    assert "Début : lundi 2 mars 2026 à 0 h." in text
    assert "Fin : lundi 9 mars 2026 à 0 h." in text
    async with db.read() as tx:
        weeks = [r[0] for r in await tx.all("SELECT week FROM digests_sent ORDER BY week")]
    assert weeks == ["2026-W10", "2026-W11"]


async def test_a_crash_while_writing_leaves_nothing_half_sent(
    db: Database, territory: Territory, catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = Rows(db)
    await rows.coordinator("gt-crise")
    await rows.coordinator("gt-crise")
    from bot.storage import reports

    async def crash(*args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(reports, "record_digest", crash)
    with pytest.raises(RuntimeError):
        await send_due_digests(db, territory, catalogs, MOMENT)
    assert await digest_rows(db) == []
    monkeypatch.undo()
    assert await send_due_digests(db, territory, catalogs, MOMENT) == 1
    assert len(await digest_rows(db)) == 2


def test_the_week_is_the_same_whatever_the_zone_of_now(territory: Territory) -> None:
    assert digest_week(territory, MOMENT.astimezone(PARIS)) == digest_week(territory, MOMENT)
    assert MOMENT.tzinfo is UTC
