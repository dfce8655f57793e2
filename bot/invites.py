"""Invite links: `python -m bot invite --role pair-aidant` → https://t.me/<bot>?start=inv_<code>."""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot
from telegram.error import TelegramError
from telegram.helpers import create_deep_linked_url

from bot.config import Settings
from bot.storage import Database, roles


async def bot_username(settings: Settings) -> str | None:
    """Asks the Bot API who the bot is (works with Telegram and with the sandbox)."""
    if not settings.token:
        return None
    try:
        async with Bot(settings.token, base_url=settings.base_url) as bot:
            return bot.username
    except TelegramError:
        return None


async def create_invite_link(
    settings: Settings,
    role: str,
    body_id: str | None,
    valid_for: timedelta,
    username: str | None = None,
) -> str:
    async with Database(settings.db_path) as db, db.transaction() as tx:
        code = await roles.create_invite(tx, role, body_id, valid_for)
    payload = roles.INVITE_PREFIX + code
    username = username or await bot_username(settings)
    if username is None:
        return f"/start {payload}  (the bot's username is unknown: give --bot-username)"
    return create_deep_linked_url(username.lstrip("@"), payload)


async def list_roles(settings: Settings) -> list[str]:
    """`python -m bot roles`: who holds which role, by pseudonym (never a Telegram id)."""
    async with Database(settings.db_path) as db, db.read() as tx:
        rows = await roles.all_active(tx)
    return [
        f"Personne {r['pseudonym']}  {r['role']:<12} {r['body_id'] or '-':<26} since {r['granted_at']}"
        for r in rows
    ]


async def revoke_role(settings: Settings, pseudonym: str, role: str, body_id: str | None) -> int:
    """`python -m bot revoke`: ends a role (a coordinator leaves, or hands over); audited."""
    from datetime import UTC, datetime

    from bot.storage import people

    async with Database(settings.db_path) as db, db.transaction() as tx:
        person_id = await people.by_pseudonym(tx, pseudonym.removeprefix("Personne ").strip())
        if person_id is None:
            return 0
        return await roles.revoke(tx, person_id, role, body_id, by=None, now=datetime.now(UTC))
