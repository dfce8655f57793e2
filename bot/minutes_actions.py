"""Minutes in conversations (`/compte_rendu`): the plain-language report, publication to the
body's followers, the peer helpers' relecture, and « Vous avez dit… Nous avons fait… ».

Machine help is not a relecture (falc.md §1): what followers receive stays marked « à relire
avec un groupe de relecture » until a peer helper of the territory validates it with one
button; then every copy is edited to drop the mark.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot import followup
from bot.case_cards import CASE_STATUS_LABELS, OUTCOME_LABELS, body_name
from bot.cases import reply_payload
from bot.coordination import refuse
from bot.engine import Button, Reply
from bot.i18n import N_, Translator
from bot.meetings.reminders import daytime
from bot.plain.glossary import Glossary
from bot.storage import cases, meetings, minutes, outbox, people, roles
from bot.storage.conversations import ConversationState
from bot.summaries.minutes_report import analyse, render_report
from bot.turn_actions import SendTo

if TYPE_CHECKING:
    from bot.actions import ActionContext
    from bot.conversation import _TurnState

PURPOSE = "minutes"
VALIDATE_PREFIX = "w"
CHUNK = 3500  # characters of minutes per message, under Telegram's 4096 with the header
RECENT_MEETING = timedelta(days=45)
TO_REREAD = N_("⚠️ À relire avec un groupe de relecture.")
HEADER = N_("📝 <b>Compte rendu</b> : {body}.")
MEETING_OF = N_("Réunion du {date}.")


def _minutes_text(state: ConversationState) -> str:
    answer = state.answers.get("minutes")
    return str(answer.get("text", "")) if isinstance(answer, dict) else ""


def _glossary(ctx: ActionContext) -> Glossary | None:
    return ctx.glossary if isinstance(ctx.glossary, Glossary) else None


async def minutes_report(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    """The FALC report on this version; from the second version on, before and after."""
    text = _minutes_text(state)
    first = state.answers.setdefault("_first_minutes", text)
    report = analyse(text, _glossary(ctx))
    before = analyse(first, _glossary(ctx)) if first != text else None
    return {"_replies": [Reply(part) for part in render_report(report, ctx.t, before=before)]}


async def _recent_meeting(ctx: ActionContext, body_id: str) -> meetings.Meeting | None:
    held = await meetings.recent(ctx.tx, {body_id}, ctx.now - RECENT_MEETING, ctx.now)
    return held[0] if held else None


def chunks(text: str, size: int = CHUNK) -> list[str]:
    """The minutes in messages, cut between paragraphs (or lines) when it can."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > size:
            cut = line.rfind(" ", 0, size)
            cut = cut if cut > 0 else size
            parts.append((current + "\n" + line[:cut]).strip() if current else line[:cut])
            current, line = "", line[cut:].lstrip()
        if len(current) + len(line) + 1 > size:
            parts.append(current.strip())
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current.strip():
        parts.append(current.strip())
    return parts or [""]


def header(
    body_id: str, when: str | None, t: Translator, territory: Any, *, validated: bool
) -> list[str]:
    lines = [t(HEADER).format(body=html.escape(body_name(territory, body_id, t.lang)))]
    if when:
        lines.append(t(MEETING_OF).format(date=when))
    if not validated:
        lines.append(t(TO_REREAD))
    return lines


def _references(state: ConversationState) -> list[str]:
    answer = state.answers.get("cases")
    text = answer.get("text", "") if isinstance(answer, dict) else ""
    found = [m.group(0).upper() for m in followup.REFERENCE.finditer(text)]
    return list(dict.fromkeys(found))


async def minutes_preview(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    body_id = str(state.answers.get("body") or "")
    meeting = await _recent_meeting(ctx, body_id)
    when = ctx.t.full_date(meeting.starts_at, ctx.territory.tz) if meeting else None
    lines = header(body_id, when, ctx.t, ctx.territory, validated=False)
    text = _minutes_text(state)
    lines.append(html.escape(text[:300]) + (" […]" if len(text) > 300 else ""))
    followers = len(await meetings.subscribers(ctx.tx, body_id))
    lines += [
        "",
        ctx.t(N_("Personnes qui suivent le groupe : {n}.")).format(n=followers),
    ]
    references = _references(state)
    if references:
        lines.append(
            ctx.t(N_("Messages discutés : {references}.")).format(references=", ".join(references))
        )
    return {"preview": "\n".join(lines)}


async def publish_minutes(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    body_id = str(state.answers.get("body") or "")
    if body_id not in await roles.bodies_of(ctx.tx, ctx.person.id):
        await roles.audit(ctx.tx, ctx.person.id, "refused_minutes", body=body_id)
        return {"_replies": [Reply(ctx.t(N_("Ce groupe est pour d'autres coordinateurs.")))]}
    text = _minutes_text(state)
    meeting = await _recent_meeting(ctx, body_id)
    minutes_id = await minutes.create(
        ctx.tx,
        body_id=body_id,
        text=text,
        first_text=str(state.answers.get("_first_minutes") or text),
        created_by=ctx.person.id,
        now=ctx.now,
        meeting_id=meeting.id if meeting else None,
    )
    await roles.audit(ctx.tx, ctx.person.id, "minutes_published", minutes=minutes_id)
    followers = await meetings.subscribers(ctx.tx, body_id)
    for person_id in followers:
        t = ctx.catalogs.get(await people.language_of(ctx.tx, person_id))
        await _send_minutes(ctx, person_id, t, minutes_id, body_id, meeting, text)
    helpers = [
        r["person_id"]
        for r in await ctx.tx.all(
            "SELECT DISTINCT person_id FROM roles WHERE role = 'pair_aidant' "
            "AND revoked_at IS NULL ORDER BY person_id"
        )
    ]
    for helper in helpers:
        t = ctx.catalogs.get(await people.language_of(ctx.tx, helper))
        when = t.full_date(meeting.starts_at, ctx.territory.tz) if meeting else None
        lines = [
            t(N_("📖 Un compte rendu attend une relecture.")),
            *header(body_id, when, t, ctx.territory, validated=True),
            t(N_("Lisez-le, si possible avec un groupe de relecture.")),
            t(N_("S'il est facile à comprendre, validez-le avec le bouton.")),
        ]
        await _enqueue(ctx, helper, Reply("\n".join(lines)), minutes_id)
        parts = chunks(text)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            buttons = (
                ((Button(t(N_("✅ Je valide ce compte rendu")), validate_data(minutes_id)),),)
                if last
                else ()
            )
            await _enqueue(ctx, helper, Reply(html.escape(part), buttons), minutes_id)
    told, unknown = await _you_said_we_did(ctx, state, body_id, minutes_id, meeting)
    lines = [
        ctx.t(N_("C'est envoyé à {n} personnes qui suivent le groupe.")).format(n=len(followers)),
        ctx.t(N_("Un pair-aidant va le relire.")),
    ]
    if told:
        lines.append(
            ctx.t(N_("Les auteurs de ces messages sont prévenus : {references}.")).format(
                references=", ".join(told)
            )
        )
    if unknown:
        lines.append(
            ctx.t(N_("Ces numéros sont absents des messages du groupe : {references}.")).format(
                references=", ".join(unknown)
            )
        )
    return {"_replies": [Reply("\n".join(lines))]}


def validate_data(minutes_id: int) -> str:
    return f"{VALIDATE_PREFIX}:{minutes_id}"


async def _send_minutes(
    ctx: ActionContext,
    person_id: int,
    t: Translator,
    minutes_id: int,
    body_id: str,
    meeting: meetings.Meeting | None,
    text: str,
) -> None:
    when = t.full_date(meeting.starts_at, ctx.territory.tz) if meeting else None
    parts = chunks(text)
    first = "\n".join(header(body_id, when, t, ctx.territory, validated=False))
    await _enqueue(ctx, person_id, Reply(first), minutes_id, header=True, when=when)
    for part in parts:
        await _enqueue(ctx, person_id, Reply(html.escape(part)), minutes_id)


async def _enqueue(
    ctx: ActionContext, person_id: int, reply: Reply, minutes_id: int, **extra: Any
) -> None:
    payload = {**reply_payload(reply), "minutes": minutes_id, **extra}
    when = daytime(ctx.now, ctx.territory.tz)  # sent at night, read from 08:00
    await outbox.enqueue(ctx.tx, person_id, payload, ctx.now, purpose=PURPOSE, not_before=when)
    if ctx.casework is not None:
        ctx.casework.written.add(person_id)


async def _you_said_we_did(
    ctx: ActionContext,
    state: ConversationState,
    body_id: str,
    minutes_id: int,
    meeting: meetings.Meeting | None,
) -> tuple[list[str], list[str]]:
    """« Vous avez dit… Nous avons fait… » to the author of each case the minutes discuss."""
    done_answer = state.answers.get("done")
    done = done_answer.get("text") if isinstance(done_answer, dict) else None
    told: list[str] = []
    unknown: list[str] = []
    for reference in _references(state):
        case = await cases.by_reference(ctx.tx, reference, {body_id})
        if case is None:
            unknown.append(reference)
            continue
        await minutes.link_case(ctx.tx, minutes_id, case.id, done, ctx.now)
        work = ctx.casework
        author = await work.author_of(case)
        if author is None:
            continue
        submission = await work.submission(case)
        t = await work.t_of(author)
        said = (
            "« " + html.escape(submission["body_text"]) + " »"
            if submission.get("body_text")
            else t(N_("un message vocal"))
        )
        if case.outcome:
            result = t(OUTCOME_LABELS[case.outcome])
        else:
            result = t(CASE_STATUS_LABELS.get(case.status, CASE_STATUS_LABELS["taken"]))
        lines = [
            t(N_("📝 Votre message {reference} est discuté à une réunion.")).format(
                reference=case.reference
            ),
            t(N_("Groupe : {body}.")).format(
                body=html.escape(body_name(ctx.territory, body_id, t.lang))
            ),
        ]
        if meeting:
            lines.append(
                t(MEETING_OF).format(date=t.full_date(meeting.starts_at, ctx.territory.tz))
            )
        lines += [t(N_("Vous avez dit : {said}")).format(said=said)]
        if done:
            lines.append(t(N_("Nous avons fait : {done}")).format(done=html.escape(done)))
        lines.append(t(N_("Résultat : {result}")).format(result=result))
        await work.enqueue(author, Reply("\n".join(lines)), purpose="notice", case_id=case.id)
        await work.record(case, "minutes", ctx.person.id, minutes=minutes_id)
        told.append(case.reference)
    return told, unknown


MINUTES_ACTIONS = {
    "minutes_report": minutes_report,
    "minutes_preview": minutes_preview,
    "publish_minutes": publish_minutes,
}


async def on_validate_button(turn: _TurnState, data: str) -> None:
    """`w:<minutes>`: a peer helper validates the minutes; every copy loses « à relire »."""
    part = data.split(":", 1)[1] if ":" in data else ""
    record = await minutes.get(turn.tx, int(part)) if part.isdigit() else None
    if "pair_aidant" not in await turn.roles():
        await refuse(
            turn, N_("Cette action est réservée aux pairs-aidants de Porte-voix."), "refused_button"
        )
        return
    now = turn.service.clock()
    if record is None or not await minutes.validate(turn.tx, record["id"], turn.person.id, now):
        turn.response.notice = turn.t(N_("Ce compte rendu est déjà validé."))
        turn.say(turn.t(N_("Ce compte rendu est déjà validé. Merci.")))
        return
    await roles.audit(turn.tx, turn.person.id, "minutes_validated", minutes=record["id"])
    territory = turn.service.territory
    for row in await minutes.sent_headers(turn.tx, record["id"]):
        payload = json.loads(row["payload"])
        t = turn.service.catalogs.get(await people.language_of(turn.tx, row["recipient_id"]))
        lines = header(record["body_id"], payload.get("when"), t, territory, validated=True)
        text = "\n".join([*lines, t(N_("✅ Relu et validé par un pair-aidant."))])
        if row["status"] == "sent" and row["message_id"] is not None:
            edit = {"op": "edit", "message_id": row["message_id"], "text": text, "buttons": []}
            await outbox.enqueue(turn.tx, row["recipient_id"], edit, now, purpose=PURPOSE)
        else:  # not sent yet: it goes out already validated
            payload["text"] = text
            await turn.tx.execute(
                "UPDATE outbox SET payload = ? WHERE id = ?",
                (json.dumps(payload, ensure_ascii=False), row["id"]),
            )
        turn.casework.written.add(row["recipient_id"])
    turn.say(turn.t(N_("Merci. Le compte rendu est validé. Les lecteurs le voient.")))
    if record["created_by"] is not None:
        t = turn.service.catalogs.get(await people.language_of(turn.tx, record["created_by"]))
        turn.response.actions.append(
            SendTo(
                record["created_by"],
                Reply(t(N_("✅ Un pair-aidant a relu et validé votre compte rendu."))),
            )
        )
