"""End-to-end fixtures: the sandbox on loopback HTTP and the real python-telegram-bot Application.

Every test here talks to the bot the way Telegram would: over HTTP, through the Bot API
protocol, with the sandbox checking each request against the Bot API 10.0 spec.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.app import build_application, running
from bot.config import DEFAULT_CONFIG, Settings, Territory
from bot.sandbox.client import SandboxClient
from bot.sandbox.server import Sandbox
from bot.storage import Database
from tests.e2e.anonymity import CHECKED, assert_authors_unidentified
from tests.e2e.clocked import bots  # noqa: F401 - a fixture: a bot on a clock tests move


def pytest_terminal_summary(terminalreporter: object) -> None:  # pragma: no cover
    if CHECKED["messages"]:
        terminalreporter.write_line(  # type: ignore[attr-defined]
            f"anonymity: {CHECKED['messages']} coordinator-side messages checked against "
            f"{CHECKED['identities']} unnamed authors' Telegram identities: 0 leaks"
        )


TOKEN = "123456:TEST-porte-voix"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    server = Sandbox()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    # Acceptance: during the whole suite the bot never sends a request Telegram would refuse.
    assert server.invalid_requests == [], server.invalid_requests


@pytest.fixture
def settings(sandbox: Sandbox, tmp_path: Path) -> Settings:
    return Settings(
        token=TOKEN,
        api_url=sandbox.root,
        db_path=tmp_path / "porte-voix.db",
        config_path=DEFAULT_CONFIG,
    )


@pytest.fixture
async def bot(
    settings: Settings, territory: Territory, sandbox: Sandbox
) -> AsyncIterator[Application]:
    application = build_application(settings, territory)
    async with running(application, poll_timeout=1):
        yield application
        # Acceptance, over the whole suite: the coordinator side never learns who an
        # author is unless the author chose to be named.
        await assert_authors_unidentified(sandbox, application.bot_data["db"])


@pytest.fixture
def bot_db(bot: Application) -> Database:
    return bot.bot_data["db"]


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox.root) as sandbox_client:
        yield sandbox_client
