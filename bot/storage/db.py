"""One SQLite connection behind one lock: the single seam through which the bot stores anything.

SQLite allows one writer at a time; sharing a single aiosqlite connection and serialising every
transaction with an asyncio lock avoids "database is locked" and makes each step's write atomic.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)


def utcnow() -> str:
    """Timestamps are stored as ISO 8601 UTC text: sortable and readable in any SQLite tool."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """Owns the connection, applies migrations at open, hands out transactions."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> Database:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA busy_timeout=5000")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA synchronous=NORMAL")
        self._conn = conn
        await self._migrate()
        return self

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    async def _migrate(self) -> None:
        async with self._lock:
            row = await (await self.conn.execute("PRAGMA user_version")).fetchone()
            current = row[0]
            for number, script in enumerate(MIGRATIONS, start=1):
                if number <= current:
                    continue
                await self.conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _statements(script):
                        await self.conn.execute(statement)
                    await self.conn.execute(f"PRAGMA user_version = {number}")
                    await self.conn.execute("COMMIT")
                except BaseException:
                    await self.conn.execute("ROLLBACK")
                    raise
                log.info("database migrated to version %d", number)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """A write transaction: committed on success, rolled back on any error."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self.conn)
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """Reads share the lock so they never see another coroutine's uncommitted writes."""
        async with self._lock:
            yield Tx(self.conn)


class Tx:
    """Thin helpers over the connection, used inside a transaction or a read."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> int:
        """Runs a statement; returns lastrowid (for inserts) or the row count."""
        cursor = await self.conn.execute(sql, params)
        return cursor.lastrowid if sql.lstrip().upper().startswith("INSERT") else cursor.rowcount

    async def changed(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> int:
        """Runs a statement; returns how many rows it changed (0 for an ignored insert)."""
        cursor = await self.conn.execute(sql, params)
        return cursor.rowcount

    async def one(
        self, sql: str, params: Iterable[Any] | dict[str, Any] = ()
    ) -> aiosqlite.Row | None:
        cursor = await self.conn.execute(sql, params)
        return await cursor.fetchone()

    async def all(
        self, sql: str, params: Iterable[Any] | dict[str, Any] = ()
    ) -> list[aiosqlite.Row]:
        cursor = await self.conn.execute(sql, params)
        return list(await cursor.fetchall())

    async def value(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> Any:
        row = await self.one(sql, params)
        return None if row is None else row[0]


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";\n") if s.strip()]
