"""A bot whose clock tests move, restartable on the same database: meetings and digests.

The clock starts where a test wants it (`START` by default, a Monday in March 2027);
invites are made on that clock, as `python -m bot invite` would make them on that day.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import Application

from bot.app import build_application, running
from bot.clock import Clock
from bot.config import Settings, Territory
from bot.sandbox.client import Person
from bot.sandbox.server import Sandbox
from bot.storage import Database, roles
from tests.e2e.anonymity import assert_authors_unidentified

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2027, 3, 22, 9, 0, tzinfo=PARIS)  # a Monday


def move_to(clock: Clock, moment: datetime) -> None:
    """Sets the bot's clock to `moment` (listeners re-plan what was planned)."""
    clock.advance(moment.astimezone(UTC) - clock())


class Bots:
    """Starts the real Application on the same database and clock, and restarts it."""

    def __init__(self, settings: Settings, territory: Territory, sandbox: Sandbox) -> None:
        self.settings = settings
        self.territory = territory
        self.sandbox = sandbox
        self.clock = Clock()
        self.app: Application | None = None
        self._running: AbstractAsyncContextManager[Application] | None = None

    async def start(self) -> Application:
        self.app = build_application(self.settings, self.territory, clock=self.clock)
        self._running = running(self.app, poll_timeout=1)
        await self._running.__aenter__()
        return self.app

    async def stop(self) -> None:
        if self._running is not None and self.app is not None:
            await assert_authors_unidentified(self.sandbox, self.app.bot_data["db"])
            await self._running.__aexit__(None, None, None)
        self._running = None

    async def restart(self) -> Application:
        await self.stop()
        return await self.start()

    @property
    def db(self) -> Database:
        assert self.app is not None
        return self.app.bot_data["db"]


@pytest.fixture
async def bots(settings: Settings, territory: Territory, sandbox: Sandbox) -> AsyncIterator[Bots]:
    runner = Bots(settings, territory, sandbox)
    runner.clock.advance(START.astimezone(UTC) - runner.clock())
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


async def become_coordinator(person: Person, bots: Bots, body: str = "gt-crise") -> None:
    """The invite is made on the bot's clock (here, in 2027), as `python -m bot invite` does."""
    async with bots.db.transaction() as tx:
        code = await roles.create_invite(tx, "coordinator", body, timedelta(days=7), bots.clock())
    await person.send(f"/start inv_{code}")
    await person.expect("Vous coordonnez maintenant ce groupe")
    await person.expect("Que voulez-vous faire ?")


async def become_helper(person: Person, bots: Bots) -> None:
    """A peer helper's one-time invite, made on the bot's clock."""
    async with bots.db.transaction() as tx:
        code = await roles.create_invite(tx, "pair_aidant", None, timedelta(days=7), bots.clock())
    await person.send(f"/start inv_{code}")
    await person.expect("Vous êtes maintenant pair-aidant dans Porte-voix.")
    await person.expect("Que voulez-vous faire ?")
