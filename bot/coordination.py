"""What coordinators do in the bot: case buttons, /cas, /equipe, and linking a group chat.

Called by the conversation service for one event; every refusal is audited and changes
nothing. A button pressed in a group opens the writing step in the presser's private chat, so
a draft answer is never shown to the whole team.
"""

from __future__ import annotations

import html
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from telegram.helpers import create_deep_linked_url

from bot import case_cards
from bot.case_cards import ACTIONS as CARD_ACTIONS
from bot.case_cards import body_name
from bot.engine import Button, Reply
from bot.i18n import N_
from bot.storage import cases, people, roles
from bot.storage.cases import Case
from bot.turn_actions import MarkChosen, Send, SendTo

if TYPE_CHECKING:
    from bot.conversation import _TurnState

log = logging.getLogger(__name__)

INVITE_VALID = timedelta(days=7)
CASE_FLOWS = {
    case_cards.ACTION_ANSWER: "cas_repondre",
    case_cards.ACTION_ASK: "cas_question",
    case_cards.ACTION_FORWARD: "cas_transmettre",
    case_cards.ACTION_AGENDA: "cas_reunion",
    case_cards.ACTION_CLOSE: "cas_clore",
}
ONLY_COORDINATORS = N_("Cette action est réservée aux coordinateurs de Porte-voix.")
OTHER_BODY = N_("Ce message est pour un autre groupe.\nSeul ce groupe peut agir dessus.")
UNKNOWN_BUTTON = N_("Ce bouton est inconnu. Rien n'a changé.")
NOT_OPEN = N_("Ce message est déjà fini. Rien n'a changé.")
GROUP_HELP = N_(
    "Dans ce groupe, Porte-voix montre les messages pour votre équipe.\n"
    "Tapez /lier pour recevoir ici les messages d'un groupe.\n"
    "Tapez /delier pour arrêter.\n"
    "Tapez /cas pour voir les messages ouverts."
)


async def refuse(turn: _TurnState, text: str, audit_as: str, **detail: object) -> None:
    """A clear message, an audit line, nothing else."""
    await roles.audit(turn.tx, turn.person.id, audit_as, **detail)
    turn.response.notice = turn.t(text).split("\n")[0]
    turn.say(turn.t(text))
    log.info("refused %s for person %s", audit_as, turn.person.id)


async def my_bodies(turn: _TurnState) -> set[str]:
    return await roles.bodies_of(turn.tx, turn.person.id)


# ---- case buttons (private chat or group) -------------------------------------------


async def on_case_button(turn: _TurnState, data: str) -> None:
    """`x:<case>:<action>`: only a coordinator of the body holding the case may act."""
    parts = data.split(":")
    if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in CARD_ACTIONS:
        await refuse(turn, UNKNOWN_BUTTON, "refused_button", kind="case")
        return
    case = await cases.get(turn.tx, int(parts[1]))
    action = parts[2]
    bodies = await my_bodies(turn)
    if not bodies:
        await refuse(turn, ONLY_COORDINATORS, "refused_case_action", case=int(parts[1]), op=action)
        return
    if case is None or case.body_id not in bodies:
        await refuse(turn, OTHER_BODY, "refused_case_action", case=int(parts[1]), op=action)
        return
    if action == case_cards.ACTION_SHOW:
        await show_case(turn, case)
        return
    if not case.is_open:
        turn.response.notice = turn.t(NOT_OPEN).split("\n")[0]
        await show_case(turn, case)
        return
    if action == case_cards.ACTION_TAKE:
        taken = await turn.casework.take(case, turn.person.id)
        turn.response.notice = turn.t(
            N_("C'est noté : vous vous en occupez.")
            if taken
            else N_("Une personne s'en occupe déjà.")
        )
        if not turn.in_group:
            turn.say(
                turn.t(N_("C'est noté : vous vous occupez du message {reference}.")).format(
                    reference=case.reference
                )
                + "\n"
                + turn.t(N_("La personne est prévenue."))
            )
        return
    await open_case_flow(turn, case, CASE_FLOWS[action])


async def open_case_flow(turn: _TurnState, case: Case, flow_id: str) -> None:
    """The writing happens in the coordinator's private chat, even for a group's button."""
    answers = {"case": case.id, "reference": case.reference}
    if not turn.in_group:
        await turn.open_flow(flow_id, answers)
        return
    from bot.conversation import _TurnState as Turn  # the same turn, in the private chat

    private = Turn(turn.service, turn.tx, turn.person, turn.event)
    await private.open_flow(flow_id, answers)
    turn.response.actions.extend(
        SendTo(turn.person.id, a.reply) for a in private.response.actions if isinstance(a, Send)
    )
    turn.response.notice = turn.t(N_("Je vous écris en message privé."))


async def show_case(turn: _TurnState, case: Case) -> None:
    submission = await turn.casework.submission(case)
    pseudonym = (
        await people.pseudonym_of(turn.tx, submission["author_id"])
        if submission["sharing"] == "pseudonymous" and submission["author_id"]
        else None
    )
    reply = case_cards.card(
        case,
        submission,
        turn.t,
        turn.service.territory,
        pseudonym=pseudonym,
        voice_caption=bool(submission.get("voice_file_id")),
    )
    turn.response.actions.append(Send(reply))


async def show_cases(turn: _TurnState, reference: str | None) -> None:
    """/cas: open cases of my bodies, oldest first; /cas <ref>: that case's card."""
    bodies = await my_bodies(turn)
    if turn.in_group:
        linked = set(await cases.bodies_of_chat(turn.tx, turn.chat_recipient))
        bodies = bodies & linked
    if not bodies:
        await refuse(turn, ONLY_COORDINATORS, "refused_command", command="cas")
        return
    if reference:
        case = await cases.by_reference(turn.tx, reference, bodies)
        if case is None:
            turn.say(turn.t(N_("Ce numéro est absent des messages de vos groupes.")))
            return
        await show_case(turn, case)
        return
    listing = case_cards.listing(
        await cases.open_for_bodies(turn.tx, bodies), turn.t, turn.service.territory
    )
    turn.response.actions.append(Send(listing))


# ---- the team: invite a colleague, leave the role -----------------------------------


async def show_team(turn: _TurnState) -> list[Reply]:
    bodies = sorted(await my_bodies(turn))
    t = turn.t
    territory = turn.service.territory
    replies = []
    for body_id in bodies:
        members = []
        for person_id in await roles.coordinators_of(turn.tx, body_id):
            code = await people.pseudonym_of(turn.tx, person_id)
            members.append(
                t(N_("Vous"))
                if person_id == turn.person.id
                else t(N_("Personne {code}")).format(code=code)
            )
        text = (
            t(N_("<b>{body}</b>")).format(body=body_name(territory, body_id, t.lang))
            + "\n"
            + t(N_("Coordinateurs : {names}.")).format(names=", ".join(members))
        )
        replies.append(
            Reply(
                text,
                (
                    (Button(t(N_("➕ Inviter une personne")), f"q:i:{body_id}"),),
                    (Button(t(N_("🚪 Quitter ce rôle")), f"q:q:{body_id}"),),
                ),
            )
        )
    return replies


async def on_team_button(turn: _TurnState, data: str) -> None:
    """`q:i:<body>` invite (hand over), `q:q:<body>` leave, `q:Q:<body>` leave confirmed."""
    parts = data.split(":", 2)
    if len(parts) != 3 or parts[1] not in ("i", "q", "Q"):
        await refuse(turn, UNKNOWN_BUTTON, "refused_button", kind="team")
        return
    _, op, body_id = parts
    if body_id not in await my_bodies(turn):
        await refuse(turn, OTHER_BODY, "refused_team_action", body=body_id, op=op)
        return
    t = turn.t
    name = body_name(turn.service.territory, body_id, t.lang)
    if op == "i":
        code = await roles.create_invite(
            turn.tx, "coordinator", body_id, INVITE_VALID, turn.service.clock()
        )
        await roles.audit(turn.tx, turn.person.id, "invite_given", role="coordinator", body=body_id)
        payload = roles.INVITE_PREFIX + code
        username = turn.service.bot_username
        link = create_deep_linked_url(username, payload) if username else f"/start {payload}"
        turn.say(
            t(N_("Voici un lien pour une nouvelle personne de : {body}.")).format(body=name)
            + "\n"
            + html.escape(link)
            + "\n"
            + t(N_("Le lien sert une seule fois, pendant 7 jours."))
        )
    elif op == "q":
        text = (
            t(N_("Voulez-vous quitter votre rôle pour : {body} ?")).format(body=name)
            + "\n"
            + t(N_("Vous ne recevrez plus ses messages."))
        )
        buttons = ((Button(t(N_("🚪 Oui, je quitte ce rôle")), f"q:Q:{body_id}"),),)
        turn.response.actions.append(Send(Reply(text, buttons)))
    else:
        await roles.revoke(
            turn.tx,
            turn.person.id,
            "coordinator",
            body_id,
            by=turn.person.id,
            now=turn.service.clock(),
        )
        turn.say(t(N_("C'est fait. Vous ne coordonnez plus : {body}.")).format(body=name))


# ---- group chats --------------------------------------------------------------------


async def group_dispatch(turn: _TurnState) -> None:
    """Events in a group chat: the team's commands and buttons; other messages are ignored."""
    event = turn.event
    turn.t = turn.service.catalogs.get(turn.service.territory.default_language)
    if event.kind == "command":
        command = event.command or ""
        if command == "lier":
            await ask_link(turn)
        elif command == "delier":
            await ask_unlink(turn)
        elif command == "cas":
            await show_cases(turn, event.args[0] if event.args else None)
        elif command in ("aide", "start", "help"):
            turn.say(turn.t(GROUP_HELP))
        return
    if event.kind != "button":
        return
    data = event.data or ""
    if data.startswith("x:"):
        await on_case_button(turn, data)
    elif data.startswith(("L:", "U:")):
        await on_link_button(turn, data)
    elif data != "done":
        turn.response.notice = turn.t(N_("Ce bouton est ancien."))


async def ask_link(turn: _TurnState) -> None:
    bodies = sorted(await my_bodies(turn))
    if not bodies:
        await refuse(turn, N_("Seul un coordinateur peut lier ce groupe."), "refused_link")
        return
    t = turn.t
    territory = turn.service.territory
    rows = tuple((Button(territory.body(b).name.get(t.lang), f"L:{b}"),) for b in bodies)
    turn.response.actions.append(
        Send(
            Reply(
                t(N_("Ce groupe reçoit les messages de quel groupe de Porte-voix ?"))
                + "\n"
                + t(N_("Un coordinateur de ce groupe confirme avec le bouton.")),
                rows,
            )
        )
    )


async def ask_unlink(turn: _TurnState) -> None:
    linked = await cases.bodies_of_chat(turn.tx, turn.chat_recipient)
    if not set(linked) & await my_bodies(turn):
        await refuse(
            turn, N_("Seul un coordinateur du groupe lié peut faire cela."), "refused_unlink"
        )
        return
    t = turn.t
    territory = turn.service.territory
    turn.response.actions.append(
        Send(
            Reply(
                t(N_("Arrêter de recevoir ici les messages de quel groupe ?")),
                tuple((Button(territory.body(b).name.get(t.lang), f"U:{b}"),) for b in linked),
            )
        )
    )


async def on_link_button(turn: _TurnState, data: str) -> None:
    op, _, body_id = data.partition(":")
    territory = turn.service.territory
    try:
        territory.body(body_id)
    except KeyError:
        await refuse(turn, UNKNOWN_BUTTON, "refused_button", kind="link")
        return
    if body_id not in await my_bodies(turn):
        await refuse(turn, OTHER_BODY, "refused_link", body=body_id)
        return
    t = turn.t
    name = body_name(territory, body_id, t.lang)
    now = turn.service.clock()
    if turn.event.message_id is not None:
        turn.response.actions.append(MarkChosen(turn.event.message_id, data))
    if op == "L":
        await cases.link_chat(turn.tx, body_id, turn.chat_recipient, turn.person.id, now)
        await roles.audit(turn.tx, turn.person.id, "chat_linked", body=body_id)
        turn.say(
            t(N_("C'est fait. Les messages pour {body} arrivent maintenant ici.")).format(body=name)
        )
    else:
        if await cases.chat_of(turn.tx, body_id) == turn.chat_recipient:
            await cases.unlink_chat(turn.tx, body_id)
            await roles.audit(turn.tx, turn.person.id, "chat_unlinked", body=body_id)
        turn.say(
            t(N_("C'est fait. Les messages pour {body} vont aux coordinateurs, un par un.")).format(
                body=name
            )
        )
