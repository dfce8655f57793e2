"""« C'est quoi ? »: every institution word the bot uses can be explained, in plain French."""

from __future__ import annotations

from telegram.ext import Application

from bot.sandbox.client import SandboxClient


async def test_glossary_from_the_menu_and_by_command(
    bot: Application, client: SandboxClient
) -> None:
    ali = client.person(7001, "Ali", language_code="fr")
    await ali.send("/menu")
    await ali.tap("Comprendre un mot")
    await ali.expect("Quel mot voulez-vous comprendre ?")
    await ali.tap("GEM")
    gem = await ali.expect("GEM veut dire : groupe d'entraide mutuelle.")
    assert "\n" in gem.text  # the plain explanation follows on its own line
    await ali.expect("Que voulez-vous faire ?")

    await ali.send("/glossaire copil")  # any case, mixed forms map to the glossary entry
    await ali.expect("COPIL veut dire : comité de pilotage.")
    await ali.send("/glossaire ZZZ")
    unknown = await ali.expect("Ce mot est absent du lexique.")
    assert "CDU" in unknown.button_labels
    await ali.tap("CDU", message=unknown)
    await ali.expect("CDU veut dire : commission des usagers.")


async def test_c_est_quoi_button_where_the_bot_names_an_institution(
    bot: Application, client: SandboxClient
) -> None:
    """FALC spells « commission des usagers » out; a button still explains what it is."""
    bea = client.person(7002, "Béa", language_code="fr")
    await bea.send("/reclamation")
    first = await bea.expect("La commission des usagers reçoit ces réclamations.")
    assert "❓ C'est quoi, commission des usagers ?" in first.button_labels
    pathway = await bea.expect("Un médiateur peut vous rencontrer dans les 8 jours.")
    assert "❓ C'est quoi, représentant des usagers ?" in pathway.button_labels
    question = await bea.expect("Vous voulez rester anonyme ?")
    await bea.tap("C'est quoi, commission des usagers", message=first)
    explained = await bea.expect("CDU veut dire : commission des usagers.")
    assert "respecte vos droits" in explained.text
    # The flow waited: the question's buttons still work.
    await bea.tap("Je fais une réclamation", message=question)
    await bea.expect("Écrivez votre prénom et votre nom.")
