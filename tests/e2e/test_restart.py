"""`python -m bot run` as a real process, killed with SIGKILL in the middle of the avis flow.

The person must continue at the same step after a restart, a reply lost in the crash must
arrive after the restart, and the finished submission must exist exactly once. Messages owed
to a chat Telegram cannot reach wait in the outbox through a crash and go out after it.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import Sandbox
from tests.e2e.test_casework import give_avis_on_crisis

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


def outbox_rows(db_path: Path) -> list[tuple[int, int, str, str, int, int, str | None]]:
    """(id, telegram_id, purpose, status, attempts, unknown_attempts, case reference) of every
    owed message, in the order they were owed."""
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "SELECT o.id, p.telegram_id, o.purpose, o.status, o.attempts, o.unknown_attempts, "
            "s.reference FROM outbox o JOIN people p ON p.id = o.recipient_id "
            "LEFT JOIN cases c ON c.id = o.case_id "
            "LEFT JOIN submissions s ON s.id = c.submission_id ORDER BY o.id"
        ).fetchall()


async def invite_command(process: BotProcess, body: str) -> str:
    """`python -m bot invite --role coordinator --body …`, as an administrator runs it."""
    cli = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "invite",
        "--role",
        "coordinator",
        "--body",
        body,
        cwd=ROOT,
        env=process.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(cli.communicate(), STARTUP)
    assert cli.returncode == 0, err.decode()
    link = out.decode().strip()
    payload = re.search(r"start=(inv_[\w-]+)$", link)
    assert payload is not None, link
    return f"/start {payload.group(1)}"


async def test_kill_9_with_rows_in_the_outbox_then_all_are_sent(
    sandbox: Sandbox, client: SandboxClient, bot_process: BotProcess, tmp_path: Path
) -> None:
    db_path = tmp_path / "porte-voix.db"
    marc = client.person(3101, "Marc", language_code="fr")
    authors = [client.person(3001, "Sofia"), client.person(3002, "Karim")]
    start_marc = await invite_command(bot_process, "gt-crise")
    await bot_process.start()
    await marc.send(start_marc)
    await marc.expect("Vous coordonnez maintenant ce groupe", timeout=STARTUP)
    await marc.expect("Que voulez-vous faire ?")

    # Telegram cannot reach Marc's chat (502 on every send): the cards wait in the outbox.
    rule = sandbox.faults.add("bad_gateway", method="sendMessage", chat_id=marc.user_id, times=None)
    references = list(
        await asyncio.gather(
            give_avis_on_crisis(authors[0], "Aux urgences, la salle d'attente était froide."),
            give_avis_on_crisis(authors[1], "L'équipe mobile est venue vite, merci à elle."),
        )
    )
    for _ in range(200):  # the first card was tried and refused; the second waits behind it
        rows = outbox_rows(db_path)
        cards = [r for r in rows if r[1] == marc.user_id and r[2] == "card"]
        others_sent = all(r[3] == "sent" for r in rows if r[1] != marc.user_id)
        if len(cards) == 2 and cards[0][5] >= 1 and others_sent:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail(f"the cards were never tried: {outbox_rows(db_path)}")
    assert cards[1][4] == 0  # order per chat: never tried before the first card went out
    await bot_process.kill_9()
    sandbox.faults.clear()

    owed = [r for r in outbox_rows(db_path) if r[3] != "sent"]
    assert [(r[1], r[2]) for r in owed] == [(marc.user_id, "card")] * 2
    caught_sending = [r[0] for r in owed if r[3] == "sending"]
    assert {r[3] for r in owed} <= {"pending", "sending"}
    assert not any(
        ref in m.content.get("text", "")
        for m in sandbox.chats[marc.user_id].messages.values()
        for ref in references
    )
    assert rule.times is None and sandbox.faults.rules == []

    await bot_process.start()
    cards_shown = [await marc.receive(timeout=STARTUP), await marc.receive(timeout=10)]
    # In the order the cards were owed, each once, with the buttons to act on it.
    shown_order = [re.search(r"AV-\d{4}-\d{4}", c.text).group() for c in cards_shown]
    assert shown_order == [r[6] for r in owed]
    assert sorted(shown_order) == sorted(references)
    assert all("Je m'en occupe" in " ".join(c.button_labels) for c in cards_shown)
    # A card on a coordinator's screen: the author is told, by a message owed after the restart.
    for author, reference in zip(authors, references, strict=True):
        await author.expect(f"Votre message {reference} est bien arrivé.", timeout=10)
    for _ in range(200):
        rows = outbox_rows(db_path)
        if all(r[3] == "sent" for r in rows):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail(f"rows still owed after the restart: {rows}")

    # Exactly once in each chat: a 502 never reached the chat, so no resend made a copy.
    marc_texts = [m.content.get("text", "") for m in sandbox.chats[marc.user_id].messages.values()]
    for reference in references:
        assert sum(reference in t for t in marc_texts) == 1, (reference, caught_sending)
    for author, reference in zip(authors, references, strict=True):
        texts = [m.content.get("text", "") for m in sandbox.chats[author.user_id].messages.values()]
        assert sum(f"Votre message {reference} est bien arrivé." in t for t in texts) == 1
    print(f"\nrows caught in 'sending' by the kill and sent again: {len(caught_sending)}")
