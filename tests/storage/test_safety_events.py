"""Safety events: the fact, the level and the signs, never a word of the message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage import Database, people, safety_events


async def test_the_table_has_no_place_for_text(db: Database) -> None:
    async with db.read() as tx:
        columns = [r[1] for r in await tx.all("PRAGMA table_info(safety_events)")]
    assert columns == ["id", "person_id", "categories", "at", "level", "signs"]


async def test_recent_events_are_found_by_level_on_the_bots_clock(db: Database) -> None:
    then = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    async with db.transaction() as tx:
        person, _ = await people.get_or_create(tx, 42)
        await safety_events.record(
            tx, person.id, ("suicide",), then, level="gentle", signs=("hopelessness",)
        )
        assert await safety_events.fired_within(tx, person.id, then, timedelta(minutes=30))
        assert not await safety_events.fired_within(
            tx, person.id, then, timedelta(minutes=30), level="full"
        )
        later = then + timedelta(minutes=31)
        assert not await safety_events.fired_within(tx, person.id, later, timedelta(minutes=30))
        row = await tx.one("SELECT level, signs, categories FROM safety_events")
    assert (row["level"], row["signs"], row["categories"]) == ("gentle", "hopelessness", "suicide")
