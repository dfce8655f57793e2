"""Réclamation with its letter, idée, /suivi, erase-last and the date picker, as transcripts."""

from __future__ import annotations

import re

from telegram.ext import Application

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import Sandbox
from bot.storage import Database


async def test_reclamation_with_the_letter(
    bot: Application, client: SandboxClient, bot_db: Database, sandbox: Sandbox
) -> None:
    paul = client.person(4001, "Paul", language_code="fr")

    await paul.send("/reclamation")
    await paul.expect("Une réclamation est une lettre à l'hôpital pour dire un problème.")
    await paul.expect("Un médiateur peut vous rencontrer dans les 8 jours.")
    await paul.expect("Pour demander de l'argent, il faut une autre démarche.")
    await paul.expect("l'hôpital doit savoir qui vous êtes.")
    await paul.tap("Je fais une réclamation")
    await paul.expect("Écrivez votre prénom et votre nom.")
    await paul.send("Paul Martin")
    await paul.expect("Dans quel hôpital est-ce arrivé ?")
    await paul.tap("Hôpital Nord")
    await paul.expect("Dans quel service ?")
    await paul.tap("Passer cette question")
    await paul.expect("Votre plainte concerne qui ?")
    await paul.tap("Moi")
    await paul.expect("Racontez ce qui s'est passé.")
    await paul.send("On m'a enfermé dans ma chambre toute la nuit sans explication.")
    calendar = await paul.expect("Quand est-ce arrivé ?")
    assert "Je ne sais plus" in calendar.button_labels
    await paul.tap("◀")  # the month before
    earlier = await paul.expect("Quand est-ce arrivé ?")
    assert earlier.text != calendar.text  # another month is shown
    await paul.tap("12", message=earlier)
    await paul.expect("Que voulez-vous obtenir ?")
    await paul.send("Une explication et que cela change.")
    summary = await paul.expect("Voici votre réclamation.")
    assert "Paul Martin" in summary.text and "Hôpital Nord (exemple)" in summary.text
    assert re.search(r"Date : \w+ 12 \w+ \d{4}", summary.text), summary.text
    await paul.tap("Oui, j'envoie")
    sent = await paul.expect("Votre réclamation est envoyée.")
    reference = re.search(r"RE-\d{4}-\d{4}", sent.text).group()
    await paul.expect("Voulez-vous aussi une lettre prête à envoyer ?")
    await paul.tap("Oui, je veux la lettre")
    letter = await paul.expect("Voici votre lettre.")
    assert letter.document is not None
    content = (await client.download(letter.document["file_id"])).decode("utf-8")
    assert f"Objet : réclamation, numéro {reference}" in content
    assert "Hôpital Nord (exemple)" in content and "Paul Martin" in content
    assert "Cela s'est passé le " in content and " 12 " in content
    await paul.expect("Envoyez cette lettre par la poste")

    async with bot_db.read() as tx:
        row = await tx.one("SELECT * FROM submissions WHERE reference = ?", (reference,))
    assert row["kind"] == "reclamation" and row["sharing"] == "named"
    assert row["author_name"] == "Paul Martin" and row["establishment"] == "hopital-nord"
    assert row["event_date"].endswith("-12")


async def test_reclamation_anonymous_is_offered_an_avis(
    bot: Application, client: SandboxClient
) -> None:
    zoe = client.person(4002, "Zoé", language_code="fr")
    await zoe.send("/reclamation")
    await zoe.expect("Vous voulez rester anonyme ?")
    await zoe.tap("Je donne plutôt un avis")
    await zoe.expect("Votre avis parle de quel sujet ?")


async def test_idee_with_a_skipped_question(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    ines = client.person(4003, "Inès", language_code="fr")
    await ines.send("/idee")
    await ines.expect("Votre idée parle de quel sujet ?")
    await ines.tap("Participer à la vie sociale")
    await ines.expect("Écrivez votre idée.")
    await ines.send("Un café des usagers chaque mois à la mairie.")
    await ines.expect("Pourquoi cette idée est importante pour vous ?")
    await ines.tap("Passer cette question")
    await ines.expect("Vous parlez de quelle expérience ?")
    await ines.tap("Celle d'un proche")
    await ines.expect("Qui peut savoir que cette idée vient de vous ?")
    await ines.tap("Mon nom")
    summary = await ines.expect("Voici votre idée.")
    assert "Pourquoi : —" in summary.text
    await ines.tap("Oui, j'envoie")
    sent = await ines.expect("Votre idée est envoyée.")
    reference = re.search(r"ID-\d{4}-\d{4}", sent.text).group()
    async with bot_db.read() as tx:
        row = await tx.one(
            "SELECT speaker, sharing, author_name FROM submissions WHERE reference = ?",
            (reference,),
        )
    assert tuple(row) == ("proche", "named", "Inès")


async def test_suivi_lists_and_shows_one(bot: Application, client: SandboxClient) -> None:
    hugo = client.person(4004, "Hugo", language_code="fr")
    await hugo.send("/suivi")
    await hugo.expect("Votre liste est vide pour le moment.")
    await hugo.send("/avis")
    await hugo.expect("Votre avis parle de quel sujet ?")
    await hugo.tap("Soigner aussi le corps")
    await hugo.send("Personne ne vérifie ma tension.")
    await hugo.tap("La mienne")
    await hugo.tap("Anonyme")
    await hugo.tap("Oui, j'envoie")
    sent = await hugo.expect("Votre avis est envoyé.")
    reference = re.search(r"AV-\d{4}-\d{4}", sent.text).group()
    await hugo.send("/suivi")
    listing = await hugo.expect("Voici ce que vous avez envoyé")
    assert reference in listing.text and "Le groupe va le lire." in listing.text
    await hugo.tap(reference)
    detail = await hugo.expect(f"{reference} · Avis")
    assert "Personne ne vérifie ma tension." in detail.text
    await hugo.send(reference.lower())  # typed from the menu
    await hugo.expect(f"{reference} · Avis")
    await hugo.send("/suivi AV-2020-9999")
    await hugo.expect("Ce numéro est absent de votre liste.")


async def test_erase_what_i_just_sent(
    bot: Application, client: SandboxClient, sandbox: Sandbox
) -> None:
    lina = client.person(4005, "Lina", language_code="fr")
    await lina.send("/avis")
    await lina.tap("Repérer tôt les troubles")
    await lina.expect("Écrivez votre avis.")
    await lina.send("Mon voisin M. Dupont est malade.")
    await lina.expect("Vous parlez de quelle expérience ?")
    await lina.tap("Effacer mon message")
    await lina.expect("J'ai effacé votre message.")
    await lina.expect("Écrivez votre avis.")
    history = await client.history(4005)
    mine = [m for m in history if not m.get("from_bot") and "Dupont" in (m.get("text") or "")]
    assert mine and all(m.get("deleted") for m in mine)
    await lina.send("Le repérage à l'école marche bien.")
    await lina.expect("Vous parlez de quelle expérience ?")


async def test_individual_situation_with_consent(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    sami = client.person(4006, "Sami", language_code="fr")
    await sami.send("/situation")
    await sami.expect("Vous êtes inquiet pour une personne précise ?")
    await sami.expect("La personne est-elle en danger maintenant ?")
    await sami.tap("Ça peut attendre")
    await sami.expect("Voici qui peut aider.")
    await sami.tap("Voir une autre aide")
    await sami.expect("Commission des situations du conseil local de Nanterre (exemple)")
    await sami.tap("Oui, je veux transmettre")
    await sami.expect("La personne est-elle d'accord ?")
    await sami.tap("Oui, elle est d'accord")
    await sami.expect("Décrivez la situation.")
    await sami.send("Mon voisin à Nanterre ne sort plus et ne mange plus.")
    await sami.expect("Écrivez votre prénom et votre nom.")
    await sami.send("Sami Benali")
    summary = await sami.expect("Voici votre message pour la commission.")
    assert "Oui, elle est d'accord" in summary.text
    await sami.tap("Oui, j'envoie")
    sent = await sami.expect("Votre message est envoyé à la commission.")
    reference = re.search(r"SI-\d{4}-\d{4}", sent.text).group()
    async with bot_db.read() as tx:
        row = await tx.one(
            "SELECT kind, sharing, author_name, details FROM submissions WHERE reference = ?",
            (reference,),
        )
    assert (row["kind"], row["sharing"], row["author_name"]) == (
        "situation",
        "named",
        "Sami Benali",
    )
    assert '"status": "agreed"' in row["details"]


async def test_urgent_situation_gives_the_numbers(bot: Application, client: SandboxClient) -> None:
    eva = client.person(4007, "Eva", language_code="fr")
    await eva.send("/situation")
    await eva.tap("Oui, c'est urgent")
    urgent = await eva.expect("Appelez le 15 ou le 112 maintenant.")
    assert "3114" in urgent.text
    await eva.expect("Que voulez-vous faire ?")
