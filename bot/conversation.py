"""The conversation service: one incoming event in, what to show out. No Telegram types here.

For each event it opens one transaction, finds the person, runs the engine on their current
flow, runs the flow's actions, saves the new state, records the update as handled, and commits.
Only then does the caller send anything: a reply never announces a write that could be lost.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot import (
    coordination,
    followup,
    lexicon,
    meeting_actions,
    minutes_actions,
    relay,
)
from bot.actions import ACTIONS, ActionContext
from bot.cases import CaseService, reply_payload
from bot.choice_sources import dynamic_choices
from bot.config import Territory
from bot.engine import PREFILLED, Answer, Button, Engine, Reply, Turn, TurnContext, clean_text
from bot.i18n import N_, Catalogs, negotiate
from bot.safety import Detection, Level, detect
from bot.safety import replies as crisis
from bot.storage import (
    Database,
    Tx,
    cases,
    conversations,
    outbox,
    people,
    roles,
    safety_events,
    submissions,
    updates,
)
from bot.storage.conversations import ConversationState
from bot.storage.people import Person
from bot.summaries.minutes_report import UnreadableMinutes, read_minutes
from bot.summaries.stats import stats_text
from bot.turn_actions import (
    Action,
    ClearKeyboard,
    DeleteMessage,
    MarkChosen,
    Response,
    Send,
    SendTo,
)

log = logging.getLogger(__name__)

RECENT_CRISIS = timedelta(minutes=30)  # numbers shown this recently: a shorter list
MENU_FLOW = "menu"
START_FLOW = "start"
FREE_TEXT_FLOW = "message_libre"  # words written outside a flow: send them as what?
FREE_TEXT_COMPLAINT = "plainte"  # … its entry when the words speak of harm by staff

HELP_TEXT = N_(
    "Porte-voix sert à donner votre avis sur les soins en santé mentale.\n"
    "Choisissez avec les boutons.\n"
    "Vous pouvez aussi écrire ou envoyer un message vocal.\n"
    "<b>Retour</b> revient à la question d'avant.\n"
    "<b>Pause</b> garde votre brouillon pour plus tard.\n"
    "<b>Arrêter</b> efface votre brouillon.\n"
    "Tapez /menu pour revenir au menu.\n"
    "Pour une urgence, appelez le 15 ou le 112."
)


@dataclass(frozen=True)
class Incoming:
    """One thing a person did, stripped of Telegram: a command, a text, a voice note, a tap."""

    update_id: int
    user_id: int
    kind: str  # "command" | "text" | "voice" | "button" | "other"
    language_code: str | None = None
    command: str | None = None
    args: tuple[str, ...] = ()
    text: str | None = None
    voice_file_id: str | None = None
    voice_duration: int | None = None
    data: str | None = None
    message_id: int | None = None
    display_name: str | None = None  # used only if the person chooses to be named
    caption: str | None = None  # text sent with a voice note, a photo or a file
    chat_id: int | None = None  # a group chat; None for the person's private chat
    tapped_label: str | None = None  # the label of the tapped button, shown as chosen
    document_name: str | None = None  # a small text file (minutes), with its bytes
    document_data: bytes | None = None
    # What a local speech-to-text engine heard in a voice note: for the safety net only,
    # never stored (the voice note itself is what a body receives).
    transcript: str | None = None


def _payload(action: Action, label: str | None) -> dict[str, Any]:
    if isinstance(action, Send | SendTo):
        return reply_payload(action.reply)
    if isinstance(action, MarkChosen):
        return {"op": "mark", "message_id": action.message_id, "label": label}
    if isinstance(action, ClearKeyboard):
        return {"op": "clear", "message_id": action.message_id}
    if isinstance(action, DeleteMessage):
        return {"op": "delete", "message_id": action.message_id}
    return {
        "op": "edit",
        "message_id": action.message_id,
        "text": action.reply.text,
        "buttons": [[[b.label, b.data] for b in row] for row in action.reply.buttons],
        "caption": bool(action.reply.voice),
    }


# One word that is not a message to send: a greeting, a thank-you, a number that is no choice.
_SMALL_TALK = frozenset(
    [
        "bonjour",
        "bonsoir",
        "salut",
        "coucou",
        "hello",
        "hi",
        "merci",
        "ok",
        "okay",
        "oui",
        "non",
        "daccord",
        "dac",
        "menu",
        "aide",
        "help",
        "start",
        "test",
    ]
)


def _is_small_talk(text: str) -> bool:
    words = "".join(c for c in clean_text(text).casefold() if c.isalnum() or c.isspace()).split()
    return not words or (len(words) == 1 and (words[0] in _SMALL_TALK or words[0].isdigit()))


class ConversationService:
    """Handles every event through flows, the engine and storage; writes what it owes."""

    def __init__(
        self,
        db: Database,
        engine: Engine,
        territory: Territory,
        catalogs: Catalogs,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        glossary: Any = None,
    ) -> None:
        self.db = db
        self.engine = engine
        self.territory = territory
        self.catalogs = catalogs
        self.clock = clock
        self.glossary = glossary
        self.cases = CaseService(territory, catalogs, clock)
        self.bot_username: str | None = None  # set once the bot knows its @username

    def glossary_terms(self, text: str) -> list[tuple[str, str]]:
        """Institutions a text names, (as written, acronym), for « c'est quoi ? » buttons."""
        if self.glossary is None:
            return []
        return self.glossary.mentions(text)

    # ---- entry points -------------------------------------------------------------------

    async def handle(self, event: Incoming) -> Response:
        """One event, one transaction: state, actions and every owed message commit together.

        A re-delivered update (after a crash) is never acted on twice; its messages are
        already in the outbox and go out (again only if their first attempt's outcome was
        unknown).
        """
        async with self.db.transaction() as tx:
            person, _created = await people.get_or_create(tx, event.user_id)
            if person.language is None:
                lang = negotiate(
                    event.language_code, self.territory.languages, self.territory.languages[0]
                )
                await people.set_language(tx, person.id, lang, chosen=False)
                person = Person(person.id, lang, False, person.pseudonym, person.prompt_message_id)
            if await updates.seen(tx, event.update_id):
                log.info("update %s seen before: its messages are in the outbox", event.update_id)
                return Response(person.id, event.update_id, recipients=[person.id])
            await updates.mark(tx, event.update_id)
            if event.chat_id is not None and event.chat_id != event.user_id:
                chat = await people.group_chat(tx, event.chat_id)
                turn = _TurnState(self, tx, person, event, chat_recipient=chat)
                await coordination.group_dispatch(turn)
            else:
                turn = _TurnState(self, tx, person, event)
                await turn.dispatch()
            response = await turn.finish()
            response.update_id = event.update_id
            return response

    async def sweep(self) -> dict[str, int]:
        """Overdue cases and follow-up questions (run by a repeating job, and by tests)."""
        return await self.cases.sweep(self.db)


class _TurnState:
    """Everything about handling one event, so helper methods share it without long signatures."""

    def __init__(
        self,
        service: ConversationService,
        tx: Tx,
        person: Person,
        event: Incoming,
        *,
        chat_recipient: int | None = None,
    ) -> None:
        self.service = service
        self.tx = tx
        self.person = person
        self.event = event
        self.chat_recipient = chat_recipient if chat_recipient is not None else person.id
        self.in_group = chat_recipient is not None
        self.t = service.catalogs.get(person.language)
        self.response = Response(person.id)
        self.casework = service.cases.work(tx)
        self.revision: int | None = None
        self.sent_prompt = False
        self._roles: set[str] = set()
        self._roles_loaded: set[str] | None = None
        self._personal: dict[str, list[tuple[str, str]]] = {}
        self.detection: Detection | None = None  # what the safety net saw in this event
        self.numbers_shown = False  # a crisis answer (full or gentle) is in this turn

    # ---- building blocks -----------------------------------------------------------------

    async def roles(self) -> set[str]:
        """The person's roles, read once per event (they gate flows and menu entries)."""
        if self._roles_loaded is None:
            self._roles_loaded = await roles.roles_of(self.tx, self.person.id)
            self._roles.update(self._roles_loaded)
        return self._roles

    async def context(self) -> TurnContext:
        await self.roles()
        if self.revision is None:
            self.revision = await people.next_revision(self.tx, self.person.id)
        if not self._personal:  # read once per event, like the roles
            self._personal = await meeting_actions.personal_choices(
                self.tx, self.person.id, self.service.territory, self.t, self.service.clock()
            )
        ctx = TurnContext(t=self.t, revision=self.revision, run_action=self._run_action)
        self._fill(ctx)
        self._ctx = ctx
        return ctx

    def _fill(self, ctx: TurnContext) -> None:
        territory = self.service.territory
        lang = ctx.t.lang
        ctx.variables = {
            "territory": territory.name.get(lang),
            "reading": territory.reading_notice.get(lang),
            "pseudonym": ctx.t(N_("Personne {code}")).format(code=self.person.pseudonym),
            "display_name": html.escape(self.event.display_name or ""),
        }
        ctx.dynamic_choices = dynamic_choices(territory, ctx.t)
        ctx.dynamic_choices.update(self._personal)
        ctx.today = self.service.clock().astimezone(territory.tz).date()
        ctx.flags = frozenset(
            ({"situations_body"} if territory.situations_body else set()) | self._roles
        )
        if territory.situations_body is not None:
            ctx.variables["situations_body"] = html.escape(territory.situations_body.name.get(lang))
        ctx.glossary = self.service.glossary_terms

    async def _run_action(
        self, name: str, params: Mapping[str, Any], state: ConversationState
    ) -> dict[str, Any]:
        if name in ACTIONS:
            action_ctx = ActionContext(
                tx=self.tx,
                person=self.person,
                t=self.t,
                territory=self.service.territory,
                now=self.service.clock(),
                display_name=self.event.display_name,
                glossary=self.service.glossary,
                bot_username=self.service.bot_username,
                casework=self.casework,
                roles=await self.roles(),
                catalogs=self.service.catalogs,
            )
            results = await ACTIONS[name](action_ctx, params, state)
            if results.pop(meeting_actions.CHANGED, False):
                self.response.meetings_changed = True
            return results
        if name == "set_language":
            lang = state.answers.get("language")
            if lang not in self.service.territory.languages:
                lang = self.service.territory.languages[0]
            await people.set_language(self.tx, self.person.id, lang, chosen=True)
            self.t = self.service.catalogs.get(lang)
            self._ctx.t = self.t
            self._fill(self._ctx)
            return {}
        raise ValueError(f"unknown action {name!r}")

    def say(self, text: str) -> None:
        self.response.actions.append(Send(Reply(text)))

    async def apply(self, turn: Turn) -> None:
        """Saves the engine's new state (or ends the flow) and queues its replies."""
        for reply in turn.replies:
            self.response.actions.append(Send(reply))
            self.sent_prompt = self.sent_prompt or reply.prompt
        if turn.state is not None:
            turn.state.status = "active"
            await conversations.save(self.tx, self.person.id, turn.state)
            return
        active = await conversations.active(self.tx, self.person.id)
        if active is not None:
            await conversations.delete(self.tx, self.person.id, active.flow)
        if turn.then == "resume":
            await self.resume_latest(or_menu=True)
        elif turn.then and turn.then != "menu" and turn.carry:
            await self.open_flow_with(turn.then, turn.carry, active)
        elif turn.then and turn.then != "menu":
            await self.open_flow(turn.then)
        else:
            await self.open_flow(MENU_FLOW)

    async def supersede_active(self, keep_flow: str | None = None) -> None:
        """Another flow takes the screen: a draft is paused (kept), anything else is dropped."""
        active = await conversations.active(self.tx, self.person.id)
        if active is None or active.flow == keep_flow:
            return
        if self.service.engine.flow(active.flow).draft:
            await conversations.pause_active(self.tx, self.person.id)
        else:
            await conversations.delete(self.tx, self.person.id, active.flow)

    async def open_flow_with(
        self, flow_id: str, carried: dict[str, Any], came_from: ConversationState | None
    ) -> None:
        """Opens a flow with words already given (typed at the menu): its question for them
        is skipped. A draft of that flow in pause gets them too, after its own words."""
        existing = await conversations.get(self.tx, self.person.id, flow_id)
        if existing is None:
            await self.open_flow(flow_id, {**carried, PREFILLED: sorted(carried)})
            return
        merged = dict(existing.answers)
        for key, value in carried.items():
            old = merged.get(key)
            if old is None:
                merged[key] = value
                merged.setdefault(PREFILLED, []).append(key)
            elif "text" in old and "text" in value:
                merged[key] = {**old, "text": old["text"] + "\n" + value["text"]}
            else:
                # A voice note cannot be joined to other words: the words wait in their own
                # draft, and the person finishes the older one first.
                if came_from is not None:
                    came_from.status = "paused"
                    await conversations.save(self.tx, self.person.id, came_from)
                self.say(
                    self.t(N_("Vous avez déjà commencé un message de ce type."))
                    + "\n"
                    + self.t(N_("Je garde vos nouveaux mots dans le menu, pour après."))
                )
                await self.open_flow(flow_id)
                return
        existing.answers = merged
        await conversations.save(self.tx, self.person.id, existing)
        self.say(self.t(N_("J'ajoute ces mots au brouillon que vous aviez commencé.")))
        await self.open_flow(flow_id)

    async def open_flow(self, flow_id: str, answers: dict[str, Any] | None = None) -> None:
        """Starts a flow, or resumes it where the person left it if a draft is waiting.

        `answers` start a fresh run with what is already known (the case a button is about).
        """
        engine = self.service.engine
        required = engine.flow(flow_id).requires
        if required and required not in await self.roles():
            await roles.audit(self.tx, self.person.id, "refused_flow", flow=flow_id)
            self.say(
                self.t(
                    N_("Cette action est réservée aux coordinateurs de Porte-voix.")
                    if required == "coordinator"
                    else N_("Cette action est réservée aux pairs-aidants de Porte-voix.")
                )
            )
            flow_id = MENU_FLOW
        active = await conversations.active(self.tx, self.person.id)
        if active is not None and active.flow == flow_id and answers is None:
            await self.apply(await engine.show(active, await self.context()))
            return
        await self.supersede_active()
        existing = await conversations.get(self.tx, self.person.id, flow_id)
        ctx = await self.context()
        if existing is not None and answers is not None:
            await conversations.delete(self.tx, self.person.id, flow_id)
        elif existing is not None:
            intro = self.t(N_("Vous aviez commencé. Nous reprenons là où vous étiez."))
            await self.apply(await engine.show(existing, ctx, intro))
            return
        if flow_id == MENU_FLOW:
            drafts = await conversations.paused(self.tx, self.person.id)
            if drafts:
                titles = ", ".join(self.t(engine.flow(d.flow).title) for d in drafts)
                self.say(
                    self.t(N_("Vous avez un brouillon en pause : {titles}.")).format(titles=titles)
                    + "\n"
                    + self.t(N_("Choisissez-le dans le menu pour le reprendre."))
                )
        await self.apply(await engine.start(flow_id, ctx, answers))

    async def resume_latest(self, *, or_menu: bool) -> None:
        drafts = await conversations.paused(self.tx, self.person.id)
        if drafts:
            await self.open_flow(drafts[0].flow)
        elif or_menu:
            await self.open_flow(MENU_FLOW)

    async def show_current(self, intro: str | None = None) -> None:
        active = await conversations.active(self.tx, self.person.id)
        if active is None:
            if intro:
                self.say(intro)
            await self.open_flow(MENU_FLOW)
            return
        await self.apply(await self.service.engine.show(active, await self.context(), intro))

    # ---- dispatch ------------------------------------------------------------------------

    async def dispatch(self) -> None:
        event = self.event
        if event.kind == "document":
            if not await self.read_document():
                return
            event = self.event
        if await self.safety_net(self.free_words(event)):
            return
        if event.kind == "command":
            await self.on_command(event.command or "", event.args)
        elif event.kind == "button":
            await self.on_button(event.data or "")
        elif event.kind in ("text", "voice", "document"):
            await self.on_answer(
                Answer(
                    kind=event.kind,
                    text=event.text,
                    voice_file_id=event.voice_file_id,
                    voice_duration=event.voice_duration,
                    message_id=event.message_id,
                )
            )
        else:
            await self.show_current(
                self.t(N_("Je lis seulement les textes et les messages vocaux."))
                + "\n"
                + self.t(N_("Écrivez un texte ou envoyez un message vocal."))
            )
        if event.kind == "voice" and not self.numbers_shown:
            self.add_voice_line()

    @staticmethod
    def free_words(event: Incoming) -> str:
        """Everything a person wrote or said in this event, for the safety net only."""
        parts = [event.text if event.kind in ("text", "document") else None, event.caption]
        parts.append(event.transcript if event.kind == "voice" else None)
        return "\n".join(p for p in parts if p)

    def add_voice_line(self) -> None:
        """A voice note's words are not read (no speech-to-text here): every answer to one
        carries the 3114, in the first message of the answer."""
        line = crisis.voice_line(self.service.territory, self.t)
        for index, action in enumerate(self.response.actions):
            if isinstance(action, Send):
                reply = action.reply
                if reply.document is None and reply.voice is None:
                    self.response.actions[index] = Send(
                        replace(reply, text=line + "\n\n" + reply.text)
                    )
                    return
        self.say(line)

    async def read_document(self) -> bool:
        """A text file where a step takes one (minutes): its text becomes the answer.

        Anywhere else, or unreadable, it is treated like any other file: a clear message,
        and nothing is lost of the conversation.
        """
        event = self.event
        active = await conversations.active(self.tx, self.person.id)
        step = (
            self.service.engine.flow(active.flow).step(active.step) if active is not None else None
        )
        if step is None or not step.documents or event.document_data is None:
            self.event = replace(event, kind="other")
            return True
        try:
            text = read_minutes(event.document_name, event.document_data)
        except UnreadableMinutes:
            await self.show_current(
                self.t(N_("Je lis seulement les fichiers de texte .txt et .md."))
                + "\n"
                + self.t(N_("Vous pouvez aussi écrire le texte ici."))
            )
            return False
        self.event = replace(event, text=text, document_data=None)
        return True

    async def on_command(self, command: str, args: tuple[str, ...]) -> None:
        engine = self.service.engine
        if command == "start" and args and args[0].startswith(roles.INVITE_PREFIX):
            await self.redeem_invite(args[0][len(roles.INVITE_PREFIX) :])
        elif command == "start" and args and args[0].startswith(relay.CONSENT_PREFIX):
            await self.show_consent_request(args[0][len(relay.CONSENT_PREFIX) :])
        elif command == "start":
            await self.supersede_active()
            await self.open_flow(START_FLOW)
        elif command in ("menu", "annuler"):
            await self.open_flow(MENU_FLOW)
        elif command == "reprendre":
            drafts = await conversations.paused(self.tx, self.person.id)
            if drafts:
                await self.open_flow(drafts[0].flow)
            else:
                active = await conversations.active(self.tx, self.person.id)
                if active is not None and engine.flow(active.flow).draft:
                    await self.show_current()
                else:
                    self.say(self.t(N_("Vous avez 0 brouillon en pause.")))
                    await self.open_flow(MENU_FLOW)
        elif command == "stop":
            await self.stop()
        elif command == "aide":
            self.say(self.t(HELP_TEXT))
            await self.show_current()
        elif command == "suivi":
            await self.show_followup(args[0] if args else None)
        elif command == "glossaire":
            self.explain(" ".join(args) if args else None)
        elif command == "cas":
            await coordination.show_cases(self, args[0] if args else None)
        elif command == "stats":
            await self.show_stats()
        elif command == "equipe":
            replies = await coordination.show_team(self)
            if not replies:
                await coordination.refuse(
                    self, coordination.ONLY_COORDINATORS, "refused_command", command="equipe"
                )
            self.response.actions.extend(Send(r) for r in replies)
        elif flow := next((f for f in engine.flows.values() if f.command == command), None):
            await self.open_flow(flow.id)
        else:
            await self.show_current(
                self.t(N_("Cette commande est inconnue. Tapez /aide pour voir l'aide."))
            )

    async def on_button(self, data: str) -> None:
        message_id = self.event.message_id
        if data == "done":
            return
        if data.startswith("k:"):
            await self.on_crisis_button(data)
            return
        if data.startswith("c:"):
            await self.on_consent_button(data)
            return
        if data.startswith(("e:", "E:")):
            await self.on_erase_button(data)
            return
        if data.startswith("g:"):
            self.explain(data[2:])
            return
        if data.startswith("r:"):
            await self.show_followup(data[2:])
            return
        if data.startswith("x:"):
            await coordination.on_case_button(self, data)
            return
        if data.startswith("q:"):
            await coordination.on_team_button(self, data)
            return
        if data.startswith("w:"):
            await minutes_actions.on_validate_button(self, data)
            return
        if data.startswith("v:"):
            await meeting_actions.on_rsvp_button(self, data)
            return
        if data.startswith(("y:", "f:")):
            await self.on_author_case_button(data)
            return
        if data.startswith("go:"):
            flow_id = data[3:]
            if flow_id in self.service.engine.flows:
                if message_id is not None:
                    self.response.actions.append(MarkChosen(message_id, data))
                await self.open_flow(flow_id)
                return
            return await self.outdated()
        parts = data.split(":", 2)
        active = await conversations.active(self.tx, self.person.id)
        if (
            len(parts) != 3
            or parts[0] not in ("s", "n")
            or active is None
            or parts[1] != str(active.revision)
        ):
            return await self.outdated()
        kind, _, value = parts
        if message_id is not None:
            self.response.actions.append(MarkChosen(message_id, data))
        ctx = await self.context()
        if kind == "s":
            await self.apply(
                await self.service.engine.answer(active, Answer("choice", value=value), ctx)
            )
        elif value == "back":
            await self.apply(await self.service.engine.back(active, ctx))
        elif value == "pause":
            await self.pause(active)
        elif value == "stop":
            await self.stop()
        elif value == "erase":
            turn, erased = await self.service.engine.erase_last(active, ctx)
            if erased is not None:
                self.response.actions.append(DeleteMessage(erased))
            await self.apply(turn)
        else:
            await self.outdated()

    async def safety_net(self, text: str) -> bool:
        """Every free text and voice transcript passes here first. True when the turn ends here.

        A clear danger answers with the numbers first and the message is not kept: it never
        reaches a body. A possible sign adds the 3114 and a gentle line to the normal reply,
        and the flow goes on. Only the fact, the level and the signs are recorded.
        """
        if not text:
            return False
        detection = detect(text)
        self.detection = detection
        if not detection.fired:
            return False
        active = await conversations.active(self.tx, self.person.id)
        level = detection.level
        flow = self.service.engine.flow(active.flow) if active else None
        if level == Level.FULL and flow and set(detection.categories) <= flow.safety_expected:
            level = Level.GENTLE  # what this flow exists to receive (restraint in a complaint)
        now = self.service.clock()
        recent = await safety_events.fired_within(
            self.tx, self.person.id, now, RECENT_CRISIS, level="full"
        )
        await safety_events.record(
            self.tx,
            self.person.id,
            detection.categories,
            now,
            level=level.name.lower(),
            signs=detection.signs,
        )
        log.info("safety net: %s (%s)", level.name.lower(), ",".join(detection.signs))
        self.numbers_shown = True
        territory = self.service.territory
        if level == Level.GENTLE:
            if active is not None:
                active.answers["_crisis"] = list(detection.categories)
                active.answers["_safety"] = "gentle"
                await conversations.save(self.tx, self.person.id, active)
            self.response.actions.append(
                Send(crisis.gentle_reply(territory, self.t, detection.categories))
            )
            return False
        step = flow.step(active.step) if flow and active else None
        if active is not None and step is not None and step.waits:
            # The flow waits: the person goes on (the same question) or stops. Their words
            # are not kept anywhere.
            ctx = await self.context()
            active.answers["_crisis"] = list(detection.categories)
            active.answers["_interrupted"] = True
            active.revision = ctx.revision
            await conversations.save(self.tx, self.person.id, active)
            reply = crisis.full_reply(
                territory,
                self.t,
                detection.categories,
                ctx.revision,
                recently_shown=recent,
                imminent=detection.imminent,
            )
            self.response.actions.append(Send(Reply(reply.text, reply.buttons, prompt=True)))
            self.sent_prompt = True
            return True
        reply = crisis.full_reply(
            territory,
            self.t,
            detection.categories,
            None,
            recently_shown=recent,
            imminent=detection.imminent,
        )
        self.response.actions.append(Send(reply))
        await self.show_current()
        return True

    async def on_crisis_button(self, data: str) -> None:
        _, revision, action = [*data.split(":", 2), "", ""][:3]
        active = await conversations.active(self.tx, self.person.id)
        categories = tuple(active.answers.get("_crisis", ())) if active else ()
        if action == "more":
            reply = crisis.other_resources_reply(self.service.territory, self.t, categories)
            self.response.actions.append(Send(reply))
            return
        if action == "all":
            self.response.actions.append(
                Send(crisis.all_resources_reply(self.service.territory, self.t))
            )
            return
        if (
            active is None
            or revision != str(active.revision)
            or "_interrupted" not in active.answers
        ):
            await self.outdated()
            return
        if self.event.message_id is not None:
            self.response.actions.append(MarkChosen(self.event.message_id, data))
        if action == "stop":
            await self.stop()
            return
        active.answers.pop("_interrupted")
        await self.show_current(
            self.t(N_("Votre message n'est pas envoyé."))
            + "\n"
            + self.t(N_("Vous pouvez écrire autre chose pour le groupe."))
        )

    async def on_author_case_button(self, data: str) -> None:
        """`y:<case>` reply to the body; `f:<case>:yes|partly|no` « est-ce que c'est réglé ? »."""
        parts = data.split(":")
        case = (
            await cases.get(self.tx, int(parts[1]))
            if len(parts) in (2, 3) and parts[1].isdigit()
            else None
        )
        if case is None or await self.casework.author_of(case) != self.person.id:
            await coordination.refuse(
                self, N_("Ce numéro est absent de votre liste."), "refused_author_action"
            )
            return
        answers = {"case": case.id, "reference": case.reference}
        if parts[0] == "y":
            await self.open_flow("reponse", answers)
            return
        answer = parts[2] if len(parts) == 3 else ""
        if case.followup_answer != "asked" or answer not in ("yes", "partly", "no"):
            await self.outdated()
            return
        if self.event.message_id is not None:
            self.response.actions.append(MarkChosen(self.event.message_id, data))
        if answer == "no":
            await self.open_flow("rouvrir", answers)
            return
        await self.casework.followup_answer(case, self.person.id, answer)
        self.say(self.t(N_("Merci. Je le dis au groupe.")))

    async def outdated(self) -> None:
        self.response.notice = self.t(N_("Ce bouton est ancien."))
        if self.event.message_id is not None:
            self.response.actions.append(ClearKeyboard(self.event.message_id))
        await self.show_current(self.t(N_("Ce bouton est ancien. Voici où vous en êtes.")))

    async def on_answer(self, answer: Answer) -> None:
        active = await conversations.active(self.tx, self.person.id)
        reference = followup.find_reference(answer.text or "")
        if reference and (active is None or active.flow == MENU_FLOW):
            await self.show_followup(reference)
            return
        if active is None or active.flow == MENU_FLOW:
            if active is not None and answer.kind == "text":
                menu = self.service.engine
                ctx = await self.context()
                if menu.typed_choice(active, answer.text or "", ctx) is not None:
                    await self.apply(await menu.answer(active, answer, ctx))
                    return
            if answer.kind == "text" and _is_small_talk(answer.text or ""):
                await self.show_current(self.t(N_("Choisissez une réponse avec les boutons.")))
                return
            await self.offer_to_send(answer)
            return
        await self.apply(await self.service.engine.answer(active, answer, await self.context()))

    async def offer_to_send(self, answer: Answer) -> None:
        """Words written or spoken outside a flow are heard: the bot offers to send them as
        an avis, a réclamation or an idée, keeping them. Words of harm by staff put the
        réclamation first."""
        value: dict[str, Any] = (
            {"voice": answer.voice_file_id, "duration": int(answer.voice_duration or 0)}
            if answer.kind == "voice"
            else {"text": (answer.text or "").strip()}
        )
        if answer.message_id is not None:
            value["message_id"] = answer.message_id
        limit = self.service.engine.flow("avis").step("message").max_length
        if "text" in value and len(value["text"]) > limit:
            self.say(
                self.t(
                    N_(
                        "Votre message est trop long. Il a {length} caractères. "
                        "Le maximum est {maximum}. Vous pouvez le raccourcir."
                    )
                ).format(length=len(value["text"]), maximum=limit)
            )
            await self.open_flow(MENU_FLOW)
            return
        await self.supersede_active()
        complaint = self.detection is not None and self.detection.complaint
        ctx = await self.context()
        waiting = await conversations.get(self.tx, self.person.id, FREE_TEXT_FLOW)
        earlier = waiting.answers.get("message") if waiting is not None else None
        if earlier and "text" in earlier and "text" in value:
            joined = earlier["text"] + "\n" + value["text"]
            if len(joined) <= limit:  # words written in several messages stay together
                value = {**value, "text": joined}
        await conversations.delete(self.tx, self.person.id, FREE_TEXT_FLOW)
        await self.apply(
            await self.service.engine.start(
                FREE_TEXT_FLOW,
                ctx,
                {"message": value},
                step=FREE_TEXT_COMPLAINT if complaint else None,
            )
        )

    async def redeem_invite(self, code: str) -> None:
        """`/start inv_<code>`: a one-time link gives a role; a replayed or old link does not."""
        result = await roles.redeem(self.tx, code, self.person.id, self.service.clock())
        if result.outcome == "granted" and result.role == "pair_aidant":
            self._roles.add("pair_aidant")
            self.say(
                self.t(N_("Bienvenue. Vous êtes maintenant pair-aidant dans Porte-voix."))
                + "\n"
                + self.t(N_("Vous pouvez transmettre les mots d'une personne."))
                + "\n"
                + self.t(N_("Vous pouvez aussi transmettre l'avis d'un groupe."))
            )
        elif result.outcome == "granted":
            self._roles.add(result.role or "")
            body = self.service.territory.body(result.body_id) if result.body_id else None
            name = body.name.get(self.t.lang) if body else ""
            self.say(
                self.t(N_("Bienvenue. Vous coordonnez maintenant ce groupe : {body}.")).format(
                    body=html.escape(name)
                )
                + "\n"
                + self.t(N_("Tapez /cas pour voir ses messages ouverts."))
                + "\n"
                + self.t(N_("Tapez /equipe pour inviter une autre personne."))
            )
            if result.body_id:
                # Messages that waited for someone to read them go out now.
                for case in await cases.undelivered_open(self.tx, result.body_id):
                    await self.casework.send_card(case)
        elif result.outcome == "expired":
            self.say(
                self.t(N_("Ce lien est trop ancien."))
                + "\n"
                + self.t(N_("Demandez un nouveau lien à l'équipe Porte-voix."))
            )
        else:
            self.say(
                self.t(N_("Ce lien a déjà servi, ou il est inconnu."))
                + "\n"
                + self.t(N_("Demandez un nouveau lien à l'équipe Porte-voix."))
            )
        await self.supersede_active()
        await self.open_flow(MENU_FLOW)

    async def show_consent_request(self, code: str) -> None:
        """`/start ok_<code>`: the relayed person reads their words and says yes or no."""
        request = await relay.load(self.tx, code, self.service.clock())
        t = self.t
        if request is None or request.status != "open":
            self.say(
                t(N_("Ce lien est trop ancien."))
                if request is not None and request.status == "expired"
                else t(N_("Ce lien a déjà servi, ou il est inconnu."))
            )
            await self.open_flow(MENU_FLOW)
            return
        submission = request.submission
        words = (
            "« " + html.escape(submission["body_text"]) + " »"
            if submission.get("body_text")
            else t(N_("C'est un message vocal de {n} secondes.")).format(
                n=submission.get("voice_duration") or 0
            )
        )
        text = "\n".join(
            [
                t(N_("Un pair-aidant a écrit vos mots pour Porte-voix.")),
                t(N_("Voici ses mots :")),
                words,
                t(N_("Est-ce bien ce que vous voulez dire ?")),
            ]
        )
        buttons = (
            (Button(t(N_("✅ Oui, ce sont mes mots")), f"c:{code}:yes"),),
            (Button(t(N_("❌ Non, je refuse")), f"c:{code}:no"),),
        )
        self.response.actions.append(Send(Reply(text, buttons)))

    async def on_consent_button(self, data: str) -> None:
        _, code, choice = [*data.split(":", 2), "", ""][:3]
        now = self.service.clock()
        request = await relay.load(self.tx, code, now)
        if request is None or request.status != "open" or choice not in ("yes", "no"):
            self.response.notice = self.t(N_("Ce bouton est ancien."))
            return
        if self.event.message_id is not None:
            self.response.actions.append(MarkChosen(self.event.message_id, data))
        agreed = choice == "yes"
        await relay.answer(self.tx, request, self.person.id, agreed, now)
        if agreed:
            await self.casework.dispatch(request.submission["id"])
        reference = request.submission["reference"]
        if agreed:
            self.say(
                self.t(N_("Merci. Vos mots sont envoyés."))
                + "\n"
                + self.t(N_("Le numéro est <b>{reference}</b>.")).format(reference=reference)
                + "\n"
                + self.t(N_("Tapez /suivi pour voir ce qu'ils deviennent."))
            )
        else:
            self.say(self.t(N_("D'accord. Vos mots sont effacés. Rien n'est envoyé.")))
        helper = request.helper_id
        if helper is not None:
            helper_t = self.service.catalogs.get(
                await people.language_of(self.tx, request.helper_id)
            )
            text = (
                helper_t(N_("La personne a dit oui. Le message {reference} est envoyé."))
                if agreed
                else helper_t(N_("La personne a dit non. Le message {reference} est effacé."))
            )
            self.response.actions.append(SendTo(helper, Reply(text.format(reference=reference))))

    async def on_erase_button(self, data: str) -> None:
        """From /suivi: erase one's own words (author, or the person whose words were relayed)."""
        confirm, reference = data[0] == "E", data[2:]
        row = await submissions.by_reference(self.tx, reference)
        mine = row is not None and self.person.id in (row["author_id"], row["relayed_person_id"])
        if not mine or row["status"] in ("erased", "withdrawn"):
            self.say(self.t(N_("Ce numéro est absent de votre liste.")))
            return
        if not confirm:
            self.response.actions.append(
                Send(
                    Reply(
                        self.t(N_("Voulez-vous effacer le message {reference} ?")).format(
                            reference=reference
                        )
                        + "\n"
                        + self.t(N_("Le groupe ne pourra plus le lire.")),
                        ((Button(self.t(N_("🗑 Oui, effacer")), f"E:{reference}"),),),
                    )
                )
            )
            return
        if self.event.message_id is not None:
            self.response.actions.append(MarkChosen(self.event.message_id, data))
        await relay.erase(self.tx, row["id"], self.person.id)
        await self.casework.erase(row["id"])
        self.say(self.t(N_("C'est fait. Vos mots sont effacés.")))

    async def show_followup(self, reference: str | None) -> None:
        """/suivi: the list, or one submission when a reference is given (only the author's)."""
        territory = self.service.territory
        if reference:
            row = await submissions.by_reference(self.tx, reference)
            if row is None or self.person.id not in (row["author_id"], row["relayed_person_id"]):
                self.say(self.t(N_("Ce numéro est absent de votre liste.")))
            else:
                answer = await submissions.last_words_of_body(self.tx, row["id"])
                self.response.actions.append(
                    Send(followup.detail(row, self.t, territory, last_answer=answer))
                )
                return
        rows = await submissions.for_author(self.tx, self.person.id)
        self.response.actions.append(Send(followup.listing(rows, self.t, territory)))

    async def show_stats(self) -> None:
        """/stats: participation figures of the coordinator's bodies (all of them for the
        triage team, which sees the whole territory); small counts are « moins de 3 »."""
        bodies = await roles.bodies_of(self.tx, self.person.id)
        if not bodies:
            await coordination.refuse(
                self, coordination.ONLY_COORDINATORS, "refused_command", command="stats"
            )
            return
        territory = self.service.territory
        scope = None if territory.fallback_body in bodies else bodies
        text = await stats_text(self.tx, territory, self.t, self.service.clock(), scope)
        self.response.actions.append(Send(Reply(text)))

    def explain(self, term: str | None) -> None:
        """The glossary: what a word of the institutions means, in plain French."""
        self.response.actions.append(Send(lexicon.explanation(self.service.glossary, term, self.t)))

    async def pause(self, active: ConversationState) -> None:
        await conversations.pause_active(self.tx, self.person.id)
        if self.service.engine.flow(active.flow).draft:
            self.say(
                self.t(N_("Votre brouillon est gardé."))
                + "\n"
                + self.t(N_("Pour le reprendre, tapez /reprendre ou choisissez-le dans le menu."))
            )
        await self.open_flow(MENU_FLOW)

    async def stop(self) -> None:
        active = await conversations.active(self.tx, self.person.id)
        if active is not None and active.flow != MENU_FLOW:
            await conversations.delete(self.tx, self.person.id, active.flow)
            if self.service.engine.flow(active.flow).draft:
                self.say(self.t(N_("D'accord. J'ai effacé ce brouillon.")))
        await self.open_flow(MENU_FLOW)

    async def finish(self) -> Response:
        """Writes the turn's messages to the outbox, in order, in the turn's transaction.

        The keyboard of the previous waiting message is removed when a new one goes out.
        """
        previous = self.person.prompt_message_id
        if self.sent_prompt and previous is not None and not self.in_group:
            already = {
                a.message_id
                for a in self.response.actions
                if isinstance(a, MarkChosen | ClearKeyboard)
            }
            if previous not in already:
                self.response.actions.insert(0, ClearKeyboard(previous))
        now = self.service.clock()
        order: list[int] = []
        for action in self.response.actions:
            recipient = action.person_id if isinstance(action, SendTo) else self.chat_recipient
            label = self.event.tapped_label if isinstance(action, MarkChosen) else None
            await outbox.enqueue(self.tx, recipient, _payload(action, label), now)
            if recipient not in order:
                order.append(recipient)
        for recipient in self.casework.written:
            if recipient not in order:
                order.append(recipient)
        self.response.recipients = order
        return self.response
