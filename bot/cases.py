"""Casework: a submission reaches the bodies that can act, they act, the author hears back.

Plain Python over one transaction: every action changes the case, logs an event and an audit
line, and writes the messages it owes (to the author, to the body) into the outbox, all in
the same transaction. Who may act is checked by the caller (`may_act`) before anything here.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot import case_cards, routing
from bot.case_cards import body_name
from bot.config import Territory
from bot.engine import Button, Reply
from bot.i18n import N_, Catalogs, Translator
from bot.storage import Database, Tx, cases, outbox, people, roles, safety_events, submissions
from bot.storage.cases import Case, stamp
from bot.storage.outbox import OutboxRow

log = logging.getLogger(__name__)

CRISIS_QUIET = timedelta(hours=72)  # no automatic message after the safety net fired
CARD = "card"
NOTICE = "notice"

NOTICE_DELIVERED = N_("Votre message <b>{reference}</b> est bien arrivé.\nIl est chez : {body}.")
NOTICE_TAKEN = N_(
    "Une personne s'occupe de votre message <b>{reference}</b>.\nElle fait partie de : {body}."
)
NOTICE_ANSWER = N_(
    "Vous avez une réponse pour le message <b>{reference}</b>.\nVoici la réponse de : {body}."
)
NOTICE_QUESTION = N_(
    "Le groupe vous pose une question sur le message <b>{reference}</b>.\nCe groupe est : {body}."
)
NOTICE_CAN_REPLY = N_("Vous pouvez répondre avec le bouton.")
NOTICE_FORWARDED = N_(
    "Votre message <b>{reference}</b> part vers un autre groupe.\nCe groupe est : {body}."
)
NOTICE_WHY = N_("Pourquoi : {text}")
NOTICE_AGENDA = N_(
    "Votre message <b>{reference}</b> sera lu en réunion.\nLa réunion a lieu le {date}."
)
NOTICE_CLOSED = N_("Le groupe a fini de traiter votre message <b>{reference}</b>.")
OUTCOME_NOTICES = {
    "change_made": N_("Le groupe a fait un changement."),
    "not_retained": N_("Le groupe ne retient pas votre demande."),
    "out_of_scope": N_("Ce sujet dépend d'une autre organisation."),
    "answered": N_("Le groupe vous a répondu."),
}
OUTCOME_TEXT = {
    "change_made": N_("Voici le changement : {text}"),
    "not_retained": N_("Voici pourquoi : {text}"),
    "out_of_scope": N_("Vous pouvez vous adresser à : {text}"),
    "answered": N_("Message du groupe : {text}"),
}
NOTICE_FOLLOWUP_LATER = N_("Dans {weeks} semaines, je vous demanderai si c'est réglé.")
NOTICE_FOLLOWUP = N_(
    "Le groupe a fini de traiter votre message <b>{reference}</b>.\n"
    "C'était il y a quelques semaines.\nEst-ce que c'est réglé ?"
)
FOLLOWUP_CHOICES = (
    ("yes", N_("✅ Oui")),
    ("partly", N_("〰️ En partie")),
    ("no", N_("❌ Non")),
)
REPLY_BUTTON = N_("✍️ Répondre")

TO_BODY_AUTHOR_REPLY = N_("💬 La personne répond pour le message <b>{reference}</b> :")
TO_BODY_REOPENED = N_(
    "🔁 La personne dit que ce n'est pas réglé.\nLe message <b>{reference}</b> est rouvert.\n"
    "Voici ses mots :"
)
TO_BODY_FOLLOWUP = {
    "yes": N_("✅ Pour le message <b>{reference}</b>, la personne dit que c'est réglé."),
    "partly": N_("〰️ Pour le message <b>{reference}</b>, la personne dit : réglé en partie."),
}
TO_BODY_OVERDUE = N_("⏰ Ce message attend depuis {days} jours.\nPersonne ne s'en occupe encore.")
TO_BODY_FORWARDED = N_("↪️ Un autre groupe vous transmet ce message : {body}.\nPourquoi : {text}")
TO_TRIAGE_ESCALATION = N_(
    "⏰ Le message <b>{reference}</b> attend depuis {days} jours.\n"
    "Il est chez : {body}.\nPersonne ne s'en occupe. Contactez ce groupe, s'il vous plaît."
)
TO_TRIAGE_NOBODY = N_(
    "Le message <b>{reference}</b> attend chez : {body}.\n"
    "Ce groupe a 0 coordinateur dans Porte-voix.\nDonnez-lui un lien d'invitation."
)
TO_TRIAGE_BLOCKED = N_(
    "Porte-voix ne peut plus écrire au groupe : {body}.\n"
    "Sa discussion bloque le bot. Les messages vont aux coordinateurs, un par un."
)
ERASED_CARD = N_("🗑 <b>{reference}</b> : la personne a effacé son message.")


def followup_data(case_id: int, answer: str) -> str:
    return f"f:{case_id}:{answer}"


def reply_data(case_id: int) -> str:
    return f"y:{case_id}"


def card_state(case: Case) -> str:
    """What a card shows of a case's progress: a copy made with another state is stale."""
    return f"{case.status}:{case.taken_by}:{case.outcome}:{case.meeting_date}"


def reply_payload(reply: Reply) -> dict[str, Any]:
    """A Reply as an outbox payload (JSON)."""
    return {
        "op": "send",
        "text": reply.text,
        "buttons": [[[b.label, b.data] for b in row] for row in reply.buttons],
        "prompt": reply.prompt,
        "document": (
            [reply.document.filename, base64.b64encode(reply.document.content).decode()]
            if reply.document
            else None
        ),
        "voice": reply.voice,
    }


def _quote(text: str) -> str:
    return "« " + html.escape(text) + " »"


@dataclass
class Casework:
    """Case actions inside one transaction."""

    tx: Tx
    territory: Territory
    catalogs: Catalogs
    now: datetime
    written: set[int] = field(default_factory=set)  # recipients given new rows

    # ---- helpers ---------------------------------------------------------------------

    async def t_of(self, person_id: int) -> Translator:
        default = self.territory.default_language
        return self.catalogs.get(await people.reading_language(self.tx, person_id, default))

    async def enqueue(
        self,
        recipient_id: int,
        reply: Reply,
        *,
        purpose: str,
        case_id: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        payload = {**reply_payload(reply), **(extra or {})}
        await outbox.enqueue(
            self.tx, recipient_id, payload, self.now, purpose=purpose, case_id=case_id
        )
        self.written.add(recipient_id)

    async def submission(self, case: Case) -> dict[str, Any]:
        row = await self.tx.one("SELECT * FROM submissions WHERE id = ?", (case.submission_id,))
        assert row is not None
        return dict(row)

    async def author_of(self, case: Case) -> int | None:
        """Who hears back: the person whose words these are (a relayed person who consented
        through their own Telegram), else the one who sent them."""
        row = await self.submission(case)
        return row["relayed_person_id"] or row["author_id"]

    async def recipients(self, body_id: str) -> list[int]:
        """The body's linked group chat, else each of its coordinators' private chats."""
        chat = await cases.chat_of(self.tx, body_id)
        if chat is not None:
            return [chat]
        return await roles.coordinators_of(self.tx, body_id)

    async def reload(self, case: Case) -> Case:
        fresh = await cases.get(self.tx, case.id)
        assert fresh is not None
        return fresh

    async def record(self, case: Case, kind: str, actor: int | None, **detail: Any) -> None:
        await submissions.add_event(
            self.tx, case.submission_id, kind, actor_id=actor, detail={"case": case.id, **detail}
        )
        await roles.audit(self.tx, actor, f"case_{kind}", case=case.id, body=case.body_id)

    async def mirror_status(self, case: Case, status: str) -> None:
        """/suivi shows the submission's latest step."""
        await self.tx.execute(
            "UPDATE submissions SET status = ? WHERE id = ? AND status NOT IN "
            "('erased', 'withdrawn', 'awaiting_consent')",
            (status, case.submission_id),
        )

    # ---- delivery to bodies ----------------------------------------------------------

    async def dispatch(self, submission_id: int) -> list[int]:
        """Routes a sent submission: one case per body, a card to each body's chats."""
        row = await self.tx.one("SELECT * FROM submissions WHERE id = ?", (submission_id,))
        if row is None or row["status"] != "sent":
            return []
        bodies = routing.route(self.territory, row["kind"], row["theme"], row["establishment"])
        opened = []
        for body_id in bodies:
            case_id = await cases.open_case(self.tx, submission_id, body_id, self.now)
            if case_id is None:
                continue
            opened.append(case_id)
            case = await cases.get(self.tx, case_id)
            assert case is not None
            await submissions.add_event(
                self.tx, submission_id, "routed", detail={"case": case_id, "body": body_id}
            )
            await self.send_card(case)
        log.info("submission %s routed to %d bodies", row["reference"], len(opened))
        return opened

    async def send_card(
        self, case: Case, *, header: Callable[[Translator], str] | None = None
    ) -> int:
        """The card to every chat of the body; the triage body is told if there is none."""
        recipients = await self.recipients(case.body_id)
        if not recipients:
            await self.tell_triage(case, TO_TRIAGE_NOBODY, once="nobody")
            return 0
        submission = await self.submission(case)
        pseudonym = (
            await people.pseudonym_of(self.tx, submission["author_id"])
            if submission["sharing"] == "pseudonymous" and submission["author_id"]
            else None
        )
        for recipient in recipients:
            t = await self.t_of(recipient)
            reply = case_cards.card(
                case,
                submission,
                t,
                self.territory,
                pseudonym=pseudonym,
                header=header(t) if header else None,
                voice_caption=bool(submission.get("voice_file_id")),
            )
            await self.enqueue(
                recipient, reply, purpose=CARD, case_id=case.id, extra={"state": card_state(case)}
            )
        return len(recipients)

    async def tell_triage(
        self, case: Case, template: str, *, once: str | None = None, **values: Any
    ) -> None:
        triage = self.territory.fallback_body
        if once is not None:
            marker = f"triage_{once}"
            done = await self.tx.value(
                "SELECT 1 FROM submission_events WHERE submission_id = ? AND kind = ? "
                "AND detail = ?",
                (case.submission_id, marker, json.dumps({"case": case.id})),
            )
            if done:
                return
            await submissions.add_event(
                self.tx, case.submission_id, marker, detail={"case": case.id}
            )
        targets = await self.recipients(triage)
        if not targets:
            log.warning("case %s: the triage body has no chat either", case.id)
            return
        for target in targets:
            t = await self.t_of(target)
            text = t(template).format(
                reference=case.reference,
                body=body_name(self.territory, case.body_id, t.lang),
                **values,
            )
            await self.enqueue(target, Reply(text), purpose=NOTICE, case_id=case.id)

    async def refresh_cards(self, case: Case) -> None:
        """Every copy of the card already in a chat shows the new status and buttons."""
        case = await self.reload(case)
        submission = await self.submission(case)
        pseudonym = await self._pseudonym(submission)
        for row in await outbox.sent_messages(self.tx, case_ids=[case.id], purpose=CARD):
            await self._edit_card(case, submission, pseudonym, row)

    async def _edit_card(
        self,
        case: Case,
        submission: dict[str, Any],
        pseudonym: str | None,
        row: OutboxRow,
    ) -> None:
        """Rewrites one copy of the card to the case's current state."""
        t = await self.t_of(row.recipient_id)
        is_voice = bool(row.payload.get("voice"))
        if case.status == "erased":
            reply = Reply(t(ERASED_CARD).format(reference=case.reference))
        else:
            reply = case_cards.card(
                case, submission, t, self.territory, pseudonym=pseudonym, voice_caption=is_voice
            )
        buttons = [[[b.label, b.data] for b in r] for r in reply.buttons]
        payload = {
            "op": "edit",
            "message_id": row.message_id,
            "text": reply.text,
            "buttons": buttons,
            "caption": is_voice,
        }
        await outbox.enqueue(
            self.tx, row.recipient_id, payload, self.now, purpose="edit", case_id=case.id
        )
        self.written.add(row.recipient_id)

    async def _pseudonym(self, submission: dict[str, Any]) -> str | None:
        if submission["sharing"] == "pseudonymous" and submission["author_id"]:
            return await people.pseudonym_of(self.tx, submission["author_id"])
        return None

    async def on_card_sent(self, row: OutboxRow) -> None:
        """First card of a case on a screen: the case is delivered, the author is told."""
        if row.case_id is None:
            return
        case = await cases.get(self.tx, row.case_id)
        if case is None:
            return
        if row.message_id is not None and row.payload.get("state", card_state(case)) != card_state(
            case
        ):
            # The case moved on while this copy waited or was on its way (a colleague took
            # it): the copy is brought up to date at once.
            submission = await self.submission(case)
            await self._edit_card(case, submission, await self._pseudonym(submission), row)
        if case.delivered_at is not None:
            return
        await cases.update(self.tx, case.id, delivered_at=stamp(self.now))
        await submissions.add_event(
            self.tx, case.submission_id, "delivered", detail={"case": case.id}
        )
        if case.status == "new":
            await self.mirror_status(case, "delivered")
        await self.notify_author(case, NOTICE_DELIVERED)

    # ---- to the author ---------------------------------------------------------------

    async def notify_author(
        self,
        case: Case,
        template: str,
        *,
        quote: str | None = None,
        extra: list[str] | None = None,
        buttons: tuple[tuple[Button, ...], ...] = (),
        reply_button: bool = False,
        **values: Any,
    ) -> None:
        author = await self.author_of(case)
        if author is None:
            return
        t = await self.t_of(author)
        values.setdefault("body", body_name(self.territory, case.body_id, t.lang))
        lines = [t(template).format(reference=case.reference, **values)]
        if quote:
            lines.append(_quote(quote))
        lines.extend(extra or [])
        if reply_button:
            lines.append(t(NOTICE_CAN_REPLY))
            buttons = ((Button(t(REPLY_BUTTON), reply_data(case.id)),),)
        await self.enqueue(
            author, Reply("\n".join(lines), buttons), purpose=NOTICE, case_id=case.id
        )

    async def tell_body(
        self,
        case: Case,
        template: str,
        *,
        quote: str | None = None,
        voice: str | None = None,
        with_buttons: bool = True,
    ) -> None:
        """A short message to the body's chats, with the case's buttons (and a voice note)."""
        case = await self.reload(case)
        for recipient in await self.recipients(case.body_id):
            t = await self.t_of(recipient)
            text = t(template).format(reference=case.reference)
            if quote:
                text += "\n" + _quote(quote)
            buttons = case_cards.buttons(case, t) if with_buttons else ()
            reply = Reply(text, buttons, voice=voice)
            await self.enqueue(recipient, reply, purpose=NOTICE, case_id=case.id)

    # ---- coordinator actions ---------------------------------------------------------

    async def first_action(self, case: Case) -> dict[str, str]:
        return {} if case.first_action_at else {"first_action_at": stamp(self.now)}

    async def take(self, case: Case, actor: int) -> bool:
        if case.status not in ("new", "reopened"):
            return False
        await cases.update(
            self.tx,
            case.id,
            status="taken",
            taken_by=actor,
            taken_at=stamp(self.now),
            overdue_level=0,
            **await self.first_action(case),
        )
        await self.record(case, "taken", actor)
        await self.mirror_status(case, "taken")
        await self.notify_author(case, NOTICE_TAKEN)
        await self.refresh_cards(case)
        return True

    async def answer(self, case: Case, actor: int, text: str) -> None:
        await cases.update(
            self.tx,
            case.id,
            status="answered",
            answered_at=stamp(self.now),
            taken_by=case.taken_by or actor,
            **await self.first_action(case),
        )
        await self.record(case, "answered", actor, text=text)
        await self.mirror_status(case, "answered")
        await self.notify_author(case, NOTICE_ANSWER, quote=text, reply_button=True)
        await self.refresh_cards(case)

    async def ask(self, case: Case, actor: int, text: str) -> None:
        fields: dict[str, Any] = dict(await self.first_action(case))
        if case.status in ("new", "reopened"):
            fields.update(status="taken", taken_by=actor, taken_at=stamp(self.now))
        if fields:
            await cases.update(self.tx, case.id, **fields)
        await self.record(case, "question", actor, text=text)
        await self.notify_author(case, NOTICE_QUESTION, quote=text, reply_button=True)
        await self.refresh_cards(case)

    async def agenda(self, case: Case, actor: int, day: date) -> None:
        await cases.update(
            self.tx, case.id, meeting_date=day.isoformat(), **await self.first_action(case)
        )
        await self.record(case, "agenda", actor, date=day.isoformat())
        author = await self.author_of(case)
        t = await self.t_of(author) if author else self.catalogs.get(None)
        await self.notify_author(case, NOTICE_AGENDA, date=t.full_date(day))
        await self.refresh_cards(case)

    async def forward(self, case: Case, actor: int, body_id: str, reason: str) -> Case | None:
        """The case leaves this body (closed as `forwarded`) and opens at the other one."""
        if body_id == case.body_id:
            return None
        self.territory.body(body_id)  # KeyError for an unknown body: the caller checked
        new_id = await cases.open_case(
            self.tx, case.submission_id, body_id, self.now, forwarded_from=case.id
        )
        if new_id is None:  # that body already holds it: reopen its case there
            existing = await self.tx.value(
                "SELECT id FROM cases WHERE submission_id = ? AND body_id = ?",
                (case.submission_id, body_id),
            )
            await cases.update(self.tx, existing, status="reopened", closed_at=None)
            new_id = existing
        await cases.update(
            self.tx,
            case.id,
            status="forwarded",
            closed_at=stamp(self.now),
            **await self.first_action(case),
        )
        await self.record(case, "forwarded", actor, to=body_id, text=reason)
        new_case = await cases.get(self.tx, new_id)
        assert new_case is not None
        origin = case.body_id

        def header(t: Translator) -> str:
            return t(TO_BODY_FORWARDED).format(
                body=body_name(self.territory, origin, t.lang), text=html.escape(reason)
            )

        await self.send_card(new_case, header=header)
        author = await self.author_of(case)
        if author is not None:
            t = await self.t_of(author)
            await self.notify_author(
                new_case,
                NOTICE_FORWARDED,
                extra=[t(NOTICE_WHY).format(text=_escape(reason))],
            )
        await self.refresh_cards(case)
        return new_case

    async def close(self, case: Case, actor: int, outcome: str, text: str | None) -> None:
        if outcome not in cases.OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        if outcome in ("not_retained", "out_of_scope") and not text:
            raise ValueError(f"outcome {outcome!r} needs its reason")
        weeks = self.territory.retention.closed_followup_weeks
        await cases.update(
            self.tx,
            case.id,
            status="closed",
            outcome=outcome,
            closed_at=stamp(self.now),
            followup_at=stamp(self.now + timedelta(weeks=weeks)),
            followup_answer=None,
            **await self.first_action(case),
        )
        await self.record(case, "closed", actor, outcome=outcome, text=text)
        await self.mirror_status(case, "closed")
        author = await self.author_of(case)
        if author is not None:
            t = await self.t_of(author)
            extra = [t(OUTCOME_NOTICES[outcome])]
            if text:
                extra.append(t(OUTCOME_TEXT[outcome]).format(text=_quote(text)))
            extra.append(t(NOTICE_FOLLOWUP_LATER).format(weeks=weeks))
            await self.notify_author(case, NOTICE_CLOSED, extra=extra)
        await self.refresh_cards(case)

    # ---- the author's side -----------------------------------------------------------

    async def current(self, case: Case) -> Case:
        """A forwarded case lives on at the body it went to."""
        seen = {case.id}
        while case.status == "forwarded":
            next_id = await self.tx.value(
                "SELECT id FROM cases WHERE forwarded_from = ? ORDER BY id DESC LIMIT 1", (case.id,)
            )
            if next_id is None or next_id in seen:
                break
            seen.add(next_id)
            nxt = await cases.get(self.tx, next_id)
            assert nxt is not None
            case = nxt
        return case

    async def author_reply(
        self, case: Case, author: int, text: str | None, voice: str | None = None
    ) -> Case:
        case = await self.current(case)
        await self.record(case, "author_reply", author)
        await self.tell_body(case, TO_BODY_AUTHOR_REPLY, quote=text, voice=voice)
        return case

    async def followup_answer(self, case: Case, author: int, answer: str) -> None:
        await cases.update(self.tx, case.id, followup_answer=answer)
        await self.record(case, f"followup_{answer}", author)
        if answer in TO_BODY_FOLLOWUP:
            await self.tell_body(case, TO_BODY_FOLLOWUP[answer], with_buttons=False)

    async def reopen(
        self, case: Case, author: int, text: str | None, voice: str | None = None
    ) -> None:
        await cases.update(
            self.tx, case.id, status="reopened", followup_answer="no", closed_at=None, outcome=None
        )
        await self.record(case, "reopened", author)
        await self.mirror_status(case, "reopened")
        await self.tell_body(case, TO_BODY_REOPENED, quote=text, voice=voice)
        await self.refresh_cards(case)

    async def erase(self, submission_id: int) -> None:
        """The author erased their words: nothing more goes out, the cards say so."""
        held = await cases.for_submission(self.tx, submission_id)
        await outbox.drop_pending(self.tx, case_ids=[c.id for c in held])
        for case in held:
            await cases.update(self.tx, case.id, status="erased")
            await self.refresh_cards(case)

    # ---- time-driven -----------------------------------------------------------------

    async def sweep(self, overdue_after: timedelta, escalate_after: timedelta) -> dict[str, int]:
        """Overdue cases flagged to their body, then to triage; follow-up questions asked."""
        report = {"overdue": 0, "escalated": 0, "followups": 0, "postponed": 0}
        for case in await cases.overdue_candidates(self.tx, stamp(self.now - overdue_after)):
            days = (self.now - datetime.fromisoformat(case.created_at)).days
            if case.overdue_level == 0:
                await self.send_card(
                    case, header=lambda t, d=days: t(TO_BODY_OVERDUE).format(days=d)
                )
                await cases.update(self.tx, case.id, overdue_level=1, overdue_at=stamp(self.now))
                await submissions.add_event(
                    self.tx, case.submission_id, "overdue", detail={"case": case.id}
                )
                report["overdue"] += 1
            elif (
                case.overdue_level == 1
                and case.overdue_at is not None
                and datetime.fromisoformat(case.overdue_at) <= self.now - escalate_after
            ):
                await self.tell_triage(case, TO_TRIAGE_ESCALATION, days=days)
                await cases.update(self.tx, case.id, overdue_level=2)
                await submissions.add_event(
                    self.tx, case.submission_id, "escalated", detail={"case": case.id}
                )
                report["escalated"] += 1
        for case in await cases.followups_due(self.tx, stamp(self.now)):
            author = await self.author_of(case)
            if author is None:
                await cases.update(self.tx, case.id, followup_answer="nobody")
                continue
            if await safety_events.fired_since(self.tx, author, self.now - CRISIS_QUIET):
                # Someone whose words fired the safety net lately gets no automatic message.
                await cases.update(
                    self.tx, case.id, followup_at=stamp(self.now + timedelta(hours=12))
                )
                report["postponed"] += 1
                continue
            t = await self.t_of(author)
            buttons = (
                tuple(
                    Button(t(label), followup_data(case.id, value))
                    for value, label in FOLLOWUP_CHOICES
                ),
            )
            await self.notify_author(case, NOTICE_FOLLOWUP, buttons=buttons)
            await cases.update(self.tx, case.id, followup_answer="asked")
            await submissions.add_event(
                self.tx, case.submission_id, "followup_asked", detail={"case": case.id}
            )
            report["followups"] += 1
        return report

    # ---- blocked chats ---------------------------------------------------------------

    async def on_blocked(self, row: OutboxRow) -> None:
        """A body's chat blocks the bot: triage is told; a group falls back to coordinators."""
        bodies = await cases.bodies_of_chat(self.tx, row.recipient_id)
        if not bodies:
            bodies = sorted(await roles.bodies_of(self.tx, row.recipient_id))
            if not bodies or row.purpose not in (CARD, NOTICE):
                return
            case = await cases.get(self.tx, row.case_id) if row.case_id else None
            if case is not None:
                await self.tell_triage(case, TO_TRIAGE_BLOCKED, once=f"blocked_{row.recipient_id}")
            return
        for body_id in bodies:
            await cases.unlink_chat(self.tx, body_id)
            await roles.audit(self.tx, None, "chat_unlinked_blocked", body=body_id)
        case = await cases.get(self.tx, row.case_id) if row.case_id else None
        if case is not None:
            await self.tell_triage(case, TO_TRIAGE_BLOCKED, once="blocked_group")
            if row.purpose == CARD:
                await self.send_card(case)


def _escape(text: str) -> str:
    return html.escape(text)


class CaseService:
    """Builds a `Casework` per transaction; the outbox hooks and the periodic sweep."""

    def __init__(
        self,
        territory: Territory,
        catalogs: Catalogs,
        clock: Callable[[], datetime],
        *,
        overdue_after: timedelta | None = None,
        escalate_after: timedelta | None = None,
    ) -> None:
        self.territory = territory
        self.catalogs = catalogs
        self.clock = clock
        self.overdue_after = overdue_after or timedelta(days=territory.cases.overdue_days)
        self.escalate_after = escalate_after or timedelta(days=territory.cases.escalation_days)

    def work(self, tx: Tx, now: datetime | None = None) -> Casework:
        return Casework(tx, self.territory, self.catalogs, now or self.clock())

    async def on_sent(self, tx: Tx, row: OutboxRow, outcome: Any, now: datetime) -> None:
        if row.purpose == CARD:
            sent = dataclasses.replace(row, message_id=outcome.message_id or row.message_id)
            await self.work(tx, now).on_card_sent(sent)

    async def on_blocked(self, tx: Tx, row: OutboxRow, outcome: Any, now: datetime) -> None:
        await self.work(tx, now).on_blocked(row)

    async def sweep(self, db: Database) -> dict[str, int]:
        async with db.transaction() as tx:
            report = await self.work(tx).sweep(self.overdue_after, self.escalate_after)
        if any(report.values()):
            log.info("case sweep: %s", json.dumps(report))
        return report
