"""Participation figures (the process indicators the seed documents ask for): /stats and export.

Over a period [start, end) and the whole territory or a set of bodies:

- **submissions by kind**: submissions sent in the period (with bodies: that reached one of
  them, counted once). Words a relayed person refused or has not yet confirmed are not
  participation and are not counted; erased ones are (the person did take part).
- **cases by body**: what each body received in the period (one submission routed to two
  bodies is one case at each; a case forwarded to a body counts at that body too).
- **share answered**: among the cases received in the period, those the author had an answer
  for — the body's answer sent through the bot, or the case closed with an outcome (change
  made, not retained and why, out of the group's role and where to go, answered): each
  outcome tells the author what was decided. The base leaves out cases forwarded to another
  body (they are answered there, and counted there) and cases whose author erased them.
- **time to answer**: median of (first answer or closing − case created) over the answered
  cases of the period.
- **meeting attendance**: for the bodies' scheduled meetings that started in the period, the
  RSVP answers: « je viens », « j'ai besoin d'aide pour venir » (both mean the person
  intends to come: the announced attendance), « je ne viens pas ». Announced, not counted at
  the door: the bot does not know who came.

Every count shown in /stats goes through `small_count` (« moins de 3 »), like digests.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.case_cards import body_name
from bot.config import SUBMISSION_KINDS, Territory
from bot.followup import KIND_LABELS
from bot.i18n import N_, Translator
from bot.storage import Tx, reports
from bot.storage.reports import CaseFacts, MeetingFacts
from bot.summaries.digest import (
    COUNT_LINE,
    FOR_BODY,
    MORE,
    TOTAL,
    duration_text,
    fit,
    median,
    small_count,
)

DEFAULT_DAYS = 90
MAX_MEETINGS = 10
NOT_ANSWERABLE = ("forwarded", "erased")

TITLE = N_("📈 <b>Participation</b>")
WHOLE_TERRITORY = N_("tout le territoire")
PERIOD_START = N_("Début : {date}.")
PERIOD_END = N_("Fin : {date}.")
SECTION_SUBMISSIONS = N_("<b>Messages envoyés</b>")
SECTION_BODIES = N_("<b>Messages reçus par chaque groupe</b>")
SECTION_ANSWERS = N_("<b>Réponses</b>")
ANSWERED_SHARE = N_("{answered} messages sur {total} ont une réponse.")
RECEIVED_NONE = N_("Messages reçus : 0")
ANSWER_MEDIAN = N_("La moitié des réponses est arrivée en {duration} au plus.")
SECTION_MEETINGS = N_("<b>Réunions</b>")
MEETINGS_TOTAL = N_("Réunions : {count}")
MEETING_DAY = N_("📅 {date} : {title}")
COMING = N_("Personnes qui viennent : {count}")
HELP_TO_COME = N_("Dont avec une aide pour venir : {count}")
NOT_COMING = N_("Personnes qui ne viennent pas : {count}")
COMING_TOTAL = N_("En tout, personnes qui viennent : {count}")


@dataclass(frozen=True)
class Figures:
    """The participation figures of a period, as plain numbers (masking is for display)."""

    start: datetime
    end: datetime
    body_ids: tuple[str, ...] | None  # None: the whole territory
    submissions_by_kind: dict[str, int]
    cases_by_body: dict[str, int]
    answer_base: int
    answered: int
    answer_median: timedelta | None
    meetings: tuple[MeetingFacts, ...]

    @property
    def submissions_total(self) -> int:
        return sum(self.submissions_by_kind.values())

    @property
    def cases_total(self) -> int:
        return sum(self.cases_by_body.values())

    @property
    def share_answered(self) -> float | None:
        return self.answered / self.answer_base if self.answer_base else None

    @property
    def rsvp_yes(self) -> int:
        return sum(m.yes for m in self.meetings)

    @property
    def rsvp_help(self) -> int:
        return sum(m.help for m in self.meetings)

    @property
    def rsvp_no(self) -> int:
        return sum(m.no for m in self.meetings)

    @property
    def coming(self) -> int:
        return self.rsvp_yes + self.rsvp_help


def answerable(case: CaseFacts) -> bool:
    return case.status not in NOT_ANSWERABLE


async def build_figures(
    tx: Tx,
    territory: Territory,
    start: datetime,
    end: datetime,
    body_ids: Iterable[str] | None = None,
) -> Figures:
    """The figures for [start, end), for these bodies (None: the whole territory)."""
    scope = None if body_ids is None else tuple(sorted(set(body_ids)))
    by_kind = await reports.submissions_by_kind(tx, start, end, scope)
    received = await reports.cases_created(tx, scope, start, end)
    per_body = Counter(case.body_id for case in received)
    listed = scope if scope is not None else tuple(b.id for b in territory.bodies)
    cases_by_body = {body: per_body.get(body, 0) for body in listed}
    for body, count in per_body.items():  # a body since removed from the territory file
        cases_by_body.setdefault(body, count)
    base = [case for case in received if answerable(case)]
    answers = [case.answered_on - case.created_at for case in base if case.answered_on is not None]
    meetings = await reports.meetings_between(tx, scope, start, end)
    return Figures(
        start=start,
        end=end,
        body_ids=scope,
        submissions_by_kind={**dict.fromkeys(SUBMISSION_KINDS, 0), **by_kind},
        cases_by_body=cases_by_body,
        answer_base=len(base),
        answered=len(answers),
        answer_median=median(max(timedelta(0), a) for a in answers),
        meetings=tuple(meetings),
    )


def default_period(
    territory: Territory, now: datetime, days: int = DEFAULT_DAYS
) -> tuple[datetime, datetime]:
    """From local midnight `days - 1` days ago (today included) to `now`."""
    local = now.astimezone(territory.tz)
    first = local.date() - timedelta(days=days - 1)
    return datetime.combine(first, datetime.min.time(), tzinfo=territory.tz), now


def render_stats(figures: Figures, t: Translator, territory: Territory) -> str:
    """/stats: plain-language Telegram HTML, every count through « moins de 3 »."""
    n = lambda value: small_count(value, t)  # noqa: E731
    tz = territory.tz
    if figures.body_ids is None:
        scope = t(WHOLE_TERRITORY)
    else:
        scope = " · ".join(body_name(territory, body, t.lang) for body in figures.body_ids)
    last = figures.end - timedelta(microseconds=1)
    lines = [
        t(TITLE),
        t(FOR_BODY).format(body=scope),
        t(PERIOD_START).format(date=t.full_date(figures.start, tz)),
        t(PERIOD_END).format(date=t.full_date(max(last, figures.start), tz)),
        "",
        t(SECTION_SUBMISSIONS),
    ]
    for kind, count in figures.submissions_by_kind.items():
        label = t(KIND_LABELS[kind]) if kind in KIND_LABELS else html.escape(kind)
        lines.append(COUNT_LINE.format(label=label, count=n(count)))
    lines.append(t(TOTAL).format(count=n(figures.submissions_total)))

    lines += ["", t(SECTION_BODIES)]
    for body, count in figures.cases_by_body.items():
        lines.append(COUNT_LINE.format(label=body_name(territory, body, t.lang), count=n(count)))

    lines += ["", t(SECTION_ANSWERS)]
    if figures.answer_base:
        lines.append(
            t(ANSWERED_SHARE).format(answered=n(figures.answered), total=n(figures.answer_base))
        )
    else:
        lines.append(t(RECEIVED_NONE))
    if figures.answer_median is not None:
        lines.append(t(ANSWER_MEDIAN).format(duration=duration_text(figures.answer_median, t)))

    lines += ["", t(SECTION_MEETINGS), t(MEETINGS_TOTAL).format(count=n(len(figures.meetings)))]
    for meeting in figures.meetings[:MAX_MEETINGS]:
        lines += [
            t(MEETING_DAY).format(
                date=t.full_date(meeting.starts_at, tz), title=html.escape(meeting.title[:80])
            ),
            t(COMING).format(count=n(meeting.coming)),
            t(HELP_TO_COME).format(count=n(meeting.help)),
            t(NOT_COMING).format(count=n(meeting.no)),
        ]
    if len(figures.meetings) > MAX_MEETINGS:
        lines.append(t(MORE).format(count=n(len(figures.meetings) - MAX_MEETINGS)))
    if figures.meetings:
        lines.append(t(COMING_TOTAL).format(count=n(figures.coming)))
    return fit(lines)


async def stats_text(
    tx: Tx,
    territory: Territory,
    t: Translator,
    now: datetime,
    body_ids: Iterable[str] | None,
    days: int = DEFAULT_DAYS,
) -> str:
    """What /stats answers: the last `days` days (today included) for these bodies."""
    start, end = default_period(territory, now, days)
    return render_stats(await build_figures(tx, territory, start, end, body_ids), t, territory)
