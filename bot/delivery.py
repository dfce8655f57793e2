"""Delivery: the worker that sends the outbox, in order per chat, never losing a row.

It knows nothing of Telegram: a `Sender` (in `bot/handlers/sender.py`) turns one row into a
Bot API call and reports an `Outcome`. Rules:
- one chat's rows go in id order; a row that must wait holds back the rows behind it;
- 429: wait what Telegram says (`retry_after`), the message was not sent;
- network errors and 5xx: the outcome is unknown, so the row is sent again after a backoff
  (the only case where a chat may see a message twice);
- 403 (the chat blocks the bot): the row fails and a hook reports it;
- a row caught mid-send by a crash is sent again at start.
Conversation replies are flushed by the handler at once; the background loop sends the rest.
Mass messages (reminders, notices of meetings, minutes, digests) are paced under the bot's
overall rate, so python-telegram-bot's rate limiter always has room left for replies: a
broadcast to thousands never makes a person in a conversation wait behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiolimiter import AsyncLimiter

from bot.storage import Database, Tx, outbox, people
from bot.storage.outbox import OutboxRow

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=5)
IDLE_WAKEUP = 1.0  # seconds: the loop looks for rows that became due at least this often
BULK_PURPOSES = frozenset({"reminder", "meeting_notice", "minutes", "digest"})


@dataclass(frozen=True)
class Outcome:
    """What Telegram did with one row: `sent`, `retry`, `unknown`, `rejected` or `blocked`."""

    kind: str
    message_id: int | None = None
    retry_after: float = 0.0
    error: str = ""


Sender = Callable[[int, dict[str, Any]], Awaitable[Outcome]]
SentHook = Callable[[Tx, OutboxRow, Outcome, datetime], Awaitable[None]]


def backoff(unknown_attempts: int) -> timedelta:
    """0.5 s, 1 s, 2 s … up to 5 minutes: a network hiccup passes, an outage is not hammered."""
    return min(timedelta(seconds=0.5 * 2 ** max(unknown_attempts - 1, 0)), MAX_BACKOFF)


class Delivery:
    """Sends owed messages. `flush(recipient)` sends one chat's due rows now; `run` the rest."""

    def __init__(
        self,
        db: Database,
        sender: Sender,
        clock: Callable[[], datetime],
        *,
        concurrency: int = 8,
        on_sent: SentHook | None = None,
        on_blocked: SentHook | None = None,
        bulk_per_second: float | None = None,
    ) -> None:
        self.db = db
        # A small bucket (burst of 1): mass messages leave the rest of each second to replies.
        self._bulk = AsyncLimiter(1, 1 / bulk_per_second) if bulk_per_second else None
        self.sender = sender
        self.clock = clock
        self.concurrency = concurrency
        self.on_sent = on_sent
        self.on_blocked = on_blocked
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.sent_count = 0

    # ---- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        async with self.db.transaction() as tx:
            resumed = await outbox.reset_unknown(tx)
        if resumed:
            log.info("%d messages were being sent at the last stop: sending them again", resumed)
        self._task = asyncio.create_task(self._run(), name="outbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def kick(self) -> None:
        """New rows were committed: look now rather than at the next wake-up."""
        self._wake.set()

    # ---- sending ---------------------------------------------------------------------

    async def flush(self, recipient_id: int) -> None:
        """Sends this chat's due rows in order; stops at the first one that must wait."""
        async with self._locks[recipient_id]:
            while True:
                async with self.db.transaction() as tx:
                    row = await outbox.next_for(tx, recipient_id, self.clock())
                    if row is None or not await outbox.claim(tx, row.id):
                        return
                if not await self._send(row):
                    return

    async def _send(self, row: OutboxRow) -> bool:
        """One attempt; True when the next row of the same chat may go."""
        if row.telegram_id is None:
            async with self.db.transaction() as tx:
                await outbox.mark_failed(tx, row.id, "no chat")
            return True
        if self._bulk is not None and row.purpose in BULK_PURPOSES:
            await self._bulk.acquire()
        try:
            outcome = await self.sender(row.telegram_id, row.payload)
        except Exception as exc:  # a bug in the sender must not stop the queue
            log.exception("outbox row %s: sender failed", row.id)
            outcome = Outcome("unknown", error=type(exc).__name__)
        now = self.clock()
        async with self.db.transaction() as tx:
            if outcome.kind == "sent":
                await outbox.mark_sent(tx, row.id, outcome.message_id, now)
                if row.payload.get("prompt") and outcome.message_id is not None:
                    await people.set_prompt_message(tx, row.recipient_id, outcome.message_id)
                if self.on_sent is not None:
                    await self.on_sent(tx, row, outcome, now)
                self.sent_count += 1
                return True
            if outcome.kind == "retry":
                wait = timedelta(seconds=max(outcome.retry_after, 0.1))
                await outbox.mark_retry(tx, row.id, now + wait, "429", unknown=False)
                log.info(
                    "outbox row %s: Telegram asks to wait %.1f s", row.id, wait.total_seconds()
                )
                return False
            if outcome.kind == "unknown":
                wait = backoff(row.unknown_attempts + 1)
                await outbox.mark_retry(tx, row.id, now + wait, outcome.error, unknown=True)
                log.info(
                    "outbox row %s: outcome unknown (%s), again in %s", row.id, outcome.error, wait
                )
                return False
            if outcome.kind == "blocked":
                await outbox.mark_failed(tx, row.id, "blocked")
                log.warning("outbox row %s: the chat blocks the bot", row.id)
                if self.on_blocked is not None:
                    await self.on_blocked(tx, row, outcome, now)
                return True
            await outbox.mark_failed(tx, row.id, outcome.error or outcome.kind)
            level = logging.ERROR if row.payload.get("op") == "send" else logging.INFO
            log.log(level, "outbox row %s refused by Telegram: %s", row.id, outcome.error)
            return True

    async def _run(self) -> None:
        semaphore = asyncio.Semaphore(self.concurrency)

        async def one(recipient: int) -> None:
            async with semaphore:
                try:
                    await self.flush(recipient)
                except Exception:
                    log.exception("outbox: sending to recipient %s failed", recipient)

        while True:
            self._wake.clear()
            try:
                async with self.db.read() as tx:
                    recipients = await outbox.due_recipients(tx, self.clock())
                if recipients:
                    await asyncio.gather(*(one(r) for r in recipients))
                    continue
                async with self.db.read() as tx:
                    due = await outbox.next_due_time(tx)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox loop")
                due = None
            timeout = IDLE_WAKEUP
            if due is not None:
                timeout = min(max((due - self.clock()).total_seconds(), 0.01), IDLE_WAKEUP)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
