"""Storage: migrations, the one table with Telegram ids, references, replay protection."""

from __future__ import annotations

from pathlib import Path

from bot.storage import Database, conversations, people, submissions, updates
from bot.storage.conversations import ConversationState
from bot.storage.migrations import MIGRATIONS
from bot.storage.submissions import NewSubmission


async def test_migrations_set_user_version_and_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    async with Database(path) as db, db.read() as tx:
        assert await tx.value("PRAGMA user_version") == len(MIGRATIONS)
        assert await tx.value("PRAGMA journal_mode") == "wal"
    async with Database(path) as db, db.read() as tx:
        assert await tx.value("PRAGMA user_version") == len(MIGRATIONS)


async def test_telegram_ids_live_in_people_only(db: Database) -> None:
    async with db.read() as tx:
        tables = [r[0] for r in await tx.all("SELECT name FROM sqlite_master WHERE type = 'table'")]
        holders = []
        for table in tables:
            columns = [r[1] for r in await tx.all(f"PRAGMA table_info({table})")]
            if any("telegram" in c for c in columns):
                holders.append(table)
    assert holders == ["people"]


async def test_people_get_a_stable_pseudonym(db: Database) -> None:
    async with db.transaction() as tx:
        first, created = await people.get_or_create(tx, 4242)
        again, created_again = await people.get_or_create(tx, 4242)
    assert created and not created_again
    assert first.id == again.id and first.pseudonym == again.pseudonym
    assert len(first.pseudonym) == 4 and set(first.pseudonym) <= set(people.PSEUDONYM_ALPHABET)


async def test_references_count_per_kind_and_year(db: Database) -> None:
    async with db.transaction() as tx:
        refs = [await submissions.next_reference(tx, "avis", 2026) for _ in range(3)]
        refs.append(await submissions.next_reference(tx, "idee", 2026))
        refs.append(await submissions.next_reference(tx, "avis", 2027))
    assert refs == ["AV-2026-0001", "AV-2026-0002", "AV-2026-0003", "ID-2026-0001", "AV-2027-0001"]


async def test_a_conversation_run_creates_one_submission_even_if_replayed(db: Database) -> None:
    async with db.transaction() as tx:
        person, _ = await people.get_or_create(tx, 1)
        new = NewSubmission(
            kind="avis",
            author_id=person.id,
            sharing="anonymous",
            language="fr",
            year=2026,
            origin_run="run-1",
            theme="crise",
            body_text="Bonjour",
        )
        first = await submissions.create(tx, new)
        second = await submissions.create(tx, new)
        count = await tx.value("SELECT COUNT(*) FROM submissions")
        events = await tx.value("SELECT COUNT(*) FROM submission_events")
    assert first == second == "AV-2026-0001"
    assert count == 1 and events == 1


async def test_a_failed_transaction_leaves_nothing(db: Database) -> None:
    try:
        async with db.transaction() as tx:
            await people.get_or_create(tx, 99)
            raise RuntimeError("crash in the middle")
    except RuntimeError:
        pass
    async with db.read() as tx:
        assert await tx.value("SELECT COUNT(*) FROM people") == 0


async def test_one_active_conversation_and_paused_drafts(db: Database) -> None:
    async with db.transaction() as tx:
        person, _ = await people.get_or_create(tx, 7)
        await conversations.save(
            tx,
            person.id,
            ConversationState("avis", "message", "r1", {"theme": "crise"}, ["theme"], 3),
        )
        await conversations.pause_active(tx, person.id)
        await conversations.save(tx, person.id, ConversationState("menu", "choose", "r2"))
        active = await conversations.active(tx, person.id)
        paused = await conversations.paused(tx, person.id)
    assert active is not None and active.flow == "menu"
    assert [p.flow for p in paused] == ["avis"]
    assert paused[0].answers == {"theme": "crise"} and paused[0].history == ["theme"]


async def test_updates_are_remembered(db: Database) -> None:
    async with db.transaction() as tx:
        assert not await updates.seen(tx, 10)
        await updates.mark(tx, 10)
        assert await updates.seen(tx, 10)
