"""Peer helpers: a one-time invite gives the role; words are relayed with the person's consent,
by a link the person confirms or an oral consent recorded as such; a group speaks as one."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from telegram.ext import Application

from bot.sandbox.client import Person, SandboxClient
from bot.storage import Database, roles


async def invite_link(db: Database, role: str = "pair_aidant", days: float = 7) -> str:
    async with db.transaction() as tx:
        code = await roles.create_invite(tx, role, None, timedelta(days=days))
    return f"/start inv_{code}"


async def become_helper(person: Person, db: Database) -> None:
    await person.send(await invite_link(db))
    await person.expect("Vous êtes maintenant pair-aidant dans Porte-voix.")
    menu = await person.expect("Que voulez-vous faire ?")
    assert "🗣 Transmettre la parole d'une personne" in menu.button_labels


async def test_invites_are_one_time_and_expire(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    nadia = client.person(9001, "Nadia", language_code="fr")
    other = client.person(9002, "Olivier", language_code="fr")
    link = await invite_link(bot_db)
    await nadia.send(link)
    await nadia.expect("Vous êtes maintenant pair-aidant")
    await other.send(link)  # replayed
    await other.expect("Ce lien a déjà servi, ou il est inconnu.")
    await other.send(await invite_link(bot_db, days=-1))  # expired
    await other.expect("Ce lien est trop ancien.")
    menu = await other.expect("Que voulez-vous faire ?")
    assert not any("Transmettre" in label for label in menu.button_labels)
    await other.send("/relais")  # a command does not bypass the role
    await other.expect("Cette action est réservée aux pairs-aidants de Porte-voix.")
    async with bot_db.read() as tx:
        actions = [r["action"] for r in await tx.all("SELECT action FROM audit_log ORDER BY id")]
    assert actions.count("invite_granted") == 1
    assert {"invite_used", "invite_expired", "refused_flow"} <= set(actions)


async def test_relay_confirmed_by_the_person_on_telegram(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    helper = client.person(9003, "Karim", language_code="fr")
    relayed = client.person(9004, "Mme Roux", language_code="fr")
    await become_helper(helper, bot_db)
    await helper.tap("Transmettre la parole d'une personne")
    await helper.expect("Vous transmettez les mots d'une personne.")
    await helper.tap("Un avis")
    await helper.tap("Attendre moins pour les soins")
    await helper.expect("Écrivez ses mots, le plus fidèlement possible.")
    await helper.send("J'attends depuis 4 mois un rendez-vous au centre.")
    await helper.expect("Comment la personne donne-t-elle son accord ?")
    await helper.tap("Elle confirme sur son Telegram")
    await helper.expect("Le message partira quand la personne dira oui.")
    await helper.tap("Créer le lien")
    sent = await helper.expect("Envoyez ce lien à la personne")
    reference = re.search(r"AV-\d{4}-\d{4}", sent.text).group()
    link = re.search(r"start=(ok_[\w-]+)", sent.text).group(1)

    async with bot_db.read() as tx:
        status = await tx.value("SELECT status FROM submissions WHERE reference = ?", (reference,))
    assert status == "awaiting_consent"  # nothing goes before the person says yes

    await relayed.send(f"/start {link}")
    words = await relayed.expect("Un pair-aidant a écrit vos mots pour Porte-voix.")
    assert "J'attends depuis 4 mois" in words.text
    await relayed.tap("Oui, ce sont mes mots")
    await relayed.expect("Merci. Vos mots sont envoyés.")
    await helper.expect(f"La personne a dit oui. Le message {reference} est envoyé.")
    await relayed.send(f"/start {link}")  # a consent link works once
    await relayed.expect("Ce lien a déjà servi, ou il est inconnu.")

    # The relayed person follows their words and can erase them.
    await relayed.send("/suivi")
    await relayed.expect(reference)
    await relayed.send(f"/suivi {reference}")
    detail = await relayed.expect(f"{reference} · Avis")
    await relayed.tap("Effacer ce message", message=detail)
    await relayed.expect(f"Voulez-vous effacer le message {reference} ?")
    await relayed.tap("Oui, effacer")
    await relayed.expect("C'est fait. Vos mots sont effacés.")
    async with bot_db.read() as tx:
        row = await tx.one("SELECT * FROM submissions WHERE reference = ?", (reference,))
    assert row["status"] == "erased" and row["body_text"] is None
    assert row["speaker"] == "pair_aidant"
    assert json.loads(row["details"] or "{}") == {}


async def test_relay_refused_by_the_person(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    helper = client.person(9005, "Léo", language_code="fr")
    relayed = client.person(9006, "M. Petit", language_code="fr")
    await become_helper(helper, bot_db)
    await helper.send("/relais")
    await helper.expect("La personne veut donner quoi ?")
    await helper.tap("Une idée")
    await helper.tap("Participer à la vie sociale")
    await helper.send("Un atelier théâtre au centre social.")
    await helper.expect("Comment la personne donne-t-elle son accord ?")
    await helper.tap("Elle confirme sur son Telegram")
    await helper.tap("Créer le lien")
    sent = await helper.expect("Envoyez ce lien à la personne")
    reference = re.search(r"ID-\d{4}-\d{4}", sent.text).group()
    link = re.search(r"start=(ok_[\w-]+)", sent.text).group(1)
    await relayed.send(f"/start {link}")
    await relayed.tap("Non, je refuse")
    await relayed.expect("D'accord. Vos mots sont effacés. Rien n'est envoyé.")
    await helper.expect(f"La personne a dit non. Le message {reference} est effacé.")
    async with bot_db.read() as tx:
        row = await tx.one(
            "SELECT status, body_text FROM submissions WHERE reference = ?", (reference,)
        )
    assert tuple(row) == ("withdrawn", None)


async def test_relay_with_oral_consent(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    helper = client.person(9007, "Sarah", language_code="fr")
    await become_helper(helper, bot_db)
    await helper.send("/relais")
    await helper.expect("La personne veut donner quoi ?")
    await helper.tap("Un avis")
    await helper.tap("Soigner aussi le corps")
    await helper.send_voice(25)
    await helper.expect("Comment la personne donne-t-elle son accord ?")
    await helper.tap("Elle m'a dit oui à l'oral")
    await helper.expect("Vous confirmez son accord à l'oral ?")
    await helper.tap("Oui, elle est d'accord")
    done = await helper.expect("Porte-voix a noté son accord à l'oral, le ")
    reference = re.search(r"AV-\d{4}-\d{4}", done.text).group()
    async with bot_db.read() as tx:
        row = await tx.one("SELECT * FROM submissions WHERE reference = ?", (reference,))
        helper_code = await tx.value(
            "SELECT pseudonym FROM people WHERE id = ?", (row["relayed_by"],)
        )
    consent = json.loads(row["details"])["consent"]
    assert (row["status"], row["speaker"], row["voice_duration"]) == ("sent", "pair_aidant", 25)
    assert consent["mode"] == "oral" and consent["declared_by"] == helper_code
    assert consent["declared_at"]


async def test_collective_contribution_of_a_gem_session(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    helper = client.person(9008, "Julie", language_code="fr")
    await become_helper(helper, bot_db)
    await helper.tap("Transmettre l'avis d'un groupe")
    await helper.expect("Quel groupe ?")
    await helper.tap("Le Lien")
    await helper.expect("Quand le groupe s'est-il réuni ?")
    await helper.tap("Je ne sais plus")
    await helper.tap("De 6 à 10")
    await helper.tap("Participer à la vie sociale")
    await helper.send("Le groupe veut plus de sorties le week-end.")
    await helper.tap("Tout le monde est d'accord")
    summary = await helper.expect("Voici l'avis du groupe.")
    assert "De 6 à 10" in summary.text and "vous ne savez plus" in summary.text
    await helper.tap("Oui, j'envoie")
    done = await helper.expect("L'avis du groupe est envoyé.")
    reference = re.search(r"AV-\d{4}-\d{4}", done.text).group()
    async with bot_db.read() as tx:
        row = await tx.one(
            "SELECT speaker, details FROM submissions WHERE reference = ?", (reference,)
        )
    details = json.loads(row["details"])
    assert row["speaker"] == "collectif"
    assert (details["group"], details["participants"], details["agreement"]) == (
        "gem-exemple",
        "6-10",
        "all",
    )
