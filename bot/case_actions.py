"""Flow actions (`do:`) of casework: a coordinator's answer, question, forward, meeting, close;
an author's reply or « not solved ». Each checks again, at the moment of sending, that the
person may still act on the case (a role can be revoked, a case closed, meanwhile)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.engine import Reply
from bot.i18n import N_
from bot.storage import cases, roles
from bot.storage.cases import Case
from bot.storage.conversations import ConversationState

if TYPE_CHECKING:
    from bot.actions import ActionContext

REFUSED = N_("Ce message est fini, ou il est pour un autre groupe.\nRien n'est envoyé.")
SENT_TO_AUTHOR = N_("C'est envoyé. La personne va lire votre message dans Porte-voix.")
SENT_TO_BODY = N_("C'est envoyé. Le groupe va lire votre message.")


def _done(ctx: ActionContext, text: str) -> dict[str, Any]:
    return {"_replies": [Reply(ctx.t(text))]}


def _words(state: ConversationState, key: str = "message") -> tuple[str | None, str | None]:
    answer = state.answers.get(key)
    if not isinstance(answer, dict):
        return None, None
    return answer.get("text"), answer.get("voice")


async def _coordinated(ctx: ActionContext, state: ConversationState) -> Case | None:
    case = await cases.get(ctx.tx, int(state.answers.get("case", 0)))
    if case is None or not case.is_open:
        return None
    if case.body_id not in await roles.bodies_of(ctx.tx, ctx.person.id):
        await roles.audit(ctx.tx, ctx.person.id, "refused_case_action", case=case.id)
        return None
    return case


async def _authored(ctx: ActionContext, state: ConversationState) -> Case | None:
    case = await cases.get(ctx.tx, int(state.answers.get("case", 0)))
    if case is None:
        return None
    if await ctx.casework.author_of(case) != ctx.person.id:
        await roles.audit(ctx.tx, ctx.person.id, "refused_author_action", case=case.id)
        return None
    return case


async def case_answer(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    case = await _coordinated(ctx, state)
    text, _ = _words(state)
    if case is None or not text:
        return _done(ctx, REFUSED)
    await ctx.casework.answer(case, ctx.person.id, text)
    return _done(ctx, SENT_TO_AUTHOR)


async def case_ask(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    case = await _coordinated(ctx, state)
    text, _ = _words(state)
    if case is None or not text:
        return _done(ctx, REFUSED)
    await ctx.casework.ask(case, ctx.person.id, text)
    return _done(ctx, SENT_TO_AUTHOR)


async def case_forward(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    case = await _coordinated(ctx, state)
    reason, _ = _words(state, "reason")
    target = state.answers.get("body")
    if case is None or not reason or not isinstance(target, str):
        return _done(ctx, REFUSED)
    try:
        ctx.territory.body(target)
    except KeyError:
        return _done(ctx, REFUSED)
    if target == case.body_id:
        return _done(ctx, N_("Ce message est déjà chez ce groupe. Rien n'a changé."))
    await ctx.casework.forward(case, ctx.person.id, target, reason)
    return _done(
        ctx, N_("C'est fait. Le message part vers l'autre groupe. La personne est prévenue.")
    )


async def case_agenda(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    case = await _coordinated(ctx, state)
    value = state.answers.get("meeting")
    if case is None or not isinstance(value, str):
        return _done(ctx, REFUSED)
    await ctx.casework.agenda(case, ctx.person.id, date.fromisoformat(value))
    return _done(ctx, N_("C'est noté. La personne sait que son message sera lu en réunion."))


async def case_close(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    case = await _coordinated(ctx, state)
    outcome = state.answers.get("outcome")
    text, _ = _words(state, "explain")
    if case is None or outcome not in cases.OUTCOMES:
        return _done(ctx, REFUSED)
    if outcome in ("not_retained", "out_of_scope") and not text:
        return _done(ctx, N_("Il faut écrire la raison. Rien n'est envoyé."))
    await ctx.casework.close(case, ctx.person.id, outcome, text)
    return _done(ctx, N_("C'est fait. Le message est fini. La personne est prévenue."))


async def case_author_reply(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    case = await _authored(ctx, state)
    text, voice = _words(state)
    if case is None or not (text or voice):
        return _done(ctx, N_("Ce numéro est absent de votre liste."))
    await ctx.casework.author_reply(case, ctx.person.id, text, voice)
    return _done(ctx, SENT_TO_BODY)


async def case_reopen(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    case = await _authored(ctx, state)
    text, voice = _words(state)
    if case is None or case.status != "closed":
        return _done(ctx, N_("Ce numéro est absent de votre liste."))
    await ctx.casework.reopen(case, ctx.person.id, text, voice)
    return _done(
        ctx, N_("Votre message est rouvert. Le groupe va le relire. Je vous dirai la suite.")
    )


CASE_ACTIONS = {
    "case_answer": case_answer,
    "case_ask": case_ask,
    "case_forward": case_forward,
    "case_agenda": case_agenda,
    "case_close": case_close,
    "case_author_reply": case_author_reply,
    "case_reopen": case_reopen,
}
