"""Shared fixtures: the example territory, a fresh database, the sandbox and the real bot."""

from __future__ import annotations

import os

os.environ.setdefault("PTB_TIMEDELTA", "true")

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import DEFAULT_CONFIG, Territory, load_territory
from bot.storage import Database

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def territory() -> Territory:
    return load_territory(DEFAULT_CONFIG)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "test.db") as database:
        yield database
