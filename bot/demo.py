"""`python -m bot demo`: the sandbox, the bot and the example territory, on a temporary database.

A person chats with the bot from the terminal: messages are printed, buttons are numbered, and
typing a number presses the button. Everything goes over HTTP through the sandbox, exactly as
it would through Telegram.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
import tempfile
from pathlib import Path

from bot.app import build_application, running
from bot.config import DEFAULT_CONFIG, Settings, load_territory
from bot.sandbox.client import ChatMessage, Person, SandboxClient
from bot.sandbox.server import Sandbox

DEMO_TOKEN = "100000:porte-voix-demo"
DEMO_USER = 424242
QUIET_SECONDS = 0.6
FIRST_ANSWER_SECONDS = 10.0
HELP = """\
Porte-voix — démo locale (sandbox {root})
  Tapez un texte pour l'envoyer. Tapez un numéro pour appuyer sur un bouton.
  /vocal 5   envoie un message vocal de 5 secondes
  /quitter   quitte la démo (ou Ctrl-D)
"""


def plain(text: str, bold: bool) -> str:
    """Telegram HTML → terminal text (bold kept as ANSI when the terminal shows it)."""
    if bold:
        text = text.replace("<b>", "\033[1m").replace("</b>", "\033[0m")
    return html.unescape(re.sub(r"<[^>]+>", "", text))


class Terminal:
    """Prints what the bot sends and keeps the numbered buttons of the latest keyboard."""

    def __init__(self, person: Person, out: object = sys.stdout) -> None:
        self.person = person
        self.out = out
        self.bold = sys.stdout.isatty()
        self.buttons: list[tuple[ChatMessage, str]] = []

    def show(self, message: ChatMessage) -> None:
        labels = [b for row in message.buttons for b in row]
        if message.edited:
            chosen = [b.text for b in labels if b.text.startswith("✓")]
            if chosen:
                print(f"   {chosen[0]}", file=self.out)  # type: ignore[call-overload]
            return
        print(f"\nPorte-voix › {plain(message.text or '', self.bold)}", file=self.out)  # type: ignore[call-overload]
        if labels:
            self.buttons = []
            for button in labels:
                self.buttons.append((message, button.text))
                print(f"   [{len(self.buttons)}] {button.text}", file=self.out)  # type: ignore[call-overload]

    async def drain(self) -> None:
        """Shows everything the bot says: waits for its answer, then until it is quiet."""
        timeout = FIRST_ANSWER_SECONDS
        while True:
            try:
                message = await self.person.receive(timeout=timeout)
            except AssertionError:
                return
            self.show(message)
            timeout = QUIET_SECONDS

    async def handle(self, line: str) -> bool:
        line = line.strip()
        if not line:
            return True
        if line in ("/quitter", "/quit", "/exit"):
            return False
        if line.isdigit() and self.buttons and 1 <= int(line) <= len(self.buttons):
            message, label = self.buttons[int(line) - 1]
            print(f"Vous › [{label}]", file=self.out)  # type: ignore[call-overload]
            await self.person.tap(label, message=message)
        elif match := re.fullmatch(r"/vocal\s+(\d+)", line):
            print(f"Vous › (message vocal de {match.group(1)} secondes)", file=self.out)  # type: ignore[call-overload]
            await self.person.send_voice(int(match.group(1)))
        else:
            if not sys.stdin.isatty():
                print(f"Vous › {line}", file=self.out)  # type: ignore[call-overload]
            await self.person.send(line)
        await self.drain()
        return True


async def demo(port: int = 8081, config: Path | None = None) -> int:
    territory = load_territory(config or DEFAULT_CONFIG)
    sandbox = Sandbox()
    await sandbox.start(port=port)
    try:
        with tempfile.TemporaryDirectory(prefix="porte-voix-demo-") as tmp:
            settings = Settings(
                token=DEMO_TOKEN,
                api_url=sandbox.root,
                db_path=Path(tmp) / "demo.db",
                config_path=config or DEFAULT_CONFIG,
            )
            application = build_application(settings, territory)
            async with running(application), SandboxClient(sandbox.root) as client:
                person = client.person(DEMO_USER, "Vous", language_code="fr")
                terminal = Terminal(person)
                print(HELP.format(root=sandbox.root))
                await terminal.handle("/start")
                loop = asyncio.get_running_loop()
                while True:
                    if sys.stdin.isatty():
                        print("\nVous › ", end="", flush=True)
                    line = await loop.run_in_executor(None, sys.stdin.readline)
                    if not line or not await terminal.handle(line):
                        break
    finally:
        await sandbox.stop()
    print("\nAu revoir.")
    return 0


def run_demo(port: int = 8081, config: Path | None = None) -> int:
    return asyncio.run(demo(port, config))
