"""Casework without Telegram: routing into cases, who receives cards, the safety-net quiet
period of follow-ups, required reasons, erasure, and a body whose chat blocks the bot."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.cases import CaseService
from bot.clock import Clock
from bot.config import Territory
from bot.i18n import Catalogs
from bot.storage import Database, cases, outbox, people, safety_events, submissions
from bot.storage.outbox import OutboxRow
from bot.storage.submissions import NewSubmission


@pytest.fixture
def service(territory: Territory) -> CaseService:
    return CaseService(territory, Catalogs(territory.languages), Clock())


async def coordinator(db: Database, telegram_id: int, body: str) -> int:
    async with db.transaction() as tx:
        person, _ = await people.get_or_create(tx, telegram_id)
        await tx.execute(
            "INSERT INTO roles (person_id, role, body_id, granted_at) VALUES (?, 'coordinator', ?, ?)",
            (person.id, body, "2026-01-01T00:00:00+00:00"),
        )
    return person.id


async def submit(
    db: Database, service: CaseService, theme: str, text: str = "Un avis.", **fields: object
) -> tuple[int, int, list[int]]:
    async with db.transaction() as tx:
        author, _ = await people.get_or_create(tx, 5000 + hash(text) % 1000)
        reference = await submissions.create(
            tx,
            NewSubmission(
                kind="avis",
                author_id=author.id,
                sharing=str(fields.get("sharing", "anonymous")),
                language="fr",
                year=2026,
                origin_run=f"run-{text}",
                theme=theme,
                body_text=text,
            ),
        )
        row = await submissions.by_reference(tx, reference)
        assert row is not None
        opened = await service.work(tx).dispatch(row["id"])
    return author.id, row["id"], opened


async def owed(db: Database, recipient: int) -> list[dict]:
    async with db.read() as tx:
        rows = await tx.all(
            "SELECT payload FROM outbox WHERE recipient_id = ? ORDER BY id", (recipient,)
        )
    return [json.loads(r["payload"]) for r in rows]


async def test_one_case_per_body_and_a_card_to_each_coordinator(
    db: Database, service: CaseService
) -> None:
    housing = await coordinator(db, 1, "gt-logement")
    participation_a = await coordinator(db, 2, "gt-participation")
    participation_b = await coordinator(db, 3, "gt-participation")
    _, _, opened = await submit(db, service, "participation", "Il manque des logements.")
    assert len(opened) == 2  # the theme's rule names two bodies
    for person in (housing, participation_a, participation_b):
        cards = await owed(db, person)
        assert len(cards) == 1 and "Il manque des logements." in cards[0]["text"]
        assert any("x:" in data for row in cards[0]["buttons"] for _, data in row)


async def test_a_body_without_anyone_is_reported_to_triage_once(
    db: Database, service: CaseService
) -> None:
    triage = await coordinator(db, 10, "triage")
    _, _, opened = await submit(db, service, "crise", "Personne au groupe crise.")
    notices = await owed(db, triage)
    assert len(notices) == 1 and "Ce groupe a 0 coordinateur" in notices[0]["text"]
    async with db.transaction() as tx:  # the sweep or a retry must not repeat it
        case = await cases.get(tx, opened[0])
        assert case is not None
        await service.work(tx).send_card(case)
    assert len(await owed(db, triage)) == 1


async def test_follow_up_waits_72_hours_after_the_safety_net(
    db: Database, service: CaseService
) -> None:
    marc = await coordinator(db, 20, "gt-crise")
    author, _, opened = await submit(db, service, "crise", "Attente trop longue.")
    clock = Clock()
    service.clock = clock
    async with db.transaction() as tx:
        case = await cases.get(tx, opened[0])
        assert case is not None
        await service.work(tx).close(case, marc, "answered", None)
    clock.advance(timedelta(weeks=4, minutes=1))
    async with db.transaction() as tx:
        # The author's last message fired the crisis net a day ago (in clock time).
        await tx.execute(
            "INSERT INTO safety_events (person_id, categories, at) VALUES (?, 'suicide', ?)",
            (author, (clock() - timedelta(days=1)).isoformat(timespec="seconds")),
        )
    report = await service.sweep(db)
    assert report["followups"] == 0 and report["postponed"] == 1
    assert not any("Est-ce que c'est réglé" in p.get("text", "") for p in await owed(db, author))
    clock.advance(timedelta(days=2, hours=13))
    assert (await service.sweep(db))["followups"] == 1
    assert any("Est-ce que c'est réglé" in p.get("text", "") for p in await owed(db, author))
    async with db.read() as tx:
        assert await safety_events.fired_since(tx, author, clock() - timedelta(days=10))


async def test_not_retained_needs_its_reason(db: Database, service: CaseService) -> None:
    marc = await coordinator(db, 30, "gt-crise")
    _, _, opened = await submit(db, service, "crise", "Une demande.")
    async with db.transaction() as tx:
        case = await cases.get(tx, opened[0])
        assert case is not None
        with pytest.raises(ValueError, match="needs its reason"):
            await service.work(tx).close(case, marc, "not_retained", None)


async def test_erasing_drops_pending_cards_and_rewrites_sent_ones(
    db: Database, service: CaseService
) -> None:
    marc = await coordinator(db, 40, "gt-crise")
    _, submission_id, opened = await submit(db, service, "crise", "Mes mots à effacer.")
    async with db.transaction() as tx:
        row = await tx.one("SELECT id FROM outbox WHERE recipient_id = ?", (marc,))
        await outbox.claim(tx, row["id"])
        await outbox.mark_sent(tx, row["id"], 77, datetime.now(UTC))
        await service.work(tx).erase(submission_id)
    payloads = await owed(db, marc)
    assert payloads[-1]["op"] == "edit" and payloads[-1]["message_id"] == 77
    assert "la personne a effacé son message" in payloads[-1]["text"]
    assert "Mes mots à effacer" not in payloads[-1]["text"]
    async with db.read() as tx:
        assert (await cases.get(tx, opened[0])).status == "erased"  # type: ignore[union-attr]


async def test_a_blocked_group_is_unlinked_and_cards_go_to_coordinators(
    db: Database, service: CaseService
) -> None:
    marc = await coordinator(db, 50, "gt-crise")
    triage = await coordinator(db, 51, "triage")
    async with db.transaction() as tx:
        group = await people.group_chat(tx, -1001)
        await cases.link_chat(tx, "gt-crise", group, marc, datetime.now(UTC))
    await submit(db, service, "crise", "Pour le groupe bloqué.")
    async with db.transaction() as tx:
        raw = await tx.one("SELECT * FROM outbox WHERE recipient_id = ?", (group,))
        row = OutboxRow(
            raw["id"],
            group,
            -1001,
            raw["purpose"],
            raw["case_id"],
            json.loads(raw["payload"]),
            1,
            0,
        )
        await outbox.mark_failed(tx, row.id, "blocked")
        await service.on_blocked(tx, row, None, datetime.now(UTC))
        assert await cases.chat_of(tx, "gt-crise") is None
        actions = [r["action"] for r in await tx.all("SELECT action FROM audit_log")]
    assert "chat_unlinked_blocked" in actions
    assert any("Pour le groupe bloqué." in p["text"] for p in await owed(db, marc))
    assert any("bloque le bot" in p["text"] for p in await owed(db, triage))
