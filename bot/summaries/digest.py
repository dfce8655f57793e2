"""The weekly digest of a body: what came in, what waits, what was done, the next meetings.

A digest speaks in counts and references only: never an author's words, name or code. Every
count a person reads goes through :func:`small_count`, so 1 and 2 read « moins de 3 »: in a
small mutual-aid group, « 1 proche a écrit sur le logement » can point at one person.

When: once a week per body, at `territory.digest` (weekday, time of day) in the territory's
time zone, Monday 09:00 by default. The week covered is the 7 days before that moment.
:func:`send_due_digests` is safe to call as often as one likes (a repeating job): a row of
`digests_sent` per (body, ISO week), written in the transaction that writes the messages,
makes each digest go out exactly once, across restarts and concurrent calls.
"""

from __future__ import annotations

import contextlib
import html
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta

from bot.case_cards import OUTCOME_LABELS, body_name
from bot.cases import reply_payload
from bot.config import Territory
from bot.engine import Reply
from bot.i18n import N_, Catalogs, Translator
from bot.storage import Database, Tx, outbox, people, reports
from bot.storage.reports import CaseFacts, MeetingFacts

PURPOSE = "digest"
SMALL = 3  # counts from 1 to SMALL - 1 are never shown as such
MEETINGS_AHEAD = timedelta(days=28)
MAX_REFERENCES = 20
MAX_MEETINGS = 8
MAX_TEXT = 4096  # Telegram's limit for one message

LESS_THAN_3 = N_("moins de 3")
FORWARDED = "forwarded"

TITLE = N_("📊 <b>Résumé de la semaine</b>")
FOR_BODY = N_("<b>Pour</b> : {body}")  # the case card's wording
PERIOD_START = N_("Début : {date} à {time}.")
PERIOD_END = N_("Fin : {date} à {time}.")
NOTHING_NEW = N_("Rien de nouveau cette semaine.")
BOT_WORKS = N_("Le robot marche bien.")
NEXT_DIGEST = N_("Prochain résumé : {date} à {time}.")

SECTION_MESSAGES = N_("<b>Messages</b>")
NEW = N_("Nouveaux messages : {count}")
OPEN = N_("Messages en cours aujourd'hui : {count}")
OVERDUE = N_("Messages en retard : {count}")
OVERDUE_EXPLAIN = N_("En retard : personne ne s'en occupe depuis au moins {days} jours.")
OVERDUE_REFERENCES = N_("Numéros des messages en retard : {references}")
MORE = N_("Et {count} autres.")

SECTION_CLOSED = N_("<b>Messages terminés cette semaine</b>")
TOTAL = N_("En tout : {count}")
FORWARDED_LABEL = N_("Transmis à un autre groupe")
COUNT_LINE = "{label} : {count}"

SECTION_THEMES = N_("<b>Sujets des nouveaux messages</b>")
NO_THEME = N_("Sans sujet")
SECTION_SPEAKERS = N_("<b>Qui parle dans les nouveaux messages</b>")
SPEAKER_LABELS = {
    "usager": N_("Des personnes qui utilisent les soins"),
    "proche": N_("Des proches"),
    "pair_aidant": N_("Des pair-aidants, pour une autre personne"),
    "collectif": N_("Des groupes d'entraide, au nom du groupe"),
}

SECTION_FIRST_ACTION = N_("<b>Temps avant une première action</b>")
FIRST_ACTION_MEDIAN = N_("La moitié des messages a attendu {duration} au plus.")
BASED_ON = N_("Ce calcul porte sur {count} messages.")

SECTION_MEETINGS = N_("<b>Réunions des 4 prochaines semaines</b>")
NO_MEETING = N_("Réunions prévues : 0")
MEETING_WHEN = N_("📅 {date} à {time} : {title}")
RSVP_YES = N_("Je viens : {count}")
RSVP_NO = N_("Je ne viens pas : {count}")
RSVP_HELP = N_("J'ai besoin d'aide pour venir : {count}")

HOUR = N_("1 heure")
HOURS = N_("{count} heures")
DAYS = N_("{count} jours")


# ---- shared helpers (also used by /stats and the export) --------------------------------


def small_count(n: int, t: Translator) -> str:
    """A count as people may read it: « 0 », « moins de 3 » for 1 and 2, else the number."""
    if 0 < n < SMALL:
        return t(LESS_THAN_3)
    return str(n)


def median(values: Iterable[timedelta]) -> timedelta | None:
    """The middle value (the mean of the two middle ones for an even count); None if empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def duration_text(delta: timedelta, t: Translator) -> str:
    """« 1 heure », « 5 heures » under 2 days, else « 3 jours ». Rounded **up**, so a sentence
    saying « {duration} au plus » stays true."""
    hours = max(1, math.ceil(delta.total_seconds() / 3600))
    if hours == 1:
        return t(HOUR)
    if hours < 48:
        return t(HOURS).format(count=hours)
    return t(DAYS).format(count=math.ceil(delta.total_seconds() / 86400))


def theme_label(territory: Territory, theme: str | None, t: Translator) -> str:
    if theme is None:
        return t(NO_THEME)
    with contextlib.suppress(KeyError):
        return html.escape(territory.theme(theme).label.get(t.lang))
    return html.escape(theme)


def speaker_label(speaker: str, t: Translator) -> str:
    return t(SPEAKER_LABELS[speaker]) if speaker in SPEAKER_LABELS else html.escape(speaker)


def fit(lines: Sequence[str], limit: int = MAX_TEXT) -> str:
    """Joins lines; if the text would pass Telegram's limit, the last lines give way."""
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    kept: list[str] = []
    for line in lines:
        if len("\n".join([*kept, line, "…"])) > limit:
            break
        kept.append(line)
    return "\n".join([*kept, "…"])


async def recipients(tx: Tx, body_id: str, moment: datetime) -> list[int]:
    """As for case cards: the body's linked group chat, else each coordinator privately, but
    only who was there at the digest's moment: a coordinator invited on a Wednesday gets
    their first digest the next Monday, not one at once for a week they missed.
    """
    at = moment.astimezone(UTC).isoformat(timespec="seconds")
    chat = await tx.value(
        "SELECT chat_id FROM body_chats WHERE body_id = ? AND linked_at <= ?", (body_id, at)
    )
    if chat is not None:
        return [chat]
    rows = await tx.all(
        "SELECT DISTINCT person_id FROM roles WHERE role = 'coordinator' AND body_id = ? "
        "AND revoked_at IS NULL AND granted_at <= ? ORDER BY person_id",
        (body_id, at),
    )
    return [r["person_id"] for r in rows]


# ---- when ------------------------------------------------------------------------------


def digest_schedule(territory: Territory) -> tuple[int, time]:
    """(weekday 0 = Monday, local time of day) from `[digest]` (Monday 09:00 by default)."""
    return territory.digest.weekday, territory.digest.time


def iso_week(day: datetime) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class DigestWeek:
    """This week's digest moment in the territory's zone, the 7 days it covers, its key.

    Both moments carry the territory's ZoneInfo: Python subtracts two such values on the wall
    clock, so convert to UTC first to measure elapsed time.
    """

    moment: datetime  # aware, territory zone
    start: datetime  # the same weekday and time one week earlier (wall clock)
    week: str  # ISO week of the moment's local date, e.g. "2026-W49"


def digest_week(territory: Territory, now: datetime) -> DigestWeek:
    """The digest moment of the local ISO week that contains `now`.

    Computed on the wall clock of the territory's zone: a week that crosses a daylight-saving
    change lasts 167 or 169 hours, and a case written at 23:30 local time on Sunday belongs to
    the week it was written in locally, whatever UTC says.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    weekday, at = digest_schedule(territory)
    tz = territory.tz
    local = now.astimezone(tz)
    day = local.date() - timedelta(days=local.weekday()) + timedelta(days=weekday)
    moment = datetime.combine(day, at, tzinfo=tz)
    start = datetime.combine(day - timedelta(days=7), at, tzinfo=tz)
    return DigestWeek(moment=moment, start=start, week=iso_week(moment))


# ---- what ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    """One body's week, as counts and references (no text written by an author)."""

    body_id: str
    start: datetime
    end: datetime
    now: datetime
    overdue_days: int
    new: int
    open: int
    overdue: int
    overdue_references: tuple[str, ...]
    closed: dict[str, int]  # outcome (or "forwarded") → count, for the week
    by_theme: tuple[tuple[str | None, int], ...]  # of the week's new cases, largest first
    by_speaker: tuple[tuple[str, int], ...]
    first_action_median: timedelta | None
    first_action_count: int
    meetings: tuple[MeetingFacts, ...] = field(default_factory=tuple)
    next_digest: datetime | None = None

    @property
    def closed_total(self) -> int:
        return sum(self.closed.values())

    @property
    def empty(self) -> bool:
        """Nothing to report: nothing came in, waits, ended, was acted on, or is planned."""
        return not (
            self.new or self.open or self.closed_total or self.first_action_count or self.meetings
        )


def _counted(values: Iterable[str | None]) -> tuple[tuple[str | None, int], ...]:
    counts = Counter(values)
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0] or "\uffff")))


async def build_digest(
    tx: Tx, territory: Territory, body_id: str, start: datetime, end: datetime, now: datetime
) -> Digest:
    """The digest of `body_id` for [start, end), with « now » states (open, overdue) at `now`.

    - new: cases the body received in the week (forwarded to it included);
    - open: its cases open at `now` (new, taken, answered, reopened);
    - overdue: cases nobody took (`new`) for `overdue_days` or more at `now` — the sweep's
      rule, so the digest and the reminders the body gets agree;
    - closed: cases closed in the week, by outcome, plus those forwarded to another body;
    - themes and speakers: over the week's new cases;
    - time to first action: over the cases whose **first action happened in the week**,
      `first_action_at - created_at`. Not over the week's new cases: those written on Sunday
      evening have had no time yet, and only the quick ones would count, so that median would
      look better the slower a body is. And from `created_at`, not `delivered_at`: that is
      the wait the author lives, the clock of the overdue delay, and `delivered_at` is
      missing exactly for the cases that waited longest (a body with nobody to receive them);
    - meetings: the body's scheduled meetings of the next 28 days after `now`, with RSVPs.
    """
    overdue_days = territory.cases.overdue_days
    new_cases = await reports.cases_created(tx, [body_id], start, end)
    open_now = await reports.open_cases(tx, body_id)
    overdue = await reports.overdue_cases(tx, body_id, now - timedelta(days=overdue_days))
    closed: Counter[str] = Counter()
    for case in await reports.cases_closed(tx, body_id, start, end):
        closed[FORWARDED if case.status == FORWARDED else (case.outcome or "answered")] += 1
    acted = await reports.first_actions(tx, body_id, start, end)
    waits = [_first_wait(case) for case in acted]
    meetings = await reports.meetings_between(tx, [body_id], now, now + MEETINGS_AHEAD)
    return Digest(
        body_id=body_id,
        start=start,
        end=end,
        now=now,
        overdue_days=overdue_days,
        new=len(new_cases),
        open=len(open_now),
        overdue=len(overdue),
        overdue_references=tuple(case.reference for case in overdue),
        closed=dict(closed),
        by_theme=_counted(case.theme for case in new_cases),
        by_speaker=tuple((k or "", n) for k, n in _counted(c.speaker for c in new_cases)),
        first_action_median=median(waits),
        first_action_count=len(waits),
        meetings=tuple(meetings),
    )


def _first_wait(case: CaseFacts) -> timedelta:
    assert case.first_action_at is not None
    return max(timedelta(0), case.first_action_at - case.created_at)


def _when(moment: datetime, t: Translator, territory: Territory) -> dict[str, str]:
    tz = territory.tz
    return {"date": t.full_date(moment, tz), "time": t.time_of_day(moment, tz)}


def render_digest(digest: Digest, t: Translator, territory: Territory) -> str:
    """Plain-language Telegram HTML, one short sentence per line, ≤ 4096 characters."""
    n = lambda value: small_count(value, t)  # noqa: E731
    lines = [
        t(TITLE),
        t(FOR_BODY).format(body=body_name(territory, digest.body_id, t.lang)),
        t(PERIOD_START).format(**_when(digest.start, t, territory)),
        t(PERIOD_END).format(**_when(digest.end, t, territory)),
    ]
    if digest.empty:
        lines += ["", t(NOTHING_NEW), t(BOT_WORKS)]
        if digest.next_digest is not None:
            lines.append(t(NEXT_DIGEST).format(**_when(digest.next_digest, t, territory)))
        return fit(lines)

    lines += [
        "",
        t(SECTION_MESSAGES),
        t(NEW).format(count=n(digest.new)),
        t(OPEN).format(count=n(digest.open)),
        t(OVERDUE).format(count=n(digest.overdue)),
    ]
    if digest.overdue:
        lines.append(t(OVERDUE_EXPLAIN).format(days=digest.overdue_days))
        shown = digest.overdue_references[:MAX_REFERENCES]
        lines.append(t(OVERDUE_REFERENCES).format(references=" · ".join(shown)))
        if len(digest.overdue_references) > len(shown):
            lines.append(t(MORE).format(count=n(len(digest.overdue_references) - len(shown))))

    lines += ["", t(SECTION_CLOSED), t(TOTAL).format(count=n(digest.closed_total))]
    for outcome in (*OUTCOME_LABELS, FORWARDED):
        if digest.closed.get(outcome):
            label = t(FORWARDED_LABEL) if outcome == FORWARDED else t(OUTCOME_LABELS[outcome])
            lines.append(COUNT_LINE.format(label=label, count=n(digest.closed[outcome])))

    if digest.by_theme:
        lines += ["", t(SECTION_THEMES)]
        for theme, count in digest.by_theme:
            label = theme_label(territory, theme, t)
            lines.append(COUNT_LINE.format(label=label, count=n(count)))
    if digest.by_speaker:
        lines += ["", t(SECTION_SPEAKERS)]
        for speaker, count in digest.by_speaker:
            lines.append(COUNT_LINE.format(label=speaker_label(speaker, t), count=n(count)))

    if digest.first_action_median is not None:
        lines += [
            "",
            t(SECTION_FIRST_ACTION),
            t(FIRST_ACTION_MEDIAN).format(duration=duration_text(digest.first_action_median, t)),
            t(BASED_ON).format(count=n(digest.first_action_count)),
        ]

    lines += ["", t(SECTION_MEETINGS)]
    if not digest.meetings:
        lines.append(t(NO_MEETING))
    for meeting in digest.meetings[:MAX_MEETINGS]:
        title = html.escape(meeting.title[:80])
        lines += [
            t(MEETING_WHEN).format(title=title, **_when(meeting.starts_at, t, territory)),
            t(RSVP_YES).format(count=n(meeting.yes)),
            t(RSVP_NO).format(count=n(meeting.no)),
            t(RSVP_HELP).format(count=n(meeting.help)),
        ]
    if len(digest.meetings) > MAX_MEETINGS:
        lines.append(t(MORE).format(count=n(len(digest.meetings) - MAX_MEETINGS)))
    return fit(lines)


# ---- sending ---------------------------------------------------------------------------


async def send_due_digests(
    db: Database, territory: Territory, catalogs: Catalogs, now: datetime
) -> int:
    """Writes this week's digest of every body that has someone to read it, once.

    Due when `now` is at or after this week's digest moment (territory zone) and no
    `digests_sent` row exists for (body, ISO week). The digest covers the 7 days before the
    moment. Per body, one transaction writes one outbox row per recipient (purpose
    "digest") and the `digests_sent` row: a crash leaves either all or nothing, and a second
    call the same week finds the row and sends nothing.

    A body with nobody to read it (no linked chat, no coordinator) is skipped and gets no
    row, so coordinators invited later in the week still get that week's digest.

    A body with nothing to report still gets a short digest (« Rien de nouveau cette
    semaine. Le robot marche bien. » and the next digest's date): coordinators asked to know
    the bot works, and a silent week must not look like a broken bot.

    Only this week's moment is considered: a week when the bot was down from before its
    moment until after the next week's moment gets no digest (the next one still gives the
    counts that matter now: open and overdue). A digest found due later than its moment
    (the bot was down on Monday morning) goes out late, for the same 7 days.

    Returns the number of digests written (bodies, not messages).
    """
    week = digest_week(territory, now)
    if now < week.moment:
        return 0
    sent = 0
    for body in territory.bodies:
        async with db.transaction() as tx:
            if await reports.digest_sent(tx, body.id, week.week):
                continue
            targets = await recipients(tx, body.id, week.moment)
            if not targets:
                continue
            digest = await build_digest(tx, territory, body.id, week.start, week.moment, now)
            # Aware arithmetic on a ZoneInfo datetime is wall-clock: 09:00 stays 09:00.
            digest = replace(digest, next_digest=week.moment + timedelta(days=7))
            for recipient in targets:
                lang = await people.reading_language(tx, recipient, territory.default_language)
                t = catalogs.get(lang)
                text = render_digest(digest, t, territory)
                await outbox.enqueue(
                    tx, recipient, reply_payload(Reply(text)), now, purpose=PURPOSE
                )
            await reports.record_digest(tx, body.id, week.week, now)
            sent += 1
    return sent
