"""Meetings in conversations: the flow actions (`do:`), per-person button lists, RSVP buttons.

A coordinator creates, changes or cancels a meeting of one of their bodies (`/reunion`);
anyone follows a body's meetings, stops, and chooses their reminders (`/reunions`). Every
action checks again, at the moment it writes, that the person may do it. Notices to followers
are outbox rows of the same transaction.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from bot.coordination import refuse
from bot.engine import Reply
from bot.i18n import N_, Translator
from bot.meetings import messages
from bot.meetings.planner import MeetingPlanner
from bot.meetings.recurrence import Recurrence, describe
from bot.plain.glossary import Glossary
from bot.storage import meetings, people, roles
from bot.storage.conversations import ConversationState
from bot.storage.meetings import Meeting
from bot.summaries.minutes_report import UnreadableMinutes, analyse
from bot.turn_actions import Send, SendTo

if TYPE_CHECKING:
    from bot.actions import ActionContext
    from bot.conversation import _TurnState

MEETING_VALUE = "m{id}"  # a meeting in a choice list; the flow keeps it as `meeting`
CHANGED = "_meetings_changed"  # an action's result key: the caller reschedules reminders
REMINDER_CHOICES = {
    "all": ("j7", "j1", "h3"),
    "day_and_hours": ("j1", "h3"),
    "day": ("j1",),
    "hours": ("h3",),
}
REFUSED = N_("Cette réunion est pour un autre groupe, ou elle est finie.\nRien n'a changé.")
GONE = N_("Cette réunion est annulée, ou elle est finie.")


# ---- per-person button lists ------------------------------------------------------------


async def personal_choices(
    tx: Any, person_id: int, territory: Any, t: Translator, now: datetime
) -> dict[str, list[tuple[str, str]]]:
    """`my_bodies` (bodies the person coordinates), `my_meetings` (their next meetings),
    `followed` (bodies whose meetings they follow): lists that depend on who asks."""
    lang = t.lang
    coordinated = await roles.bodies_of(tx, person_id)
    mine = [(b.id, b.name.get(lang)) for b in territory.bodies if b.id in coordinated]
    upcoming = await meetings.upcoming(tx, now, body_ids=coordinated, limit=20)
    followed = set(await meetings.followed_bodies(tx, person_id))
    return {
        "my_bodies": mine,
        "my_meetings": [
            (
                MEETING_VALUE.format(id=m.id),
                t(N_("{title}, {date}")).format(
                    title=m.title[:40], date=t.full_date(m.starts_at, territory.tz)
                ),
            )
            for m in upcoming
        ],
        "followed": [(b.id, b.name.get(lang)) for b in territory.bodies if b.id in followed],
    }


def meeting_id_of(state: ConversationState) -> int | None:
    value = str(state.answers.get("meeting") or "")
    if value.startswith("m") and value[1:].isdigit():
        return int(value[1:])
    return int(value) if value.isdigit() else None


# ---- building a meeting from the answers -------------------------------------------------


def _text(state: ConversationState, key: str) -> str | None:
    answer = state.answers.get(key)
    if isinstance(answer, dict) and answer.get("text"):
        return str(answer["text"])
    return None


def _start(ctx: ActionContext, state: ConversationState, fallback: Meeting | None) -> datetime:
    zone = ctx.territory.tz
    base = fallback.starts_at.astimezone(zone) if fallback else None
    day = (
        date.fromisoformat(state.answers["day"])
        if state.answers.get("day")
        else (base.date() if base else ctx.now.astimezone(zone).date())
    )
    if state.answers.get("time"):
        hour, minute = (int(p) for p in str(state.answers["time"]).split(":"))
        clock = time(hour, minute)
    else:
        clock = base.time().replace(tzinfo=None) if base else time(14, 0)
    return datetime.combine(day, clock, zone).astimezone(zone)


def recurrence_of(state: ConversationState, start: datetime) -> Recurrence:
    """The rhythm chosen with a button; « chaque mois » keeps the weekday of the first date."""
    choice = state.answers.get("repeat") or "once"
    if choice == "weekly":
        return Recurrence("weekly")
    if choice == "monthly":
        ordinal = (start.day - 1) // 7 + 1  # a 5th weekday is always the month's last one
        return Recurrence(
            "monthly_weekday", weekday=start.weekday(), ordinal=-1 if ordinal == 5 else ordinal
        )
    if choice == "quarterly":
        return Recurrence("quarterly")
    return Recurrence("once")


def draft_meeting(
    ctx: ActionContext, state: ConversationState, base: Meeting | None = None
) -> Meeting:
    """The meeting the answers describe (an edit starts from the meeting as it is)."""
    start = _start(ctx, state, base)
    if state.answers.get("duration"):
        length = timedelta(minutes=int(state.answers["duration"]))
    elif base is not None:
        length = base.ends_at - base.starts_at
    else:
        length = timedelta(hours=2)
    where = state.answers.get("where")
    place, access, url = (base.place, base.access, base.online_url) if base else (None,) * 3
    if where == "place":
        place, access, url = _text(state, "place"), _text(state, "access"), None
    elif where == "online":
        place, access, url = None, None, _text(state, "online_url")
    return Meeting(
        id=base.id if base else 0,
        body_id=base.body_id if base else str(state.answers.get("body") or ""),
        series_id=base.series_id if base else None,
        title=_text(state, "title") or (base.title if base else ""),
        starts_at=start,
        ends_at=start + length,
        place=place,
        access=access,
        online_url=url,
        helper=_text(state, "helper") or (base.helper if base else None),
        agenda=_text(state, "agenda") or (base.agenda if base else None),
        status="scheduled",
        sequence=(base.sequence + 1) if base else 0,
    )


async def _coordinated(ctx: ActionContext, meeting_id: int | None) -> Meeting | None:
    """The meeting, if it is still ahead and the person coordinates its body."""
    meeting = await meetings.get(ctx.tx, meeting_id) if meeting_id else None
    if meeting is None or meeting.cancelled or meeting.starts_at <= ctx.now:
        return None
    if meeting.body_id not in await roles.bodies_of(ctx.tx, ctx.person.id):
        await roles.audit(ctx.tx, ctx.person.id, "refused_meeting_action", meeting=meeting.id)
        return None
    return meeting


def _planner(ctx: ActionContext) -> MeetingPlanner:
    return MeetingPlanner(ctx.territory, ctx.catalogs, lambda: ctx.now)


# ---- flow actions --------------------------------------------------------------------------


async def meeting_summary(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    """What the coordinator is about to send, exactly as followers will read it."""
    base = None
    if params.get("edit"):
        base = await _coordinated(ctx, meeting_id_of(state))
        if base is None:
            return {"summary": ctx.t(GONE)}
    meeting = draft_meeting(ctx, state, base)
    lines = [messages.card(meeting, ctx.t, ctx.territory)]
    if base is None:
        rule = recurrence_of(state, meeting.starts_at.astimezone(ctx.territory.tz))
        rhythm = describe(rule, ctx.t, meeting.starts_at.astimezone(ctx.territory.tz).date())
        lines.append(ctx.t(N_("Rythme : {rhythm}.")).format(rhythm=html.escape(rhythm)))
    if meeting.starts_at <= ctx.now:
        lines.append(ctx.t(N_("⚠️ Cette heure est déjà passée. Changez le jour ou l'heure.")))
    lines += plain_hints(meeting, ctx.t, ctx.glossary)
    return {"summary": "\n".join(lines)}


def plain_hints(meeting: Meeting, t: Translator, glossary: Any) -> list[str]:
    """What would stop a follower reading the coordinator's words (the FALC lint, briefly):
    acronyms to spell out, sentences over 15 words, numeric dates."""
    text = "\n".join(part for part in (meeting.title, meeting.access, meeting.agenda) if part)
    if not text.strip():
        return []
    try:
        report = analyse(text, glossary if isinstance(glossary, Glossary) else None)
    except UnreadableMinutes:
        return []
    hints = []
    if report.acronyms:
        spelled = ", ".join(
            f"{a.token} : {a.expansion}" if a.expansion else a.token for a in report.acronyms
        )
        hints.append(
            t(N_("💡 Expliquez ces sigles : {acronyms}.")).format(acronyms=html.escape(spelled))
        )
    if report.over_15:
        hints.append(
            t(N_("💡 Phrases de plus de 15 mots : {n}. Coupez-les.")).format(n=len(report.over_15))
        )
    if report.numeric_dates:
        hints.append(t(N_("💡 Écrivez les dates en entier, avec le jour et le mois.")))
    if hints:
        hints.insert(0, "")
        hints.append(t(N_("Vous pouvez changer le texte avant de l'envoyer.")))
    return hints


async def meeting_facts(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    """{meeting_title} and {meeting_when} of the meeting being changed or cancelled."""
    meeting = await _coordinated(ctx, meeting_id_of(state))
    if meeting is None:
        return {"meeting_title": "—", "meeting_when": ctx.t(GONE)}
    state.answers["_flags"] = ["series"] if meeting.series_id is not None else []
    return {
        "meeting_title": meeting.title,
        "meeting_when": messages.when(meeting, ctx.t, ctx.territory),
    }


async def create_meeting(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    body_id = str(state.answers.get("body") or "")
    if body_id not in await roles.bodies_of(ctx.tx, ctx.person.id):
        await roles.audit(ctx.tx, ctx.person.id, "refused_meeting_action", body=body_id)
        return {"_replies": [Reply(ctx.t(REFUSED))], "when": "—"}
    meeting = draft_meeting(ctx, state)
    if meeting.starts_at <= ctx.now:
        return {
            "_replies": [Reply(ctx.t(N_("Cette heure est déjà passée. Rien n'est créé.")))],
            "when": "—",
        }
    rule = recurrence_of(state, meeting.starts_at.astimezone(ctx.territory.tz))
    planner = _planner(ctx)
    details = {
        "title": meeting.title,
        "place": meeting.place,
        "access": meeting.access,
        "online_url": meeting.online_url,
        "helper": meeting.helper,
        "agenda": meeting.agenda,
    }
    series_id = None
    if rule.kind != "once":
        series_id = await meetings.ensure_series(
            ctx.tx,
            body_id=body_id,
            rule=rule.rule(),
            first_start=meeting.starts_at.astimezone(ctx.territory.tz),
            duration_minutes=int((meeting.ends_at - meeting.starts_at) / timedelta(minutes=1)),
            details=details,
            now=ctx.now,
            created_by=ctx.person.id,
        )
    # A one-off meeting, or the first of a series, however far ahead (the next ones of a
    # series are made as time comes).
    meeting_id = await meetings.create(
        ctx.tx,
        body_id=body_id,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        now=ctx.now,
        created_by=ctx.person.id,
        series_id=series_id,
        occurrence=meeting.starts_at if series_id is not None else None,
        **details,
    )
    if series_id is not None:
        await planner.materialise(ctx.tx, ctx.now)
    created = await meetings.get(ctx.tx, int(meeting_id)) if meeting_id else None
    if created is None:
        return {"_replies": [Reply(ctx.t(REFUSED))], "when": "—"}
    await roles.audit(ctx.tx, ctx.person.id, "meeting_created", meeting=created.id, body=body_id)
    await planner.announce(ctx.tx, created, ctx.now, skip=ctx.person.id)
    return {CHANGED: True, "when": messages.when(created, ctx.t, ctx.territory)}


async def update_meeting(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    before = await _coordinated(ctx, meeting_id_of(state))
    if before is None:
        return {"_replies": [Reply(ctx.t(REFUSED))]}
    after = draft_meeting(ctx, state, before)
    if after.starts_at <= ctx.now:
        return {"_replies": [Reply(ctx.t(N_("Cette heure est déjà passée. Rien n'a changé.")))]}
    fields = {
        name: getattr(after, name)
        for name in meetings.EDITABLE
        if getattr(after, name) != getattr(before, name)
    }
    if not fields:
        return {"_replies": [Reply(ctx.t(N_("C'est la même chose qu'avant. Rien n'a changé.")))]}
    await meetings.update(ctx.tx, before.id, ctx.now, **fields)
    fresh = await meetings.get(ctx.tx, before.id)
    assert fresh is not None
    await roles.audit(ctx.tx, ctx.person.id, "meeting_changed", meeting=before.id)
    moved = {"starts_at", "ends_at", "place", "online_url"} & set(fields)
    told = await _planner(ctx).notify_change(ctx.tx, before, fresh, ctx.now) if moved else 0
    text = ctx.t(N_("C'est changé."))
    if moved:
        text += "\n" + ctx.t(N_("Les personnes qui suivent le groupe sont prévenues."))
    return {"_replies": [Reply(text)], CHANGED: True, "told": told}


async def cancel_meeting(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    meeting = await _coordinated(ctx, meeting_id_of(state))
    if meeting is None or not await meetings.cancel(ctx.tx, meeting.id, ctx.now):
        return {"_replies": [Reply(ctx.t(REFUSED))]}
    cancelled = replace(meeting, status="cancelled", sequence=meeting.sequence + 1)
    await roles.audit(ctx.tx, ctx.person.id, "meeting_cancelled", meeting=meeting.id)
    planner = _planner(ctx)
    whole_series = bool(params.get("series")) and meeting.series_id is not None
    if whole_series:
        # The series ends: no new occurrence is made, and those already planned are cancelled.
        # One notice says so; each later meeting's own notice would repeat it.
        await meetings.end_series(ctx.tx, meeting.series_id)
        for later in await meetings.upcoming(ctx.tx, ctx.now, body_ids={meeting.body_id}):
            if later.series_id == meeting.series_id:
                await meetings.cancel(ctx.tx, later.id, ctx.now)
                for person_id in await meetings.notice_audience(ctx.tx, later):
                    await meetings.mark_sent(ctx.tx, later, person_id, "cancelled", ctx.now)
        await roles.audit(ctx.tx, ctx.person.id, "series_ended", series=meeting.series_id)
    await planner.notify_cancel(ctx.tx, cancelled, ctx.now, whole_series=whole_series)
    text = ctx.t(N_("La réunion est annulée.")) + "\n"
    if whole_series:
        text += ctx.t(N_("Les réunions suivantes sont annulées aussi.")) + "\n"
    text += ctx.t(N_("Les personnes qui suivent le groupe sont prévenues."))
    return {"_replies": [Reply(text)], CHANGED: True}


async def show_meetings(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    """/reunions: the next meetings of what the person follows (or said they come to);
    for a coordinator, also their bodies' meetings with the answers so far."""
    followed = set(await meetings.followed_bodies(ctx.tx, ctx.person.id))
    going = await ctx.tx.all(
        "SELECT meeting_id, answer FROM rsvps WHERE person_id = ?", (ctx.person.id,)
    )
    answers = {r["meeting_id"]: r["answer"] for r in going}
    upcoming = [
        m
        for m in await meetings.upcoming(ctx.tx, ctx.now, limit=200)
        if m.body_id in followed or answers.get(m.id) in ("yes", "help")
    ][:8]
    replies = [Reply(messages.listing(upcoming, ctx.t, ctx.territory, answers))]
    coordinated = await roles.bodies_of(ctx.tx, ctx.person.id)
    if coordinated:
        mine = await meetings.upcoming(ctx.tx, ctx.now, body_ids=coordinated, limit=8)
        lines = [ctx.t(N_("📋 <b>Les réunions de vos groupes</b>"))]
        for m in mine:
            counts = await meetings.rsvp_counts(ctx.tx, m.id)
            lines += [
                "",
                ctx.t(N_("<b>{title}</b> : {when}.")).format(
                    title=html.escape(m.title), when=messages.when(m, ctx.t, ctx.territory)
                ),
                ctx.t(
                    N_("Viennent : {yes}. Ne viennent pas : {no}. Demandent de l'aide : {help}.")
                ).format(**counts),
            ]
        if not mine:
            lines.append(ctx.t(N_("0 réunion prévue. Tapez /reunion pour en créer une.")))
        replies.append(Reply("\n".join(lines)))
    return {"_replies": replies}


async def follow_body(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    body_id = str(state.answers.get("body") or "")
    try:
        body = ctx.territory.body(body_id)
    except KeyError:
        return {"_replies": [Reply(ctx.t(N_("Ce groupe est inconnu.")))]}
    new = await meetings.subscribe(ctx.tx, ctx.person.id, body_id, ctx.now)
    name = html.escape(body.name.get(ctx.t.lang))
    text = (
        ctx.t(N_("C'est fait. Vous suivez les réunions de ce groupe : {body}."))
        if new
        else ctx.t(N_("Vous suivez déjà les réunions de ce groupe : {body}."))
    ).format(body=name)
    text += "\n" + ctx.t(N_("Vous aurez un rappel avant chaque réunion."))
    # The next meeting is shown now, with the buttons to answer; the later ones come with
    # their reminders (three cards in a row for a weekly group is too much to read at once).
    replies = [Reply(text)]
    for meeting in await meetings.upcoming(ctx.tx, ctx.now, body_ids={body_id}, limit=1):
        replies += messages.announcement(meeting, ctx.t, ctx.territory, new=False)[:1]
    return {"_replies": replies}


async def unfollow_body(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    body_id = str(state.answers.get("body") or "")
    await meetings.unsubscribe(ctx.tx, ctx.person.id, body_id)
    try:
        name = html.escape(ctx.territory.body(body_id).name.get(ctx.t.lang))
    except KeyError:
        name = "—"
    text = ctx.t(N_("C'est fait. Ce groupe est retiré de votre liste : {body}."))
    return {"_replies": [Reply(text.format(body=name))]}


async def set_reminders(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    choice = str(state.answers.get("reminders") or "all")
    if choice == "none":
        offsets, _ = await meetings.preferences(ctx.tx, ctx.person.id)
        await meetings.set_preferences(ctx.tx, ctx.person.id, offsets, True, ctx.now)
        text = ctx.t(N_("C'est fait. Vos rappels sont arrêtés."))
        text += "\n" + ctx.t(N_("Vous serez toujours prévenu d'un changement ou d'une annulation."))
    else:
        offsets = REMINDER_CHOICES.get(choice, REMINDER_CHOICES["all"])
        await meetings.set_preferences(ctx.tx, ctx.person.id, offsets, False, ctx.now)
        text = ctx.t(N_("C'est fait. Vos rappels sont changés."))
    return {"_replies": [Reply(text)]}


MEETING_ACTIONS = {
    "meeting_summary": meeting_summary,
    "meeting_facts": meeting_facts,
    "create_meeting": create_meeting,
    "update_meeting": update_meeting,
    "cancel_meeting": cancel_meeting,
    "show_meetings": show_meetings,
    "follow_body": follow_body,
    "unfollow_body": unfollow_body,
    "set_reminders": set_reminders,
}


# ---- RSVP buttons under a reminder ---------------------------------------------------------


async def on_rsvp_button(turn: _TurnState, data: str) -> None:
    """`v:<meeting>:yes|no|help` and `v:<meeting>:h:<kind>`: the person's answer."""
    parts = data.split(":")
    meeting = (
        await meetings.get(turn.tx, int(parts[1]))
        if len(parts) in (3, 4) and parts[1].isdigit()
        else None
    )
    now = turn.service.clock()
    t, territory = turn.t, turn.service.territory
    if meeting is None or meeting.cancelled or meeting.ends_at <= now:
        await refuse(turn, GONE, "refused_rsvp")
        return
    answer = parts[2]
    if answer == "h" and len(parts) == 4 and parts[3] in meetings.HELP_KINDS:
        await meetings.set_rsvp(turn.tx, meeting.id, turn.person.id, "help", now, help=parts[3])
        await _tell_body_of_help(turn, meeting, parts[3])
        lines = [t(N_("Merci. Le groupe sait que vous avez besoin d'aide."))]
        if meeting.helper:
            lines.append(
                t(N_("Vous pouvez aussi appeler : {helper}")).format(
                    helper=html.escape(meeting.helper)
                )
            )
        turn.say("\n".join(lines))
        return
    if answer not in meetings.RSVP_ANSWERS or len(parts) != 3:
        await refuse(turn, N_("Ce bouton est inconnu. Rien n'a changé."), "refused_button")
        return
    if answer == "help":
        turn.response.actions.append(
            Send(
                Reply(
                    t(N_("De quelle aide avez-vous besoin ?")), messages.help_buttons(meeting.id, t)
                )
            )
        )
        return
    await meetings.set_rsvp(turn.tx, meeting.id, turn.person.id, answer, now)
    turn.response.notice = t(messages.RSVP_LABELS[answer])
    if answer == "yes":
        turn.say(
            t(N_("Merci. Le groupe sait que vous venez."))
            + "\n"
            + t(N_("Rendez-vous le {when}.")).format(when=messages.when(meeting, t, territory))
        )
    else:
        turn.say(
            t(N_("D'accord. Merci de l'avoir dit."))
            + "\n"
            + t(N_("Les rappels de cette réunion sont arrêtés pour vous."))
        )


async def _tell_body_of_help(turn: _TurnState, meeting: Meeting, kind: str) -> None:
    """The body's chat (or each coordinator) learns who needs what, by pseudonym only."""
    pseudonym = await people.pseudonym_of(turn.tx, turn.person.id) or "—"
    for recipient in await turn.casework.recipients(meeting.body_id):
        t = await turn.casework.t_of(recipient)
        reply = messages.help_request(meeting, pseudonym, kind, t, turn.service.territory)
        turn.response.actions.append(SendTo(recipient, reply))
