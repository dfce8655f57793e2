"""Acceptance check run after every end-to-end test: in every message the coordinator side
received (coordinators' private chats and the bodies' group chats, edits included), no
Telegram id, first name, last name or username of an author who did not choose "named"."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.sandbox.server import Sandbox
from bot.storage import Database

CHECKED = {"messages": 0, "identities": 0}


async def _sides(db: Database) -> tuple[set[int], set[int]]:
    async with db.read() as tx:
        coordinator_side = {
            r["telegram_id"]
            for r in await tx.all(
                "SELECT telegram_id FROM people WHERE kind = 'group' OR id IN "
                "(SELECT person_id FROM roles WHERE role = 'coordinator')"
            )
        }
        unnamed = {
            r["telegram_id"]
            for r in await tx.all(
                "SELECT p.telegram_id FROM people p WHERE p.id IN "
                "(SELECT author_id FROM submissions UNION SELECT relayed_person_id FROM submissions) "
                "AND p.id NOT IN (SELECT author_id FROM submissions WHERE sharing = 'named' "
                "AND author_id IS NOT NULL)"
            )
        }
    return coordinator_side, unnamed - coordinator_side


def _texts(message: Any) -> list[str]:
    found = []
    for content in [message.content, *message.history]:
        for key in ("text", "caption"):
            if isinstance(content.get(key), str):
                found.append(content[key])
    if message.reply_markup:
        found.append(json.dumps(message.reply_markup, ensure_ascii=False))
    return found


async def assert_authors_unidentified(sandbox: Sandbox, db: Database) -> None:
    coordinator_side, unnamed = await _sides(db)
    patterns = []
    for telegram_id in unnamed:
        user = sandbox.users.get(telegram_id)
        tokens = [str(telegram_id)]
        if user is not None:
            tokens += [t for t in (user.first_name, user.last_name, user.username) if t]
        patterns += [re.compile(rf"(?<![\w@]){re.escape(t)}(?!\w)") for t in tokens]
        patterns += [re.compile(rf"@{re.escape(user.username)}")] if user and user.username else []
    CHECKED["identities"] += len(unnamed)
    for chat_id in coordinator_side:
        chat = sandbox.chats.get(chat_id)
        if chat is None:
            continue
        for message in chat.messages.values():
            if not message.from_bot:
                continue
            CHECKED["messages"] += 1
            for text in _texts(message):
                for pattern in patterns:
                    assert not pattern.search(text), (
                        f"an unnamed author's identity ({pattern.pattern}) reached the "
                        f"coordinator side in chat {chat_id}: {text[:200]}"
                    )
