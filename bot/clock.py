"""The bot's clock: real time plus an offset a test (or a demo) can move forward.

Everything time-driven (follow-ups after weeks, overdue cases, retries) reads this clock, so
tests advance it instead of sleeping, while retries and timeouts still see time pass.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset
        # Told when time jumps: what was planned with the old time (reminder jobs) is re-planned.
        self.listeners: list[Callable[[], None]] = []

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta
        for listener in self.listeners:
            listener()
