"""`python -m bot run` as a real process, killed with SIGKILL in the middle of the avis flow.

The person must continue at the same step after a restart, a reply lost in the crash must
arrive after the restart, and the finished submission must exist exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import Sandbox

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "654321:restart-test"
STARTUP = 30.0  # seconds a cold interpreter may take to import and start polling


class BotProcess:
    """One `python -m bot run` subprocess, configured only through the environment."""

    def __init__(self, sandbox: Sandbox, db_path: Path, log_path: Path) -> None:
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": str(sandbox.root),
            "PORTEVOIX_DB": str(db_path),
            "PTB_TIMEDELTA": "true",
        }
        self.env.pop("PORTEVOIX_CONFIG", None)
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=self.env, stdout=log, stderr=log
        )
        log.close()

    async def kill_9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                await self.kill_9()


@pytest.fixture
async def bot_process(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(sandbox, tmp_path / "porte-voix.db", tmp_path / "bot.log")
    yield process
    await process.stop()


def submissions(db_path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT reference, theme, body_text FROM submissions").fetchall()


async def test_kill_9_mid_flow_then_restart(
    sandbox: Sandbox, client: SandboxClient, bot_process: BotProcess, tmp_path: Path
) -> None:
    sofia = client.person(2001, "Sofia", language_code="fr")
    await bot_process.start()

    await sofia.send("/avis")
    await sofia.expect("Votre avis parle de quel sujet ?", timeout=STARTUP)
    await sofia.tap("Mieux aider pendant une crise")
    await sofia.expect("Écrivez votre avis.")

    # Crash 1: while the person is thinking. The step is already on disk.
    await bot_process.kill_9()
    await bot_process.start()
    await sofia.send("Aux urgences, on m'a bien écoutée.")
    await sofia.expect("Vous parlez de quelle expérience ?", timeout=STARTUP)
    await sofia.tap("La mienne")
    await sofia.expect("Qui peut savoir que ce message vient de vous ?")
    await sofia.tap("Anonyme")
    await sofia.expect("Voici votre avis.")

    # Crash 2, the worst moment: the submission is committed, but Telegram drops the reply
    # that carries the reference number, and the bot dies right after.
    sandbox.faults.add("drop", method="sendMessage", chat_id=2001, times=1)
    await sofia.tap("Oui, j'envoie")
    for _ in range(200):
        if sandbox.stats()["errors"].get("fault:drop"):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the bot never tried to send the reference")
    await bot_process.kill_9()
    assert len(submissions(tmp_path / "porte-voix.db")) == 1

    await bot_process.start()
    done = await sofia.expect("Votre avis est envoyé.", timeout=STARTUP)
    rows = submissions(tmp_path / "porte-voix.db")
    assert len(rows) == 1
    reference, theme, text = rows[0]
    assert reference in done.text
    assert (theme, text) == ("crise", "Aux urgences, on m'a bien écoutée.")

    # The bot goes on normally after all this.
    await sofia.send("/avis")
    await sofia.expect("Votre avis parle de quel sujet ?", timeout=10)
