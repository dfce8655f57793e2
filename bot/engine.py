"""The one engine that runs every flow of `flows/` as a conversation.

It knows nothing of Telegram or SQLite: it takes a state and an answer, and returns the new state
and what to say. Actions with side effects (creating a submission, changing the language) are
run through a callback given by the caller, inside the caller's transaction.
"""

from __future__ import annotations

import html
import re
import unicodedata
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from bot import datepicker, timepicker
from bot.flows import Choice, Flow, Step
from bot.i18n import N_, Translator
from bot.storage.conversations import ConversationState

MAX_STEPS_PER_TURN = 50
MAX_DOCUMENT_LENGTH = 60_000  # characters of a text file a step with `documents: true` takes
WEB_LINK = re.compile(r"^https://[^\s<>\"]+$")
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")

NAV_BACK = N_("↩ Retour")
NAV_PAUSE = N_("⏸ Pause")
NAV_STOP = N_("✖ Arrêter")
NAV_ERASE = N_("🗑 Effacer mon message")
EXPLAINED_CHOICE = N_("<b>{label}</b> : {explain}")
GLOSSARY_BUTTON = N_("❓ C'est quoi, {term} ?")
DATE_UNKNOWN = N_("Je ne sais plus")
DATE_UNKNOWN_SUMMARY = N_("vous ne savez plus")
MAX_GLOSSARY_BUTTONS = 3
SKIP = "skip"  # a button of a text step with this value skips the question
NOT_GIVEN = "—"  # shown in a summary for a question that was skipped
PREFILLED = "_prefilled"  # answers given before their question: it is skipped, once
KEPT_FOR_LATER = N_("Je garde votre message pour la suite.")


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Document:
    """A file the bot sends (a ready-to-send letter): a name and its bytes."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class Reply:
    """One message to show. `prompt` marks the message that waits for the answer.

    With a document, `text` is its caption.
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    prompt: bool = False
    document: Document | None = None
    voice: str | None = None  # a voice note (Telegram file id) sent with `text` as caption


@dataclass(frozen=True)
class Answer:
    """What the person gave, already stripped of Telegram: a text, a voice note or a choice."""

    kind: str  # "text" | "voice" | "choice"
    text: str | None = None
    value: str | None = None
    voice_file_id: str | None = None
    voice_duration: int | None = None
    message_id: int | None = None  # the person's own message, so it can be erased later


ActionRunner = Callable[[str, Mapping[str, Any], ConversationState], Awaitable[dict[str, Any]]]


@dataclass
class TurnContext:
    """What a turn needs from outside: the language, a fresh revision, actions, territory data."""

    t: Translator
    revision: int
    run_action: ActionRunner
    variables: dict[str, str] = field(default_factory=dict)
    dynamic_choices: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    today: date = field(default_factory=date.today)
    flags: frozenset[str] = frozenset()  # territory facts choices can depend on (`when:`)
    # Institutions a text names, as (written, acronym), that a « c'est quoi ? » button explains.
    glossary: Callable[[str], list[tuple[str, str]]] | None = None


@dataclass
class Turn:
    """The result of one turn: the new state (None when the flow ended) and the replies."""

    state: ConversationState | None
    replies: list[Reply]
    then: str | None = None
    accepted: bool = True
    carry: dict[str, Any] | None = None  # answers the next flow starts with (`carry:`)


def choice_data(revision: int, value: str) -> str:
    return f"s:{revision}:{value}"


def nav_data(revision: int, action: str) -> str:
    return f"n:{revision}:{action}"


def open_flow_data(flow_id: str) -> str:
    return f"go:{flow_id}"


def glossary_data(term: str) -> str:
    return f"g:{term}"


def clean_text(text: str) -> str:
    """Removes zero-width and direction marks that hide or reorder what a reader sees."""
    return INVISIBLE.sub("", unicodedata.normalize("NFC", text)).strip()


class Engine:
    """Runs flows. One instance serves every conversation; it holds no per-person state."""

    def __init__(self, flows: Mapping[str, Flow]) -> None:
        self.flows = dict(flows)

    def flow(self, flow_id: str) -> Flow:
        return self.flows[flow_id]

    async def start(
        self,
        flow_id: str,
        ctx: TurnContext,
        answers: Mapping[str, Any] | None = None,
        step: str | None = None,
    ) -> Turn:
        """A new run of a flow; `answers` preset what the caller already knows (a case id).

        `step` starts at one of the flow's `entries` instead of its start."""
        flow = self.flows[flow_id]
        first = step if step in flow.entries else flow.start
        state = ConversationState(flow=flow_id, step=first, run_id=uuid.uuid4().hex)
        state.answers.update(answers or {})
        return await self._advance(state, first, ctx, [])

    async def show(
        self, state: ConversationState, ctx: TurnContext, intro: str | None = None
    ) -> Turn:
        """Shows the current step again (resume, duplicate update, outdated button)."""
        replies = [Reply(intro)] if intro else []
        step = self.flows[state.flow].step(state.step)
        state.revision = ctx.revision
        replies.append(self._render(state, step, ctx))
        return Turn(state, replies)

    async def back(self, state: ConversationState, ctx: TurnContext) -> Turn:
        if not state.history:
            return await self.show(state, ctx, ctx.t(N_("Vous êtes à la première question.")))
        previous = state.history.pop()
        state.step = previous
        return await self.show(state, ctx)

    async def answer(self, state: ConversationState, answer: Answer, ctx: TurnContext) -> Turn:
        flow = self.flows[state.flow]
        step = flow.step(state.step)
        if step.ask == "choice":
            return await self._answer_choice(state, flow, step, answer, ctx)
        if step.ask == "text":
            return await self._answer_text(state, step, answer, ctx)
        if step.ask == "date":
            return await self._answer_date(state, step, answer, ctx)
        if step.ask == "time":
            return await self._answer_time(state, step, answer, ctx)
        return await self.show(state, ctx)

    def typed_choice(self, state: ConversationState, text: str, ctx: TurnContext) -> Choice | None:
        """The choice of the current step a typed text names (its number or label), if any."""
        step = self.flows[state.flow].step(state.step)
        if step.ask != "choice":
            return None
        return _match_typed_choice(text, self.choices(step, ctx, state))

    async def erase_last(
        self, state: ConversationState, ctx: TurnContext
    ) -> tuple[Turn, int | None]:
        """Forgets the last written answer and asks that question again.

        Returns the id of the person's message, so the caller can delete it from the chat too.
        """
        step = self._erasable(state)
        if step is None:
            return await self.show(state, ctx), None
        answer = state.answers.pop(step.save or "", None)
        while state.history and state.history[-1] != step.id:
            state.history.pop()
        if state.history:
            state.history.pop()
        state.step = step.id
        intro = ctx.t(N_("J'ai effacé votre message."))
        message_id = answer.get("message_id") if isinstance(answer, dict) else None
        return await self.show(state, ctx, intro), message_id

    def _erasable(self, state: ConversationState) -> Step | None:
        """The last step answered with text or voice, if the person can still erase it."""
        flow = self.flows[state.flow]
        for step_id in reversed(state.history):
            step = flow.step(step_id)
            if step.ask == "text" and isinstance(state.answers.get(step.save or ""), dict):
                return step
            if step.ask != "none":
                return None
        return None

    async def _answer_date(
        self, state: ConversationState, step: Step, answer: Answer, ctx: TurnContext
    ) -> Turn:
        value = answer.value if answer.kind == "choice" else None
        picked: date | None = None
        if value and (month := datepicker.parse_month(value)):
            state.answers[f"_{step.id}_month"] = list(month)
            return await self.show(state, ctx)
        typed_unknown = answer.kind == "text" and _fold(answer.text or "") == _fold(
            ctx.t(DATE_UNKNOWN)
        )
        if not step.future_dates and (value == datepicker.UNKNOWN or typed_unknown):
            chosen: str | None = datepicker.UNKNOWN
        else:
            if value:
                picked = datepicker.parse_day(value, ctx.today, step.future_dates)
            elif answer.kind == "text" and answer.text:
                picked = datepicker.parse_typed(answer.text, ctx.today, step.future_dates)
            chosen = picked.isoformat() if picked else None
        if chosen is None:
            turn = await self.show(state, ctx, ctx.t(N_("Choisissez un jour avec les boutons.")))
            turn.accepted = False
            return turn
        if step.save:
            state.answers[step.save] = chosen
        state.answers.pop(f"_{step.id}_month", None)
        state.history.append(step.id)
        assert step.next is not None
        return await self._advance(state, step.next, ctx, [])

    async def _answer_time(
        self, state: ConversationState, step: Step, answer: Answer, ctx: TurnContext
    ) -> Turn:
        picked = None
        if answer.kind == "choice" and answer.value:
            picked = timepicker.parse_value(answer.value)
        elif answer.kind == "text" and answer.text:
            picked = timepicker.parse_typed(clean_text(answer.text))
        if picked is None:
            hint = ctx.t(
                N_("Choisissez une heure avec les boutons. Vous pouvez aussi écrire 14 h 15.")
            )
            turn = await self.show(state, ctx, hint)
            turn.accepted = False
            return turn
        if step.save:
            state.answers[step.save] = timepicker.stored(picked)
        state.history.append(step.id)
        assert step.next is not None
        return await self._advance(state, step.next, ctx, [])

    async def _answer_choice(
        self, state: ConversationState, flow: Flow, step: Step, answer: Answer, ctx: TurnContext
    ) -> Turn:
        choices = self.choices(step, ctx, state)
        chosen: Choice | None = None
        if answer.kind == "choice":
            chosen = next((c for c in choices if c.value == answer.value), None)
        elif answer.kind == "text" and answer.text:
            chosen = _match_typed_choice(answer.text, choices)
        if chosen is None:
            hint = ctx.t(N_("Choisissez une réponse avec les boutons."))
            if self._keep_for_later(flow, state, answer):
                hint = ctx.t(KEPT_FOR_LATER) + "\n" + hint
            turn = await self.show(state, ctx, hint)
            turn.accepted = False
            return turn
        if step.save:
            state.answers[step.save] = chosen.value
        if chosen.flow:
            carried = {k: state.answers[k] for k in flow.carry if k in state.answers}
            return Turn(None, [], then=chosen.flow, carry=carried or None)
        target = chosen.next or step.next
        assert target is not None
        state.history.append(step.id)
        return await self._advance(state, target, ctx, [])

    def _keep_for_later(self, flow: Flow, state: ConversationState, answer: Answer) -> bool:
        """Words typed or spoken where a button was expected are not lost: they become the
        answer of the flow's main question (its first text step that takes a voice note),
        if it has not been answered yet, and that question is skipped when it comes."""
        value = self._free_answer(answer)
        target = next(
            (s for s in flow.steps.values() if s.ask == "text" and s.voice and s.save), None
        )
        if value is None or target is None or target.save in state.answers:
            return False
        if "text" in value and len(value["text"]) > target.max_length:
            return False
        state.answers[target.save or ""] = value
        state.answers.setdefault(PREFILLED, []).append(target.save)
        return True

    @staticmethod
    def _free_answer(answer: Answer) -> dict[str, Any] | None:
        if answer.kind == "voice" and answer.voice_file_id:
            value: dict[str, Any] = {
                "voice": answer.voice_file_id,
                "duration": int(answer.voice_duration or 0),
            }
        elif answer.kind == "text" and answer.text and clean_text(answer.text):
            value = {"text": clean_text(answer.text)}
        else:
            return None
        if answer.message_id is not None:
            value["message_id"] = answer.message_id
        return value

    async def _answer_text(
        self, state: ConversationState, step: Step, answer: Answer, ctx: TurnContext
    ) -> Turn:
        t = ctx.t
        if answer.kind == "choice" and step.choices:
            # A text step may offer buttons too (« Passer cette question »): no answer is saved.
            chosen = next((c for c in step.choices if c.value == answer.value), None)
            if chosen is not None:
                if step.save and chosen.value == SKIP:
                    state.answers.pop(step.save, None)
                elif step.save:
                    state.answers[step.save] = {"text": chosen.label}
                state.history.append(step.id)
                return await self._advance(state, chosen.next or step.next or step.id, ctx, [])
        if answer.kind == "voice" and step.voice:
            value: dict[str, Any] = {
                "voice": answer.voice_file_id,
                "duration": int(answer.voice_duration or 0),
            }
        elif (
            answer.kind in ("text", "document")
            and answer.text is not None
            and (answer.kind == "text" or step.documents)
        ):
            text = clean_text(answer.text)
            limit = MAX_DOCUMENT_LENGTH if answer.kind == "document" else step.max_length
            problem = None
            if not text:
                problem = t(N_("Votre message est vide. Écrivez quelques mots."))
            elif step.format == "url" and not WEB_LINK.match(text):
                problem = t(N_("Ce lien doit commencer par https://. Écrivez le lien complet."))
            elif len(text) > limit:
                problem = t(
                    N_(
                        "Votre message est trop long. Il a {length} caractères. "
                        "Le maximum est {maximum}. Vous pouvez le raccourcir."
                    )
                ).format(length=len(text), maximum=limit)
            if problem:
                turn = await self.show(state, ctx, problem)
                turn.accepted = False
                return turn
            value = {"text": text}
        else:
            hint = (
                t(N_("Ici, écrivez votre réponse ou envoyez un message vocal."))
                if step.voice
                else t(N_("Ici, écrivez votre réponse."))
            )
            turn = await self.show(state, ctx, hint)
            turn.accepted = False
            return turn
        if answer.message_id is not None:
            value["message_id"] = answer.message_id
        if step.save:
            state.answers[step.save] = value
        state.history.append(step.id)
        assert step.next is not None
        return await self._advance(state, step.next, ctx, [])

    async def _advance(
        self, state: ConversationState, step_id: str, ctx: TurnContext, replies: list[Reply]
    ) -> Turn:
        flow = self.flows[state.flow]
        for _ in range(MAX_STEPS_PER_TURN):
            step = flow.step(step_id)
            state.step = step.id
            prefilled = state.answers.get(PREFILLED) or []
            if step.waits and step.save in prefilled and step.next:
                # Answered before it was asked (words typed at the menu): skipped, once.
                prefilled.remove(step.save)
                if not prefilled:
                    state.answers.pop(PREFILLED, None)
                state.history.append(step.id)
                step_id = step.next
                continue
            if step.do:
                results = dict(await ctx.run_action(step.do, step.params, state))
                replies.extend(results.pop("_replies", []))
                state.answers.setdefault("_results", {}).update(results)
            if step.waits:
                state.revision = ctx.revision
                replies.append(self._render(state, step, ctx))
                return Turn(state, replies)
            if step.say:
                text = self._format(step.say, state, ctx)
                replies.append(Reply(text, tuple(self._glossary_rows(text, ctx))))
            if step.end:
                return Turn(None, replies, then=step.then or "menu")
            assert step.next is not None
            step_id = step.next
        raise RuntimeError(
            f"flow {flow.id}: more than {MAX_STEPS_PER_TURN} steps without a question"
        )

    def choices(
        self, step: Step, ctx: TurnContext, state: ConversationState | None = None
    ) -> list[Choice]:
        """The step's choices, with labels translated; dynamic ones come from the territory.

        `when:` flags are the territory's and the person's, plus those an action of this
        run set (`_flags` in the answers: « this meeting is part of a series »)."""
        flags = ctx.flags | set(state.answers.get("_flags", ())) if state else ctx.flags
        if step.choices_from:
            return [
                Choice(value=value, label=label, next=step.next)
                for value, label in ctx.dynamic_choices.get(step.choices_from, [])
            ]
        return [
            Choice(
                value=c.value,
                label=ctx.t(c.label),
                explain=ctx.t(c.explain) if c.explain else None,
                next=c.next,
                flow=c.flow,
            )
            for c in step.choices
            if c.when is None or c.when in flags
        ]

    def _render(self, state: ConversationState, step: Step, ctx: TurnContext) -> Reply:
        flow = self.flows[state.flow]
        text = self._format(step.say or "", state, ctx)
        rows: list[tuple[Button, ...]] = []
        if step.ask == "text":
            rows += [
                (Button(c.label, choice_data(state.revision, c.value)),)
                for c in self.choices(step, ctx, state)
            ]
        if step.ask == "choice":
            choices = self.choices(step, ctx, state)
            explained = [c for c in choices if c.explain]
            if explained:
                variables = _Variables(self.variables(state, ctx))
                line = ctx.t(EXPLAINED_CHOICE)
                text += "\n\n" + "\n".join(
                    line.format(
                        label=html.escape(c.label),
                        explain=(c.explain or "").format_map(variables),
                    )
                    for c in explained
                )
            for choice in choices:
                data = (
                    open_flow_data(choice.flow)
                    if choice.flow and not flow.carry  # a carrying choice needs the state
                    else choice_data(state.revision, choice.value)
                )
                rows.append((Button(choice.label, data),))
        elif step.ask == "date":
            text, date_rows = self._date_keyboard(state, step, ctx, text)
            rows += date_rows
        elif step.ask == "time":
            buttons = [
                Button(
                    timepicker.label(moment, ctx.t),
                    choice_data(state.revision, timepicker.value(moment)),
                )
                for moment in timepicker.COMMON
            ]
            rows += [
                tuple(buttons[i : i + timepicker.PER_ROW])
                for i in range(0, len(buttons), timepicker.PER_ROW)
            ]
        rows += self._glossary_rows(text, ctx)
        if flow.navigation:
            if self._erasable(state) is not None:
                rows.append((Button(ctx.t(NAV_ERASE), nav_data(state.revision, "erase")),))
            nav = []
            if state.history:
                nav.append(Button(ctx.t(NAV_BACK), nav_data(state.revision, "back")))
            nav.append(Button(ctx.t(NAV_PAUSE), nav_data(state.revision, "pause")))
            nav.append(Button(ctx.t(NAV_STOP), nav_data(state.revision, "stop")))
            rows.append(tuple(nav))
        return Reply(text, tuple(rows), prompt=True)

    def _glossary_rows(self, text: str, ctx: TurnContext) -> list[tuple[Button, ...]]:
        """« C'est quoi, la commission des usagers ? »: stateless buttons, valid forever."""
        if ctx.glossary is None:
            return []
        return [
            (Button(ctx.t(GLOSSARY_BUTTON).format(term=written), glossary_data(acronym)),)
            for written, acronym in ctx.glossary(text)[:MAX_GLOSSARY_BUTTONS]
        ]

    def _date_keyboard(
        self, state: ConversationState, step: Step, ctx: TurnContext, text: str
    ) -> tuple[str, list[tuple[Button, ...]]]:
        """The month shown (title added to the text), its days, arrows and « je ne sais plus »."""
        today = ctx.today
        year, month = state.answers.get(f"_{step.id}_month") or (today.year, today.month)
        lang = ctx.t.lang
        text += (
            "\n\n<b>" + html.escape(datepicker.month_title(year, month, lang).capitalize()) + "</b>"
        )
        rows: list[tuple[Button, ...]] = []
        future = step.future_dates
        days = datepicker.days(year, month, today, future)
        for start in range(0, len(days), datepicker.DAYS_PER_ROW):
            rows.append(
                tuple(
                    Button(str(d.day), choice_data(state.revision, datepicker.day_value(d)))
                    for d in days[start : start + datepicker.DAYS_PER_ROW]
                )
            )
        arrows = []
        if datepicker.can_go_back(year, month, today, future):
            py, pm = datepicker.shift(year, month, -1)
            arrows.append(
                Button(
                    "◀ " + datepicker.month_title(py, pm, lang),
                    choice_data(state.revision, datepicker.month_value(py, pm)),
                )
            )
        if datepicker.can_go_forward(year, month, today, future):
            ny, nm = datepicker.shift(year, month, 1)
            arrows.append(
                Button(
                    datepicker.month_title(ny, nm, lang) + " ▶",
                    choice_data(state.revision, datepicker.month_value(ny, nm)),
                )
            )
        rows.append(tuple(arrows))
        if not future:
            rows.append(
                (Button(ctx.t(DATE_UNKNOWN), choice_data(state.revision, datepicker.UNKNOWN)),)
            )
        return text, rows

    def _format(self, template: str, state: ConversationState, ctx: TurnContext) -> str:
        """Translates a flow text, then fills {placeholders}; what people wrote is escaped."""
        return ctx.t(template).format_map(_Variables(self.variables(state, ctx)))

    def variables(self, state: ConversationState, ctx: TurnContext) -> dict[str, str]:
        t = ctx.t
        flow = self.flows[state.flow]
        values = dict(ctx.variables)
        for key, answer in state.answers.items():
            if key == "_results":
                values.update({k: html.escape(str(v)) for k, v in answer.items()})
                continue
            if key.startswith("_"):
                continue
            step = flow.step_saving(key)
            if step is not None and step.ask == "date":
                values[key] = (
                    t(DATE_UNKNOWN_SUMMARY)
                    if answer == datepicker.UNKNOWN
                    else t.full_date(date.fromisoformat(answer))
                )
                continue
            if step is not None and step.ask == "time" and isinstance(answer, str):
                hour, minute = (int(part) for part in answer.split(":"))
                values[key] = timepicker.label(time(hour, minute), t)
                continue
            if isinstance(answer, dict) and "voice" in answer:
                seconds = int(answer.get("duration") or 0)
                template = (
                    N_("un message vocal de {n} seconde")
                    if seconds < 2
                    else N_("un message vocal de {n} secondes")
                )
                values[key] = t(template).format(n=seconds)
            elif isinstance(answer, dict):
                values[key] = html.escape(str(answer.get("text", "")))
            elif step is not None and step.ask == "choice":
                label = next(
                    (c.label for c in self.choices(step, ctx, state) if c.value == answer), answer
                )
                values[key] = html.escape(str(label))
            else:
                values[key] = html.escape(str(answer))
        return values


class _Variables(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return NOT_GIVEN


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def _match_typed_choice(text: str, choices: list[Choice]) -> Choice | None:
    """Lets people type a choice instead of tapping it: its number or its label."""
    typed = clean_text(text)
    if typed.isdigit() and 1 <= int(typed) <= len(choices):
        return choices[int(typed) - 1]
    folded = _fold(typed)
    if not folded:
        return None
    return next((c for c in choices if _fold(c.label) == folded), None)
