"""Logging for the command line: what people wrote never reaches a log.

The bot's own modules log kinds, internal ids, levels and counts, never text. Libraries are
less careful at DEBUG: python-telegram-bot logs every update it fetches (the messages
themselves), aiosqlite every statement with its parameters (the texts stored). They stay at
INFO even with `--verbose`, which only opens the bot's own DEBUG lines.
"""

from __future__ import annotations

import logging

# Library loggers whose DEBUG (or INFO) lines carry message text, tokens or SQL parameters.
CAPPED = {
    "telegram": logging.INFO,
    "aiosqlite": logging.INFO,
    "httpcore": logging.INFO,
    "httpx": logging.WARNING,  # logs full URLs at INFO, and a Bot API URL holds the token
    "apscheduler": logging.WARNING,
}


def quiet_libraries() -> None:
    for name, level in CAPPED.items():
        logging.getLogger(name).setLevel(level)


def configure(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if verbose:
        logging.getLogger("bot").setLevel(logging.DEBUG)
    quiet_libraries()
