"""Fixtures: a sandbox served on a free loopback port, raw HTTP, a PTB Bot and a client."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import Bot

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import Sandbox
from bot.sandbox.spec import get_spec

# PTB reads it at call time: durations come back as timedelta, no deprecation warnings.
os.environ.setdefault("PTB_TIMEDELTA", "true")

TOKEN = "123456:TEST-token_abc"


def assert_clean(sandbox: Sandbox) -> None:
    """Nothing the bot sent was invalid and nothing the sandbox served broke the spec."""
    assert sandbox.invalid_requests == []
    assert sandbox.response_problems == []
    assert sandbox.unimplemented == []
    spec = get_spec()
    for update in sandbox.served_updates:
        assert spec.check_object("Update", update) == [], update


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """A sandbox without flood limits (tests that need them build their own)."""
    sb = Sandbox(rate_limits=None)
    await sb.start()
    sb.add_user(42, "Alice", language_code="fr")
    try:
        yield sb
    finally:
        await sb.stop()


@pytest.fixture
def root(sandbox: Sandbox) -> str:
    assert sandbox.root is not None
    return sandbox.root


@pytest.fixture
def api(root: str) -> str:
    """Bot API prefix for raw requests: ``f"{api}/sendMessage"``."""
    return f"{root}/bot{TOKEN}"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def bot(root: str) -> AsyncIterator[Bot]:
    """A real PTB 22.8 Bot pointed at the sandbox (initialised: getMe done)."""
    async with Bot(TOKEN, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot") as b:
        yield b


@pytest.fixture
async def client(root: str) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(root) as c:
        yield c
