"""The delivery worker against a real (temporary) database and a fake sender: no Telegram.

The fake sender plays Telegram's answers from a script (per message text) and records every
attempt, so each rule of `bot/delivery.py` is checked by what was attempted and what the
outbox rows say afterwards.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.delivery import Delivery, Outcome
from bot.storage import Database, Tx, outbox, people
from bot.storage.outbox import OutboxRow

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


class ManualClock:
    """Time moves only when a test says so."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class FakeSender:
    """Answers each attempt from `script[text]` (then "sent"), records (chat, text) in order.

    With `gate` set, every attempt waits for it: two attempts of the same row (`overlaps`),
    or two sends to one chat (`chat_overlaps`, which would break the order), in flight at
    once are recorded.
    """

    def __init__(self) -> None:
        self.script: defaultdict[str, deque[Outcome | Exception]] = defaultdict(deque)
        self.calls: list[tuple[int, str]] = []
        self.gate: asyncio.Event | None = None
        self.in_flight: set[str] = set()
        self.overlaps: list[str] = []
        self.chats_in_flight: set[int] = set()
        self.chat_overlaps: list[int] = []
        self.next_message_id = 100

    def will(self, text: str, *answers: Outcome | Exception) -> None:
        self.script[text].extend(answers)

    async def __call__(self, chat_id: int, payload: dict[str, Any]) -> Outcome:
        text = payload.get("text", "")
        self.calls.append((chat_id, text))
        if text in self.in_flight:
            self.overlaps.append(text)
        self.in_flight.add(text)
        if chat_id in self.chats_in_flight:
            self.chat_overlaps.append(chat_id)
        self.chats_in_flight.add(chat_id)
        try:
            if self.gate is not None:
                await self.gate.wait()
            if self.script[text]:
                answer = self.script[text].popleft()
                if isinstance(answer, Exception):
                    raise answer
                return answer
            self.next_message_id += 1
            return Outcome("sent", message_id=self.next_message_id)
        finally:
            self.in_flight.discard(text)
            self.chats_in_flight.discard(chat_id)

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [text for chat, text in self.calls if chat_id is None or chat == chat_id]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database(tmp_path / "t.db").open()
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


@pytest.fixture
def delivery(db: Database, sender: FakeSender, clock: ManualClock) -> Delivery:
    return Delivery(db, sender, clock)


async def person(db: Database, telegram_id: int) -> int:
    async with db.transaction() as tx:
        found, _ = await people.get_or_create(tx, telegram_id)
    return found.id


async def owe(db: Database, recipient: int, *texts: str, when: datetime = START) -> list[int]:
    async with db.transaction() as tx:
        return [await outbox.enqueue(tx, recipient, {"text": t}, when) for t in texts]


async def rows(db: Database) -> dict[str, dict[str, Any]]:
    """Outbox rows by text: status, attempts, unknown_attempts, not_before, message_id, error."""
    async with db.read() as tx:
        found = await tx.all("SELECT * FROM outbox ORDER BY id")
    out = {}
    for r in found:
        payload = json.loads(r["payload"])
        out[payload.get("text", f"#{r['id']}")] = {
            key: r[key]
            for key in (
                "status",
                "attempts",
                "unknown_attempts",
                "not_before",
                "message_id",
                "error",
            )
        }
    return out


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


async def wait_until(condition: Any, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


# ---- order per chat ------------------------------------------------------------------------


async def test_a_waiting_first_row_holds_back_its_chat_but_not_others(
    db: Database, delivery: Delivery, sender: FakeSender, clock: ManualClock
) -> None:
    alice, bob = await person(db, 11), await person(db, 12)
    await owe(db, alice, "a1", "a2", "a3")
    await owe(db, bob, "b1")
    sender.will("a1", Outcome("retry", retry_after=2, error="429"))

    await delivery.flush(alice)
    assert sender.texts() == ["a1"]  # a2 and a3 did not jump ahead of the waiting a1
    state = await rows(db)
    assert [state[t]["status"] for t in ("a1", "a2", "a3")] == ["pending"] * 3
    async with db.read() as tx:
        assert await outbox.due_recipients(tx, clock()) == [bob]

    await delivery.flush(bob)  # another chat is not held back
    clock.advance(1.9)
    await delivery.flush(alice)  # still too early: nothing, not even a2
    assert sender.texts() == ["a1", "b1"]

    clock.advance(0.1)
    await delivery.flush(alice)
    assert sender.texts(11) == ["a1", "a1", "a2", "a3"]
    state = await rows(db)
    assert all(r["status"] == "sent" for r in state.values())
    assert [state[t]["message_id"] for t in ("a1", "a2", "a3")] == sorted(
        state[t]["message_id"] for t in ("a1", "a2", "a3")
    )


async def test_retry_honours_retry_after(
    db: Database, delivery: Delivery, sender: FakeSender, clock: ManualClock
) -> None:
    alice = await person(db, 21)
    await owe(db, alice, "slow", "instant")
    sender.will("slow", Outcome("retry", retry_after=3, error="429"))
    sender.will("instant", Outcome("retry", retry_after=0, error="429"))

    await delivery.flush(alice)
    state = await rows(db)
    assert state["slow"]["not_before"] == stamp(START + timedelta(seconds=3))
    assert state["slow"]["error"] == "429"
    assert (state["slow"]["attempts"], state["slow"]["unknown_attempts"]) == (1, 0)

    clock.advance(2.999)
    await delivery.flush(alice)
    assert sender.texts() == ["slow"]
    clock.advance(0.001)
    await delivery.flush(alice)
    # "instant" asked for no wait at all: it still waits a little (0.1 s), never hammers.
    assert sender.texts() == ["slow", "slow", "instant"]
    state = await rows(db)
    assert state["slow"]["status"] == "sent"
    assert state["slow"]["error"] is None
    assert state["instant"]["not_before"] == stamp(clock() + timedelta(seconds=0.1))
    clock.advance(0.1)
    await delivery.flush(alice)
    assert (await rows(db))["instant"]["status"] == "sent"
    assert (await rows(db))["instant"]["unknown_attempts"] == 0  # a 429 is a known outcome


async def test_unknown_outcome_backs_off_then_sends_again_and_is_counted(
    db: Database, delivery: Delivery, sender: FakeSender, clock: ManualClock
) -> None:
    alice = await person(db, 31)
    await owe(db, alice, "card", "after")
    sender.will(
        "card",
        Outcome("unknown", error="NetworkError"),
        RuntimeError("sender bug"),  # an exception in the sender counts as unknown too
        Outcome("unknown", error="TimedOut"),
    )

    await delivery.flush(alice)
    state = (await rows(db))["card"]
    assert (state["status"], state["unknown_attempts"], state["error"]) == (
        "pending",
        1,
        "NetworkError",
    )
    assert state["not_before"] == stamp(clock() + timedelta(seconds=0.5))

    expected_waits = [0.5, 1.0, 2.0]  # doubling backoff
    for attempt, wait in enumerate(expected_waits[1:], start=2):
        clock.advance(expected_waits[attempt - 2] - 0.01)
        await delivery.flush(alice)
        assert len(sender.texts()) == attempt - 1  # not before the backoff is over
        clock.advance(0.01)
        await delivery.flush(alice)
        state = (await rows(db))["card"]
        assert state["unknown_attempts"] == attempt
        assert state["not_before"] == stamp(clock() + timedelta(seconds=wait))
    assert state["error"] == "TimedOut"

    clock.advance(2.0)
    await delivery.flush(alice)
    assert sender.texts() == ["card"] * 4 + ["after"]
    state = await rows(db)
    assert (state["card"]["status"], state["card"]["attempts"]) == ("sent", 4)
    assert state["card"]["unknown_attempts"] == 3
    assert state["after"]["unknown_attempts"] == 0


async def test_blocked_fails_the_row_calls_the_hook_and_the_queue_goes_on(
    db: Database, sender: FakeSender, clock: ManualClock
) -> None:
    alice, bob = await person(db, 41), await person(db, 42)
    seen: list[tuple[int, str, str, datetime]] = []

    async def on_blocked(tx: Tx, row: OutboxRow, outcome: Outcome, now: datetime) -> None:
        # The hook runs in the transaction that failed the row: it may write its own rows.
        status = await tx.value("SELECT status FROM outbox WHERE id = ?", (row.id,))
        seen.append((row.id, row.payload["text"], f"{outcome.kind}/{status}", now))
        await outbox.enqueue(tx, bob, {"text": "tell bob"}, now)

    delivery = Delivery(db, sender, clock, on_blocked=on_blocked)
    ids = await owe(db, alice, "to a blocker", "next")
    sender.will("to a blocker", Outcome("blocked", error="Forbidden: bot was blocked"))
    sender.will("next", Outcome("blocked", error="Forbidden: bot was blocked"))

    await delivery.flush(alice)
    assert sender.texts(41) == ["to a blocker", "next"]  # each tried once, never retried
    assert seen == [
        (ids[0], "to a blocker", "blocked/failed", START),
        (ids[1], "next", "blocked/failed", START),
    ]
    state = await rows(db)
    assert state["to a blocker"]["status"] == "failed"
    assert state["to a blocker"]["error"] == "blocked"
    clock.advance(3600)
    await delivery.flush(alice)
    assert sender.texts(41) == ["to a blocker", "next"]
    await delivery.flush(bob)
    assert sender.texts(42) == ["tell bob", "tell bob"]


async def test_a_rejected_edit_does_not_block_the_next_row(
    db: Database, delivery: Delivery, sender: FakeSender
) -> None:
    alice = await person(db, 51)
    async with db.transaction() as tx:
        await outbox.enqueue(tx, alice, {"op": "edit", "message_id": 7, "text": "edit"}, START)
        await outbox.enqueue(tx, alice, {"text": "new card"}, START)
    sender.will("edit", Outcome("rejected", error="Bad Request: message to edit not found"))

    await delivery.flush(alice)
    assert sender.texts() == ["edit", "new card"]
    state = await rows(db)
    assert state["edit"]["status"] == "failed"
    assert state["edit"]["error"] == "Bad Request: message to edit not found"
    assert state["new card"]["status"] == "sent"


async def test_a_person_without_chat_fails_without_sending(
    db: Database, delivery: Delivery, sender: FakeSender
) -> None:
    alice = await person(db, 61)
    await owe(db, alice, "lost", "also lost")
    async with db.transaction() as tx:
        await tx.execute("UPDATE people SET telegram_id = NULL WHERE id = ?", (alice,))
    await delivery.flush(alice)
    assert sender.calls == []
    assert {r["error"] for r in (await rows(db)).values()} == {"no chat"}


async def test_a_sent_prompt_becomes_the_live_keyboard(
    db: Database, delivery: Delivery, sender: FakeSender
) -> None:
    alice = await person(db, 62)
    async with db.transaction() as tx:
        await outbox.enqueue(tx, alice, {"text": "question", "prompt": True}, START)
    await delivery.flush(alice)
    async with db.read() as tx:
        live = await tx.value("SELECT prompt_message_id FROM people WHERE id = ?", (alice,))
    assert live == (await rows(db))["question"]["message_id"]


# ---- start, loop and concurrency ----------------------------------------------------------


async def test_start_puts_rows_caught_mid_send_back_and_sends_them(
    db: Database, delivery: Delivery, sender: FakeSender
) -> None:
    alice = await person(db, 71)
    ids = await owe(db, alice, "was sending", "was waiting")
    async with db.transaction() as tx:
        assert await outbox.claim(tx, ids[0])  # the previous process died mid-send
    assert (await rows(db))["was sending"]["status"] == "sending"

    await delivery.start()
    try:
        state = await rows(db)
        assert state["was sending"]["unknown_attempts"] == 1  # reset counts it as unknown

        async def all_sent() -> bool:
            return all(r["status"] == "sent" for r in (await rows(db)).values())

        await wait_until(all_sent)
    finally:
        await delivery.stop()
    assert sender.texts() == ["was sending", "was waiting"]
    assert (await rows(db))["was sending"]["attempts"] == 2


async def test_the_loop_sends_what_becomes_due_and_stops_cleanly(
    db: Database, delivery: Delivery, sender: FakeSender, clock: ManualClock
) -> None:
    alice, bob = await person(db, 81), await person(db, 82)
    await owe(db, alice, "later", when=START + timedelta(seconds=30))
    await delivery.start()
    try:
        await owe(db, bob, "now")
        delivery.kick()

        async def bob_served() -> bool:
            return sender.texts() == ["now"]

        await wait_until(bob_served)
        await asyncio.sleep(0.05)
        assert sender.texts() == ["now"]  # "later" is not due yet
        clock.advance(30)
        delivery.kick()

        async def alice_served() -> bool:
            return sender.texts() == ["now", "later"]

        await wait_until(alice_served)
    finally:
        await delivery.stop()
    assert delivery._task is None
    assert delivery.sent_count == 2


async def test_two_flushes_at_once_send_a_row_once(
    db: Database, delivery: Delivery, sender: FakeSender
) -> None:
    alice = await person(db, 91)
    await owe(db, alice, "one", "two")
    sender.gate = asyncio.Event()
    first = asyncio.create_task(delivery.flush(alice))
    second = asyncio.create_task(delivery.flush(alice))
    await asyncio.sleep(0.05)
    assert sender.texts() == ["one"]  # the second flush waits, it does not send "one" too
    sender.gate.set()
    await asyncio.gather(first, second)
    assert sender.texts() == ["one", "two"]
    assert sender.overlaps == sender.chat_overlaps == []
    assert {r["attempts"] for r in (await rows(db)).values()} == {1}


async def test_flush_and_the_background_loop_never_send_a_row_twice(
    db: Database, delivery: Delivery, sender: FakeSender
) -> None:
    """The handler flushes a chat while the loop is working on the same chat."""
    recipients = [await person(db, 100 + n) for n in range(5)]
    for n, recipient in enumerate(recipients):
        await owe(db, recipient, *(f"r{n}-{k}" for k in range(4)))
    sender.gate = asyncio.Event()
    await delivery.start()
    try:
        delivery.kick()
        await asyncio.sleep(0.05)  # the loop has claimed the first row of each chat
        flushes = [asyncio.create_task(delivery.flush(r)) for r in recipients for _ in range(2)]
        await asyncio.sleep(0.05)
        sender.gate.set()
        await asyncio.gather(*flushes)

        async def all_sent() -> bool:
            return all(r["status"] == "sent" for r in (await rows(db)).values())

        await wait_until(all_sent)
    finally:
        await delivery.stop()
    assert sender.overlaps == sender.chat_overlaps == []
    assert sorted(sender.texts()) == sorted(f"r{n}-{k}" for n in range(5) for k in range(4))
    for n in range(len(recipients)):  # and in order within each chat
        assert sender.texts(100 + n) == [f"r{n}-{k}" for k in range(4)]
    assert {r["attempts"] for r in (await rows(db)).values()} == {1}
