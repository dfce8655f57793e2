"""Reminders as python-telegram-bot JobQueue jobs, rebuilt from the database.

The database is the truth and the job queue a cache of `MeetingPlanner.plan()`: at start,
after a meeting is created, moved or cancelled, every half hour, and when a test moves the
bot's clock, the jobs are rebuilt. One job per slot, named after it, so rebuilding twice never
makes two jobs; a job that runs twice still sends once (`reminders_sent`). Jobs keep their
run time even if it passed while the loop was busy (`misfire_grace_time=None`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram.ext import Application, ContextTypes, Job

from bot.clock import Clock
from bot.delivery import Delivery
from bot.meetings.planner import MeetingPlanner, Slot
from bot.storage import Database

log = logging.getLogger(__name__)

JOB_PREFIX = "reminder:"
REBUILD_EVERY = timedelta(minutes=30)


class ReminderJobs:
    """Keeps one JobQueue job per planned reminder slot."""

    def __init__(
        self,
        application: Application,
        db: Database,
        planner: MeetingPlanner,
        delivery: Delivery,
        clock: Clock,
    ) -> None:
        self.application = application
        self.db = db
        self.planner = planner
        self.delivery = delivery
        self.clock = clock
        self._lock = asyncio.Lock()
        self.runs = 0  # slots run (for tests and logs)

    @property
    def queue(self):
        queue = self.application.job_queue
        assert queue is not None, "python-telegram-bot[job-queue] is required"
        return queue

    async def start(self) -> None:
        """The territory file's series become rows (the file only changes with a restart),
        then the jobs are planned, and re-planned every half hour and when the clock jumps."""
        async with self.db.transaction() as tx:
            await self.planner.sync_territory_series(tx, self.clock())
        self.queue.run_repeating(
            self._periodic, interval=REBUILD_EVERY, first=REBUILD_EVERY, name="meetings-rebuild"
        )
        self.clock.listeners.append(self.soon)
        await self.rebuild()

    def stop(self) -> None:
        if self.soon in self.clock.listeners:
            self.clock.listeners.remove(self.soon)

    def soon(self) -> None:
        """Rebuild in the background (the clock moved, or a change was committed)."""
        self.application.create_task(self.rebuild(), name="meetings-rebuild-now")

    async def rebuild(self) -> int:
        """Series → meetings, then meetings → jobs; returns how many jobs are planned."""
        async with self._lock:
            now = self.clock()
            async with self.db.transaction() as tx:
                await self.planner.materialise(tx, now)
                slots = await self.planner.plan(tx, now)
            wanted = {JOB_PREFIX + slot.key: slot for slot in slots}
            for job in self.queue.jobs():
                if job.name and job.name.startswith(JOB_PREFIX):
                    slot = wanted.get(job.name)
                    if slot is None or _moved(job, slot, self.clock.offset):
                        job.schedule_removal()
                    else:
                        wanted.pop(job.name)
            for name, slot in wanted.items():
                delay = max((slot.at - now).total_seconds(), 0.0)
                self.queue.run_once(
                    self._fire,
                    when=delay,
                    data=(slot, self.clock.offset),
                    name=name,
                    job_kwargs={"misfire_grace_time": None, "coalesce": True},
                )
            return len(slots)

    async def _periodic(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.rebuild()

    async def _fire(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        job = context.job
        assert job is not None
        slot, _ = job.data  # type: ignore[misc]
        async with self.db.transaction() as tx:
            sent = await self.planner.run_slot(tx, slot, self.clock())
        self.runs += 1
        if sent:
            self.delivery.kick()


def _moved(job: Job, slot: Slot, offset: timedelta) -> bool:
    """The job no longer fires at the slot's time: the slot moved, or the clock did."""
    planned, planned_offset = job.data  # type: ignore[misc]
    return planned.at != slot.at or planned_offset != offset
