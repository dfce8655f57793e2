"""Flood limits and fault injection for the sandbox.

Telegram answers 429 ``Too Many Requests: retry after N`` when a bot sends too fast, and the
network between the bot and Telegram sometimes fails (502, dropped connections). A bot that
never sees these in tests will mishandle them in production, so the sandbox reproduces both:
token buckets for the published limits, and a small rule list that forces failures.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["FAULT_KINDS", "FaultKind", "FaultRule", "Faults", "RateLimiter", "RateLimits"]


@dataclass(frozen=True)
class RateLimits:
    """Telegram's flood limits (bots FAQ); ``scale`` > 1 makes buckets refill that much faster.

    * overall: ~30 messages/s per bot;
    * groups (negative chat_id): 20 messages/min per chat;
    * private chats: ~1 message/s sustained, but Telegram tolerates short bursts, hence a
      token bucket of ``private_burst`` tokens.

    Bucket capacities are not scaled, only refill rates; ``retry_after`` is always a whole
    number of seconds (at least 1), as Telegram sends it.
    """

    overall_per_second: float = 30.0
    group_per_minute: float = 20.0
    private_per_second: float = 1.0
    # A welcome is 4 messages and a person taps faster in tests than in life; Telegram lets
    # such bursts through in private chats, the sustained rate is what it enforces.
    private_burst: int = 20
    scale: float = 1.0
    enabled: bool = True

    @classmethod
    def disabled(cls) -> RateLimits:
        """Limits that never trigger (benchmarks of the bot's own speed)."""
        return cls(enabled=False)


@dataclass
class _Bucket:
    capacity: float
    rate: float  # tokens per real second
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self) -> float:
        """Seconds until one token is available (0 if one is there now)."""
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class RateLimiter:
    """Token buckets per bot and per chat; :meth:`acquire` returns 0 or a retry_after."""

    def __init__(
        self, limits: RateLimits | None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits if limits is not None else RateLimits.disabled()
        self._clock = clock
        self._overall: _Bucket | None = None
        self._chats: dict[int, _Bucket] = {}

    def reset(self) -> None:
        """Forget all buckets (full capacity again)."""
        self._overall = None
        self._chats.clear()

    def _bucket(self, capacity: float, per_second: float, now: float) -> _Bucket:
        return _Bucket(capacity, per_second * self.limits.scale, capacity, now)

    def acquire(self, chat_id: int | None) -> int:
        """Take a token for one message to ``chat_id``; return 0, or retry_after seconds."""
        lim = self.limits
        if not lim.enabled:
            return 0
        now = self._clock()
        if self._overall is None:
            self._overall = self._bucket(lim.overall_per_second, lim.overall_per_second, now)
        buckets = [self._overall]
        if chat_id is not None:
            bucket = self._chats.get(chat_id)
            if bucket is None:
                if chat_id < 0:
                    bucket = self._bucket(lim.group_per_minute, lim.group_per_minute / 60, now)
                else:
                    bucket = self._bucket(lim.private_burst, lim.private_per_second, now)
                self._chats[chat_id] = bucket
            buckets.append(bucket)
        for bucket in buckets:
            bucket.refill(now)
        wait = max(bucket.wait() for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return 0


FaultKind = Literal["retry_after", "bad_gateway", "drop", "drop_after"]
FAULT_KINDS: tuple[str, ...] = ("retry_after", "bad_gateway", "drop", "drop_after")


@dataclass
class FaultRule:
    """Force a failure on matching Bot API requests.

    ``kind``: ``retry_after`` (429 with ``retry_after`` seconds), ``bad_gateway`` (502),
    ``drop`` (close the connection without answering; the method does not run) or
    ``drop_after`` (the method runs — a message is stored in the chat — then the connection
    is closed without answering: the client cannot know it worked, and a resend makes a
    duplicate, as on a real network). ``method`` (case-insensitive) and
    ``chat_id`` narrow the match (None = any); ``times`` is how many requests it hits
    (None = until cleared).
    """

    kind: FaultKind
    method: str | None = None
    chat_id: int | str | None = None
    times: int | None = 1
    retry_after: int = 1

    def matches(self, method: str, chat_id: Any) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultRule:
        kind = data.get("kind")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        return cls(
            kind=kind,
            method=data.get("method"),
            chat_id=data.get("chat_id"),
            times=data.get("times", 1),
            retry_after=int(data.get("retry_after", 1)),
        )


FaultHook = Callable[[str, Any], FaultRule | None]


@dataclass
class Faults:
    """Fault rules plus an optional ``hook(method, chat_id) -> FaultRule | None``.

    The hook is consulted first (for tests that want arbitrary logic); then the first
    matching rule fires and its ``times`` counter is decremented.
    """

    rules: list[FaultRule] = field(default_factory=list)
    hook: FaultHook | None = None
    fired: int = 0

    def add(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        chat_id: int | str | None = None,
        times: int | None = 1,
        retry_after: int = 1,
    ) -> FaultRule:
        """Add a rule; returns it so a test can inspect ``times`` afterwards."""
        rule = FaultRule(kind, method, chat_id, times, retry_after)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()
        self.hook = None

    def pick(self, method: str, chat_id: Any) -> FaultRule | None:
        """The fault to apply to this request, if any (consumes one use of a rule)."""
        if self.hook is not None:
            rule = self.hook(method, chat_id)
            if rule is not None:
                self.fired += 1
                return rule
        for rule in self.rules:
            if rule.matches(method, chat_id):
                if rule.times is not None:
                    rule.times -= 1
                self.fired += 1
                return rule
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "rules": [asdict(r) for r in self.rules],
            "hook": self.hook is not None,
            "fired": self.fired,
        }
