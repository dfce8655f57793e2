"""Builds the python-telegram-bot Application: handlers, rate limiter, ordering, lifecycle.

The same Application runs against Telegram (`run`) and against the sandbox (`demo`, tests):
only `TELEGRAM_API_URL` differs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from telegram import BotCommand, Update
from telegram.constants import FloodLimit
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults

from bot import safety
from bot.clock import Clock
from bot.config import Settings, Territory
from bot.conversation import ConversationService
from bot.delivery import Delivery
from bot.engine import Engine
from bot.flows import FLOWS_DIR, load_flows
from bot.handlers import usager
from bot.handlers.meeting_jobs import ReminderJobs
from bot.handlers.ordering import PerChatSequentialProcessor
from bot.handlers.sender import telegram_sender
from bot.i18n import LOCALES_DIR, N_, Catalogs
from bot.meetings.planner import MeetingPlanner
from bot.plain.glossary import Glossary
from bot.safety.transcriber import Transcriber
from bot.storage import Database
from bot.summaries.digest import send_due_digests

os.environ.setdefault("PTB_TIMEDELTA", "true")
log = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(minutes=1)
# Telegram allows « about 30 » messages a second. Sending at exactly that rate leaves its
# bucket empty, and any network jitter then makes a 429; a small margin keeps it from running
# dry, so a broadcast to thousands of people never meets a 429 storm.
MESSAGES_PER_SECOND = FloodLimit.MESSAGES_PER_SECOND - 5
# Mass messages (reminders, digests) go at most this fast: the rest is kept for replies.
BULK_PER_SECOND = MESSAGES_PER_SECOND - 5
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
COMMANDS = [
    ("start", N_("Commencer")),
    ("menu", N_("Voir le menu")),
    ("avis", N_("Donner mon avis")),
    ("reprendre", N_("Reprendre mon brouillon")),
    ("langue", N_("Changer de langue")),
    ("suivi", N_("Suivre mes envois")),
    ("reunions", N_("Voir les réunions")),
    ("aide", N_("Aide")),
    ("stop", N_("Arrêter et effacer le brouillon")),
]


def build_application(
    settings: Settings,
    territory: Territory,
    *,
    flows_dir: Path = FLOWS_DIR,
    locales_dir: Path = LOCALES_DIR,
    clock: Clock | None = None,
    rate_scale: float = 1.0,
    transcriber: Transcriber | None = None,
) -> Application:
    """The real Application; storage opens in post_init so building it has no side effect.

    `transcriber` is a local speech-to-text engine (`PORTEVOIX_STT`); tests give a stub.
    `rate_scale` speeds up Telegram's flood limits (30 messages a second, 20 a minute per
    group) for tests against a sandbox whose limits are scaled the same way; 1 in production.
    """
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=MESSAGES_PER_SECOND,
                overall_time_period=1 / rate_scale,
                group_max_rate=FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
                group_time_period=60 / rate_scale,
                max_retries=3,
            )
        )
        .concurrent_updates(PerChatSequentialProcessor())
        # Only the time zone goes in Defaults: a default parse_mode is also sent with
        # editMessageReplyMarkup by PTB 22.8, a parameter that method does not have.
        .defaults(Defaults(tzinfo=territory.tz))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data.update(
        settings=settings,
        territory=territory,
        flows_dir=flows_dir,
        locales_dir=locales_dir,
        clock=clock or Clock(),
        rate_scale=rate_scale,
        transcriber=transcriber,  # voice notes meet the safety net too (None: not read)
    )
    for handler in usager.handlers():
        application.add_handler(handler)  # type: ignore[arg-type]
    application.add_error_handler(_on_error)
    return application


async def _post_init(application: Application) -> None:
    data = application.bot_data
    settings: Settings = data["settings"]
    territory: Territory = data["territory"]
    db = await Database(settings.db_path).open()
    catalogs = Catalogs(territory.languages, data["locales_dir"])
    engine = Engine(load_flows(data["flows_dir"]))
    safety.Lexicon.load()  # compile the crisis word list now, not on someone's first message
    data["db"] = db
    service = ConversationService(
        db, engine, territory, catalogs, clock=data["clock"], glossary=Glossary.load()
    )
    data["service"] = service
    for lang in territory.languages:
        t = catalogs.get(lang)
        commands = [BotCommand(name, t(description)) for name, description in COMMANDS]
        language_code = None if lang == territory.languages[0] else lang
        await application.bot.set_my_commands(commands, language_code=language_code)
    service.bot_username = application.bot.username
    delivery = Delivery(
        db,
        telegram_sender(application.bot),
        data["clock"],
        on_sent=service.cases.on_sent,
        on_blocked=service.cases.on_blocked,
        bulk_per_second=BULK_PER_SECOND * data["rate_scale"],
    )
    data["delivery"] = delivery
    await delivery.start()  # rows owed before a stop (or a crash) go out now
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _sweep, interval=SWEEP_EVERY, first=5, name="case-sweep"
        )
        reminders = ReminderJobs(
            application,
            db,
            MeetingPlanner(territory, catalogs, data["clock"]),
            delivery,
            data["clock"],
        )
        data["reminders"] = reminders
        await reminders.start()  # jobs are not persistent: the database says what is due
    log.info("Porte-voix ready for %s", territory.id)


async def _sweep(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Overdue cases, follow-up questions and weekly digests; their rows go through the outbox."""
    data = context.application.bot_data
    service: ConversationService = data["service"]
    await service.sweep()
    await send_due_digests(data["db"], data["territory"], service.catalogs, data["clock"]())
    data["delivery"].kick()


async def _post_shutdown(application: Application) -> None:
    reminders: ReminderJobs | None = application.bot_data.pop("reminders", None)
    if reminders is not None:
        reminders.stop()
    delivery: Delivery | None = application.bot_data.pop("delivery", None)
    if delivery is not None:
        await delivery.stop()
    db: Database | None = application.bot_data.pop("db", None)
    if db is not None:
        await db.close()


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs the failure without the update's content (it may hold what a person wrote)."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)


@asynccontextmanager
async def running(
    application: Application, poll_timeout: float = 1.0
) -> AsyncIterator[Application]:
    """Runs the application like `run_polling` does, inside an existing event loop.

    Used by the demo and the tests; `run_polling` itself owns the loop and the signals.
    """
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0,
        timeout=timedelta(seconds=poll_timeout),
        allowed_updates=ALLOWED_UPDATES,
    )
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
