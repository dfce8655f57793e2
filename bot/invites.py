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
