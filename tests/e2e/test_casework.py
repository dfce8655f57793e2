"""Closing the loop, as the people involved live it: an usager gives an avis, the body's team
receives it in its group chat, a coordinator takes it and answers, the usager reads the
answer, the case is closed, weeks later the usager says « non », and the case reopens.

Two personas talk at once (Léa, an usager; Marc, who coordinates the crisis working group),
plus the team's group chat. The clock is moved forward instead of sleeping.
"""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from telegram.ext import Application

from bot.sandbox.client import Person, SandboxClient
from bot.sandbox.server import Sandbox
from bot.storage import Database, roles

TEAM_CHAT = -100200300400


async def coordinator_link(db: Database, body: str, days: float = 7) -> str:
    async with db.transaction() as tx:
        code = await roles.create_invite(tx, "coordinator", body, timedelta(days=days))
    return f"/start inv_{code}"


async def become_coordinator(person: Person, db: Database, body: str = "gt-crise") -> None:
    await person.send(await coordinator_link(db, body))
    await person.expect("Vous coordonnez maintenant ce groupe")
    await person.expect("Que voulez-vous faire ?")


async def give_avis_on_crisis(person: Person, words: str, sharing: str = "Anonyme") -> str:
    await person.send("/avis")
    await person.expect("Votre avis parle de quel sujet ?")
    await person.tap("Mieux aider pendant une crise")
    await person.expect("Écrivez votre avis.")
    await person.send(words)
    await person.expect("Vous parlez de quelle expérience ?")
    await person.tap("La mienne")
    await person.expect("Qui peut savoir que ce message vient de vous ?")
    await person.tap(sharing)
    await person.expect("Voici votre avis.")
    await person.tap("Oui, j'envoie")
    done = await person.expect("Votre avis est envoyé.")
    await person.expect("Que voulez-vous faire ?")
    return re.search(r"AV-\d{4}-\d{4}", done.text).group()


async def test_avis_answered_closed_then_reopened_by_the_author(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    lea = client.person(7001, "Léa", language_code="fr", username="lea_b", last_name="Bernard")
    marc = client.person(7101, "Marc", language_code="fr")
    await become_coordinator(marc, bot_db)

    # The team links its group chat; deliveries go there from now on.
    await client.add_group(TEAM_CHAT, "Équipe crise")
    await client.add_member(TEAM_CHAT, marc.user_id)
    marc_in_team = client.person(7101, "Marc", language_code="fr", chat_id=TEAM_CHAT)
    await marc_in_team.register()
    await marc_in_team.send("/lier")
    await marc_in_team.expect("Ce groupe reçoit les messages de quel groupe de Porte-voix ?")
    await marc_in_team.tap("Groupe de travail urgence et crise")
    await marc_in_team.expect("Les messages pour Groupe de travail urgence et crise arrivent")

    reference = await give_avis_on_crisis(
        lea, "Aux urgences, personne ne m'a expliqué ce qui se passait."
    )
    card = await marc_in_team.expect(reference)
    assert "Aux urgences, personne ne m'a expliqué" in card.text
    assert "la personne reste anonyme" in card.text
    assert "Je m'en occupe" in " ".join(card.button_labels)
    await lea.expect(f"Votre message {reference} est bien arrivé.")

    await marc_in_team.tap("Je m'en occupe", message=card)
    edited = await marc_in_team.expect("Une personne du groupe s'en occupe.", edits=True)
    assert "Je m'en occupe" not in " ".join(edited.button_labels)
    await lea.expect(f"Une personne s'occupe de votre message {reference}.")

    # « Répondre » in the group: the writing happens in Marc's private chat.
    await marc_in_team.tap("Répondre", message=edited)
    await marc.expect(f"Écrivez votre réponse pour le message {reference}.")
    await marc.send("Merci. Nous allons écrire une fiche d'accueil pour les urgences.")
    await marc.expect("Voulez-vous l'envoyer ?")
    await marc.tap("Oui, j'envoie")
    await marc.expect("C'est envoyé.")
    answer = await lea.expect(f"Vous avez une réponse pour le message {reference}.")
    assert "fiche d'accueil" in answer.text
    await lea.send(f"/suivi {reference}")
    status = await lea.expect("Où en est-il ? Le groupe a répondu.")
    assert "Dernier message du groupe : « Merci. Nous allons écrire" in status.text

    # Léa replies from her chat; the team reads it in the group.
    await lea.tap("Répondre", message=answer)
    await lea.expect(f"Écrivez votre réponse pour le message {reference}.")
    await lea.send("Merci, ce serait bien d'avoir la fiche en plusieurs langues.")
    await lea.expect("Voulez-vous l'envoyer au groupe ?")
    await lea.tap("Oui, j'envoie")
    await lea.expect("C'est envoyé. Le groupe va lire votre message.")
    reply_in_team = await marc_in_team.expect("La personne répond pour le message")
    assert "plusieurs langues" in reply_in_team.text

    # Marc closes it with an outcome.
    await marc.send(f"/cas {reference}")
    own_card = await marc.expect(reference)
    await marc.tap("Clore", message=own_card)
    await marc.expect(f"Comment se termine le message {reference} ?")
    await marc.tap("Un changement est fait")
    await marc.expect("Quel changement est fait ?")
    await marc.send("La fiche d'accueil est écrite. Elle sera donnée à chaque arrivée.")
    await marc.expect("C'est bon ?")
    await marc.tap("Oui, je clos")
    await marc.expect("Le message est fini.")
    closed = await lea.expect(f"Le groupe a fini de traiter votre message {reference}.")
    assert "Le groupe a fait un changement." in closed.text
    assert "Dans 4 semaines" in closed.text

    # Four weeks later: « Est-ce que c'est réglé ? » — « Non », and the case reopens.
    bot.bot_data["clock"].advance(timedelta(weeks=4, hours=1))
    report = await bot.bot_data["service"].sweep()
    assert report["followups"] == 1
    bot.bot_data["delivery"].kick()
    question = await lea.expect("Est-ce que c'est réglé ?")
    assert question.button_labels == ["✅ Oui", "〰️ En partie", "❌ Non"]
    await lea.tap("Non", message=question)
    await lea.expect("Qu'est-ce qui ne va toujours pas ?")
    await lea.send("La fiche n'est pas encore donnée à l'accueil.")
    await lea.expect("Votre message est rouvert.")
    reopened = await marc_in_team.expect("La personne dit que ce n'est pas réglé.")
    assert "pas encore donnée" in reopened.text
    assert "Je m'en occupe" in " ".join(reopened.button_labels)

    async with bot_db.read() as tx:
        status = await tx.value("SELECT status FROM cases")
        events = [r["kind"] for r in await tx.all("SELECT kind FROM submission_events ORDER BY id")]
        audit = [r["action"] for r in await tx.all("SELECT action FROM audit_log ORDER BY id")]
    assert status == "reopened"
    assert events == [
        "sent",
        "routed",
        "delivered",
        "taken",
        "answered",
        "author_reply",
        "closed",
        "followup_asked",
        "reopened",
    ]
    assert {"chat_linked", "case_taken", "case_answered", "case_closed", "case_reopened"} <= set(
        audit
    )


async def audit_actions(db: Database) -> list[str]:
    async with db.read() as tx:
        return [r["action"] for r in await tx.all("SELECT action FROM audit_log ORDER BY id")]


async def case_rows(db: Database) -> list[tuple]:
    async with db.read() as tx:
        return [
            tuple(r)
            for r in await tx.all("SELECT id, body_id, status, taken_by, outcome FROM cases")
        ]


def forge(sandbox: Sandbox, person: Person, data: str) -> None:
    """A button press with data of our choosing, on the last message the person received."""
    sandbox.forge_press(person.user_id, person.received[-1].message_id, data)


async def test_refusals_change_nothing_and_are_audited(
    bot: Application, client: SandboxClient, bot_db: Database, sandbox: Sandbox
) -> None:
    lea = client.person(7002, "Léa", language_code="fr")
    marc = client.person(7102, "Marc", language_code="fr")  # coordinates the crisis group
    nina = client.person(7103, "Nina", language_code="fr")  # coordinates a local council
    await become_coordinator(marc, bot_db)
    await become_coordinator(nina, bot_db, body="clsm-rueil")
    reference = await give_avis_on_crisis(lea, "La salle d'attente des urgences est trop bruyante.")
    card = await marc.expect(reference)
    case_id = re.search(r"x:(\d+):take", str(card.buttons)).group(1)
    before = await case_rows(bot_db)

    # An usager types coordinator commands.
    await lea.send("/cas")
    await lea.expect("Cette action est réservée aux coordinateurs de Porte-voix.")
    await lea.send("/equipe")
    await lea.expect("Cette action est réservée aux coordinateurs de Porte-voix.")
    # An usager forges a coordinator's button.
    forge(sandbox, lea, f"x:{case_id}:take")
    await lea.expect("Cette action est réservée aux coordinateurs de Porte-voix.")
    # A coordinator of another body presses a button of this case.
    forge(sandbox, nina, f"x:{case_id}:close")
    await nina.expect("Ce message est pour un autre groupe.")
    await nina.send(f"/cas {reference}")
    await nina.expect("Ce numéro est absent des messages de vos groupes.")
    # Forged callback data.
    forge(sandbox, marc, "x:99999:take")
    await marc.expect("Ce message est pour un autre groupe.")
    forge(sandbox, marc, f"x:{case_id}:burn")
    await marc.expect("Ce bouton est inconnu. Rien n'a changé.")
    forge(sandbox, marc, "f:1:no")  # a follow-up button of someone else's message
    await marc.expect("Ce numéro est absent de votre liste.")
    # A replayed and an expired invite.
    link = await coordinator_link(bot_db, "gt-crise")
    await lea.send(link)
    await lea.expect("Vous coordonnez maintenant ce groupe")
    other = client.person(7004, "Omar", language_code="fr")
    await other.send(link)
    await other.expect("Ce lien a déjà servi, ou il est inconnu.")
    await other.send(await coordinator_link(bot_db, "gt-crise", days=-1))
    await other.expect("Ce lien est trop ancien.")
    await other.send("/cas")
    await other.expect("Cette action est réservée aux coordinateurs de Porte-voix.")

    assert await case_rows(bot_db) == before  # nothing changed
    actions = await audit_actions(bot_db)
    assert actions.count("refused_command") == 3
    assert actions.count("refused_case_action") == 3
    assert actions.count("refused_button") == 1
    assert actions.count("refused_author_action") == 1
    assert {"invite_used", "invite_expired"} <= set(actions)


async def test_overdue_goes_back_to_the_body_then_to_triage(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    lea = client.person(7005, "Léa", language_code="fr")
    marc = client.person(7105, "Marc", language_code="fr")
    triage = client.person(7106, "Théo", language_code="fr")
    await become_coordinator(marc, bot_db)
    await become_coordinator(triage, bot_db, body="triage")
    reference = await give_avis_on_crisis(lea, "Le numéro de crise ne répond pas la nuit.")
    await marc.expect(reference)
    clock = bot.bot_data["clock"]
    service = bot.bot_data["service"]

    clock.advance(timedelta(days=7))
    assert (await service.sweep())["overdue"] == 0
    clock.advance(timedelta(days=1, minutes=1))
    assert (await service.sweep())["overdue"] == 1
    bot.bot_data["delivery"].kick()
    again = await marc.expect("Ce message attend depuis 8 jours.")
    assert reference in again.text
    assert (await service.sweep()) == {"overdue": 0, "escalated": 0, "followups": 0, "postponed": 0}
    clock.advance(timedelta(days=3, minutes=1))
    assert (await service.sweep())["escalated"] == 1
    bot.bot_data["delivery"].kick()
    escalated = await triage.expect(f"Le message {reference} attend depuis 11 jours.")
    assert "Groupe de travail urgence et crise" in escalated.text


async def test_forward_agenda_and_close_not_retained(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    lea = client.person(7007, "Léa", language_code="fr")
    marc = client.person(7107, "Marc", language_code="fr")
    paul = client.person(7108, "Paul", language_code="fr")
    await become_coordinator(marc, bot_db)
    await become_coordinator(paul, bot_db, body="gt-logement")
    reference = await give_avis_on_crisis(lea, "Après l'hôpital, je n'avais plus de logement.")
    card = await marc.expect(reference)

    await marc.tap("Transmettre", message=card)
    await marc.expect(f"À quel groupe voulez-vous transmettre le message {reference} ?")
    await marc.tap("Groupe de travail logement")
    await marc.expect("Pourquoi ce groupe ?")
    await marc.send("Ce message parle surtout du logement.")
    await marc.expect("C'est bon ?")
    await marc.tap("Oui, je transmets")
    await marc.expect("Le message part vers l'autre groupe.")
    forwarded = await paul.expect("Un autre groupe vous transmet ce message")
    assert "Ce message parle surtout du logement." in forwarded.text
    told = await lea.expect(f"Votre message {reference} part vers un autre groupe.")
    assert "Pourquoi : Ce message parle surtout du logement." in told.text

    await paul.tap("Réunion", message=forwarded)
    picker = await paul.expect("sera lu à quelle réunion ?")
    # Only today and later days are offered; the first day of next month is always there.
    today = bot.bot_data["clock"]().astimezone(ZoneInfo("Europe/Paris")).date()
    first = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    assert not any(label.startswith("◀") for label in picker.button_labels)
    await paul.tap(next(label for label in picker.button_labels if label.endswith("▶")))
    await paul.expect(format_date(first, "LLLL y", locale="fr").capitalize(), edits=True)
    await paul.tap("1")
    await paul.expect("C'est bon ?")
    await paul.tap("Oui")
    await paul.expect("C'est noté.")
    agenda = await lea.expect("sera lu en réunion.")
    when = format_date(first, "EEEE d MMMM y", locale="fr").replace(" 1 ", " 1er ")
    assert f"La réunion a lieu le {when}." in agenda.text

    await paul.send(f"/cas {reference}")
    card = await paul.expect(reference)
    await paul.tap("Clore", message=card)
    await paul.tap("Pas retenu")
    await paul.expect("Pourquoi ce n'est pas retenu ?")
    await paul.send("Le groupe logement ne gère pas les places en urgence.")
    await paul.expect("C'est bon ?")
    await paul.tap("Oui, je clos")
    closed = await lea.expect(f"Le groupe a fini de traiter votre message {reference}.")
    assert "Le groupe ne retient pas votre demande." in closed.text
    assert (
        "Voici pourquoi : « Le groupe logement ne gère pas les places en urgence. »" in closed.text
    )
    rows = await case_rows(bot_db)
    assert [(r[1], r[2], r[4]) for r in rows] == [
        ("gt-crise", "forwarded", None),
        ("gt-logement", "closed", "not_retained"),
    ]


async def test_a_coordinator_hands_over_then_leaves(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    marc = client.person(7110, "Marc", language_code="fr")
    sophie = client.person(7111, "Sophie", language_code="fr")
    await become_coordinator(marc, bot_db)
    await marc.send("/equipe")
    team = await marc.expect("Coordinateurs : Vous.")
    await marc.tap("Inviter une personne", message=team)
    invite = await marc.expect("Voici un lien pour une nouvelle personne")
    payload = re.search(r"start=(inv_[\w-]+)", invite.text).group(1)
    await sophie.send(f"/start {payload}")
    await sophie.expect("Vous coordonnez maintenant ce groupe")

    await marc.send("/equipe")
    team = await marc.expect("Coordinateurs :")
    assert "Personne " in team.text  # Sophie appears by her code, never by her name
    assert "Sophie" not in team.text
    await marc.tap("Quitter ce rôle", message=team)
    await marc.expect("Voulez-vous quitter votre rôle")
    await marc.tap("Oui, je quitte ce rôle")
    await marc.expect("Vous ne coordonnez plus : Groupe de travail urgence et crise.")
    await marc.send("/cas")
    await marc.expect("Cette action est réservée aux coordinateurs de Porte-voix.")
    await sophie.send("/cas")
    await sophie.expect("Vos groupes ont 0 message en attente.")
    actions = await audit_actions(bot_db)
    assert [a for a in actions if a in ("invite_given", "invite_granted", "role_revoked")][-3:] == [
        "invite_given",
        "invite_granted",
        "role_revoked",
    ]


async def test_a_voice_avis_reaches_the_body_as_a_voice_note_with_its_card(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    lea = client.person(7012, "Léa", language_code="fr")
    marc = client.person(7112, "Marc", language_code="fr")
    await become_coordinator(marc, bot_db)
    await lea.send("/avis")
    await lea.tap("Mieux aider pendant une crise")
    await lea.expect("Écrivez votre avis.")
    await lea.send_voice(12)
    await lea.expect("Vous parlez de quelle expérience ?")
    await lea.tap("La mienne")
    await lea.tap("Un code")
    await lea.expect("Voici votre avis.")
    await lea.tap("Oui, j'envoie")
    done = await lea.expect("Votre avis est envoyé.")
    reference = re.search(r"AV-\d{4}-\d{4}", done.text).group()
    card = await marc.expect(reference)
    assert card.kind == "voice" and card.voice is not None
    assert "un message vocal de 12 secondes" in card.text
    assert re.search(r"Personne [2-9A-Z]{4}", card.text)  # the code she chose, not her name
    await marc.tap("Je m'en occupe", message=card)
    edited = await marc.expect("Une personne du groupe s'en occupe.", edits=True)
    assert edited.kind == "voice"  # the caption was edited, the voice note stays
