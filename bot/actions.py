"""The actions flows can ask for (`do:` in a step), run inside the step's transaction."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram.helpers import create_deep_linked_url

from bot import case_cards, followup, lexicon, relay
from bot.case_actions import CASE_ACTIONS
from bot.config import Territory
from bot.engine import Document, Reply
from bot.i18n import N_, Translator
from bot.letters import ComplaintLetter, render
from bot.meeting_actions import MEETING_ACTIONS
from bot.minutes_actions import MINUTES_ACTIONS
from bot.storage import Tx, cases, roles, submissions
from bot.storage.conversations import ConversationState
from bot.storage.people import Person
from bot.storage.submissions import SPEAKERS, NewSubmission

log = logging.getLogger(__name__)

SHARING_LEVELS = ("anonymous", "pseudonymous", "named")
# A formal complaint needs the author identified; a situations commission must call back.
KINDS_NAMED_BY_LAW = ("reclamation", "situation")


@dataclass
class ActionContext:
    """What an action may use: the transaction, who acts, in which language, and when."""

    tx: Tx
    person: Person
    t: Translator
    territory: Territory
    now: datetime
    display_name: str | None
    glossary: Any = None
    bot_username: str | None = None
    casework: Any = None  # bot.cases.Casework of this transaction
    roles: frozenset[str] | set[str] = frozenset()
    catalogs: Any = None  # bot.i18n.Catalogs: notices to others go in their own language


async def _dispatch(ctx: ActionContext, reference: str) -> None:
    """A sent submission goes to its bodies in the same transaction (outbox rows)."""
    row = await submissions.by_reference(ctx.tx, reference)
    if row is not None and ctx.casework is not None:
        await ctx.casework.dispatch(row["id"])


def _text_of(answer: Any) -> str | None:
    return answer.get("text") if isinstance(answer, dict) else None


def _spoken(answer: Any) -> dict[str, Any] | None:
    """A text or voice answer without the chat message id (that one stays in the draft)."""
    if not isinstance(answer, dict):
        return None
    return {k: v for k, v in answer.items() if k != "message_id"}


def _new_submission(ctx: ActionContext, state: ConversationState, **fields: Any) -> NewSubmission:
    """The fields every submission takes from the conversation; `fields` add or override."""
    message = state.answers.get("message") or {}
    common: dict[str, Any] = {
        "author_id": ctx.person.id,
        "language": ctx.t.lang,
        "year": ctx.now.astimezone(ctx.territory.tz).year,
        "origin_run": state.run_id,
        "theme": state.answers.get("theme"),
        "body_text": message.get("text"),
        "voice_file_id": message.get("voice"),
        "voice_duration": message.get("duration"),
    }
    return NewSubmission(**{**common, **fields})


async def create_submission(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    answers = state.answers
    kind = str(params.get("kind", "avis"))
    sharing = "named" if kind in KINDS_NAMED_BY_LAW else answers.get("sharing", "anonymous")
    if sharing not in SHARING_LEVELS:
        raise ValueError(f"unknown sharing level {sharing!r}")
    speaker = answers.get("speaker", "usager")
    if speaker not in SPEAKERS:
        raise ValueError(f"unknown speaker type {speaker!r}")
    author_name = _text_of(answers.get("name")) or ctx.display_name
    details = {
        key: _spoken(answers[key])
        for key in ("wish", "why", "unit")
        if isinstance(answers.get(key), dict)
    }
    if answers.get("consent"):
        details["consent"] = {  # the person concerned, as the author declared it, and when
            "status": answers["consent"],
            "declared_at": ctx.now.isoformat(timespec="seconds"),
        }
    if answers.get("_crisis"):
        # The author chose to send a message that fired the safety net: it is marked so that
        # its text never goes into a digest or a summary.
        details["safety_net"] = True
    local_now = ctx.now.astimezone(ctx.territory.tz)
    reference = await submissions.create(
        ctx.tx,
        _new_submission(
            ctx,
            state,
            kind=kind,
            sharing=sharing,
            speaker=speaker,
            establishment=answers.get("establishment"),
            event_date=answers.get("when"),
            author_name=author_name if sharing == "named" else None,
            details=details or None,
        ),
    )
    await _dispatch(ctx, reference)
    log.info("submission %s created (%s)", reference, kind)
    return {"reference": reference, "date": ctx.t.full_date(local_now)}


async def make_letter(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    """The complaint as a letter to print or e-mail, built from the answers just given."""
    answers = state.answers
    reference = answers.get("_results", {}).get("reference", "")
    establishment_id = answers.get("establishment")
    establishment = (
        ctx.territory.establishment(establishment_id).name.get("fr") if establishment_id else ""
    )
    voice = ctx.t(N_("Voir le message vocal envoyé à la commission."))
    letter = ComplaintLetter(
        reference=reference,
        establishment=establishment,
        author_name=_text_of(answers.get("name")) or ctx.display_name or "",
        what_happened=_text_of(answers.get("message")) or voice,
        wish=_text_of(answers.get("wish")) or voice,
        event_date=answers.get("when"),
        written_on=ctx.now.astimezone(ctx.territory.tz).date(),
        relative=answers.get("speaker") == "proche",
    )
    caption = ctx.t(N_("Voici votre lettre. Vous pouvez l'imprimer et la signer."))
    document = Document(letter.filename(), render(letter).encode("utf-8"))
    return {"_replies": [Reply(caption, document=document)]}


async def show_followup(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    rows = await submissions.for_author(ctx.tx, ctx.person.id)
    return {"_replies": [followup.listing(rows, ctx.t, ctx.territory)]}


async def explain_word(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    word = _text_of(state.answers.get("word")) or ""
    return {"_replies": [lexicon.explanation(ctx.glossary, word, ctx.t)]}


async def create_relay(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    """Words a peer helper writes down for someone, with that person's consent recorded.

    `consent: oral` — declared by the helper, recorded with the date and the helper's code, and
    sent at once. `consent: link` — nothing is sent until the person opens the link and says yes.
    """
    answers = state.answers
    mode = str(params.get("consent"))
    if mode not in ("oral", "link"):
        raise ValueError(f"unknown consent mode {mode!r}")
    local_now = ctx.now.astimezone(ctx.territory.tz)
    consent: dict[str, Any] = {
        "mode": mode,
        "declared_by": ctx.person.pseudonym,
        "declared_at": ctx.now.isoformat(timespec="seconds"),
        "status": "declared" if mode == "oral" else "waiting",
    }
    reference = await submissions.create(
        ctx.tx,
        _new_submission(
            ctx,
            state,
            kind=str(answers.get("relay_kind", "avis")),
            sharing="anonymous",
            speaker="pair_aidant",
            details={"consent": consent},
            status="sent" if mode == "oral" else "awaiting_consent",
            relayed_by=ctx.person.id,
        ),
    )
    results: dict[str, Any] = {"reference": reference, "date": ctx.t.full_date(local_now)}
    if mode == "link":
        row = await submissions.by_reference(ctx.tx, reference)
        assert row is not None
        code = await relay.open_request(ctx.tx, row["id"], ctx.person.id, ctx.now)
        payload = relay.CONSENT_PREFIX + code
        results["consent_link"] = (
            create_deep_linked_url(ctx.bot_username, payload)
            if ctx.bot_username
            else f"/start {payload}"
        )
    if mode == "oral":
        await _dispatch(ctx, reference)
    log.info("relayed words %s (%s consent)", reference, mode)
    return results


async def create_collective(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    """The position of a group (a GEM session), recorded by a peer helper as one voice."""
    answers = state.answers
    local_now = ctx.now.astimezone(ctx.territory.tz)
    group = answers.get("group")
    details = {
        "group": group,
        "participants": answers.get("participants"),
        "agreement": answers.get("agreement"),
        "session_date": answers.get("when"),
        "recorded_by": ctx.person.pseudonym,
    }
    reference = await submissions.create(
        ctx.tx,
        _new_submission(
            ctx,
            state,
            kind="avis",
            sharing="anonymous",
            speaker="collectif",
            event_date=answers.get("when"),
            details=details,
            relayed_by=ctx.person.id,
        ),
    )
    await _dispatch(ctx, reference)
    log.info("collective contribution %s", reference)
    return {"reference": reference, "date": ctx.t.full_date(local_now)}


ACTIONS = {
    "create_relay": create_relay,
    "create_collective": create_collective,
    "create_submission": create_submission,
    "make_letter": make_letter,
    "show_followup": show_followup,
    "explain_word": explain_word,
}


async def show_cases(
    ctx: ActionContext, params: Mapping[str, Any], state: ConversationState
) -> dict[str, Any]:
    """The open cases of the coordinator's bodies, from the menu (like /cas)."""
    bodies = await roles.bodies_of(ctx.tx, ctx.person.id)
    open_cases = await cases.open_for_bodies(ctx.tx, bodies)
    return {"_replies": [case_cards.listing(open_cases, ctx.t, ctx.territory)]}


ACTIONS.update(CASE_ACTIONS)
ACTIONS.update(MEETING_ACTIONS)
ACTIONS.update(MINUTES_ACTIONS)
ACTIONS["show_cases"] = show_cases
