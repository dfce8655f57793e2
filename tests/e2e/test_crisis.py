"""The crisis safety net in the middle of a flow: help numbers first, then the person chooses."""

from __future__ import annotations

from pathlib import Path

from telegram.ext import Application

from bot.sandbox.client import SandboxClient
from bot.storage import Database

CRISIS_SET = Path(__file__).resolve().parents[1] / "data" / "crisis_set.tsv"


def crisis_messages() -> list[str]:
    lines = CRISIS_SET.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:] if line.strip()]
    return [row["text"] for row in rows if row["label"] == "crisis"]


async def test_numbers_first_then_continue_with_the_message(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    rose = client.person(5001, "Rose", language_code="fr")
    await rose.send("/avis")
    await rose.tap("Mieux aider pendant une crise")
    await rose.expect("Écrivez votre avis.")
    await rose.send("Aux urgences personne ne m'écoute, j'ai envie de mourir.")
    numbers = await rose.expect("Merci de m'avoir écrit.")
    assert "3114" in numbers.text and "112" in numbers.text and "114" in numbers.text
    assert "Continuer mon message" in " ".join(numbers.button_labels)
    await rose.tap("Voir d'autres numéros")
    more = await rose.expect("Voici d'autres numéros")
    assert "SOS Amitié" in more.text
    await rose.tap("Continuer mon message", message=numbers)
    await rose.expect("Vous parlez de quelle expérience ?")  # the held message was kept

    async with bot_db.read() as tx:
        events = await tx.all("SELECT * FROM safety_events")
        columns = [r[1] for r in await tx.all("PRAGMA table_info(safety_events)")]
    assert len(events) == 1 and "suicide" in events[0]["categories"]
    assert columns == ["id", "person_id", "categories", "at"]  # never the text


async def test_stop_after_the_numbers_deletes_the_draft(
    bot: Application, client: SandboxClient
) -> None:
    yann = client.person(5002, "Yann", language_code="fr")
    await yann.send("/idee")
    await yann.tap("Participer à la vie sociale")
    await yann.expect("Écrivez votre idée.")
    await yann.send("jveux en finir ce soir")
    await yann.expect("Merci de m'avoir écrit.")
    await yann.tap("Arrêter")
    await yann.expect("J'ai effacé ce brouillon.")
    await yann.expect("Que voulez-vous faire ?")


async def test_outside_a_flow_and_negated(bot: Application, client: SandboxClient) -> None:
    theo = client.person(5003, "Théo", language_code="fr")
    await theo.send("je ne veux pas mourir mais je pense au suicide")
    await theo.expect("Merci de m'avoir écrit.")
    await theo.expect("Que voulez-vous faire ?")
    await theo.send("mort de rire ce robot")
    after = await theo.expect("Choisissez une réponse avec les boutons.")  # the menu, no numbers
    assert "3114" not in after.text


async def test_every_crisis_message_of_the_set_gets_the_numbers_first(
    bot: Application, client: SandboxClient
) -> None:
    messages = crisis_messages()
    assert len(messages) >= 50
    for index, text in enumerate(messages):
        person = client.person(6000 + index, f"P{index}", language_code="fr")
        await person.send("/avis")
        await person.tap("Repérer tôt les troubles")
        await person.expect("Écrivez votre avis.")
        await person.send(text)
        first = await person.receive()
        while first.edited:  # the keyboard of the question is tidied away first
            first = await person.receive()
        assert "Merci de m'avoir écrit." in first.text, (index, first.text)


async def test_a_complaint_about_restraint_goes_on_but_suicide_words_do_not(
    bot: Application, client: SandboxClient
) -> None:
    """In a réclamation, staff violence is the subject; words of suicide still come first."""
    omar = client.person(5004, "Omar", language_code="fr")
    await omar.send("/reclamation")
    await omar.tap("Je fais une réclamation")
    await omar.send("Omar K")
    await omar.tap("Hôpital Sud")
    await omar.tap("Passer cette question")
    await omar.tap("Moi")
    await omar.expect("Racontez ce qui s'est passé.")
    await omar.send("Un infirmier m'a attaché au lit sans raison.")
    await omar.expect("Quand est-ce arrivé ?")
    await omar.tap("Retour")
    await omar.expect("Racontez ce qui s'est passé.")
    await omar.send("Depuis, j'ai envie de me tuer.")
    await omar.expect("Merci de m'avoir écrit.")
