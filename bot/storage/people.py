"""People: the only table that knows Telegram ids. Everything else uses `people.id`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from bot.storage.db import Tx, utcnow

# No 0/O, 1/I: a pseudonym is read aloud in meetings and typed by hand.
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Person:
    id: int
    language: str | None
    language_chosen: bool
    pseudonym: str
    prompt_message_id: int | None = None


def new_pseudonym_code() -> str:
    return "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(4))


async def get_or_create(tx: Tx, telegram_id: int) -> tuple[Person, bool]:
    """Returns the person for this Telegram account, creating them on first contact."""
    row = await tx.one("SELECT * FROM people WHERE telegram_id = ?", (telegram_id,))
    now = utcnow()
    if row is not None:
        await tx.execute("UPDATE people SET last_seen_at = ? WHERE id = ?", (now, row["id"]))
        return _person(row), False
    while True:
        code = new_pseudonym_code()
        taken = await tx.value("SELECT 1 FROM people WHERE pseudonym = ?", (code,))
        if not taken:
            break
    person_id = await tx.execute(
        "INSERT INTO people (telegram_id, pseudonym, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
        (telegram_id, code, now, now),
    )
    row = await tx.one("SELECT * FROM people WHERE id = ?", (person_id,))
    assert row is not None
    return _person(row), True


async def set_language(tx: Tx, person_id: int, language: str, *, chosen: bool) -> None:
    await tx.execute(
        "UPDATE people SET language = ?, language_chosen = MAX(language_chosen, ?) WHERE id = ?",
        (language, int(chosen), person_id),
    )


async def next_revision(tx: Tx, person_id: int) -> int:
    """A per-person counter stamped on every keyboard, so an old button is recognised as old."""
    await tx.execute("UPDATE people SET step_counter = step_counter + 1 WHERE id = ?", (person_id,))
    return int(await tx.value("SELECT step_counter FROM people WHERE id = ?", (person_id,)))


def _person(row: object) -> Person:
    return Person(
        id=row["id"],  # type: ignore[index]
        language=row["language"],  # type: ignore[index]
        language_chosen=bool(row["language_chosen"]),  # type: ignore[index]
        pseudonym=row["pseudonym"],  # type: ignore[index]
        prompt_message_id=row["prompt_message_id"],  # type: ignore[index]
    )


async def set_prompt_message(tx: Tx, person_id: int, message_id: int | None) -> None:
    """The message whose keyboard is live; its buttons are removed when a newer one is sent."""
    await tx.execute(
        "UPDATE people SET prompt_message_id = ? WHERE id = ?", (message_id, person_id)
    )


async def telegram_id_of(tx: Tx, person_id: int) -> int | None:
    """Only to address a message to someone; the id never leaves this table otherwise."""
    return await tx.value("SELECT telegram_id FROM people WHERE id = ?", (person_id,))


async def language_of(tx: Tx, person_id: int) -> str | None:
    return await tx.value("SELECT language FROM people WHERE id = ?", (person_id,))


async def reading_language(tx: Tx, person_id: int, default: str) -> str | None:
    """The language a chat reads: a group chat the territory's first one, a person their own."""
    row = await tx.one("SELECT kind, language FROM people WHERE id = ?", (person_id,))
    if row is not None and row["kind"] == "group":
        return default
    return row["language"] if row is not None else None


async def group_chat(tx: Tx, chat_id: int) -> int:
    """The row of a group chat (a body's team chat), created on first contact.

    Group chats are rows of this table too, so Telegram ids stay in this one table.
    """
    row = await tx.one("SELECT id FROM people WHERE telegram_id = ?", (chat_id,))
    if row is not None:
        return int(row["id"])
    person, _ = await get_or_create(tx, chat_id)
    await tx.execute("UPDATE people SET kind = 'group' WHERE id = ?", (person.id,))
    return person.id


async def by_pseudonym(tx: Tx, code: str) -> int | None:
    return await tx.value("SELECT id FROM people WHERE pseudonym = ?", (code.upper(),))


async def pseudonym_of(tx: Tx, person_id: int) -> str | None:
    return await tx.value("SELECT pseudonym FROM people WHERE id = ?", (person_id,))
